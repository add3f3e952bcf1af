"""Template helpers of the back office: money in yuan and inline QR codes."""

from __future__ import annotations

import segno
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """12345 fen -> "123.45" (money is stored in integer fen)."""
    if fen is None:
        return ""
    return f"{fen // 100}.{fen % 100:02d}"


@register.simple_tag
def qr_svg(data: str) -> SafeString:
    """An inline SVG QR code of ``data`` that scales with its container."""
    svg = segno.make(data, error="m").svg_inline(scale=1, border=2, omitsize=True)
    # segno writes the markup itself; the data only becomes path geometry.
    return mark_safe(svg)

"""Small display filters of the resident pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def km(distance_m: float | None) -> str:
    """Metres as kilometres: one decimal below 100 km, whole kilometres beyond."""
    if distance_m is None:
        return ""
    value = distance_m / 1000
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


@register.filter
def sport_name(sport: Any) -> str:
    """A sport's name in the page language (the catalogue carries zh and en)."""
    lang = get_language() or ""
    return sport.name_en if lang.startswith("en") and sport.name_en else sport.name


@register.simple_tag
def stars(rating: int) -> SafeString:
    """Filled and empty stars with a readable label; nothing for unrated venues."""
    if not rating:
        return format_html('<span class="text-body-secondary small">{}</span>', _("未评星级"))
    label = _("%(n)s 星级场馆") % {"n": rating}
    return format_html(
        '<span class="tiyu-stars" role="img" aria-label="{}" title="{}">{}<span '
        'class="tiyu-stars-off">{}</span></span>',
        label,
        label,
        "★" * rating,
        "★" * (5 - rating),
    )

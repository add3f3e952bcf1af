"""Entry codes: what a resident shows at the door and staff scan or type.

The QR holds the booking's random entry code signed with the site key, so a
scanned code proves it came from us; the bare 12-character code (48 random bits)
is what staff type when a camera is not at hand.
"""

from __future__ import annotations

import segno
from django.core import signing
from django.utils.translation import gettext_lazy as _

from tiyu.booking.models import Booking
from tiyu.core.errors import DomainError

SALT = "tiyu.booking.entry"


def entry_token(booking: Booking) -> str:
    """The signed token the QR code carries."""
    return signing.Signer(salt=SALT).sign(booking.entry_code)


def entry_code_from(text: str) -> str:
    """The entry code from a scanned token or a typed code; a forged token is refused."""
    text = (text or "").strip()
    if ":" in text:
        try:
            return signing.Signer(salt=SALT).unsign(text)
        except signing.BadSignature as exc:
            raise DomainError("entry_code_invalid", _("入场码无效。")) from exc
    code = text.upper().replace(" ", "").replace("-", "")
    if not code or len(code) > 12:
        raise DomainError("entry_code_invalid", _("入场码无效。"))
    return code


def entry_qr_svg(booking: Booking) -> str:
    """The entry QR code as an SVG document."""
    qr = segno.make(entry_token(booking), error="m")
    return qr.svg_inline(scale=6, border=2)

"""Upload checks: size and real content type (sniffed, not trusted from the name)."""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import DomainError

IMAGE_TYPES = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def sniff(upload: IO[bytes]) -> str | None:
    """The file's real extension (jpg, png, webp, pdf) from its bytes, or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            image.verify()
            kind = IMAGE_TYPES.get(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    upload.seek(0)
    return kind


def check_upload(upload: IO[bytes], *, size: int, allowed: set[str], field: str = "file") -> str:
    """Refuse oversize or wrong-type uploads with a 400; return the sniffed extension."""
    if size > settings.UPLOAD_MAX_BYTES:
        limit_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise DomainError(
            "upload_too_large",
            _("文件过大（上限 %(mb)s MB）。") % {"mb": limit_mb},
            fields={field: _("文件过大。")},
        )
    kind = sniff(upload)
    if kind not in allowed:
        raise DomainError(
            "upload_wrong_type",
            _("不支持的文件类型，允许：%(types)s。") % {"types": ", ".join(sorted(allowed))},
            fields={field: _("文件类型不支持。")},
        )
    return kind

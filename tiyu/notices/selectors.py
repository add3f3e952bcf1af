"""Reads of the inbox; every read is limited to the user's own notices."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import NotFound
from tiyu.notices.models import Notice


def inbox_for(user: Any, *, unread_only: bool = False) -> QuerySet[Notice]:
    """``user``'s notices, newest first (nothing for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return Notice.objects.none()
    qs = Notice.objects.filter(user_id=user.pk).order_by("-id")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count(user: Any) -> int:
    """How many of ``user``'s notices are unread: one COUNT on the (user, read_at) index."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def notice_get(user: Any, notice_id: int) -> Notice:
    """One of ``user``'s notices; absent and someone else's are the same 404."""
    notice = inbox_for(user).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound("notice_not_found", _("未找到该消息。"))
    return notice

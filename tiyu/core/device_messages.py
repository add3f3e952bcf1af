"""Fields every device message shares (id and time), parsed the same way by every app."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import validation_error

MESSAGE_ID_MAX = 64


def parse_time(value: Any, field: str = "at") -> datetime:
    """An ISO 8601 time with its offset; naive or unreadable times are refused."""
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise validation_error(
            field, _("时间须为带时区的 ISO 8601 格式，如 2026-12-02T09:30:00+08:00。"), "bad_time"
        )
    return parsed


def check_message_id(value: Any) -> str:
    """A message id: a non-empty string of at most 64 characters."""
    if not isinstance(value, str) or not value or len(value) > MESSAGE_ID_MAX:
        raise validation_error("id", _("消息编号须为 1–64 个字符。"), "bad_message_id")
    return value

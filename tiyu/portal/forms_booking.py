"""Parsing of the booking pages' input: chosen slots, the day, slot ids, the pay method.

Only parsing: every business rule (window, limits, taken) is the services' to judge.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from tiyu.booking.services import MAX_SLOTS_PER_BOOKING, SlotChoice
from tiyu.core.errors import validation_error

SEP = "@"
MAX_KEY_LENGTH = 128
BAD_SLOT = _("所选时段无效，请重新选择。")


def slot_value(court_id: int, starts_at: datetime) -> str:
    """The value a grid cell posts: ``<court id>@<ISO start with offset>``."""
    return f"{court_id}{SEP}{starts_at.isoformat()}"


def parse_slots(values: Iterable[str]) -> list[SlotChoice]:
    """The chosen slots from the posted cell values; a malformed one is a 400."""
    out = []
    for raw in values:
        court, sep, start = (raw or "").partition(SEP)
        try:
            if not sep:
                raise ValueError(raw)
            starts_at = datetime.fromisoformat(start)
            court_id = int(court)
        except ValueError:
            raise validation_error("slots", BAD_SLOT, "slots_invalid") from None
        if starts_at.tzinfo is None:
            raise validation_error("slots", BAD_SLOT, "slots_invalid")
        out.append(SlotChoice(court_id, starts_at))
        if len(out) > MAX_SLOTS_PER_BOOKING:
            break  # the service names the limit; no need to parse a flood
    return out


def parse_day(raw: str | None) -> date | None:
    """``YYYY-MM-DD`` or nothing; a malformed day is ignored (the grid shows its first day)."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def parse_ids(values: Iterable[str]) -> list[int]:
    """Slot ids from a form; non-numbers are dropped (the service refuses unknown ids)."""
    return sorted({int(v) for v in values if v and v.isdigit()})


def idempotency_key(raw: str | None) -> str | None:
    """The form's idempotency key, if it looks like one."""
    key = (raw or "").strip()
    return key[:MAX_KEY_LENGTH] or None

"""The kinds of inbox message, and their labels.

``Notice.kind`` is a plain string so that a new app can send a new kind without a
migration here; the known kinds get a label and unknown ones show as "通知".
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Kinds the booking flow sends; outside-channel templates are chosen by kind."""

    BOOKING_CONFIRMED = "booking_confirmed", _("预订成功")
    BOOKING_REMINDER = "booking_reminder", _("预订提醒")
    BOOKING_CANCELLED = "booking_cancelled", _("预订已取消")
    REFUND = "refund", _("退款")
    NO_SHOW = "no_show", _("爽约提醒")
    SYSTEM = "system", _("系统通知")


def kind_label(kind: str) -> str:
    """The label of ``kind`` in the active language; "通知" for kinds not listed."""
    try:
        return str(Kind(kind).label)
    except ValueError:
        return str(_("通知"))

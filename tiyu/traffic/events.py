"""What a gate tells us: the typed input of :func:`tiyu.traffic.services.gate_events_record`.

The devices app parses each device message into a :class:`GateEventIn` with
:func:`parse_gate_event` (one message refused never refuses its neighbours),
then records the valid ones in one call.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tiyu.core.device_messages import MESSAGE_ID_MAX, check_message_id, parse_time

__all__ = ["MESSAGE_ID_MAX", "Direction", "GateEventIn", "Method", "parse_gate_event"]
from tiyu.core.errors import validation_error

PERSON_KEY_MAX = 64
# A person key is a pseudonym the device derives (a hash); these look like the
# real thing (an ID-card number, a mobile number) and are refused, not stored.
_IDENTIFYING = re.compile(r"^(\d{17}[\dXx]|\d{15}|1\d{10})$")


class Direction(models.TextChoices):
    """Through the gate into the venue, or out of it."""

    IN = "in", _("进")
    OUT = "out", _("出")


class Method(models.TextChoices):
    """How the gate recognised the passage."""

    FACE = "face", _("人脸")
    QR = "qr", _("二维码")
    IC_CARD = "ic_card", _("IC 卡")
    WRISTBAND = "wristband", _("手环")
    BOOKING_CODE = "booking_code", _("预订入场码")
    COUNTER = "counter", _("客流计数器")


@dataclass(frozen=True)
class GateEventIn:
    """One passage through a gate, as recorded. ``person_key`` is '' when the device cannot tell."""

    venue_id: int
    device_id: int
    message_id: str
    occurred_at: datetime
    direction: str
    method: str
    person_key: str = ""

    @property
    def visitor_key(self) -> str:
        """The key that makes this passage one visitor of the day.

        A counter cannot tell people apart, so a passage without a person key is
        its own visitor; the key is unique to the message, so a resent message
        still counts once.
        """
        return self.person_key or f"~{self.device_id}:{self.message_id}"


def parse_gate_event(raw: dict[str, Any], *, venue_id: int, device_id: int) -> GateEventIn:
    """A gate message's fields as a :class:`GateEventIn`, or a 400 naming the bad field."""
    direction = raw.get("direction")
    if direction not in Direction.values:
        raise validation_error("direction", _("方向须为 in 或 out。"), "bad_direction")
    method = raw.get("method", Method.COUNTER)
    if method not in Method.values:
        raise validation_error("method", _("不支持的识别方式。"), "bad_method")
    person_key = raw.get("person", "")
    if not isinstance(person_key, str) or len(person_key) > PERSON_KEY_MAX:
        raise validation_error("person", _("人员标识须为不超过 64 个字符的假名。"), "bad_person")
    if _IDENTIFYING.match(person_key):
        raise validation_error(
            "person",
            _("人员标识不得为身份证号或手机号，请发送设备生成的假名。"),
            "person_identifying",
        )
    return GateEventIn(
        venue_id=venue_id,
        device_id=device_id,
        message_id=check_message_id(raw.get("id")),
        occurred_at=parse_time(raw.get("at")),
        direction=direction,
        method=method,
        person_key=person_key,
    )


def account_person_key(user_id: int) -> str:
    """The pseudonym a passage by a known account (a booking's entry code) is recorded under.

    Keyed with SECRET_KEY so it cannot be reversed to the account from the raw
    table, yet stable, so the voucher checks can find "the booker entered".
    """
    digest = hmac.new(settings.SECRET_KEY.encode(), f"person:{user_id}".encode(), hashlib.sha256)
    return "u:" + digest.hexdigest()[:24]

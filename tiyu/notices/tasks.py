"""Delivery of inbox messages through the outside channels, as a huey job.

``notify`` enqueues :func:`deliver_notice` after its transaction commits, so a
slow SMS provider never holds up a booking and a rolled-back booking sends
nothing. The job can run twice: a channel that already has a ``sent`` row for the
notice is not asked again.
"""

from __future__ import annotations

import logging

from django.utils.module_loading import import_string
from huey.contrib.djhuey import db_task

from tiyu.notices.channels import (
    FAILED,
    SENT,
    Channel,
    DeliveryResult,
    configured_channel_paths,
)
from tiyu.notices.models import Delivery, Notice

logger = logging.getLogger("tiyu.notices")


def _load(path: str) -> Channel:
    """One configured channel, instantiated with its settings."""
    return import_string(path)()


def deliver(notice_id: int, channels: list[Channel] | None = None) -> dict[str, str]:
    """Send one notice through each channel and record a ``Delivery`` row per channel.

    Every failure, including a channel that cannot be loaded or raises, becomes a
    ``failed`` row; nothing here can touch the inbox row. Returns ``{channel: status}``.
    """
    notice = Notice.objects.select_related("user").filter(pk=notice_id).first()
    if notice is None:  # deleted with its user before the job ran
        return {}
    done = set(
        Delivery.objects.filter(notice=notice, status=SENT).values_list("channel", flat=True)
    )
    outcome: dict[str, str] = {}
    entries: list[tuple[str, Channel | None]] = (
        [(c.name, c) for c in channels]
        if channels is not None
        else [(p, None) for p in configured_channel_paths()]
    )
    for label, channel in entries:
        try:
            channel = channel or _load(label)
            label = channel.name
        except Exception as exc:  # a bad NOTICE_CHANNELS entry must not stop the others
            logger.exception("notice channel %s cannot be loaded", label)
            result = DeliveryResult(FAILED, f"cannot load {label}: {type(exc).__name__}")
            label = label.rsplit(".", 1)[-1].lower()
        else:
            if label in done:
                continue
            try:
                result = channel.send(notice, notice.user)
            except Exception as exc:  # a provider bug is a failed delivery, not a lost notice
                logger.exception("notice %s via %s failed", notice.pk, label)
                result = DeliveryResult(FAILED, f"{type(exc).__name__}: {exc}")
        Delivery.objects.create(
            notice=notice,
            channel=label[:16],
            status=result.status[:16],
            detail=result.detail[:200],
        )
        outcome[label] = result.status
    return outcome


@db_task()
def deliver_notice(notice_id: int) -> dict[str, str]:
    """The huey job around :func:`deliver` (runs at once in tests)."""
    return deliver(notice_id)

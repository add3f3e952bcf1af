"""Sending queued commands to devices until they acknowledge (retries with backoff).

The MQTT bridge calls :func:`commands_send` every second with its own publish
function; a command goes out when due, again after 5 s, 10 s, 20 s … while it
is not acknowledged, and is marked failed after ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tiyu.devices.client import DOWN_TOPIC, mqtt_payload
from tiyu.devices.models import CommandStatus, DeviceCommand
from tiyu.devices.signing import decrypt_secret

MAX_ATTEMPTS = 6
OPEN = [CommandStatus.PENDING, CommandStatus.SENT]
FIRST_RETRY_SECONDS = 5
BATCH = 200

Publish = Callable[[str, bytes], bool]


def retry_delay(attempts: int) -> timedelta:
    """How long to wait for an acknowledgement after the ``attempts``-th send."""
    return timedelta(seconds=FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1))


def command_message(command: DeviceCommand) -> dict[str, object]:
    """A command as the device receives it inside the signed envelope."""
    return {
        "id": command.key,
        "type": "command",
        "action": command.action,
        "payload": command.payload,
        "due": command.due_at.isoformat(),
    }


def commands_send(publish: Publish, *, now: datetime | None = None) -> int:
    """Publish every due, unacknowledged command once; the number published.

    Rows are claimed with ``SKIP LOCKED`` on PostgreSQL so two bridges never
    send the same attempt; a failed publish leaves the command due.
    """
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = list(
            DeviceCommand.objects.select_for_update(skip_locked=True)
            .select_related("device")
            .filter(
                status__in=[CommandStatus.PENDING, CommandStatus.SENT], next_attempt_at__lte=now
            )
            .order_by("next_attempt_at")[:BATCH]
        )
        for command in due:
            if command.attempts >= MAX_ATTEMPTS or command.device.is_revoked:
                command.status = CommandStatus.FAILED
                command.save(update_fields=["status", "updated_at"])
                continue
            secret = decrypt_secret(command.device.secret_encrypted)
            if secret is None:
                continue
            topic = DOWN_TOPIC.format(device_id=command.device_id)
            if not publish(topic, mqtt_payload(secret, [command_message(command)])):
                continue
            command.attempts += 1
            command.status = CommandStatus.SENT
            command.sent_at = now
            command.next_attempt_at = now + retry_delay(command.attempts)
            command.save(
                update_fields=["attempts", "status", "sent_at", "next_attempt_at", "updated_at"]
            )
            sent += 1
    return sent

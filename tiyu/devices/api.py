"""``/api/v1/devices``: the signed message endpoint for devices, and the registry for people.

``POST /messages`` takes no user: the device signs the body (docs/devices.md).
Everything else is for venue managers (write) and whoever's scope reaches the
venue (read).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tiyu.accounts.api_auth import require_user
from tiyu.devices import selectors, services
from tiyu.devices.ingest import messages_ingest
from tiyu.devices.models import Device, DeviceCommand, DeviceKind

router = Router(tags=["devices"])
ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 413: dict, 422: dict}


class RefusalOut(Schema):
    id: str
    code: str


class CheckinOut(Schema):
    id: str
    ok: bool
    code: str


class IngestOut(Schema):
    accepted: int = Field(description="messages recorded now")
    duplicates: int = Field(description="messages recorded before (resent): counted once")
    rejected: list[RefusalOut]
    checkins: list[CheckinOut] = Field(description="booking-code entries: ok opens the gate")
    alerts_opened: int


@router.post(
    "/messages",
    auth=None,
    response={200: IngestOut, **ERRORS},
    summary="Device messages: a signed batch (X-Device-Id, X-Timestamp, X-Signature)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "messages": {
                                "type": "array",
                                "maxItems": 1000,
                                "items": {"type": "object"},
                            }
                        },
                    }
                }
            },
        }
    },
)
def messages(request: HttpRequest) -> dict:
    h = request.headers
    return messages_ingest(
        device_id=h.get("X-Device-Id"),
        timestamp=h.get("X-Timestamp"),
        signature=h.get("X-Signature"),
        body=request.body,
        transport="http",
    ).as_dict()


class DeviceOut(Schema):
    id: int
    venue_id: int
    kind: DeviceKind
    name: str
    location: str
    firmware: str
    revoked: bool
    online: bool
    last_seen_at: datetime | None
    messages: int


class DeviceIn(Schema):
    venue_id: int
    kind: DeviceKind
    name: str = Field(max_length=64)
    location: str = Field("", max_length=120)
    firmware: str = Field("", max_length=40)


class DeviceEdit(Schema):
    name: str = Field(max_length=64)
    location: str = Field("", max_length=120)
    firmware: str = Field("", max_length=40)


class SecretOut(Schema):
    device: DeviceOut
    secret: str = Field(description="shown this once; store it in the device")


class DevicesQuery(Schema):
    venue_id: int | None = None


class RejectionOut(Schema):
    device_id: int
    reason: str
    day: Any
    count: int
    last_at: datetime


class CommandIn(Schema):
    action: str = Field(max_length=32)
    key: str = Field(min_length=1, max_length=120)
    payload: dict[str, Any] = {}


class CommandOut(Schema):
    id: int
    key: str
    action: str
    payload: dict[str, Any]
    status: str
    attempts: int
    due_at: datetime
    acked_at: datetime | None


def device_out(device: Device, status: selectors.DeviceStatus | None = None) -> dict[str, Any]:
    seen = getattr(device, "seen", None) if status is None else None
    last = status.last_seen_at if status else (seen.last_seen_at if seen else None)
    return {
        "id": device.pk,
        "venue_id": device.venue_id,
        "kind": device.kind,
        "name": device.name,
        "location": device.location,
        "firmware": device.firmware,
        "revoked": device.is_revoked,
        "online": status.online if status else False,
        "last_seen_at": last,
        "messages": status.messages if status else 0,
    }


def command_out(c: DeviceCommand) -> dict[str, Any]:
    return {
        "id": c.pk,
        "key": c.key,
        "action": c.action,
        "payload": c.payload,
        "status": c.status,
        "attempts": c.attempts,
        "due_at": c.due_at,
        "acked_at": c.acked_at,
    }


@router.get("", response={200: list[DeviceOut], **ERRORS}, summary="Devices I can see")
def devices(request: HttpRequest, q: Query[DevicesQuery]) -> list[dict]:
    user = require_user(request)
    return [device_out(s.device, s) for s in selectors.device_statuses(user, venue_id=q.venue_id)]


@router.post("", response={201: SecretOut, **ERRORS}, summary="Register a device (secret once)")
def register(request: HttpRequest, payload: DeviceIn) -> tuple[int, dict]:
    device, secret = services.device_register(actor=require_user(request), **payload.dict())
    return 201, {"device": device_out(device), "secret": secret}


@router.get(
    "/rejections",
    response={200: list[RejectionOut], **ERRORS},
    summary="Refused requests and messages per day and reason",
)
def rejections(request: HttpRequest, q: Query[DevicesQuery]) -> list[Any]:
    return list(selectors.rejections_visible(require_user(request), venue_id=q.venue_id))


@router.patch("/{device_id}", response={200: DeviceOut, **ERRORS}, summary="Edit a device")
def edit(request: HttpRequest, device_id: int, payload: DeviceEdit) -> dict:
    device = services.device_update(
        actor=require_user(request), device_id=device_id, **payload.dict()
    )
    return device_out(device)


@router.post(
    "/{device_id}/rotate",
    response={200: SecretOut, **ERRORS},
    summary="New secret (the old one stops working)",
)
def rotate(request: HttpRequest, device_id: int) -> dict:
    device, secret = services.device_secret_rotate(actor=require_user(request), device_id=device_id)
    return {"device": device_out(device), "secret": secret}


@router.post("/{device_id}/revoke", response={200: DeviceOut, **ERRORS}, summary="Revoke")
def revoke(request: HttpRequest, device_id: int) -> dict:
    return device_out(services.device_revoke(actor=require_user(request), device_id=device_id))


@router.get(
    "/{device_id}/commands",
    response={200: list[CommandOut], **ERRORS},
    summary="Commands sent to a device, newest first",
)
def commands(request: HttpRequest, device_id: int) -> list[dict]:
    user = require_user(request)
    selectors.device_get(user, device_id)
    return [command_out(c) for c in selectors.commands_visible(user, device_id=device_id)[:100]]


@router.post(
    "/{device_id}/commands",
    response={201: CommandOut, **ERRORS},
    summary="Send a command now (staff override); the key makes retries safe",
)
def command(request: HttpRequest, device_id: int, payload: CommandIn) -> tuple[int, dict]:
    c = services.command_issue(
        actor=require_user(request),
        device_id=device_id,
        action=payload.action,
        key=payload.key,
        payload=payload.payload,
    )
    return 201, command_out(c)

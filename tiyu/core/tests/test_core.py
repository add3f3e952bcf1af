"""Core pieces: the error shape, the audit log, idempotency keys and the locking helper."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation

from tiyu.core import audit
from tiyu.core.errors import Conflict, DomainError, NotFound
from tiyu.core.idempotency import run_idempotent
from tiyu.core.locking import lock_keys, lock_rows
from tiyu.core.models import AuditEntry, IdempotencyRecord
from tiyu.regions.models import Region

pytestmark = pytest.mark.django_db


def test_error_message_follows_the_language():
    err = NotFound()
    with translation.override("zh-hans"):
        assert err.as_dict() == {"code": "not_found", "message": "未找到该对象。"}
    with translation.override("en"):
        assert err.as_dict()["message"] == "Not found."
    assert err.status == 404


def test_error_fields_are_rendered():
    err = DomainError("x", "bad", fields={"lat": "out"})
    assert err.as_dict()["fields"] == {"lat": "out"}
    assert err.status == 400


def test_audit_refuses_to_log_outside_a_transaction(regions):
    region = Region.objects.get(code="510107")
    # pytest-django wraps the test in a transaction; step outside it to prove the guard.
    with pytest.raises(RuntimeError):
        transaction.get_connection().in_atomic_block = False
        try:
            audit.log("x.y", None, region)
        finally:
            transaction.get_connection().in_atomic_block = True


def test_audit_rolls_back_with_the_change(regions):
    region = Region.objects.get(code="510107")
    before = AuditEntry.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit.log("region.touched", None, region, {"why": "test"})
        1 / 0  # noqa: B018
    assert AuditEntry.objects.count() == before
    with transaction.atomic():
        entry = audit.log("region.touched", None, region, {"when": region})
    assert (entry.object_type, entry.object_id) == ("regions.region", "510107")
    assert entry.data == {"when": "武侯区"}


def test_idempotent_retry_returns_first_result_and_runs_once(world):
    calls = []

    def action():
        calls.append(1)
        return 201, {"n": len(calls)}

    first = run_idempotent(
        key="k1", scope="s", user=world.resident, payload={"a": 1}, action=action
    )
    again = run_idempotent(
        key="k1", scope="s", user=world.resident, payload={"a": 1}, action=action
    )
    assert first == again == (201, {"n": 1})
    assert len(calls) == 1
    # The same key from another user is another request.
    other = run_idempotent(key="k1", scope="s", user=world.manager, payload={"a": 1}, action=action)
    assert other == (201, {"n": 2})


def test_idempotency_key_reused_with_another_body_is_a_conflict(world):
    run_idempotent(
        key="k2", scope="s", user=world.resident, payload={"a": 1}, action=lambda: (200, {})
    )
    with pytest.raises(Conflict) as exc:
        run_idempotent(
            key="k2",
            scope="s",
            user=world.resident,
            payload={"a": 2},
            action=lambda: (200, {"changed": True}),
        )
    assert exc.value.code == "idempotency_key_reused"
    assert IdempotencyRecord.objects.filter(key="k2").count() == 1


def test_refused_action_is_not_stored_so_the_client_can_retry(world):
    def refused():
        raise DomainError("nope", "no")

    with pytest.raises(DomainError):
        run_idempotent(key="k3", scope="s", user=world.resident, payload={}, action=refused)
    assert not IdempotencyRecord.objects.filter(key="k3").exists()
    assert run_idempotent(
        key="k3", scope="s", user=world.resident, payload={}, action=lambda: (200, {"ok": 1})
    ) == (200, {"ok": 1})


def test_locking_needs_a_transaction_and_sorts_keys(regions):
    conn = transaction.get_connection()
    conn.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError):
            lock_keys("court", [1])
    finally:
        conn.in_atomic_block = True
    with transaction.atomic():
        ids = lock_keys("court", [3, 1, 2, 1])
        assert ids == sorted(ids) and len(ids) == 3
        rows = lock_rows(Region.objects.filter(code__startswith="5101"))
        assert [r.code for r in rows] == sorted(r.code for r in rows)

"""Booking payments through the sandbox gateway end to end: notify, confirm, replay,
refusals, the HTTP endpoint, and the daily reconciliation."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone
from ninja.testing import TestClient

from tiyu.booking import checkout
from tiyu.booking.api_checkout import router
from tiyu.booking.checkout import gateway_notify, reconcile
from tiyu.booking.models import Booking, BookingStatus
from tiyu.booking.services import SlotChoice, booking_hold, booking_pay
from tiyu.payments.gateways.sandbox import SandboxOrder, sandbox_side
from tiyu.payments.models import Payment, PaymentStatus
from tiyu.payments.services import payment_take_stored_value, refund_issue
from tiyu.wallet.models import LedgerTransaction
from tiyu.wallet.selectors import account_balance
from tiyu.wallet.services import venue_revenue_account

pytestmark = pytest.mark.django_db


def held(arena: Any, user: Any, hour: int = 10) -> Booking:
    return booking_hold(
        user=user,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, arena.slot(arena.court3, 1, hour))],
    )


def sandbox_pay(arena: Any, user: Any, hour: int = 10) -> tuple[Booking, SandboxOrder]:
    """Hold a slot, start a sandbox payment, read the signed order as the cashier does."""
    booking = held(arena, user, hour)
    outcome = booking_pay(user=user, number=booking.number, method="sandbox", return_url="/done/")
    assert outcome.pay_request is not None
    query = urlsplit(outcome.pay_request.redirect_url).query
    return booking, sandbox_side().read_order(dict(parse_qsl(query)))


def test_sandbox_payment_confirms_the_booking_once(arena: Any) -> None:
    resident = arena.world.resident
    booking, order = sandbox_pay(arena, resident)
    assert order.amount_fen == booking.total_fen == 4000
    headers, body = sandbox_side().notice(order)
    answer = gateway_notify("sandbox", headers, body)
    assert (answer.status, answer.body) == (200, b"success")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.payment is not None and booking.payment.status == PaymentStatus.SUCCEEDED
    assert account_balance(venue_revenue_account(arena.venue)) == 4000
    txns = LedgerTransaction.objects.count()
    # the gateway delivers the same notice again: acknowledged, nothing changes
    again = gateway_notify("sandbox", headers, body)
    assert (again.status, again.body) == (200, b"success")
    assert LedgerTransaction.objects.count() == txns
    assert account_balance(venue_revenue_account(arena.venue)) == 4000


def test_refused_notice_answers_its_code_and_changes_nothing(arena: Any) -> None:
    booking, order = sandbox_pay(arena, arena.world.resident)
    headers, body = sandbox_side().notice(order)
    bad = gateway_notify("sandbox", headers, body.replace(b"40.00", b"0.01"))
    assert bad.status == 400 and json.loads(bad.body)["code"] == "notice_signature_invalid"
    old = sandbox_side().notice(order, now=timezone.now() - timedelta(minutes=6))
    stale = gateway_notify("sandbox", *old)
    assert stale.status == 400 and json.loads(stale.body)["code"] == "notice_stale"
    unknown = gateway_notify("paypal", headers, body)
    assert unknown.status == 404 and json.loads(unknown.body)["code"] == "gateway_unknown"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD
    assert Payment.objects.get(reference=booking.number).status == PaymentStatus.PENDING


def test_a_failing_confirmation_keeps_nothing_so_the_gateway_retries(
    arena: Any, monkeypatch: Any
) -> None:
    booking, order = sandbox_pay(arena, arena.world.resident)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(checkout, "booking_confirm_payment", broken)
    headers, body = sandbox_side().notice(order)
    with pytest.raises(RuntimeError):
        gateway_notify("sandbox", headers, body)
    payment = Payment.objects.get(reference=booking.number)
    assert payment.status == PaymentStatus.PENDING
    assert not payment.refunds.exists()
    monkeypatch.undo()
    assert gateway_notify("sandbox", headers, body).status == 200  # the retry settles it
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_http_endpoint(arena: Any) -> None:
    booking, order = sandbox_pay(arena, arena.world.resident)
    headers, body = sandbox_side().notice(order)
    client = TestClient(router)
    bad = client.post("/sandbox/notify", data=body.replace(b"40.00", b"1.00"), headers=headers)
    assert bad.status_code == 400 and bad.json()["code"] == "notice_signature_invalid"
    ok = client.post("/sandbox/notify", data=body, headers=headers)
    assert ok.status_code == 200 and ok.content == b"success"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_reconcile_lists_money_without_booking_and_booking_without_money(arena: Any) -> None:
    resident = arena.world.resident
    arena.fund(resident, 20000)
    today = timezone.localdate()
    # fine: paid and confirmed through the normal path
    good = held(arena, resident, 10)
    booking_pay(user=resident, number=good.number, method="stored_value")
    # money for a booking number that does not exist
    stray = payment_take_stored_value(
        user=resident, venue=arena.venue, purpose="booking", reference="BNOSUCH", amount_fen=1500
    )
    # money for a booking that lapsed and was never confirmed
    lapsed = held(arena, resident, 12)
    lost = payment_take_stored_value(
        user=resident,
        venue=arena.venue,
        purpose="booking",
        reference=lapsed.number,
        amount_fen=4000,
    )
    Booking.objects.filter(pk=lapsed.pk).update(status=BookingStatus.EXPIRED)
    # refunded in full: no longer a problem
    refunded = payment_take_stored_value(
        user=resident, venue=arena.venue, purpose="booking", reference="BGONE", amount_fen=500
    )
    refund_issue(payment=refunded, amount_fen=500)
    # a confirmed priced booking with no payment at all
    unpaid = held(arena, resident, 14)
    Booking.objects.filter(pk=unpaid.pk).update(status=BookingStatus.CONFIRMED)

    report = reconcile(today)
    assert {r.out_trade_no for r in report.paid_without_booking} == {
        stray.out_trade_no,
        lost.out_trade_no,
    }
    assert [r.booking_number for r in report.booking_without_payment] == [unpaid.number]
    assert report.amount_mismatch == []
    assert not report.ok
    assert reconcile(today - timedelta(days=1)).ok
    assert json.dumps(report.as_dict())  # printable by the job

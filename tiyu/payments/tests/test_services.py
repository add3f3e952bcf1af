"""The money write path: notices, stored value, cash, refunds, top-ups, the ledger."""

from __future__ import annotations

from typing import Any

import pytest

from tiyu.core.errors import DomainError
from tiyu.core.models import AuditEntry
from tiyu.payments.gateways import gateway_override
from tiyu.payments.gateways.alipay import AlipayGateway
from tiyu.payments.gateways.wechat import WechatGateway
from tiyu.payments.models import GatewayNotice, Payment, PaymentStatus, Refund
from tiyu.payments.services import (
    notice_accept,
    payment_start,
    payment_take_cash,
    payment_take_stored_value,
    refund_issue,
    topup_cash,
    topup_start,
)
from tiyu.payments.tests.conftest import counts, ledger_is_balanced
from tiyu.payments.tests.fakes import FakeAlipay, FakeWechat
from tiyu.wallet.models import Account, AccountKind
from tiyu.wallet.selectors import account_balance, wallet_balance, wallet_history
from tiyu.wallet.services import clearing_account, venue_revenue_account

pytestmark = pytest.mark.django_db


def raises(code: str, status: int, fn: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as exc:
        fn(**kwargs)
    assert (exc.value.code, exc.value.status) == (code, status)
    return exc.value


def fund(world: Any, yuan: int) -> Payment:
    """Credit the resident's card with cash at the front desk."""
    return topup_cash(
        user=world.resident, venue=world.wuhou_hall, amount_fen=yuan * 100, actor=world.staff
    )


# --- gateway notices -----------------------------------------------------------------


def test_wechat_topup_credited_once(
    world: Any, wechat: WechatGateway, fake_wechat: FakeWechat
) -> None:
    payment, request = topup_start(
        user=world.resident, amount_fen=10000, method="wechat", return_url=""
    )
    assert request.code_url and payment.status == PaymentStatus.PENDING
    assert wallet_balance(world.resident) == 0
    headers, body = fake_wechat.notice(out_trade_no=payment.out_trade_no, amount_fen=10000)
    result = notice_accept(gateway="wechat", headers=headers, body=body)
    assert result.newly_succeeded and not result.duplicate
    assert wallet_balance(world.resident) == 10000
    assert account_balance(clearing_account()) == -10000
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.gateway_trade_no
    assert AuditEntry.objects.filter(action="payment.succeeded", object_id=str(payment.pk)).exists()
    # the same delivery again: acknowledged, changes nothing
    before = counts()
    again = notice_accept(gateway="wechat", headers=headers, body=body)
    assert again.duplicate and not again.newly_succeeded
    # a second, differently numbered success for the same trade: changes nothing either
    h2, b2 = fake_wechat.notice(out_trade_no=payment.out_trade_no, amount_fen=10000)
    assert not notice_accept(gateway="wechat", headers=h2, body=b2).newly_succeeded
    after = counts()
    assert after["txns"] == before["txns"] and after["succeeded"] == before["succeeded"]
    assert wallet_balance(world.resident) == 10000
    assert ledger_is_balanced()


def test_refused_notices_change_nothing(
    world: Any, alipay: AlipayGateway, fake_alipay: FakeAlipay
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tiyu.payments.tests.fakes import new_key

    payment, _r = topup_start(
        user=world.resident, amount_fen=5000, method="alipay", return_url="/w"
    )
    before = counts()
    h, b = fake_alipay.notice(out_trade_no=payment.out_trade_no, total_amount="50.00")
    raises(
        "notice_signature_invalid",
        400,
        notice_accept,
        gateway="alipay",
        headers=h,
        body=b.replace(b"50.00", b"5.00"),
    )
    h, b = fake_alipay.notice(
        out_trade_no=payment.out_trade_no, total_amount="50.00", key=new_key()
    )
    raises("notice_signature_invalid", 400, notice_accept, gateway="alipay", headers=h, body=b)
    h, b = fake_alipay.notice(
        out_trade_no=payment.out_trade_no,
        total_amount="50.00",
        when=timezone.now() - timedelta(minutes=5, seconds=5),
    )
    raises("notice_stale", 400, notice_accept, gateway="alipay", headers=h, body=b)
    # correctly signed, but for a different amount than we asked
    h, b = fake_alipay.notice(out_trade_no=payment.out_trade_no, total_amount="0.50")
    raises("notice_amount_mismatch", 400, notice_accept, gateway="alipay", headers=h, body=b)
    h, b = fake_alipay.notice(out_trade_no="NOPE", total_amount="50.00")
    raises("payment_not_found", 404, notice_accept, gateway="alipay", headers=h, body=b)
    raises("gateway_unknown", 404, notice_accept, gateway="paypal", headers=h, body=b)
    assert counts() == before
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert wallet_balance(world.resident) == 0


def test_notice_for_other_method_is_not_found(
    world: Any, wechat: WechatGateway, alipay: AlipayGateway, fake_alipay: FakeAlipay
) -> None:
    payment, _r = topup_start(user=world.resident, amount_fen=5000, method="wechat", return_url="")
    h, b = fake_alipay.notice(out_trade_no=payment.out_trade_no, total_amount="50.00")
    raises("payment_not_found", 404, notice_accept, gateway="alipay", headers=h, body=b)


def test_closed_notice_closes_pending_and_a_late_success_still_books(
    world: Any, wechat: WechatGateway, fake_wechat: FakeWechat
) -> None:
    payment, _r = topup_start(user=world.resident, amount_fen=2000, method="wechat", return_url="")
    h, b = fake_wechat.notice(out_trade_no=payment.out_trade_no, amount_fen=2000, state="CLOSED")
    assert not notice_accept(gateway="wechat", headers=h, body=b).newly_succeeded
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CLOSED
    h, b = fake_wechat.notice(out_trade_no=payment.out_trade_no, amount_fen=2000)
    assert notice_accept(gateway="wechat", headers=h, body=b).newly_succeeded
    assert wallet_balance(world.resident) == 2000


def test_booking_payment_by_gateway_credits_the_venue(
    world: Any, wechat: WechatGateway, fake_wechat: FakeWechat
) -> None:
    payment, _r = payment_start(
        user=world.resident,
        venue=world.wuhou_hall,
        purpose="booking",
        reference="B1",
        amount_fen=6000,
        method="wechat",
        return_url="",
    )
    # asking again reuses the pending order
    again, _r2 = payment_start(
        user=world.resident,
        venue=world.wuhou_hall,
        purpose="booking",
        reference="B1",
        amount_fen=6000,
        method="wechat",
        return_url="",
    )
    assert again.pk == payment.pk and Payment.objects.count() == 1
    h, b = fake_wechat.notice(out_trade_no=payment.out_trade_no, amount_fen=6000)
    notice_accept(gateway="wechat", headers=h, body=b)
    assert account_balance(venue_revenue_account(world.wuhou_hall)) == 6000
    assert account_balance(clearing_account()) == -6000
    assert GatewayNotice.objects.count() == 1


def test_payment_start_refuses_disabled_and_offline_methods(world: Any) -> None:
    kwargs = dict(
        user=world.resident,
        venue=world.wuhou_hall,
        purpose="booking",
        reference="B1",
        amount_fen=100,
        return_url="",
    )
    with gateway_override("wechat", None):
        raises("method_unavailable", 400, payment_start, method="wechat", **kwargs)
    raises("method_invalid", 400, payment_start, method="cash", **kwargs)
    raises("amount_invalid", 400, payment_start, method="sandbox", **{**kwargs, "amount_fen": 0})
    assert Payment.objects.count() == 0


# --- stored value and cash ---------------------------------------------------------------


def test_stored_value_payment_and_insufficient_balance(world: Any) -> None:
    fund(world, 50)
    p = payment_take_stored_value(
        user=world.resident,
        venue=world.wuhou_hall,
        purpose="booking",
        reference="B2",
        amount_fen=3000,
    )
    assert p.status == PaymentStatus.SUCCEEDED and p.method == "stored_value"
    assert wallet_balance(world.resident) == 2000
    assert account_balance(venue_revenue_account(world.wuhou_hall)) == 3000
    before = counts()
    raises(
        "balance_insufficient",
        409,
        payment_take_stored_value,
        user=world.resident,
        venue=world.wuhou_hall,
        purpose="booking",
        reference="B3",
        amount_fen=2001,
    )
    assert counts() == before
    assert wallet_balance(world.resident) == 2000
    assert ledger_is_balanced()


def test_cash_payment_needs_the_venues_staff(world: Any) -> None:
    kwargs = dict(
        user=world.resident,
        venue=world.wuhou_hall,
        purpose="booking",
        reference="B4",
        amount_fen=2500,
    )
    before = counts()
    raises("not_venue_staff", 403, payment_take_cash, actor=world.resident, **kwargs)
    raises("not_venue_staff", 403, payment_take_cash, actor=world.wuhou_official, **kwargs)
    raises(
        "not_venue_staff",
        403,
        payment_take_cash,
        actor=world.staff,
        **{**kwargs, "venue": world.jinjiang_pool},
    )
    assert counts() == before
    p = payment_take_cash(actor=world.staff, **kwargs)
    assert p.status == PaymentStatus.SUCCEEDED
    till = Account.objects.get(kind=AccountKind.CASH_CLEARING, venue=world.wuhou_hall)
    assert account_balance(till) == -2500
    assert account_balance(venue_revenue_account(world.wuhou_hall)) == 2500


def test_cash_topup_and_limits(world: Any) -> None:
    p = fund(world, 100)
    assert p.venue == world.wuhou_hall and p.purpose == "topup"
    assert wallet_balance(world.resident) == 10000
    entry = wallet_history(world.resident).first()
    assert entry is not None
    assert (entry.amount_fen, entry.transaction.kind, entry.transaction.reference) == (
        10000,
        "topup",
        p.reference,
    )
    raises(
        "topup_amount_invalid",
        400,
        topup_cash,
        user=world.resident,
        venue=world.wuhou_hall,
        amount_fen=50,
        actor=world.staff,
    )
    raises(
        "topup_balance_limit",
        400,
        topup_cash,
        user=world.resident,
        venue=world.wuhou_hall,
        amount_fen=495_000,
        actor=world.staff,
    )
    raises(
        "not_venue_staff",
        403,
        topup_cash,
        user=world.resident,
        venue=world.wuhou_hall,
        amount_fen=1000,
        actor=world.resident,
    )
    assert wallet_balance(world.resident) == 10000


# --- refunds ----------------------------------------------------------------------------


def test_stored_value_refunds_partial_then_refused_past_paid(world: Any) -> None:
    fund(world, 100)
    p = payment_take_stored_value(
        user=world.resident,
        venue=world.wuhou_hall,
        purpose="booking",
        reference="B5",
        amount_fen=4000,
    )
    refund_issue(payment=p, amount_fen=1000, reason="取消一个时段")
    refund_issue(payment=p, amount_fen=2000, reason="再取消一个")
    assert wallet_balance(world.resident) == 10000 - 4000 + 3000
    assert account_balance(venue_revenue_account(world.wuhou_hall)) == 1000
    p.refresh_from_db()
    assert p.refunded_fen == 3000 and p.refundable_fen == 1000
    before = counts()
    raises("refund_exceeds_paid", 409, refund_issue, payment=p, amount_fen=1001)
    raises("amount_invalid", 400, refund_issue, payment=p, amount_fen=0)
    assert counts() == before
    assert Refund.objects.filter(payment=p, status="succeeded").count() == 2
    assert ledger_is_balanced()


def test_cash_refund_goes_back_to_the_till(world: Any) -> None:
    p = payment_take_cash(
        user=world.resident,
        venue=world.wuhou_hall,
        purpose="booking",
        reference="B6",
        amount_fen=2500,
        actor=world.staff,
    )
    refund_issue(payment=p, amount_fen=2500, actor=world.staff)
    till = Account.objects.get(kind=AccountKind.CASH_CLEARING, venue=world.wuhou_hall)
    assert account_balance(till) == 0
    assert wallet_balance(world.resident) == 0  # cash never touches the card


def test_gateway_refund_goes_through_the_adapter(
    world: Any, alipay: AlipayGateway, fake_alipay: FakeAlipay
) -> None:
    payment, _r = payment_start(
        user=world.resident,
        venue=world.wuhou_hall,
        purpose="booking",
        reference="B7",
        amount_fen=8000,
        method="alipay",
        return_url="/x",
    )
    h, b = fake_alipay.notice(out_trade_no=payment.out_trade_no, total_amount="80.00")
    notice_accept(gateway="alipay", headers=h, body=b)
    payment.refresh_from_db()
    refund = refund_issue(payment=payment, amount_fen=3000, reason="退订")
    assert refund.status == "succeeded"
    assert fake_alipay.calls and "alipay.trade.refund" in fake_alipay.calls[-1].url
    assert account_balance(venue_revenue_account(world.wuhou_hall)) == 5000
    assert account_balance(clearing_account()) == -5000
    assert wallet_balance(world.resident) == 0


def test_refused_gateway_refund_writes_nothing(
    world: Any, alipay: AlipayGateway, fake_alipay: FakeAlipay
) -> None:
    payment, _r = payment_start(
        user=world.resident,
        venue=world.wuhou_hall,
        purpose="booking",
        reference="B8",
        amount_fen=8000,
        method="alipay",
        return_url="/x",
    )
    h, b = fake_alipay.notice(out_trade_no=payment.out_trade_no, total_amount="80.00")
    notice_accept(gateway="alipay", headers=h, body=b)
    payment.refresh_from_db()
    before = counts()
    broken = AlipayGateway(fake_alipay.config(), transport=FakeAlipay())  # other keys: refuses us
    with gateway_override("alipay", broken):
        raises("gateway_refused", 502, refund_issue, payment=payment, amount_fen=100)
    assert counts() == before
    payment.refresh_from_db()
    assert payment.refunded_fen == 0


def test_spent_topup_cannot_be_refunded(world: Any) -> None:
    top = fund(world, 50)
    payment_take_stored_value(
        user=world.resident,
        venue=world.wuhou_hall,
        purpose="booking",
        reference="B9",
        amount_fen=4000,
    )
    before = counts()
    raises(
        "balance_insufficient", 409, refund_issue, payment=top, amount_fen=5000, actor=world.staff
    )
    assert counts() == before
    refund_issue(payment=top, amount_fen=1000, actor=world.staff)
    assert wallet_balance(world.resident) == 0
    assert ledger_is_balanced()

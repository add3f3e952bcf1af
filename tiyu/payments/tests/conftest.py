"""Fixtures: fake WeChat Pay / Alipay (own keys, one set per module) wired into the registry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tiyu.payments.gateways import gateway_override
from tiyu.payments.gateways.alipay import AlipayGateway
from tiyu.payments.gateways.wechat import WechatGateway
from tiyu.payments.tests.fakes import FakeAlipay, FakeWechat


@pytest.fixture(scope="module")
def fake_wechat() -> FakeWechat:
    return FakeWechat()


@pytest.fixture(scope="module")
def fake_alipay() -> FakeAlipay:
    return FakeAlipay()


@pytest.fixture
def wechat(fake_wechat: FakeWechat) -> Iterator[WechatGateway]:
    """The WeChat adapter on the fake platform, enabled as ``wechat``."""
    fake_wechat.calls.clear()
    gw = WechatGateway(fake_wechat.config(), transport=fake_wechat)
    with gateway_override("wechat", gw):
        yield gw


@pytest.fixture
def alipay(fake_alipay: FakeAlipay) -> Iterator[AlipayGateway]:
    """The Alipay adapter on the fake Alipay, enabled as ``alipay``."""
    fake_alipay.calls.clear()
    gw = AlipayGateway(fake_alipay.config(), transport=fake_alipay)
    with gateway_override("alipay", gw):
        yield gw


def ledger_is_balanced() -> bool:
    """Every transaction sums to zero and every cached balance equals its entries."""
    from django.db.models import Sum

    from tiyu.wallet.models import Account, Entry, LedgerTransaction
    from tiyu.wallet.selectors import account_balance

    for txn in LedgerTransaction.objects.all():
        if (txn.entries.aggregate(s=Sum("amount_fen"))["s"] or 0) != 0:
            return False
    for account in Account.objects.all():
        total = Entry.objects.filter(account=account).aggregate(s=Sum("amount_fen"))["s"] or 0
        if total != account_balance(account):
            return False
    return True


def counts() -> dict[str, Any]:
    """Row counts of everything money touches, to prove a refusal changed nothing."""
    from tiyu.payments.models import GatewayNotice, Payment, Refund
    from tiyu.wallet.models import Entry, LedgerTransaction

    return {
        "payments": Payment.objects.count(),
        "succeeded": Payment.objects.filter(status="succeeded").count(),
        "refunds": Refund.objects.count(),
        "notices": GatewayNotice.objects.count(),
        "txns": LedgerTransaction.objects.count(),
        "entries": Entry.objects.count(),
    }

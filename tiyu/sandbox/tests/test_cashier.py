"""The sandbox cashier page: shows the signed order, pays through the notify handler."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tiyu.payments.gateways import gateway_override
from tiyu.payments.models import Payment, PaymentStatus
from tiyu.wallet.selectors import wallet_balance

pytestmark = pytest.mark.django_db


def start_topup(client: Any, world: Any, yuan: str = "100") -> str:
    client.force_login(world.resident)
    response = client.post("/wallet/topup/", {"amount": yuan, "method": "sandbox"})
    assert response.status_code == 302
    return response["Location"]


def test_topup_pays_through_the_cashier(client: Any, world: Any) -> None:
    url = start_topup(client, world)
    assert urlsplit(url).path.startswith("/sandbox/pay/")
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "本地沙箱支付（演示，非真实支付）" in html and "¥100.00" in html
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PENDING and payment.method == "sandbox"
    done = client.post(url, {"action": "pay"})
    assert done.status_code == 302
    assert done["Location"] == f"/wallet/topup/{payment.out_trade_no}/"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert wallet_balance(world.resident) == 10000
    result = client.get(done["Location"]).content.decode()
    assert "充值成功" in result and "¥100.00" in result
    # paying again (back button, double click) changes nothing
    client.post(url, {"action": "pay"})
    assert wallet_balance(world.resident) == 10000


def test_cancel_goes_back_without_paying(client: Any, world: Any) -> None:
    url = start_topup(client, world, "50")
    back = client.post(url, {"action": "cancel"})
    assert back.status_code == 302
    assert Payment.objects.get().status == PaymentStatus.PENDING
    assert wallet_balance(world.resident) == 0
    assert "正在等待支付结果" in client.get(back["Location"]).content.decode()


def test_tampered_order_is_refused(client: Any, world: Any) -> None:
    url = start_topup(client, world)
    page = client.get(url.replace("100.00", "1.00"))
    assert page.status_code == 400 and b"notice_signature_invalid" in page.content
    assert client.post(url.replace("100.00", "1.00"), {"action": "pay"}).status_code == 400
    assert wallet_balance(world.resident) == 0
    other = client.get(url.replace("/sandbox/pay/", "/sandbox/pay/X"))
    assert other.status_code == 404


def test_cashier_is_gone_when_the_sandbox_is_off(client: Any, world: Any) -> None:
    url = start_topup(client, world)
    with gateway_override("sandbox", None):
        assert client.get(url).status_code == 404

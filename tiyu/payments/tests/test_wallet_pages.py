"""Resident wallet pages and the wallet API."""

from __future__ import annotations

from typing import Any

import pytest
from ninja.testing import TestClient

from tiyu.payments.api import router
from tiyu.payments.models import Payment
from tiyu.payments.services import payment_take_stored_value, topup_cash

pytestmark = pytest.mark.django_db


def test_pages_need_login(client: Any, world: Any) -> None:
    for url in ("/wallet/", "/wallet/history/", "/wallet/topup/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_balance_and_history_pages(client: Any, world: Any) -> None:
    for _i in range(3):
        topup_cash(user=world.resident, venue=world.wuhou_hall, amount_fen=10000, actor=world.staff)
    for i in range(22):
        payment_take_stored_value(
            user=world.resident,
            venue=world.wuhou_hall,
            purpose="booking",
            reference=f"B{i:03d}",
            amount_fen=100,
        )
    client.force_login(world.resident)
    home = client.get("/wallet/").content.decode()
    assert "¥278.00" in home
    assert home.count('data-testid="wallet-entry"') == 5
    page1 = client.get("/wallet/history/").content.decode()
    assert page1.count('data-testid="wallet-entry"') == 20 and "B021" in page1 and "-1.00" in page1
    page2 = client.get("/wallet/history/?page=2").content.decode()
    assert page2.count('data-testid="wallet-entry"') == 5 and "+100.00" in page2
    # someone else sees their own (empty) card
    client.force_login(world.staff)
    assert "还没有任何收支记录" in client.get("/wallet/").content.decode()


def test_topup_form_errors_start_nothing(client: Any, world: Any) -> None:
    client.force_login(world.resident)
    page = client.get("/wallet/topup/").content.decode()
    assert "本地沙箱支付（演示，非真实支付）" in page
    assert (
        client.post("/wallet/topup/", {"amount": "custom", "method": "sandbox"}).status_code == 400
    )
    assert (
        client.post(
            "/wallet/topup/", {"amount": "custom", "custom_yuan": "6000", "method": "sandbox"}
        ).status_code
        == 400
    )
    assert client.post("/wallet/topup/", {"amount": "100", "method": "wechat"}).status_code == 400
    assert Payment.objects.count() == 0
    ok = client.post(
        "/wallet/topup/", {"amount": "custom", "custom_yuan": "30", "method": "sandbox"}
    )
    assert ok.status_code == 302
    assert Payment.objects.get().amount_fen == 3000


def test_topup_result_of_someone_else_is_404(client: Any, world: Any) -> None:
    client.force_login(world.resident)
    client.post("/wallet/topup/", {"amount": "50", "method": "sandbox"})
    number = Payment.objects.get().out_trade_no
    assert client.get(f"/wallet/topup/{number}/").status_code == 200
    client.force_login(world.staff)
    assert client.get(f"/wallet/topup/{number}/").status_code == 404


def test_api_wallet_and_topup(world: Any) -> None:
    topup_cash(user=world.resident, venue=world.wuhou_hall, amount_fen=5000, actor=world.staff)
    api = TestClient(router)
    body = api.get("", user=world.resident).json()
    assert body["balance_fen"] == 5000
    assert body["history"][0]["kind"] == "topup" and body["history"][0]["amount_fen"] == 5000
    answer = api.post(
        "/topups",
        json={"amount_fen": 10000, "method": "sandbox", "return_url": "/wallet/"},
        headers={"Idempotency-Key": "k-1"},
        user=world.resident,
    )
    assert answer.status_code == 201
    data = answer.json()
    assert data["pay_request"]["redirect_url"].startswith(f"/sandbox/pay/{data['out_trade_no']}/?")
    again = api.post(
        "/topups",
        json={"amount_fen": 10000, "method": "sandbox", "return_url": "/wallet/"},
        headers={"Idempotency-Key": "k-1"},
        user=world.resident,
    )
    assert (
        again.json() == data
        and Payment.objects.filter(purpose="topup", method="sandbox").count() == 1
    )


def test_api_refusals(world: Any) -> None:
    from tiyu.core.errors import DomainError

    api = TestClient(router)
    with pytest.raises(DomainError) as exc:
        api.get("")
    assert exc.value.code == "unauthenticated"
    with pytest.raises(DomainError) as exc:
        api.post("/topups", json={"amount_fen": 50, "method": "sandbox"}, user=world.resident)
    assert exc.value.code == "topup_amount_invalid"
    with pytest.raises(DomainError) as exc:
        api.post(
            "/topups", json={"amount_fen": 5000, "method": "stored_value"}, user=world.resident
        )
    assert exc.value.code == "method_invalid"
    assert Payment.objects.count() == 0

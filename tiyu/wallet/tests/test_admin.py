"""The read-only ledger admin shows every balance from the entries, pooled ones included."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tiyu.payments.services import topup_cash
from tiyu.wallet.models import AccountKind
from tiyu.wallet.services import account_for


def test_account_list_shows_pooled_balance_from_entries(world: Any) -> None:
    topup_cash(user=world.resident, venue=world.wuhou_hall, amount_fen=2500, actor=world.staff)
    till = account_for(AccountKind.CASH_CLEARING, venue=world.wuhou_hall)
    assert till.balance_fen == 0  # pooled: no cached balance
    client = Client()
    client.force_login(world.admin)
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    page = client.get("/admin/wallet/account/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "-2500" in body and "2500" in body

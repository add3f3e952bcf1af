"""A resident tops up the stored-value card with the local sandbox gateway, on a phone."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from tests.browser.conftest import login, shot

# Until tiyu/config/urls.py mounts /sandbox/, the test URLconf adds it.
pytestmark = pytest.mark.django_db(transaction=True)


def test_top_up_100_yuan_with_the_sandbox(world, live_server, phone_page):
    page = phone_page
    login(page, live_server, "resident", PASSWORD)
    page.goto(f"{live_server.url}/wallet/")
    assert page.inner_text("[data-testid=wallet-balance]") == "¥0.00"
    page.click("[data-testid=wallet-topup-link]")
    page.click("[data-testid=amount-100]")
    page.click("[data-testid=method-sandbox]")
    shot(page, "wallet-topup-form")
    page.click("[data-testid=topup-submit]")

    # the sandbox cashier: clearly not real money, shows what is paid
    page.wait_for_selector("[data-testid=sandbox-cashier]")
    assert "本地沙箱支付（演示，非真实支付）" in page.inner_text("[data-testid=sandbox-banner]")
    assert page.inner_text("[data-testid=sandbox-amount]") == "¥100.00"
    assert "一卡通充值" in page.inner_text("[data-testid=sandbox-subject]")
    shot(page, "wallet-sandbox-cashier")
    page.click("[data-testid=sandbox-pay]")

    result = page.wait_for_selector("[data-testid=topup-result]")
    assert result.get_attribute("data-status") == "succeeded"
    assert page.inner_text("[data-testid=wallet-balance]") == "¥100.00"
    page.click("[data-testid=back-to-wallet]")
    assert page.inner_text("[data-testid=wallet-balance]") == "¥100.00"
    entry = page.locator("[data-testid=wallet-entry]").first
    assert "充值" in entry.inner_text()
    assert entry.locator("[data-testid=wallet-entry-amount]").inner_text() == "+100.00"
    shot(page, "wallet-after-topup")
    page.click("[data-testid=wallet-history-link]")
    assert page.locator("[data-testid=wallet-entry]").count() == 1

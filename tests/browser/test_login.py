"""Signing in through the page, with username or phone."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_signs_in_and_sees_their_name(world, live_server, page):
    login(page, live_server, "resident", PASSWORD)
    assert page.inner_text("[data-testid=whoami]") == "resident"
    shot(page, "login-done")


def test_wrong_password_is_refused_in_chinese(world, live_server, page):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "resident")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    error = page.locator("[data-error-code=invalid_credentials]")
    assert "用户名或密码错误" in error.inner_text()
    assert page.locator("[data-testid=whoami]").count() == 0

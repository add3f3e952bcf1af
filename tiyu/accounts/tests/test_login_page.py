"""The login page: username or phone, and the lockout page."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from tiyu.accounts.services import user_create

pytestmark = pytest.mark.django_db


def test_login_with_phone_sets_a_session(regions, client):
    user_create(username="wang", password=PASSWORD, phone="13900000009")
    response = client.post("/login/", {"username": "13900000009", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_lockout_page_after_five_failures(world, client):
    for _ in range(5):
        client.post("/login/", {"username": "manager", "password": "nope"})
    response = client.post("/login/", {"username": "manager", "password": PASSWORD})
    assert response.status_code == 429
    assert "login_locked" in response.content.decode()
    assert not client.session.get("_auth_user_id")

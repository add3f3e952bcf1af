"""Signing in through the API: tokens, phone logins, lockout."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from conftest import PASSWORD
from tiyu.accounts.models import ApiToken, mask_phone
from tiyu.accounts.services import user_create

pytestmark = pytest.mark.django_db


def post_token(client, username: str, password: str):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_token_by_username_then_me(world, client):
    response = post_token(client, "manager", PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "manager"
    assert body["memberships"] == [
        {"role": "venue_manager", "region_code": None, "venue_id": world.wuhou_hall.pk}
    ]
    # Only the hash is stored.
    assert not ApiToken.objects.filter(digest=token).exists()


def test_token_by_phone_and_phone_is_masked(regions, client):
    user_create(username="li", password=PASSWORD, phone="13812345678")
    response = post_token(client, "13812345678", PASSWORD)
    assert response.status_code == 200
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {response.json()['token']}"}
    )
    assert me.json()["phone_masked"] == "138****5678"
    assert mask_phone("123") == "***"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eA=="}]
)
def test_me_without_valid_token_is_401(world, client, headers):
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_wrong_password_then_lockout(world, client):
    for _ in range(4):
        response = post_token(client, "resident", "wrong")
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_credentials"
    tokens = ApiToken.objects.count()
    response = post_token(client, "resident", "wrong")  # 5th failure locks
    assert response.status_code == 429
    # Even the right password is refused while locked, and no token is issued.
    response = post_token(client, "resident", PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked"
    assert ApiToken.objects.count() == tokens


@pytest.mark.parametrize(
    "body", [{}, {"username": "x"}, {"username": "", "password": "y"}, "not json", [1, 2]]
)
def test_malformed_token_requests_are_4xx(world, client, body):
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "code" in response.json()


def test_user_passwords_are_hashed(world):
    user = get_user_model().objects.get(username="resident")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)

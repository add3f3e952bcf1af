"""Schemathesis over the whole OpenAPI schema: no request, however malformed, gets a 5xx.

Every operation is called anonymously and with a platform admin's bearer token
(so the handlers behind authentication are fuzzed too), against the test world.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tiyu.config.wsgi import application

pytestmark = pytest.mark.django_db


# pytest-django has configured Django before test modules are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Calls go through the raw WSGI app, whose request signals would close the DB
    connection that holds the test's transaction (Django's test client avoids this)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_headers(world):
    from tiyu.accounts.services import token_issue

    raw, _token = token_issue(user=world.admin)
    return {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_server_errors(case, admin_headers):
    case.call_and_validate(checks=[not_a_server_error])
    case.call_and_validate(headers=admin_headers, checks=[not_a_server_error])

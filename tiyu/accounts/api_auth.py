"""API authentication: a bearer token, or the page session for same-site calls."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from tiyu.accounts.services import token_user
from tiyu.core.errors import DomainError


class OptionalBearer(HttpBearer):
    """Accept ``Authorization: Bearer …`` or a logged-in session; otherwise anonymous.

    Endpoints are public by default; those that need a user call
    :func:`require_user`, so the refusal has the shared error shape.
    """

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = token_user(header[7:].strip())
            if user is None:
                return None
            request.user = user
            return user
        return request.user if request.user.is_authenticated else AnonymousMarker

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return token_user(token)


class _Anonymous:
    """Truthy so ninja lets anonymous calls reach public endpoints."""

    def __bool__(self) -> bool:
        return True


AnonymousMarker = _Anonymous()


def unauthenticated() -> DomainError:
    """The 401 for a call that needs a user and has none (or a bad token)."""
    return DomainError("unauthenticated", _("请先登录或提供有效的访问令牌。"), status=401)


def require_user(request: HttpRequest) -> Any:
    """The signed-in user or a 401 ``unauthenticated``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise unauthenticated()
    return user

"""Account write actions: users, memberships and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.accounts.models import REGION_ROLES, VENUE_ROLES, ApiToken, Membership, Role, User
from tiyu.core import audit
from tiyu.core.errors import DomainError
from tiyu.regions.scope import forget_scope


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    phone: str | None = None,
    display_name: str = "",
    actor: Any = None,
    is_superuser: bool = False,
) -> User:
    """Create a user (a resident until memberships say otherwise)."""
    if User.objects.filter(username=username).exists():
        raise DomainError("username_taken", _("用户名已被使用。"), status=409)
    if phone and User.objects.filter(phone=phone).exists():
        raise DomainError("phone_taken", _("该手机号已注册。"), status=409)
    user = User(
        username=username,
        phone=phone or None,
        display_name=display_name,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    user.set_password(password)
    user.save()
    audit.log("user.created", actor, user, {"username": username})
    return user


@transaction.atomic
def membership_grant(
    *, user: User, role: Role | str, region: Any = None, venue: Any = None, actor: Any = None
) -> Membership:
    """Give ``user`` a role over a region or at a venue (never both)."""
    role = Role(role)
    if role in VENUE_ROLES and (venue is None or region is not None):
        raise DomainError("membership_needs_venue", _("场馆角色必须指定一个场馆。"))
    if role in REGION_ROLES and (region is None or venue is not None):
        raise DomainError("membership_needs_region", _("政府和协会角色必须指定一个区域。"))
    if role == Role.PLATFORM_ADMIN and (region is not None or venue is not None):
        raise DomainError("membership_admin_global", _("平台管理员不属于某个区域或场馆。"))
    membership, _created = Membership.objects.get_or_create(
        user=user, role=role, region=region, venue=venue
    )
    if role == Role.PLATFORM_ADMIN and not user.is_staff:
        user.is_staff = True  # platform admins use the Django admin
        user.save(update_fields=["is_staff"])
    audit.log("membership.granted", actor, membership, {"role": role.value})
    forget_scope(user)
    return membership


def login_check(request: HttpRequest | None, *, username: str, password: str) -> User:
    """Check credentials through django-axes (lockout) and the username-or-phone backend."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise DomainError("invalid_credentials", _("用户名或密码错误。"), status=401)
    return user


@transaction.atomic
def token_issue(*, user: User) -> tuple[str, ApiToken]:
    """A fresh bearer token; the raw value is returned once and only its hash is stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        digest=ApiToken.digest_of(raw),
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    audit.log("token.issued", user, token, {})
    return raw, token


def token_user(raw: str) -> User | None:
    """The active user behind a bearer token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user

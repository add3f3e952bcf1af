"""Log in by username or by phone number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from tiyu.accounts.models import User


class UsernameOrPhoneBackend(ModelBackend):
    """The ``username`` field of the login form may hold either."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or not password:
            return None
        user = User.objects.filter(Q(username=username) | Q(phone=username)).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

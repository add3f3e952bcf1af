"""One error type for every refused business action.

A service raises ``DomainError(code, message, status)``; the API and the pages
render it the same way: ``{"code": ..., "message": ..., "fields": {...}}`` with
the HTTP status it carries, the message translated into the request's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refused action: a machine-readable ``code`` and a translatable ``message``."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        status: int | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(code))
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.fields = fields or {}

    def as_dict(self) -> dict[str, Any]:
        """The wire shape shared by API responses and page error blocks."""
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {k: str(v) for k, v in self.fields.items()}
        return body


class NotFound(DomainError):
    """Absent and not-yours look the same (data-scope rule)."""

    status = 404

    def __init__(self, code: str = "not_found", message: str | Promise | None = None) -> None:
        super().__init__(code, message or _("未找到该对象。"))


class PermissionDenied(DomainError):
    """The user is known but may not do this."""

    status = 403

    def __init__(self, code: str = "forbidden", message: str | Promise | None = None) -> None:
        super().__init__(code, message or _("您没有执行此操作的权限。"))


class Conflict(DomainError):
    """The action collides with the current state (taken, duplicate, stale)."""

    status = 409


def validation_error(field: str, message: str | Promise, code: str = "invalid") -> DomainError:
    """A 400 naming the offending field."""
    return DomainError(code, message, status=400, fields={field: message})

"""What a locked-out login sees (django-axes)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """429 with the shared error shape, as JSON for the API and a page otherwise."""
    error = {
        "code": "login_locked",
        "message": _("登录失败次数过多，账户已被暂时锁定，请 15 分钟后再试。"),
    }
    if request.path.startswith("/api/"):
        return JsonResponse(error, status=429)
    return render(request, "error.html", {"error": error}, status=429)

"""Resident pages: thin views that call selectors and render."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class LoginView(auth_views.LoginView):
    """Username or phone + password; django-axes locks after repeated failures."""

    template_name = "portal/login.html"
    redirect_authenticated_user = True


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    error = {"code": "not_found", "message": _("页面不存在。")}
    return render(request, "error.html", {"error": error}, status=404)

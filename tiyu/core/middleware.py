"""Render a ``DomainError`` that escapes a page view as an error page with its status."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tiyu.core.errors import DomainError


class DomainErrorMiddleware:
    """Turns a service's refusal into a 4xx page (or JSON for htmx/JSON callers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, DomainError):
            return None
        if request.path.startswith("/api/") or "application/json" in request.headers.get(
            "Accept", ""
        ):
            return JsonResponse(exc.as_dict(), status=exc.status)
        return render(request, "error.html", {"error": exc.as_dict()}, status=exc.status)

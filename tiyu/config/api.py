"""The API at /api/v1/: one NinjaAPI that mounts each app's router.

A ``DomainError`` raised anywhere below renders as ``{"code", "message"}`` with
its status; a request that fails schema validation renders the same shape with
code ``invalid_request`` and a 422.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tiyu.accounts.api import router as accounts_router
from tiyu.accounts.api_auth import OptionalBearer, unauthenticated
from tiyu.booking.api import router as booking_router
from tiyu.booking.api_checkout import router as checkout_router
from tiyu.booking.api_desk import router as desk_router
from tiyu.core.errors import DomainError
from tiyu.devices.api import router as devices_router
from tiyu.environment.api import router as environment_router
from tiyu.lighting.api import router as lighting_router
from tiyu.notices.api import router as notices_router
from tiyu.payments.api import router as wallet_router
from tiyu.regions.api import router as regions_router
from tiyu.traffic.api import router as traffic_router
from tiyu.venues.api import router as venues_router

api = NinjaAPI(
    title="Tiyu API",
    version="1.0.0",
    urls_namespace="api",
    description="Tiyu: open platform for public sports venues. Errors: {code, message}.",
    auth=OptionalBearer(),
)
api.add_router("/auth", accounts_router)
api.add_router("/regions", regions_router)
api.add_router("/venues", venues_router)
api.add_router("/notices", notices_router)
api.add_router("/payments", checkout_router)
api.add_router("/wallet", wallet_router)
api.add_router("/desk", desk_router)
api.add_router("/devices", devices_router)
api.add_router("/traffic", traffic_router)
api.add_router("/environment", environment_router)
api.add_router("/lighting", lighting_router)
api.add_router("", booking_router)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields[".".join(loc) or "request"] = str(err.get("msg", ""))
    body = {"code": "invalid_request", "message": _("请求参数不正确。"), "fields": fields}
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    error = unauthenticated()
    return api.create_response(request, error.as_dict(), status=error.status)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    body = {"code": "http_error", "message": str(exc)}
    return api.create_response(request, body, status=exc.status_code)

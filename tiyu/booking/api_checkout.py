"""``/api/v1/payments/{gateway}/notify``: where WeChat Pay, Alipay (and the sandbox) call back.

No authentication: the notification's own signature is the credential. The
answer is whatever the gateway expects (``success`` for Alipay, JSON for WeChat
Pay); a refused notification gets a 4xx with ``{code, message}``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from tiyu.booking.checkout import gateway_notify

router = Router(tags=["payments"])


@router.post(
    "/{gateway}/notify",
    auth=None,
    response={200: str, 400: dict, 404: dict},
    summary="Gateway payment notification (called by WeChat Pay / Alipay)",
    include_in_schema=True,
)
def notify(request: HttpRequest, gateway: str) -> HttpResponse:
    """Verify the signature (5-minute window, de-duplicated) and settle the payment."""
    answer = gateway_notify(gateway, dict(request.headers), request.body)
    return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)

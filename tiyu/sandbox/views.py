"""The cashier of the local sandbox gateway: 本地沙箱支付（演示，非真实支付）.

It plays Alipay's cashier: the payer's browser arrives with the order our app
signed (the ordinary Alipay page-pay request), the page checks that signature
and shows what is being paid. "Pay" has the sandbox gateway sign a payment
notification and hands it, in-process, to the same notify handler the HTTP
endpoint uses; then the payer goes back to the return address. "Cancel" just
goes back. No real money moves.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from tiyu.booking.checkout import gateway_notify
from tiyu.payments.gateways import gateways_enabled
from tiyu.payments.gateways.sandbox import LABEL, NAME, sandbox_side
from tiyu.payments.selectors import payment_by_trade_no


def _back(request: HttpRequest, url: str) -> HttpResponse:
    """Back to the shop's return address, if it is on this site."""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(url if url and safe else "/")


@require_http_methods(["GET", "POST"])
def cashier(request: HttpRequest, out_trade_no: str) -> HttpResponse:
    """Show the signed order; on POST pay (signed notification) or cancel."""
    if NAME not in gateways_enabled():
        raise Http404
    # The signed order travels in the query string, on GET and on the form's POST.
    order = sandbox_side().read_order(request.GET.dict())  # 400 if not signed by our app
    if order.out_trade_no != out_trade_no:
        raise Http404
    payment = payment_by_trade_no(out_trade_no)
    error = None
    if request.method == "POST":
        if request.POST.get("action") != "pay":
            return _back(request, order.return_url)
        headers, body = sandbox_side().notice(order)
        answer = gateway_notify(NAME, headers, body)
        if answer.status == 200:
            return _back(request, order.return_url)
        error = answer.body.decode("utf-8", errors="replace")
    return render(
        request,
        "sandbox/cashier.html",
        {
            "label": LABEL,
            "order": order,
            "payment": payment,
            "amount_yuan": f"{order.amount_fen / 100:.2f}",
            "error": error,
        },
        status=502 if error else 200,
    )

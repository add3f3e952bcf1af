"""Resident pages of the stored-value card (一卡通): balance, history, top-up."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from tiyu.core.errors import DomainError
from tiyu.payments.gateways import gateways_enabled
from tiyu.payments.gateways.sandbox import LABEL as SANDBOX_LABEL
from tiyu.payments.models import Method
from tiyu.payments.selectors import payment_of_user
from tiyu.payments.services import topup_start
from tiyu.wallet.kinds import kind_label
from tiyu.wallet.selectors import wallet_balance, wallet_history

AMOUNT_CHOICES_YUAN = (50, 100, 200, 500)
RECENT = 5
PER_PAGE = 20


def yuan(fen: int, *, signed: bool = False) -> str:
    """1050 -> '10.50' (or '+10.50' with ``signed``)."""
    text = f"{abs(fen) / 100:.2f}"
    if signed:
        return ("+" if fen > 0 else "-") + text
    return ("-" if fen < 0 else "") + text


@dataclass(frozen=True)
class Row:
    """One history line as shown."""

    at: datetime
    kind: str
    label: str
    reference: str
    amount: str
    credit: bool


def _rows(entries: Any) -> list[Row]:
    return [
        Row(
            at=e.transaction.created_at,
            kind=e.transaction.kind,
            label=kind_label(e.transaction.kind),
            reference=e.transaction.reference,
            amount=yuan(e.amount_fen, signed=True),
            credit=e.amount_fen > 0,
        )
        for e in entries
    ]


def _method_choices() -> list[tuple[str, Any]]:
    """Enabled gateways, the sandbox named for what it is."""
    return [
        (name, SANDBOX_LABEL if name == Method.SANDBOX else Method(name).label)
        for name in gateways_enabled()
    ]


class TopupForm(forms.Form):
    """An amount (a preset or a custom number of yuan) and a gateway."""

    amount = forms.ChoiceField(
        label=_("充值金额"),
        choices=[(str(a), f"¥{a}") for a in AMOUNT_CHOICES_YUAN] + [("custom", _("其他金额"))],
        widget=forms.RadioSelect,
        initial="100",
    )
    custom_yuan = forms.IntegerField(
        label=_("其他金额（元）"), required=False, min_value=1, max_value=5000
    )
    method = forms.ChoiceField(label=_("支付方式"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _method_choices()
        method = self.fields["method"]
        assert isinstance(method, forms.ChoiceField)
        method.choices = choices
        if choices:
            method.initial = choices[0][0]

    def amount_fen(self) -> int:
        """The chosen amount in fen (after ``is_valid``)."""
        if self.cleaned_data["amount"] == "custom":
            return int(self.cleaned_data["custom_yuan"]) * 100
        return int(self.cleaned_data["amount"]) * 100

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("amount") == "custom" and not data.get("custom_yuan"):
            self.add_error("custom_yuan", _("请输入充值金额（1–5000 元）。"))
        return data


@login_required
@require_GET
def wallet_home(request: HttpRequest) -> HttpResponse:
    """Balance, the latest movements and the way to top up."""
    user = request.user
    return render(
        request,
        "portal/wallet/home.html",
        {
            "balance": yuan(wallet_balance(user)),
            "rows": _rows(wallet_history(user)[:RECENT]),
        },
    )


@login_required
@require_GET
def wallet_history_page(request: HttpRequest) -> HttpResponse:
    """Every movement, newest first, 20 a page."""
    page = Paginator(wallet_history(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/wallet/history.html",
        {
            "page": page,
            "rows": _rows(page.object_list),
            "balance": yuan(wallet_balance(request.user)),
        },
    )


def _result_url() -> str:
    # the payment's number is filled in by the service once it exists
    return reverse("portal:wallet_topup_result", args=["NUMBER"]).replace(
        "NUMBER", "{out_trade_no}"
    )


@login_required
@require_http_methods(["GET", "POST"])
def wallet_topup(request: HttpRequest) -> HttpResponse:
    """Choose an amount and a gateway; go to the gateway (or show its QR code)."""
    form = TopupForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            payment, pay = topup_start(
                user=request.user,
                amount_fen=form.amount_fen(),
                method=form.cleaned_data["method"],
                return_url=_result_url(),
            )
        except DomainError as exc:
            error = exc.as_dict()
        else:
            if pay.redirect_url:
                return redirect(pay.redirect_url)
            qr = io.BytesIO()
            segno.make(pay.code_url, error="m").save(qr, kind="svg", scale=5, xmldecl=False)
            return render(
                request,
                "portal/wallet/topup_qr.html",
                {
                    "payment": payment,
                    "amount": yuan(payment.amount_fen),
                    "qr_svg": qr.getvalue().decode(),
                },
            )
    return render(
        request,
        "portal/wallet/topup.html",
        {"form": form, "error": error, "balance": yuan(wallet_balance(request.user))},
        status=400 if error or form.errors else 200,
    )


@login_required
@require_GET
def wallet_topup_result(request: HttpRequest, out_trade_no: str) -> HttpResponse:
    """Where the gateway sends the payer back: paid, or still waiting for the notice."""
    payment = payment_of_user(request.user, out_trade_no)
    return render(
        request,
        "portal/wallet/topup_result.html",
        {
            "payment": payment,
            "amount": yuan(payment.amount_fen),
            "balance": yuan(wallet_balance(request.user)),
        },
    )

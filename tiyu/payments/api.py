"""``/api/v1/wallet``: the resident's stored-value card (一卡通): balance, history, top-up."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from tiyu.accounts.api_auth import require_user
from tiyu.core.idempotency import run_idempotent
from tiyu.payments.schemas import PayRequestOut, TopupIn, TopupOut, WalletEntryOut, WalletOut
from tiyu.payments.services import topup_start
from tiyu.wallet.kinds import kind_label
from tiyu.wallet.selectors import wallet_balance, wallet_history

router = Router(tags=["wallet"])
ERRORS = {400: dict, 401: dict, 404: dict, 409: dict, 422: dict}
RECENT = 20


def safe_return(url: str) -> str:
    """Only a path on this site may be a return address."""
    return url if url.startswith("/") and not url.startswith("//") else ""


@router.get(
    "", response={200: WalletOut, 401: dict}, summary="My stored-value balance and recent history"
)
def wallet(request: HttpRequest) -> WalletOut:
    user = require_user(request)
    entries = wallet_history(user)[:RECENT]
    return WalletOut(
        balance_fen=wallet_balance(user),
        history=[
            WalletEntryOut(
                id=e.pk,
                at=e.transaction.created_at,
                kind=e.transaction.kind,
                kind_label=kind_label(e.transaction.kind),
                reference=e.transaction.reference,
                amount_fen=e.amount_fen,
            )
            for e in entries
        ],
    )


@router.post(
    "/topups",
    response={201: TopupOut, 502: dict, **ERRORS},
    summary="Start a top-up through a payment gateway (Idempotency-Key honoured)",
)
def topup(request: HttpRequest, payload: TopupIn) -> tuple[int, dict]:
    """Credited when the gateway's signed notification arrives; a retry with the same
    ``Idempotency-Key`` returns the first answer and starts nothing."""
    user = require_user(request)

    def action() -> tuple[int, dict]:
        payment, req = topup_start(
            user=user,
            amount_fen=payload.amount_fen,
            method=payload.method,
            return_url=safe_return(payload.return_url),
        )
        body = TopupOut(
            out_trade_no=payment.out_trade_no,
            reference=payment.reference,
            amount_fen=payment.amount_fen,
            status=payment.status,
            pay_request=PayRequestOut(
                method=req.method,
                out_trade_no=req.out_trade_no,
                redirect_url=req.redirect_url or None,
                code_url=req.code_url or None,
            ),
        )
        return 201, body.model_dump(mode="json")

    return run_idempotent(
        key=request.headers.get("Idempotency-Key"),
        scope="wallet.topup",
        user=user,
        payload=payload.dict(),
        action=action,
    )

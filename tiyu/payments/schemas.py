"""Wire shapes of the wallet API."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class WalletEntryOut(Schema):
    """One movement of the stored-value card."""

    id: int
    at: datetime
    kind: str
    kind_label: str
    reference: str
    amount_fen: int


class WalletOut(Schema):
    """Balance and the most recent movements, newest first."""

    balance_fen: int
    history: list[WalletEntryOut]


class TopupIn(Schema):
    """A gateway top-up: 1 to 5,000 yuan, by an enabled gateway method."""

    amount_fen: int = Field(..., ge=1, le=10_000_000)
    method: str = Field("sandbox", max_length=16)
    return_url: str = Field("", max_length=500)


class PayRequestOut(Schema):
    """Where the payer goes (``redirect_url``) or what they scan (``code_url``)."""

    method: str
    out_trade_no: str
    redirect_url: str | None = None
    code_url: str | None = None


class TopupOut(Schema):
    """The pending top-up payment and how to pay it."""

    out_trade_no: str
    reference: str
    amount_fen: int
    status: str
    pay_request: PayRequestOut

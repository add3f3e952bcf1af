"""API shapes for accounts."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150, description="username or phone")
    password: str = Field(min_length=1, max_length=128)


class TokenOut(Schema):
    token: str
    expires_at: datetime


class MembershipOut(Schema):
    role: str
    region_code: str | None
    venue_id: int | None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    phone_masked: str
    memberships: list[MembershipOut]

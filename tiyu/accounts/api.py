"""``/api/v1/auth``: get a bearer token, see who you are."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from tiyu.accounts.api_auth import require_user
from tiyu.accounts.schemas import MembershipOut, MeOut, TokenIn, TokenOut
from tiyu.accounts.services import login_check, token_issue

router = Router(tags=["auth"])


@router.post(
    "/token",
    response={200: TokenOut, 401: dict, 429: dict},
    auth=None,
    summary="Get a bearer token",
)
def create_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Exchange a username (or phone) and password for a bearer token."""
    user = login_check(request, username=payload.username, password=payload.password)
    raw, token = token_issue(user=user)
    return TokenOut(token=raw, expires_at=token.expires_at)


@router.get("/me", response={200: MeOut, 401: dict}, summary="The signed-in user")
def me(request: HttpRequest) -> MeOut:
    """Who the token or session belongs to, with their memberships."""
    user = require_user(request)
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=user.display_name,
        phone_masked=user.masked_phone,
        memberships=[
            MembershipOut(role=m.role, region_code=m.region_id, venue_id=m.venue_id)
            for m in user.memberships.all()
        ],
    )

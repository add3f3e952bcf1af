"""``/api/v1/notices``: the signed-in user's inbox (list, unread count, mark read)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from tiyu.accounts.api_auth import require_user
from tiyu.notices.kinds import kind_label
from tiyu.notices.models import Notice
from tiyu.notices.schemas import MarkedAll, NoticeList, NoticeOut, UnreadCount
from tiyu.notices.selectors import inbox_for, unread_count
from tiyu.notices.services import notice_mark_read, notices_mark_all_read

router = Router(tags=["notices"])
ERRORS = {401: dict, 404: dict, 422: dict}


def notice_out(n: Notice) -> NoticeOut:
    """The wire shape of one notice."""
    return NoticeOut(
        id=n.pk,
        kind=n.kind,
        kind_label=kind_label(n.kind),
        title=n.title,
        body=n.body,
        link=n.link,
        created_at=n.created_at,
        read=n.read_at is not None,
        read_at=n.read_at,
    )


@router.get("", response={200: NoticeList, **ERRORS}, summary="My inbox, newest first")
def inbox(
    request: HttpRequest,
    unread_only: bool = False,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
) -> NoticeList:
    """Paged with ``limit``/``offset``; ``count`` is the total of the filtered list."""
    user = require_user(request)
    qs = inbox_for(user, unread_only=unread_only)
    return NoticeList(
        count=qs.count(),
        unread=unread_count(user),
        results=[notice_out(n) for n in qs[offset : offset + limit]],
    )


@router.get("/unread-count", response={200: UnreadCount, **ERRORS}, summary="Unread notices")
def unread(request: HttpRequest) -> UnreadCount:
    return UnreadCount(unread=unread_count(require_user(request)))


@router.post("/read-all", response={200: MarkedAll, **ERRORS}, summary="Mark all read")
def read_all(request: HttpRequest) -> MarkedAll:
    """Idempotent: a repeat marks nothing more."""
    user = require_user(request)
    return MarkedAll(marked=notices_mark_all_read(user=user), unread=unread_count(user))


@router.post("/{notice_id}/read", response={200: NoticeOut, **ERRORS}, summary="Mark one read")
def read_one(request: HttpRequest, notice_id: int) -> NoticeOut:
    """Another user's notice is a 404, the same as a missing one, and stays unread."""
    return notice_out(notice_mark_read(user=require_user(request), notice_id=notice_id))

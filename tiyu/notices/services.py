"""Writes of the inbox: send a notice, mark read.

The one rule callers must know: call :func:`notify` inside the transaction of
the action it reports (a booking, a refund). The inbox row commits or rolls back
with that action, and the outside channels (SMS, WeChat) are only asked after
the commit, by a huey job, so a rolled-back booking sends nothing and a slow
provider never slows the booking.

Inbox reads are personal state (like a mail client's unread flag), not
business state, so they are not written to the audit log; the ``Notice`` row
itself, with its ``created_at``, is the record that a message was sent.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import NotFound
from tiyu.notices.models import Notice

logger = logging.getLogger("tiyu.notices")

TITLE_MAX = Notice._meta.get_field("title").max_length or 100
KIND_MAX = Notice._meta.get_field("kind").max_length or 32
LINK_MAX = Notice._meta.get_field("link").max_length or 200
DEDUPE_MAX = Notice._meta.get_field("dedupe_key").max_length or 80


# --- The recipient's language -------------------------------------------------


def recipient_language(user: Any) -> str:
    """The language messages to ``user`` are written in: always the site default (zh-hans).

    Users have no language field, and a message is often built where there is no
    request (a reminder job), so every message is rendered in ``LANGUAGE_CODE``.
    When users get a language preference, this is the one place to read it.
    """
    return str(settings.LANGUAGE_CODE)


def in_recipient_language(user: Any) -> AbstractContextManager[None]:
    """``with in_recipient_language(user):`` renders translations for that user."""
    return translation.override(recipient_language(user))


def render_message(
    user: Any, title: str | Promise, body: str | Promise = "", **values: Any
) -> tuple[str, str]:
    """Title and body in the recipient's language, with ``%(name)s`` placeholders filled.

    Pass lazy strings (``gettext_lazy``) so that they are translated here, not in
    the language of whoever triggered the message::

        title, body = render_message(
            user, _("预订成功：%(venue)s"), _("%(when)s 开始，请准时入场。"),
            venue=venue.name, when=start,
        )
        notify(user=user, kind=Kind.BOOKING_CONFIRMED, title=title, body=body, link=url)
    """
    with in_recipient_language(user):
        text_title, text_body = str(title), str(body)
    if values:
        return text_title % values, text_body % values
    return text_title, text_body


# --- Sending ----------------------------------------------------------------------


def _check(kind: str, link: str, dedupe_key: str | None) -> None:
    """Caller mistakes are programming errors, not user input: fail loudly."""
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"notice kind must be 1..{KIND_MAX} characters")
    # Only links inside the site: the inbox renders them as hrefs and redirects to them.
    if link and (not link.startswith("/") or link.startswith("//") or len(link) > LINK_MAX):
        raise ValueError("notice link must be a site path like /bookings/12/")
    if dedupe_key is not None and not 0 < len(dedupe_key) <= DEDUPE_MAX:
        raise ValueError(f"dedupe_key must be 1..{DEDUPE_MAX} characters")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _schedule_delivery(notice_id: int) -> None:
    """Enqueue the outside-channel job (imported late: the task module loads huey)."""
    from tiyu.notices.tasks import deliver_notice

    deliver_notice(notice_id)


def notify(
    *,
    user: Any,
    kind: str,
    title: str,
    body: str,
    link: str = "",
    dedupe_key: str | None = None,
) -> Notice | None:
    """Put a message in ``user``'s inbox and send it through the channels after commit.

    ``title`` and ``body`` are already in the recipient's language (see
    :func:`render_message`); ``link`` is a site path (the booking). With a
    ``dedupe_key`` (unique across all notices, e.g. ``f"reminder:{slot_id}"``) a
    repeat does nothing and returns ``None``, also when two jobs race: the unique
    constraint decides, inside a savepoint so the caller's transaction goes on.
    """
    _check(kind, link, dedupe_key)
    fields = {
        "user": user,
        "kind": kind,
        "title": _shorten(str(title), TITLE_MAX),
        "body": str(body),
        "link": link,
    }
    if dedupe_key is None:
        # Nothing can collide: no savepoint, one INSERT in the caller's transaction.
        notice = Notice.objects.create(**fields)
    else:
        if Notice.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        try:
            with transaction.atomic():
                notice = Notice.objects.create(**fields, dedupe_key=dedupe_key)
        except IntegrityError:
            return None  # the other writer won; it schedules the delivery
    # robust: a queue that cannot be reached is logged, never raised into the caller.
    transaction.on_commit(lambda: _schedule_delivery(notice.pk), robust=True)
    return notice


# --- Reading ----------------------------------------------------------------------


@transaction.atomic
def notice_mark_read(*, user: Any, notice_id: int) -> Notice:
    """Mark one of ``user``'s notices read (idempotent); another user's id is a 404."""
    notice = Notice.objects.select_for_update().filter(pk=notice_id, user_id=user.pk).first()
    if notice is None:
        raise NotFound("notice_not_found", _("未找到该消息。"))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


@transaction.atomic
def notices_mark_all_read(*, user: Any) -> int:
    """Mark every unread notice of ``user`` read; returns how many changed."""
    return Notice.objects.filter(user_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )

"""API shapes of the inbox."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool
    read_at: datetime | None


class NoticeList(Schema):
    count: int
    unread: int
    results: list[NoticeOut]


class UnreadCount(Schema):
    unread: int


class MarkedAll(Schema):
    marked: int
    unread: int

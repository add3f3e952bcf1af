"""The inbox link with its unread badge, for the top navigation bar."""

from __future__ import annotations

from typing import Any

from django import template

from tiyu.notices.selectors import unread_count

register = template.Library()


@register.inclusion_tag("portal/inbox/_nav_badge.html", takes_context=True)
def inbox_badge(context: template.Context) -> dict[str, Any]:
    """The bell and unread count: one COUNT query, and none for anonymous visitors."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    count = unread_count(user)
    return {"show": True, "count": count, "label": "99+" if count > 99 else str(count)}

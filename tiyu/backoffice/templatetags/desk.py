"""Template helpers of the front desk."""

from __future__ import annotations

from typing import Any

from django import template

from tiyu.booking.desk import can_work_desk

register = template.Library()


@register.filter
def works_desk(user: Any, venue_id: int) -> bool:
    """Whether ``user`` works the venue's front desk (staff, managers, admins).

    Reads the user's cached data scope, so it costs no query on a back-office page.
    """
    return can_work_desk(user, venue_id)

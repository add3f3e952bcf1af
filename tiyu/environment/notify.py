"""Inbox messages about environment alerts: to the venue's managers when one opens,
to the district's officials when one is escalated.

Written in the recipient's language (the site default, see tiyu.notices); outside
channels send after commit. One message per alert and person (dedupe keys).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.accounts.models import Membership, Role
from tiyu.environment.readings import DECIMALS, label_of, unit_of
from tiyu.notices.services import in_recipient_language, notify

if TYPE_CHECKING:
    from tiyu.environment.models import Alert
    from tiyu.venues.models import Venue

KIND = "environment_alert"


def venue_page(venue_id: int) -> str:
    """The back-office environment page of a venue (a site path)."""
    return f"/manage/venues/{venue_id}/environment/"


def _value(alert: Alert) -> str:
    return f"{alert.first_value:.{DECIMALS.get(alert.metric, 2)}f} {unit_of(alert.metric)}"


def _send(
    alert: Alert, venue_name: str, users: list, title: object, body: object, tag: str
) -> None:
    for user in users:
        with in_recipient_language(user):
            values = {
                "venue": venue_name,
                "metric": label_of(alert.metric),
                "value": _value(alert),
                "at": f"{timezone.localtime(alert.first_at):%m-%d %H:%M}",
            }
            notify(
                user=user,
                kind=KIND,
                title=str(title) % values,
                body=str(body) % values,
                link=venue_page(alert.venue_id),
                dedupe_key=f"env:{tag}:{alert.pk}:{user.pk}",
            )


def alert_opened(alert: Alert, venue: Venue) -> None:
    """Tell the venue's managers that a sensor went out of range."""
    managers = [
        m.user
        for m in Membership.objects.select_related("user").filter(
            venue_id=alert.venue_id, role=Role.VENUE_MANAGER, user__is_active=True
        )
    ]
    _send(
        alert,
        venue.name,
        managers,
        _("环境告警：%(venue)s %(metric)s 超限"),
        _("%(at)s 读数 %(value)s，超出阈值。请确认并处理。"),
        "open",
    )


def alert_escalated(alert: Alert) -> None:
    """Tell the officials of the venue's district that nobody acknowledged an alert in time."""
    officials = [
        m.user
        for m in Membership.objects.select_related("user").filter(
            region_id=alert.venue.region_id, role=Role.DISTRICT_OFFICIAL, user__is_active=True
        )
    ]
    _send(
        alert,
        alert.venue.name,
        officials,
        _("告警未确认：%(venue)s %(metric)s"),
        _("%(at)s 起读数 %(value)s 超限，场馆未在规定时间内确认。"),
        "escalated",
    )

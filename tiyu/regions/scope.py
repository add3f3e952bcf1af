"""Data scope: the one place that decides which rows a user may see or change.

Every selector that shows scoped data passes its queryset through
:func:`restrict`. The rule is closed by default: an anonymous user, a user with no
membership, or a model that does not declare how it relates to regions and venues
gets nothing. "Absent" and "not yours" are the same :class:`NotFound`.

A model opts in by declaring the lookups that lead to its region code and venue::

    class Court(models.Model):
        scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

A membership gives a user either a region (officials, association staff: every
row whose region code starts with the region's prefix) or a venue (staff and
managers). With ``manage=True`` only memberships that may change data count
(venue managers); platform admins see and change everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from tiyu.core.errors import NotFound
from tiyu.regions.models import prefix_of

M = TypeVar("M", bound=Model)
_CACHE_ATTR = "_tiyu_scope"


@dataclass(frozen=True)
class Scope:
    """What one user may reach: everything, some region prefixes, some venues."""

    everything: bool = False  # platform admins only: see and change all
    region_prefixes: tuple[str, ...] = ()
    venue_ids: frozenset[int] = frozenset()
    managed_venue_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.region_prefixes or self.venue_ids)


NOTHING = Scope()


def scope_for(user: Any) -> Scope:
    """The user's scope from their memberships, computed once per user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if getattr(user, "is_platform_admin", False):
        scope = Scope(everything=True)
    else:
        prefixes: set[str] = set()
        venues: set[int] = set()
        managed: set[int] = set()
        for m in user.memberships.select_related("region").all():
            if m.region_id is not None:
                prefixes.add(prefix_of(m.region.code, m.region.level))
            if m.venue_id is not None:
                venues.add(m.venue_id)
                if m.can_manage:
                    managed.add(m.venue_id)
        scope = Scope(
            region_prefixes=tuple(sorted(prefixes)),
            venue_ids=frozenset(venues),
            managed_venue_ids=frozenset(managed),
        )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: Any) -> None:
    """Drop the cached scope after memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def restrict(queryset: QuerySet[M], user: Any, *, manage: bool = False) -> QuerySet[M]:
    """The rows of ``queryset`` that ``user`` may see (or, with ``manage``, change)."""
    fields: dict[str, str] | None = getattr(queryset.model, "scope_fields", None)
    scope = scope_for(user)
    if not fields or scope.is_empty:
        return queryset.none()
    if scope.everything:
        return queryset
    condition = Q(pk__in=[])
    if not manage:
        region_lookup = fields.get("region")
        if region_lookup:
            for prefix in scope.region_prefixes:
                condition |= Q(**{f"{region_lookup}__startswith": prefix})
    venue_ids = scope.managed_venue_ids if manage else scope.venue_ids
    venue_lookup = fields.get("venue")
    if venue_lookup and venue_ids:
        condition |= Q(**{f"{venue_lookup}__in": sorted(venue_ids)})
    return queryset.filter(condition)


def get_scoped(queryset: QuerySet[M], user: Any, *, manage: bool = False, **lookup: Any) -> M:
    """One row the user may reach, or :class:`NotFound` whether it is absent or not theirs."""
    obj = restrict(queryset, user, manage=manage).filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj


def region_in_scope(user: Any, code: str) -> bool:
    """Whether a region code lies inside the user's region scope."""
    scope = scope_for(user)
    return scope.everything or any(code.startswith(p) for p in scope.region_prefixes)

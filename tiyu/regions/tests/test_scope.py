"""The data scope: who sees which venues; closed by default."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tiyu.core.errors import NotFound
from tiyu.core.models import AuditEntry
from tiyu.regions.models import Region
from tiyu.regions.scope import get_scoped, restrict
from tiyu.venues.models import Court, Venue

pytestmark = pytest.mark.django_db

ALL = {"武侯羽毛球馆", "锦江游泳馆", "自贡健身路径", "沙坪坝体育馆"}
EXPECTED = {
    "resident": set(),
    "staff": {"武侯羽毛球馆"},
    "manager": {"武侯羽毛球馆"},
    "wuhou_official": {"武侯羽毛球馆"},
    "chengdu_official": {"武侯羽毛球馆", "锦江游泳馆"},
    "sichuan_official": {"武侯羽毛球馆", "锦江游泳馆", "自贡健身路径"},
    "chongqing_official": {"沙坪坝体育馆"},
    "national_official": ALL,
    "association": {"武侯羽毛球馆", "锦江游泳馆", "自贡健身路径"},
    "admin": ALL,
}
MANAGE = {"manager": {"武侯羽毛球馆"}, "admin": ALL}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_sees_exactly_their_venues(world, persona):
    user = getattr(world, persona)
    seen = set(restrict(Venue.objects.all(), user).values_list("name", flat=True))
    assert seen == EXPECTED[persona]
    managed = set(restrict(Venue.objects.all(), user, manage=True).values_list("name", flat=True))
    assert managed == MANAGE.get(persona, set())


def test_scope_follows_relations_to_courts(world):
    from tiyu.venues.services import court_save

    court_save(actor=world.admin, venue_id=world.wuhou_hall.pk, name="1号场", sport_codes=[])
    court_save(actor=world.admin, venue_id=world.shapingba_gym.pk, name="A场", sport_codes=[])
    seen = restrict(Court.objects.all(), world.chengdu_official)
    assert [c.venue.name for c in seen] == ["武侯羽毛球馆"]


def test_closed_by_default(world):
    assert not restrict(Venue.objects.all(), AnonymousUser()).exists()
    assert not restrict(Venue.objects.all(), None).exists()
    # A model that declares no scope shows nothing, even to a platform admin.
    assert not restrict(Region.objects.all(), world.admin).exists()
    world.manager.is_active = False
    assert not restrict(Venue.objects.all(), world.manager).exists()


def test_absent_and_not_yours_are_the_same_404(world):
    with pytest.raises(NotFound) as not_yours:
        get_scoped(Venue.objects.all(), world.wuhou_official, pk=world.shapingba_gym.pk)
    with pytest.raises(NotFound) as absent:
        get_scoped(Venue.objects.all(), world.wuhou_official, pk=999_999)
    assert not_yours.value.as_dict() == absent.value.as_dict()


def test_official_cannot_change_a_venue_even_in_region(world):
    from tiyu.venues.services import VenueData, venue_update

    before = Venue.objects.get(pk=world.wuhou_hall.pk)
    audits = AuditEntry.objects.count()
    data = VenueData(
        name="改名",
        kind="gymnasium",
        region_code="510107",
        address="x",
        lat=before.lat,
        lng=before.lng,
    )
    with pytest.raises(NotFound):
        venue_update(actor=world.wuhou_official, venue_id=before.pk, data=data)
    assert Venue.objects.get(pk=before.pk).name == before.name
    assert AuditEntry.objects.count() == audits

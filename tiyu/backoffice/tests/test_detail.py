"""The venue page shows everything the registry holds, read-only for officials."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tiyu.backoffice.tests.conftest import png_bytes
from tiyu.venues import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def furnished_hall(world, settings, tmp_path):
    """The Wuhou hall with courts, hours, a closure, a price, a photo and a document."""
    settings.MEDIA_ROOT = tmp_path / "media"
    hall, actor = world.wuhou_hall, world.manager
    whole = services.court_save(actor=actor, venue_id=hall.pk, name="整馆", sport_codes=[])
    for n in range(1, 5):
        services.court_save(
            actor=actor,
            venue_id=hall.pk,
            name=f"{n}号场",
            parent_id=whole.pk,
            sport_codes=["badminton"],
        )
    services.opening_hours_set(
        actor=actor,
        venue_id=hall.pk,
        periods=[(0, time(9), time(12)), (0, time(14), time(21, 30))],
    )
    start = timezone.localdate() + timedelta(days=3)
    services.closure_add(
        actor=actor, venue_id=hall.pk, starts_on=start, ends_on=start, reason="全运会预赛"
    )
    services.market_price_set(actor=actor, venue_id=hall.pk, sport_code="badminton", price_fen=4500)
    photo = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    services.photo_add(
        actor=actor, venue_id=hall.pk, upload=photo, size=photo.size, caption="正门外景"
    )
    doc = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    services.document_add(
        actor=actor,
        venue_id=hall.pk,
        kind="acceptance",
        title="竣工验收报告",
        upload=doc,
        size=doc.size,
    )
    return hall


def test_official_reads_the_whole_registry(furnished_hall, as_persona):
    body = as_persona("wuhou_official").get(f"/manage/venues/{furnished_hall.pk}/")
    text = body.content.decode()
    assert body.status_code == 200
    for expected in (
        "整馆",
        "整馆 › </span>4号场",
        "09:00–12:00",
        "14:00–21:30",
        "全运会预赛",
        "¥45.00",
        "正门外景",
        "竣工验收报告",
        "验收报告",
        "羽毛球",
    ):
        assert expected in text, expected
    assert "/manage/venues/" + str(furnished_hall.pk) + "/edit/" not in text


def test_venue_page_query_count_does_not_grow_with_rows(
    furnished_hall, as_persona, django_assert_max_num_queries
):
    client = as_persona("chengdu_official")
    with django_assert_max_num_queries(16):
        assert client.get(f"/manage/venues/{furnished_hall.pk}/").status_code == 200

"""Front-desk pages: who reaches them, walk-ins on the sheet, check-in, series, policy."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tiyu.booking.desk import walk_in_book
from tiyu.booking.models import (
    Block,
    Booking,
    BookingPolicy,
    BookingStatus,
    Concession,
    Series,
    SlotStatus,
    VenueMember,
)
from tiyu.booking.services import SlotChoice
from tiyu.payments.models import Payment

pytestmark = pytest.mark.django_db

PAGES = [
    "desk",
    "desk_checkin",
    "desk_walkin",
    "desk_blocks",
    "desk_series",
    "desk_policy",
    "desk_members",
]


@pytest.fixture
def other_staff(world):
    """Staff of another venue (the Jinjiang pool)."""
    from tiyu.accounts.models import Role
    from tiyu.accounts.services import membership_grant, user_create

    user = user_create(username="pool_staff", password="x-2026-pool", display_name="pool")
    membership_grant(user=user, role=Role.VENUE_STAFF, venue=world.jinjiang_pool)
    return user


def url(name, arena, *args):
    return reverse(f"backoffice:{name}", args=[arena.venue.pk, *args])


def day_after(days=1):
    return timezone.localdate() + timedelta(days=days)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def walk_in(arena, court, day, hour, *, count=1, name="张三", phone=""):
    step = timedelta(minutes=court.slot_minutes)
    return walk_in_book(
        actor=arena.world.staff,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(court.pk, at(day, hour) + step * i) for i in range(count)],
        method="cash",
        customer_name=name,
        customer_phone=phone,
    )


@pytest.mark.parametrize("page", PAGES)
def test_staff_manager_and_admin_reach_every_desk_page(arena, client, page):
    for who in (arena.world.staff, arena.world.manager, arena.world.admin):
        client.force_login(who)
        response = client.get(url(page, arena))
        assert response.status_code == 200, (who, page)
        assert "前台" in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_officials_residents_and_other_staff_get_404(arena, client, other_staff, page):
    for who in (arena.world.wuhou_official, arena.world.resident, other_staff):
        client.force_login(who)
        assert client.get(url(page, arena)).status_code == 404, (who, page)


def test_anonymous_is_sent_to_sign_in(arena, client):
    response = client.get(url("desk", arena))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_denied_writes_change_nothing(arena, client, other_staff):
    day = day_after()
    before = (Booking.objects.count(), Block.objects.count(), Series.objects.count())
    for who in (arena.world.wuhou_official, arena.world.resident, other_staff):
        client.force_login(who)
        walk = {
            "court_id": arena.court3.pk,
            "day": day.isoformat(),
            "start": "10:00",
            "count": 1,
            "method": "cash",
        }
        assert client.post(url("desk_walkin", arena), walk).status_code == 404
        block = {
            "court_id": arena.court3.pk,
            "starts_at": f"{day}T12:00",
            "ends_at": f"{day}T13:00",
            "kind": "maintenance",
        }
        assert client.post(url("desk_blocks", arena), block).status_code == 404
        assert client.post(url("desk_checkin", arena), {"code": "X"}).status_code == 404
    assert (Booking.objects.count(), Block.objects.count(), Series.objects.count()) == before


def test_walk_in_cash_booking_appears_on_the_sheet(arena, client):
    client.force_login(arena.world.staff)
    day = day_after(2)
    form = client.get(
        url("desk_walkin", arena), {"court": arena.court3.pk, "day": day, "start": "10:00"}
    ).content.decode()
    assert 'value="10:00"' in form and f'value="{day.isoformat()}"' in form
    response = client.post(
        url("desk_walkin", arena),
        {
            "court_id": arena.court3.pk,
            "day": day.isoformat(),
            "start": "10:00",
            "count": 2,
            "customer_name": "张三",
            "customer_phone": "",
            "method": "cash",
        },
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"?day={day.isoformat()}")
    assert booking.status == BookingStatus.CONFIRMED and booking.total_fen == 8000
    assert booking.payment.method == "cash" and booking.payment.amount_fen == 8000
    sheet = client.get(response["Location"]).content.decode()
    assert sheet.count(f'data-booking="{booking.number}"') == 2  # 10:00 and 11:00
    assert "张三" in sheet and "现金" in sheet and "待使用" in sheet
    assert "已预订，订单号" in sheet  # the message after the redirect


def test_walk_in_stored_value_without_phone_is_refused_on_the_form(arena, client):
    client.force_login(arena.world.staff)
    response = client.post(
        url("desk_walkin", arena),
        {
            "court_id": arena.court3.pk,
            "day": day_after().isoformat(),
            "start": "10:00",
            "count": 1,
            "method": "stored_value",
        },
    )
    assert response.status_code == 400
    assert "一卡通支付需要填写会员手机号" in response.content.decode()
    assert not Booking.objects.exists()


def test_taken_slot_is_refused_on_the_walk_in_form(arena, client):
    day = day_after()
    walk_in(arena, arena.court3, day, 10)
    client.force_login(arena.world.staff)
    response = client.post(
        url("desk_walkin", arena),
        {
            "court_id": arena.court3.pk,
            "day": day.isoformat(),
            "start": "10:00",
            "count": 1,
            "method": "cash",
        },
    )
    assert response.status_code == 409
    assert 'data-error-code="slot_taken"' in response.content.decode()
    assert Booking.objects.count() == 1


def test_sheet_shows_hall_booking_via_the_hall_and_blocks(arena, client):
    day = day_after()
    hall = walk_in(arena, arena.hall, day, 9, name="羽协")
    client.force_login(arena.world.staff)
    client.post(
        url("desk_blocks", arena),
        {
            "court_id": arena.court3.pk,
            "starts_at": f"{day}T15:00",
            "ends_at": f"{day}T17:00",
            "kind": "event",
            "reason": "区运会",
        },
    )
    sheet = client.get(url("desk", arena), {"day": day}).content.decode()
    assert sheet.count(f'data-booking="{hall.number}"') == 3  # the hall and its two parts
    assert "经主馆" in sheet
    assert sheet.count('data-state="blocked"') == 2 and "区运会" in sheet


def test_sheet_query_count_does_not_grow_with_bookings(
    arena, client, django_assert_max_num_queries
):
    day = day_after()
    walk_in(arena, arena.court3, day, 8)
    client.force_login(arena.world.staff)
    with CaptureQueriesContext(connection) as few:
        client.get(url("desk", arena), {"day": day})
    for hour in range(9, 21, 2):
        walk_in(arena, arena.hall, day, hour, name=f"客{hour}")
        walk_in(arena, arena.court3, day, hour, phone=arena.resident2.phone)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url("desk", arena), {"day": day}).content.decode()
    assert "客19" in page and "139****0002" in page


def _code_post(client, arena, code, now):
    with mock.patch("django.utils.timezone.now", return_value=now):
        return client.post(url("desk_checkin", arena), {"code": code})


def test_check_in_page_success_early_late_unknown_and_again(arena, client):
    day = day_after()
    booking = walk_in(arena, arena.court3, day, 10, name="李四")
    client.force_login(arena.world.staff)

    early = _code_post(client, arena, booking.entry_code, at(day, 9, 0))
    assert early.status_code == 409 and "还未到核销时间" in early.content.decode()
    late = _code_post(client, arena, booking.entry_code, at(day, 11, 0))
    assert late.status_code == 409 and "预订时段已结束" in late.content.decode()
    unknown = _code_post(client, arena, "0123456789AB", at(day, 9, 45))
    assert unknown.status_code == 404 and "未找到该入场码" in unknown.content.decode()
    assert set(booking.slots.values_list("status", flat=True)) == {SlotStatus.CONFIRMED}

    ok = _code_post(client, arena, booking.entry_code.lower(), at(day, 9, 45))
    body = ok.content.decode()
    assert ok.status_code == 200 and 'data-testid="checkin-ok"' in body
    assert "李四" in body and "3号场" in body and "10:00–11:00" in body
    assert set(booking.slots.values_list("status", flat=True)) == {SlotStatus.CHECKED_IN}
    again = _code_post(client, arena, booking.entry_code, at(day, 9, 50))
    assert again.status_code == 409 and "已核销" in again.content.decode()


def test_check_in_by_htmx_returns_just_the_result(arena, client):
    day = day_after()
    booking = walk_in(arena, arena.court3, day, 10)
    client.force_login(arena.world.staff)
    with mock.patch("django.utils.timezone.now", return_value=at(day, 10, 5)):
        response = client.post(
            url("desk_checkin", arena), {"code": booking.entry_code}, HTTP_HX_REQUEST="true"
        )
    body = response.content.decode()
    assert response.status_code == 200 and "核销成功" in body and "<nav" not in body


def test_check_in_from_the_sheet(arena, client):
    day = day_after()
    booking = walk_in(arena, arena.court3, day, 10)
    client.force_login(arena.world.staff)
    target = url("desk_sheet_checkin", arena, booking.number)
    with mock.patch("django.utils.timezone.now", return_value=at(day, 8, 0)):
        early = client.post(target, {"day": day.isoformat()}, follow=True)
    assert "还未到核销时间" in early.content.decode()
    assert set(booking.slots.values_list("status", flat=True)) == {SlotStatus.CONFIRMED}
    with mock.patch("django.utils.timezone.now", return_value=at(day, 9, 50)):
        response = client.post(target, {"day": day.isoformat()})
    assert response.status_code == 302 and response["Location"].endswith(f"?day={day}")
    assert set(booking.slots.values_list("status", flat=True)) == {SlotStatus.CHECKED_IN}
    sheet = client.get(response["Location"]).content.decode()
    assert "已核销：张三" in sheet and 'data-slot-status="checked_in"' in sheet


def test_sheet_cancel_refunds_the_slot_without_fee(arena, client):
    day = day_after()
    booking = walk_in(arena, arena.court3, day, 10, count=2)
    slot = booking.slots.order_by("starts_at").first()
    client.force_login(arena.world.staff)
    response = client.post(url("desk_slot_cancel", arena, slot.pk), {"day": day.isoformat()})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.refunded_fen == 4000 and booking.status == BookingStatus.CONFIRMED
    assert Payment.objects.get(pk=booking.payment_id).refunded_fen == 4000
    assert list(booking.slots.order_by("starts_at").values_list("status", flat=True)) == [
        SlotStatus.CANCELLED,
        SlotStatus.CONFIRMED,
    ]


def _series_post(arena, day, **changes):
    data = {
        "title": "羽毛球俱乐部",
        "customer_phone": arena.resident2.phone,
        "court_id": arena.court3.pk,
        "weekday": day.weekday(),
        "starts": "19:00",
        "ends": "21:00",
        "first_date": day.isoformat(),
        "last_date": (day + timedelta(days=21)).isoformat(),
        "method": "cash",
    }
    data.update(changes)
    return data


def test_series_skips_a_conflicting_date_and_books_the_rest(arena, client):
    first = day_after(3)
    clash = first + timedelta(days=7)
    walk_in(arena, arena.court3, clash, 20)  # 20:00–21:00 on the second date
    client.force_login(arena.world.staff)
    response = client.post(url("desk_series", arena), _series_post(arena, first))
    series = Series.objects.get()
    assert response.status_code == 302 and f"?created={series.pk}" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="series-skipped"' in page and clash.isoformat() in page
    bookings = Booking.objects.filter(series=series)
    assert bookings.count() == 3
    assert all(b.total_fen == 8000 for b in bookings)
    assert [s["date"] for s in series.skipped] == [clash.isoformat()]
    assert "¥240.00" in page  # three dates of two hours at ¥40
    payment = Payment.objects.get(reference=f"S{series.pk}")
    assert payment.amount_fen == 24000 and payment.method == "cash"


def test_cancelling_one_series_date_refunds_that_date_only(arena, client):
    first = day_after(3)
    client.force_login(arena.world.staff)
    client.post(url("desk_series", arena), _series_post(arena, first))
    series = Series.objects.get()
    target = first + timedelta(days=7)
    response = client.post(url("desk_series_cancel", arena, series.pk), {"on": target})
    assert response.status_code == 302
    by_day = {
        timezone.localtime(b.slots.first().starts_at).date(): b
        for b in Booking.objects.filter(series=series)
    }
    assert by_day[target].status == BookingStatus.CANCELLED
    assert by_day[target].refunded_fen == 8000
    assert all(b.refunded_fen == 0 for d, b in by_day.items() if d != target)
    assert Payment.objects.get(reference=f"S{series.pk}").refunded_fen == 8000
    series.refresh_from_db()
    assert series.status == "active"
    page = client.get(url("desk_series", arena)).content.decode()
    assert "已取消" in page and "已退 ¥80.00" in page


def test_cancelling_a_whole_series(arena, client):
    client.force_login(arena.world.staff)
    client.post(url("desk_series", arena), _series_post(arena, day_after(3)))
    series = Series.objects.get()
    client.post(url("desk_series_cancel", arena, series.pk))
    series.refresh_from_db()
    assert series.status == "cancelled"
    assert Payment.objects.get(reference=f"S{series.pk}").refunded_fen == 4 * 8000


def _policy_post(**changes):
    data = {
        "hold_minutes": 15,
        "advance_days": 10,
        "release_hour": 9,
        "max_active_bookings": 5,
        "max_hours_per_day": 3,
        "checkin_before_minutes": 20,
        "no_show_limit": 2,
        "no_show_window_days": 60,
        "no_show_ban_days": 7,
        "tiers-TOTAL_FORMS": 2,
        "tiers-INITIAL_FORMS": 0,
        "tiers-MIN_NUM_FORMS": 1,
        "tiers-MAX_NUM_FORMS": 10,
        "tiers-0-hours": 48,
        "tiers-0-percent": 0,
        "tiers-1-hours": 0,
        "tiers-1-percent": 30,
    }
    data.update(changes)
    return data


def test_manager_edits_the_policy(arena, client):
    client.force_login(arena.world.manager)
    page = client.get(url("desk_policy", arena)).content.decode()
    assert 'name="hold_minutes"' in page and 'name="tiers-0-hours"' in page
    response = client.post(url("desk_policy", arena), _policy_post())
    assert response.status_code == 302
    policy = BookingPolicy.objects.get(venue=arena.venue)
    assert (policy.hold_minutes, policy.advance_days, policy.no_show_limit) == (15, 10, 2)
    assert policy.cancel_tiers == [[48, 0], [0, 30]]


def test_policy_out_of_range_is_shown_and_nothing_saved(arena, client):
    client.force_login(arena.world.manager)
    response = client.post(url("desk_policy", arena), _policy_post(hold_minutes=99))
    assert response.status_code == 400
    assert 'data-field-error="hold_minutes"' in response.content.decode()
    assert not BookingPolicy.objects.exists()


def test_staff_see_the_policy_read_only_and_cannot_change_it(arena, client):
    client.force_login(arena.world.staff)
    page = client.get(url("desk_policy", arena)).content.decode()
    assert 'name="hold_minutes"' not in page and "只能查看" in page
    assert client.post(url("desk_policy", arena), _policy_post()).status_code == 404
    assert not BookingPolicy.objects.exists()


def test_members_and_concessions(arena, client):
    client.force_login(arena.world.staff)
    until = day_after(365)
    response = client.post(
        url("desk_members", arena),
        {"form": "member", "member-phone": arena.resident2.phone, "member-valid_until": until},
    )
    assert response.status_code == 302
    assert VenueMember.objects.get(venue=arena.venue).user == arena.resident2
    page = client.get(url("desk_members", arena)).content.decode()
    assert "139****0002" in page and arena.resident2.phone not in page
    response = client.post(
        url("desk_members", arena),
        {
            "form": "concession",
            "concession-phone": arena.resident2.phone,
            "concession-group": "student",
            "concession-valid_until": until,
        },
    )
    assert response.status_code == 302
    assert Concession.objects.get(user=arena.resident2).verified_by == arena.world.staff
    unknown = client.post(
        url("desk_members", arena),
        {"form": "member", "member-phone": "13000000000", "member-valid_until": until},
    )
    assert unknown.status_code == 400 and "未找到该手机号的用户" in unknown.content.decode()
    assert VenueMember.objects.count() == 1


def test_venue_page_links_the_desk_for_its_staff_only(arena, client):
    venue_url = reverse("backoffice:venue", args=[arena.venue.pk])
    for who, shown in (
        (arena.world.staff, True),
        (arena.world.manager, True),
        (arena.world.admin, True),
        (arena.world.wuhou_official, False),
    ):
        client.force_login(who)
        page = client.get(venue_url).content.decode()
        assert ('data-testid="desk-links"' in page) is shown, who
        assert page.count('data-testid="desk-links"') <= 1


def test_cash_top_up_at_the_desk(arena, client, other_staff):
    from tiyu.wallet.models import Entry

    client.force_login(arena.world.staff)
    response = client.post(
        url("desk_members", arena),
        {"form": "topup", "topup-phone": arena.resident2.phone, "topup-amount": "50"},
    )
    assert response.status_code == 302
    assert arena.balance(arena.resident2) == 5000
    payment = Payment.objects.get(user=arena.resident2)
    assert (payment.method, payment.purpose, payment.venue_id) == ("cash", "topup", arena.venue.pk)
    too_much = client.post(
        url("desk_members", arena),
        {"form": "topup", "topup-phone": arena.resident2.phone, "topup-amount": "6000"},
    )
    assert too_much.status_code == 400
    entries = Entry.objects.count()
    client.force_login(other_staff)
    denied = client.post(
        url("desk_members", arena),
        {"form": "topup", "topup-phone": arena.resident2.phone, "topup-amount": "50"},
    )
    assert denied.status_code == 404
    assert arena.balance(arena.resident2) == 5000 and Entry.objects.count() == entries

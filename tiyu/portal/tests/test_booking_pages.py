"""Resident booking pages through Django's test client: grid, hold, checkout, booking, cancel."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tiyu.booking.models import Booking, BookingStatus, Occupancy, SlotStatus
from tiyu.booking.services import SlotChoice, booking_hold, booking_pay
from tiyu.payments.models import Payment
from tiyu.portal.forms_booking import slot_value
from tiyu.portal.views_booking import tiers_in_words

pytestmark = pytest.mark.django_db


def login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def hold(arena: Any, user: Any, *picks: tuple[Any, Any], now: Any = None) -> Booking:
    return booking_hold(
        user=user,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(court.pk, start) for court, start in picks],
        now=now,
    )


def paid(arena: Any, user: Any, *picks: tuple[Any, Any]) -> Booking:
    arena.fund(user, 100_000)
    booking = hold(arena, user, *picks)
    booking_pay(user=user, number=booking.number, method="stored_value")
    booking.refresh_from_db()
    return booking


def grid_url(arena: Any, days_ahead: int = 1) -> str:
    day = timezone.localdate() + timedelta(days=days_ahead)
    return f"/venues/{arena.venue.pk}/book/?day={day.isoformat()}"


def cell_state(html: str, court: Any, starts_at: Any) -> str:
    """The state of the grid cell of ``court`` at ``starts_at``."""
    value = slot_value(court.pk, starts_at)
    found = re.search(r'data-state="(\w+)" data-slot="' + re.escape(value) + '"', html)
    assert found, f"no cell for {value}"
    return found.group(1)


# --- The grid -------------------------------------------------------------------------


def test_grid_shows_prices_states_and_the_window(arena: Any, client: Any) -> None:
    resident, other = arena.world.resident, arena.resident2
    at10 = arena.slot(arena.court3, 1, 10)
    at11 = arena.slot(arena.court3, 1, 11)
    hold(arena, resident, (arena.court3, at10))
    paid(arena, resident, (arena.court3, at11))
    hold(arena, other, (arena.part1, at10))

    html = login(client, resident).get(grid_url(arena)).content.decode()
    assert cell_state(html, arena.court3, at10) == "held_by_me"
    assert cell_state(html, arena.court3, at11) == "mine"
    assert cell_state(html, arena.part1, at10) == "taken"
    # A hall and its parts block each other: the hall is taken when one part is.
    assert cell_state(html, arena.hall, at10) == "taken"
    assert cell_state(html, arena.part2, at10) == "free"
    assert cell_state(html, arena.court3, arena.slot(arena.court3, 1, 12)) == "free"
    assert "¥40" in html
    assert "主馆（整场）" in html and ">1号场<" in html
    assert "可提前 7 天预订，每日 8:00 放号" in html
    assert "锁定 10 分钟" in html
    for legend in ("可选择", "已选中", "不可选择"):
        assert legend in html
    assert html.count('data-testid="day-tab"') >= 7
    # The day asked for is the open tab.
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert f'class="tab-pane show active" id="day-{day}"' in html

    # The other resident sees the first resident's cells as taken.
    client.logout()
    html = login(client, other).get(grid_url(arena)).content.decode()
    assert cell_state(html, arena.court3, at10) == "taken"
    assert cell_state(html, arena.court3, at11) == "taken"
    assert cell_state(html, arena.part1, at10) == "held_by_me"


def test_grid_marks_weekends_and_past_slots(arena: Any, client: Any) -> None:
    html = client.get(f"/venues/{arena.venue.pk}/book/").content.decode()
    today = timezone.localdate()
    weekend = any((today + timedelta(days=i)).weekday() >= 5 for i in range(7))
    assert ("周末" in html) == weekend or "节假日" in html
    past = arena.slot(arena.court3, 0, 8)
    if past < timezone.now():
        assert cell_state(html, arena.court3, past) == "closed"


def test_grid_query_count_does_not_grow_with_courts(
    arena: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    from tiyu.venues.models import Court, PriceRule

    login(client, arena.world.resident)
    hold(arena, arena.world.resident, (arena.court3, arena.slot(arena.court3, 1, 10)))
    url = grid_url(arena)
    client.get(url)  # warm up (session, stored accounts)
    cache.clear()  # both counts are cold reads: configuration and calendar included
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(8):
        court = Court.objects.create(venue=arena.venue, name=f"新{i}号场", sort_order=10 + i)
        PriceRule.objects.create(court=court, starts=time(8), ends=time(22), price_fen=5000)
    cache.clear()  # what the court and price services do (and a cold calendar)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "新7号场" in html and "¥50" in html


def test_grid_of_an_unknown_venue_is_404(client: Any, arena: Any) -> None:
    assert client.get("/venues/999999/book/").status_code == 404


# --- Holding ------------------------------------------------------------------------


def test_hold_via_post_redirects_to_checkout(arena: Any, client: Any) -> None:
    login(client, arena.world.resident)
    a = arena.slot(arena.court3, 1, 18)
    b = arena.slot(arena.part1, 1, 19)
    response = client.post(
        grid_url(arena),
        {"slot": [slot_value(arena.court3.pk, a), slot_value(arena.part1.pk, b)], "idem": "k1"},
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.number}/checkout/"
    assert booking.status == BookingStatus.HELD and booking.total_fen == 8000
    # A double submit with the same key returns the same hold and writes nothing.
    again = client.post(
        grid_url(arena),
        {"slot": [slot_value(arena.part1.pk, b), slot_value(arena.court3.pk, a)], "idem": "k1"},
    )
    assert again["Location"] == response["Location"]
    assert Booking.objects.count() == 1


def test_taken_slot_shows_the_error_and_writes_nothing(arena: Any, client: Any) -> None:
    start = arena.slot(arena.court3, 1, 10)
    hold(arena, arena.world.resident, (arena.court3, start))
    before = (Booking.objects.count(), Occupancy.objects.count())
    login(client, arena.resident2)
    free = arena.slot(arena.court3, 1, 12)
    response = client.post(
        grid_url(arena),
        {"slot": [slot_value(arena.court3.pk, free), slot_value(arena.court3.pk, start)]},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-error-code="slot_taken"' in html
    assert (Booking.objects.count(), Occupancy.objects.count()) == before
    # The grid is shown again with fresh states and nothing selected.
    assert cell_state(html, arena.court3, start) == "taken"
    assert cell_state(html, arena.court3, free) == "free"
    assert " checked" not in html


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ([], "slots_empty"),
        (["nonsense"], "slots_invalid"),
        (["1@2026-01-01T10:00:00"], "slots_invalid"),
    ],
)
def test_bad_selections_are_refused_on_the_page(
    arena: Any, client: Any, values: list[str], code: str
) -> None:
    login(client, arena.world.resident)
    response = client.post(grid_url(arena), {"slot": values})
    assert response.status_code == 400
    assert f'data-error-code="{code}"' in response.content.decode()
    assert not Booking.objects.exists()


def test_limits_and_window_errors_show_on_the_grid(arena: Any, client: Any) -> None:
    login(client, arena.world.resident)
    far = arena.slot(arena.court3, 9, 10)
    response = client.post(grid_url(arena), {"slot": [slot_value(arena.court3.pk, far)]})
    assert response.status_code == 400
    assert 'data-error-code="slot_outside_window"' in response.content.decode()
    five = [slot_value(arena.court3.pk, arena.slot(arena.court3, 2, h)) for h in range(9, 14)]
    response = client.post(grid_url(arena, 2), {"slot": five})
    assert response.status_code == 409
    assert 'data-error-code="booking_limit_hours"' in response.content.decode()
    assert not Booking.objects.exists()


def test_anonymous_sees_the_grid_and_is_sent_to_login_to_hold(arena: Any, client: Any) -> None:
    url = grid_url(arena)
    response = client.get(url)
    assert response.status_code == 200
    assert "¥40" in response.content.decode()
    start = arena.slot(arena.court3, 1, 10)
    response = client.post(url, {"slot": [slot_value(arena.court3.pk, start)]})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert "book" in response["Location"]
    assert not Booking.objects.exists()
    assert client.get("/bookings/")["Location"].startswith("/login/")


def test_venue_page_links_to_booking_when_it_has_courts(arena: Any, client: Any) -> None:
    html = client.get(f"/venues/{arena.venue.pk}/").content.decode()
    assert f'href="/venues/{arena.venue.pk}/book/"' in html
    other = client.get(f"/venues/{arena.world.jinjiang_pool.pk}/").content.decode()
    assert 'data-testid="book-venue"' not in other


# --- Checkout ---------------------------------------------------------------------------


def test_checkout_shows_summary_countdown_and_balance(arena: Any, client: Any) -> None:
    resident = arena.world.resident
    arena.fund(resident, 5000)
    booking = hold(
        arena,
        resident,
        (arena.court3, arena.slot(arena.court3, 1, 10)),
        (arena.hall, arena.slot(arena.hall, 1, 11)),
    )
    html = login(client, resident).get(f"/bookings/{booking.number}/checkout/").content.decode()
    assert "¥80.00" in html and arena.venue.name in html
    assert "主馆（整场）" in html and "3号场" in html
    seconds = int(re.search(r'data-seconds="(\d+)"', html).group(1))
    assert 590 <= seconds <= 600
    assert "¥50.00" in html  # balance
    assert 'data-testid="balance-short"' in html and "还差 ¥30.00" in html
    assert "/wallet/topup/" in html
    assert "本地沙箱支付（演示，非真实支付）" in html


def test_pay_with_stored_value_confirms_once(arena: Any, client: Any) -> None:
    resident = arena.world.resident
    arena.fund(resident, 10000)
    booking = hold(arena, resident, (arena.court3, arena.slot(arena.court3, 1, 10)))
    login(client, resident)
    url = f"/bookings/{booking.number}/checkout/"
    response = client.post(url, {"method": "stored_value", "idem": "pay-1"})
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.number}/"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert arena.balance(resident) == 6000
    # The double submit replays the first answer and takes no more money.
    again = client.post(url, {"method": "stored_value", "idem": "pay-1"})
    assert again.status_code == 302
    assert arena.balance(resident) == 6000
    assert Payment.objects.filter(reference=booking.number).count() == 1

    page = client.get(f"/bookings/{booking.number}/").content.decode()
    assert "支付成功" in page
    assert "<svg" in page and 'data-testid="entry-qr"' in page
    code = booking.entry_code
    assert f"{code[:4]}</span> <span>{code[4:8]}" in page
    assert "待使用" in page
    # A confirmed booking's checkout sends the resident to the booking.
    assert client.get(url)["Location"] == f"/bookings/{booking.number}/"


def test_pay_with_the_sandbox_goes_to_its_cashier(arena: Any, client: Any) -> None:
    resident = arena.world.resident
    booking = hold(arena, resident, (arena.court3, arena.slot(arena.court3, 1, 10)))
    login(client, resident)
    response = client.post(f"/bookings/{booking.number}/checkout/", {"method": "sandbox"})
    assert response.status_code == 302
    assert "/sandbox/" in response["Location"]
    payment = Payment.objects.get(reference=booking.number)
    assert payment.out_trade_no in response["Location"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD


def test_short_balance_and_expired_hold_are_refused_on_the_page(arena: Any, client: Any) -> None:
    resident = arena.world.resident
    arena.fund(resident, 1000)
    booking = hold(arena, resident, (arena.court3, arena.slot(arena.court3, 1, 10)))
    login(client, resident)
    url = f"/bookings/{booking.number}/checkout/"
    response = client.post(url, {"method": "stored_value"})
    assert response.status_code == 409
    assert 'data-error-code="balance_insufficient"' in response.content.decode()
    assert arena.balance(resident) == 1000

    stale = hold(
        arena,
        resident,
        (arena.court3, arena.slot(arena.court3, 2, 10)),
        now=timezone.now() - timedelta(minutes=11),
    )
    html = client.get(f"/bookings/{stale.number}/checkout/").content.decode()
    assert 'data-seconds="0"' in html
    assert re.search(r'data-pay data-testid="pay-submit"[^>]*disabled', html)
    response = client.post(f"/bookings/{stale.number}/checkout/", {"method": "sandbox"})
    assert response.status_code == 409
    assert 'data-error-code="hold_expired"' in response.content.decode()
    assert not Payment.objects.filter(reference=stale.number).exists()


def test_bad_method_is_a_400(arena: Any, client: Any) -> None:
    booking = hold(arena, arena.world.resident, (arena.court3, arena.slot(arena.court3, 1, 9)))
    login(client, arena.world.resident)
    response = client.post(f"/bookings/{booking.number}/checkout/", {"method": "bitcoin"})
    assert response.status_code == 400
    assert 'data-error-code="method_invalid"' in response.content.decode()


# --- Another resident's booking -----------------------------------------------------------


def test_another_residents_booking_is_404_everywhere(arena: Any, client: Any) -> None:
    booking = paid(arena, arena.world.resident, (arena.court3, arena.slot(arena.court3, 3, 10)))
    slot = booking.slots.get()
    login(client, arena.resident2)
    for url in ("", "checkout/", "cancel/"):
        assert client.get(f"/bookings/{booking.number}/{url}").status_code == 404
    assert (
        client.post(f"/bookings/{booking.number}/cancel/", {"slot": [slot.pk]}).status_code == 404
    )
    assert (
        client.post(f"/bookings/{booking.number}/checkout/", {"method": "stored_value"}).status_code
        == 404
    )
    slot.refresh_from_db()
    booking.refresh_from_db()
    assert slot.status == SlotStatus.CONFIRMED and booking.refunded_fen == 0


# --- Cancellation ---------------------------------------------------------------------


def test_cancel_page_quotes_the_refund_and_cancelling_refunds_it(arena: Any, client: Any) -> None:
    resident = arena.world.resident
    booking = paid(
        arena,
        resident,
        (arena.court3, arena.slot(arena.court3, 3, 10)),
        (arena.court3, arena.slot(arena.court3, 3, 11)),
    )
    # 24–100 hours before the start: a 20 % fee under the tiers copied onto this booking.
    booking.cancel_tiers = [[100, 0], [24, 20], [0, 50]]
    booking.save(update_fields=["cancel_tiers"])
    first, second = booking.slots.order_by("starts_at")
    balance = arena.balance(resident)
    login(client, resident)
    url = f"/bookings/{booking.number}/cancel/"

    html = client.get(url).content.decode()
    assert "将退款 ¥64.00，原路退回" in html  # both slots, by default
    assert "手续费 20%" in html
    assert "开场前 100 小时及以上" in html and "开场前 24–100 小时" in html

    html = client.get(url, {"picked": "1", "slot": [first.pk]}).content.decode()
    assert "将退款 ¥32.00，原路退回" in html
    assert f'name="slot" value="{first.pk}">' in html  # the confirm form carries the choice
    assert arena.balance(resident) == balance  # a quote changes nothing

    response = client.post(url, {"slot": [first.pk], "idem": "c1"})
    assert response.status_code == 302 and response["Location"] == f"/bookings/{booking.number}/"
    first.refresh_from_db()
    second.refresh_from_db()
    booking.refresh_from_db()
    assert first.status == SlotStatus.CANCELLED and first.refund_fen == 3200
    assert second.status == SlotStatus.CONFIRMED
    assert booking.refunded_fen == 3200 and booking.status == BookingStatus.CONFIRMED
    assert arena.balance(resident) == balance + 3200
    # A double submit replays and refunds nothing more.
    client.post(url, {"slot": [first.pk], "idem": "c1"})
    assert arena.balance(resident) == balance + 3200

    page = client.get(f"/bookings/{booking.number}/").content.decode()
    assert "退款 ¥32.00 将原路退回" in page
    assert "已取消" in page and "待使用" in page
    assert 'data-testid="refunded">¥32.00' in page


def test_cancel_with_nothing_chosen_is_refused(arena: Any, client: Any) -> None:
    booking = paid(arena, arena.world.resident, (arena.court3, arena.slot(arena.court3, 3, 10)))
    login(client, arena.world.resident)
    url = f"/bookings/{booking.number}/cancel/"
    html = client.get(url, {"picked": "1"}).content.decode()
    assert 'data-testid="none-chosen"' in html
    response = client.post(url, {})
    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.refunded_fen == 0


def test_cancelling_a_held_booking_frees_it_without_money(arena: Any, client: Any) -> None:
    start = arena.slot(arena.court3, 1, 10)
    booking = hold(arena, arena.world.resident, (arena.court3, start))
    login(client, arena.world.resident)
    html = client.get(f"/bookings/{booking.number}/cancel/").content.decode()
    assert "该订单尚未支付" in html
    slot = booking.slots.get()
    client.post(f"/bookings/{booking.number}/cancel/", {"slot": [slot.pk]})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert not Occupancy.objects.filter(slot__booking=booking).exists()


def test_tiers_in_words() -> None:
    words = [(t.when, t.fee) for t in tiers_in_words([[24, 0], [2, 20], [0, 50]])]
    assert words == [
        ("开场前 24 小时及以上", "免费取消，全额退款"),
        ("开场前 2–24 小时", "收取 20% 手续费，退还 80%"),
        ("开场前不足 2 小时", "收取 50% 手续费，退还 50%"),
        ("开场后", "不可取消"),
    ]
    assert [t.fee for t in tiers_in_words([[6, 0]])][-2:] == ["不退款", "不可取消"]


# --- My bookings --------------------------------------------------------------------


def test_my_bookings_tabs(arena: Any, client: Any) -> None:
    resident = arena.world.resident
    confirmed = paid(arena, resident, (arena.court3, arena.slot(arena.court3, 2, 10)))
    held = hold(arena, resident, (arena.court3, arena.slot(arena.court3, 2, 12)))
    cancelled = hold(arena, resident, (arena.court3, arena.slot(arena.court3, 2, 14)))
    from tiyu.booking.services import booking_cancel

    booking_cancel(actor=resident, booking=cancelled)
    hold(arena, arena.resident2, (arena.court3, arena.slot(arena.court3, 3, 10)))
    login(client, resident)

    html = client.get("/bookings/").content.decode()
    numbers = re.findall(r'data-number="(\w+)"', html)
    assert set(numbers) == {confirmed.number, held.number}
    assert f'href="/bookings/{held.number}/checkout/"' in html
    assert f'href="/bookings/{confirmed.number}/"' in html
    assert 'data-testid="card-hold"' in html
    assert 'data-testid="nav-bookings"' in html

    html = client.get("/bookings/?tab=cancelled").content.decode()
    assert re.findall(r'data-number="(\w+)"', html) == [cancelled.number]
    html = client.get("/bookings/?tab=past").content.decode()
    assert 'data-testid="no-bookings"' in html
    assert client.get("/bookings/?tab=bogus").status_code == 200

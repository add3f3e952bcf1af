"""A hypothesis state machine over hold / pay / expire / cancel / refund / check-in / no-show.

Three residents book a few slots of the arena (the hall, its two parts and a
separate court) on a clock the machine owns: every service gets ``now=`` from
it, and the clock only moves forward (ticks of a few minutes, or jumps to a
check-in window or past the slots). Each step's outcome is judged against the
facts read just before it (a hold succeeds only on free units, a pay only on a
live hold with enough balance, a refund follows the tiers copied onto the
booking), a refused step must leave every fact unchanged, and after EVERY step
the invariants below are recomputed from the rows:

* units: the slots that hold court time (held, confirmed, checked in, no-show)
  never share a leaf-court unit, hall against parts included, and the occupancy
  table is exactly their units; cancelled and expired slots hold none;
* a booking's status agrees with its slots' statuses;
* the ledger: every transaction sums to zero, every balance is the sum of its
  entries and never negative outside the clearing accounts;
* refunds: a booking's ``refunded_fen`` is the sum of its slots' refunds, within
  its total; a payment's ``refunded_fen`` is the sum of its succeeded refunds;
* each resident's card: funded − paid + refunded == balance.

Each example runs inside a savepoint that is rolled back afterwards.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tiyu.booking import jobs
from tiyu.booking.desk import booking_check_in
from tiyu.booking.models import (
    Booking,
    BookingSlot,
    BookingStatus,
    Occupancy,
    SlotStatus,
)
from tiyu.booking.services import SlotChoice, booking_cancel, booking_hold, booking_pay
from tiyu.booking.timegrid import CourtTree, local_dt
from tiyu.core.errors import DomainError
from tiyu.payments.models import Method, Payment, Refund, RefundStatus
from tiyu.venues.models import Court
from tiyu.wallet.models import OUTSIDE_KINDS, POOLED_KINDS, Account, Entry, LedgerTransaction

pytestmark = pytest.mark.django_db

# (court attribute of the arena, days from today, local hour): a handful of slots
# where the hall and its parts overlap, and a court of its own.
SLOTS = [
    ("hall", 1, 10),
    ("part1", 1, 10),
    ("part2", 1, 10),
    ("court3", 1, 10),
    ("hall", 1, 11),
    ("part1", 1, 11),
    ("court3", 1, 11),
    ("hall", 2, 10),
    ("court3", 2, 10),
]
# Moments the clock may jump to: (days from today, local time).
LANDMARKS = [
    (1, time(9, 40)),
    (1, time(10, 10)),
    (1, time(11, 5)),
    (1, time(12, 10)),
    (2, time(9, 50)),
    (2, time(11, 10)),
]
HOLDING = (SlotStatus.HELD, SlotStatus.CONFIRMED, SlotStatus.CHECKED_IN, SlotStatus.NO_SHOW)
LIVE = (SlotStatus.HELD, SlotStatus.CONFIRMED, SlotStatus.CHECKED_IN)
CHECKIN_BEFORE = timedelta(minutes=30)  # the default policy


@dataclass(frozen=True)
class Facts:
    """Every row the invariants look at, read in a fixed number of queries."""

    bookings: dict[int, tuple]
    slots: list[tuple]
    occupancy: frozenset[tuple]
    entries: list[tuple]
    txn_kinds: dict[int, str]
    accounts: list[tuple]
    payments: list[tuple]
    refunds: list[tuple]

    @classmethod
    def read(cls) -> Facts:
        return cls(
            bookings={
                pk: rest
                for pk, *rest in Booking.objects.order_by("id").values_list(
                    "id",
                    "user_id",
                    "status",
                    "hold_expires_at",
                    "total_fen",
                    "refunded_fen",
                    "payment_id",
                    "number",
                )
            },
            slots=list(
                BookingSlot.objects.order_by("id").values_list(
                    "id",
                    "booking_id",
                    "court_id",
                    "starts_at",
                    "ends_at",
                    "status",
                    "price_fen",
                    "refund_fen",
                )
            ),
            occupancy=frozenset(
                Occupancy.objects.values_list("court_id", "starts_at", "slot_id", "hold_expires_at")
            ),
            entries=list(
                Entry.objects.order_by("id").values_list(
                    "transaction_id", "account_id", "amount_fen"
                )
            ),
            txn_kinds=dict(LedgerTransaction.objects.values_list("id", "kind")),
            accounts=list(
                Account.objects.order_by("id").values_list("id", "kind", "user_id", "balance_fen")
            ),
            payments=list(
                Payment.objects.order_by("id").values_list(
                    "id", "user_id", "method", "status", "amount_fen", "refunded_fen", "reference"
                )
            ),
            refunds=list(
                Refund.objects.order_by("id").values_list("payment_id", "amount_fen", "status")
            ),
        )

    def slots_of(self, booking_id: int) -> list[tuple]:
        return [s for s in self.slots if s[1] == booking_id]

    def balance(self, user_id: int) -> int:
        return next((b for _i, kind, u, b in self.accounts if u == user_id), 0)


class BookingMachine(RuleBasedStateMachine):
    """Residents, the venue's staff and the jobs acting on a few slots of the arena."""

    arena: Any = None
    residents: list[Any] = []

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        arena = self.arena
        self.tree = CourtTree(Court.objects.filter(venue=arena.venue))
        self.slots = [
            (getattr(arena, name), arena.slot(getattr(arena, name), d, h)) for name, d, h in SLOTS
        ]
        self.today = timezone.localdate()
        self.now = local_dt(self.today, time(7, 0))

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers -----------------------------------------------------------

    def units(self, court_id: int, starts_at: datetime, ends_at: datetime) -> list[tuple]:
        return self.tree.units(court_id, starts_at, ends_at)

    def pick_booking(self, facts: Facts, pick: int) -> Booking | None:
        if not facts.bookings:
            return None
        ids = sorted(facts.bookings)
        return Booking.objects.get(pk=ids[pick % len(ids)])

    def refused(self, before: Facts, err: DomainError, allowed: set[str]) -> None:
        """A refusal is one of the expected codes and changed nothing."""
        assert err.code in allowed, (err.code, err.message)
        assert Facts.read() == before, f"refused {err.code} but rows changed"

    # --- rules -----------------------------------------------------------------

    @rule(who=st.integers(0, 2), fen=st.sampled_from([2000, 4000, 10_000]))
    def fund(self, who: int, fen: int) -> None:
        self.arena.fund(self.residents[who], fen)

    @rule(minutes=st.integers(1, 15))
    def tick(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(i=st.integers(0, len(LANDMARKS) - 1))
    def jump(self, i: int) -> None:
        days, at = LANDMARKS[i]
        self.now = max(self.now, local_dt(self.today + timedelta(days=days), at))

    @rule(
        who=st.integers(0, 2),
        picks=st.sets(st.integers(0, len(SLOTS) - 1), min_size=1, max_size=2),
    )
    def hold(self, who: int, picks: set[int]) -> None:
        before = Facts.read()
        chosen = [self.slots[i] for i in sorted(picks)]
        busy = {
            (court, start)
            for court, start, _slot, expires in before.occupancy
            if expires is None or expires > self.now
        }
        wanted = [
            u
            for court, start in chosen
            for u in self.units(court.pk, start, start + timedelta(minutes=court.slot_minutes))
        ]
        overlap = len(wanted) != len(set(wanted))  # e.g. the hall and its part, same hour
        try:
            booking = booking_hold(
                user=self.residents[who],
                venue_id=self.arena.venue.pk,
                slots=[SlotChoice(court.pk, start) for court, start in chosen],
                now=self.now,
            )
        except DomainError as err:
            self.refused(
                before,
                err,
                {
                    "slot_taken",
                    "slot_past",
                    "booking_limit_active",
                    "booking_limit_hours",
                    "booking_banned",
                    "slots_overlap",
                },
            )
            if err.code == "slots_overlap":
                assert overlap
            if err.code == "slot_taken":
                assert busy & set(wanted), "slot_taken although every unit was free"
            if err.code == "slot_past":
                assert any(start <= self.now for _c, start in chosen)
            return
        assert not busy & set(wanted), "held a unit that was in use"
        assert not overlap, "one order holds the same unit twice (hall and its part)"
        assert all(start > self.now for _c, start in chosen)
        assert booking.status == BookingStatus.HELD
        assert booking.hold_expires_at == self.now + timedelta(minutes=10)

    @rule(pick=st.integers(0, 1000))
    def pay(self, pick: int) -> None:
        before = Facts.read()
        booking = self.pick_booking(before, pick)
        if booking is None:
            return
        live_hold = booking.status == BookingStatus.HELD and booking.hold_expires_at > self.now
        price = sum(s[6] for s in before.slots_of(booking.pk) if s[5] == SlotStatus.HELD)
        payable = live_hold and before.balance(booking.user_id) >= price
        try:
            booking_pay(
                user=booking.user, number=booking.number, method=Method.STORED_VALUE, now=self.now
            )
        except DomainError as err:
            self.refused(
                before, err, {"hold_expired", "booking_already_paid", "balance_insufficient"}
            )
            assert not payable, f"refused {err.code} a payable hold"
            return
        assert payable, "paid a booking that was not payable"
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CONFIRMED
        paid = booking.payment.amount_fen if booking.payment else 0
        assert paid == price, f"charged {paid} for slots worth {price}"
        assert Facts.read().balance(booking.user_id) == before.balance(booking.user_id) - price

    @rule()
    def expire_job(self) -> None:
        due = Booking.objects.filter(
            status=BookingStatus.HELD, hold_expires_at__lte=self.now
        ).count()
        assert jobs.holds_expire(self.now) == due
        assert not Booking.objects.filter(
            status=BookingStatus.HELD, hold_expires_at__lte=self.now
        ).exists()

    @rule(
        pick=st.integers(0, 1000),
        some=st.one_of(st.none(), st.sets(st.integers(0, 3), min_size=1, max_size=2)),
        by_venue=st.booleans(),
    )
    def cancel(self, pick: int, some: set[int] | None, by_venue: bool) -> None:
        before = Facts.read()
        booking = self.pick_booking(before, pick)
        if booking is None:
            return
        slots = before.slots_of(booking.pk)
        slot_ids = sorted({slots[i % len(slots)][0] for i in some}) if some else None
        targets = [
            s
            for s in slots
            if (s[0] in slot_ids if slot_ids else s[5] in (SlotStatus.HELD, SlotStatus.CONFIRMED))
        ]
        confirmed = booking.status == BookingStatus.CONFIRMED
        expected = 0
        for s in targets:
            if confirmed and not by_venue:
                hours_left = (s[3] - self.now).total_seconds() / 3600
                fee = 0 if hours_left >= 24 else 20 if hours_left >= 2 else 50
                expected += s[6] - s[6] * fee // 100
            elif confirmed:
                expected += s[6]
        actor = self.arena.world.staff if by_venue else booking.user
        try:
            booking_cancel(
                actor=actor, booking=booking, slot_ids=slot_ids, by_venue=by_venue, now=self.now
            )
        except DomainError as err:
            self.refused(
                before,
                err,
                {"booking_not_cancellable", "slots_not_cancellable", "cancel_too_late"},
            )
            if err.code == "cancel_too_late":
                assert confirmed and not by_venue
                assert any(s[3] <= self.now for s in targets)
            else:
                assert not targets or any(
                    s[5] not in (SlotStatus.HELD, SlotStatus.CONFIRMED) for s in targets
                )
            return
        assert targets and all(s[5] in (SlotStatus.HELD, SlotStatus.CONFIRMED) for s in targets)
        after = Facts.read()
        refunds = after.refunds[len(before.refunds) :]
        assert sum(amount for _p, amount, _s in refunds) == expected
        assert after.bookings[booking.pk][4] == before.bookings[booking.pk][4] + expected
        for s in targets:
            row = next(x for x in after.slots if x[0] == s[0])
            assert row[5] == SlotStatus.CANCELLED

    @rule(pick=st.integers(0, 1000), early=st.integers(0, 30))
    def check_in(self, pick: int, early: int) -> None:
        """Staff scan a code; the clock first moves into a slot's window if it can."""
        booking = self.pick_booking(Facts.read(), pick)
        if booking is None:
            return
        upcoming = booking.slots.filter(status=SlotStatus.CONFIRMED, ends_at__gt=self.now).first()
        if upcoming is not None:
            self.now = max(self.now, upcoming.starts_at - timedelta(minutes=early))
        before = Facts.read()
        due = [
            s
            for s in before.slots_of(booking.pk)
            if s[5] == SlotStatus.CONFIRMED and s[3] - CHECKIN_BEFORE <= self.now < s[4]
        ]
        try:
            booking_check_in(
                actor=self.arena.world.staff,
                code=booking.entry_code,
                venue_id=self.arena.venue.pk,
                now=self.now,
            )
        except DomainError as err:
            self.refused(
                before,
                err,
                {
                    "booking_not_confirmed",
                    "checkin_already",
                    "checkin_too_early",
                    "checkin_too_late",
                },
            )
            assert not (due and booking.status == BookingStatus.CONFIRMED)
            return
        assert booking.status == BookingStatus.CONFIRMED and due
        after = {s[0]: s[5] for s in Facts.read().slots}
        assert all(after[s[0]] == SlotStatus.CHECKED_IN for s in due)

    @rule()
    def no_shows(self) -> None:
        jobs.no_shows_mark(self.now)
        assert not BookingSlot.objects.filter(
            status=SlotStatus.CONFIRMED,
            ends_at__lte=self.now,
            booking__status=BookingStatus.CONFIRMED,
        ).exists()

    # --- invariants -------------------------------------------------------------

    @invariant()
    def rows_agree(self) -> None:
        facts = Facts.read()
        self.check_units(facts)
        self.check_statuses(facts)
        self.check_ledger(facts)
        self.check_refunds(facts)
        self.check_cards(facts)

    def check_units(self, facts: Facts) -> None:
        """Court time: recomputed from the slots, against the occupancy table."""
        owned: dict[tuple, int] = {}
        for slot_id, _booking, court, starts, ends, status, *_rest in facts.slots:
            if status not in HOLDING:
                continue
            for unit in self.units(court, starts, ends):
                assert unit not in owned, f"unit {unit} held by slots {owned[unit]} and {slot_id}"
                owned[unit] = slot_id
        rows = {(court, starts): slot for court, starts, slot, _e in facts.occupancy}
        assert len(rows) == len(facts.occupancy)
        assert rows == owned, "occupancy rows differ from the slots holding court time"
        holds = {
            slot_id: facts.bookings[b][2]
            for slot_id, b, *_r, status, _p, _f in facts.slots
            if status in HOLDING
        }
        for _court, _starts, slot, expires in facts.occupancy:
            assert expires == holds[slot], "a unit's expiry differs from its booking's hold"

    def check_statuses(self, facts: Facts) -> None:
        by_booking: dict[int, Counter] = {}
        for s in facts.slots:
            by_booking.setdefault(s[1], Counter())[s[5]] += 1
        for pk, (_u, status, expires, total, _r, payment_id, _n) in facts.bookings.items():
            seen = set(by_booking[pk])
            if status == BookingStatus.HELD:
                assert expires is not None and SlotStatus.HELD in seen
                assert seen <= {SlotStatus.HELD, SlotStatus.CANCELLED}, seen
            elif status == BookingStatus.CONFIRMED:
                assert expires is None
                assert seen <= {
                    SlotStatus.CONFIRMED,
                    SlotStatus.CHECKED_IN,
                    SlotStatus.NO_SHOW,
                    SlotStatus.CANCELLED,
                }, seen
                assert (payment_id is not None) == (total > 0)
            elif status == BookingStatus.CANCELLED:
                assert seen == {SlotStatus.CANCELLED}, seen
            else:
                assert status == BookingStatus.EXPIRED
                assert seen <= {SlotStatus.EXPIRED, SlotStatus.CANCELLED} and (
                    SlotStatus.EXPIRED in seen
                ), seen

    def check_ledger(self, facts: Facts) -> None:
        sums: Counter = Counter()
        per_account: Counter = Counter()
        for txn, account, amount in facts.entries:
            sums[txn] += amount
            per_account[account] += amount
        assert set(sums) == set(facts.txn_kinds)
        assert all(v == 0 for v in sums.values()), "an unbalanced ledger transaction"
        for pk, kind, _user, cached in facts.accounts:
            balance = per_account[pk]
            if kind in POOLED_KINDS:  # no cache: the balance is the entries' sum
                assert cached == 0, f"pooled account {pk} keeps a cache"
            else:
                assert cached == balance, f"account {pk} balance is not its entries' sum"
            assert balance >= 0 or kind in OUTSIDE_KINDS, f"account {pk} went negative"

    def check_refunds(self, facts: Facts) -> None:
        refunded: Counter = Counter()
        for s in facts.slots:
            refunded[s[1]] += s[7]
        succeeded: Counter = Counter()
        for payment_id, amount, status in facts.refunds:
            if status == RefundStatus.SUCCEEDED:
                succeeded[payment_id] += amount
        payments = {p[0]: p for p in facts.payments}
        for pk, (_u, _s, _e, total, booking_refunded, payment_id, _n) in facts.bookings.items():
            assert booking_refunded == refunded[pk] <= total
            if payment_id is not None:
                assert payments[payment_id][5] == booking_refunded
        for pk, *_r, refunded_fen, _ref in facts.payments:
            assert refunded_fen == succeeded[pk]

    def check_cards(self, facts: Facts) -> None:
        accounts = {user: pk for pk, _k, user, _b in facts.accounts if user is not None}
        for user in self.residents:
            account = accounts.get(user.pk)
            funded = sum(
                amount
                for txn, acc, amount in facts.entries
                if acc == account and facts.txn_kinds[txn] == "topup"
            )
            paid = refunded = 0
            for _pk, uid, method, status, amount, refunded_fen, _ref in facts.payments:
                if uid == user.pk and method == Method.STORED_VALUE and status == "succeeded":
                    paid += amount
                    refunded += refunded_fen
            assert facts.balance(user.pk) == funded - paid + refunded


def test_booking_state_machine(arena):
    from tiyu.accounts.services import user_create

    third = user_create(username="resident3", password="machine-pass-2026")
    BookingMachine.arena = arena
    BookingMachine.residents = [arena.world.resident, arena.resident2, third]
    run_state_machine_as_test(
        BookingMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


# Two sequences the machine found, pinned down as plain examples.


def test_one_order_cannot_hold_the_hall_and_its_part_at_the_same_hour(arena):
    start = arena.slot(arena.hall, 1, 10)
    with pytest.raises(DomainError) as err:
        booking_hold(
            user=arena.world.resident,
            venue_id=arena.venue.pk,
            slots=[SlotChoice(arena.hall.pk, start), SlotChoice(arena.part1.pk, start)],
        )
    assert err.value.code == "slots_overlap"
    assert not Booking.objects.exists() and not Occupancy.objects.exists()


def test_cancelling_a_slot_of_a_hold_lowers_what_paying_charges(arena):
    resident = arena.world.resident
    arena.fund(resident, 10_000)
    booking = booking_hold(
        user=resident,
        venue_id=arena.venue.pk,
        slots=[
            SlotChoice(arena.court3.pk, arena.slot(arena.court3, 1, 9)),
            SlotChoice(arena.court3.pk, arena.slot(arena.court3, 1, 10)),
        ],
    )
    booking_cancel(actor=resident, booking=booking, slot_ids=[booking.slots.first().pk])
    booking_pay(user=resident, number=booking.number, method=Method.STORED_VALUE)
    booking.refresh_from_db()
    assert booking.payment.amount_fen == 4000 == booking.total_fen
    assert arena.balance(resident) == 6000

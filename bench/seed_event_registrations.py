"""The registrations of the events benchmark, as the registration engine would have left them
(see `seed_events.py` for what is seeded): how many per event, who, for which city, when, in
which status. `seed_events.seed_registrations` loads the events and people and calls `write`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from netzerohub.events.models import Event, Registration

BATCH = 5_000
MEETING_SHARE = 0.4  # of the registrations
MEETING_FILL = (0.3, 0.75)  # share of a group's members registering for a meeting
POPULAR_SHARE = 0.06  # national events over-subscribed: full, with a waitlist
POPULAR_DEMAND = (1.0, 1.4)  # × capacity
WAITLIST_LIMIT = 1.4  # at most this many registrations per seat
UNLIMITED = 500  # the seats counted for an event without a capacity
CANCEL_SHARE = 0.06
OFFER_SHARE = 0.25  # of upcoming events with a waitlist: a seat freed and offered
ATTENDED_SHARE = 0.85
REGISTRATION_OPENS = dt.timedelta(days=180)  # before the start, at the earliest


@contextmanager
def _written_as_given(model: type[models.Model], name: str) -> Iterator[None]:
    """Write `model.name` (an `auto_now_add` field) as set on the instances, not as the time of
    seeding: registrations arrive over weeks, and the waitlist is ordered by that time."""
    found = model._meta.get_field(name)
    saved = found.auto_now_add
    found.auto_now_add = False
    try:
        yield
    finally:
        found.auto_now_add = saved


def allocate(total: int, weights: list[float], caps: list[int]) -> list[int]:
    """Whole numbers, each at most its cap, summing to `total` (or to all the caps when they
    hold less), roughly in proportion to `weights`."""
    counts = [0] * len(weights)
    left = min(total, sum(caps))
    open_ = [i for i, cap in enumerate(caps) if cap > 0]
    while left > 0 and open_:
        weight = sum(max(weights[i], 0.0) for i in open_)
        given = 0
        for i in open_:
            share = left * max(weights[i], 0.0) / weight if weight > 0 else left / len(open_)
            take = min(int(share), caps[i] - counts[i])
            counts[i] += take
            given += take
        if given == 0:  # what is left is smaller than any share: one each, largest first
            for i in sorted(open_, key=lambda i: -weights[i])[:left]:
                counts[i] += 1
                given += 1
        left -= given
        open_ = [i for i in open_ if counts[i] < caps[i]]
    return counts


@dataclass
class Plan:
    """One event as the registrations need it."""

    pk: int
    kind: str
    group_id: int | None
    capacity: int | None
    seats_per_city: int | None
    audience: str
    country_id: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    closes_at: dt.datetime
    offer_hours: int
    invited: list[int]

    @classmethod
    def load(cls, events) -> list[Plan]:
        invited: dict[int, list[int]] = defaultdict(list)
        Invited = Event.invited_cities.through
        for event_id, city_id in (
            Invited.objects.filter(event__in=events)
            .order_by("event_id", "city_id")
            .values_list("event_id", "city_id")
        ):
            invited[event_id].append(city_id)
        rows = events.order_by("pk").values_list(
            "pk",
            "kind",
            "group_id",
            "capacity",
            "seats_per_city",
            "audience",
            "country_id",
            "starts_at",
            "ends_at",
            "registration_deadline",
            "offer_hours",
        )
        plans = []
        for (
            pk,
            kind,
            group,
            cap,
            per_city,
            audience,
            country,
            starts,
            ends,
            deadline,
            hours,
        ) in rows:
            closes = starts if deadline is None else min(deadline, starts)
            plans.append(
                cls(
                    pk,
                    kind,
                    group,
                    cap,
                    per_city,
                    audience,
                    country,
                    starts,
                    ends,
                    closes,
                    hours,
                    invited.get(pk, []),
                )  # fmt: skip
            )
        return plans


class Writer:
    """Registrations built event by event, written in batches."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.rows: list[Registration] = []
        self.written = 0
        self.per_user: dict[int, int] = defaultdict(int)

    def add(self, row: Registration) -> None:
        self.rows.append(row)
        self.per_user[row.user_id] += 1
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        with _written_as_given(Registration, "created"):
            Registration.objects.bulk_create(self.rows, batch_size=BATCH)
        self.written += len(self.rows)
        self.rows = []


def _arrivals(plan: Plan, count: int, now: dt.datetime, rng: random.Random) -> list[dt.datetime]:
    """`count` registration times, in order, before the event closes and before `now`."""
    until = min(plan.closes_at, now) - dt.timedelta(minutes=1)
    since = plan.starts_at - REGISTRATION_OPENS
    if since >= until:  # opens in the future: people registered in the last month
        since = until - dt.timedelta(days=30)
    span = (until - since).total_seconds()
    return sorted(since + dt.timedelta(seconds=rng.random() * span) for _ in range(count))


def _register_event(
    plan: Plan,
    candidates: list[tuple[int, list[int]]],
    writer: Writer,
    rng: random.Random,
) -> int:
    """Write the registrations of `candidates` (in arrival order, each with the cities they
    may register for) as the engine would have left them; returns how many were written."""
    now = writer.now
    times = _arrivals(plan, len(candidates), now, rng)
    per_city: dict[int, int] = defaultdict(int)
    rows: list[Registration] = []
    holding = 0
    for (user_id, cities), created in zip(candidates, times, strict=True):
        if plan.seats_per_city is not None:
            cities = [c for c in cities if per_city[c] < plan.seats_per_city]
        if not cities:
            continue  # the city has used its seats: the engine would have refused
        city_id = rng.choice(cities)
        row = Registration(event_id=plan.pk, user_id=user_id, city_id=city_id, created=created)
        if rng.random() < CANCEL_SHARE:
            row.status = Registration.Status.CANCELLED
            row.cancelled_at = created + (min(plan.closes_at, now) - created) * rng.random()
        else:
            per_city[city_id] += 1
            if plan.capacity is None or holding < plan.capacity:
                row.status = Registration.Status.CONFIRMED
                row.confirmed_at = created
                holding += 1
            else:
                row.status = Registration.Status.WAITLISTED
        rows.append(row)
    confirmed = [r for r in rows if r.status == Registration.Status.CONFIRMED]
    waiting = [r for r in rows if r.status == Registration.Status.WAITLISTED]
    if plan.starts_at > now and waiting and confirmed and rng.random() < OFFER_SHARE:
        # One confirmed person cancelled an hour ago: the first one waiting was offered the seat.
        freed, first = confirmed[-1], waiting[0]
        offered_at = now - dt.timedelta(hours=1)
        freed.status = Registration.Status.CANCELLED
        freed.cancelled_at = offered_at
        first.status = Registration.Status.OFFERED
        first.offered_at = offered_at
        first.offer_expires_at = min(
            offered_at + dt.timedelta(hours=plan.offer_hours), plan.starts_at
        )
    if plan.ends_at <= now:
        for row in rows:
            if row.status == Registration.Status.CONFIRMED:
                row.attended = rng.random() < ATTENDED_SHARE
                row.reminded_day_at = plan.starts_at - dt.timedelta(hours=24)
                row.reminded_hour_at = plan.starts_at - dt.timedelta(hours=1)
    for row in rows:
        writer.add(row)
    return len(rows)


def _pool(plan: Plan, people: Any, members: dict[int, list[tuple[int, int]]]):
    """Who may register for `plan`, and for which of their cities: (users, cities_for)."""
    if plan.kind == Event.Kind.MEETING:
        own = dict(members.get(plan.group_id, []))
        return sorted(own), lambda user_id: [own[user_id]]
    if plan.audience == Event.Audience.COUNTRY:
        country = plan.country_id
        return people.by_country.get(country, []), lambda user_id: [
            c for c in people.cities_of[user_id] if people.country_of[c] == country
        ]
    if plan.audience == Event.Audience.INVITED:
        invited = set(plan.invited)
        users = sorted({u for c in plan.invited for u in people.by_city.get(c, [])})
        return users, lambda user_id: [c for c in people.cities_of[user_id] if c in invited]
    return people.users, lambda user_id: people.cities_of[user_id]


def _register_all(
    plans: list[Plan],
    counts: list[int],
    reserved: dict[int, list[int]],
    people: Any,
    members: dict[int, list[tuple[int, int]]],
    writer: Writer,
    seed_value: int,
    only_reserved: frozenset[int] = frozenset(),
) -> None:
    """Register `counts[i]` people for `plans[i]` (the `reserved` ones among them; the people
    of `only_reserved` nowhere else); a shortfall (an event whose cities used their seats) is
    carried to the next events."""
    carry = 0
    for plan, count in zip(plans, counts, strict=True):
        rng = random.Random(seed_value * 6_700_417 + plan.pk)
        users, cities_for = _pool(plan, people, members)
        mine = [u for u in reserved.get(plan.pk, []) if cities_for(u)]
        wanted = min(len(users), count + carry)
        taken = set(mine) | only_reserved
        chosen = list(mine)
        for user_id in rng.sample(users, min(len(users), wanted + len(taken))):
            if len(chosen) >= wanted:
                break
            if user_id not in taken:
                taken.add(user_id)
                chosen.append(user_id)
        rng.shuffle(chosen)
        written = _register_event(plan, [(u, cities_for(u)) for u in chosen], writer, rng)
        carry = max(0, count + carry - written)


def write(
    total: int,
    meetings: list[Plan],
    national: list[Plan],
    people: Any,
    members: dict[int, list[tuple[int, int]]],
    regular_ids: list[int],
    regular_range: tuple[int, int],
    seed_value: int,
    log: Callable[..., None],
) -> int:
    """Write `total` registrations: MEETING_SHARE of them for the meetings (by the groups'
    approved `members`), the rest for the `national` events; the `regular_ids` people get
    `regular_range` registrations in all. `people` is a `seed_events.People`. Returns how many
    were written (fewer than `total` only when the events and people cannot take more)."""
    rng = random.Random(seed_value)
    writer = Writer(timezone.now())
    started = time.monotonic()

    # Meetings: a share of each group's members, in all MEETING_SHARE of the target.
    sizes = [len(members.get(p.group_id, [])) for p in meetings]
    fills = [rng.uniform(*MEETING_FILL) * size for size in sizes]
    counts = allocate(round(MEETING_SHARE * total), fills, sizes)
    _register_all(meetings, counts, {}, people, members, writer, seed_value)
    writer.flush()
    log(f"    {writer.written:,} meeting registrations ({time.monotonic() - started:.0f}s)")

    # The regulars: registered for national events open to all, up to 20–60 in all.
    reserved: dict[int, list[int]] = defaultdict(list)
    open_to_all = [  # events where a city's seats never turn them away
        p.pk for p in national if p.audience == Event.Audience.ALL and p.seats_per_city is None
    ]
    for user_id in regular_ids:
        if user_id not in people.cities_of:
            continue
        wanted = rng.randint(*regular_range) - writer.per_user[user_id]
        for pk in rng.sample(open_to_all, max(0, min(wanted, len(open_to_all)))):
            reserved[pk].append(user_id)

    # National events: the over-subscribed ones fill up, the others share what is left; the
    # regulars' reservations count in.
    floors = [len(reserved.get(plan.pk, [])) for plan in national]
    budget = max(0, total - writer.written - sum(floors))
    weights, room, popular = [], [], []
    for plan, floor in zip(national, floors, strict=True):
        size = len(_pool(plan, people, members)[0])
        seats = plan.capacity or UNLIMITED
        hot = rng.random() < POPULAR_SHARE
        demand = rng.uniform(*POPULAR_DEMAND) if hot else rng.betavariate(1.2, 3.0)
        weights.append(demand * seats)
        room.append(max(0, min(size, math.ceil(WAITLIST_LIMIT * seats)) - floor))
        popular.append(hot)
    fixed = [
        min(space, max(0, round(weight) - floor)) if hot else 0
        for weight, space, floor, hot in zip(weights, room, floors, popular, strict=True)
    ]
    if sum(fixed) > budget:  # a small target: the popular events share it too
        fixed = allocate(budget, [float(f) for f in fixed], fixed)
    rest = allocate(
        budget - sum(fixed),
        [0.0 if hot else weight for weight, hot in zip(weights, popular, strict=True)],
        [space - f for space, f in zip(room, fixed, strict=True)],
    )
    counts = [sum(parts) for parts in zip(floors, fixed, rest, strict=True)]
    _register_all(
        national, counts, reserved, people, members, writer, seed_value, frozenset(regular_ids)
    )
    writer.flush()
    log(f"    {writer.written:,} registrations in all ({time.monotonic() - started:.0f}s)")
    return writer.written

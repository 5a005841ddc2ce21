"""The events benchmark's seeding and contention run, at toy scale: groups, meetings, national
events and registrations as the registration engine would have left them (seats, waitlist
order, one registration per person, the audience, the city's seats), the regulars' share,
idempotent; the contention run never overbooks and leaves nothing behind.

No timings here: speed is what `make bench` measures, not what tests assert.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import events_contention
import pytest
import seed
import seed_event_registrations as ser
import seed_events as se
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from netzerohub.cities.models import City, Country
from netzerohub.community.models import Group, GroupMembership, Phase
from netzerohub.core.models import AuditLog, Notification
from netzerohub.events.models import Event, Registration
from netzerohub.events.policies import registration_refusal

pytestmark = pytest.mark.django_db

TARGETS = se.Targets(
    groups=4,
    meetings=16,
    national=40,
    registrations=500,
    regulars=3,
    regular_registrations=(8, 12),
    members_per_group=(6, 10),
)


def quiet(*args: object) -> None:
    pass


@pytest.fixture
def people() -> None:
    Country.objects.create(code="FR", name="France", is_eu_member=True)
    Country.objects.create(code="NO", name="Norway", is_associated=True)
    seed.seed(seed.Targets(cities=30, users=60, memberships=180), log=quiet)


def test_seed_writes_groups_meetings_events_and_registrations(people):
    report = se.seed(TARGETS, log=quiet)

    assert report["groups"] == 4
    assert report["meetings"] == 16
    assert report["national_events"] == 40
    assert report["registrations"] == 500
    groups = se.bench_groups()
    assert groups.count() == 4
    assert set(groups.values_list("seats_per_city", flat=True)) == {2}
    for group in groups:
        assert group.facilitators.count() == 2
        assert Phase.objects.filter(group=group).count() == se.PHASES
        assert se.bench_meetings().filter(group=group).count() == 4
        members = GroupMembership.objects.filter(group=group)
        assert members.approved().count() >= 6
        per_city = Counter(members.values_list("city_id", flat=True))
        assert max(per_city.values()) <= 2
        for membership in members.approved():
            assert membership.user.memberships.approved().filter(city=membership.city).exists()
    national = se.bench_national()
    assert national.count() == 40
    assert set(national.values_list("status", flat=True)) == {"published"}
    assert all(20 <= e.capacity <= 500 for e in national)
    assert all(e.country_id for e in national)
    assert not national.filter(country__code="BY").exists()
    assert national.filter(fields__isnull=False).distinct().count() == 40
    assert not se.bench_meetings().exclude(audience="group").exists()
    assert se.bench_registrations().count() == 500
    assert se.bench_registrations().filter(event__kind="meeting").exists()


def test_registrations_are_what_the_engine_would_have_left(people):
    se.seed(TARGETS, log=quiet)
    now = timezone.now()

    users = get_user_model().objects.in_bulk()
    cities = City.objects.in_bulk()
    for event in se.bench_events():
        rows = list(Registration.objects.for_event(event).order_by("created", "id"))
        statuses = Counter(r.status for r in rows)
        holding = statuses["confirmed"] + statuses["offered"]
        if event.capacity is not None:
            assert holding <= event.capacity
        if statuses["waitlisted"]:  # nobody waits while a seat is free
            assert holding == event.capacity
            seated = [i for i, r in enumerate(rows) if r.status in Registration.HOLDING_SEAT]
            waiting = [i for i, r in enumerate(rows) if r.status == "waitlisted"]
            assert max(seated) < min(waiting)  # in the order of arrival
        assert len({r.user_id for r in rows}) == len(rows)  # one registration per person
        active = Counter(r.city_id for r in rows if r.is_active)
        if event.seats_per_city and active:
            assert max(active.values()) <= event.seats_per_city
        for row in rows:
            assert row.created <= now
            assert row.created < event.closes_at
            assert (row.confirmed_at is not None) == (row.status == "confirmed")
            if row.status == "offered":
                assert event.starts_at > now
                assert row.offer_expires_at <= event.starts_at
            if row.attended is not None:
                assert event.ends_at <= now and row.status == "confirmed"
            user = users[row.user_id]
            assert registration_refusal(event, user, cities[row.city_id]) is None
    statuses = Counter(se.bench_registrations().values_list("status", flat=True))
    assert statuses["confirmed"] > statuses["waitlisted"] + statuses["cancelled"]
    assert statuses["cancelled"]


def test_regulars_have_many_registrations(people):
    se.seed(TARGETS, log=quiet)

    regulars = se.regulars(TARGETS.regulars)
    assert len(regulars) == 3
    counts = dict(
        se.bench_registrations()
        .filter(user_id__in=regulars)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    low, high = TARGETS.regular_registrations
    for user_id in regulars:
        assert low <= counts.get(user_id, 0) <= high
        assert GroupMembership.objects.approved().filter(user_id=user_id).count() == 1
    facilitators = Group.facilitators.through.objects.values_list("user_id", flat=True)
    assert not set(regulars) & set(facilitators)


def test_seeding_again_adds_nothing_and_a_higher_target_tops_up(people):
    se.seed(TARGETS, log=quiet)
    before = (Event.objects.count(), Registration.objects.count(), GroupMembership.objects.count())

    again = se.seed(TARGETS, log=quiet)

    assert not any(v for k, v in again.items() if not k.endswith("_s"))
    after = (Event.objects.count(), Registration.objects.count(), GroupMembership.objects.count())
    assert after == before

    more = se.seed(
        se.Targets(
            groups=5,
            meetings=20,
            national=45,
            registrations=560,
            regulars=3,
            regular_registrations=(8, 12),
            members_per_group=(6, 10),
        ),
        log=quiet,
    )

    assert more["groups"] == 1
    assert more["meetings"] == 4
    assert more["national_events"] == 5
    assert more["registrations"] == 560
    assert se.bench_registrations().count() == 560
    assert Group.objects.filter(slug=se.group_slug(5)).exists()


def test_allocate_meets_the_total_within_the_caps():
    counts = ser.allocate(100, [5.0, 1.0, 1.0, 0.0], [30, 50, 50, 10])

    assert sum(counts) == 100
    assert counts[0] == 30
    assert all(c <= cap for c, cap in zip(counts, [30, 50, 50, 10], strict=True))
    assert sum(ser.allocate(1_000, [1.0, 1.0], [3, 4])) == 7


def test_contention_run_fills_the_event_and_cleans_up(people):
    se.seed(TARGETS, log=quiet)
    events = Event.objects.count()

    report = events_contention.run(workers=1, attempts=30, capacity=10)

    assert report["confirmed"] == 10
    assert report["waitlisted"] == 20
    assert not report["overbooked"]
    assert report["arrival_order_kept"]
    assert report["outcomes"] == {"confirmed": 10, "waitlisted": 20}
    assert "No overbooking" in events_contention.note(report)
    assert Event.objects.count() == events  # the event is gone, with its registrations
    assert not Registration.objects.filter(event__title=events_contention.TITLE).exists()
    assert not AuditLog.objects.filter(target_type="events.registration").exists()
    assert not Notification.objects.filter(kind__startswith="events.registration").exists()


def test_an_overbooked_event_is_reported_as_a_failure():
    report = {
        "workers": 16,
        "attempts": 2_000,
        "capacity": 500,
        "wall_s": 4.0,
        "registrations_per_second": 500.0,
        "latency_ms": {"p50": 30.0, "p95": 60.0, "max": 90.0},
        "outcomes": {"confirmed": 501, "waitlisted": 1_499},
        "confirmed": 501,
        "offered": 0,
        "waitlisted": 1_499,
        "overbooked": True,
        "full": False,
        "arrival_order_kept": True,
        "worker_failures": [],
    }

    assert "FAIL: OVERBOOKED" in events_contention.note(report)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_contention_run_never_overbooks(people):
    report = events_contention.run(workers=4, attempts=40, capacity=10)

    assert report["confirmed"] == 10
    assert report["waitlisted"] == 30
    assert not report["overbooked"]
    assert report["arrival_order_kept"]
    assert report["worker_failures"] == []
    assert not Event.objects.filter(title=events_contention.TITLE).exists()


def test_registrations_per_event_follow_demand(people):
    se.seed(TARGETS, log=quiet)

    per_event = defaultdict(int)
    for event_id in se.bench_registrations().values_list("event_id", flat=True):
        per_event[event_id] += 1
    assert len(per_event) > 20  # spread over many events, not piled on a few

"""The helpdesk benchmark's seeding at toy scale: tickets and messages as the services would have
left them (the clock's fields, statuses, counts, notes, requesters members of the ticket's city),
the working-time arithmetic equal to the calendar's, the state machine equal to the services',
idempotent and replaceable; the measured pages answer for the sessions the benchmark makes.

No timings here: speed is what `make bench` measures, not what tests assert.
"""

from __future__ import annotations

import datetime as dt
import random
from unittest import mock

import pytest
import run
import seed
import seed_helpdesk as sh
from django.db.models import Count
from django.utils import timezone

from netzerohub.cities.models import Country, Membership
from netzerohub.helpdesk import clock, services
from netzerohub.helpdesk.models import Message, Queue, RoutingRule, Ticket

pytestmark = pytest.mark.django_db

TARGETS = sh.Targets(tickets=200, messages=1_000, experts=12)
S = Ticket.Status


def quiet(*args: object) -> None:
    pass


@pytest.fixture
def people() -> None:
    Country.objects.create(code="FR", name="France", is_eu_member=True)
    Country.objects.create(code="NO", name="Norway", is_associated=True)
    seed.seed(seed.Targets(cities=30, users=60, memberships=180), log=quiet)


def test_seed_writes_the_configuration_queues_and_experts(people):
    report = sh.seed(TARGETS, log=quiet)

    assert report["tickets"] == 200 and report["messages"] == 1_000
    assert sh.bench_experts().count() == 12
    assert all(e.is_helpdesk_expert for e in sh.bench_experts())
    queues = sh.bench_queues()
    assert queues.count() == len(sh.QUEUES)
    for queue in queues:
        assert 3 <= queue.experts.count() <= 12
    placed = set(Queue.experts.through.objects.values_list("user_id", flat=True))
    assert placed == set(sh.bench_experts().values_list("pk", flat=True))
    assert Queue.objects.filter(is_default=True).count() == 1
    for category, _share in sh.CATEGORIES:
        assert RoutingRule.objects.filter(category=category).exists()


def test_tickets_are_consistent(people):
    sh.seed(TARGETS, log=quiet)
    calendar = clock.calendar()
    now = timezone.now()
    tickets = list(sh.bench_tickets().annotate(n=Count("messages")))

    assert len(tickets) == 200
    statuses = {t.status for t in tickets}
    assert {S.CLOSED} <= statuses and statuses & set(Ticket.ACTIVE)
    for t in tickets:
        assert t.message_count == t.n, t.pk
        assert t.created <= now and t.updated >= t.created
        if t.requester_id is None:  # a visitor
            assert t.contact_email.endswith(sh.VISITOR_DOMAIN) and t.access_token
            assert t.city_id is None and t.rating is None
        elif t.city_id is not None:
            assert Membership.objects.approved().filter(user=t.requester, city=t.city).exists()
        if t.status == S.UNVERIFIED:
            assert t.requester_id is None and t.queue_id is None and t.received_at is None
            assert t.message_count == 1
            continue
        assert t.queue_id is not None and t.received_at is not None
        assert t.first_response_due and t.resolution_due
        if t.status in Ticket.ACTIVE:
            assert t.first_response_due > t.received_at
        if t.status == S.NEW:
            assert t.first_response_at is None and t.message_count == 1
        else:
            assert t.first_response_at is not None and t.assignee_id is not None
            assert t.first_response_seconds == calendar.seconds_between(
                t.received_at, t.first_response_at
            )
        if t.status in (S.RESOLVED, S.CLOSED):
            assert t.resolution_seconds is not None
            worked = calendar.seconds_between(t.received_at, t.resolved_at)
            assert t.resolution_seconds == max(0, worked - t.paused_seconds)
            assert t.waiting_since == t.resolved_at  # resolving pauses the clock
        else:
            assert t.resolved_at is None and t.resolution_seconds is None and t.rating is None
        if t.status == S.CLOSED:
            assert t.closed_at - t.resolved_at >= dt.timedelta(days=sh.AUTO_CLOSE_DAYS)
            assert t.closed_at <= now
        if t.status == S.RESOLVED:
            assert now - t.resolved_at < dt.timedelta(days=sh.AUTO_CLOSE_DAYS)
        if t.status == S.WAITING:
            assert t.waiting_since is not None
        if t.status in (S.NEW, S.OPEN):
            assert t.waiting_since is None
        if t.rating is not None:
            assert 1 <= t.rating <= 5 and t.resolved_at < t.rated_at <= now


def test_messages_are_conversations(people):
    sh.seed(TARGETS, log=quiet)
    messages = list(sh.bench_messages().order_by("ticket_id", "created", "pk"))
    notes = [m for m in messages if m.kind == Message.Kind.NOTE]
    tickets = {t.pk: t for t in sh.bench_tickets()}
    experts = set(sh.bench_experts().values_list("pk", flat=True))

    assert len(messages) == 1_000
    assert 0.08 <= len(notes) / len(messages) <= 0.25
    assert not any(m.from_city for m in notes)
    assert all(m.author_id in experts for m in notes)
    first_of: dict[int, Message] = {}
    for message in messages:
        first_of.setdefault(message.ticket_id, message)
        ticket = tickets[message.ticket_id]
        assert message.created <= ticket.updated
        assert 80 <= len(message.body) <= 2_000
        if not message.from_city:
            assert message.author_id in experts
        elif ticket.requester_id:
            assert message.author_id == ticket.requester_id
    for pk, first in first_of.items():
        assert first.from_city and first.kind == Message.Kind.REPLY
        assert first.created == tickets[pk].created
    counts = sorted(t.message_count for t in tickets.values())
    assert counts[-1] >= 3 * sum(counts) / len(counts)  # skewed: a talkative few


def test_the_clock_equals_the_calendar(people):
    sh.seed_configuration(timezone.now())
    calendar = clock._load()
    today = dt.date.today()
    fast = sh.WorkingClock(calendar, today - dt.timedelta(days=800), today + dt.timedelta(days=400))
    now = int(timezone.now().timestamp())

    sh.check_clock(fast, now, cases=1_500, seed_value=7)
    # a window's end, a weekend and a holiday
    friday_five = dt.datetime(2026, 1, 2, 17, 0, tzinfo=calendar.zone)
    moment = int(friday_five.timestamp())
    assert fast.add(moment, 3600) == int(calendar.add(friday_five, 3600).timestamp())
    christmas = int(dt.datetime(2025, 12, 24, 16, 30, tzinfo=calendar.zone).timestamp())
    assert fast.add(christmas, 3600) == int(calendar.add(sh._utc(christmas), 3600).timestamp())


def test_the_simulation_moves_the_clock_as_the_services_do(people, member):
    """One conversation played through the real services (their clock frozen at each step)
    and through `Simulation`: the same fields."""
    sh.seed_configuration(timezone.now())
    sh.seed_experts(4)
    sh.seed_queues(1)
    calendar = clock._load()
    fast = sh.WorkingClock(calendar, dt.date(2025, 12, 1), dt.date(2026, 3, 1))
    expert = sh.bench_experts().order_by("pk").first()
    start = dt.datetime(2026, 1, 5, 10, 17, tzinfo=dt.UTC)  # a Monday
    steps = [  # (hours after the start, who, the status a helpdesk reply sets)
        (30, "helpdesk", S.WAITING),
        (80, "city", None),
        (85, "helpdesk", S.RESOLVED),
        (90, "city", None),
        (140, "helpdesk", S.WAITING),
        (170, "helpdesk", S.RESOLVED),
    ]
    with mock.patch("django.utils.timezone.now", return_value=start):
        ticket = services.open_ticket(
            actor=member,
            city=None,
            category="portal",
            subject="Sample question",
            description="A sample description.",
            priority="high",
        )
    sim = sh.Simulation(fast, int(start.timestamp()), 8 * 3600, 24 * 3600)
    for hours, who, status in steps:
        moment = start + dt.timedelta(hours=hours)
        with mock.patch("django.utils.timezone.now", return_value=moment):
            if who == "city":
                services.reply_as_city(ticket, actor=member, body="More details.")
                sim.city_reply(int(moment.timestamp()))
            else:
                services.reply_as_helpdesk(ticket, actor=expert, body="An answer.", status=status)
                sim.helpdesk_reply(int(moment.timestamp()), status)
    closing = start + dt.timedelta(hours=170, days=8)
    with mock.patch("django.utils.timezone.now", return_value=closing):
        services.close_resolved(now=closing)
    resolved = sim.resolved_at
    sim.set_status(S.CLOSED, int(closing.timestamp()))

    ticket.refresh_from_db()
    assert ticket.status == sim.status == S.CLOSED
    found = [
        ticket.first_response_due,
        ticket.resolution_due,
        ticket.first_response_at,
        ticket.first_response_seconds,
        ticket.waiting_since,
        ticket.paused_seconds,
        ticket.resolved_at,
        ticket.resolution_seconds,
        ticket.closed_at,
    ]
    assert found == [
        sh._utc(sim.first_response_due),
        sh._utc(sim.resolution_due),
        sh._utc(sim.first_response_at),
        sim.first_response_seconds,
        sh._utc(sim.waiting_since),
        sim.paused,
        sh._utc(resolved),
        sim.resolution_seconds,
        sh._utc(sim.closed_at),
    ]
    assert sim.paused > 0


def test_message_counts_add_up():
    plans = [
        sh.Plan(n, 0, 0, S.CLOSED, "portal", None, "normal", None, None, False, w, 2)
        for n, w in enumerate([0.1, 5.0, 1.0, 0.0, 2.5], start=1)
    ]
    plans[3].messages = 1

    sh._share_messages(plans, 40)

    assert sum(p.messages for p in plans) == 40
    assert plans[3].messages == 1
    assert plans[1].messages == max(p.messages for p in plans)


def test_every_fate_is_reachable():
    rng = random.Random(3)
    for fate in (S.NEW, S.OPEN, S.WAITING, S.RESOLVED, S.CLOSED):
        for count in range(1, 12):
            if fate == S.NEW:
                continue
            turns = sh._public_turns(rng, count, fate)
            assert len(turns) == count
            assert turns[0] == (False, turns[0][1])  # the helpdesk answers first
            last_city, last_status = turns[-1]
            if fate != S.OPEN or not last_city:
                assert not last_city
                assert last_status == (S.RESOLVED if fate == S.CLOSED else fate)


def test_seeding_again_adds_nothing_and_other_targets_replace(people):
    sh.seed(TARGETS, log=quiet)
    before = (
        list(sh.bench_tickets().order_by("pk").values_list("pk", "status", "message_count")),
        Message.objects.count(),
        Queue.objects.count(),
        RoutingRule.objects.count(),
        sh.bench_experts().count(),
    )

    again = sh.seed(TARGETS, log=quiet)

    assert not any(v for k, v in again.items() if not k.endswith("_s"))
    after = (
        list(sh.bench_tickets().order_by("pk").values_list("pk", "status", "message_count")),
        Message.objects.count(),
        Queue.objects.count(),
        RoutingRule.objects.count(),
        sh.bench_experts().count(),
    )
    assert after == before

    rebuilt = sh.seed(TARGETS, log=quiet, rebuild=True)

    assert rebuilt["tickets_deleted"] == 200 and rebuilt["tickets"] == 200
    assert sh.bench_tickets().count() == 200 and Message.objects.count() == 1_000

    other = sh.seed(sh.Targets(tickets=120, messages=500, experts=12), log=quiet)

    assert other["tickets_deleted"] == 200
    assert sh.bench_tickets().count() == 120
    assert Message.objects.count() == 500
    assert Queue.objects.count() == before[2]


def test_the_measured_pages_answer_for_the_sessions_run_makes(people, client):
    from netzerohub.helpdesk import manage_views, ticket_views

    if "Placeholder" in (manage_views.__doc__ or "") + (ticket_views.__doc__ or ""):
        pytest.skip("the helpdesk pages are not written yet")
    sh.seed(TARGETS, log=quiet)
    helpdesk = run.helpdesk_sessions(pages=20, members=10)

    assert helpdesk.queue == "bench-portal"
    assert len(helpdesk.expert_tickets) == 20 and len(helpdesk.member_tickets) == 10
    for page in run.helpdesk_pages(helpdesk):
        for path, cookie in zip(page.rotate or [page.path], page.cookies, strict=True):
            client.cookies.clear()
            client.cookies.load(cookie)
            response = client.get(path)
            assert response.status_code == 200, path

"""The helpdesk's writes: routing, assignment, the conversation and the clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from netzerohub.accounts.tests.factories import HelpdeskExpertFactory, UserFactory
from netzerohub.core.models import AuditLog, Notification
from netzerohub.helpdesk import services
from netzerohub.helpdesk.models import Category, Message, Priority, Ticket, WorkingTime

from .factories import QueueFactory, RoutingRuleFactory, ServiceLevelFactory

pytestmark = pytest.mark.django_db
S = Ticket.Status


def test_a_ticket_is_routed_assigned_and_timed_then_answered_paused_resumed_and_resolved():
    expert = HelpdeskExpertFactory()
    queue = QueueFactory(experts=[expert])
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    ServiceLevelFactory()
    asker = UserFactory()
    ticket = services.open_ticket(
        actor=asker, city=None, category=Category.PORTAL, subject="Login", description="Help"
    )
    assert (ticket.queue, ticket.assignee, ticket.status) == (queue, expert, S.NEW)
    assert ticket.first_response_due > ticket.received_at
    assert ticket.resolution_due > ticket.first_response_due

    services.reply_as_helpdesk(ticket, actor=expert, body="Which browser?", status=S.WAITING)
    ticket.refresh_from_db()
    assert ticket.status == S.WAITING and ticket.first_response_at is not None
    assert ticket.waiting_since is not None
    due = ticket.resolution_due

    services.reply_as_city(ticket, actor=asker, body="Firefox")
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN and ticket.waiting_since is None
    assert ticket.resolution_due >= due

    services.reply_as_helpdesk(ticket, actor=expert, body="Internal", note=True)
    services.reply_as_helpdesk(ticket, actor=expert, body="Fixed", status=S.RESOLVED)
    ticket.refresh_from_db()
    assert ticket.status == S.RESOLVED and ticket.resolution_seconds is not None
    assert ticket.message_count == 5
    assert Message.objects.public().filter(ticket=ticket).count() == 4

    later = timezone.now() + dt.timedelta(days=8)
    assert services.close_resolved(now=later) == 1
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    services.rate(ticket, actor=asker, rating=5, comment="Thanks")
    with pytest.raises(services.HelpdeskError):
        services.reply_as_city(ticket, actor=asker, body="One more thing")


# --- the conversation and the clock, step by step -------------------------------------------
# Default working time: Europe/Brussels, Monday–Friday 09:00–17:00. 2026-01-05 is a Monday.
# Normal priority: first response within 16 working hours, resolution within 40.

HOUR = 3600
BRUSSELS = ZoneInfo("Europe/Brussels")


def at(day, hour, minute=0):
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=BRUSSELS)


class Frozen:
    def __init__(self, moment):
        self.moment = moment

    def set(self, day, hour, minute=0):
        self.moment = at(day, hour, minute)


@pytest.fixture
def frozen(monkeypatch):
    clock_ = Frozen(at(5, 9))
    monkeypatch.setattr(timezone, "now", lambda: clock_.moment)
    return clock_


@pytest.fixture
def desk(db):
    expert = HelpdeskExpertFactory()
    colleague = HelpdeskExpertFactory()
    queue = QueueFactory(experts=[expert, colleague])
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    ServiceLevelFactory()
    return expert, colleague, queue


def opened(asker=None) -> Ticket:
    return services.open_ticket(
        actor=asker or UserFactory(),
        city=None,
        category=Category.PORTAL,
        subject="Login",
        description="Help",
    )


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def audited(action, ticket) -> int:
    return AuditLog.objects.filter(action=action, target_id=str(ticket.pk)).count()


def test_the_first_public_reply_opens_and_stops_the_first_response_clock_once(frozen, desk):
    expert, colleague, _ = desk
    ticket = opened()
    assert ticket.received_at == at(5, 9)
    assert ticket.first_response_due == at(6, 17)
    assert ticket.resolution_due == at(9, 17)
    assert audited("helpdesk.ticket.opened", ticket) == 1
    frozen.set(5, 11, 30)
    services.reply_as_helpdesk(ticket, actor=expert, body="Looking")
    ticket = fresh(ticket)
    assert ticket.status == S.OPEN
    assert (ticket.first_response_at, ticket.first_response_seconds) == (at(5, 11, 30), 9000)
    frozen.set(6, 10)
    services.reply_as_helpdesk(ticket, actor=colleague, body="Still looking")
    ticket = fresh(ticket)
    assert (ticket.first_response_at, ticket.first_response_seconds) == (at(5, 11, 30), 9000)
    assert ticket.assignee == expert  # a colleague's reply does not take the ticket
    assert audited("helpdesk.ticket.replied", ticket) == 2


def test_waiting_pauses_and_a_city_reply_moves_the_due_time_by_the_working_time_paused(
    frozen, desk
):
    expert = desk[0]
    asker = UserFactory()
    ticket = opened(asker)
    frozen.set(5, 10)
    services.reply_as_helpdesk(ticket, actor=expert, body="Which browser?", status=S.WAITING)
    ticket = fresh(ticket)
    assert (ticket.status, ticket.waiting_since) == (S.WAITING, at(5, 10))
    assert ticket not in Ticket.objects.overdue(at(30, 12))  # clock stopped
    frozen.set(7, 10)  # Monday 10:00 -> Wednesday 10:00: 16 working hours
    services.reply_as_city(ticket, actor=asker, body="Firefox")
    ticket = fresh(ticket)
    assert ticket.status == S.OPEN and ticket.waiting_since is None
    assert ticket.paused_seconds == 16 * HOUR
    assert ticket.resolution_due == at(13, 17)  # Friday 9 17:00 + 16 working hours
    assert ticket.first_response_due == at(6, 17)  # given already: unchanged
    assert audited("helpdesk.ticket.replied", ticket) == 2


def test_resolved_pauses_and_a_city_reply_reopens(frozen, desk):
    expert = desk[0]
    asker = UserFactory()
    ticket = opened(asker)
    frozen.set(5, 12)
    services.reply_as_helpdesk(ticket, actor=expert, body="Done", status=S.RESOLVED)
    ticket = fresh(ticket)
    assert (ticket.status, ticket.resolved_at, ticket.resolution_seconds) == (
        S.RESOLVED,
        at(5, 12),
        3 * HOUR,
    )
    assert Notification.objects.filter(user=asker, title__contains="resolved").count() == 1
    frozen.set(6, 12)
    services.reply_as_city(ticket, actor=asker, body="Not quite")
    ticket = fresh(ticket)
    assert ticket.status == S.OPEN
    assert ticket.resolved_at is None and ticket.resolution_seconds is None
    assert ticket.paused_seconds == 8 * HOUR
    assert ticket.resolution_due == at(12, 17)


def test_resolving_a_waiting_ticket_leaves_out_the_time_waited(frozen, desk):
    """Waiting two weeks for the city, then resolved: one working hour of work, on time."""
    expert = desk[0]
    asker = UserFactory()
    ticket = opened(asker)
    frozen.set(5, 10)
    services.reply_as_helpdesk(ticket, actor=expert, body="Send the file?", status=S.WAITING)
    frozen.set(19, 10)  # ten working days later
    services.change_ticket(ticket, actor=expert, status=S.RESOLVED)
    ticket = fresh(ticket)
    assert ticket.resolution_seconds == HOUR
    assert ticket.paused_seconds == 80 * HOUR
    assert ticket.resolution_due == at(23, 17)
    assert ticket.resolved_at <= ticket.resolution_due  # compliant
    frozen.set(20, 10)
    services.reply_as_city(ticket, actor=asker, body="Here it is")
    ticket = fresh(ticket)
    assert ticket.paused_seconds == 88 * HOUR and ticket.resolution_due == at(26, 17)


def test_closing_an_open_ticket_records_its_resolution(frozen, desk):
    expert = desk[0]
    ticket = opened()
    frozen.set(5, 11)
    services.change_ticket(ticket, actor=expert, status=S.CLOSED)
    ticket = fresh(ticket)
    assert (ticket.status, ticket.closed_at, ticket.resolved_at) == (S.CLOSED, at(5, 11), at(5, 11))
    assert ticket.resolution_seconds == 2 * HOUR
    assert audited("helpdesk.ticket.changed", ticket) == 1
    frozen.set(5, 12)
    services.change_ticket(ticket, actor=expert, status=S.OPEN)  # a coordinator's reopening
    ticket = fresh(ticket)
    assert ticket.closed_at is None and ticket.resolved_at is None


def test_a_note_changes_no_status_and_tells_only_the_helpdesk(frozen, desk):
    expert, colleague, _ = desk
    asker = UserFactory()
    ticket = opened(asker)
    services.reply_as_helpdesk(ticket, actor=expert, body="Waiting", status=S.WAITING)
    before = Notification.objects.filter(user=asker).count()
    services.reply_as_helpdesk(ticket, actor=expert, body="Secret note", note=True)
    ticket = fresh(ticket)
    assert ticket.status == S.WAITING
    assert Notification.objects.filter(user=asker).count() == before
    assert not Notification.objects.filter(body__contains="Secret").exclude(user=colleague).exists()
    # Unassigned: the queue's experts but the author are told.
    services.change_ticket(ticket, actor=expert, unassign=True)
    services.reply_as_helpdesk(ticket, actor=expert, body="Secret again", note=True)
    assert list(
        Notification.objects.filter(body__contains="Secret again").values_list("user", flat=True)
    ) == [colleague.pk]
    assert audited("helpdesk.ticket.noted", ticket) == 2
    assert Message.objects.public().filter(ticket=ticket, body__contains="Secret").count() == 0


def test_a_note_on_a_new_ticket_gives_no_first_response(frozen, desk):
    ticket = opened()
    services.reply_as_helpdesk(ticket, actor=desk[0], body="Hm", note=True)
    ticket = fresh(ticket)
    assert ticket.status == S.NEW and ticket.first_response_at is None


def test_a_priority_change_recomputes_due_times_keeping_the_time_paused(frozen, desk):
    ServiceLevelFactory(priority=Priority.HIGH, first_response_hours=4, resolution_hours=8)
    expert = desk[0]
    asker = UserFactory()
    ticket = opened(asker)
    frozen.set(5, 10)
    services.reply_as_helpdesk(ticket, actor=expert, body="?", status=S.WAITING)
    frozen.set(7, 10)
    services.reply_as_city(ticket, actor=asker, body="!")
    frozen.set(7, 11)
    services.change_ticket(ticket, actor=expert, priority=Priority.HIGH)
    ticket = fresh(ticket)
    assert ticket.first_response_due == at(5, 13)
    assert ticket.resolution_due == at(7, 17)  # 8 h + 16 h paused from Monday 09:00
    assert ticket.paused_seconds == 16 * HOUR
    assert audited("helpdesk.ticket.changed", ticket) == 1


def test_a_visitors_ticket_starts_when_confirmed_and_their_emails_never_carry_a_note(
    frozen, desk, django_capture_on_commit_callbacks
):
    expert = desk[0]
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.open_visitor_ticket(
            name="Vera Visitor",
            email="vera@example.org",
            category=Category.PORTAL,
            subject="Sign-up",
            description="How?",
        )
    assert ticket.status == S.UNVERIFIED and ticket.received_at is None
    assert len(mail.outbox) == 1 and ticket.get_visitor_url() in mail.outbox[0].body
    assert ticket not in Ticket.objects.received()
    with pytest.raises(services.HelpdeskError, match="not confirmed"):
        services.reply_as_helpdesk(ticket, actor=expert, body="Hi")
    with pytest.raises(services.HelpdeskError, match="Confirm"):
        services.reply_as_city(ticket, actor=None, body="More")
    frozen.set(6, 14)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.confirm_visitor_ticket(ticket) is True
    ticket = fresh(ticket)
    assert (ticket.status, ticket.queue, ticket.assignee) == (S.NEW, desk[2], expert)
    assert ticket.received_at == at(6, 14) and ticket.first_response_due == at(8, 14)
    assert audited("helpdesk.ticket.confirmed", ticket) == 1
    frozen.set(6, 15)
    assert services.confirm_visitor_ticket(ticket) is False
    assert fresh(ticket).received_at == at(6, 14)
    assert audited("helpdesk.ticket.confirmed", ticket) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_as_helpdesk(ticket, actor=expert, body="NOTE-XYZ internal", note=True)
        services.reply_as_helpdesk(ticket, actor=expert, body="The public answer")
        services.reply_as_helpdesk(ticket, actor=expert, body="NOTE-ABC internal", note=True)
        services.change_ticket(ticket, actor=expert, status=S.RESOLVED)
    to_visitor = [m for m in mail.outbox if "vera@example.org" in m.to]
    assert len(to_visitor) == 3  # confirm, the reply, resolved
    assert any("The public answer" in m.body for m in to_visitor)
    for message in to_visitor:
        assert "NOTE-" not in message.body and "NOTE-" not in message.subject
    # The visitor answers through their link: the ticket opens again.
    services.reply_as_city(ticket, actor=None, body="Thanks, one more")
    assert fresh(ticket).status == S.OPEN


def test_rating_once_from_one_to_five_once_resolved(frozen, desk):
    expert = desk[0]
    asker = UserFactory()
    ticket = opened(asker)
    with pytest.raises(services.HelpdeskError, match="once the ticket is resolved"):
        services.rate(ticket, actor=asker, rating=5)
    services.reply_as_helpdesk(ticket, actor=expert, body="Done", status=S.RESOLVED)
    for wrong in (0, 6, -1, "five", None):
        with pytest.raises(services.HelpdeskError, match="from 1 to 5"):
            services.rate(ticket, actor=asker, rating=wrong)
    services.rate(ticket, actor=asker, rating="4", comment="  Quick  ")
    ticket = fresh(ticket)
    assert (ticket.rating, ticket.rating_comment, ticket.rated_at) == (4, "Quick", at(5, 9))
    with pytest.raises(services.HelpdeskError, match="already rated"):
        services.rate(ticket, actor=asker, rating=5)
    assert fresh(ticket).rating == 4
    assert audited("helpdesk.ticket.rated", ticket) == 1


def test_a_closed_ticket_takes_no_reply_with_a_clear_message(frozen, desk):
    expert = desk[0]
    asker = UserFactory()
    ticket = opened(asker)
    services.change_ticket(ticket, actor=expert, status=S.CLOSED)
    with pytest.raises(services.HelpdeskError, match="closed and takes no more replies"):
        services.reply_as_city(ticket, actor=asker, body="Hello?")
    with pytest.raises(services.HelpdeskError, match="closed"):
        services.reply_as_helpdesk(ticket, actor=expert, body="Hello")
    services.reply_as_helpdesk(ticket, actor=expert, body="For the record", note=True)
    assert fresh(ticket).status == S.CLOSED
    assert fresh(ticket).message_count == 2


@pytest.mark.parametrize("status", [S.NEW, S.UNVERIFIED, "bogus"])
def test_change_ticket_refuses_new_unverified_and_unknown_statuses(frozen, desk, status):
    ticket = opened()
    services.reply_as_helpdesk(ticket, actor=desk[0], body="Hi")
    with pytest.raises(services.HelpdeskError):
        services.change_ticket(ticket, actor=desk[0], status=status)
    assert fresh(ticket).status == S.OPEN


def test_a_reply_refuses_an_unknown_status(frozen, desk):
    ticket = opened()
    with pytest.raises(services.HelpdeskError):
        services.reply_as_helpdesk(ticket, actor=desk[0], body="Hi", status=S.CLOSED)
    assert fresh(ticket).message_count == 1


def test_settings_without_working_time_give_no_due_times_not_an_error(frozen, desk):
    WorkingTime.objects.create(work_days="")
    expert = desk[0]
    asker = UserFactory()
    ticket = opened(asker)
    assert ticket.first_response_due is None and ticket.resolution_due is None
    services.reply_as_helpdesk(ticket, actor=expert, body="?", status=S.WAITING)
    frozen.set(7, 10)
    services.reply_as_city(ticket, actor=asker, body="!")
    services.change_ticket(ticket, actor=expert, priority=Priority.HIGH)
    services.change_ticket(ticket, actor=expert, status=S.RESOLVED)
    assert fresh(ticket).resolution_seconds == 0
    assert services.warn_before_breach() == 0


def test_every_reply_takes_the_tickets_row_lock(frozen, desk):
    """Two experts replying at once write one after the other: the ticket is read again
    FOR UPDATE (only its own row: PostgreSQL refuses the outer joins' nullable side)."""
    ticket = opened()
    with CaptureQueriesContext(connection) as queries:
        services.reply_as_helpdesk(ticket, actor=desk[0], body="One")
        services.reply_as_helpdesk(ticket, actor=desk[1], body="Two")
    if connection.features.has_select_for_update:
        locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
        assert len(locks) == 2
    assert fresh(ticket).message_count == 3

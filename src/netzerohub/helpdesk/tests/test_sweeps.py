"""The periodic sweep: auto-close of resolved tickets and warnings before a breach."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from netzerohub.accounts.tests.factories import HelpdeskExpertFactory, UserFactory
from netzerohub.core.models import AuditLog, Notification
from netzerohub.helpdesk import services
from netzerohub.helpdesk.models import Category, Priority, Ticket, WorkingTime

from .factories import QueueFactory, RoutingRuleFactory, ServiceLevelFactory

pytestmark = pytest.mark.django_db
S = Ticket.Status
BRUSSELS = ZoneInfo("Europe/Brussels")


def at(day, hour, minute=0):
    """January 2026 in Brussels; the 5th is a Monday."""
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=BRUSSELS)


class Frozen:
    def __init__(self, moment):
        self.moment = moment

    def set(self, moment):
        self.moment = moment


@pytest.fixture
def frozen(monkeypatch):
    clock_ = Frozen(at(5, 9))
    monkeypatch.setattr(timezone, "now", lambda: clock_.moment)
    return clock_


@pytest.fixture
def expert(db):
    expert = HelpdeskExpertFactory()
    RoutingRuleFactory(category=Category.PORTAL, queue=QueueFactory(experts=[expert]))
    ServiceLevelFactory()  # normal: first response 16 working hours, resolution 40
    return expert


def opened(priority=Priority.NORMAL) -> Ticket:
    return services.open_ticket(
        actor=UserFactory(),
        city=None,
        category=Category.PORTAL,
        subject="Sweep me",
        description="Help",
        priority=priority,
    )


def warnings(ticket, what) -> int:
    return Notification.objects.filter(
        title__startswith=f"Ticket #{ticket.pk}", title__contains=what
    ).count()


# --- auto-close ------------------------------------------------------------------------------


def resolved_on(moment, frozen, expert) -> Ticket:
    frozen.set(moment)
    ticket = opened()
    services.reply_as_helpdesk(ticket, actor=expert, body="Done", status=S.RESOLVED)
    return Ticket.objects.get(pk=ticket.pk)


def test_close_resolved_closes_only_tickets_resolved_long_enough_ago(frozen, expert):
    old = resolved_on(at(5, 10), frozen, expert)
    recent = resolved_on(at(9, 10), frozen, expert)
    reopened = resolved_on(at(5, 11), frozen, expert)
    services.reply_as_city(reopened, actor=reopened.requester, body="Not yet")
    still_open = resolved_on(at(5, 12), frozen, expert)
    services.change_ticket(still_open, actor=expert, status=S.OPEN)

    now = at(13, 10)  # 8 days after the first, 4 after the second (7 days by default)
    assert services.close_resolved(now=now) == 1
    old.refresh_from_db()
    assert (old.status, old.closed_at, old.resolved_at) == (S.CLOSED, now, at(5, 10))
    for other in (recent, reopened, still_open):
        other.refresh_from_db()
        assert other.status != S.CLOSED
    assert AuditLog.objects.filter(action="helpdesk.ticket.closed").count() == 1
    assert services.close_resolved(now=now) == 0  # once


def test_close_resolved_follows_the_configured_days(frozen, expert):
    WorkingTime.objects.create(auto_close_days=2)
    ticket = resolved_on(at(5, 10), frozen, expert)
    assert services.close_resolved(now=at(7, 9)) == 0
    assert services.close_resolved(now=at(7, 11)) == 1
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED


# --- warnings before a breach ----------------------------------------------------------------


def test_first_response_then_resolution_each_warned_once(frozen, expert):
    ticket = opened()  # first response due Tuesday 17:00, resolution Friday 17:00
    assert services.warn_before_breach(now=at(6, 12)) == 0  # 5 working hours left
    assert services.warn_before_breach(now=at(6, 13, 30)) == 1
    assert services.warn_before_breach(now=at(6, 13, 45)) == 0
    assert services.warn_before_breach(now=at(6, 18)) == 0  # late now, but warned once
    assert warnings(ticket, "first response due soon") == 1
    assert Notification.objects.filter(user=expert).count() == 2  # the new ticket, the warning

    frozen.set(at(7, 9))
    services.reply_as_helpdesk(ticket, actor=expert, body="On it")
    assert services.warn_before_breach(now=at(9, 12)) == 0
    assert services.warn_before_breach(now=at(9, 14)) == 1
    assert services.warn_before_breach(now=at(9, 14)) == 0
    assert warnings(ticket, "resolution due soon") == 1
    assert warnings(ticket, "first response") == 1


def test_both_due_times_in_the_window_are_warned_in_one_sweep(frozen, expert):
    ServiceLevelFactory(priority=Priority.URGENT, first_response_hours=1, resolution_hours=2)
    ticket = opened(Priority.URGENT)
    assert services.warn_before_breach(now=at(5, 9)) == 2
    assert services.warn_before_breach(now=at(5, 9)) == 0
    assert warnings(ticket, "first response") == 1 and warnings(ticket, "resolution") == 1


def test_a_late_ticket_is_told_late(frozen, expert):
    ticket = opened()
    assert services.warn_before_breach(now=at(7, 10)) == 1
    assert warnings(ticket, "is late: first response was due") == 1


def test_a_ticket_waiting_for_the_city_is_never_warned(frozen, expert):
    ticket = opened()
    services.reply_as_helpdesk(ticket, actor=expert, body="?", status=S.WAITING)
    assert services.warn_before_breach(now=at(30, 12)) == 0
    assert warnings(ticket, "resolution") == 0


def test_warn_hours_set_the_window(frozen, expert):
    WorkingTime.objects.create(warn_hours=16)
    opened()
    assert services.warn_before_breach(now=at(5, 9)) == 0  # due exactly at the horizon
    assert services.warn_before_breach(now=at(5, 9, 1)) == 1


def test_no_warn_hours_warns_only_when_late(frozen, expert):
    WorkingTime.objects.create(warn_hours=0)
    opened()
    assert services.warn_before_breach(now=at(6, 16, 59)) == 0
    assert services.warn_before_breach(now=at(6, 17, 1)) == 1


def test_a_priority_change_rearms_the_warnings(frozen, expert):
    ServiceLevelFactory(priority=Priority.HIGH, first_response_hours=8, resolution_hours=24)
    ticket = opened()
    assert services.warn_before_breach(now=at(6, 14)) == 1
    frozen.set(at(6, 14))
    services.change_ticket(ticket, actor=expert, priority=Priority.HIGH)
    ticket.refresh_from_db()
    assert not ticket.first_response_warned and not ticket.resolution_warned
    # High: first response was due Monday 17:00, resolution Wednesday 17:00.
    assert services.warn_before_breach(now=at(6, 14)) == 1
    assert warnings(ticket, "is late: first response") == 1
    assert services.warn_before_breach(now=at(7, 14)) == 1
    assert warnings(ticket, "resolution due soon") == 1


def test_a_resumed_clock_rearms_the_resolution_warning_only_when_its_due_time_moved(frozen, expert):
    ticket = opened()  # resolution due Friday 9 17:00
    frozen.set(at(9, 10))
    services.reply_as_helpdesk(ticket, actor=expert, body="?", status=S.WAITING)
    frozen.set(at(9, 11))
    services.reply_as_city(ticket, actor=ticket.requester, body="!")
    ticket.refresh_from_db()
    assert ticket.resolution_due == at(12, 10)  # moved by one working hour
    assert services.warn_before_breach(now=at(9, 14)) == 0
    assert services.warn_before_breach(now=at(9, 14, 30)) == 1
    # Paused over the weekend only: the due time does not move and nobody is told twice.
    frozen.set(at(9, 17, 30))
    services.reply_as_helpdesk(ticket, actor=expert, body="??", status=S.WAITING)
    frozen.set(at(11, 12))
    services.reply_as_city(ticket, actor=ticket.requester, body="!!")
    ticket.refresh_from_db()
    assert ticket.resolution_due == at(12, 10) and ticket.resolution_warned
    assert services.warn_before_breach(now=at(12, 9)) == 0
    assert warnings(ticket, "resolution") == 1


# --- the command -----------------------------------------------------------------------------


def test_the_command_runs_one_sweep_and_says_what_it_did(frozen, expert):
    resolved_on(at(5, 10), frozen, expert)
    opened()  # first response due Tuesday 17:00
    frozen.set(at(14, 10))
    out = StringIO()
    call_command("run_helpdesk_jobs", stdout=out)
    assert out.getvalue().strip() == "closed 1 resolved ticket(s); sent 2 warning(s)"
    out = StringIO()
    call_command("run_helpdesk_jobs", stdout=out)
    assert out.getvalue().strip() == "closed 0 resolved ticket(s); sent 0 warning(s)"


def test_the_command_refuses_a_negative_loop(frozen, expert):
    out, err = StringIO(), StringIO()
    call_command("run_helpdesk_jobs", "--loop", "-5", stdout=out, stderr=err)
    assert "at least 1" in err.getvalue() and out.getvalue() == ""


# --- the overdue list --------------------------------------------------------------------------


def test_overdue_means_a_running_clock_past_a_due_time(frozen, expert):
    unanswered = opened()  # first response due Tuesday 17:00, resolution Friday 17:00
    answered = opened()
    waiting = opened()
    resolved = opened()
    frozen.set(at(5, 10))
    services.reply_as_helpdesk(answered, actor=expert, body="On it")
    services.reply_as_helpdesk(waiting, actor=expert, body="?", status=S.WAITING)
    services.reply_as_helpdesk(resolved, actor=expert, body="Done", status=S.RESOLVED)
    assert set(Ticket.objects.overdue(at(6, 16))) == set()
    assert set(Ticket.objects.overdue(at(6, 18))) == {unanswered}
    # First response given in time, resolution late: overdue all the same.
    assert set(Ticket.objects.overdue(at(12, 9))) == {unanswered, answered}

"""Reminders 24 hours and 1 hour before an event, and the sweep command that sends those due
and expires seat offers: each reminder goes out once, at its time, to confirmed people only."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from netzerohub.events import registration as engine
from netzerohub.events import reminders, services, tasks
from netzerohub.events.management.commands import run_event_jobs
from netzerohub.events.models import Registration

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def mails(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the emails of notifications) and give the outbox."""

    class Outbox:
        def __enter__(self):
            mail.outbox.clear()
            self.capture = django_capture_on_commit_callbacks(execute=True)
            self.capture.__enter__()
            return mail.outbox

        def __exit__(self, *exc):
            return self.capture.__exit__(*exc)

    return Outbox()


def reminder_mails(outbox, which="day"):
    words = "Tomorrow" if which == "day" else "In one hour"
    return [m for m in outbox if words in m.subject]


def test_a_reminder_is_sent_once_even_when_the_task_runs_twice(mails):
    event = EventFactory(starts_at=timezone.now() + 23 * HOUR)
    registration = RegistrationFactory(event=event)
    with mails as outbox:
        assert tasks.send_event_reminders.call(event.pk, "day") == 1
        assert tasks.send_event_reminders.call(event.pk, "day") == 0
    sent = reminder_mails(outbox)
    assert len(sent) == 1 and sent[0].to == [registration.user.email]
    assert event.title in sent[0].subject
    registration.refresh_from_db()
    assert registration.reminded_day_at is not None


def test_the_task_and_the_sweep_at_once_still_send_one(mails):
    event = EventFactory(starts_at=timezone.now() + 23 * HOUR)
    RegistrationFactory(event=event)
    with mails as outbox:
        reminders.send_reminders(event.pk, "day")
        reminders.send_due_reminders()
    assert len(reminder_mails(outbox)) == 1


def test_nothing_is_sent_before_the_reminder_is_due(mails):
    event = EventFactory()
    RegistrationFactory(event=event)
    too_early = event.starts_at - 24 * HOUR - reminders.EARLY - dt.timedelta(minutes=1)
    with mails as outbox:
        assert reminders.send_reminders(event.pk, "day", now=too_early) == 0
        assert reminders.send_due_reminders(now=too_early) == 0
        due = event.starts_at - 24 * HOUR
        assert reminders.send_reminders(event.pk, "day", now=due) == 1
    assert len(reminder_mails(outbox)) == 1


def test_nothing_is_sent_once_the_event_has_started(mails):
    event = EventFactory()
    RegistrationFactory(event=event)
    with mails as outbox:
        for which in ("day", "hour"):
            assert reminders.send_reminders(event.pk, which, now=event.starts_at) == 0
        assert reminders.send_due_reminders(now=event.starts_at + dt.timedelta(minutes=1)) == 0
    assert outbox == []


def test_only_confirmed_people_are_reminded(mails):
    event = EventFactory(capacity=5)
    confirmed = RegistrationFactory(event=event)
    for status in (Status.WAITLISTED, Status.CANCELLED, Status.OFFERED, Status.EXPIRED):
        RegistrationFactory(event=event, status=status)
    with mails as outbox:
        sent = reminders.send_reminders(event.pk, "hour", now=event.starts_at - HOUR)
    assert sent == 1
    assert [m.to for m in reminder_mails(outbox, "hour")] == [[confirmed.user.email]]


def test_drafts_and_cancelled_events_send_no_reminder(mails):
    draft = EventFactory(status="draft")
    cancelled = EventFactory(status="cancelled")
    for event in (draft, cancelled):
        RegistrationFactory(event=event)
    with mails as outbox:
        for event in (draft, cancelled):
            assert reminders.send_reminders(event.pk, "day", now=event.starts_at - 24 * HOUR) == 0
    assert outbox == []


def test_a_rescheduled_events_old_reminder_does_nothing(mails, coordinator):
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    old_start = event.starts_at
    event.starts_at = old_start + dt.timedelta(days=3)
    event.ends_at = event.starts_at + 2 * HOUR
    services.save_event(event, actor=coordinator)
    with mails as outbox:
        # the task scheduled for the old time runs, and finds the event moved
        assert reminders.send_reminders(event.pk, "day", now=old_start - 24 * HOUR) == 0
        assert reminders.send_reminders(event.pk, "hour", now=old_start - HOUR) == 0
        # at the new time it is sent
        assert reminders.send_reminders(event.pk, "day", now=event.starts_at - 24 * HOUR) == 1
    assert len(reminder_mails(outbox)) == 1
    registration.refresh_from_db()
    assert registration.reminded_day_at == event.starts_at - 24 * HOUR


def test_an_hour_before_only_the_hour_reminder_goes(mails):
    """Someone registered late is not told "tomorrow" as well, an hour before the start."""
    event = EventFactory()
    RegistrationFactory(event=event)
    with mails as outbox:
        assert reminders.send_due_reminders(now=event.starts_at - HOUR) == 1
    assert len(reminder_mails(outbox, "hour")) == 1
    assert reminder_mails(outbox, "day") == []


def test_the_sweep_sends_each_due_reminder(mails):
    soon = EventFactory(starts_at=timezone.now() + 30 * dt.timedelta(minutes=1))
    tomorrow = EventFactory(starts_at=timezone.now() + 23 * HOUR)
    later = EventFactory(starts_at=timezone.now() + 72 * HOUR)
    for event in (soon, tomorrow, later):
        RegistrationFactory(event=event)
    with mails as outbox:
        assert reminders.send_due_reminders() == 2
        assert reminders.send_due_reminders() == 0  # a second sweep finds nothing to do
    assert len(reminder_mails(outbox, "hour")) == 1
    assert len(reminder_mails(outbox, "day")) == 1
    assert not Registration.objects.filter(event=later, reminded_day_at__isnull=False).exists()


def test_the_command_sends_due_reminders_and_says_so(mails):
    event = EventFactory(starts_at=timezone.now() + 23 * HOUR)
    RegistrationFactory(event=event)
    out = io.StringIO()
    with mails as outbox:
        call_command("run_event_jobs", stdout=out)
        call_command("run_event_jobs", stdout=out)
    assert len(reminder_mails(outbox)) == 1
    lines = out.getvalue().splitlines()
    assert "1 reminder(s) sent" in lines[0] and "0 reminder(s) sent" in lines[1]


def test_the_command_expires_offers_and_passes_the_seat_on(mails):
    event = EventFactory(capacity=1)
    holder, first, second = (
        RegistrationFactory(event=event),
        RegistrationFactory(event=event, status=Status.WAITLISTED),
        RegistrationFactory(event=event, status=Status.WAITLISTED),
    )
    engine.cancel_registration(holder, actor=holder.user)
    first.refresh_from_db()
    assert first.status == Status.OFFERED
    out = io.StringIO()
    call_command("run_event_jobs", stdout=out)  # not yet expired: nothing happens
    first.refresh_from_db()
    assert first.status == Status.OFFERED and "0 seat offer(s) expired" in out.getvalue()
    Registration.objects.filter(pk=first.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with mails as outbox:
        call_command("run_event_jobs", stdout=out)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.EXPIRED
    assert second.status == Status.OFFERED
    assert "1 seat offer(s) expired" in out.getvalue().splitlines()[-1]
    assert any("A seat is free" in m.subject and m.to == [second.user.email] for m in outbox)


def test_the_command_loops_until_stopped(monkeypatch):
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(run_event_jobs.time, "sleep", sleep)
    # between sweeps the command drops a stale connection; here it is the test's transaction
    monkeypatch.setattr(run_event_jobs, "close_old_connections", lambda: None)
    out = io.StringIO()
    call_command("run_event_jobs", "--loop", "30", stdout=out)
    lines = out.getvalue().splitlines()
    assert sleeps == [30, 30]
    assert sum("reminder(s) sent" in line for line in lines) == 2
    assert lines[-1] == "Stopped."

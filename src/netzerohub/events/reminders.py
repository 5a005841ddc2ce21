"""Reminders 24 hours and 1 hour before an event, to everyone confirmed.

Each reminder is claimed per registration with a conditional update (`reminded_day_at IS NULL`),
so a task run twice, or a task and the sweep at once, send it once. Publishing or moving an event
schedules its two reminder tasks; a task that finds the event moved since does nothing (the move
scheduled new ones), and the sweep catches whatever a worker missed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from netzerohub.core.notifications import notify
from netzerohub.core.tasks import enqueue_at

from . import tasks
from .models import Event, Registration
from .times import describe_time

# which -> (how long before the start, the registration's field)
REMINDERS = {
    "day": (timedelta(hours=24), "reminded_day_at"),
    "hour": (timedelta(hours=1), "reminded_hour_at"),
}
# A task that runs a little early (clocks, queues) still counts.
EARLY = timedelta(minutes=5)


def schedule_reminders(event: Event) -> None:
    """Enqueue the event's reminders after the transaction commits (a published event only)."""
    if event.status != Event.Status.PUBLISHED:
        return
    for which, (before, _field) in REMINDERS.items():
        when = event.starts_at - before
        if when > timezone.now():
            transaction.on_commit(
                partial(enqueue_at, tasks.send_event_reminders, when, event.pk, which)
            )


def is_due(event: Event, which: str, now: datetime) -> bool:
    """From `before` the start until a shorter reminder takes over (nobody is told "tomorrow"
    an hour before the start, or gets both at once), and never once it has started."""
    before, _field = REMINDERS[which]
    shorter = [other for other, _f in REMINDERS.values() if other < before]
    until = event.starts_at - max(shorter) - EARLY if shorter else event.starts_at
    return event.starts_at - before - EARLY <= now < until


def send_reminders(event_id: int, which: str, *, now: datetime | None = None) -> int:
    """Remind each confirmed participant of `event_id` once; how many were reminded."""
    now = now or timezone.now()
    event = Event.objects.filter(pk=event_id, status=Event.Status.PUBLISHED).first()
    if event is None or not is_due(event, which, now):
        return 0
    _before, field = REMINDERS[which]
    pending = (
        Registration.objects.for_event(event)
        .confirmed()
        .filter(**{f"{field}__isnull": True})
        .select_related("user")
    )
    sent = 0
    for registration in pending:
        claimed = Registration.objects.filter(
            pk=registration.pk, status="confirmed", **{f"{field}__isnull": True}
        ).update(**{field: now})
        if not claimed:
            continue  # another run took it
        user = registration.user
        with override(user.preferred_language):
            title = (
                _("Tomorrow: %(title)s") if which == "day" else _("In one hour: %(title)s")
            ) % {"title": event.title}
            body = _("“%(title)s” starts on %(when)s.") % {
                "title": event.title,
                "when": describe_time(event.starts_at, user.time_zone),
            }
        notify(
            [user],
            kind=f"events.reminder.{which}",
            title=title,
            body=body,
            url=event.get_absolute_url(),
        )
        sent += 1
    return sent


def send_due_reminders(*, now: datetime | None = None) -> int:
    """The sweep: every reminder due now that has not been sent."""
    now = now or timezone.now()
    sent = 0
    for which, (before, field) in REMINDERS.items():
        events = (
            Event.objects.filter(
                status=Event.Status.PUBLISHED,
                starts_at__gt=now,
                starts_at__lte=now + before + EARLY,
                registrations__status="confirmed",
                **{f"registrations__{field}__isnull": True},
            )
            .values_list("pk", flat=True)
            .distinct()
        )
        for event_id in list(events):
            sent += send_reminders(event_id, which, now=now)
    return sent

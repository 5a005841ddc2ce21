"""Writes of the people who run events: save (create, edit, publish), cancel, attendance, and
each person's calendar feed. Registrations themselves are the engine's (`registration`).

Every function is atomic and audited; notifications and tasks go out after commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.core import personal_data
from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.notifications import notify

from .caching import content_changed, registrations_changed
from .models import CalendarFeed, Event, Registration
from .registration import RegistrationError, lock_event, offer_free_seats
from .reminders import schedule_reminders
from .times import describe_time

register_labels(
    {
        "events.event.created": _l("Event created"),
        "events.event.updated": _l("Event changed"),
        "events.event.published": _l("Event published"),
        "events.event.cancelled": _l("Event cancelled"),
        "events.attendance.recorded": _l("Attendance recorded"),
        "events.feed.created": _l("Calendar address created"),
        "events.feed.revoked": _l("Calendar address revoked"),
    }
)

# Changes that registrants are told about.
NOTIFIED_FIELDS = ("starts_at", "ends_at", "venue", "format", "video_url")


def validate_event(event: Event) -> None:
    """The rules a model form alone cannot state; raises ValidationError by field."""
    errors: dict[str, str] = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    deadline = event.registration_deadline
    if deadline and event.starts_at and deadline > event.starts_at:
        errors["registration_deadline"] = _("Registration must close before the start.")
    if event.kind == Event.Kind.MEETING:
        if event.group_id is None:
            errors["group"] = _("A meeting belongs to a peer group.")
    elif event.audience == Event.Audience.GROUP:
        errors["audience"] = _("Only a group's meetings are open to the group's members.")
    if event.kind == Event.Kind.STUDY_VISIT:
        if event.offer_id is None:
            errors["offer"] = _("A study visit is hosted through a host offer of a call.")
    elif event.audience == Event.Audience.CALL:
        errors["audience"] = _("Only study visits are open to the accepted cities of a call.")
    if event.audience == Event.Audience.COUNTRY and event.country_id is None:
        errors["country"] = _("Choose the country whose cities may register.")
    if event.format in (Event.Format.IN_PERSON, Event.Format.HYBRID) and not event.venue.strip():
        errors["venue"] = _("Give the venue of an event that takes place in person.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_event(
    event: Event, *, actor: Any, m2m: Mapping[str, Iterable[Any]] | None = None
) -> Event:
    """Create or change `event` (an instance with the new values, e.g. from a form).

    A larger capacity offers the freed seats to the people waiting; a new time reschedules the
    reminders; registrants are told when the time, the place or the video link change.
    """
    validate_event(event)
    created = event.pk is None
    before: dict[str, Any] = {}
    if created:
        event.created_by = actor if actor is not None and actor.is_authenticated else None
    else:
        lock_event(event.pk)
        before = Event.objects.filter(pk=event.pk).values(*NOTIFIED_FIELDS, "status").get()
        if before["status"] == Event.Status.CANCELLED:
            raise ValidationError(_("A cancelled event cannot be changed."))
    event.save()
    for name, values in (m2m or {}).items():
        getattr(event, name).set(values)
    changed = [name for name in NOTIFIED_FIELDS if before and before[name] != getattr(event, name)]
    content_changed()
    log_action(
        "events.event.created" if created else "events.event.updated",
        actor=actor,
        target=event,
        data={"kind": event.kind, "changed": changed},
    )
    if event.status == Event.Status.PUBLISHED:
        now = timezone.now()
        if not created and before["status"] != Event.Status.PUBLISHED:
            log_action("events.event.published", actor=actor, target=event)
        offer_free_seats(event, now=now)
        if created or "starts_at" in changed or before.get("status") != event.status:
            schedule_reminders(event)
        if changed:
            _tell_registrants(
                event,
                kind="events.event.changed",
                title=_("Changed: %(title)s") % {"title": event.title},
                body=_("The details of “%(title)s” have changed; it now starts on %(when)s."),
            )
    return event


@transaction.atomic
def cancel_event(event: Event, *, actor: Any, reason: str = "") -> Event:
    """Cancel `event`: it stays on the calendar marked cancelled, and everyone registered (or
    waiting) is told, with the reason."""
    event = lock_event(event.pk)
    if event.status == Event.Status.CANCELLED:
        raise RegistrationError(_("This event is already cancelled."))
    event.status = Event.Status.CANCELLED
    event.cancelled_at = timezone.now()
    event.cancel_reason = reason.strip()
    event.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated"])
    log_action("events.event.cancelled", actor=actor, target=event, data={"reason": reason})
    content_changed()
    body = _("“%(title)s” on %(when)s is cancelled.")
    if event.cancel_reason:
        body += " " + _("Reason given by the organisers: %(reason)s") % {
            "reason": event.cancel_reason.replace("%", "%%")
        }
    _tell_registrants(
        event,
        kind="events.event.cancelled",
        title=_("Cancelled: %(title)s") % {"title": event.title},
        body=body,
    )
    return event


def _tell_registrants(event: Event, *, kind: str, title: str, body: str) -> None:
    registrations = Registration.objects.for_event(event).active().select_related("user")
    for registration in registrations:
        user = registration.user
        text = body % {"title": event.title, "when": describe_time(event.starts_at, user.time_zone)}
        notify([user], kind=kind, title=title, body=text, url=event.get_absolute_url())


@transaction.atomic
def record_attendance(event: Event, attended: Mapping[int, bool | None], *, actor: Any) -> int:
    """Set who attended (`{registration id: True/False/None}`) among the event's confirmed
    registrations; ids of other events or other statuses are ignored. Returns how many changed."""
    registrations = {
        r.pk: r
        for r in Registration.objects.for_event(event).confirmed().filter(pk__in=list(attended))
    }
    changed = []
    for pk, value in attended.items():
        registration = registrations.get(pk)
        if registration is not None and registration.attended != value:
            registration.attended = value
            changed.append(registration)
    Registration.objects.bulk_update(changed, ["attended"])
    registrations_changed(r.user_id for r in changed)
    if changed:
        log_action(
            "events.attendance.recorded",
            actor=actor,
            target=event,
            data={"attended": sum(1 for r in changed if r.attended), "changed": len(changed)},
        )
    return len(changed)


@transaction.atomic
def create_feed(*, user: Any) -> CalendarFeed:
    """A new personal calendar address for `user`; any earlier one stops working."""
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    feed = CalendarFeed.objects.create(user=user)
    log_action("events.feed.created", actor=user, target=feed)
    return feed


@transaction.atomic
def revoke_feed(*, user: Any) -> int:
    """Stop every calendar address of `user` (they answer 404 from now on)."""
    count = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if count:
        log_action("events.feed.revoked", actor=user, target=user)
    return count


def _personal_data(user: Any) -> list[dict[str, Any]]:
    rows = Registration.objects.for_user(user).select_related("event", "city").order_by("created")
    return [
        {
            "event": r.event.title,
            "starts": r.event.starts_at.isoformat(),
            "city": r.city.name,
            "status": r.status,
            "registered": r.created.isoformat(),
            "attended": r.attended,
        }
        for r in rows
    ]


personal_data.register("event_registrations", _personal_data)

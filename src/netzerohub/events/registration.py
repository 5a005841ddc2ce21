"""The registration engine for everything with seats: meetings, national events and (later)
study visits.

Rules, all enforced here and nowhere else:

- Places left = capacity − confirmed − offered, counted from the registrations; every write
  takes a row lock on the event first (`SELECT … FOR UPDATE` on PostgreSQL; SQLite serialises
  writers with IMMEDIATE transactions), so two requests never both take the last seat.
- A registration is confirmed while places are left and nobody waits; otherwise it joins the
  waitlist, ordered by (−priority, arrival).
- When a seat is freed (a cancellation, a declined or expired offer, a larger capacity), the first
  person waiting gets an offer valid for the event's `offer_hours` (never past the start); an
  offer that expires passes on to the next person.
- One active registration per person and event; at most `seats_per_city` active registrations
  (confirmed, offered or waiting) per city; registration closes at the deadline (or the start).
- Every step is audited and tells the person by notification and email once the transaction
  commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.notifications import notify
from netzerohub.core.tasks import enqueue_at

from . import tasks
from .models import Event, Registration
from .policies import registration_refusal
from .times import describe_time

register_labels(
    {
        "events.registration.confirmed": _l("Registered for an event"),
        "events.registration.waitlisted": _l("Put on an event's waitlist"),
        "events.registration.offered": _l("Offered a freed seat"),
        "events.registration.accepted": _l("Took an offered seat"),
        "events.registration.cancelled": _l("Cancelled a registration"),
        "events.registration.expired": _l("A seat offer expired"),
    }
)

Status = Registration.Status


class RegistrationError(Exception):
    """A registration the engine refuses; the message is shown to the person as it is."""


def lock_event(event_id: int) -> Event:
    """The event, locked for this transaction: the one door to changing its seats."""
    return Event.objects.select_for_update().get(pk=event_id)


def seats_taken(event: Event) -> int:
    return Registration.objects.for_event(event).holding_seat().count()


def places_left(event: Event) -> int | None:
    """Seats not confirmed or offered; None for an event without a capacity."""
    if event.capacity is None:
        return None
    return max(event.capacity - seats_taken(event), 0)


def check_open(event: Event, now: datetime) -> None:
    """Refuse with the reason when `event` takes no registrations at `now`."""
    if event.status == Event.Status.CANCELLED:
        raise RegistrationError(_("This event has been cancelled."))
    if event.status != Event.Status.PUBLISHED:
        raise RegistrationError(_("This event is not open for registration."))
    if now >= event.closes_at:
        raise RegistrationError(
            _("Registration closed on %(when)s.")
            % {"when": describe_time(event.closes_at, timezone.get_current_timezone_name())}
        )


@transaction.atomic
def register(event: Event, *, user: Any, city: Any, priority: int = 0) -> Registration:
    """Register `user` for `event` on behalf of `city` (one of their cities).

    Confirmed while places are left and nobody waits, otherwise waitlisted. Refused with a
    message: the event is not open (draft, cancelled, past its deadline), `user` or `city` is
    outside its audience, `user` is already registered, or `city` has used its seats.
    """
    now = timezone.now()
    event = lock_event(event.pk)
    check_open(event, now)
    refusal = registration_refusal(event, user, city)
    if refusal:
        raise RegistrationError(refusal)
    mine = Registration.objects.for_event(event).for_user(user).active().first()
    if mine is not None:
        raise RegistrationError(
            _("You are already registered (%(status)s).") % {"status": mine.get_status_display()}
        )
    if event.seats_per_city is not None:
        used = Registration.objects.for_event(event).for_city(city).active().count()
        if used >= event.seats_per_city:
            raise RegistrationError(
                _(
                    "%(city)s already has %(count)s people registered, the most this event "
                    "takes from one city."
                )
                % {"city": city.name, "count": used}
            )
    left = places_left(event)
    someone_waits = Registration.objects.for_event(event).waitlisted().exists()
    confirmed = (left is None or left > 0) and not someone_waits
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event,
                user=user,
                city=city,
                priority=priority,
                status=Status.CONFIRMED if confirmed else Status.WAITLISTED,
                confirmed_at=now if confirmed else None,
            )
    except IntegrityError as error:  # the same person in two tabs, on a database without locks
        raise RegistrationError(_("You are already registered.")) from error
    action = "events.registration.confirmed" if confirmed else "events.registration.waitlisted"
    log_action(action, actor=user, target=registration, city=city, data={"event": event.pk})
    if confirmed:
        _tell(registration, "confirmed", _("Registration confirmed: %(title)s"))
    else:
        _tell(registration, "waitlisted", _("You are on the waitlist: %(title)s"))
    return registration


@transaction.atomic
def cancel_registration(registration: Registration, *, actor: Any) -> Registration:
    """Cancel an active registration (also: decline an offer). A seat it held is offered to
    the first person waiting."""
    event = lock_event(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    registration.event = event
    if not registration.is_active:
        raise RegistrationError(_("This registration is no longer active."))
    held_seat = registration.holds_seat
    now = timezone.now()
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "cancelled_at", "offer_expires_at"])
    log_action(
        "events.registration.cancelled",
        actor=actor,
        target=registration,
        city=registration.city,
        data={"event": event.pk, "held_seat": held_seat},
    )
    _tell(registration, "cancelled", _("Registration cancelled: %(title)s"))
    if held_seat:
        offer_free_seats(event, now=now)
    return registration


def accept_offer(registration: Registration, *, actor: Any) -> Registration:
    """Take an offered seat before the offer expires. An offer found expired is passed on
    (that is kept) and the person is told."""
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        registration.event = event
        now = timezone.now()
        if registration.status != Status.OFFERED:
            raise RegistrationError(_("There is no seat offer to accept."))
        expired = registration.offer_expires_at is not None and registration.offer_expires_at <= now
        if expired:
            _expire(registration, now)
            offer_free_seats(event, now=now)
        else:
            registration.status = Status.CONFIRMED
            registration.confirmed_at = now
            registration.offer_expires_at = None
            registration.save(update_fields=["status", "confirmed_at", "offer_expires_at"])
            log_action(
                "events.registration.accepted",
                actor=actor,
                target=registration,
                city=registration.city,
                data={"event": event.pk},
            )
            _tell(registration, "confirmed", _("Registration confirmed: %(title)s"))
            return registration
    raise RegistrationError(_("This seat offer has expired and passed to the next person."))


def offer_free_seats(event: Event, *, now: datetime) -> list[Registration]:
    """Offer each free seat to the next person waiting. Call with the event locked."""
    offered: list[Registration] = []
    if now >= event.starts_at or event.status != Event.Status.PUBLISHED:
        return offered
    left = places_left(event)
    waiting = Registration.objects.for_event(event).waitlisted().waitlist_order()
    if left is None:  # the capacity was removed: everybody waiting gets a seat
        left = waiting.count()
    expires = min(now + timedelta(hours=event.offer_hours), event.starts_at)
    for registration in waiting.select_related("user").select_for_update(of=("self",))[:left]:
        registration.event = event
        registration.status = Status.OFFERED
        registration.offered_at = now
        registration.offer_expires_at = expires
        registration.save(update_fields=["status", "offered_at", "offer_expires_at"])
        log_action(
            "events.registration.offered",
            actor=None,
            target=registration,
            city=registration.city,
            data={"event": event.pk, "expires": expires.isoformat()},
        )
        _tell(registration, "offered", _("A seat is free for you: %(title)s"))
        transaction.on_commit(
            partial(enqueue_at, tasks.expire_seat_offer, expires, registration.pk)
        )
        offered.append(registration)
    return offered


def _expire(registration: Registration, now: datetime) -> None:
    registration.status = Status.EXPIRED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    log_action(
        "events.registration.expired",
        actor=None,
        target=registration,
        city=registration.city,
        data={"event": registration.event_id},
    )
    _tell(registration, "expired", _("Your seat offer has expired: %(title)s"))


def expire_offer(registration_id: int, *, now: datetime | None = None) -> bool:
    """Expire one offer if it is still open and past its time, and pass the seat on. Safe to
    run twice (the second run finds nothing to do)."""
    now = now or timezone.now()
    event_id = (
        Registration.objects.offers_expired(now)
        .filter(pk=registration_id)
        .values_list("event_id", flat=True)
        .first()
    )
    if event_id is None:
        return False
    with transaction.atomic():
        event = lock_event(event_id)
        registration = (
            Registration.objects.offers_expired(now)
            .select_for_update()
            .filter(pk=registration_id)
            .first()
        )
        if registration is None:
            return False
        registration.event = event
        _expire(registration, now)
        offer_free_seats(event, now=now)
    return True


def expire_due_offers(*, now: datetime | None = None) -> int:
    """Expire every offer past its time (the sweep behind the scheduled tasks)."""
    now = now or timezone.now()
    ids = list(Registration.objects.offers_expired(now).values_list("pk", flat=True))
    return sum(expire_offer(pk, now=now) for pk in ids)


_BODIES = {
    "confirmed": _l("You have a seat at “%(title)s” on %(when)s."),
    "waitlisted": _l(
        "“%(title)s” on %(when)s is full: you are on the waitlist. If a seat is freed, it is "
        "offered to the people waiting in the order they registered."
    ),
    "offered": _l(
        "A seat is free at “%(title)s” on %(when)s. It is yours if you accept it before "
        "%(expires)s; after that it passes to the next person waiting."
    ),
    "cancelled": _l("Your registration for “%(title)s” on %(when)s is cancelled."),
    "expired": _l(
        "You did not accept the seat offered at “%(title)s” in time; it has passed to the next "
        "person waiting. You can register again if places are left."
    ),
}


def _tell(registration: Registration, step: str, title: str) -> None:
    event = registration.event
    zone = registration.user.time_zone
    values = {
        "title": event.title,
        "when": describe_time(event.starts_at, zone),
        "expires": describe_time(registration.offer_expires_at, zone)
        if registration.offer_expires_at
        else "",
    }
    notify(
        [registration.user],
        kind=f"events.registration.{step}",
        title=title % {"title": event.title},
        body=str(_BODIES[step]) % values,
        url=event.get_absolute_url(),
    )

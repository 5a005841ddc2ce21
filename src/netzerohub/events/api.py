"""Events API: the public calendar of national engagement events, one event (a group's meeting
too), my registrations, and registering and cancelling through the one registration engine.

Times are answered in UTC (ISO 8601, `Z`). A video link is never listed: it is in the answer
for one event only for the people the policy lets see it (confirmed participants and the
people who run the event).
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from netzerohub.accounts.auth import API_AUTH, OPTIONAL_AUTH
from netzerohub.cities.models import City
from netzerohub.core.api import ErrorOut, ValidationErrorOut
from netzerohub.core.markdown import render_markdown
from netzerohub.core.paging import paginate
from netzerohub.core.querysets import make_key

from .caching import content_version
from .filters import CalendarFilters, month_range
from .models import Event, Registration
from .policies import event_policy, get_event_for_user, get_registration_for_user
from .registration import RegistrationError, cancel_registration, register

router = Router(tags=["events"])
PER_PAGE = 25
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
# Never read for a list: long texts, and the video link that lists never show.
UNLISTED = ("agenda", "materials", "cancel_reason", "video_url", "recording_url")


def utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    """`moment` in UTC, so that every time is answered as `…Z` whatever zone it was made in."""
    return moment.astimezone(datetime.UTC) if moment is not None else None


class EventOut(Schema):
    id: int
    kind: str = Field(description="national or meeting")
    title: str
    summary: str
    status: str = Field(description="published or cancelled (drafts: for those who run them)")
    format: str = Field(description="online, in-person or hybrid")
    venue: str
    languages: list[str] = Field(description="ISO 639-1 codes")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code")
    fields: list[str] = Field(description="Field of action slugs")
    levers: list[str] = Field(description="Lever of change slugs")
    audience: str = Field(description="all, country, invited or group")
    starts_at: datetime.datetime = Field(description="UTC")
    ends_at: datetime.datetime = Field(description="UTC")
    time_zone: str = Field(description="The zone the organisers announce the times in")
    registration_closes: datetime.datetime = Field(description="UTC")
    capacity: int | None = Field(None, description="Seats; null for no limit")
    places_left: int | None = Field(None, description="Null for an event without a limit")
    waitlisted: int
    is_sample: bool
    url: str


class EventPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[EventOut]


class EventDetailOut(EventOut):
    group: str | None = Field(None, description="A meeting's peer group (its address)")
    phase: str | None = Field(None, description="A meeting's learning phase")
    seats_per_city: int | None
    agenda: str = Field(description="Markdown")
    agenda_html: str = Field(description="The agenda rendered and sanitised")
    materials: str = Field(description="Markdown")
    materials_html: str
    cancel_reason: str
    video_url: str | None = Field(
        None, description="Only for confirmed participants and the people who run the event"
    )
    recording_url: str | None = Field(
        None, description="Only for confirmed participants and the people who run the event"
    )


class EventFilters(Schema):
    country: str = Field("", pattern="^[A-Za-z]{0,2}$", description="ISO 3166-1 alpha-2 code")
    language: str = Field("", pattern="^[a-z]{0,3}$", description="ISO 639-1 code")
    field: str = Field("", pattern="^[a-z0-9-]{0,60}$", description="Field of action slug")
    lever: str = Field("", pattern="^[a-z0-9-]{0,60}$", description="Lever of change slug")
    month: str = Field(
        "",
        pattern=f"{MONTH}|^$",
        description="YYYY-MM: events starting in that month in your time zone (Europe/Brussels "
        "for visitors), past or upcoming",
    )
    past: bool = Field(False, description="Events that have ended, the latest first")
    page: int = Field(1, ge=1, le=100000)


class EventRefOut(Schema):
    id: int
    title: str
    kind: str
    starts_at: datetime.datetime = Field(description="UTC")
    ends_at: datetime.datetime = Field(description="UTC")
    url: str


class RegistrationOut(Schema):
    id: int
    status: str = Field(description="confirmed, waitlisted, offered, cancelled or expired")
    city: str
    city_id: int
    registered: datetime.datetime = Field(description="UTC")
    offer_expires_at: datetime.datetime | None = Field(
        None, description="Until when an offered seat may be taken (UTC)"
    )
    event: EventRefOut


class RegistrationPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[RegistrationOut]


class RegistrationIn(Schema):
    city: int = Field(description="The id of the city you register for (one of yours)")


def _calendar(user: Any, filters: EventFilters, now: datetime.datetime):
    """The national events `user` may see that match `filters`, in calendar order (the
    calendar page's filters, `filters.CalendarFilters`)."""
    month = None
    if filters.month:
        year, number = (int(part) for part in filters.month.split("-"))
        month = datetime.date(year, number, 1)
    criteria = CalendarFilters(
        country=filters.country.upper(),
        language=filters.language,
        field=filters.field,
        lever=filters.lever,
        month=month,
    )
    events = criteria.apply(Event.objects.national().visible_to(user))
    if month is not None:
        # The month of the person asking, with a token too (the middleware only knows sessions).
        zone = timezone.get_current_timezone()
        if user.is_authenticated and user.time_zone:
            zone = zoneinfo.ZoneInfo(user.time_zone)
        events = events.between(*month_range(month, zone))
    if filters.past:
        return events.past(now).order_by("-starts_at", "-id")
    if month is None:
        events = events.upcoming(now)
    return events.order_by("starts_at", "id")


def _places_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(event.capacity - event.confirmed_count - event.offered_count, 0)


def _event(event: Event) -> dict:
    """An event with its counts (`with_counts()`), fields and levers loaded."""
    return {
        "id": event.pk,
        "kind": event.kind,
        "title": event.title,
        "summary": event.summary,
        "status": event.status,
        "format": event.format,
        "venue": event.venue,
        "languages": event.languages,
        "country": event.country.code if event.country_id else None,
        "fields": [t.slug for t in event.fields.all()],
        "levers": [t.slug for t in event.levers.all()],
        "audience": event.audience,
        "starts_at": utc(event.starts_at),
        "ends_at": utc(event.ends_at),
        "time_zone": event.time_zone,
        "registration_closes": utc(event.closes_at),
        "capacity": event.capacity,
        "places_left": _places_left(event),
        "waitlisted": event.waitlisted_count,
        "is_sample": event.is_sample,
        "url": event.get_absolute_url(),
    }


@router.get(
    "/events",
    auth=OPTIONAL_AUTH,
    response={200: EventPageOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="The calendar of national engagement events",
)
def events(request: HttpRequest, filters: Query[EventFilters]) -> dict:
    """Upcoming events by default, soonest first; unknown filter values find nothing.

    The page is chosen first; its events are then read with their registration counts in one
    query (counting before choosing the page would count every event's registrations)."""
    user = request.user
    question = filters.dict(exclude={"page"})
    scope = "coordinator" if user.is_authenticated and user.is_coordinator else user.pk
    now = timezone.now()
    page = paginate(
        _calendar(user, filters, now).values_list("pk", flat=True),
        filters.page,
        PER_PAGE,
        count_key=make_key("events.api.events", scope, question, content_version()),
    )
    ids = list(page.object_list)
    rows = (
        Event.objects.filter(pk__in=ids)
        .defer(*UNLISTED)
        .with_counts()
        .select_related("country")
        .prefetch_related("fields", "levers")
        .in_bulk()
    )
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_event(rows[pk]) for pk in ids if pk in rows],
    }


@router.get(
    "/events/{event_id}",
    auth=OPTIONAL_AUTH,
    response={200: EventDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="One event or meeting",
)
def event(request: HttpRequest, event_id: int) -> dict:
    """404 for a missing event and for a draft the caller does not run alike."""
    found = get_event_for_user(request.user, event_id)
    counts = (
        Event.objects.filter(pk=found.pk)
        .with_counts()
        .values("confirmed_count", "offered_count", "waitlisted_count")
        .get()
    )
    for name, value in counts.items():
        setattr(found, name, value)
    insider = event_policy.can(request.user, "see_video", found)
    return {
        **_event(found),
        "group": found.group.slug if found.group_id else None,
        "phase": found.phase.title if found.phase_id else None,
        "seats_per_city": found.seats_per_city,
        "agenda": found.agenda,
        "agenda_html": str(render_markdown(found.agenda)),
        "materials": found.materials,
        "materials_html": str(render_markdown(found.materials)),
        "cancel_reason": found.cancel_reason,
        "video_url": (found.video_url or None) if insider else None,
        "recording_url": (found.recording_url or None) if insider else None,
    }


REGISTRATION_FIELDS = (
    "status",
    "created",
    "offer_expires_at",
    "city__name",
    "event__kind",
    "event__title",
    "event__starts_at",
    "event__ends_at",
)


def _registration(registration: Registration) -> dict:
    event = registration.event
    return {
        "id": registration.pk,
        "status": registration.status,
        "city": registration.city.name,
        "city_id": registration.city_id,
        "registered": utc(registration.created),
        "offer_expires_at": utc(registration.offer_expires_at),
        "event": {
            "id": event.pk,
            "title": event.title,
            "kind": event.kind,
            "starts_at": utc(event.starts_at),
            "ends_at": utc(event.ends_at),
            "url": event.get_absolute_url(),
        },
    }


@router.get(
    "/me/registrations",
    auth=API_AUTH,
    response={200: RegistrationPageOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="My registrations (confirmed, offered seats and waitlist places)",
)
def my_registrations(
    request: HttpRequest,
    past: bool = Query(False, description="Those of events that have ended, latest first"),  # noqa: B008 - how ninja declares it
    page: int = Query(1, ge=1, le=100000),  # noqa: B008
) -> dict:
    """Active registrations for events that have not ended, soonest first (or, with
    `past=true`, for those that have)."""
    now = timezone.now()
    mine = (
        Registration.objects.for_user(request.auth)
        .active()
        .select_related("event", "city")
        .only(*REGISTRATION_FIELDS)
    )
    if past:
        mine = mine.filter(event__ends_at__lte=now).order_by("-event__starts_at", "-id")
    else:
        mine = mine.filter(event__ends_at__gt=now).order_by("event__starts_at", "id")
    # An exact count: one person's registrations, and it must change as soon as they register.
    paginator = Paginator(mine, PER_PAGE)
    found = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": found.number,
        "pages": paginator.num_pages,
        "results": [_registration(r) for r in found.object_list],
    }


@router.post(
    "/events/{event_id}/registrations",
    auth=API_AUTH,
    response={
        201: RegistrationOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Register for an event on behalf of one of my cities",
)
def create_registration(request: HttpRequest, event_id: int, data: RegistrationIn):
    """Confirmed while places are left, otherwise on the waitlist (see `status`). 409 with the
    reason when the engine refuses: registration closed, not open to the city, already
    registered, the city's seats used, or a city that is not one of yours."""
    user = request.auth
    found = get_event_for_user(user, event_id)
    city = City.objects.filter(pk=data.city).first()
    try:
        registration = register(found, user=user, city=city)
    except RegistrationError as error:
        raise HttpError(409, str(error)) from error
    return Status(201, _registration(registration))


@router.delete(
    "/registrations/{registration_id}",
    auth=API_AUTH,
    response={200: RegistrationOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Cancel a registration (or decline an offered seat, or leave the waitlist)",
)
def delete_registration(request: HttpRequest, registration_id: int) -> dict:
    """The registration, now cancelled; a seat it held is offered to the first person
    waiting. 404 for a registration that is not yours (or missing); 409 when it is no longer
    active."""
    registration = get_registration_for_user(request.auth, registration_id, "cancel")
    try:
        registration = cancel_registration(registration, actor=request.auth)
    except RegistrationError as error:
        raise HttpError(409, str(error)) from error
    return _registration(registration)

"""The public side of events: the calendar of national engagement events (list and month),
event and meeting pages, registering (the engine decides), My registrations, `.ics` files and
the personal calendar feed.

Times are shown in the viewer's zone (the middleware activates it; visitors get
Europe/Brussels), always with the zone named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from netzerohub.cities.models import City
from netzerohub.cities.policies import approved_memberships
from netzerohub.core.fragments import rendered, viewer
from netzerohub.core.paging import paginate
from netzerohub.core.querysets import make_key
from netzerohub.core.ratelimit import rate_limited
from netzerohub.exchanges.models import Application

from . import calendars, services
from . import registration as engine
from .caching import FRAGMENT_SECONDS, content_version, event_versions, person_version
from .filters import (
    MONTH_VIEW,
    CalendarFilters,
    day_range,
    month_grid,
    month_range,
    next_month,
    previous_month,
    upcoming,
)
from .forms import CalendarFilterForm, RegistrationForm
from .models import CalendarFeed, Event, Registration
from .policies import (
    event_policy,
    get_active_feed,
    get_event_for_user,
    get_registration_for_user,
    registration_refusal,
    runs,
)
from .querysets import EventQuerySet
from .times import describe_time

# Visitors share one rendering of the calendar's results per filters, page and language; the
# places left it shows may be this old (visitors cannot register; signed-in people see live
# figures).
RESULTS_SECONDS = 60
PER_PAGE = 20
PAST_PER_PAGE = 10
MAX_PER_DAY = 3  # events listed in a cell of the month grid; the rest behind "n more"

Status = Registration.Status


# --- what a listing says about places ----------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    code: str  # open | full | closed | cancelled | draft | unlimited
    label: str


def availability(event: Event, now: dt.datetime) -> Availability:
    """Places left, from `with_counts()`' annotations (never a query per event)."""
    if event.is_cancelled:
        return Availability("cancelled", _("Cancelled"))
    if event.status == Event.Status.DRAFT:
        return Availability("draft", _("Draft: not published"))
    if now >= event.closes_at:
        return Availability("closed", _("Registration closed"))
    if event.capacity is None:
        return Availability("unlimited", _("Open: no seat limit"))
    left = max(event.capacity - event.confirmed_count - event.offered_count, 0)
    if left == 0 or event.waitlisted_count:
        return Availability("full", _("Full — waitlist open"))
    return Availability(
        "open", ngettext("%(count)s place left", "%(count)s places left", left) % {"count": left}
    )


def _with_availability(events: list[Event], now: dt.datetime) -> list[Event]:
    for event in events:
        event.availability = availability(event, now)
    return events


# --- the calendar ------------------------------------------------------------------------------


def calendar(request: HttpRequest) -> HttpResponse:
    """The public calendar of national engagement events: the upcoming ones as a list grouped
    by month (default), or a month as a grid of weeks; filtered by the GET form.

    The results are rendered once per filters, page, zone and language for everyone who sees
    the public calendar (visitors and most signed-in people) and kept `RESULTS_SECONDS`: the
    places left they show may be that old (an event's page is always live). Coordinators and
    people who organise a draft national event see their own, rendered for them."""
    form = CalendarFilterForm(request.GET or None)
    filters = form.filters()
    today = timezone.localdate()
    zone = timezone.get_current_timezone_name()
    page_number = request.GET.get("page", "")[:12]
    audience = _audience(request.user)
    events = Event.objects.national()
    events = filters.apply(
        events.published() if audience is None else events.visible_to(request.user)
    )
    if filters.view == MONTH_VIEW:
        template = "events/calendar_month.html"

        def build() -> dict:
            return _month_context(events, filters, today)
    else:
        template = "events/calendar_list.html"
        count_key = make_key("events.calendar", audience, zone, filters.key(), content_version())

        def build() -> dict:
            return _list_context(events, filters, page_number, count_key)

    if audience is None:
        parts = (
            "events.calendar",
            *filters.key(),
            page_number,
            zone,
            today.isoformat(),
            content_version(),
        )
        results = rendered(request, template, parts, build, seconds=RESULTS_SECONDS)
    else:
        results = render_to_string(template, build(), request=request)
    context = {
        "form": form,
        "filters": filters,
        "results": results,
        "list_query": filters.query(view=None, day=None),
        "month_query": filters.query(view=MONTH_VIEW, day=None),
    }
    if request.htmx:  # the results, and the view links and "clear" that follow the filters
        nav = render_to_string("events/_calendar_nav.html", {**context, "oob": True}, request)
        return HttpResponse(results + nav)
    return render(request, "events/calendar.html", context)


def _audience(user) -> object:
    """Whose calendar `user` sees: None for the public one (visitors, and signed-in people who
    organise no draft national event), "all" for coordinators, else the person's id."""
    if not user.is_authenticated:
        return None
    if user.is_coordinator:
        return "all"
    drafts = Event.objects.national().filter(status=Event.Status.DRAFT).visible_to(user)
    return user.pk if drafts.exists() else None


def _loaded(ids: list[int]) -> dict[int, Event]:
    """The events `ids` with their registration counts, in one query."""
    events = (
        Event.objects.filter(pk__in=ids)
        .with_counts()
        .select_related("country")
        .defer("agenda", "materials", "cancel_reason")
    )
    return {event.pk: event for event in events}


def _list_context(
    events: EventQuerySet, filters: CalendarFilters, page_number: str, count_key: str
) -> dict:
    zone = timezone.get_current_timezone()
    now = timezone.now()
    if filters.day:
        events = events.between(*day_range(filters.day, zone))
    elif filters.month:
        events = events.between(*month_range(filters.month, zone))
    else:
        events = upcoming(events, now)
    # A page of ids first (the index on the start time answers it), then the counts of those
    # events only: grouping every matching event by its registrations would not scale.
    ids = events.order_by("starts_at", "id").values_list("pk", flat=True)
    page = paginate(ids, page_number, PER_PAGE, count_key=count_key)
    page_ids = list(page.object_list)
    loaded = _loaded(page_ids)
    listed = _with_availability([loaded[pk] for pk in page_ids if pk in loaded], now)
    months: list[tuple[dt.date, list[Event]]] = []
    for event in listed:
        month = timezone.localtime(event.starts_at).date().replace(day=1)
        if not months or months[-1][0] != month:
            months.append((month, []))
        months[-1][1].append(event)
    return {"filters": filters, "page": page, "months": months}


def _month_context(events: EventQuerySet, filters: CalendarFilters, today: dt.date) -> dict:
    zone = timezone.get_current_timezone()
    month = filters.month or (filters.day or today).replace(day=1)
    events = events.between(*month_range(month, zone))
    # Light rows place every event of the month on its local day; only the events a cell shows
    # are loaded with their counts.
    rows = events.order_by("starts_at", "id").values_list("pk", "starts_at")
    weeks = month_grid(month, today)
    days = {day.date: day for week in weeks for day in week}
    shown: list[int] = []
    for pk, starts_at in rows:
        day = days.get(timezone.localtime(starts_at, zone).date())
        if day is None:
            continue
        if len(day.events) < MAX_PER_DAY:
            day.events.append(pk)
            shown.append(pk)
        else:
            day.more += 1
    loaded = _loaded(shown)
    now = timezone.now()
    _with_availability(list(loaded.values()), now)
    for day in days.values():
        day.events = [loaded[pk] for pk in day.events if pk in loaded]
        if day.more:
            day.more_query = filters.query(view=None, month=None, day=day.date.isoformat())
    return {
        "filters": filters,
        "month": month,
        "previous": previous_month(month),
        "next": next_month(month),
        "weekdays": [(WEEKDAYS[n], WEEKDAYS_ABBR[n]) for n in range(7)],
        "weeks": weeks,
        "total": len(shown) + sum(day.more for day in days.values()),
        "previous_query": filters.query(
            view=MONTH_VIEW, month=_month(previous_month(month)), day=None
        ),
        "next_query": filters.query(view=MONTH_VIEW, month=_month(next_month(month)), day=None),
    }


def _month(month: dt.date) -> str:
    return month.strftime("%Y-%m")


# --- one event ---------------------------------------------------------------------------------


def _organisers_time(event: Event) -> str:
    """The start in the organisers' zone, when it differs from the viewer's ('' otherwise)."""
    if event.time_zone == timezone.get_current_timezone_name():
        return ""
    theirs = timezone.localtime(event.starts_at, event.zone)
    mine = timezone.localtime(event.starts_at)
    if theirs.utcoffset() == mine.utcoffset():
        return ""
    pattern = "H:i" if theirs.date() == mine.date() else "l j F, H:i"
    return dateformat.format(theirs, pattern)


def _waitlist_position(registration: Registration) -> int:
    """1 for the first person waiting (the waitlist's order: priority, then arrival)."""
    ahead = (
        Registration.objects.for_event(registration.event_id)
        .waitlisted()
        .filter(
            Q(priority__gt=registration.priority)
            | Q(priority=registration.priority, created__lt=registration.created)
            | Q(
                priority=registration.priority, created=registration.created, pk__lt=registration.pk
            )
        )
        .count()
    )
    return ahead + 1


def _event_page(request: HttpRequest, pk: int, now: dt.datetime) -> dict | None:
    """The event `pk` as its page shows it to everyone, from the cache: the event (with its
    registrations' counts, group, country, phase and offer; for signed-in viewers also who
    organises it and facilitates its group, as the policies ask) and its parts that are the
    same for every viewer (intro, agenda and materials, facts), rendered for the viewer's zone
    and language. None for a missing event.

    Kept under the catalogue version (any change of an event or a group) and the event's
    version (any change of its registrations), both bumped on commit, so never stale; the
    facts are rendered again when registration has closed since (places say "closed")."""
    content, counts = event_versions(pk)
    zone = timezone.get_current_timezone_name()
    key = make_key("events.page", pk, translation.get_language(), zone, content, counts)
    page = cache.get(key)
    if page is None:
        queryset = Event.objects.select_related("group", "country", "phase", "offer")
        event = queryset.with_counts().filter(pk=pk).first()
        if event is None:
            return None
        page = {
            "event": event,
            "fields": [str(term) for term in event.fields.all()],
            "levers": [str(term) for term in event.levers.all()],
        }
        _render_parts(request, page, now)
        cache.set(key, page, FRAGMENT_SECONDS)
    elif page["closed"] != (now >= page["event"].closes_at):
        _render_parts(request, page, now)
        cache.set(key, page, FRAGMENT_SECONDS)
    if request.user.is_authenticated and not hasattr(page["event"], "_organiser_ids"):
        # Who runs it, as `policies.runs` asks (it keeps the answers on the event): asked on
        # the first signed-in view and kept with the event (visitors never need it).
        event = page["event"]
        event._organiser_ids = set(event.organisers.values_list("pk", flat=True))
        if event.group_id is not None:
            event._facilitator_ids = set(event.group.facilitators.values_list("pk", flat=True))
        cache.set(key, page, FRAGMENT_SECONDS)
    return page


def _render_parts(request: HttpRequest, page: dict, now: dt.datetime) -> None:
    event = page["event"]
    context = {
        "event": event,
        "availability": availability(event, now),
        "organisers_time": _organisers_time(event),
        "fields": page["fields"],
        "levers": page["levers"],
    }
    page["closed"] = now >= event.closes_at
    page["parts"] = {
        name: render_to_string(f"events/_event_{name}.html", context, request=request)
        for name in ("intro", "content", "facts")
    }


def _registration_choice(user, event: Event) -> tuple[list[City], str | None]:
    """The cities `user` may register for `event` on behalf of, by name, and when there is none
    the reason: what `policies.registration_cities` and `RegistrationForm.refusal` answer, with
    the audience asked once for all the person's cities (one query) instead of once per city."""
    memberships = approved_memberships(user)
    cities = list(City.objects.filter(pk__in=list(memberships)).order_by("name"))
    if not cities:
        return [], registration_refusal(event, user, None)
    audience = event.audience
    reason = None
    if audience == Event.Audience.INVITED:
        ids = [city.pk for city in cities]
        invited = set(event.invited_cities.filter(pk__in=ids).values_list("pk", flat=True))
        allowed = [city for city in cities if city.pk in invited]
    elif audience == Event.Audience.CALL:
        accepted = set()
        if event.offer_id is not None:
            accepted = set(
                Application.objects.accepted()
                .filter(call_id=event.offer.call_id, city_id__in=[city.pk for city in cities])
                .values_list("city_id", flat=True)
            )
        allowed = [city for city in cities if city.pk in accepted]
    elif audience == Event.Audience.GROUP:  # the person's membership of the group: any city
        reason = registration_refusal(event, user, cities[0])
        allowed = [] if reason else cities
    else:  # all cities, or the event's country's: no query per city
        allowed = [city for city in cities if registration_refusal(event, user, city) is None]
    if allowed:
        return allowed, None
    if reason is None:
        # The city the form names (the first of the person's cities in the directory's order).
        first = cities[0]
        if audience == Event.Audience.INVITED:
            first = City.objects.filter(pk__in=list(memberships)).first()
        reason = registration_refusal(event, user, first)
    return [], reason or _("You can register only for a city you are a member of.")


def _can_see_video(user, event: Event, confirmed: bool) -> bool:
    """`event_policy.can(user, "see_video", event)` from the registration the page loaded:
    those who run the event, and a confirmed participant of a published one."""
    if confirmed and event.status == Event.Status.PUBLISHED:
        return True
    return runs(user, event)


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A national event's or a meeting's page, with the viewer's registration box.

    Everything the same for every viewer comes from the cache (`_event_page`); per request
    only the viewer's part: their registration, the cities they may register for, the video
    link and the links to run the event."""
    user = request.user
    now = timezone.now()
    page = _event_page(request, pk, now)
    if page is None or not event_policy.can(user, "view", page["event"]):
        raise Http404
    event = page["event"]
    registration = None
    confirmed = False
    if user.is_authenticated:
        mine = list(
            Registration.objects.for_event(event)
            .for_user(user)
            .select_related("city")
            .order_by("-created", "-pk")
        )
        registration = mine[0] if mine else None
        confirmed = any(r.status == Status.CONFIRMED for r in mine)
    active = registration is not None and registration.is_active
    closed = now >= event.closes_at
    cities: list[City] = []
    refusal = None
    has_city = False  # asked only where the box may need it (with the reason it cannot)
    if (
        user.is_authenticated
        and not active
        and event.status == Event.Status.PUBLISHED
        and not closed
    ):
        cities, refusal = _registration_choice(user, event)
        has_city = bool(approved_memberships(user))
    left = (
        None
        if event.capacity is None
        else max(event.capacity - event.confirmed_count - event.offered_count, 0)
    )
    context = {
        "event": event,
        "parts": page["parts"],
        "full": left == 0 or (left is not None and event.waitlisted_count > 0),
        "ended": now >= event.ends_at,
        "closed": closed,
        "registration": registration,
        "active": active,
        "position": _waitlist_position(registration)
        if active and registration.status == Status.WAITLISTED
        else None,
        "cities": cities,
        "refusal": refusal,
        "has_city": has_city,
        "can_see_video": _can_see_video(user, event, confirmed),
        "can_manage": event_policy.can(user, "manage", event),
    }
    return render(request, "events/event_detail.html", context)


# --- registering -------------------------------------------------------------------------------


def _back(request: HttpRequest, default: str) -> str:
    """The `next` address of a form when it is one of ours, else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
@rate_limited("events.register", limit=60)
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event_for_user(request.user, pk)
    back = event.get_absolute_url() + "#registration"
    form = RegistrationForm(request.POST, user=request.user, event=event)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect(back)
    try:
        registration = engine.register(event, user=request.user, city=form.cleaned_data["city"])
    except engine.RegistrationError as error:
        messages.error(request, str(error))
        return redirect(back)
    if registration.status == Status.CONFIRMED:
        messages.success(
            request,
            _("You are registered for %(city)s: your seat is confirmed.")
            % {"city": registration.city.name},
        )
    else:
        messages.success(
            request,
            _(
                "The event is full: you are on the waitlist. If a seat is freed, it is offered "
                "to the people waiting in turn, and we tell you by email."
            ),
        )
    return redirect(back)


@login_required
@require_POST
@rate_limited("events.registration", limit=120)
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a registration, leave the waitlist, or decline an offered seat."""
    registration = get_registration_for_user(request.user, pk, "cancel")
    back = _back(request, registration.event.get_absolute_url() + "#registration")
    was = registration.status
    try:
        engine.cancel_registration(registration, actor=request.user)
    except engine.RegistrationError as error:
        messages.error(request, str(error))
        return redirect(back)
    if registration.user_id != request.user.pk:
        message = _("The registration of %(name)s is cancelled.") % {
            "name": registration.user.name or registration.user.email
        }
    elif was == Status.OFFERED:
        message = _("You declined the seat; it is offered to the next person waiting.")
    elif was == Status.WAITLISTED:
        message = _("You left the waitlist.")
    else:
        message = _("Your registration is cancelled; your seat goes to the next person waiting.")
    messages.success(request, message)
    return redirect(back)


@login_required
@require_POST
@rate_limited("events.registration", limit=120)
def registration_accept(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_registration_for_user(request.user, pk, "accept")
    back = _back(request, registration.event.get_absolute_url() + "#registration")
    try:
        engine.accept_offer(registration, actor=request.user)
    except engine.RegistrationError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, _("The seat is yours: your registration is confirmed."))
    return redirect(back)


# --- My registrations and the calendar feed ----------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The person's registrations for meetings and national events, upcoming and past, and
    their personal calendar address.

    The registrations are rendered once and cached under the catalogue version, the person's
    registrations version (both bumped on commit), the viewer, their zone, the page and the
    minute: an event that ends moves to "Past" within a minute."""
    user = request.user
    now = timezone.now()
    page_number = request.GET.get("page", "")
    parts = (
        content_version(),
        person_version(user.pk),
        *viewer(request),
        timezone.get_current_timezone_name(),
        now.strftime("%Y%m%d%H%M"),
        page_number if page_number.isdigit() else "",
    )

    def build() -> dict:
        registrations = (
            Registration.objects.for_user(user)
            .active()
            .select_related("event", "event__group", "event__country", "city")
        )
        upcoming = list(
            registrations.filter(event__ends_at__gt=now).order_by("event__starts_at", "pk")
        )
        past = registrations.filter(event__ends_at__lte=now).order_by("-event__starts_at", "-pk")
        return {
            "upcoming": upcoming,
            "offers": [r for r in upcoming if r.status == Status.OFFERED],
            "page": paginate(past, page_number, PAST_PER_PAGE),
        }

    body = rendered(request, "events/_mine_body.html", parts, build, seconds=FRAGMENT_SECONDS)
    feed = CalendarFeed.objects.active().filter(user=user).first()
    feed_url = request.build_absolute_uri(feed.get_absolute_url()) if feed else ""
    context = {
        "body": body,
        "feed": feed,
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
    }
    return render(request, "events/mine.html", context)


@login_required
@require_POST
@rate_limited("events.feed", limit=30)
def feed_create(request: HttpRequest) -> HttpResponse:
    services.create_feed(user=request.user)
    messages.success(
        request,
        _("Your calendar address is ready. An address you made before no longer works."),
    )
    return redirect(reverse("events:mine") + "#calendar-feed")


@login_required
@require_POST
@rate_limited("events.feed", limit=30)
def feed_revoke(request: HttpRequest) -> HttpResponse:
    if services.revoke_feed(user=request.user):
        messages.success(request, _("Your calendar address is stopped: it no longer works."))
    else:
        messages.info(request, _("You have no calendar address to stop."))
    return redirect(reverse("events:mine") + "#calendar-feed")


# --- calendar files ----------------------------------------------------------------------------


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=calendars.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Private: a file may hold a video link; a feed must stop the moment it is revoked.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response


def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One event's `.ics`; its video link only for those who may see it."""
    event = get_event_for_user(request.user, pk)
    body = calendars.event_calendar(
        event,
        url=request.build_absolute_uri(event.get_absolute_url()),
        video=event_policy.can(request.user, "see_video", event),
    )
    return _ics(body, f"event-{event.pk}.ics")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's calendar feed: every event they hold an active registration for (waiting
    and offered places marked tentative); video links for their confirmed seats."""
    owner = get_active_feed(token).user
    registrations = (
        Registration.objects.for_user(owner)
        .active()
        .select_related("event", "city")
        .order_by("event__starts_at", "pk")
    )
    with translation.override(owner.preferred_language or None):
        entries = [
            calendars.Entry(
                event=r.event,
                url=request.build_absolute_uri(r.event.get_absolute_url()),
                video=r.status == Status.CONFIRMED,
                tentative=r.status != Status.CONFIRMED,
                note=_feed_note(r, owner.time_zone),
            )
            for r in registrations
        ]
        body = calendars.build_calendar(entries, name=_("NetZero Hub: my events"))
    return _ics(body, "netzerohub-events.ics")


def _feed_note(registration: Registration, zone: str) -> str:
    if registration.status == Status.WAITLISTED:
        return _("You are on the waitlist (for %(city)s).") % {"city": registration.city.name}
    if registration.status == Status.OFFERED and registration.offer_expires_at:
        return _("A seat is offered to you: accept it on the event page before %(when)s.") % {
            "when": describe_time(registration.offer_expires_at, zone)
        }
    if registration.status == Status.OFFERED:
        return _("A seat is offered to you: accept it on the event page.")
    return _("You have a seat (for %(city)s).") % {"city": registration.city.name}

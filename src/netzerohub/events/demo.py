"""The demo's sample peer groups (with their phases and meeting series) and national engagement
events, read from JSON and created through the services, so they are exactly what the portal
itself would have made (audited, with seats and waitlists from the registration engine).

Loading is idempotent: a group is known by its address, a meeting by its group and title, a
national event by its title; what exists is left as it is, and nobody is registered or made a
member twice (nor again after they cancelled or left). The formats are described in the
README.md beside each file.

Dates: a group's phases and meetings give calendar dates; when the demo is loaded after a series
would have begun, the whole series moves on by whole years, so that it still lies ahead.
`in_days` counts from the load date (the kick-off meetings just past, every national event), so
the demo never looks stale.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from netzerohub.cities.models import City, Country, Membership
from netzerohub.community import services as community_services
from netzerohub.community.models import Group, GroupMembership, Phase
from netzerohub.core.models import Term

from . import services
from .models import Event, Registration
from .registration import RegistrationError, register

GROUPS_FILE = Path(community_services.__file__).parent / "data" / "demo" / "groups.json"
EVENTS_FILE = Path(__file__).parent / "data" / "demo" / "events.json"


class DemoError(Exception):
    """The demo files do not fit the database (reference data missing, a bad value)."""


def _read(path: Path, key: str) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise DemoError(f"{path.name}: expected an object with a list {key!r}.")
    return data


def _person(people: Mapping[str, Any], email: str) -> Any:
    if email not in people:
        raise DemoError(f"No demo person {email}.")
    return people[email]


def _city_of(user: Any) -> City:
    """The city a demo person acts for: their first approved membership."""
    membership = (
        Membership.objects.approved()
        .for_user(user)
        .select_related("city__country")
        .order_by("created", "id")
        .first()
    )
    if membership is None:
        raise DemoError(f"{user.email} is a member of no city.")
    return membership.city


def _city(name: str, country: str) -> City:
    city = City.objects.filter(name=name, country__code=country).order_by("-population").first()
    if city is None:
        raise DemoError(f"{name} ({country}) is not in the directory: load the reference data.")
    return city


def _terms(kind: str, slugs: list[str]) -> list[Term]:
    terms = list(Term.objects.filter(kind=kind, slug__in=slugs))
    if len(terms) != len(set(slugs)):
        missing = set(slugs) - {t.slug for t in terms}
        raise DemoError(f"Unknown {kind} slugs: {', '.join(sorted(missing))}.")
    return terms


def _moment(day: dt.date, clock: str, zone: str) -> dt.datetime:
    """`clock` (HH:MM) on `day` in `zone`, in UTC."""
    local = dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=zoneinfo.ZoneInfo(zone))
    return local.astimezone(dt.UTC)


def _years_ahead(first: dt.date, today: dt.date) -> int:
    """How many whole years a series that begins on `first` moves so it begins after today."""
    years = 0
    while first.replace(year=first.year + years) <= today:
        years += 1
    return years


def _on(value: str, years: int) -> dt.date:
    day = dt.date.fromisoformat(value)
    return day.replace(year=day.year + years)


def _day(item: dict[str, Any], today: dt.date, years: int = 0) -> dt.date:
    """The day of a meeting or event: its calendar `date` (moved on by `years`), or `in_days`
    from today on a working day (a Saturday or Sunday moves to the Friday before)."""
    if "date" in item:
        return _on(item["date"], years)
    day = today + dt.timedelta(days=item["in_days"])
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


def _save_event(event: Event, *, actor: Any, m2m: dict[str, list[Any]]) -> Event:
    try:
        return services.save_event(event, actor=actor, m2m=m2m)
    except ValidationError as error:
        raise DemoError(f"“{event.title}” is not a valid event: {error.messages}") from error


def _register(event: Event, user: Any, report: Counter) -> None:
    """Register `user` through the engine unless they ever registered for `event`."""
    if Registration.objects.for_event(event).for_user(user).exists():
        return
    try:
        registration = register(event, user=user, city=_city_of(user))
    except RegistrationError as error:
        raise DemoError(f"{user.email} cannot register for “{event.title}”: {error}") from error
    report[f"registrations {registration.status}"] += 1


# --- peer groups -------------------------------------------------------------------------------


def load_groups(
    people: Mapping[str, Any],
    *,
    actor: Any,
    today: dt.date | None = None,
    path: Path = GROUPS_FILE,
) -> Counter:
    """Create the sample groups, their phases and meetings, the demo people's memberships and
    meeting registrations, and the attendance of the meetings already held. `people` maps the
    emails the file names to users; `actor` (a coordinator) creates the content. Returns what
    was created, counted by kind."""
    data = _read(path, "groups")
    today = today or timezone.localdate()
    report: Counter = Counter()
    for item in data["groups"]:
        group = _group(item, people, actor, today, report)
        years = _series_years(group, item, today)
        for meeting in item.get("meetings", []):
            _meeting(group, meeting, actor, today, years, report)
    for item in data.get("memberships", []):
        _membership(item, people, report)
    for item in data.get("registrations", []):
        _next_meeting_registration(item, people, report)
    for item in data["groups"]:
        for meeting in item.get("meetings", []):
            if meeting.get("participants"):
                _attendance(item["slug"], meeting, people, report)
    return report


def _planned_start(item: dict[str, Any]) -> dt.date | None:
    """The first date of a group's series as the file gives it (its phases, else its
    meetings with a calendar date)."""
    dates = [phase["starts_on"] for phase in item.get("phases", [])] or [
        meeting["date"] for meeting in item.get("meetings", []) if "date" in meeting
    ]
    return min((dt.date.fromisoformat(value) for value in dates), default=None)


def _series_years(group: Group, item: dict[str, Any], today: dt.date) -> int:
    """How many years the group's series is (or, for a new group, will be) moved: a group
    loaded before keeps the years it moved then, so its meetings stay in its phases."""
    planned = _planned_start(item)
    if planned is None:
        return 0
    if group.pk is not None:
        actual = group.phases.order_by("starts_on").values_list("starts_on", flat=True).first()
        if actual is not None:
            return actual.year - planned.year
    return _years_ahead(planned, today)


def _group(
    item: dict[str, Any], people: Mapping[str, Any], actor: Any, today: dt.date, report: Counter
) -> Group:
    group = Group.objects.filter(slug=item["slug"]).select_related("theme").first()
    if group is not None:
        report["groups already there"] += 1
        return group
    theme = _terms(item["theme"]["kind"], [item["theme"]["slug"]])[0]
    group = Group(
        slug=item["slug"],
        title=item["title"],
        summary=item["summary"],
        description=item["description"],
        theme=theme,
        language=item.get("language", "en"),
        admission=item.get("admission", Group.Admission.OPEN),
        seats_per_city=item.get("seats_per_city"),
        status=Group.Status.OPEN,
        is_sample=True,
    )
    phases = [
        Phase(
            title=phase["title"],
            description=phase.get("description", ""),
            starts_on=dt.date.fromisoformat(phase["starts_on"]),
            ends_on=dt.date.fromisoformat(phase["ends_on"]),
        )
        for phase in item.get("phases", [])
    ]
    years = _series_years(group, item, today)
    for phase in phases:
        phase.starts_on = phase.starts_on.replace(year=phase.starts_on.year + years)
        phase.ends_on = phase.ends_on.replace(year=phase.ends_on.year + years)
    facilitators = [_person(people, email) for email in item.get("facilitators", [])]
    community_services.save_group(group, actor=actor, facilitators=facilitators, phases=phases)
    report["groups"] += 1
    report["phases"] += len(phases)
    return group


def _meeting(
    group: Group, item: dict[str, Any], actor: Any, today: dt.date, years: int, report: Counter
) -> None:
    if Event.objects.meetings().for_group(group).filter(title=item["title"]).exists():
        return
    day = _day(item, today, years)
    zone = item.get("time_zone", "Europe/Brussels")
    phase = None
    if item.get("phase"):
        phase = group.phases.order_by("position")[item["phase"] - 1]
    theme = group.theme
    meeting = Event(
        kind=Event.Kind.MEETING,
        group=group,
        phase=phase,
        title=item["title"],
        summary=item.get("summary", ""),
        agenda=item.get("agenda", ""),
        languages=[group.language],
        format=Event.Format.ONLINE,
        video_url=item.get("video_url", ""),
        starts_at=_moment(day, item["start"], zone),
        ends_at=_moment(day, item["end"], zone),
        time_zone=zone,
        capacity=item.get("capacity"),
        seats_per_city=item.get("seats_per_city"),
        audience=Event.Audience.GROUP,
        materials=item.get("materials", ""),
        recording_url=item.get("recording_url", ""),
        status=Event.Status.PUBLISHED,
        is_sample=True,
    )
    terms = {"fields" if theme.kind == "field" else "levers": [theme]}
    _save_event(meeting, actor=actor, m2m=terms)
    report["meetings"] += 1


def _membership(item: dict[str, Any], people: Mapping[str, Any], report: Counter) -> None:
    user = _person(people, item["person"])
    group = Group.objects.get(slug=item["group"])
    if GroupMembership.objects.for_group(group).for_user(user).exists():
        return
    try:
        membership = community_services.join_group(
            group, user=user, city=_city_of(user), motivation=item.get("motivation", "")
        )
    except community_services.CommunityError as error:
        raise DemoError(f"{user.email} cannot join {group.slug}: {error}") from error
    report[f"memberships {membership.status}"] += 1


def _next_meeting_registration(
    item: dict[str, Any], people: Mapping[str, Any], report: Counter
) -> None:
    user = _person(people, item["person"])
    now = timezone.now()
    meetings = Event.objects.meetings().published().filter(group__slug=item["group"])
    following = meetings.filter(starts_at__gt=now).order_by("starts_at", "id").first()
    if following is not None:
        _register(following, user, report)


def _attendance(
    slug: str, item: dict[str, Any], people: Mapping[str, Any], report: Counter
) -> None:
    """The registrations and attendance of a meeting already held. The engine refuses to
    register anyone for the past (registration has closed), so these are written as the engine
    would have left them, confirmed; attendance is recorded through the service, by the
    facilitator."""
    meeting = Event.objects.meetings().get(group__slug=slug, title=item["title"])
    if meeting.starts_at > timezone.now():
        return
    attended: dict[int, bool] = {}
    for email, present in item["participants"].items():
        user = _person(people, email)
        if Registration.objects.for_event(meeting).for_user(user).exists():
            continue
        registration = Registration.objects.create(
            event=meeting,
            user=user,
            city=_city_of(user),
            status=Registration.Status.CONFIRMED,
            confirmed_at=meeting.starts_at - dt.timedelta(days=7),
        )
        attended[registration.pk] = bool(present)
        report["past registrations"] += 1
    if attended:
        facilitator = meeting.group.facilitators.order_by("pk").first()
        services.record_attendance(meeting, attended, actor=facilitator)


# --- national events ---------------------------------------------------------------------------


def load_events(
    people: Mapping[str, Any],
    *,
    actor: Any,
    today: dt.date | None = None,
    path: Path = EVENTS_FILE,
) -> Counter:
    """Create the sample national events (dates counted from `today`) and register the demo
    people the file names, in that order, through the engine. Returns what was created."""
    data = _read(path, "events")
    today = today or timezone.localdate()
    report: Counter = Counter()
    for item in data["events"]:
        event = Event.objects.national().filter(title=item["title"], is_sample=True).first()
        if event is None:
            event = _national(item, people, actor, today)
            report["events"] += 1
        else:
            report["events already there"] += 1
        for email in item.get("registrations", []):
            _register(event, _person(people, email), report)
    return report


def _national(item: dict[str, Any], people: Mapping[str, Any], actor: Any, today: dt.date) -> Event:
    country = Country.objects.filter(code=item["country"]).first()
    if country is None:
        raise DemoError(f"No country {item['country']}: load the reference data.")
    day = _day(item, today)
    zone = item.get("time_zone", "Europe/Brussels")
    starts_at = _moment(day, item["start"], zone)
    deadline = None
    if item.get("closes_days_before") is not None:
        deadline = starts_at - dt.timedelta(days=item["closes_days_before"])
    event = Event(
        kind=Event.Kind.NATIONAL,
        title=item["title"],
        summary=item.get("summary", ""),
        agenda=item.get("agenda", ""),
        country=country,
        languages=item.get("languages", []),
        format=item.get("format", Event.Format.ONLINE),
        venue=item.get("venue", ""),
        video_url=item.get("video_url", ""),
        starts_at=starts_at,
        ends_at=_moment(day, item["end"], zone),
        time_zone=zone,
        capacity=item.get("capacity"),
        seats_per_city=item.get("seats_per_city"),
        registration_deadline=deadline,
        audience=item.get("audience", Event.Audience.ALL),
        status=Event.Status.PUBLISHED,
        is_sample=True,
    )
    m2m = {
        "fields": _terms("field", item.get("fields", [])),
        "levers": _terms("lever", item.get("levers", [])),
        "organisers": [_person(people, email) for email in item.get("organisers", [])],
        "invited_cities": [_city(name, code) for name, code in item.get("invited", [])],
    }
    return _save_event(event, actor=actor, m2m=m2m)


def summary(groups: Counter, events: Counter) -> list[str]:
    """Short lines for the demo command's output."""
    return [
        f"Sample peer groups: {groups['groups']} created ({groups['phases']} phases, "
        f"{groups['meetings']} meetings), {groups['groups already there']} already there; "
        f"memberships: {groups['memberships approved']} approved, "
        f"{groups['memberships pending']} pending; meeting registrations: "
        f"{groups['registrations confirmed']}; attendance recorded at past meetings: "
        f"{groups['past registrations']}.",
        f"Sample national events: {events['events']} created, "
        f"{events['events already there']} already there; registrations: "
        f"{events['registrations confirmed']} confirmed, "
        f"{events['registrations waitlisted']} waitlisted.",
    ]

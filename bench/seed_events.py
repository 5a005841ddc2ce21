"""Synthetic peer groups, meetings, national events and registrations for the benchmark.

- **200** open peer groups `bench-group-001`… (`community.Group`), their theme taken in turn
  from the fields of action and levers of change (`core.Term`), a working language (English
  for most), two facilitators, two seats per city, four learning phases over their meeting
  series, and 20–80 members each (`GroupMembership`, 90 % approved, 10 % applications
  pending) among the synthetic people (`seed.py`), each for one of the person's cities (an
  approved `Membership`);
- **8,000** meetings of those groups (40 per group, every 1–2½ weeks from a start in
  2025–2026, so all in 2025–2028), online, open to the group's members, 60 % without a
  capacity and the others with 20–40 seats, a video link, and for past ones often a recording
  and materials;
- **12,000** national engagement events (`kind=national`, published), each in an eligible
  country (weighted by its number of real cities, as `seed.py` spreads cities), in the
  country's language(s) and often English, 1–2 fields and 0–2 levers, online / in person /
  hybrid (with a venue), a capacity of 20–500 (log-uniform), 30 % with a limit of 2–5 seats per
  city, 60 % with a registration deadline 1–14 days before the start, open to all cities
  (85 %), to the country's cities (12 %) or to 5–20 invited cities (3 %), starting at a whole
  hour between 1 January 2025 and 31 December 2028;
- **500,000** registrations (`Registration`): 40 % for meetings (by the group's approved
  members, for the city of their group membership), the rest for national events, each by a
  synthetic person for one of their cities within the event's audience. The count per event
  follows its demand: 6 % of national events are over-subscribed (demand 1–1.4 × capacity,
  so full with a waitlist), the others draw a Beta-distributed share of their capacity,
  scaled so that the totals meet the targets. Within an event people arrive in a random
  order at times spread before it closes (never after the time of seeding); 6 % cancel; the
  others are confirmed while seats are left and waitlisted after (so nobody waits while a
  seat is free, as the engine guarantees); on a quarter of the upcoming events with a
  waitlist one confirmed person has cancelled and the seat is offered to the first person
  waiting, as `registration.offer_free_seats` would have done. Confirmed + offered never
  exceed the capacity, a person has at most one registration per event, a city never more
  active registrations than `seats_per_city`. Confirmed people of past events attended
  (85 %) or not, and were reminded.
- **200** "regulars" (`regulars()`: every 250th synthetic person with a city, the people the
  benchmark's signed-in pages are requested as) have **20–60** registrations each: they are
  members of one group (so registered for about half its meetings) and registered for
  national events open to all up to a number drawn in 20–60.

National events are created by a synthetic organiser `bench-organiser@staff.bench.invalid`
(outside `@bench.invalid`, so `seed.bench_users()` leaves it out): that is how they are told
apart (`bench_national()`); meetings belong to the `bench-group-` groups. Each group, event and
the registrations come from random generators seeded with their number, so the data does not
depend on the order of the work. Rows are written with `bulk_create` in batches of 5,000
(`Registration.created` written as generated, not the time of seeding; the registrations are
built in `seed_event_registrations.py`). Seeding tops up:
missing groups (with their phases and members), missing meetings of each group and missing
national events are added; the registrations are written again when their number differs
from the target (they depend on every event). The whole step is one transaction; PostgreSQL
then runs `VACUUM (ANALYZE)` on the tables written (`VACUUM (FULL, ANALYZE)` after the
registrations were written again) and `ANALYZE`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import seed as base
import seed_event_registrations as registrations
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from netzerohub.cities.models import Country, Membership
from netzerohub.community.models import Group, GroupMembership, Phase
from netzerohub.core.models import Term
from netzerohub.events.models import Event, Registration

GROUPS = 200
MEETINGS = 8_000
NATIONAL = 12_000
REGISTRATIONS = 500_000
REGULARS = 200
REGULAR_REGISTRATIONS = (20, 60)
MEMBERS_PER_GROUP = (20, 80)
BATCH = 5_000
PENDING_SHARE = 0.1  # group applications still pending
PHASES = 4
MEETING_INTERVAL_DAYS = (7, 18)
MEETING_CAPACITY = (20, 40)
MEETING_CAPACITY_SHARE = 0.4
CAPACITY = (20, 500)
SEATS_PER_CITY = (2, 5)
SEATS_PER_CITY_SHARE = 0.3
DEADLINE_SHARE = 0.6
AUDIENCES = (("all", 0.85), ("country", 0.12), ("invited", 0.03))
INVITED = (5, 20)
FORMATS = (("online", 0.5), ("in-person", 0.3), ("hybrid", 0.2))
EVENTS_FROM = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
EVENTS_UNTIL = dt.datetime(2029, 1, 1, tzinfo=dt.UTC)
GROUPS_FROM = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
GROUPS_UNTIL = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
GROUP_PREFIX = "bench-group-"
ORGANISER_EMAIL = "bench-organiser@staff.bench.invalid"

# The languages events are held in, and the zone they are announced in, by country.
LANGUAGES = {
    "AL": ["sq"], "AM": ["hy"], "AT": ["de"], "BA": ["bs"], "BE": ["nl", "fr"], "BG": ["bg"],
    "CH": ["de", "fr"], "CY": ["el"], "CZ": ["cs"], "DE": ["de"], "DK": ["da"], "EE": ["et"],
    "EG": ["ar"], "ES": ["es"], "FI": ["fi"], "FO": ["fo"], "FR": ["fr"], "GB": ["en"],
    "GE": ["ka"], "GR": ["el"], "HR": ["hr"], "HU": ["hu"], "IE": ["en"], "IL": ["he"],
    "IS": ["is"], "IT": ["it"], "LT": ["lt"], "LU": ["lb", "fr"], "LV": ["lv"], "MD": ["ro"],
    "ME": ["cnr"], "MK": ["mk"], "MT": ["mt", "en"], "NL": ["nl"], "NO": ["no"], "PL": ["pl"],
    "PT": ["pt"], "RO": ["ro"], "RS": ["sr"], "SE": ["sv"], "SI": ["sl"], "SK": ["sk"],
    "TN": ["ar", "fr"], "TR": ["tr"], "UA": ["uk"], "XK": ["sq"],
}  # fmt: skip
ZONES = {
    "AL": "Europe/Tirane", "AM": "Asia/Yerevan", "AT": "Europe/Vienna", "BA": "Europe/Sarajevo",
    "BE": "Europe/Brussels", "BG": "Europe/Sofia", "CH": "Europe/Zurich", "CY": "Asia/Nicosia",
    "CZ": "Europe/Prague", "DE": "Europe/Berlin", "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn", "EG": "Africa/Cairo", "ES": "Europe/Madrid", "FI": "Europe/Helsinki",
    "FO": "Atlantic/Faroe", "FR": "Europe/Paris", "GB": "Europe/London", "GE": "Asia/Tbilisi",
    "GR": "Europe/Athens", "HR": "Europe/Zagreb", "HU": "Europe/Budapest", "IE": "Europe/Dublin",
    "IL": "Asia/Jerusalem", "IS": "Atlantic/Reykjavik", "IT": "Europe/Rome",
    "LT": "Europe/Vilnius", "LU": "Europe/Luxembourg", "LV": "Europe/Riga",
    "MD": "Europe/Chisinau", "ME": "Europe/Podgorica", "MK": "Europe/Skopje", "MT": "Europe/Malta",
    "NL": "Europe/Amsterdam", "NO": "Europe/Oslo", "PL": "Europe/Warsaw", "PT": "Europe/Lisbon",
    "RO": "Europe/Bucharest", "RS": "Europe/Belgrade", "SE": "Europe/Stockholm",
    "SI": "Europe/Ljubljana", "SK": "Europe/Bratislava", "TN": "Africa/Tunis",
    "TR": "Europe/Istanbul", "UA": "Europe/Kyiv", "XK": "Europe/Belgrade",
}  # fmt: skip
GROUP_LANGUAGES = (
    ("en", 0.7),
    ("de", 0.06),
    ("fr", 0.06),
    ("es", 0.06),
    ("it", 0.06),
    ("pl", 0.06),
)
TOPICS = (
    "Climate City Contracts in practice",
    "Heat planning and district heating",
    "Financing the transition",
    "Citizen assemblies on climate",
    "Renovating public buildings",
    "Sustainable urban mobility plans",
    "Emission inventories made simple",
    "Nature-based solutions for cooler streets",
    "Circular construction",
    "Energy communities",
    "Green public procurement",
    "Monitoring the climate action plan",
    "Working with the private sector",
    "Transition teams in the municipality",
)
WORDS = """
    city municipal energy climate plan data local project people public council emissions
    buildings action network support process urban national regional measures sector target
    housing cost funding services partners district approach working group results evidence
    monitoring neighbourhood residents households transport mobility heat electricity transition
    strategy policy governance budget finance investment team department companies schools
    citizens community engagement workshop survey pilot programme indicators report guidance
    lessons challenges barriers opportunities benefits risks impact reduction carbon baseline
    pathway portfolio procurement contract mandate partnership cooperation learning skills
    stakeholders renewable solar insulation retrofit heating cycling charging waste recycling
""".split()  # noqa: SIM905 - a word list reads best as text


@dataclass(frozen=True)
class Targets:
    groups: int = GROUPS
    meetings: int = MEETINGS  # in all, spread evenly over the groups
    national: int = NATIONAL
    registrations: int = REGISTRATIONS
    regulars: int = REGULARS
    regular_registrations: tuple[int, int] = REGULAR_REGISTRATIONS
    members_per_group: tuple[int, int] = MEMBERS_PER_GROUP


def bench_groups():
    return Group.objects.filter(slug__startswith=GROUP_PREFIX)


def bench_meetings():
    return Event.objects.filter(kind=Event.Kind.MEETING, group__slug__startswith=GROUP_PREFIX)


def bench_national():
    return Event.objects.filter(kind=Event.Kind.NATIONAL, created_by__email=ORGANISER_EMAIL)


def bench_events():
    return Event.objects.filter(
        Q(kind=Event.Kind.MEETING, group__slug__startswith=GROUP_PREFIX)
        | Q(kind=Event.Kind.NATIONAL, created_by__email=ORGANISER_EMAIL)
    )


def bench_registrations():
    return Registration.objects.filter(event__in=bench_events())


def organiser() -> Any:
    return get_user_model().objects.filter(email=ORGANISER_EMAIL).first()


def group_slug(number: int) -> str:
    return f"{GROUP_PREFIX}{number:03d}"


def regulars(count: int = REGULARS) -> list[int]:
    """The ids of `count` synthetic people with a city, spread evenly over them (every 250th
    of 50,000): the ones with 20–60 registrations, whom the signed-in pages are requested as."""
    people = list(
        base.bench_users()
        .filter(memberships__status=Membership.Status.APPROVED)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    step = max(1, len(people) // count) if count else 1
    return people[::step][:count]


# --- text and draws --------------------------------------------------------------------------


def _sentences(rng: random.Random, words: int) -> str:
    out = []
    for index, word in enumerate(rng.choices(WORDS, k=words)):
        if index % 12 == 0:
            word = word.capitalize()
        if index % 12 == 11 or index == words - 1:
            word += "."
        out.append(word)
    return " ".join(out)


def _agenda(rng: random.Random, start_hour: int, items: int) -> str:
    lines = [f"## {_sentences(rng, 4)[:-1]}", "", _sentences(rng, 40), "", "## Programme", ""]
    for index in range(items):
        hour, minute = divmod(start_hour * 60 + 30 * index, 60)
        lines.append(f"- **{hour:02d}:{minute:02d}** {_sentences(rng, 7)[:-1]}")
    return "\n".join(lines) + "\n"


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def _capacity(rng: random.Random) -> int:
    low, high = CAPACITY
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    return max(low, min(high, 5 * round(value / 5)))


@functools.cache
def _zone(code: str) -> str:
    zone = ZONES.get(code, "Europe/Brussels")
    return zone if zone in zoneinfo.available_timezones() else "Europe/Brussels"


# --- people ----------------------------------------------------------------------------------


@dataclass
class People:
    """The synthetic people with a city, their approved cities, and who is where."""

    cities_of: dict[int, list[int]]  # user id -> approved city ids
    country_of: dict[int, int]  # city id -> country id
    users: list[int]  # everyone with a city, by id
    by_country: dict[int, list[int]] = field(default_factory=dict)  # country -> users
    by_city: dict[int, list[int]] = field(default_factory=dict)  # city -> users

    @classmethod
    def load(cls) -> People:
        cities_of: dict[int, list[int]] = defaultdict(list)
        rows = (
            Membership.objects.approved()
            .filter(user__in=base.bench_users())
            .order_by("user_id", "city_id")
            .values_list("user_id", "city_id", "city__country_id")
        )
        country_of: dict[int, int] = {}
        by_country: dict[int, set[int]] = defaultdict(set)
        by_city: dict[int, list[int]] = defaultdict(list)
        for user_id, city_id, country_id in rows:
            cities_of[user_id].append(city_id)
            country_of[city_id] = country_id
            by_country[country_id].add(user_id)
            by_city[city_id].append(user_id)
        return cls(
            cities_of=dict(cities_of),
            country_of=country_of,
            users=sorted(cities_of),
            by_country={c: sorted(users) for c, users in by_country.items()},
            by_city=dict(by_city),
        )


# --- groups ----------------------------------------------------------------------------------


def _themes() -> list[Term]:
    return list(Term.objects.filter(kind__in=["field", "lever"]).order_by("kind", "position", "pk"))


def _schedule(number: int, count: int, seed_value: int) -> list[dt.datetime]:
    """When group `number`'s meetings start: every 7–18 days (at the same hour) from a start
    drawn in 2025–2026."""
    rng = random.Random(seed_value * 15_485_863 + number)
    span = (GROUPS_UNTIL - GROUPS_FROM).days
    first = GROUPS_FROM + dt.timedelta(days=rng.randrange(span), hours=rng.choice([8, 9, 12, 14]))
    interval = dt.timedelta(days=rng.randint(*MEETING_INTERVAL_DAYS))
    return [first + index * interval for index in range(count)]


def meetings_per_group(targets: Targets, number: int) -> int:
    each, extra = divmod(targets.meetings, max(targets.groups, 1))
    return each + (1 if number <= extra else 0)


def _regular_groups(targets: Targets, people: People) -> dict[int, list[int]]:
    """{group number: the regulars who are members of it}: each regular in one group."""
    found: dict[int, list[int]] = defaultdict(list)
    for index, user_id in enumerate(regulars(targets.regulars)):
        if user_id in people.cities_of and targets.groups:
            found[index % targets.groups + 1].append(user_id)
    return found


@transaction.atomic
def seed_groups(targets: Targets, people: People, seed_value: int) -> dict[str, int]:
    """The missing peer groups, with their facilitators, phases and members."""
    existing = set(bench_groups().values_list("slug", flat=True))
    numbers = [n for n in range(1, targets.groups + 1) if group_slug(n) not in existing]
    added = {"groups": 0, "group_members": 0}
    themes = _themes()
    if not numbers or not themes or not people.users:
        return added
    members_of = _regular_groups(targets, people)
    regular_ids = {u for users in members_of.values() for u in users}
    others = [u for u in people.users if u not in regular_ids]
    rngs = {n: random.Random(seed_value * 7_919 + n) for n in numbers}
    groups = []
    for n in numbers:
        rng, theme = rngs[n], themes[(n - 1) % len(themes)]
        groups.append(
            Group(
                slug=group_slug(n),
                title=f"{theme.name}: peer group {n:03d}",
                summary=_sentences(rng, 24)[:300],
                description=f"## What we work on\n\n{_sentences(rng, 60)}\n\n"
                f"## How we meet\n\n{_sentences(rng, 40)}\n",
                theme=theme,
                language=_weighted(rng, GROUP_LANGUAGES),
                admission=Group.Admission.OPEN
                if rng.random() < 0.7
                else Group.Admission.APPLICATION,
                seats_per_city=2,
                status=Group.Status.OPEN if rng.random() < 0.9 else Group.Status.CLOSED,
            )
        )
    groups = Group.objects.bulk_create(groups)
    if any(g.pk is None for g in groups):
        raise RuntimeError("bulk_create returned no ids: the backend cannot seed this")

    facilitators, phases, memberships = [], [], []
    Facilitators = Group.facilitators.through
    now = timezone.now()
    for group, n in zip(groups, numbers, strict=True):
        rng = rngs[n]
        for user_id in rng.sample(others, min(2, len(others))):
            facilitators.append(Facilitators(group_id=group.pk, user_id=user_id))
        schedule = _schedule(n, meetings_per_group(targets, n), seed_value)
        if schedule:
            size = -(-len(schedule) // PHASES)
            for position, start in enumerate(range(0, len(schedule), size), start=1):
                part = schedule[start : start + size]
                phases.append(
                    Phase(
                        group_id=group.pk,
                        position=position,
                        title=f"Phase {position}: {_sentences(rng, 4)[:-1]}",
                        description=_sentences(rng, 30),
                        starts_on=part[0].date(),
                        ends_on=part[-1].date(),
                    )
                )
        chosen = list(members_of.get(n, []))
        count = rng.randint(*targets.members_per_group)
        for user_id in rng.sample(others, min(len(others), count + 10)):
            if len(chosen) >= count + len(members_of.get(n, [])):
                break
            chosen.append(user_id)
        seats: dict[int, int] = defaultdict(int)
        for user_id in chosen:
            open_cities = [c for c in people.cities_of[user_id] if seats[c] < 2]
            if not open_cities:
                continue
            city_id = rng.choice(open_cities)
            seats[city_id] += 1
            pending = user_id not in regular_ids and rng.random() < PENDING_SHARE
            memberships.append(
                GroupMembership(
                    group_id=group.pk,
                    user_id=user_id,
                    city_id=city_id,
                    status=GroupMembership.Status.PENDING
                    if pending
                    else GroupMembership.Status.APPROVED,
                    decided_at=None if pending else now,
                )
            )
    Facilitators.objects.bulk_create(facilitators, batch_size=BATCH)
    Phase.objects.bulk_create(phases, batch_size=BATCH)
    GroupMembership.objects.bulk_create(memberships, batch_size=BATCH)
    added["groups"] = len(groups)
    added["group_members"] = len(memberships)
    return added


@transaction.atomic
def seed_meetings(targets: Targets, seed_value: int) -> int:
    """Each synthetic group's missing meetings, in its schedule."""
    groups = list(
        bench_groups()
        .annotate(n=Count("meetings"))
        .order_by("slug")
        .values_list("pk", "slug", "n", "theme_id", "theme__kind", "language", "title")
    )
    phases: dict[int, list[tuple[dt.date, dt.date, int]]] = defaultdict(list)
    for group_id, starts, ends, pk in Phase.objects.filter(
        group__slug__startswith=GROUP_PREFIX
    ).values_list("group_id", "starts_on", "ends_on", "pk"):
        phases[group_id].append((starts, ends, pk))
    now = timezone.now()
    meetings, themes = [], []
    for group_id, slug, existing, theme_id, theme_kind, language, title in groups:
        number = int(slug.removeprefix(GROUP_PREFIX))
        schedule = _schedule(number, meetings_per_group(targets, number), seed_value)
        for index in range(existing, len(schedule)):
            rng = random.Random(seed_value * 104_729 + number * 1_000 + index)
            starts = schedule[index]
            past = starts < now
            phase = next((pk for s, e, pk in phases[group_id] if s <= starts.date() <= e), None)
            meetings.append(
                Event(
                    kind=Event.Kind.MEETING,
                    title=f"{title}, meeting {index + 1}",
                    summary=_sentences(rng, 20)[:300],
                    agenda=_agenda(rng, starts.hour, 4),
                    group_id=group_id,
                    phase_id=phase,
                    languages=[language],
                    format=Event.Format.ONLINE,
                    video_url=f"https://video.bench.invalid/{slug}/{index + 1}",
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(minutes=90),
                    time_zone="Europe/Brussels",
                    capacity=rng.randint(*MEETING_CAPACITY)
                    if rng.random() < MEETING_CAPACITY_SHARE
                    else None,
                    audience=Event.Audience.GROUP,
                    status=Event.Status.PUBLISHED,
                    materials=f"- [Slides](https://files.bench.invalid/{slug}/{index + 1}.pdf)\n"
                    if past and rng.random() < 0.5
                    else "",
                    recording_url=f"https://video.bench.invalid/rec/{slug}/{index + 1}"
                    if past and rng.random() < 0.6
                    else "",
                )
            )
            themes.append((theme_id, theme_kind))
    meetings = Event.objects.bulk_create(meetings, batch_size=BATCH)
    if any(m.pk is None for m in meetings):
        raise RuntimeError("bulk_create returned no ids: the backend cannot seed this")
    Fields, Levers = Event.fields.through, Event.levers.through
    Fields.objects.bulk_create(
        [
            Fields(event_id=m.pk, term_id=t)
            for m, (t, kind) in zip(meetings, themes, strict=True)
            if kind == "field"
        ],
        batch_size=BATCH,
    )
    Levers.objects.bulk_create(
        [
            Levers(event_id=m.pk, term_id=t)
            for m, (t, kind) in zip(meetings, themes, strict=True)
            if kind == "lever"
        ],
        batch_size=BATCH,
    )
    return len(meetings)


# --- national events -------------------------------------------------------------------------


@transaction.atomic
def seed_organiser() -> int:
    if organiser() is not None:
        return 0
    user = get_user_model()(email=ORGANISER_EMAIL, name="Synthetic event organiser")
    user.set_unusable_password()  # nobody signs in as the organiser
    user.save()
    return 1


def _national(
    number: int,
    rng: random.Random,
    countries: list[tuple[int, str, str]],
    weights: list[int],
) -> Event:
    country_id, code, name = rng.choices(countries, weights=weights)[0]
    own = LANGUAGES.get(code, ["en"])
    draw = rng.random()
    if draw < 0.1:
        languages = ["en"]
    elif draw < 0.45:
        languages = sorted(set(own) | {"en"})
    else:
        languages = list(own)
    span = (EVENTS_UNTIL - EVENTS_FROM).days
    starts = EVENTS_FROM + dt.timedelta(days=rng.randrange(span), hours=rng.randint(7, 15))
    format_ = _weighted(rng, FORMATS)
    hours = rng.choice([1.5, 2, 3]) if format_ == "online" else rng.choice([3, 4, 6, 8])
    capacity = _capacity(rng)
    topic = TOPICS[number % len(TOPICS)]
    deadline = (
        starts - dt.timedelta(days=rng.randint(1, 14)) if rng.random() < DEADLINE_SHARE else None
    )
    return Event(
        kind=Event.Kind.NATIONAL,
        title=f"{topic}: {name} {starts.year}",
        summary=_sentences(rng, 22)[:300],
        agenda=_agenda(rng, starts.hour, 6),
        country_id=country_id,
        languages=languages,
        format=format_,
        venue=""
        if format_ == "online"
        else f"Conference centre {number}, {rng.randint(1, 200)} Main Street, {name}",
        video_url="" if format_ == "in-person" else f"https://video.bench.invalid/n/{number}",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        time_zone=_zone(code),
        capacity=capacity,
        seats_per_city=rng.randint(*SEATS_PER_CITY)
        if rng.random() < SEATS_PER_CITY_SHARE
        else None,
        registration_deadline=deadline,
        audience=_weighted(rng, AUDIENCES),
        status=Event.Status.PUBLISHED,
    )


@transaction.atomic
def seed_national(targets: Targets, people: People, seed_value: int) -> int:
    """National events up to the target, numbered after the existing ones."""
    existing = bench_national().count()
    missing = targets.national - existing
    if missing <= 0:
        return 0
    country_ids, weights = base._country_weights()
    names = dict(Country.objects.filter(pk__in=country_ids).values_list("pk", "code"))
    labels = dict(Country.objects.filter(pk__in=country_ids).values_list("pk", "name"))
    countries = [(pk, names[pk], labels[pk]) for pk in country_ids]
    creator = organiser()
    invitable = sorted(people.by_city)
    events, invited = [], []
    terms = {"field": [], "lever": []}
    for term in Term.objects.filter(kind__in=["field", "lever"]).order_by("position", "pk"):
        terms[term.kind].append(term.pk)
    picks = []
    for number in range(existing + 1, targets.national + 1):
        rng = random.Random(seed_value * 1_299_709 + number)
        event = _national(number, rng, countries, weights)
        event.created_by = creator
        if event.audience == Event.Audience.COUNTRY and not people.by_country.get(event.country_id):
            event.audience = Event.Audience.ALL  # nobody could ever register
        events.append(event)
        picks.append(
            (
                rng.sample(terms["field"], min(len(terms["field"]), rng.randint(1, 2))),
                rng.sample(terms["lever"], min(len(terms["lever"]), rng.randint(0, 2))),
                rng.sample(invitable, min(len(invitable), rng.randint(*INVITED)))
                if event.audience == Event.Audience.INVITED
                else [],
            )
        )
    events = Event.objects.bulk_create(events, batch_size=BATCH)
    if any(e.pk is None for e in events):
        raise RuntimeError("bulk_create returned no ids: the backend cannot seed this")
    Fields, Levers = Event.fields.through, Event.levers.through
    Invited = Event.invited_cities.through
    field_rows, lever_rows = [], []
    for event, (fields, levers, cities) in zip(events, picks, strict=True):
        field_rows += [Fields(event_id=event.pk, term_id=t) for t in fields]
        lever_rows += [Levers(event_id=event.pk, term_id=t) for t in levers]
        invited += [Invited(event_id=event.pk, city_id=c) for c in cities]
    Fields.objects.bulk_create(field_rows, batch_size=BATCH)
    Levers.objects.bulk_create(lever_rows, batch_size=BATCH)
    Invited.objects.bulk_create(invited, batch_size=BATCH)
    return len(events)


# --- registrations (seed_event_registrations.py writes them) ------------------------------


@transaction.atomic
def seed_registrations(
    targets: Targets, people: People, seed_value: int, log: Callable[..., None]
) -> dict[str, int]:
    """The registrations, written again when their number differs from the target (then
    `registrations_deleted` says how many were deleted first)."""
    mine = bench_registrations()
    existing = mine.count()
    if existing == targets.registrations:
        return {"registrations": 0}
    if existing:  # a different target, or new events: start the registrations over
        mine.delete()
    members: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for group_id, user_id, city_id in (
        GroupMembership.objects.approved()
        .filter(group__in=bench_groups())
        .order_by("group_id", "user_id")
        .values_list("group_id", "user_id", "city_id")
    ):
        if user_id in people.cities_of:
            members[group_id].append((user_id, city_id))
    written = registrations.write(
        targets.registrations,
        registrations.Plan.load(bench_meetings()),
        registrations.Plan.load(bench_national()),
        people,
        members,
        regulars(targets.regulars),
        targets.regular_registrations,
        seed_value,
        log,
    )
    if written != targets.registrations:
        log(
            f"  WARNING: {written:,} registrations, not {targets.registrations:,}: "
            "the events and people cannot take more"
        )
    return {"registrations": written, "registrations_deleted": existing}


def seed(
    targets: Targets | None = None, *, seed_value: int = 2050, log: Callable[..., None] = print
) -> dict[str, Any]:
    """Top the groups, meetings, national events and registrations up to their targets;
    returns what was added and the timings."""
    targets = targets or Targets()
    report: dict[str, Any] = {}
    started = time.monotonic()
    with transaction.atomic():
        people = People.load()
        for name, step in (
            ("organiser", seed_organiser),
            ("groups", lambda: seed_groups(targets, people, seed_value)),
            ("meetings", lambda: seed_meetings(targets, seed_value)),
            ("national_events", lambda: seed_national(targets, people, seed_value)),
            ("registrations", lambda: seed_registrations(targets, people, seed_value, log)),
        ):
            step_started = time.monotonic()
            added = step()
            seconds = round(time.monotonic() - step_started, 2)
            if isinstance(added, dict):
                report |= added
            else:
                report[name] = added
            if any(added.values()) if isinstance(added, dict) else added:
                report[f"{name}_s"] = seconds
                log(f"  seeded {name}: {added} in {seconds:.1f}s")
    changed = any(v for k, v in report.items() if not k.endswith("_s"))
    if changed:
        report["seed_s"] = round(time.monotonic() - started, 2)
        if connection.vendor == "postgresql":
            analyze_started = time.monotonic()
            vacuum(written=True, full=bool(report.get("registrations_deleted")))
            report["analyze_s"] = round(time.monotonic() - analyze_started, 2)
    return report


# The tables the seeding writes (VACUUMed after it, see `vacuum`).
TABLES = (
    "community_group",
    "community_group_facilitators",
    "community_phase",
    "community_groupmembership",
    "events_event",
    "events_event_fields",
    "events_event_levers",
    "events_event_invited_cities",
    "events_registration",
)


def vacuum(*, written: bool = False, full: bool = False) -> None:
    """On PostgreSQL: `VACUUM (ANALYZE)` the events tables, so that they answer index-only scans
    as a vacuumed production table does; `full` compacts them after the registrations were
    written again (deleting them left a dead copy of every row, which a PostgreSQL without
    autovacuum, as on the benchmark's machine, keeps: pages would read bloated indexes). Then
    `ANALYZE` when rows were `written`. VACUUM cannot run inside a transaction (in tests): then
    only ANALYZE. SQLite is left as the product leaves it."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:
            options = "FULL, ANALYZE" if full else "ANALYZE"
            cursor.execute(f"VACUUM ({options}) {', '.join(TABLES)}")
        if written:
            cursor.execute("ANALYZE")

"""Synthetic helpdesk data for the benchmark: 100,000 tickets and 500,000 messages.

- **Configuration**, created when missing (never changed when there): the working time (one row:
  Monday–Friday 09:00–17:00 Brussels time, warnings 4 working hours ahead, resolved tickets
  closed after 7 days), holidays (1 January, 1 May, 25 and 26 December of the years covered),
  service levels per priority (urgent 4/16, high 8/24, normal 16/40, low 24/80 working hours to
  the first response / resolution);
- **30** helpdesk experts `bench-expert-NN@staff.bench.invalid` (outside `@bench.invalid`, so
  `seed.bench_users()` leaves them out; an authenticator app each, as staff must have) and
  **8** queues `bench-…` with 3–6 of them each (every expert in at least one queue), two of
  them triaged by hand (no automatic assignment), one the default queue when there is none;
  routing rules category → queue and, for expert guidance, field of action or lever → queue
  (a rule that exists already is left alone); 4 canned replies per queue and 4 for all; a few
  absences; the synthetic coordinator (`seed_assessment.seed_coordinator`);
- **100,000** tickets over the 24 months before seeding (more of them recently; on working days
  and during the day mostly): 96 % from synthetic people (`seed.py`), each for one of their
  cities where they are an approved member (10 % without a city), 4 % from visitors
  (`visitor-NNNNNN@visitors.bench.invalid`, a private token each; 5 % of those never confirmed
  their address: unverified, outside any queue, no clock). Category (portal 30 %, events 20 %,
  applications 15 %, expert guidance 25 % with a field or lever, other 10 %), routed with the
  real `services.route`; priority urgent 5 %, high 20 %, normal 60 %, low 15 %. The status
  depends on the ticket's age: tickets of the last week are mostly active or resolved, older
  ones mostly closed, with a backlog of active ones that thins out with age (about 6 % active
  in all, a third of them waiting for the city);
- **500,000** messages (`message_count` is each ticket's number of them): the description, then
  a conversation of public replies (city side and helpdesk side) and internal notes (~15 %),
  5 per ticket on average, skewed (a log-normal weight per ticket, at most 6; 1 % of tickets
  weighing 12–35, about 30–80 messages), scaled so that the total meets the target; new and
  unverified tickets have only their description. Bodies are Markdown of 100–700 characters
  (a greeting, sentences, sometimes emphasis, a list or a link, a closing; notes without
  greeting and closing), taken from a pool of 6,000 per kind (the city's, the helpdesk's,
  notes) made once from a fixed seed.

**The rows are what the services would have written**, not approximations of them: each
ticket's conversation is played through the same state machine as `services.reply_as_city`,
`reply_as_helpdesk` (first response, assignment to the first expert who answers in a queue
triaged by hand, the status each reply sets), `_set_status`, `_pause`/`_resume` (the clock
stops while waiting for the city and while resolved; the working time paused moves
`resolution_due`) and `close_resolved` (closed 7 days after resolution), giving
`received_at`, `first_response_due`, `resolution_due`, `first_response_at`,
`first_response_seconds`, `waiting_since`, `paused_seconds`, `resolved_at`,
`resolution_seconds` and `closed_at`. The working-time arithmetic is exact, and cheap: the
real calendar (`clock.calendar()`, with the holidays) gives every day's working window, once;
`WorkingClock` then answers `seconds_between` and `add` by bisecting cumulative working
seconds, and is checked against `WorkingCalendar` on 400 random cases at every seeding (a
mismatch stops the seeding). Approximated: assignment in queues that assign automatically
(the queue's experts in turn, not the least loaded at the time), the breach-warning flags (set
when the response or resolution came, or now is, within the warning window of its due time, as
if the sweep had run every minute), helpdesk replies' times (working-time delays after the
city's message, so mostly in working hours; compressed into the ticket's age when a
conversation would not fit). Ratings (1–5, mostly 4–5, a comment on 40 %) on 30 % of the
resolved and closed tickets of people (visitors cannot rate).

Each ticket's values come from a random generator seeded with its number (tickets are numbered
by when they were opened), so the data does not depend on the order of the work; the times are
relative to the time of seeding. Tickets are written with `bulk_create` in batches of 5,000
(`created`/`updated` as generated, not the time of seeding), their messages after each batch
with PostgreSQL's `COPY` (`executemany` on SQLite): 500,000 `Message` instances through
`bulk_create` took most of the seeding's time. No audit entries, notifications or emails.
Seeding tops up the configuration and writes the tickets and messages again when their numbers
differ from the targets (deleting the old ones first); one transaction; on PostgreSQL, then
`VACUUM (ANALYZE)` of the helpdesk tables (`FULL` after a deletion: this PostgreSQL runs without
autovacuum) and `ANALYZE`.
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import math
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import seed as base
import seed_assessment
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Count, Q

from netzerohub.cities.models import Membership
from netzerohub.core.models import Term
from netzerohub.helpdesk import clock, services
from netzerohub.helpdesk.models import (
    Absence,
    CannedReply,
    Category,
    Holiday,
    Message,
    Priority,
    Queue,
    RoutingRule,
    ServiceLevel,
    Ticket,
    WorkingTime,
)

TICKETS = 100_000
MESSAGES = 500_000
EXPERTS = 30
BATCH = 5_000
DAY = 86_400
SPAN_DAYS = 730  # tickets over the 24 months before seeding
EXPERT_DOMAIN = "staff.bench.invalid"
VISITOR_DOMAIN = "visitors.bench.invalid"
QUEUE_PREFIX = "bench-"
VISITOR_SHARE = 0.04
UNVERIFIED_SHARE = 0.05  # of visitors' tickets
NO_CITY_SHARE = 0.10  # of people's tickets
NOTE_SHARE = 0.15  # of all messages (about: the first message is never a note)
HEAVY_SHARE, HEAVY_WEIGHT = 0.01, (12.0, 35.0)  # talkative tickets (others: 0–6)
RATED_SHARE = 0.30  # of people's resolved and closed tickets
WARN_HOURS = 4
AUTO_CLOSE_DAYS = 7
CATEGORIES = (
    (Category.PORTAL, 0.30),
    (Category.EVENTS, 0.20),
    (Category.APPLICATIONS, 0.15),
    (Category.EXPERT, 0.25),
    (Category.OTHER, 0.10),
)
PRIORITIES = (
    (Priority.URGENT, 0.05),
    (Priority.HIGH, 0.20),
    (Priority.NORMAL, 0.60),
    (Priority.LOW, 0.15),
)
LEVELS = {  # first response, resolution (working hours)
    Priority.URGENT: (4, 16),
    Priority.HIGH: (8, 24),
    Priority.NORMAL: (16, 40),
    Priority.LOW: (24, 80),
}
HOLIDAYS = (((1, 1), "New Year's Day"), ((5, 1), "Labour Day"), ((12, 25), "Christmas Day"),
            ((12, 26), "Second day of Christmas"))  # fmt: skip
# slug, name, description, auto_assign, what it answers: (category, term slugs or None)
QUEUES = (
    ("portal", "Using the portal", "Accounts, cities, workspaces and the portal's pages.", True,
     [(Category.PORTAL, None)]),
    ("events", "Events and registrations", "Registrations, waitlists, meetings and groups.", True,
     [(Category.EVENTS, None)]),
    ("applications", "Applications and calls", "Calls, eligibility, applying and decisions.",
     False, [(Category.APPLICATIONS, None)]),
    ("energy-buildings", "Energy and buildings", "Energy systems, buildings, technology.", True,
     [(Category.EXPERT, ["energy-systems", "built-environment", "technology-infrastructure"])]),
    ("mobility", "Mobility and transport", "Mobility and transport questions.", True,
     [(Category.EXPERT, ["mobility-transport"])]),
    ("nature-circular", "Nature, land and circularity", "Waste, nature-based solutions, land.",
     True, [(Category.EXPERT, ["waste-circular-economy", "green-infrastructure-nbs",
                               "industrial-processes", "agriculture-forestry-land-use"])]),
    ("governance-finance", "Governance and finance", "Levers of change and other themes.", True,
     [(Category.EXPERT, None)]),
    ("general", "General questions", "Everything else; triaged by hand.", False,
     [(Category.OTHER, None)]),
)  # fmt: skip
DEFAULT_QUEUE = "general"
SUBJECTS = {
    Category.PORTAL: (
        "How do I invite a colleague to our city's workspace?",
        "I cannot find our city in the directory",
        "Changing the lead of our city",
        "The self-assessment does not save my answers",
        "Where do I download our results?",
        "Two-factor authentication on a new phone",
        "Our city's profile shows an old population figure",
        "Notifications arrive in the wrong language",
    ),
    Category.EVENTS: (
        "Registering two colleagues for the same national event",
        "We are on the waitlist: how does it work?",
        "The meeting link does not open",
        "Cancelling our registration",
        "Can our group change its meeting day?",
        "Recording of last week's meeting",
        "Seats per city for the workshop",
    ),
    Category.APPLICATIONS: (
        "Is our city eligible for the twinning call?",
        "Correcting an answer after submitting",
        "When will the decisions be published?",
        "Our application was rejected: can we know why?",
        "Deadline of the call in our time zone",
        "Adding a second representative",
    ),
    Category.EXPERT: (
        "Sample question on a heat plan for older districts",
        "How to set a baseline for our emission inventory",
        "Financing a renovation programme for public buildings",
        "Engaging residents in the climate contract",
        "Indicators for the action plan",
        "Procurement of electric buses",
        "Nature-based solutions against summer heat",
        "Circular construction in public tenders",
    ),
    Category.OTHER: (
        "A question about the programme",
        "Press enquiry",
        "Partnership proposal",
        "Feedback on the portal",
        "Data protection request",
    ),
}
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
    portal account page form registration application deadline question answer colleague
""".split()  # noqa: SIM905 - a word list reads best as text
GREETINGS = ("Hello,", "Dear helpdesk,", "Hi,", "Good morning,", "Dear colleague,", "Hello again,")
CLOSINGS = ("Thank you!", "Best regards,", "Kind regards,", "Thanks for your help.", "Cheers,")


@dataclass(frozen=True)
class Targets:
    tickets: int = TICKETS
    messages: int = MESSAGES
    experts: int = EXPERTS


def expert_email(number: int) -> str:
    return f"bench-expert-{number:02d}@{EXPERT_DOMAIN}"


def visitor_email(number: int) -> str:
    return f"visitor-{number:06d}@{VISITOR_DOMAIN}"


def bench_experts():
    return get_user_model().objects.filter(
        email__startswith="bench-expert-", email__endswith=f"@{EXPERT_DOMAIN}"
    )


def bench_queues():
    return Queue.objects.filter(slug__startswith=QUEUE_PREFIX)


def bench_tickets():
    """Tickets of the synthetic people and visitors."""
    return Ticket.objects.filter(
        Q(requester__email__endswith=f"@{base.USER_DOMAIN}")
        | Q(requester__isnull=True, contact_email__endswith=f"@{VISITOR_DOMAIN}")
    )


def bench_messages():
    return Message.objects.filter(ticket__in=bench_tickets())


# --- working time --------------------------------------------------------------------------


class WorkingClock:
    """`WorkingCalendar.seconds_between` and `add` on whole epoch seconds, for the days from
    `first` to `last`: every working window of those days (from the real calendar) and the
    working seconds before it; an answer is a bisection. Outside those days: the real calendar."""

    def __init__(self, calendar: clock.WorkingCalendar, first: dt.date, last: dt.date) -> None:
        self.calendar = calendar
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.before: list[int] = []  # working seconds before each window
        self.after: list[int] = []  # … and at its end
        total = 0
        day = first
        while day <= last:
            window = calendar._window(day)
            if window is not None:
                start, end = int(window[0].timestamp()), int(window[1].timestamp())
                self.starts.append(start)
                self.ends.append(end)
                self.before.append(total)
                total += end - start
                self.after.append(total)
            day += dt.timedelta(days=1)
        if not self.starts:
            raise RuntimeError("The helpdesk has no working day: check its working time.")
        self.first, self.last = self.starts[0], self.ends[-1]

    def worked(self, moment: int) -> int:
        """Working seconds from the first window to `moment`."""
        index = bisect.bisect_right(self.starts, moment) - 1
        if index < 0:
            return 0
        return self.before[index] + min(moment, self.ends[index]) - self.starts[index]

    def seconds_between(self, start: int, end: int) -> int:
        if end <= start:
            return 0
        if start < self.first or end > self.last:
            return self.calendar.seconds_between(_utc(start), _utc(end))
        return self.worked(end) - self.worked(start)

    def add(self, start: int, seconds: int) -> int:
        if seconds <= 0 or start < self.first:
            return int(self.calendar.add(_utc(start), seconds).timestamp())
        target = self.worked(start) + seconds
        index = bisect.bisect_left(self.after, target)
        if index >= len(self.after):
            return int(self.calendar.add(_utc(start), seconds).timestamp())
        return self.starts[index] + target - self.before[index]


def _utc(moment: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(moment, dt.UTC)


def check_clock(fast: WorkingClock, now: int, cases: int = 400, seed_value: int = 1) -> None:
    """Compare `fast` with the real calendar on random moments and durations; raise on the
    first difference."""
    rng = random.Random(seed_value)
    real = fast.calendar
    for _ in range(cases):
        start = now - rng.randrange(SPAN_DAYS * DAY)
        end = start + rng.randrange(120 * DAY)
        seconds = rng.choice([3600, 4 * 3600, rng.randrange(1, 400 * 3600)])
        expected = (
            real.seconds_between(_utc(start), _utc(end)),
            int(real.add(_utc(start), seconds).timestamp()),
        )
        found = (fast.seconds_between(start, end), fast.add(start, seconds))
        if found != expected:
            raise RuntimeError(f"WorkingClock differs from the calendar at {start}: {found}")


# --- configuration -------------------------------------------------------------------------


@transaction.atomic
def seed_configuration(now: dt.datetime) -> int:
    """Working time, holidays and service levels, each when missing."""
    added = 0
    if not WorkingTime.objects.exists():
        WorkingTime.objects.create(warn_hours=WARN_HOURS, auto_close_days=AUTO_CLOSE_DAYS)
        added += 1
    for year in range(now.year - 3, now.year + 3):
        for (month, day), name in HOLIDAYS:
            _obj, created = Holiday.objects.get_or_create(
                date=dt.date(year, month, day), defaults={"name": name}
            )
            added += created
    for priority, (first, resolution) in LEVELS.items():
        _obj, created = ServiceLevel.objects.get_or_create(
            priority=priority,
            defaults={"first_response_hours": first, "resolution_hours": resolution},
        )
        added += created
    if added:
        clock.settings_changed()
    return added


@transaction.atomic
def seed_experts(count: int) -> int:
    """Helpdesk experts with an authenticator app and a verified address."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from allauth.mfa.utils import encrypt

    User = get_user_model()
    existing = set(bench_experts().values_list("email", flat=True))
    wanted = [expert_email(n) for n in range(1, count + 1)]
    missing = [email for email in wanted if email not in existing]
    if not missing:
        return 0
    password = make_password("bench-password-not-for-production")
    users = User.objects.bulk_create(
        [
            User(
                email=email,
                name=f"Synthetic expert {email[13:15]}",
                password=password,
                is_helpdesk_expert=True,
                is_active=True,
            )
            for email in missing
        ]
    )
    users = list(User.objects.filter(email__in=missing))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    Authenticator.objects.bulk_create(
        [
            Authenticator(
                user=u,
                type=Authenticator.Type.TOTP,
                data={"secret": encrypt(generate_totp_secret())},
            )
            for u in users
        ]
    )
    return len(users)


@transaction.atomic
def seed_queues(seed_value: int) -> int:
    """The bench queues with their experts, routing rules (those not yet there), canned replies
    and a few absences."""
    existing = set(bench_queues().values_list("slug", flat=True))
    experts = list(bench_experts().order_by("email").values_list("pk", flat=True))
    if not experts:
        raise RuntimeError("Seed the experts before the queues.")
    terms = {
        (kind, slug): pk
        for kind, slug, pk in Term.objects.filter(kind__in=["field", "lever"]).values_list(
            "kind", "slug", "pk"
        )
    }
    by_slug = {slug: pk for (_kind, slug), pk in terms.items()}
    has_default = Queue.objects.filter(is_default=True).exists()
    rng = random.Random(seed_value * 7_919)
    added = 0
    unplaced = list(experts)
    rng.shuffle(unplaced)
    for number, (slug, name, description, auto, answers) in enumerate(QUEUES):
        size = min(rng.randint(3, 6), len(experts))
        members = unplaced[:size]
        unplaced = unplaced[size:]
        others = [e for e in experts if e not in members]
        members += rng.sample(others, min(size - len(members), len(others)))
        if number == len(QUEUES) - 1 and unplaced:
            members += unplaced  # everyone answers somewhere
        full_slug = QUEUE_PREFIX + slug
        if full_slug in existing:
            continue
        queue = Queue.objects.create(
            name=f"{name} (sample)",
            slug=full_slug,
            description=description,
            auto_assign=auto,
            is_default=slug == DEFAULT_QUEUE and not has_default,
        )
        queue.experts.add(*members)
        for category, slugs in answers:
            for term_id in [by_slug[s] for s in slugs if s in by_slug] if slugs else [None]:
                found = RoutingRule.objects.filter(category=category, term_id=term_id)
                if not found.exists():
                    RoutingRule.objects.create(category=category, term_id=term_id, queue=queue)
        CannedReply.objects.bulk_create(
            [
                CannedReply(
                    title=f"{name}: sample answer {n}",
                    body=_body(random.Random(seed_value + number * 10 + n), helpdesk=True),
                    queue=queue,
                )
                for n in range(1, 5)
            ]
        )
        added += 1
    if added:
        if not CannedReply.objects.filter(queue__isnull=True, title__startswith="Sample").exists():
            CannedReply.objects.bulk_create(
                [
                    CannedReply(
                        title=f"Sample answer for every queue {n}",
                        body=_body(random.Random(seed_value - n), helpdesk=True),
                    )
                    for n in range(1, 5)
                ]
            )
        today = dt.date.today()
        Absence.objects.bulk_create(
            [
                Absence(
                    expert_id=pk,
                    starts_on=today + dt.timedelta(days=offset),
                    ends_on=today + dt.timedelta(days=offset + rng.randint(0, 9)),
                    note="Sample absence",
                )
                for pk, offset in zip(experts[:4], (-3, 5, 20, 40), strict=False)
            ]
        )
        clock.settings_changed()
    return added


# --- text ----------------------------------------------------------------------------------


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice((".", ".", ".", "?"))


_POOL: list[str] = []


def _pool() -> list[str]:
    if not _POOL:
        rng = random.Random(42)
        _POOL.extend(_sentence(rng) for _ in range(4_000))
    return _POOL


def _body(rng: random.Random, *, helpdesk: bool, note: bool = False) -> str:
    """Markdown of 150–700 characters: a greeting, sentences, sometimes a list, a link or an
    emphasis, a closing."""
    pool = _pool()
    parts = [] if note else [rng.choice(GREETINGS)]
    sentences = [pool[rng.randrange(len(pool))] for _ in range(rng.randint(2, 5))]
    if rng.random() < 0.3:
        sentences[0] = f"**{sentences[0]}**"
    parts.append(" ".join(sentences))
    if rng.random() < 0.25:
        parts.append("\n".join(f"- {pool[rng.randrange(len(pool))]}" for _ in range(3)))
    if helpdesk and rng.random() < 0.3:
        parts.append(
            f"See [the guidance](https://portal.bench.invalid/knowledge/{rng.randrange(999)}/)."
        )
    if not note:
        parts.append(rng.choice(CLOSINGS))
    return "\n\n".join(parts)


BODIES = 6_000  # per kind: the city's, the helpdesk's, internal notes
_BODIES: dict[str, list[str]] = {}


def _some_body(rng: random.Random, kind: str) -> str:
    """A body from a pool of `BODIES` per kind (made once, from a fixed seed): writing 500,000
    different texts would be most of the seeding's time, and the pages do not care."""
    if not _BODIES:
        maker = random.Random(2050)
        for name, options in (
            ("city", {"helpdesk": False}),
            ("helpdesk", {"helpdesk": True}),
            ("note", {"helpdesk": True, "note": True}),
        ):
            _BODIES[name] = [_body(maker, **options) for _ in range(BODIES)]
    return _BODIES[kind][rng.randrange(BODIES)]


# --- tickets -------------------------------------------------------------------------------


@dataclass
class Plan:
    """One ticket before it is written: who, what, when, which fate, how many messages."""

    number: int
    received: int  # epoch seconds (the moment the clock starts; visitors: confirmed)
    created: int
    status: str
    category: str
    term_id: int | None
    priority: str
    requester_id: int | None
    city_id: int | None
    visitor: bool
    weight: float
    messages: int = 1


def _draw(rng: random.Random, choices: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def _opened_times(count: int, now: int, seed_value: int) -> list[int]:
    """`count` moments in the last 24 months, sorted: more recent ones more often (linear
    growth from 0.6 to 1.4), working days and daytime (Brussels, roughly) mostly."""
    rng = random.Random(seed_value * 31_337)
    found = []
    while len(found) < count:
        # inverse of the ramp's CDF: density 0.6 + 0.8 u on [0, 1] (u = 1 now)
        u = (-0.6 + math.sqrt(0.36 + 1.6 * rng.random())) / 0.8
        day = now - SPAN_DAYS * DAY + int(u * SPAN_DAYS) * DAY
        day -= day % DAY
        weekday = dt.datetime.fromtimestamp(day, dt.UTC).weekday()
        if weekday >= 5 and rng.random() < 0.85:
            continue
        hour = rng.choices(range(24), weights=HOURS)[0]
        moment = day + hour * 3600 + rng.randrange(3600)
        if moment < now - 120:
            found.append(moment)
    found.sort()
    return found


HOURS = (1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 12, 10, 14, 15, 14, 11, 7, 5, 4, 3, 2, 2, 1)


def _fate(rng: random.Random, age_days: float, visitor: bool) -> str:
    S = Ticket.Status
    if visitor and rng.random() < UNVERIFIED_SHARE:
        return S.UNVERIFIED
    if age_days < 1 / 24:  # opened within the hour: nobody has answered yet
        return S.NEW
    draw = rng.random()
    if age_days < AUTO_CLOSE_DAYS + 1:  # this week: active or resolved
        if age_days < AUTO_CLOSE_DAYS - 0.2:
            shares = ((S.NEW, 0.12), (S.OPEN, 0.24), (S.WAITING, 0.20), (S.RESOLVED, 0.44))
        else:
            shares = ((S.OPEN, 0.25), (S.WAITING, 0.25), (S.RESOLVED, 0.5))
    else:
        # a backlog that thins out with age: 12 % active a week old, 4.5 % after a year
        active = 0.04 + 0.09 * math.exp(-age_days / 90)
        resolved = 0.08 if age_days < 21 else 0.0  # long conversations resolved this week
        shares = (
            (S.NEW, active * 0.12),
            (S.OPEN, active * 0.48),
            (S.WAITING, active * 0.40),
            (S.RESOLVED, resolved),
            (S.CLOSED, 1 - active - resolved),
        )
    for status, share in shares:
        if draw < share:
            return status
        draw -= share
    return shares[-1][0]


@dataclass
class People:
    pairs: list[tuple[int, int]]  # (user id, city id): approved memberships of bench people

    @classmethod
    def load(cls) -> People:
        pairs = list(
            Membership.objects.approved()
            .filter(user__in=base.bench_users())
            .order_by("user_id", "city_id")
            .values_list("user_id", "city_id")
        )
        if not pairs:
            raise RuntimeError("No synthetic person with a city: seed the people first (seed.py).")
        return cls(pairs)


def plan_tickets(targets: Targets, people: People, now: int, seed_value: int) -> list[Plan]:
    """Who asks what, when, with which fate; then how many messages each ticket has."""
    S = Ticket.Status
    times = _opened_times(targets.tickets, now, seed_value)
    themes = list(
        Term.objects.filter(kind__in=["field", "lever"]).order_by("kind", "position", "pk")
    )
    plans = []
    for number, created in enumerate(times, start=1):
        rng = random.Random(seed_value * 1_000_003 + number)
        visitor = rng.random() < VISITOR_SHARE
        requester = city = None
        if not visitor:
            requester, city = people.pairs[rng.randrange(len(people.pairs))]
            if rng.random() < NO_CITY_SHARE:
                city = None
        category = _draw(rng, CATEGORIES)
        term = rng.choice(themes).pk if category == Category.EXPERT and themes else None
        status = _fate(rng, (now - created) / DAY, visitor)
        received = created + (rng.randint(60, 7_200) if visitor else 0)
        if received >= now - 60:
            received = created
        weight = 0.0
        if status not in (S.NEW, S.UNVERIFIED):
            weight = (
                rng.uniform(*HEAVY_WEIGHT)
                if rng.random() < HEAVY_SHARE
                else min(rng.lognormvariate(0, 0.7), 6.0)
            )
        plans.append(
            Plan(
                number=number,
                received=received,
                created=created,
                status=status,
                category=category,
                term_id=term,
                priority=_draw(rng, PRIORITIES),
                requester_id=requester,
                city_id=city,
                visitor=visitor,
                weight=weight,
                messages=1 if status in (S.NEW, S.UNVERIFIED) else 2,
            )
        )
    _share_messages(plans, targets.messages)
    return plans


def _share_messages(plans: list[Plan], total: int) -> None:
    """Give every ticket its minimum, and the rest in proportion to the weights (largest
    remainders first), so that the counts add up to `total` exactly."""
    extra = total - sum(p.messages for p in plans)
    weights = sum(p.weight for p in plans)
    if extra <= 0 or not weights:
        return
    shares = [(extra * p.weight / weights, p) for p in plans]
    given = 0
    for share, plan in shares:
        plan.messages += int(share)
        given += int(share)
    by_remainder = sorted(shares, key=lambda s: (-(s[0] - int(s[0])), s[1].number))
    for _share, plan in by_remainder[: extra - given]:
        plan.messages += 1


# --- one ticket's conversation -------------------------------------------------------------


@dataclass
class Turn:
    at: int
    note: bool
    from_city: bool
    status: str | None = None  # a helpdesk reply: the status it sets
    author_id: int | None = None


class Simulation:
    """A ticket's clock and status as `services` move them (see the module's docstring)."""

    def __init__(self, fast: WorkingClock, received: int, first: int, resolution: int) -> None:
        self.fast = fast
        self.status = Ticket.Status.NEW
        self.received = received
        self.first_response_due = fast.add(received, first)
        self.resolution_due = fast.add(received, resolution)
        self.first_response_at: int | None = None
        self.first_response_seconds: int | None = None
        self.waiting_since: int | None = None
        self.paused = 0
        self.resolved_at: int | None = None
        self.resolution_seconds: int | None = None
        self.closed_at: int | None = None

    def _pause(self, now: int) -> None:
        if self.waiting_since is None:
            self.waiting_since = now

    def _resume(self, now: int) -> None:
        if self.waiting_since is None:
            return
        paused = self.fast.seconds_between(self.waiting_since, now)
        self.paused += paused
        self.waiting_since = None
        if paused:
            self.resolution_due = self.fast.add(self.resolution_due, paused)

    def set_status(self, status: str, now: int) -> None:
        """`services._set_status`: resolving (or closing a ticket that was not resolved) counts
        the pause so far first, then pauses; waiting pauses; new and open resume."""
        S = Ticket.Status
        if status == self.status:
            return
        if status == S.RESOLVED or (status == S.CLOSED and self.status != S.RESOLVED):
            self._resume(now)
            self._pause(now)
            self.resolved_at = now
            worked = self.fast.seconds_between(self.received, now)
            self.resolution_seconds = max(0, worked - self.paused)
        elif status == S.WAITING:
            self._pause(now)
        elif status in (S.NEW, S.OPEN):
            self._resume(now)
        if status not in (S.RESOLVED, S.CLOSED):
            self.resolved_at = None
            self.resolution_seconds = None
        self.closed_at = now if status == S.CLOSED else None
        self.status = status

    def city_reply(self, now: int) -> None:
        if self.status in (Ticket.Status.WAITING, Ticket.Status.RESOLVED):
            self.set_status(Ticket.Status.OPEN, now)

    def helpdesk_reply(self, now: int, status: str) -> None:
        if self.first_response_at is None:
            self.first_response_at = now
            self.first_response_seconds = self.fast.seconds_between(self.received, now)
        self.set_status(status, now)


def _public_turns(rng: random.Random, count: int, fate: str) -> list[tuple[bool, str | None]]:
    """(from the city?, the status a helpdesk reply sets) of each public message after the
    description: the sides mostly alternate (now and then one writes twice in a row), the
    helpdesk answers first, and the last message leaves the ticket as `fate` requires."""
    S = Ticket.Status
    if count <= 0:
        return []
    sides = [False]
    for _ in range(count - 1):
        sides.append(sides[-1] if rng.random() < 0.12 else not sides[-1])
    # an open ticket ends with the city's reply half the time (it reopened the ticket), with
    # the helpdesk's otherwise; every other fate with the helpdesk's reply that set it
    sides[-1] = fate == S.OPEN and count >= 2 and rng.random() < 0.5
    turns: list[tuple[bool, str | None]] = []
    for index, from_city in enumerate(sides):
        if from_city:
            turns.append((True, None))
        elif index == count - 1:
            turns.append((False, S.RESOLVED if fate == S.CLOSED else fate))
        elif sides[index + 1]:  # the city answers next (and reopens a waiting or resolved one)
            turns.append((False, _draw(rng, ((S.WAITING, 0.6), (S.OPEN, 0.3), (S.RESOLVED, 0.1)))))
        else:
            turns.append((False, S.OPEN))
    return turns


def _conversation(
    plan: Plan,
    rng: random.Random,
    fast: WorkingClock,
    levels: dict[str, tuple[int, int]],
    now: int,
) -> list[Turn]:
    """The messages' kinds and times, fitted into the ticket's life."""
    S = Ticket.Status
    first_target = levels[plan.priority][0]
    notes = sum(rng.random() < NOTE_SHARE * 1.25 for _ in range(plan.messages - 1))
    public = plan.messages - 1 - notes
    if public < 1 and plan.status not in (S.NEW, S.UNVERIFIED):
        public, notes = 1, max(0, plan.messages - 2)
    shape = _public_turns(rng, public, plan.status)
    turns = [Turn(plan.received, False, True)]
    moment = plan.received
    for index, (from_city, status) in enumerate(shape):
        if from_city:
            moment += int(3600 * rng.lognormvariate(math.log(20), 1.0)) + 60
        else:
            factor = 0.3 if index == 0 else 0.2
            delay = int(first_target * rng.lognormvariate(math.log(factor), 0.8)) + 120
            if index > 0 and not shape[index - 1][0]:
                delay = rng.randint(1_800, 8 * 3600)  # a second reply in a row
            moment = fast.add(moment, delay)
        turns.append(Turn(moment, False, from_city, status))
    _fit(turns, plan, rng, now)
    # internal notes: between two messages (or after the last), by the helpdesk
    for _ in range(notes):
        index = rng.randrange(len(turns))
        low = turns[index].at
        following = [t.at for t in turns[index + 1 :] if not t.note]
        high = min(following[0] if following else now - 30, low + 3 * DAY)
        at = low + (rng.randrange(max(high - low, 1)) if high > low else 0)
        turns.insert(index + 1, Turn(at, True, False))
    turns.sort(key=lambda t: t.at)
    return turns


def _fit(turns: list[Turn], plan: Plan, rng: random.Random, now: int) -> None:
    """Move the messages' times so that the conversation ends when its fate needs it to:
    closed ones resolved more than a week before now, resolved ones within the week, every
    message before now. Too long: the gaps are scaled down; a resolved one that ended too
    early: its last reply comes later. The description stays where it is."""
    S = Ticket.Status
    if len(turns) == 1:
        return
    start, end = turns[0].at, turns[-1].at
    resolve_by = now - (AUTO_CLOSE_DAYS * DAY + 300)
    if plan.status == S.CLOSED:
        low, high = start, resolve_by
    elif plan.status == S.RESOLVED:
        low, high = max(start, resolve_by + 900), now - 120
    else:
        low, high = start, now - 120
    if low <= end <= high:
        return
    if end < low:
        turns[-1].at = int(rng.uniform(low, high))
        return
    goal = rng.uniform(max(low, start + (high - start) / 2), high)
    scale = (goal - start) / (end - start)
    previous = start
    for turn in turns[1:]:
        turn.at = max(previous + 1, start + int((turn.at - start) * scale))
        previous = turn.at
    if turns[-1].at > high:  # too many messages for the time: one second apart at the end
        for offset, turn in enumerate(reversed(turns[1:])):
            turn.at = min(turn.at, int(high) - offset)


@dataclass
class Built:
    ticket: Ticket
    messages: list[tuple[str, int | None, bool, str, dt.datetime]]  # see MESSAGE_COLUMNS


def build(
    plan: Plan,
    fast: WorkingClock,
    levels: dict[str, tuple[int, int]],
    queues: dict[tuple[str, int | None], tuple[int | None, bool, list[int]]],
    warn: int,
    now: int,
    seed_value: int,
) -> Built:
    """The ticket and its messages as the services would have left them."""
    S = Ticket.Status
    rng = random.Random(seed_value * 2_000_029 + plan.number)
    queue_id, auto, experts = (
        queues[(plan.category, plan.term_id)] if plan.status != S.UNVERIFIED else (None, False, [])
    )
    assignee = experts[plan.number % len(experts)] if auto and experts else None
    subject = rng.choice(SUBJECTS[plan.category])
    ticket = Ticket(
        requester_id=plan.requester_id,
        city_id=plan.city_id,
        category=plan.category,
        term_id=plan.term_id,
        subject=subject,
        priority=plan.priority,
        status=S.NEW,
        queue_id=queue_id,
        assignee_id=None,
        access_token=_token(rng),
        message_count=plan.messages,
        created=_utc(plan.created),
    )
    if plan.visitor:
        ticket.contact_name = f"Sample visitor {plan.number:06d}"
        ticket.contact_email = visitor_email(plan.number)
    if plan.status == S.UNVERIFIED:
        ticket.status = S.UNVERIFIED
        ticket.updated = ticket.created
        description = (Message.Kind.REPLY, None, True, _some_body(rng, "city"), ticket.created)
        return Built(ticket, [description])

    first, resolution = levels[plan.priority]
    turns = _conversation(plan, rng, fast, levels, now)
    sim = Simulation(fast, plan.received, first, resolution)
    answered_by = assignee
    for turn in turns[1:]:
        if turn.note:
            turn.author_id = rng.choice(experts) if experts else None
            continue
        if turn.from_city:
            turn.author_id = plan.requester_id
            sim.city_reply(turn.at)
            continue
        if answered_by is None:
            answered_by = rng.choice(experts) if experts else None
            assignee = answered_by  # the first to answer takes the ticket
        turn.author_id = answered_by if rng.random() < 0.85 or not experts else rng.choice(experts)
        sim.helpdesk_reply(turn.at, turn.status)
    last = turns[-1].at
    if plan.status == S.CLOSED:
        if sim.resolved_at is None:
            raise RuntimeError(f"ticket {plan.number}: closed without being resolved")
        sim.set_status(S.CLOSED, sim.resolved_at + AUTO_CLOSE_DAYS * DAY + rng.randint(1, 60))
    if sim.status != plan.status:
        raise RuntimeError(f"ticket {plan.number}: {sim.status}, not {plan.status}")

    ticket.status = sim.status
    ticket.assignee_id = assignee
    ticket.received_at = _utc(plan.received)
    ticket.first_response_due = _utc(sim.first_response_due)
    ticket.resolution_due = _utc(sim.resolution_due)
    ticket.first_response_at = _maybe(sim.first_response_at)
    ticket.first_response_seconds = sim.first_response_seconds
    ticket.waiting_since = _maybe(sim.waiting_since)
    ticket.paused_seconds = sim.paused
    ticket.resolved_at = _maybe(sim.resolved_at)
    ticket.resolution_seconds = sim.resolution_seconds
    ticket.closed_at = _maybe(sim.closed_at)
    # the sweep warns while the clock runs, within `warn` working seconds of a due time
    responded = sim.first_response_at
    ticket.first_response_warned = fast.worked(
        responded if responded is not None else now
    ) >= fast.worked(sim.first_response_due) - warn and (
        responded is not None or sim.status in (S.NEW, S.OPEN)
    )
    ended = sim.resolved_at if sim.resolved_at is not None else now
    ticket.resolution_warned = (
        sim.status not in (S.WAITING,)
        and fast.worked(ended) >= fast.worked(sim.resolution_due) - warn
    )
    updated = max(last, sim.closed_at or 0)
    if plan.requester_id and sim.status in (S.RESOLVED, S.CLOSED) and rng.random() < RATED_SHARE:
        rated = sim.resolved_at + rng.randint(300, 4 * DAY)
        rated = min(rated, (sim.closed_at or now) - 1, now - 60)
    else:
        rated = None
    if rated is not None and rated > sim.resolved_at:
        ticket.rating = rng.choices([1, 2, 3, 4, 5], weights=[4, 5, 11, 32, 48])[0]
        ticket.rating_comment = _pool()[rng.randrange(len(_pool()))] if rng.random() < 0.4 else ""
        ticket.rated_at = _utc(rated)
        updated = max(updated, rated)
    ticket.updated = _utc(updated)

    messages = []
    for index, turn in enumerate(turns):
        author = plan.requester_id if index == 0 else turn.author_id
        kind = "note" if turn.note else "city" if turn.from_city else "helpdesk"
        messages.append(
            (
                Message.Kind.NOTE if turn.note else Message.Kind.REPLY,
                author,
                turn.from_city,
                _some_body(rng, kind),
                _utc(turn.at) if index else ticket.created,
            )
        )
    return Built(ticket, messages)


def _maybe(moment: int | None) -> dt.datetime | None:
    return None if moment is None else _utc(moment)


def _token(rng: random.Random) -> str:
    """What the model's default (`new_access_token`) gives every ticket, member's or visitor's:
    43 URL-safe characters; from `rng`."""
    return base64.urlsafe_b64encode(rng.getrandbits(256).to_bytes(32, "big")).rstrip(b"=").decode()


@contextmanager
def _dated(model: type[models.Model], *names: str) -> Iterator[None]:
    """Write `model`'s `auto_now`/`auto_now_add` fields `names` as set on the instances."""
    found = [model._meta.get_field(name) for name in names]
    saved = [(f.auto_now, f.auto_now_add) for f in found]
    for f in found:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, add) in zip(found, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, add


def _routes() -> dict[tuple[str, int | None], tuple[int | None, bool, list[int]]]:
    """{(category, term id): (queue id, assigns automatically, its experts)} by the real
    `services.route`."""
    themes = list(Term.objects.filter(kind__in=["field", "lever"]).values_list("pk", flat=True))
    found = {}
    experts: dict[int, list[int]] = {}
    for queue in Queue.objects.prefetch_related("experts"):
        experts[queue.pk] = sorted(u.pk for u in queue.experts.all() if u.is_active)
    for category, _share in CATEGORIES:
        for term in themes if category == Category.EXPERT else [None]:
            queue = services.route(category, term)
            found[(category, term)] = (
                (queue.pk, queue.auto_assign, experts.get(queue.pk, []))
                if queue
                else (None, False, [])
            )
    return found


MESSAGE_COLUMNS = ("ticket_id", "kind", "author_id", "from_city", "body", "created")


def write_messages(rows: list[tuple]) -> None:
    """Insert messages (`MESSAGE_COLUMNS`): PostgreSQL's COPY, else `executemany` (Message
    instances and `bulk_create` took most of the seeding's time; the columns are all of the
    model's but its id)."""
    names = [f.column for f in Message._meta.concrete_fields if not f.primary_key]
    if sorted(names) != sorted(MESSAGE_COLUMNS):
        raise RuntimeError(f"Message's columns changed ({names}): update write_messages")
    table = connection.ops.quote_name(Message._meta.db_table)
    columns = ", ".join(MESSAGE_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608 - names from the model
            [(*row[:-1], adapt(row[-1])) for row in rows],
        )


def delete_tickets() -> int:
    """Delete the bench tickets and their messages without loading them (the ORM's cascade
    would fetch 500,000 messages to look for their attachments first)."""
    from netzerohub.helpdesk.models import Attachment

    ids = bench_tickets().values("pk")
    Attachment.objects.filter(message__ticket__in=ids).delete()
    Message.objects.filter(ticket__in=ids)._raw_delete(connection.alias)
    Ticket.objects.filter(follow_up_of__in=ids).update(follow_up_of=None)
    return Ticket.objects.filter(pk__in=ids)._raw_delete(connection.alias)


@transaction.atomic
def seed_tickets(
    targets: Targets, seed_value: int, log: Callable[..., None], rebuild: bool = False
) -> dict[str, int]:
    """The tickets and messages, written again when their numbers differ from the targets (or
    when asked to `rebuild`)."""
    existing = (bench_tickets().count(), bench_messages().count())
    if existing == (targets.tickets, targets.messages) and not rebuild:
        return {"tickets": 0, "messages": 0}
    deleted = delete_tickets() if any(existing) else 0
    if targets.messages < targets.tickets:
        raise RuntimeError("Every ticket has at least one message: more messages, please.")
    now = int(time.time()) // 60 * 60
    started = time.monotonic()
    calendar = clock._load()  # the configuration as written now, not a cached one
    today = dt.date.today()
    fast = WorkingClock(
        calendar, today - dt.timedelta(days=SPAN_DAYS + 10), today + dt.timedelta(days=800)
    )
    check_clock(fast, now, seed_value=seed_value)
    levels = {
        level.priority: (level.first_response_hours * 3600, level.resolution_hours * 3600)
        for level in ServiceLevel.objects.all()
    }
    for priority, (first, resolution) in LEVELS.items():
        levels.setdefault(priority, (first * 3600, resolution * 3600))
    setting = WorkingTime.objects.first() or WorkingTime()
    warn = setting.warn_hours * 3600
    plans = plan_tickets(targets, People.load(), now, seed_value)
    routes = _routes()
    log(f"    planned {len(plans):,} tickets in {time.monotonic() - started:.1f}s")
    written = messages = 0
    with _dated(Ticket, "created", "updated"):
        for start in range(0, len(plans), BATCH):
            built = [
                build(plan, fast, levels, routes, warn, now, seed_value)
                for plan in plans[start : start + BATCH]
            ]
            tickets = Ticket.objects.bulk_create([b.ticket for b in built], batch_size=BATCH)
            if any(t.pk is None for t in tickets):
                raise RuntimeError("bulk_create returned no ids: the backend cannot seed this")
            rows = [(b.ticket.pk, *message) for b in built for message in b.messages]
            write_messages(rows)
            written += len(tickets)
            messages += len(rows)
            if (start // BATCH) % 4 == 3:
                log(
                    f"    {written:,} tickets, {messages:,} messages "
                    f"({time.monotonic() - started:.0f}s)"
                )
    return {"tickets": written, "messages": messages, "tickets_deleted": deleted}


# --- all of it -----------------------------------------------------------------------------


def seed(
    targets: Targets | None = None,
    *,
    seed_value: int = 2050,
    log: Callable[..., None] = print,
    rebuild: bool = False,
) -> dict[str, Any]:
    """Top the helpdesk's configuration up and write the tickets and messages when their
    numbers differ from the targets (or `rebuild`: always, to time it); returns what was added
    and the timings."""
    targets = targets or Targets()
    report: dict[str, Any] = {}
    started = time.monotonic()
    with transaction.atomic():
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("configuration", lambda: seed_configuration(dt.datetime.now(dt.UTC))),
            ("coordinator", seed_assessment.seed_coordinator),
            ("experts", lambda: seed_experts(targets.experts)),
            ("queues", lambda: seed_queues(seed_value)),
            ("tickets", lambda: seed_tickets(targets, seed_value, log, rebuild)),
        ]
        base.run_steps(steps, report, label="helpdesk", log=log)
    if any(v for k, v in report.items() if not k.endswith("_s")):
        report["seed_s"] = round(time.monotonic() - started, 2)
        if connection.vendor == "postgresql":
            analyze_started = time.monotonic()
            vacuum(full=bool(report.get("tickets_deleted")))
            report["analyze_s"] = round(time.monotonic() - analyze_started, 2)
    if report.get("tickets"):
        clock.settings_changed()  # nothing cached from before the seeding
        from netzerohub.helpdesk.caching import tickets_changed

        tickets_changed()
    return report


TABLES = (
    "helpdesk_ticket",
    "helpdesk_message",
    "helpdesk_queue",
    "helpdesk_queue_experts",
    "helpdesk_routingrule",
    "helpdesk_cannedreply",
)


def vacuum(*, full: bool = False) -> None:
    """On PostgreSQL: `VACUUM (ANALYZE)` the helpdesk tables (`FULL` after the tickets were
    deleted and written again: a PostgreSQL without autovacuum keeps every dead row), then
    `ANALYZE`. VACUUM cannot run inside a transaction (in tests): then only ANALYZE."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:
            options = "FULL, ANALYZE" if full else "ANALYZE"
            cursor.execute(f"VACUUM ({options}) {', '.join(TABLES)}")
        cursor.execute("ANALYZE")


# --- for the report and the pages ----------------------------------------------------------


def facts() -> dict[str, Any]:
    """What the bench helpdesk holds."""
    from django.db.models import Avg, F, Max

    tickets = bench_tickets()
    statuses = dict(tickets.values_list("status").annotate(n=Count("id")).order_by())
    messages = bench_messages()
    kinds = dict(messages.values_list("kind").annotate(n=Count("id")).order_by())
    answered = tickets.filter(first_response_at__isnull=False)
    resolved = tickets.filter(resolved_at__isnull=False)
    counts = tickets.aggregate(most=Max("message_count"), mean=Avg("message_count"))
    return {
        "queues": bench_queues().count(),
        "experts": bench_experts().count(),
        "tickets": sum(statuses.values()),
        "tickets_by_status": statuses,
        "active": sum(statuses.get(s, 0) for s in Ticket.ACTIVE),
        "messages": sum(kinds.values()),
        "internal_notes": kinds.get(Message.Kind.NOTE, 0),
        "messages_per_ticket_max": counts["most"],
        "messages_per_ticket_mean": round(counts["mean"] or 0, 2),
        "tickets_with_40_messages": tickets.filter(message_count__gte=40).count(),
        "rated": tickets.filter(rating__isnull=False).count(),
        "first_response_in_time": answered.filter(
            first_response_at__lte=F("first_response_due")
        ).count(),
        "answered": answered.count(),
        "resolution_in_time": resolved.filter(resolved_at__lte=F("resolution_due")).count(),
        "resolved": resolved.count(),
    }


def queue_of_expert() -> tuple[Queue, Any]:
    """The measured queue (the portal's, the largest) and its first expert."""
    queue = bench_queues().filter(slug=QUEUE_PREFIX + "portal").first()
    if queue is None:
        raise RuntimeError("The helpdesk data is missing: did seed_helpdesk run?")
    expert = queue.experts.order_by("email").first()
    return queue, expert

#!/usr/bin/env python
"""`make bench`: seed Europe-scale data, serve it with gunicorn and measure key pages with wrk.

    .venv/bin/python bench/run.py                     # PostgreSQL (DATABASE_URL or the default)
    .venv/bin/python bench/run.py --database sqlite   # a SQLite file under var/bench/

Steps: migrate, load the reference data, top the data up to Europe scale (see `seed.py`,
`seed_knowledge.py`, `seed_learning.py` and `seed_assessment.py`: what the chosen pages need),
time 50 knowledge searches with a cold cache in-process (`knowledge_search.py`), collect static
files, start gunicorn (2 sync workers) on a free port of 127.0.0.1, then for every page: a
warm-up, a fixed-duration wrk run, p50/p95 latency, requests per second as a ratio to a bare
hello-world view served by the same server in the same run, and the peak RSS of a gunicorn
worker during that run. The knowledge search page and API cycle through the 50 searches of
`knowledge_queries.txt` (`rotate.lua`); the learning pages are requested signed in, each
request with the session cookie of its person (`signed_in.lua`), and so are the
self-assessment pages (2,000 result pages, each as a lead of its city, as many first views, and
the coordinators' distribution page as a synthetic coordinator) and the exchanges' review list
(as the coordinator; `seed_exchanges.py`, and the matching solver timed in-process before the
pages, `exchanges_matching.py`), and the helpdesk's queue page and ticket page as an expert of
the queue, the ticket page as the member who asked and the metrics page as the coordinator
(`seed_helpdesk.py`: 100,000 tickets, 500,000 messages), and the survey analytics page as the
coordinator (`seed_surveys.py`: 10,000 responses to 60 questions; the page cold and both
exports timed in-process before the pages, `surveys_export.py`), and the Climate City
Contract's workspace, portfolio and trajectory pages as members of 500 cities, each of their
own city (`seed_contracts.py`: 5,000 workspaces × 10 inventory years × 40 actions; the PDF and
XLSX exports of a full workspace timed before the pages, `contracts_export.py`). Prints a
table and writes bench/results/<date>-<db>.json. gunicorn is always stopped at the end, also on
errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SRC = ROOT / "src"
RESULTS = BENCH / "results"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/netzerohub_bench"
SQLITE_PATH = ROOT / "var" / "bench" / "netzerohub_bench.sqlite3"
HOST = "127.0.0.1"

TARGET_P95_MS = 100.0
TARGET_RATIO = 0.25
QUIET = 0.15  # share of CPU time other processes may use while we measure


@dataclass
class Page:
    name: str
    path: str
    rotate: list[str] | None = None  # several paths that wrk cycles through (`path` is a label)
    cookies: list[str] | None = None  # with `rotate`: the Cookie header of each request
    target_p95_ms: float = TARGET_P95_MS
    cold: bool = False  # first views: only the first path is checked, and no warm-up
    once: bool = False  # measured in the first round only (a first view happens once)


@dataclass
class SignedIn:
    """Who the learning pages are requested as: session cookies made for synthetic people."""

    learners: list[tuple[str, str]]  # (cookie, the key of a course the person is enrolled in)
    team_city: int
    team_pages: int
    team_members: int
    team_lead: str  # the cookie of the city's lead


@dataclass
class Reviewers:
    """Who the self-assessment pages are requested as: session cookies of synthetic leads
    (each for the latest result of a city they lead) and of the synthetic coordinator."""

    warm: list[tuple[int, str]]  # (assessment id, the cookie of a lead of its city)
    cold: list[tuple[int, str]]  # other assessments, first requested in the measured run
    with_previous: int  # how many of the warm ones have an older result to compare with
    coordinator: str
    country: str  # the country with most results (`?group=country:XX`)


@dataclass
class Attendees:
    """Who the events pages are requested as, and which: sessions of synthetic people with
    20–60 registrations each (`seed_events.regulars`), events, calendar addresses."""

    people: list[str]  # the cookie of each person ("My registrations")
    signed_in: list[tuple[int, str]]  # (event id, cookie): their own events and others
    events: list[int]  # event pages for visitors, spread over all synthetic events
    calendar: list[str]  # list view addresses: filters by country, language, field, lever
    months: list[str]  # month view addresses


@dataclass
class Exchanges:
    """Who and what the exchanges pages are requested as: the bench call, the synthetic
    coordinator's session (staff MFA passed) and the country with most undecided applications."""

    slug: str
    applications: int
    coordinator: str  # the cookie
    country: str


@dataclass
class Helpdesk:
    """Who and what the helpdesk pages are requested as: the measured queue and one of its
    experts, the tickets of that queue (many messages among them) and tickets of people with a
    city, each with the session of the person who asked, and the coordinator's session (staff
    MFA passed, for experts too)."""

    queue: str  # slug
    queue_active: int
    expert: str  # the expert's cookie
    expert_tickets: list[int]
    member_tickets: list[tuple[int, str]]  # (ticket id, the cookie of the person who asked)
    coordinator: str
    most_messages: int  # the most messages of a measured ticket


@dataclass
class Surveys:
    """What the survey pages are requested as: the bench survey, the synthetic coordinator's
    session (staff MFA passed) and the country with most responses (the filtered page)."""

    slug: str
    responses: int
    coordinator: str  # the cookie
    country: str
    crosstab: int  # the id of a choice question to cross-tabulate by country


@dataclass
class Contracts:
    """Who the Climate City Contract pages are requested as: approved synthetic members of many
    bench workspaces' cities, each with their own session, and the pages' paths (by URL name)."""

    workspaces: int
    members: list[tuple[int, str]]  # (city id, the cookie of a member of that city)
    paths: dict[str, list[str]]  # URL name → the path of each member's city, in order


@dataclass
class Result:
    name: str
    path: str
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests_per_second: float
    requests: int
    errors: dict[str, int]
    worker_peak_rss_mb: float
    worker_cpu_ms_per_request: float
    ratio: float | None = None
    cpu_ratio: float | None = None
    target_p95_ms: float = TARGET_P95_MS
    meets_p95: bool | None = None
    meets_targets: bool | None = None
    notes: list[str] = field(default_factory=list)


# --- database --------------------------------------------------------------------------------


def database_url(choice: str | None) -> str:
    if choice == "sqlite":
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if choice == "postgresql" and not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_DATABASE_URL
    return url


def database_kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def masked(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def ensure_postgres_database(url: str) -> None:
    """Create the benchmark database when it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres", query=""))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


# The data other pages need: the result page recommends courses and knowledge resources.
SEEDS = {"assessment": ("knowledge", "learning")}


def wants(args: argparse.Namespace, group: str) -> bool:
    """Whether the pages of `group` (knowledge, learning…) are measured in this run."""
    return args.pages in ("all", group)


def seeds(args: argparse.Namespace, group: str) -> bool:
    """Whether the data of `group` is seeded in this run (its pages, or pages that read it)."""
    return wants(args, group) or group in SEEDS.get(args.pages, ())


def prepare(
    args: argparse.Namespace,
) -> tuple[
    dict[str, Any],
    SignedIn | None,
    Reviewers | None,
    Attendees | None,
    Exchanges | None,
    Helpdesk | None,
    Surveys | None,
    Contracts | None,
]:
    """Migrate, load reference data, seed, collect static files; returns facts about the data
    and, when the learning, self-assessment, events, exchanges, helpdesk or survey pages are
    measured, the sessions to request them with."""
    import django

    django.setup()
    import seed
    import seed_assessment
    import seed_contracts
    import seed_events
    import seed_exchanges
    import seed_helpdesk
    import seed_knowledge
    import seed_learning
    import seed_surveys
    from django.core.management import call_command
    from django.db import connection, connections

    from netzerohub.accounts.models import User
    from netzerohub.cities.models import City, CityName, Membership
    from netzerohub.core.models import SearchDocument, SearchFacet

    step = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrate: {time.monotonic() - step:.1f}s")
    if not City.objects.exclude(source=City.Source.SYNTHETIC).exists():
        step = time.monotonic()
        call_command("load_reference_data", verbosity=0)
        print(f"load_reference_data: {time.monotonic() - step:.1f}s")
    step = time.monotonic()
    targets = seed.Targets(cities=args.cities, users=args.users, memberships=args.memberships)
    seed.seed(targets)
    print(f"seed: {time.monotonic() - step:.1f}s")
    index_build = None
    if seeds(args, "knowledge"):
        index_build = knowledge_index_build(
            seed_knowledge.seed(args.resources, rebuild=args.knowledge_reindex),
            database_kind(os.environ["DATABASE_URL"]),
        )
    learning_seed = None
    if seeds(args, "learning"):
        learning_seed = learning_seed_timing(
            seed_learning.seed(
                seed_learning.Targets(
                    courses=args.courses,
                    progress=args.lesson_progress,
                    team=args.team_members,
                )
            ),
            database_kind(os.environ["DATABASE_URL"]),
        )
    assessment_seed = refreshes = None
    if wants(args, "assessment"):
        report = seed_assessment.seed(
            seed_assessment.Targets(latest=args.assessments, older=args.older_assessments)
        )
        refreshes = [report.pop("refresh_s")]
        statistics_rows = report.pop("peer_statistics")
        for _ in range(2):  # three timings in all; the median is reported
            refreshes.append(seed_assessment.refresh()["refresh_s"])
        assessment_seed = kept_timings(
            report,
            database_kind(os.environ["DATABASE_URL"]),
            "assessment-seed",
            "seed_s",
            "the data was already there",
        )
    events_seed = None
    if wants(args, "events"):
        events_seed = kept_timings(
            seed_events.seed(
                seed_events.Targets(
                    groups=args.groups,
                    meetings=args.meetings,
                    national=args.national_events,
                    registrations=args.registrations,
                )
            ),
            database_kind(os.environ["DATABASE_URL"]),
            "events-seed",
            "seed_s",
            "the data was already there",
        )
    exchanges_seed = None
    if wants(args, "exchanges"):
        exchanges_seed = kept_timings(
            seed_exchanges.seed(
                seed_exchanges.Targets(
                    applications=args.exchange_applications,
                    reviews=args.exchange_reviews,
                    hosts=args.exchange_hosts,
                )
            ),
            database_kind(os.environ["DATABASE_URL"]),
            "exchanges-seed",
            "seed_s",
            "the data was already there",
        )
    helpdesk_seed = None
    if wants(args, "helpdesk"):
        helpdesk_seed = kept_timings(
            seed_helpdesk.seed(
                seed_helpdesk.Targets(
                    tickets=args.helpdesk_tickets, messages=args.helpdesk_messages
                ),
                rebuild=args.helpdesk_reseed,
            ),
            database_kind(os.environ["DATABASE_URL"]),
            "helpdesk-seed",
            "seed_s",
            "the data was already there",
        )
    surveys_seed = None
    if wants(args, "surveys"):
        surveys_seed = kept_timings(
            seed_surveys.seed(
                seed_surveys.Targets(responses=args.survey_responses),
                rebuild=args.surveys_reseed,
            ),
            database_kind(os.environ["DATABASE_URL"]),
            "surveys-seed",
            "seed_s",
            "the data was already there",
        )
    contracts_seed = None
    if wants(args, "contracts"):
        contracts_seed = kept_timings(
            seed_contracts.seed(
                seed_contracts.Targets(
                    workspaces=args.contract_workspaces, members=args.contract_members
                ),
                rebuild=args.contracts_reseed,
            ),
            database_kind(os.environ["DATABASE_URL"]),
            "contracts-seed",
            "seed_s",
            "the data was already there",
        )
    if static_files_stale():
        step = time.monotonic()
        call_command("collectstatic", interactive=False, verbosity=0)
        print(f"collectstatic: {time.monotonic() - step:.1f}s")

    real = City.objects.exclude(source=City.Source.SYNTHETIC)
    profile = real.filter(population__isnull=False).order_by("-population", "id").first()
    if profile is None:
        raise RuntimeError("No real city with a population: is the reference data loaded?")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version()"
            if connection.vendor == "postgresql"
            else "SELECT 'SQLite ' || sqlite_version()"
        )
        version = cursor.fetchone()[0]
    facts = {
        "database": masked(str(os.environ["DATABASE_URL"])),
        "database_version": version,
        "cities": City.objects.count(),
        "real_cities": real.count(),
        "synthetic_cities": City.objects.filter(source=City.Source.SYNTHETIC).count(),
        "city_search_keys": CityName.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "profile_city": {"id": profile.pk, "name": profile.name, "population": profile.population},
    }
    if index_build is not None:
        facts |= {
            "resources": seed_knowledge.bench_resources().count(),
            "search_documents": SearchDocument.objects.filter(kind=seed_knowledge.KIND).count(),
            "search_facets": SearchFacet.objects.filter(document__kind=seed_knowledge.KIND).count(),
            "knowledge_index_build": index_build,
        }
    signed_in = None
    if learning_seed is not None:
        facts["learning"] = learning_facts() | {"seed": learning_seed}
    if learning_seed is not None and wants(args, "learning"):
        signed_in = sessions(args.learners)
        facts["learning"]["measured_as"] = {
            "learners": len(signed_in.learners),
            "team_city": signed_in.team_city,
            "team_members": signed_in.team_members,
            "team_pages": signed_in.team_pages,
        }
    reviewers = None
    if assessment_seed is not None:
        reviewers = assessment_sessions(args.result_pages)
        facts["assessment"] = assessment_facts() | {
            "seed": assessment_seed,
            "peers_refresh": {
                "runs_s": refreshes,
                "median_s": statistics.median(refreshes),
                "statistics_rows": statistics_rows,
            },
            "measured_as": {
                "result_pages_warm": len(reviewers.warm),
                "result_pages_first_view": len(reviewers.cold),
                "warm_with_previous_result": reviewers.with_previous,
                "leads": len({c for _pk, c in reviewers.warm + reviewers.cold}),
                "coordinator": seed_assessment.COORDINATOR_EMAIL,
                "country_group": reviewers.country,
            },
        }
    attendees = None
    if events_seed is not None:
        attendees = events_sessions(args.event_people, args.event_pages)
        facts["events"] = events_facts() | {
            "seed": events_seed,
            "measured_as": {
                "people": len(attendees.people),
                "event_pages_signed_in": len(attendees.signed_in),
                "event_pages_visitor": len(attendees.events),
                "calendar_addresses": len(attendees.calendar),
                "month_addresses": len(attendees.months),
            },
        }
    exchange = None
    if exchanges_seed is not None:
        exchange = exchanges_sessions()
        facts["exchanges"] = seed_exchanges.facts() | {
            "seed": exchanges_seed,
            "measured_as": {
                "coordinator": seed_assessment.COORDINATOR_EMAIL,
                "country": exchange.country,
            },
        }
    helpdesk = None
    if helpdesk_seed is not None:
        helpdesk = helpdesk_sessions(args.helpdesk_pages, args.helpdesk_members)
        facts["helpdesk"] = seed_helpdesk.facts() | {
            "seed": helpdesk_seed,
            "measured_as": {
                "queue": helpdesk.queue,
                "queue_active_tickets": helpdesk.queue_active,
                "expert_ticket_pages": len(helpdesk.expert_tickets),
                "member_ticket_pages": len(helpdesk.member_tickets),
                "members": len({c for _pk, c in helpdesk.member_tickets}),
                "most_messages_of_a_measured_ticket": helpdesk.most_messages,
                "coordinator": seed_assessment.COORDINATOR_EMAIL,
            },
        }
    surveys = None
    if surveys_seed is not None:
        surveys = surveys_sessions()
        facts["surveys"] = seed_surveys.facts() | {
            "seed": surveys_seed,
            "measured_as": {
                "coordinator": seed_assessment.COORDINATOR_EMAIL,
                "country": surveys.country,
            },
        }
    contracts = None
    if contracts_seed is not None:
        contracts = contracts_sessions(args.contract_members)
        facts["contracts"] = seed_contracts.facts() | {
            "seed": contracts_seed,
            "measured_as": {"members": len(contracts.members)},
        }
    connections.close_all()
    return facts, signed_in, reviewers, attendees, exchange, helpdesk, surveys, contracts


def learning_seed_timing(report: dict[str, Any], kind: str) -> dict[str, Any]:
    """The learning seed's timings: measured now, or kept from the run that measured them."""
    return kept_timings(report, kind, "learning-seed", "seed_s", "the data was already there")


def learning_facts() -> dict[str, Any]:
    import seed
    import seed_learning
    from django.db.models import Count

    from netzerohub.learning.models import (
        Certificate,
        Enrolment,
        Lesson,
        LessonProgress,
        Module,
        PathwayStep,
        Question,
    )

    courses = seed_learning.bench_courses()
    enrolments = Enrolment.objects.filter(user__in=seed.bench_users())
    per_user = enrolments.filter(course__isnull=False).values("user_id").annotate(n=Count("id"))
    counts = [row["n"] for row in per_user]
    return {
        "courses": courses.count(),
        "modules": Module.objects.filter(course__in=courses).count(),
        "lessons": Lesson.objects.filter(course__in=courses).count(),
        "quiz_questions": Question.objects.filter(lesson__course__in=courses).count(),
        "pathways": seed_learning.bench_pathways().count(),
        "pathway_steps": PathwayStep.objects.filter(
            pathway__in=seed_learning.bench_pathways()
        ).count(),
        "learners": len(counts),
        "course_enrolments": sum(counts),
        "course_enrolments_completed": enrolments.filter(
            course__isnull=False, completed__isnull=False
        ).count(),
        "pathway_enrolments": enrolments.filter(pathway__isnull=False).count(),
        "lesson_progress": LessonProgress.objects.filter(user__in=seed.bench_users()).count(),
        "certificates": Certificate.objects.filter(user__in=seed.bench_users()).count(),
    }


def assessment_facts() -> dict[str, Any]:
    import seed_assessment

    from netzerohub.assessment.models import Answer, PeerStatistic, Question

    questionnaire = seed_assessment.questionnaire()
    results = seed_assessment.bench_results()
    answers = Answer.objects.filter(assessment__in=results)
    overall = PeerStatistic.objects.filter(
        questionnaire_key=questionnaire.key, group="all", dimension=""
    ).first()
    return {
        "questionnaire": f"{questionnaire.key} {questionnaire.version}",
        "questions": Question.objects.filter(questionnaire=questionnaire).count(),
        "submitted_assessments": results.count(),
        "latest_results": results.filter(is_latest=True).count(),
        "older_results": results.filter(is_latest=False).count(),
        "answers": answers.count(),
        "answers_skipped": answers.filter(level__isnull=True).count(),
        "peer_groups": PeerStatistic.objects.filter(questionnaire_key=questionnaire.key)
        .values("group")
        .distinct()
        .count(),
        "cities_per_stage": overall.stages if overall else {},
        "median_overall": round(overall.median, 1) if overall else None,
    }


def assessment_sessions(count: int) -> Reviewers:
    """Sessions of the leads of 2 × `count` cities with a latest result, spread over all such
    cities: every other one for the warm result page, the others for first views (by other
    people than the warm ones); one session per person. And the coordinator's session, as the
    staff MFA check leaves it once passed (the coordinator has an authenticator app;
    `REQUIRE_STAFF_MFA` stays on)."""
    import seed_assessment

    from netzerohub.accounts.middleware import StaffMFAMiddleware
    from netzerohub.assessment.models import Assessment, PeerStatistic

    chosen = seed_assessment.requested(2 * count)
    if len(chosen) < 2 or seed_assessment.coordinator() is None:
        raise RuntimeError("The self-assessment data is missing: did seed_assessment run?")
    warm_leads = {lead.pk for _pk, lead in chosen[0::2]}
    cookies: dict[int, str] = {}
    warm, cold = [], []
    for index, (pk, lead) in enumerate(chosen):
        if index % 2 and lead.pk in warm_leads:
            continue  # a first view by someone whose session and header are already warm
        if lead.pk not in cookies:
            cookies[lead.pk] = session_cookie(lead)
        (cold if index % 2 else warm).append((pk, cookies[lead.pk]))
    cities = Assessment.objects.filter(pk__in=[pk for pk, _c in warm]).values("city_id")
    with_previous = (
        seed_assessment.bench_results().filter(is_latest=False, city_id__in=cities).count()
    )
    country = (
        PeerStatistic.objects.filter(group__startswith="country:", dimension="")
        .order_by("-cities", "group")
        .values_list("group", flat=True)
        .first()
    )
    return Reviewers(
        warm=warm,
        cold=cold,
        with_previous=with_previous,
        coordinator=session_cookie(
            seed_assessment.coordinator(), {StaffMFAMiddleware.SESSION_KEY: True}
        ),
        country=(country or "country:DE").removeprefix("country:"),
    )


def events_facts() -> dict[str, Any]:
    import seed_events
    from django.db.models import Count

    from netzerohub.community.models import GroupMembership

    registrations = seed_events.bench_registrations()
    statuses = dict(registrations.values_list("status").annotate(n=Count("id")).order_by())
    per_regular = list(
        registrations.filter(user_id__in=seed_events.regulars())
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    return {
        "groups": seed_events.bench_groups().count(),
        "group_members": GroupMembership.objects.filter(
            group__in=seed_events.bench_groups()
        ).count(),
        "meetings": seed_events.bench_meetings().count(),
        "national_events": seed_events.bench_national().count(),
        "upcoming_events": seed_events.bench_events().upcoming().count(),
        "registrations": sum(statuses.values()),
        "registrations_by_status": statuses,
        "events_with_waitlist": registrations.waitlisted().values("event_id").distinct().count(),
        "regulars": len(per_regular),
        "regular_registrations": [min(per_regular), max(per_regular)] if per_regular else [],
    }


def events_sessions(count: int, pages: int) -> Attendees:
    """Sessions of `count` regulars (20–60 registrations each), spread over them; for the
    signed-in event page each person's own events (10, spread over their registrations) and
    10 others in turn; `pages` event pages for visitors (every n-th synthetic event: meetings
    and national events, past and upcoming); the calendar's filter addresses."""
    import seed_events
    from django.contrib.auth import get_user_model

    regulars = seed_events.regulars()
    chosen = regulars[:: max(1, len(regulars) // count)][:count]
    if not chosen:
        raise RuntimeError("The events data is missing: did seed_events run?")
    users = get_user_model().objects.in_bulk(chosen)
    cookies = [session_cookie(users[pk]) for pk in chosen]
    ids = list(seed_events.bench_events().order_by("pk").values_list("pk", flat=True))
    events = ids[:: max(1, len(ids) // pages)][:pages]
    per_person = []
    for index, pk in enumerate(chosen):
        own = list(
            seed_events.bench_registrations()
            .filter(user_id=pk)
            .order_by("event_id")
            .values_list("event_id", flat=True)
        )
        own = own[:: max(1, len(own) // 10)][:10]
        others = [events[(index * 37 + n * 101) % len(events)] for n in range(20 - len(own))]
        per_person.append([(e, cookies[index]) for e in own + others])
    signed_in = [pair for row in zip(*per_person, strict=False) for pair in row]
    calendar, months = calendar_paths()
    return Attendees(cookies, signed_in, events, calendar, months)


def calendar_paths() -> tuple[list[str], list[str]]:
    """The calendar's list view unfiltered (two pages) and filtered by the 12 countries with
    most events, 8 languages, every field and lever, a country with its language and a field,
    6 months; and the month view of every month of 2025–2028, and 6 of them for a country."""
    import seed_events
    from django.db.models import Count

    from netzerohub.core.models import Term

    national = seed_events.bench_national()
    countries = list(
        national.values_list("country__code")
        .annotate(n=Count("id"))
        .order_by("-n", "country__code")
        .values_list("country__code", flat=True)[:12]
    )
    languages = ["en", "de", "fr", "es", "it", "pl", "nl", "sv"]
    terms = Term.objects.filter(kind__in=["field", "lever"]).order_by("kind", "position")
    calendar = ["/events/", "/events/?page=2"]
    calendar += [f"/events/?country={code}" for code in countries]
    calendar += [f"/events/?language={code}" for code in languages]
    calendar += [f"/events/?{term.kind}={term.slug}" for term in terms]
    first_field = terms.filter(kind="field").first()
    for code in countries[:5]:
        language = seed_events.LANGUAGES.get(code, ["en"])[0]
        calendar.append(f"/events/?country={code}&language={language}")
        if first_field:
            calendar.append(f"/events/?country={code}&field={first_field.slug}")
    some_months = ["2026-03", "2026-12", "2027-01", "2027-06", "2028-02", "2028-09"]
    calendar += [f"/events/?month={month}" for month in some_months]
    month_view = "/events/?view=month&month="
    months = [f"{month_view}{year}-{m:02d}" for year in range(2025, 2029) for m in range(1, 13)]
    months += [
        f"{month_view}{month}&country={code}"
        for month, code in zip(some_months, countries, strict=False)
    ]
    return calendar, months


def exchanges_sessions() -> Exchanges:
    """The bench call, the coordinator's session as the staff MFA check leaves it once passed,
    and the country with most applications not decided yet (the filtered review list)."""
    import seed_assessment
    import seed_exchanges
    from django.db.models import Count

    from netzerohub.accounts.middleware import StaffMFAMiddleware

    call, coordinator = seed_exchanges.bench_call(), seed_assessment.coordinator()
    if call is None or coordinator is None:
        raise RuntimeError("The exchanges data is missing: did seed_exchanges run?")
    applications = seed_exchanges.bench_applications()
    country = (
        applications.filter(status="submitted")
        .values("city__country__code")
        .annotate(n=Count("id"))
        .order_by("-n", "city__country__code")
        .values_list("city__country__code", flat=True)
        .first()
    )
    return Exchanges(
        slug=call.slug,
        applications=applications.submitted().count(),
        coordinator=session_cookie(coordinator, {StaffMFAMiddleware.SESSION_KEY: True}),
        country=country or "DE",
    )


def helpdesk_sessions(pages: int, members: int) -> Helpdesk:
    """The measured queue (the portal's, the largest) and its first expert; `pages` tickets of
    that queue for the expert's ticket page (the tenth with most messages, the others spread
    over the queue by id: every status, old and new); `members` tickets of people with a city
    (a twentieth with most messages, the others spread), each with the session of the person
    who asked; the coordinator. Staff sessions carry the staff MFA mark as `StaffMFAMiddleware`
    leaves it once passed (the experts and the coordinator have an authenticator app)."""
    import seed_assessment
    import seed_helpdesk

    from netzerohub.accounts.middleware import StaffMFAMiddleware
    from netzerohub.helpdesk.models import Ticket

    queue, expert = seed_helpdesk.queue_of_expert()
    coordinator = seed_assessment.coordinator()
    if expert is None or coordinator is None:
        raise RuntimeError("The helpdesk data is missing: did seed_helpdesk run?")
    mfa = {StaffMFAMiddleware.SESSION_KEY: True}

    def spread(tickets: Any, count: int, talkative: int) -> list[int]:
        top = list(
            tickets.order_by("-message_count", "pk").values_list("pk", flat=True)[:talkative]
        )
        ids = list(tickets.order_by("pk").values_list("pk", flat=True))
        others = [pk for pk in ids if pk not in set(top)]
        chosen = top + others[:: max(1, len(others) // max(count - len(top), 1))]
        return chosen[:count]

    received = Ticket.objects.received()
    expert_tickets = spread(received.filter(queue=queue), pages, pages // 10)
    asked = seed_helpdesk.bench_tickets().received().filter(city__isnull=False)
    member_ids = spread(asked, members, members // 20)
    requesters = dict(Ticket.objects.filter(pk__in=member_ids).values_list("pk", "requester_id"))
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.in_bulk(set(requesters.values()))
    cookies = {pk: session_cookie(user) for pk, user in people.items()}
    most = Ticket.objects.filter(pk__in=expert_tickets + member_ids).order_by("-message_count")
    return Helpdesk(
        queue=queue.slug,
        queue_active=received.filter(queue=queue).active().count(),
        expert=session_cookie(expert, mfa),
        expert_tickets=expert_tickets,
        member_tickets=[(pk, cookies[requesters[pk]]) for pk in member_ids],
        coordinator=session_cookie(coordinator, mfa),
        most_messages=most.values_list("message_count", flat=True).first() or 0,
    )


def surveys_sessions() -> Surveys:
    """The bench survey, the coordinator's session as the staff MFA check leaves it once
    passed, the country with most responses and a single-choice question for the cross-tab."""
    import seed_assessment
    import seed_surveys

    from netzerohub.accounts.middleware import StaffMFAMiddleware

    survey, coordinator = seed_surveys.bench_survey(), seed_assessment.coordinator()
    if survey is None or coordinator is None:
        raise RuntimeError("The survey data is missing: did seed_surveys run?")
    question = survey.questions.filter(kind="single").order_by("pk").first()
    return Surveys(
        slug=survey.slug,
        responses=seed_surveys.bench_responses().filter(status="submitted").count(),
        coordinator=session_cookie(coordinator, {StaffMFAMiddleware.SESSION_KEY: True}),
        country=seed_surveys.busiest_country(),
        crosstab=question.pk if question else 0,
    )


CONTRACT_PAGES = (
    ("contracts:workspace", "Contract workspace"),
    ("contracts:actions", "Contract portfolio"),
    ("contracts:trajectory", "Contract trajectory"),
)


def contracts_sessions(count: int) -> Contracts:
    """Sessions of approved synthetic members of `count` bench workspaces' cities (spread over
    them, a different person for each city where possible), and the measured pages' paths for
    each member's own city, from the URL names."""
    import seed_contracts
    from django.urls import reverse

    chosen = seed_contracts.members(count)
    if not chosen:
        raise RuntimeError("The contract data is missing: did seed_contracts run?")
    cookies: dict[int, str] = {}
    members = []
    for city_id, user in chosen:
        if user.pk not in cookies:
            cookies[user.pk] = session_cookie(user)
        members.append((city_id, cookies[user.pk]))
    paths = {
        name: [reverse(name, args=[city_id]) for city_id, _cookie in members]
        for name, _label in CONTRACT_PAGES
    }
    return Contracts(
        workspaces=seed_contracts.bench_contracts().count(), members=members, paths=paths
    )


def contracts_pages(contracts: Contracts) -> list[Page]:
    """The workspace overview, the action portfolio and the trajectory of many cities' bench
    workspaces (10 inventory years, 40 actions each), each requested as a member of that city
    with their own session (p95 target 100 ms)."""
    cookies = [cookie for _city, cookie in contracts.members]
    count = len(contracts.members)
    return [
        Page(
            f"{label} ({count} cities)",
            contracts.paths[name][0].replace(str(contracts.members[0][0]), "<city>"),
            contracts.paths[name],
            cookies,
        )
        for name, label in CONTRACT_PAGES
    ]


def contracts_note(contracts: dict[str, Any]) -> str:
    seeded = contracts.get("seed", {})
    timing = (
        f"seeded in {seeded['seed_s']:.0f} s ({seeded.get('measured_on')})"
        if "seed_s" in seeded
        else seeded.get("note", "")
    )
    return (
        f"Contract data: {contracts['workspaces']:,} workspaces ({contracts['published']:,} "
        f"published), {contracts['inventory_years']:,} inventory years with "
        f"{contracts['emission_rows']:,} emission rows ({contracts['removal_rows']:,} removals), "
        f"{contracts['actions']:,} actions with {contracts['reductions']:,} expected reductions, "
        f"{contracts['indicators']:,} indicators ({contracts['measurements']:,} measured "
        f"values), {contracts['capital_needs']:,} capital needs, {contracts['funding']:,} "
        f"funding rows; {timing}. Pages requested as {contracts['measured_as']['members']} "
        "members, each of their own city."
    )


def session_cookie(user: Any, extra: dict[str, Any] | None = None) -> str:
    """A signed-in session for `user`, as `login()` leaves it (plus `extra` keys), and a CSRF
    cookie (what a browser sends with every request), as the value of a `Cookie:` header."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import get_random_string

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    for key, value in (extra or {}).items():
        store[key] = value
    store.set_expiry(24 * 3600)  # `clearsessions` removes them the next day
    store.create()
    return (
        f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={get_random_string(32)}"
    )


def sessions(count: int) -> SignedIn:
    """Sessions for `count` learners spread over the synthetic people, each with one of their
    courses (the n-th learner their n-th course, so finished and unfinished ones alternate), and
    for the lead of the team city."""
    import seed
    import seed_learning

    from netzerohub.cities.models import Membership
    from netzerohub.core.paging import PER_PAGE
    from netzerohub.learning.models import Enrolment

    people = list(seed.bench_users().order_by("pk"))
    step = max(1, len(people) // count)
    learners = []
    for index, user in enumerate(people[::step][:count]):
        keys = list(
            Enrolment.objects.filter(user=user, course__isnull=False)
            .order_by("course__key")
            .values_list("course__key", flat=True)
        )
        if keys:
            learners.append((session_cookie(user), keys[index % len(keys)]))
    city = seed_learning.team_city()
    lead = seed_learning.team_lead(city) if city else None
    if not learners or lead is None:
        raise RuntimeError("The learning data is missing: did seed_learning run?")
    members = Membership.objects.approved().filter(city=city).count()
    return SignedIn(
        learners=learners,
        team_city=city.pk,
        team_pages=max(1, -(-members // PER_PAGE)),
        team_members=members,
        team_lead=session_cookie(lead),
    )


def kept_timings(
    report: dict[str, Any], kind: str, prefix: str, measured: str, otherwise: str
) -> dict[str, Any]:
    """`report` when it holds `measured` (then kept in var/bench for later runs), else the
    timings a previous run kept for this database."""
    name = Path(urlsplit(os.environ["DATABASE_URL"]).path).stem or kind
    path = SQLITE_PATH.parent / f"{prefix}-{kind}-{name}.json"
    if measured in report:
        timings = {"measured_on": dt.date.today().isoformat(), **report}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(timings, indent=2) + "\n")
        return timings
    if path.exists():
        return json.loads(path.read_text())
    return {"note": f"not measured: {otherwise}"}


def knowledge_index_build(report: dict[str, Any], kind: str) -> dict[str, Any]:
    """The full-text index build time: measured now, or kept from the run that measured it."""
    reason = "the data was already there (use --knowledge-reindex)"
    return kept_timings(report, kind, "knowledge-index", "index_build_s", reason)


def static_files_stale() -> bool:
    """True when the collected static files are missing or older than a source file."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return True
    collected = manifest.stat().st_mtime
    for finder in get_finders():
        for path, storage in finder.list([]):
            if Path(storage.path(path)).stat().st_mtime > collected:
                return True
    return False


def cpu_busy(seconds: float = 1.0) -> float:
    """Share of CPU time (0..1) spent busy over `seconds`, from /proc/stat."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values), idle

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return 0.0
    return round(1 - (idle1 - idle0) / max(total1 - total0, 1), 2)


def wait_for_quiet(limit: float, threshold: float = QUIET) -> float:
    """Wait (at most `limit` seconds) for other processes to leave the CPUs idle."""
    deadline = time.monotonic() + limit
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < deadline:
        print(f"  the machine is {busy:.0%} busy with other work; waiting for it to calm down")
        time.sleep(4)
        busy = cpu_busy()
    if busy > threshold:
        print(f"WARNING: the machine is {busy:.0%} busy with other work: results are noisy.")
    return busy


# --- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch_status(url: str, timeout: float = 10.0, cookie: str | None = None) -> int:
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our http:// URLs
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Gunicorn:
    """gunicorn in its own process group, always stopped on exit."""

    def __init__(self, workers: int, env: dict[str, str], log: TextIO) -> None:
        self.port = free_port()
        self.workers = workers
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Gunicorn:
        binary = Path(sys.executable).with_name("gunicorn")
        command = [
            str(binary if binary.exists() else shutil.which("gunicorn") or "gunicorn"),
            "--workers", str(self.workers),
            "--worker-class", "sync",
            "--bind", f"{HOST}:{self.port}",
            "--chdir", str(ROOT),
            "--timeout", "30",
            "--log-level", "warning",
            "--error-logfile", "-",
            "netzerohub.config.wsgi:application",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError("gunicorn exited at start; see the log in bench/results/")
            try:
                if (
                    fetch_status(f"{self.base_url}/bench/hello/", timeout=2) == 200
                    and len(self.worker_pids()) >= self.workers
                ):
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f}s")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children")
        if children.exists():
            return [int(pid) for pid in children.read_text().split()]
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(stat.parent.name))
        return pids

    def reset_peak_memory(self) -> bool:
        """Reset each worker's peak RSS (VmHWM) to its current RSS (Linux >= 4.0)."""
        ok = True
        for pid in self.worker_pids():
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                ok = False
        return ok

    def cpu_seconds(self) -> float:
        """User + system CPU time the workers have used so far."""
        ticks = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def peak_memory_mb(self) -> float:
        """The largest VmHWM among the workers, in MiB."""
        peak = 0
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except OSError:
                continue
        return round(peak / 1024, 1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group this script created
            self.process.wait(timeout=10)


# --- wrk -------------------------------------------------------------------------------------


def wrk(
    url: str,
    args: argparse.Namespace,
    duration: int,
    log: TextIO,
    paths_file: Path | None = None,
    script: str | None = None,
    offset: int = 0,
) -> dict[str, Any]:
    script = script or ("rotate.lua" if paths_file else "report.lua")
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout", "10s",
        "--latency",
        "-s", str(BENCH / script),
        url,
        *(["--", str(paths_file), str(offset)] if paths_file else []),
    ]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    log.write(f"$ {' '.join(command)}\n{done.stdout}{done.stderr}\n")
    log.flush()
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed for {url}: {done.stderr.strip()}")
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    raise RuntimeError(f"wrk printed no BENCH_RESULT line for {url}")


def measure(server: Gunicorn, page: Page, args: argparse.Namespace, log: TextIO) -> Result:
    url = server.base_url + page.path
    paths_file = None
    warmup = args.warmup
    script = "signed_in.lua" if page.cookies else None
    rotate = page.rotate or [page.path]
    cookies = page.cookies or [None] * len(rotate)
    checked = 1 if page.cold else len(rotate)  # a first view must not be seen before
    for path, cookie in list(zip(rotate, cookies, strict=True))[:checked]:
        status = fetch_status(server.base_url + path, cookie=cookie)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}, not 200: fix it before measuring")
    if page.rotate:
        url = server.base_url
        slug = "-".join(re.findall(r"[a-z0-9]+", page.name.lower()))
        paths_file = SQLITE_PATH.parent / f"wrk-paths-{slug}.txt"
        paths_file.parent.mkdir(parents=True, exist_ok=True)
        pairs = zip(rotate, cookies, strict=True)
        lines = [f"{p}\t{c}" for p, c in pairs] if page.cookies else page.rotate
        paths_file.write_text("\n".join(lines) + "\n")
        warmup = 0
    notes = []
    if page.cold:
        notes.append("first views: no warm-up, each path requested once unless the run wraps")
    elif page.rotate:
        seconds, requests = warm_up_rotation(url, page, args, log, paths_file, script)
        notes.append(f"warm-up {seconds:.0f} s, {requests:,} requests for {len(rotate):,} paths")
    elif warmup:
        wrk(url, args, warmup, log, paths_file)
    if not server.reset_peak_memory():
        notes.append("peak RSS is since worker start")
    workers, cpu = server.worker_pids(), server.cpu_seconds()
    stats = wrk(url, args, args.duration, log, paths_file, script)
    cpu = server.cpu_seconds() - cpu
    if server.worker_pids() != workers:
        notes.append("a worker restarted: CPU per request is not measured")
    errors = stats["errors"]
    if any(errors.values()):
        notes.append(f"wrk errors: {errors}")
    if page.cold and stats["requests"] > len(rotate) - 1:
        notes.append(
            f"{stats['requests']} requests for {len(rotate) - 1} unseen pages: the run wrapped "
            "round, the later requests were not first views"
        )
    return Result(
        name=page.name,
        path=page.path,
        p50_ms=round(stats["p50_ms"], 2),
        p95_ms=round(stats["p95_ms"], 2),
        p99_ms=round(stats["p99_ms"], 2),
        requests_per_second=round(stats["requests_per_second"], 1),
        requests=stats["requests"],
        errors=errors,
        worker_peak_rss_mb=server.peak_memory_mb(),
        worker_cpu_ms_per_request=round(1000 * cpu / max(stats["requests"], 1), 2),
        target_p95_ms=page.target_p95_ms,
        notes=notes,
    )


def warm_up_rotation(
    url: str,
    page: Page,
    args: argparse.Namespace,
    log: TextIO,
    paths_file: Path,
    script: str | None = None,
) -> tuple[float, int]:
    """Warm up until every worker has surely seen every path: each path requested at least four
    times per worker, and throughput no longer rising (at most `--rotate-warmup` seconds). Each
    5-second run continues through the list where the previous one stopped."""
    started = time.monotonic()
    requests, previous = 0, 0.0
    while time.monotonic() - started < args.rotate_warmup:
        offset = requests // max(args.threads, 1)  # each thread has advanced about this far
        stats = wrk(url, args, 5, log, paths_file, script, offset)
        requests += stats["requests"]
        rate = stats["requests_per_second"]
        enough = requests >= 4 * args.workers * len(page.rotate or [])
        if enough and previous and rate < 1.15 * previous:
            break
        previous = rate
    return time.monotonic() - started, requests


# --- report ----------------------------------------------------------------------------------


def median_run(results: list[Result]) -> Result:
    """The run with the median throughput (the better of the two middle ones)."""
    ordered = sorted(results, key=lambda r: r.requests_per_second)
    return ordered[len(ordered) // 2]


def table(results: list[Result], hello_rps: float) -> str:
    lines = [
        "| Page | URL | p50 (ms) | p95 (ms) | req/s | ratio | CPU ms/req | CPU ratio "
        "| worker peak RSS (MiB) | targets |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        verdict = "—" if r.meets_targets is None else ("met" if r.meets_targets else "**missed**")
        if r.meets_p95 and not r.meets_targets:
            verdict = "p95 met, ratio missed"
        if r.meets_targets is not None and r.target_p95_ms != TARGET_P95_MS:
            verdict += f" (p95 < {r.target_p95_ms:,.0f} ms)"
        lines.append(
            f"| {r.name} | `{r.path}` | {r.p50_ms:.1f} | {r.p95_ms:.1f} "
            f"| {r.requests_per_second:,.0f} | {r.ratio:.2f} | {r.worker_cpu_ms_per_request:.2f} "
            f"| {r.cpu_ratio:.2f} | {r.worker_peak_rss_mb:.0f} | {verdict} |"
        )
    lines += [
        "",
        f"ratio: req/s over the median hello-world req/s of the same run ({hello_rps:,.0f}). "
        "CPU ms/req: gunicorn workers' CPU time per request (excludes the database server "
        "and wrk); CPU ratio: hello-world's CPU ms/req over the page's, a cross-check of the "
        "ratio that other processes on the machine disturb less. Targets (PostgreSQL): "
        f"p95 < {TARGET_P95_MS:.0f} ms (unless the page names another) and ratio >= "
        f"{TARGET_RATIO}.",
    ]
    return "\n".join(lines)


def cold_table(cold: dict[str, Any], index_build: dict[str, Any]) -> str:
    parts = cold["parts"]
    lines = [
        "| Knowledge search, cold cache (in-process) | p50 (ms) | p95 (ms) | max (ms) |",
        "|---|---:|---:|---:|",
        f"| `search_resources()` in all | {cold['p50_ms']:.1f} | {cold['p95_ms']:.1f} "
        f"| {cold['max_ms']:.1f} |",
    ]
    for name, label in (
        ("count", "total (count)"),
        ("facets", "facet counts"),
        ("page", "ranked page of ids"),
        ("rest", "the rest (resources, snippets, labels)"),
    ):
        p = parts[name]
        lines.append(f"| {label} | {p['p50_ms']:.1f} | {p['p95_ms']:.1f} | {p['max_ms']:.1f} |")
    build = ", ".join(
        f"{k.removesuffix('_s').replace('_', ' ')} {v:.1f} s"
        for k, v in index_build.items()
        if k.endswith("_s") and isinstance(v, int | float)
    )
    lines += [
        "",
        f"{len(cold['queries'])} searches, each the median of {cold['repeats']} timings with every "
        "cached search answer stale (database buffers warm). Knowledge seeding and index build "
        f"({index_build.get('measured_on', 'not measured')}): {build or index_build.get('note')}.",
    ]
    return "\n".join(lines)


def learning_note(learning: dict[str, Any]) -> str:
    seeded = learning.get("seed", {})
    timing = (
        f"seeded in {seeded['seed_s']:.0f} s ({seeded.get('measured_on')})"
        if "seed_s" in seeded
        else seeded.get("note", "")
    )
    return (
        f"Learning data: {learning['courses']} courses, {learning['lessons']:,} lessons, "
        f"{learning['pathways']} pathways; {learning['learners']:,} learners with "
        f"{learning['course_enrolments']:,} course enrolments "
        f"({learning['course_enrolments_completed']:,} completed), "
        f"{learning['pathway_enrolments']:,} pathway enrolments, "
        f"{learning['lesson_progress']:,} lessons done, {learning['certificates']:,} "
        f"certificates; {timing}."
    )


def assessment_note(assessment: dict[str, Any]) -> str:
    seeded = assessment.get("seed", {})
    timing = (
        f"seeded in {seeded['seed_s']:.0f} s ({seeded.get('measured_on')})"
        if "seed_s" in seeded
        else seeded.get("note", "")
    )
    refresh = assessment["peers_refresh"]
    runs = ", ".join(f"{s:.2f}" for s in refresh["runs_s"])
    measured = assessment["measured_as"]
    return (
        f"Self-assessment data: {assessment['submitted_assessments']:,} submitted assessments "
        f"({assessment['latest_results']:,} latest results, {assessment['older_results']:,} "
        f"older), {assessment['answers']:,} answers ({assessment['answers_skipped']:,} skipped); "
        f"cities per stage {assessment['cities_per_stage']}; {timing}. peers.refresh(): "
        f"median {refresh['median_s']:.2f} s of {runs} s, {refresh['statistics_rows']} rows. "
        f"Result pages requested as {measured['leads']:,} leads: "
        f"{measured['result_pages_warm']:,} warm ({measured['warm_with_previous_result']:,} "
        f"with a previous result), {measured['result_pages_first_view']:,} first views (round 1 "
        f"only); distribution page as {measured['coordinator']}."
    )


def git_commit() -> str:
    """The commit, "-dirty" when the product's tracked files differ from it (the benchmark's own
    files under bench/ are left out: they do not change what is measured)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        choices=["postgresql", "sqlite"],
        help="default: DATABASE_URL, else PostgreSQL",
    )
    parser.add_argument(
        "--duration", type=int, default=15, help="seconds of each measured wrk run (15)"
    )
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per page (3)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every page N times, report the median (1)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--cities", type=int, default=100_000, help="cities in total (100,000)")
    parser.add_argument("--users", type=int, default=50_000, help="synthetic people (50,000)")
    parser.add_argument("--memberships", type=int, default=200_000, help="memberships (200,000)")
    parser.add_argument(
        "--resources", type=int, default=100_000, help="knowledge resources (100,000)"
    )
    parser.add_argument(
        "--courses", type=int, default=40, help="synthetic courses of the learning pages (40)"
    )
    parser.add_argument(
        "--lesson-progress",
        type=int,
        default=20,
        help="lessons done per synthetic person (20; 1,000,000 rows for 50,000 people)",
    )
    parser.add_argument(
        "--team-members",
        type=int,
        default=500,
        help="approved members of the city whose team progress page is measured (500)",
    )
    parser.add_argument(
        "--learners",
        type=int,
        default=50,
        help="people (sessions) that My learning and the course page cycle through (50)",
    )
    parser.add_argument(
        "--assessments",
        type=int,
        default=80_000,
        help="cities with a latest self-assessment result (80,000)",
    )
    parser.add_argument(
        "--older-assessments",
        type=int,
        default=20_000,
        help="of them, cities with an older result too (20,000; 100,000 assessments in all)",
    )
    parser.add_argument(
        "--result-pages",
        type=int,
        default=2_000,
        help="result pages the warm run cycles through; as many others are first views (2,000)",
    )
    parser.add_argument("--groups", type=int, default=200, help="synthetic peer groups (200)")
    parser.add_argument(
        "--meetings", type=int, default=8_000, help="meetings of those groups in all (8,000)"
    )
    parser.add_argument(
        "--national-events", type=int, default=12_000, help="national events (12,000)"
    )
    parser.add_argument(
        "--registrations",
        type=int,
        default=500_000,
        help="registrations for the meetings and national events (500,000)",
    )
    parser.add_argument(
        "--event-people",
        type=int,
        default=50,
        help="people (sessions, 20–60 registrations each) the signed-in events pages cycle "
        "through (50)",
    )
    parser.add_argument(
        "--event-pages",
        type=int,
        default=2_000,
        help="event pages the visitors' event page cycles through (2,000)",
    )
    parser.add_argument(
        "--contention-workers",
        type=int,
        default=16,
        help="processes registering for one event at once, each its own connection (16; 0: "
        "no contention run)",
    )
    parser.add_argument(
        "--contention-attempts",
        type=int,
        default=2_000,
        help="registrations attempted for that event, by distinct people (2,000)",
    )
    parser.add_argument(
        "--contention-capacity", type=int, default=500, help="that event's seats (500)"
    )
    parser.add_argument(
        "--exchange-applications",
        type=int,
        default=2_000,
        help="submitted applications to the bench exchange call (2,000); the solver's random "
        "instances have as many applicants",
    )
    parser.add_argument(
        "--exchange-reviews", type=int, default=6_000, help="reviews of them (6,000)"
    )
    parser.add_argument(
        "--exchange-hosts",
        type=int,
        default=200,
        help="host offers (5-15 places each) in the call and in the solver's instances (200)",
    )
    parser.add_argument(
        "--solver-seeds",
        type=int,
        default=5,
        help="random matching instances the solver is timed on (5; 0: no solver run)",
    )
    parser.add_argument(
        "--matching-repeats",
        type=int,
        default=3,
        help="timings of services.run_matching on the bench call; the median is reported (3)",
    )
    parser.add_argument(
        "--helpdesk-tickets", type=int, default=100_000, help="helpdesk tickets (100,000)"
    )
    parser.add_argument(
        "--helpdesk-messages",
        type=int,
        default=500_000,
        help="messages of those tickets: replies and internal notes (500,000)",
    )
    parser.add_argument(
        "--helpdesk-pages",
        type=int,
        default=1_000,
        help="tickets of the measured queue its expert's ticket page cycles through (1,000)",
    )
    parser.add_argument(
        "--helpdesk-members",
        type=int,
        default=200,
        help="tickets the ticket page as the member who asked cycles through (200)",
    )
    parser.add_argument(
        "--helpdesk-reseed",
        action="store_true",
        help="write the helpdesk's tickets and messages again (and time it) even if seeded",
    )
    parser.add_argument(
        "--survey-responses",
        type=int,
        default=10_000,
        help="submitted responses to the bench survey of 60 questions (10,000)",
    )
    parser.add_argument(
        "--surveys-reseed",
        action="store_true",
        help="write the survey's responses again (and time it) even if seeded",
    )
    parser.add_argument(
        "--survey-cold-repeats",
        type=int,
        default=5,
        help="cold analytics pages timed in-process (5)",
    )
    parser.add_argument(
        "--export-repeats",
        type=int,
        default=1,
        help="runs of each survey export (CSV, XLSX), each in a fresh process (1)",
    )
    parser.add_argument(
        "--contract-workspaces",
        type=int,
        default=5_000,
        help="Climate City Contract workspaces of synthetic cities, 10 inventory years and 40 "
        "actions each (5,000)",
    )
    parser.add_argument(
        "--contract-members",
        type=int,
        default=500,
        help="members (sessions), each of another workspace's city, that the contract pages "
        "cycle through (500)",
    )
    parser.add_argument(
        "--contracts-reseed",
        action="store_true",
        help="write the contract workspaces again (and time it) even if seeded",
    )
    parser.add_argument(
        "--seed-only",
        action="store_true",
        help="migrate and seed what the chosen pages need, print the facts, measure nothing",
    )
    parser.add_argument(
        "--knowledge-reindex",
        action="store_true",
        help="build the knowledge full-text index again (and time it) even if already seeded",
    )
    parser.add_argument(
        "--cold-repeats",
        type=int,
        default=3,
        help="cold-cache timings of each knowledge search; the median is reported (3)",
    )
    parser.add_argument(
        "--rotate-warmup",
        type=int,
        default=150,
        help="at most this many seconds of warm-up of the pages that cycle through the 50 "
        "searches; it stops once throughput stops rising (150)",
    )
    parser.add_argument(
        "--pages",
        choices=[
            "all",
            "directory",
            "knowledge",
            "learning",
            "assessment",
            "events",
            "exchanges",
            "helpdesk",
            "surveys",
            "contracts",
        ],
        default="all",
        help="which pages to measure (all)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=int,
        default=120,
        help="seconds to wait at most for other processes to leave the CPUs idle (120)",
    )
    return parser.parse_args(argv)


def learning_pages(signed_in: SignedIn) -> list[Page]:
    """My learning and a course page as enrolled learners (each request another person, with
    their own session), and the team progress page as the city's lead (every page of it)."""
    learners = signed_in.learners
    team = signed_in.team_city
    pages = range(1, signed_in.team_pages + 1)
    return [
        Page(
            f"My learning ({len(learners)} learners)",
            "/learning/mine/",
            ["/learning/mine/"] * len(learners),
            [cookie for cookie, _key in learners],
        ),
        Page(
            f"Course page, enrolled ({len(learners)} learners)",
            "/learning/courses/<key>/",
            [f"/learning/courses/{key}/" for _cookie, key in learners],
            [cookie for cookie, _key in learners],
        ),
        Page(
            f"Team progress ({signed_in.team_members} members, {len(pages)} pages)",
            f"/learning/team/{team}/?page=…",
            [f"/learning/team/{team}/?page={n}" for n in pages],
            [signed_in.team_lead] * len(pages),
        ),
    ]


def assessment_pages(reviewers: Reviewers) -> list[Page]:
    """The result page of many assessments, each as a lead of its city (warm: every page
    requested before the measured run; first views: other assessments never requested), and
    the coordinators' distribution page, for all cities and for the largest country."""
    warm, cold = reviewers.warm, reviewers.cold
    distribution = "/assessment/manage/distribution/"
    country = f"{distribution}?group=country:{reviewers.country}"
    return [
        Page(
            f"Result page, warm ({len(warm):,} assessments)",
            "/assessment/<id>/result/",
            [f"/assessment/{pk}/result/" for pk, _cookie in warm],
            [cookie for _pk, cookie in warm],
        ),
        Page(
            f"Result page, first view ({len(cold) - 1:,} other assessments)",
            "/assessment/<id>/result/ (first view)",
            [f"/assessment/{pk}/result/" for pk, _cookie in cold],
            [cookie for _pk, cookie in cold],
            cold=True,
            once=True,
        ),
        Page(
            "Coordinator distribution (all cities)",
            distribution,
            [distribution],
            [reviewers.coordinator],
            target_p95_ms=1_000,
        ),
        Page(
            f"Coordinator distribution ({reviewers.country})",
            country,
            [country],
            [reviewers.coordinator],
            target_p95_ms=1_000,
        ),
    ]


def events_pages(attendees: Attendees) -> list[Page]:
    """The calendar (list view with filters, month view), the event page for visitors and
    signed in (their own events and others), and "My registrations", each person in turn."""
    people = len(attendees.people)
    return [
        Page(
            f"Calendar, list ({len(attendees.calendar)} filter addresses)",
            "/events/?…",
            attendees.calendar,
        ),
        Page(
            f"Calendar, month view ({len(attendees.months)} months)",
            "/events/?view=month&month=…",
            attendees.months,
        ),
        Page(
            f"Event page, visitor ({len(attendees.events):,} events)",
            "/events/<id>/",
            [f"/events/{pk}/" for pk in attendees.events],
        ),
        Page(
            f"Event page, signed in ({people} people, {len(attendees.signed_in):,} pages)",
            "/events/<id>/ (signed in)",
            [f"/events/{pk}/" for pk, _cookie in attendees.signed_in],
            [cookie for _pk, cookie in attendees.signed_in],
        ),
        Page(
            f"My registrations ({people} people)",
            "/events/mine/",
            ["/events/mine/"] * people,
            attendees.people,
        ),
    ]


def exchanges_pages(exchange: Exchanges) -> list[Page]:
    """The review list of the bench call as the coordinator (default order, by score, not
    decided in one country, page 2) and the call's page as a visitor."""
    listed = f"/exchanges/calls/{exchange.slug}/applications/"
    cookie = [exchange.coordinator]
    filtered = f"{listed}?status=submitted&country={exchange.country}"
    return [
        Page(f"Review list ({exchange.applications:,} applications)", listed, [listed], cookie),
        Page("Review list, by score", f"{listed}?sort=score", [f"{listed}?sort=score"], cookie),
        Page(f"Review list, not decided, {exchange.country}", filtered, [filtered], cookie),
        Page("Review list, page 2", f"{listed}?page=2", [f"{listed}?page=2"], cookie),
        Page("Call page, visitor", f"/exchanges/calls/{exchange.slug}/"),
    ]


# The queue page's filters (`helpdesk.manage_forms.QueueFilterForm`): the expert's own open
# tickets, the queue's history (every closed ticket, newest first) and what is overdue.
HELPDESK_QUEUE_FILTERS = (
    ("open, assigned to me", "?status=open&assignee=me"),
    ("closed, newest first", "?status=closed&order=newest"),
    ("overdue", "?overdue=on"),
)


def helpdesk_pages(helpdesk: Helpdesk) -> list[Page]:
    """The queue page as one of its experts (as it opens: the active tickets, the soonest due
    first; and filtered), the ticket page as that expert (every one of `expert_tickets` in
    turn), the ticket page as the member who asked (each with their own session) and the
    metrics page as the coordinator (p95 target 1 s, as the issue sets)."""
    queue = f"/helpdesk/queues/{helpdesk.queue}/"
    expert = helpdesk.expert
    tickets = helpdesk.expert_tickets
    members = helpdesk.member_tickets
    return [
        Page(f"Queue page ({helpdesk.queue_active:,} active tickets)", queue, [queue], [expert]),
        *(
            Page(f"Queue page, {label}", queue + query, [queue + query], [expert])
            for label, query in HELPDESK_QUEUE_FILTERS
        ),
        Page(
            f"Ticket page, expert ({len(tickets):,} tickets, up to "
            f"{helpdesk.most_messages} messages)",
            "/helpdesk/tickets/<id>/",
            [f"/helpdesk/tickets/{pk}/" for pk in tickets],
            [expert] * len(tickets),
        ),
        Page(
            f"Ticket page, the member who asked ({len(members):,} tickets)",
            "/helpdesk/tickets/<id>/ (city side)",
            [f"/helpdesk/tickets/{pk}/" for pk, _cookie in members],
            [cookie for _pk, cookie in members],
        ),
        Page(
            "Metrics (coordinator)",
            "/helpdesk/metrics/",
            ["/helpdesk/metrics/"],
            [helpdesk.coordinator],
            target_p95_ms=1_000,
        ),
    ]


def surveys_pages(surveys: Surveys) -> list[Page]:
    """The analytics page of the bench survey as the coordinator (as it opens; filtered by the
    country with most responses; with a cross-tab by country), p95 target 1 s as the issue
    sets."""
    page = f"/surveys/manage/{surveys.slug}/analytics/"
    cookie = [surveys.coordinator]
    country = f"{page}?country={surveys.country}"
    crosstab = f"{page}?question={surveys.crosstab}&by=country"
    return [
        Page(
            f"Survey analytics ({surveys.responses:,} responses)",
            page,
            [page],
            cookie,
            target_p95_ms=1_000,
        ),
        Page(
            f"Survey analytics, {surveys.country}", country, [country], cookie, target_p95_ms=1_000
        ),
        Page(
            "Survey analytics, cross-tab by country",
            crosstab,
            [crosstab],
            cookie,
            target_p95_ms=1_000,
        ),
    ]


def surveys_note(surveys: dict[str, Any]) -> str:
    seeded = surveys.get("seed", {})
    timing = (
        f"seeded in {seeded['seed_s']:.0f} s ({seeded.get('measured_on')})"
        if "seed_s" in seeded
        else seeded.get("note", "")
    )
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(surveys["questions_by_kind"].items()))
    return (
        f"Survey data: `{surveys['survey']}`, {surveys['questions']} questions ({kinds}; "
        f"{surveys['conditional_questions']} conditional); {surveys['submitted_responses']:,} "
        f"submitted responses, {surveys['answers']:,} answers, {surveys['selections']:,} "
        f"selections; groups: {surveys['countries']} countries, {surveys['bands']} population "
        f"bands, {surveys['statuses']} statuses, {surveys['stages']} readiness stages; {timing}. "
        f"Analytics requested as {surveys['measured_as']['coordinator']}."
    )


def helpdesk_note(helpdesk: dict[str, Any]) -> str:
    seeded = helpdesk.get("seed", {})
    timing = (
        f"seeded in {seeded['seed_s']:.0f} s ({seeded.get('measured_on')})"
        if "seed_s" in seeded
        else seeded.get("note", "")
    )
    statuses = ", ".join(f"{n:,} {s}" for s, n in sorted(helpdesk["tickets_by_status"].items()))
    measured = helpdesk["measured_as"]
    return (
        f"Helpdesk data: {helpdesk['queues']} queues, {helpdesk['experts']} experts; "
        f"{helpdesk['tickets']:,} tickets ({statuses}); {helpdesk['messages']:,} messages "
        f"({helpdesk['internal_notes']:,} internal notes; up to "
        f"{helpdesk['messages_per_ticket_max']} per ticket, "
        f"{helpdesk['tickets_with_40_messages']:,} tickets with 40 or more); "
        f"{helpdesk['rated']:,} rated; first response in time "
        f"{helpdesk['first_response_in_time']:,} of {helpdesk['answered']:,}, resolution in time "
        f"{helpdesk['resolution_in_time']:,} of {helpdesk['resolved']:,}; {timing}. Queue "
        f"`{measured['queue']}` and its tickets requested as one of its experts; the city side "
        f"as {measured['members']} people who asked; metrics as {measured['coordinator']}."
    )


def exchanges_note(exchanges: dict[str, Any]) -> str:
    seeded = exchanges.get("seed", {})
    timing = (
        f"seeded in {seeded['seed_s']:.0f} s ({seeded.get('measured_on')})"
        if "seed_s" in seeded
        else seeded.get("note", "")
    )
    statuses = ", ".join(
        f"{n:,} {s}" for s, n in sorted(exchanges["applications_by_status"].items())
    )
    return (
        f"Exchanges data: call `{exchanges['call']}`, {exchanges['applications']:,} applications "
        f"({statuses}), {exchanges['reviews']:,} reviews by {exchanges['reviewers']} reviewers, "
        f"{exchanges['host_offers']} host offers with {exchanges['places']:,} places; {timing}. "
        f"Review list requested as {exchanges['measured_as']['coordinator']}."
    )


def events_note(events: dict[str, Any]) -> str:
    seeded = events.get("seed", {})
    timing = (
        f"seeded in {seeded['seed_s']:.0f} s ({seeded.get('measured_on')})"
        if "seed_s" in seeded
        else seeded.get("note", "")
    )
    statuses = ", ".join(f"{n:,} {s}" for s, n in sorted(events["registrations_by_status"].items()))
    measured = events["measured_as"]
    low_high = "–".join(str(n) for n in events["regular_registrations"])
    return (
        f"Events data: {events['groups']} peer groups ({events['group_members']:,} members), "
        f"{events['meetings']:,} meetings, {events['national_events']:,} national events "
        f"({events['upcoming_events']:,} of all events upcoming); "
        f"{events['registrations']:,} registrations ({statuses}); "
        f"{events['events_with_waitlist']:,} events with a waitlist; {timing}. Signed-in pages "
        f"requested as {measured['people']} of the {events['regulars']} people with "
        f"{low_high} registrations each."
    )


def _raise_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    url = database_url(args.database)
    kind = database_kind(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "benchsettings",
        "DEBUG": "false",
        "SECURE_SSL": "false",
        "PYTHONPATH": os.pathsep.join(
            [str(SRC), str(BENCH), os.environ.get("PYTHONPATH", "")]
        ).rstrip(os.pathsep),
    }
    os.environ.update(env)
    sys.path[:0] = [str(SRC), str(BENCH)]
    import knowledge_search

    print(f"database: {masked(url)}")
    if kind == "postgresql":
        ensure_postgres_database(url)
    (
        facts,
        signed_in,
        reviewers,
        attendees,
        exchange,
        helpdesk_data,
        surveys_data,
        contracts_data,
    ) = prepare(args)
    if args.seed_only:
        print(json.dumps(facts, indent=2, default=str))
        return 0

    RESULTS.mkdir(parents=True, exist_ok=True)
    today = dt.date.today().isoformat()
    suffix = "" if args.pages == "all" else f"-{args.pages}"
    cache = "redis" if os.environ.get("REDIS_URL") else "locmem"
    suffix += "-redis" if cache == "redis" else ""  # a shared cache: kept apart
    log_path = RESULTS / f"{today}-{kind}{suffix}.log"
    profile = facts["profile_city"]
    queries = knowledge_search.load_queries()
    directory = [
        Page("Directory, search", "/cities/?q=san"),
        # The live search's first keystroke: a one-letter prefix that ~2,000 real cities match.
        Page("Directory, one-letter search", "/cities/?q=b"),
        Page("Directory", "/cities/"),
        Page(f"City profile ({profile['name']})", f"/cities/{profile['id']}/"),
        Page("API city list, search", "/api/v1/cities?search=ber&page=2"),
        Page("API city list", "/api/v1/cities"),
    ]
    knowledge = [
        Page(
            f"Knowledge search page ({len(queries)} searches)",
            "/knowledge/?q=…",
            knowledge_search.paths(knowledge_search.SEARCH_PAGE, queries),
        ),
        Page(
            f"API knowledge search ({len(queries)} searches)",
            "/api/v1/resources?q=…",
            knowledge_search.paths(knowledge_search.API, queries),
        ),
    ]
    learning = learning_pages(signed_in) if signed_in else []
    assessment = assessment_pages(reviewers) if reviewers else []
    events = events_pages(attendees) if attendees else []
    exchanges = exchanges_pages(exchange) if exchange else []
    helpdesk = helpdesk_pages(helpdesk_data) if helpdesk_data else []
    surveys = surveys_pages(surveys_data) if surveys_data else []
    contracts = contracts_pages(contracts_data) if contracts_data else []
    pages = {
        "all": directory
        + knowledge
        + learning
        + assessment
        + events
        + exchanges
        + helpdesk
        + surveys
        + contracts,
        "directory": directory,
        "knowledge": knowledge,
        "learning": learning,
        "assessment": assessment,
        "events": events,
        "exchanges": exchanges,
        "helpdesk": helpdesk,
        "surveys": surveys,
        "contracts": contracts,
    }[args.pages]
    hello = Page("Hello world (bare view)", "/bench/hello/")
    busy_before = wait_for_quiet(args.quiet_wait)
    commit = git_commit()  # what gunicorn serves: the code as it is when it starts
    cold = None
    if wants(args, "knowledge"):
        print("knowledge search with a cold cache, in-process:")
        cold = knowledge_search.cold(queries, repeats=args.cold_repeats)
        from django.db import connections

        connections.close_all()
    contention = None
    if wants(args, "events") and args.contention_workers > 0:
        import events_contention
        from django.db import connections

        print(
            f"registrations under contention: {args.contention_workers} processes, "
            f"{args.contention_attempts:,} attempts, {args.contention_capacity} seats:"
        )
        contention = events_contention.run(
            args.contention_workers, args.contention_attempts, args.contention_capacity
        )
        print("  " + events_contention.note(contention).replace("\n", "\n  "))
        connections.close_all()
    solver = None
    if wants(args, "exchanges"):
        import exchanges_matching
        from django.db import connections

        print(
            f"matching: {args.solver_seeds} random instances of {args.exchange_applications:,} "
            f"applicants × {args.exchange_hosts} hosts, then services.run_matching:"
        )
        solver = exchanges_matching.run(
            args.solver_seeds,
            args.matching_repeats,
            applicants=args.exchange_applications,
            hosts=args.exchange_hosts,
        )
        connections.close_all()
    surveys_cold = surveys_exported = None
    if wants(args, "surveys"):
        import surveys_export
        from django.db import connections

        print(f"survey analytics, cold, in-process ({args.survey_cold_repeats} runs):")
        surveys_cold = surveys_export.cold(args.survey_cold_repeats)
        print(f"  {surveys_cold}")
        print("survey exports, each in a fresh process:")
        connections.close_all()
        surveys_exported = surveys_export.exports(repeats=args.export_repeats)
        for found in surveys_exported:
            print(f"  {found}")
        connections.close_all()
    contracts_exported = None
    if wants(args, "contracts"):
        import contracts_export
        from django.db import connections

        print("contract exports (PDF, XLSX) of a full workspace, each in a fresh process:")
        connections.close_all()
        contracts_exported = contracts_export.exports(repeats=args.export_repeats)
        for found in contracts_exported:
            print(f"  {found}")
        connections.close_all()
    runs: dict[str, list[Result]] = {page.path: [] for page in [hello, *pages]}
    with log_path.open("w") as log, Gunicorn(args.workers, env, log) as server:
        print(
            f"gunicorn: {args.workers} sync workers on {server.base_url}; "
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {args.rounds} round(s)"
        )
        for number in range(1, args.rounds + 1):
            print(f"round {number} of {args.rounds}:")
            for page in [hello, *pages, hello]:  # hello-world first and last: drift shows
                if page.once and number > 1:
                    continue
                result = measure(server, page, args, log)
                runs[page.path].append(result)
                print(
                    f"  {page.name}: p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms, "
                    f"{result.requests_per_second:,.0f} req/s"
                )
    busy_after = cpu_busy()

    hello_runs = runs[hello.path]
    hello_rps = statistics.median(r.requests_per_second for r in hello_runs)
    chosen = [median_run(runs[page.path]) for page in [hello, *pages]]
    hello_cpu = statistics.median(r.worker_cpu_ms_per_request for r in hello_runs)
    for result in chosen:
        result.ratio = round(result.requests_per_second / hello_rps, 3)
        result.cpu_ratio = round(hello_cpu / max(result.worker_cpu_ms_per_request, 0.001), 3)
    for result in chosen[1:]:
        result.meets_p95 = result.p95_ms < result.target_p95_ms
        result.meets_targets = result.meets_p95 and result.ratio >= TARGET_RATIO
    report = table(chosen, hello_rps)
    if cold:
        report += "\n\n" + cold_table(cold, facts["knowledge_index_build"])
    if "learning" in facts and wants(args, "learning"):
        report += "\n\n" + learning_note(facts["learning"])
    if "assessment" in facts:
        report += "\n\n" + assessment_note(facts["assessment"])
    if "events" in facts:
        report += "\n\n" + events_note(facts["events"])
    if contention:
        import events_contention

        report += "\n\n" + events_contention.note(contention)
    if "exchanges" in facts:
        report += "\n\n" + exchanges_note(facts["exchanges"])
    if solver:
        import exchanges_matching

        report += "\n\n" + exchanges_matching.note(solver)
    if "helpdesk" in facts:
        report += "\n\n" + helpdesk_note(facts["helpdesk"])
    if "surveys" in facts:
        import surveys_export

        report += "\n\n" + surveys_note(facts["surveys"])
        report += "\n\n" + surveys_export.note(surveys_cold, surveys_exported)
    if "contracts" in facts:
        import contracts_export

        report += "\n\n" + contracts_note(facts["contracts"])
        report += "\n\n" + contracts_export.note(contracts_exported)
    print()
    print(report)
    if max(busy_before, busy_after) > QUIET:
        print(
            f"\nOther processes kept the CPUs busy ({busy_before:.0%} before, {busy_after:.0%} "
            "after): these figures understate what the machine can do."
        )
    if kind != "postgresql":
        print("\nThe targets are set for PostgreSQL; on SQLite they are for information only.")
    if git_commit() != commit:
        print(f"\nThe code changed during the run (from {commit} to {git_commit()}).")

    output = {
        "date": today,
        "database": kind,
        "commit": commit,
        "commit_at_end": git_commit(),  # differs when the code changed during the run
        "machine": {
            "cpus": os.cpu_count(),
            "cpu_model": cpu_model(),
            "python": platform.python_version(),
        },
        "server": {"gunicorn_workers": args.workers, "worker_class": "sync", "cache": cache},
        "load": {
            "tool": "wrk",
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "warmup_s": args.warmup,
        },
        "targets": {
            "p95_ms_below": TARGET_P95_MS,
            "ratio_at_least": TARGET_RATIO,
            "applies_to": "postgresql",
        },
        "data": facts,
        "other_cpu_load": {"before": busy_before, "after": busy_after},
        "hello_requests_per_second": round(hello_rps, 1),
        "hello_worker_cpu_ms_per_request": hello_cpu,
        "results": [asdict(r) for r in chosen],
        "knowledge_cold": cold,
        "events_contention": contention,
        "exchanges_matching": solver,
        "surveys_cold": surveys_cold,
        "surveys_exports": surveys_exported,
        "contracts_exports": contracts_exported,
        "runs": {path: [asdict(r) for r in results] for path, results in runs.items()},
        "markdown": report,
    }
    out_path = RESULTS / f"{today}-{kind}{suffix}.json"
    out_path.write_text(json.dumps(output, indent=2) + "\n")
    print(
        f"\nwrote {out_path.relative_to(ROOT)} "
        f"(wrk output and server log: {log_path.relative_to(ROOT)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Synthetic self-assessment results for the benchmark: 100,000 submitted assessments.

- the default questionnaire, loaded and published with `assessment.authoring.load_default()`
  (9 dimensions, 47 questions of which 10 optional, 4 stages; nothing is written when its key
  already has a version);
- **80,000** cities with a latest result: a submitted assessment with `is_latest=True` (one per
  city, as the product's constraint requires), taken among the real and synthetic cities in an
  order fixed by a hash of the city's id (so real and synthetic cities, every country and every
  population band are covered in proportion); the cities with no known population (a few real
  ones) have no population band, as on the product;
- **20,000** of those cities also have an older submitted assessment (`is_latest=False`,
  submitted 6–18 months before the latest), the "previous result" of the result page:
  **100,000** submitted assessments in all;
- their answers, as the product stores them: one `Answer` row per question, a level 0–4 drawn
  from the city's maturity (a Beta-distributed base level, a little higher for larger cities),
  plus a per-dimension offset and per-question noise, rounded and clamped; an optional question
  is skipped ("does not apply", level NULL) 15 % of the time; an older assessment sits 0.2–0.9
  levels below the city's latest. 47 answers per assessment: **~4.7 million** rows;
- scores computed exactly as `services.submit_assessment` computes them: `scoring.score()` of
  the answers on the questionnaire loaded with `Questionnaire.objects.with_structure()`, stored
  as floats in `scores` and `overall_score`, with the stage reached, the city's country and its
  population band (`cities.population.band_of`);
- who did it: an assessment of a city with an approved synthetic lead (`seed.py`'s memberships)
  was started and submitted by that lead (the first by id) and each answer was given by one of
  the city's approved synthetic members; in the other cities these are NULL (as when the
  account was deleted);
- a coordinator, `bench-coordinator@staff.bench.invalid` (`is_staff`), with an authenticator
  app and a verified address, as staff must have: the one the distribution page is requested
  as. Its address is outside `@bench.invalid`, so `seed.bench_users()` leaves it out.

Dates are fixed, not relative to today: latest results are submitted between 1 July 2025 and
1 June 2026, older ones 6–18 months before; `started` is three weeks before `submitted_at` and
`last_answer_at` one hour before. `Answer.answered_at` (`auto_now`) is the time of seeding (no
page shows it). Each city's rows come from random generators seeded with the city's id, so the
data does not depend on the order of the work. Rows are built in memory and written with
`bulk_create` in batches (assessments first, for their ids, then their answers), 2,000 cities
at a time. Seeding tops up: cities are taken in the hash order until the number with a latest
result reaches its target (a city that already has any assessment is left as it is), then
cities with a latest result but no older one get one until that target is reached; it does
nothing when both are met. The whole step is one transaction; PostgreSQL then runs `ANALYZE`.

Afterwards `peers.refresh()` rebuilds the peer statistics, as every submission does in the
background, and is timed (`refresh_s`): the result page's medians and the coordinators'
distribution page read them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import seed as base
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import F

from netzerohub.assessment import authoring, peers, scoring
from netzerohub.assessment.models import HIGHEST, Answer, Assessment, Questionnaire
from netzerohub.cities.models import City, Membership
from netzerohub.cities.population import band_of

LATEST = 80_000
OLDER = 20_000
BATCH = 5_000
CITIES_PER_BATCH = 2_000
SKIP_SHARE = 0.15  # an optional question skipped ("does not apply", level NULL)
DIMENSION_SPREAD = 0.6  # standard deviation of a dimension's offset from the city's level
QUESTION_SPREAD = 0.55  # and of a question's from its dimension's
IMPROVEMENT = (0.2, 0.9)  # levels gained between the older assessment and the latest
LATEST_FROM = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
LATEST_UNTIL = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
OLDER_BEFORE = (180, 540)  # days between an older assessment and the latest
ANSWERING = dt.timedelta(days=21)  # from `started` to `submitted_at`
COORDINATOR_EMAIL = "bench-coordinator@staff.bench.invalid"


@dataclass(frozen=True)
class Targets:
    latest: int = LATEST  # cities with a latest result
    older: int = OLDER  # of them, cities with an older result too


def questionnaire() -> Questionnaire | None:
    """The default questionnaire's newest version (what the seeded results are taken on)."""
    key = json.loads(authoring.DEFAULT_FILE.read_text())["key"]
    return Questionnaire.objects.filter(key=key).order_by("-id").first()


def coordinator() -> Any:
    return get_user_model().objects.filter(email=COORDINATOR_EMAIL).first()


def bench_results():
    """The submitted assessments on the default questionnaire (the seeded ones, and any other)."""
    found = questionnaire()
    return Assessment.objects.submitted().filter(questionnaire__key=found.key if found else "")


def order_key(city_id: int, seed_value: int) -> int:
    """Where a city comes in the seeding order: a multiplicative hash of its id, so that the
    order mixes real and synthetic cities and does not change when cities are added."""
    return ((city_id + seed_value) * 2_654_435_761) % 2**32


def requested(count: int) -> list[tuple[int, Any]]:
    """(assessment id, the city's lead) for the latest results of `count` cities that have an
    approved synthetic lead, spread over all such cities: the result pages the benchmark
    requests, each as a member (the lead) of its city."""
    leads: dict[int, int] = {}
    rows = (
        Membership.objects.leads()
        .filter(user__in=base.bench_users())
        .order_by("city_id", "user_id")
        .values_list("city_id", "user_id")
    )
    for city_id, user_id in rows:
        leads.setdefault(city_id, user_id)
    latest = dict(
        bench_results()
        .filter(is_latest=True, city_id__in=list(leads))
        .order_by("city_id")
        .values_list("city_id", "pk")
    )
    cities = sorted(latest)
    step = max(1, len(cities) // count) if count else 1
    chosen = cities[::step][:count]
    users = get_user_model().objects.in_bulk([leads[c] for c in chosen])
    return [(latest[c], users[leads[c]]) for c in chosen]


# --- answers and scores ----------------------------------------------------------------------


@dataclass
class Structure:
    """The questionnaire as `submit_assessment` scores it, and its questions by dimension."""

    questionnaire: Questionnaire  # with_structure(): stages, dimensions, questions prefetched
    by_dimension: list[list[Any]]  # the questions of each dimension, in order

    @classmethod
    def load(cls, pk: int) -> Structure:
        full = Questionnaire.objects.with_structure().get(pk=pk)
        questions = list(full.questions.all())
        by_dimension = [
            [q for q in questions if q.dimension_id == d.pk] for d in full.dimensions.all()
        ]
        return cls(full, by_dimension)


def maturity(city_id: int, population: int | None, seed_value: int) -> float:
    """A city's level (0–4) on its latest assessment: Beta(2, 2.6) × 4, plus a quarter of a
    level per tenfold population above 30,000 (minus below it)."""
    rng = random.Random(f"{seed_value}:{city_id}:city")
    level = 4 * rng.betavariate(2.0, 2.6)
    if population:
        level += 0.25 * (math.log10(population) - math.log10(30_000))
    return level


def levels(rng: random.Random, structure: Structure, level: float) -> dict[str, int | None]:
    """{question key: level or None (an optional question skipped)} around `level`."""
    found: dict[str, int | None] = {}
    for questions in structure.by_dimension:
        offset = rng.gauss(0, DIMENSION_SPREAD)
        for question in questions:
            if not question.required and rng.random() < SKIP_SHARE:
                found[question.key] = None
                continue
            value = round(level + offset + rng.gauss(0, QUESTION_SPREAD))
            found[question.key] = min(HIGHEST, max(0, value))
    return found


def scored(assessment: Assessment, structure: Structure, answers: dict[str, int | None]) -> None:
    """Store the result of `answers` on `assessment` as `submit_assessment` does."""
    result = scoring.score(structure.questionnaire, answers)
    assessment.scores = {
        k: float(v) if v is not None else None for k, v in result.dimensions.items()
    }
    assessment.overall_score = float(result.overall) if result.overall is not None else None
    assessment.stage = result.stage


@dataclass
class Plan:
    """What a city needs: its latest result and/or an older one."""

    city_id: int
    country_id: int | None
    population: int | None
    latest: bool
    older: bool
    latest_submitted: dt.datetime | None = None  # of an existing latest result


def _assessments(
    plan: Plan,
    structure: Structure,
    people: dict[int, tuple[int | None, list[int]]],
    seed_value: int,
) -> list[tuple[Assessment, dict[str, int | None], random.Random]]:
    """The city's new assessments (not saved), each with its answers and its generator."""
    level = maturity(plan.city_id, plan.population, seed_value)
    lead, _members = people.get(plan.city_id, (None, []))
    common = {
        "city_id": plan.city_id,
        "questionnaire_id": structure.questionnaire.pk,
        "status": Assessment.Status.SUBMITTED,
        "started_by_id": lead,
        "submitted_by_id": lead,
        "country_id": plan.country_id,
        "population_band": band_of(plan.population),
    }
    rng = random.Random(f"{seed_value}:{plan.city_id}:latest")
    span = (LATEST_UNTIL - LATEST_FROM).total_seconds()
    latest_at = plan.latest_submitted or LATEST_FROM + dt.timedelta(seconds=rng.random() * span)
    found = []
    if plan.latest:
        found.append((latest_at, True, levels(rng, structure, level), rng))
    if plan.older:
        older = random.Random(f"{seed_value}:{plan.city_id}:older")
        earlier = level - older.uniform(*IMPROVEMENT)
        submitted = latest_at - dt.timedelta(days=older.uniform(*OLDER_BEFORE))
        found.append((submitted, False, levels(older, structure, earlier), older))
    rows = []
    for submitted, is_latest, answers, generator in found:
        assessment = Assessment(
            **common,
            submitted_at=submitted,
            last_answer_at=submitted - dt.timedelta(hours=1),
            is_latest=is_latest,
        )
        scored(assessment, structure, answers)
        rows.append((assessment, answers, generator))
    return rows


def _people() -> dict[int, tuple[int | None, list[int]]]:
    """{city id: (its first synthetic lead or None, its approved synthetic members)}."""
    found: dict[int, tuple[int | None, list[int]]] = {}
    rows = (
        Membership.objects.approved()
        .filter(user__in=base.bench_users())
        .order_by("city_id", "user_id")
        .values_list("city_id", "user_id", "role")
    )
    leads: dict[int, int] = {}
    members: dict[int, list[int]] = defaultdict(list)
    for city_id, user_id, role in rows:
        members[city_id].append(user_id)
        if role == Membership.Role.LEAD:
            leads.setdefault(city_id, user_id)
    for city_id, ids in members.items():
        found[city_id] = (leads.get(city_id), ids)
    return found


def plan(targets: Targets, questionnaire_key: str, seed_value: int) -> list[Plan]:
    """The cities that need a latest result, an older one or both, in the seeding order."""
    assessments = Assessment.objects.filter(questionnaire__key=questionnaire_key)
    latest = dict(assessments.filter(is_latest=True).values_list("city_id", "submitted_at"))
    older = set(assessments.submitted().filter(is_latest=False).values_list("city_id", flat=True))
    taken = set(Assessment.objects.values_list("city_id", flat=True))  # any questionnaire
    cities = sorted(
        City.objects.values_list("pk", "country_id", "population"),
        key=lambda row: (order_key(row[0], seed_value), row[0]),
    )
    plans: dict[int, Plan] = {}
    have = len(latest)
    with_latest = []
    for city_id, country_id, population in cities:
        if city_id in latest:
            with_latest.append((city_id, country_id, population))
        elif have < targets.latest and city_id not in taken:
            plans[city_id] = Plan(city_id, country_id, population, latest=True, older=False)
            with_latest.append((city_id, country_id, population))
            have += 1
    have_older = len(older & {c for c, _country, _population in with_latest})
    for city_id, country_id, population in with_latest:
        if have_older >= targets.older:
            break
        if city_id in older:
            continue
        if city_id in plans:
            plans[city_id].older = True
        elif city_id in latest:
            plans[city_id] = Plan(
                city_id,
                country_id,
                population,
                latest=False,
                older=True,
                latest_submitted=latest[city_id],
            )
        else:
            continue
        have_older += 1
    order = {c: n for n, (c, _country, _population) in enumerate(cities)}
    return sorted(plans.values(), key=lambda p: order[p.city_id])


@transaction.atomic
def seed_results(
    targets: Targets, found: Questionnaire, seed_value: int, log: Callable[..., None]
) -> dict[str, int]:
    """The missing assessments of the plan, with their answers."""
    plans = plan(targets, found.key, seed_value)
    added = {"assessments": 0, "latest_results": 0, "older_results": 0, "answers": 0}
    if not plans:
        return added
    structure = Structure.load(found.pk)
    questions = {q.key: q.pk for q in structure.questionnaire.questions.all()}
    people = _people()
    started = time.monotonic()
    for start in range(0, len(plans), CITIES_PER_BATCH):
        built = []
        for city_plan in plans[start : start + CITIES_PER_BATCH]:
            built += _assessments(city_plan, structure, people, seed_value)
        rows = Assessment.objects.bulk_create([a for a, _answers, _rng in built], batch_size=BATCH)
        if any(a.pk is None for a in rows):
            raise RuntimeError("bulk_create returned no ids: the backend cannot seed this")
        answers = []
        for assessment, levels_, rng in built:
            _lead, members = people.get(assessment.city_id, (None, []))
            for key, level in levels_.items():
                answers.append(
                    Answer(
                        assessment_id=assessment.pk,
                        question_id=questions[key],
                        level=level,
                        answered_by_id=rng.choice(members) if members else None,
                    )
                )
        Answer.objects.bulk_create(answers, batch_size=BATCH)
        # `started` is auto_now_add: bulk_create writes the time of seeding; set it as the
        # product's would be, three weeks before the submission.
        Assessment.objects.filter(pk__in=[a.pk for a in rows]).update(
            started=F("submitted_at") - ANSWERING
        )
        added["assessments"] += len(rows)
        added["latest_results"] += sum(1 for a in rows if a.is_latest)
        added["older_results"] += sum(1 for a in rows if not a.is_latest)
        added["answers"] += len(answers)
        if len(plans) > CITIES_PER_BATCH:
            done = min(start + CITIES_PER_BATCH, len(plans))
            log(
                f"    {done:,} of {len(plans):,} cities, {added['answers']:,} answers "
                f"({time.monotonic() - started:.0f}s)"
            )
    return added


@transaction.atomic
def seed_coordinator() -> int:
    """The synthetic coordinator, with an authenticator app and a verified address."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from allauth.mfa.utils import encrypt

    if coordinator() is not None:
        return 0
    user = get_user_model().objects.create(
        email=COORDINATOR_EMAIL,
        name="Synthetic coordinator",
        password=make_password("bench-password-not-for-production"),
        is_staff=True,
        is_active=True,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(generate_totp_secret())}
    )
    return 1


def refresh(log: Callable[..., None] = print) -> dict[str, Any]:
    """`peers.refresh()` of the default questionnaire, timed: what a submission triggers."""
    found = questionnaire()
    if found is None:
        return {}
    started = time.monotonic()
    rows = peers.refresh(found.key)
    seconds = round(time.monotonic() - started, 2)
    log(f"  peers.refresh({found.key!r}): {rows} statistics in {seconds:.2f}s")
    return {"refresh_s": seconds, "peer_statistics": rows}


def seed(
    targets: Targets | None = None, *, seed_value: int = 2050, log: Callable[..., None] = print
) -> dict[str, Any]:
    """Top the self-assessment data up to its targets, then refresh (and time) the peer
    statistics; returns what was added and the timings."""
    targets = targets or Targets()
    report: dict[str, Any] = {}
    started = time.monotonic()
    with transaction.atomic():
        step_started = time.monotonic()
        found, created = authoring.load_default()
        report["questionnaire"] = int(created)
        if created:
            report["questionnaire_s"] = round(time.monotonic() - step_started, 2)
        for name, step in (
            ("results", lambda: seed_results(targets, found, seed_value, log)),
            ("coordinator", seed_coordinator),
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
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            report["analyze_s"] = round(time.monotonic() - analyze_started, 2)
    return report | refresh(log)

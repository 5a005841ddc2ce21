"""A synthetic city-to-city exchange call for the benchmark: 2,000 applications, 6,000 reviews
and 200 host offers.

- **one** published call `bench-twinning-2026`, a twinning learning programme open from 8 April
  00:00 to 31 May 2026 23:59 Brussels time (closed when the benchmark runs: in review), created
  through `services.save_call` by the synthetic coordinator (`seed_assessment.py`'s
  `bench-coordinator@staff.bench.invalid`, created here when missing) with the rules of the
  sample twinning call (country eligible; not a Mission, Pilot or Twin City; target year 2050
  at most; 12 hours a month; representatives with B2 English), the standard questions
  (`manage_forms.standard_questions`), three weighted review criteria (3, 2, 2), the default
  matching weights and **5** invited reviewers `bench-reviewer-N@staff.bench.invalid`;
- **200** host offers by synthetic cities that the benchmark makes Pilot Cities (`status`
  set on those synthetic cities only; real cities are never changed): capacity 5–15 twins,
  2–5 fields of action and 2–4 levers of change (popular ones more often), 1–3 working
  languages (the country's, English most often), 15–35 words of challenges they have worked on,
  possible visit dates;
- **2,000** submitted applications of other synthetic cities, one per city (those cities get a
  target year, 2030–2050, when they have none: the call's rule asks for one): answers to every
  standard question by question id, as `services.save_answers` stores them (motivation, 1–4
  fields, 1–3 levers, 8–20 words of challenges, 1–3 working languages, 1–2 representatives,
  12–40 hours a month) and the same in the structured columns and M2M rows; submitted in the
  window, more of them near the deadline; started by a synthetic lead of the city when it has
  one;
- **6,000** reviews by the coordinator and the invited reviewers (0–5 per application, 3 on
  average; each reviewer at most once per application), scores 0–5 per criterion around the
  application's quality, a criterion left out now and then, a comment on most;
- decisions on 70 % of the applications reviewed at least twice, by their weighted score
  (`services.weighted_score`'s formula): the best 60 % accepted, the next 15 % waitlisted, the
  others rejected; the rest stay submitted (not decided yet).

The hosts and applicants are synthetic cities taken in an order fixed by a hash of their id
(hosts from one end, applicants from the other, so topping up never makes a city both). Both
get coordinates, when they have none, near a real city of their country (distance counts in
matching). Each host's, application's and its reviews' values come from random generators
seeded with their number, so the data does not depend on the order of the work. Rows are
written with `bulk_create` in batches of 5,000, `created`/`updated` as generated (not the time
of seeding). Seeding tops up: missing reviewers, offers and applications are added; reviews and
decisions are written again when applications were added or the number of reviews differs from
the target (they depend on every application). One transaction; PostgreSQL then runs `ANALYZE`.
No audit entries, notifications or pairs are written (the measured pages do not read them;
`exchanges_matching.py` runs the matching in a transaction it rolls back).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import seed as base
import seed_assessment
import seed_events
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction

from netzerohub.cities.models import City, Membership
from netzerohub.core.languages import LANGUAGE_NAMES
from netzerohub.core.models import Term
from netzerohub.exchanges import services
from netzerohub.exchanges.manage_forms import standard_questions
from netzerohub.exchanges.models import (
    Application,
    Call,
    EligibilityRule,
    HostOffer,
    Question,
    Review,
    ReviewCriterion,
)

APPLICATIONS = 2_000
REVIEWS = 6_000
HOSTS = 200
REVIEWERS = 5  # invited; the coordinator reviews too
CAPACITY = (5, 15)
BATCH = 5_000
CALL_SLUG = "bench-twinning-2026"
REVIEWER_DOMAIN = "staff.bench.invalid"
ZONE = "Europe/Brussels"
OPENS = dt.datetime(2026, 4, 8, 0, 0, tzinfo=zoneinfo.ZoneInfo(ZONE))
CLOSES = dt.datetime(2026, 5, 31, 23, 59, tzinfo=zoneinfo.ZoneInfo(ZONE))
REVIEWS_FROM = dt.datetime(2026, 6, 2, 8, 0, tzinfo=dt.UTC)
DECISIONS_FROM = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
DECIDED_SHARE = 0.7  # of the applications reviewed at least twice
ACCEPTED_SHARE, WAITLISTED_SHARE = 0.6, 0.15  # of the decided ones, best scores first
REVIEW_COUNTS = ((0, 2), (1, 5), (2, 18), (3, 45), (4, 20), (5, 10))  # (reviews, weight)
CRITERIA = (
    ("Motivation and commitment", "Why the city wants to take part, and the time it gives.", 3),
    ("Fit with a host's experience", "How clearly its themes match what hosts can share.", 2),
    ("Capacity to replicate", "How likely the city is to turn what it learns into plans.", 2),
)
RULES = (
    ("country-eligible", {}),
    ("not-mission-pilot-twin", {}),
    ("target-year", {"year": 2050}),
    ("hours", {"minimum": 12}),
    ("representatives", {}),
)
# How often a theme is chosen (1 for the others): the popular ones of the real programme.
POPULAR = {
    "energy-systems": 3.0,
    "built-environment": 3.0,
    "mobility-transport": 2.5,
    "waste-circular-economy": 1.5,
    "green-infrastructure-nbs": 1.5,
    "governance-policy": 3.0,
    "finance-funding": 2.5,
    "technology-infrastructure": 2.0,
}
# Words of the challenges cities describe, the most frequent first (Zipf-like draws).
CHALLENGE_WORDS = """
    financing renovation heating buildings mobility emissions citizens engagement procurement
    district network housing skills staff budget monitoring data solar cycling parking transport
    public retrofit tenants landlords schools permits regulation investors subsidies loans grid
    storage charging buses freight logistics flooding heatwaves greening trees drought water
    biodiversity waste recycling construction materials industry farming forestry tourism port
    airport hospitals ownership cooperatives assembly inventory baseline indicators governance
    mandate coordination regional national ministry utilities operators contracts tariffs
""".split()  # noqa: SIM905 - a word list reads best as text
FILLERS = ("and", "of", "the", "for", "our", "in", "to", "a", "on", "as")
ROLES = ("Climate officer", "Head of urban planning", "Energy manager", "Deputy mayor")
ENGLISH = ("B2", "B2", "C1", "C1", "C2")


@dataclass(frozen=True)
class Targets:
    applications: int = APPLICATIONS
    reviews: int = REVIEWS
    hosts: int = HOSTS
    reviewers: int = REVIEWERS


def bench_call() -> Call | None:
    return Call.objects.filter(slug=CALL_SLUG).first()


def bench_applications():
    return Application.objects.filter(call__slug=CALL_SLUG)


def bench_offers():
    return HostOffer.objects.filter(call__slug=CALL_SLUG)


def bench_reviews():
    return Review.objects.filter(application__call__slug=CALL_SLUG)


def reviewer_email(number: int) -> str:
    return f"bench-reviewer-{number}@{REVIEWER_DOMAIN}"


def bench_reviewers():
    return get_user_model().objects.filter(
        email__startswith="bench-reviewer-", email__endswith=f"@{REVIEWER_DOMAIN}"
    )


# --- what a city says: themes, languages, challenges (shared with exchanges_matching.py) ----


def _weighted_sample(rng: random.Random, values: list[str], count: int) -> list[str]:
    """`count` distinct values, popular ones (`POPULAR`) more often."""
    left = list(values)
    chosen: list[str] = []
    while left and len(chosen) < count:
        pick = rng.choices(left, weights=[POPULAR.get(v, 1.0) for v in left])[0]
        chosen.append(pick)
        left.remove(pick)
    return sorted(chosen)


def themes(rng: random.Random, values: list[str], low: int, high: int) -> list[str]:
    return _weighted_sample(rng, values, rng.randint(min(low, len(values)), min(high, len(values))))


def languages(rng: random.Random, country: str) -> list[str]:
    """1–3 working languages: the country's own (one of them), English most of the time, and
    now and then a neighbour's."""
    own = [c for c in seed_events.LANGUAGES.get(country, []) if c in LANGUAGE_NAMES]
    chosen = {rng.choice(own)} if own else set()
    if not chosen or rng.random() < 0.75:
        chosen.add("en")
    if rng.random() < 0.15:
        chosen.add(rng.choice(["de", "fr", "es", "it", "pl"]))
    return sorted(chosen)


def challenge_text(rng: random.Random, low: int, high: int) -> str:
    """Sentences made of `low`–`high` challenge words (Zipf-like) and short fillers."""
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(CHALLENGE_WORDS))]
    picked = rng.choices(CHALLENGE_WORDS, weights=weights, k=rng.randint(low, high))
    sentences, words = [], []
    for word in picked:
        words += [word, rng.choice(FILLERS)]
        if len(words) >= rng.randint(6, 12):
            sentences.append(" ".join(words[:-1]).capitalize() + ".")
            words = []
    if words:
        sentences.append(" ".join(words[:-1]).capitalize() + ".")
    return " ".join(sentences)


# --- cities ----------------------------------------------------------------------------------


def _order(pk: int, seed_value: int) -> int:
    return ((pk + seed_value) * 2_654_435_761) % 2**32


def chosen_cities(targets: Targets, seed_value: int) -> tuple[list[int], list[int]]:
    """(host city ids, applicant city ids): synthetic cities in the hash order, hosts from its
    start and applicants from its end."""
    ids = sorted(
        City.objects.filter(source=City.Source.SYNTHETIC).values_list("pk", flat=True),
        key=lambda pk: (_order(pk, seed_value), pk),
    )
    if len(ids) < targets.hosts + targets.applications:
        raise RuntimeError("Not enough synthetic cities: seed the cities first (seed.py).")
    applicants = ids[::-1][: targets.applications]
    return ids[: targets.hosts], applicants


def _place_cities(host_ids: list[int], applicant_ids: list[int], seed_value: int) -> int:
    """Hosts become Pilot Cities; every chosen city without coordinates gets some near a real
    city of its country, applicants without a target year one in 2030–2050. Synthetic cities
    only. Returns how many cities changed."""
    synthetic = City.objects.filter(source=City.Source.SYNTHETIC)
    changed = (
        synthetic.filter(pk__in=host_ids)
        .exclude(status=City.Status.PILOT)
        .update(status=City.Status.PILOT)
    )
    near: dict[int, list[tuple[float, float]]] = {}
    for country_id, lat, lon in (
        City.objects.exclude(source=City.Source.SYNTHETIC)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("pk")
        .values_list("country_id", "latitude", "longitude")
    ):
        near.setdefault(country_id, []).append((lat, lon))
    applicants = set(applicant_ids)
    rows = []
    for city in synthetic.filter(pk__in=[*host_ids, *applicant_ids]).only(
        "pk", "country_id", "latitude", "longitude", "target_year"
    ):
        rng = random.Random(seed_value * 31_337 + city.pk)
        touched = False
        if city.latitude is None and near.get(city.country_id):
            lat, lon = rng.choice(near[city.country_id])
            city.latitude = round(lat + rng.uniform(-0.3, 0.3), 5)
            city.longitude = round(lon + rng.uniform(-0.3, 0.3), 5)
            touched = True
        if city.pk in applicants and city.target_year is None:
            city.target_year = rng.randint(2030, 2050)
            touched = True
        if touched:
            rows.append(city)
    City.objects.bulk_update(rows, ["latitude", "longitude", "target_year"], batch_size=BATCH)
    return changed + len(rows)


def _leads(city_ids: list[int]) -> dict[int, int]:
    """The first synthetic lead of each city that has one."""
    found: dict[int, int] = {}
    for city_id, user_id in (
        Membership.objects.leads()
        .filter(city_id__in=city_ids, user__in=base.bench_users())
        .order_by("city_id", "user_id")
        .values_list("city_id", "user_id")
    ):
        found.setdefault(city_id, user_id)
    return found


# --- the call and its reviewers --------------------------------------------------------------


def seed_people(targets: Targets) -> int:
    """The coordinator (when missing) and the invited reviewers, who belong to no city."""
    added = seed_assessment.seed_coordinator()
    User = get_user_model()
    existing = set(bench_reviewers().values_list("email", flat=True))
    for number in range(1, targets.reviewers + 1):
        email = reviewer_email(number)
        if email not in existing:
            user = User(email=email, name=f"Synthetic reviewer {number}", is_active=True)
            user.set_unusable_password()  # nobody signs in as them
            user.save()
            added += 1
    return added


def seed_call(targets: Targets) -> int:
    """The call, through `services.save_call` (rules, standard questions, criteria, invited
    reviewers); an existing call gets the reviewers it lacks."""
    reviewers = list(bench_reviewers().order_by("email")[: targets.reviewers])
    call = bench_call()
    if call is not None:
        if set(call.reviewers.all()) != set(reviewers):
            call.reviewers.set(reviewers)
        return 0
    call = Call(
        slug=CALL_SLUG,
        title="Twinning learning programme 2026 (benchmark)",
        kind=Call.Kind.TWINNING_PROGRAMME,
        summary="Synthetic benchmark call: cities learn for a year alongside a Mission or Pilot "
        "City, on the fields and levers they choose.",
        information="## What the programme is\n\n"
        + seed_events._sentences(random.Random(1), 80)
        + "\n\n## Who may apply\n\n"
        + seed_events._sentences(random.Random(2), 50)
        + "\n\n## Timeline\n\n1. Applications: 8 April – 31 May 2026.\n"
        "2. Review and decisions: June 2026.\n3. Pairs published in July.\n",
        opens_at=OPENS,
        closes_at=CLOSES,
        time_zone=ZONE,
        status=Call.Status.PUBLISHED,
    )
    services.save_call(
        call,
        actor=seed_assessment.coordinator(),
        rules=[EligibilityRule(kind=kind, **values) for kind, values in RULES],
        questions=standard_questions([]),
        criteria=[
            ReviewCriterion(title=title, description=text, weight=weight)
            for title, text, weight in CRITERIA
        ],
        reviewers=reviewers,
    )
    return 1


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
        for f, (now, add) in zip(found, saved, strict=True):
            f.auto_now, f.auto_now_add = now, add


def _terms() -> dict[str, dict[str, int]]:
    """{kind: {slug: id}} of the fields of action and levers of change."""
    found: dict[str, dict[str, int]] = {"field": {}, "lever": {}}
    for kind, slug, pk in Term.objects.filter(kind__in=["field", "lever"]).values_list(
        "kind", "slug", "pk"
    ):
        found[kind][slug] = pk
    return found


def _country_codes(city_ids: list[int]) -> dict[int, str]:
    return dict(City.objects.filter(pk__in=city_ids).values_list("pk", "country__code"))


# --- hosts -----------------------------------------------------------------------------------


def seed_offers(call: Call, host_ids: list[int], seed_value: int) -> int:
    """The missing host offers of the host cities (numbered in the hash order)."""
    have = set(bench_offers().values_list("city_id", flat=True))
    missing = [(n, pk) for n, pk in enumerate(host_ids, start=1) if pk not in have]
    if not missing:
        return 0
    terms = _terms()
    codes = _country_codes([pk for _n, pk in missing])
    leads = _leads([pk for _n, pk in missing])
    offers, picks = [], []
    for number, city_id in missing:
        rng = random.Random(seed_value * 7_777 + number)
        offers.append(
            HostOffer(
                call=call,
                city_id=city_id,
                capacity=rng.randint(*CAPACITY),
                languages=languages(rng, codes[city_id]),
                challenges=challenge_text(rng, 15, 35),
                visit_dates=f"Two days in {rng.choice(['September', 'October', 'November'])} "
                "2026, on weekdays.",
                created_by_id=leads.get(city_id),
            )
        )
        picks.append(
            (
                themes(rng, sorted(terms["field"]), 2, 5),
                themes(rng, sorted(terms["lever"]), 2, 4),
            )
        )
    offers = HostOffer.objects.bulk_create(offers, batch_size=BATCH)
    _write_themes(HostOffer, "hostoffer_id", offers, picks, terms)
    return len(offers)


def _write_themes(model, column: str, rows, picks, terms) -> None:
    Fields, Levers = model.fields.through, model.levers.through
    field_rows, lever_rows = [], []
    for row, (fields, levers) in zip(rows, picks, strict=True):
        if row.pk is None:
            raise RuntimeError("bulk_create returned no ids: the backend cannot seed this")
        field_rows += [Fields(**{column: row.pk, "term_id": terms["field"][s]}) for s in fields]
        lever_rows += [Levers(**{column: row.pk, "term_id": terms["lever"][s]}) for s in levers]
    Fields.objects.bulk_create(field_rows, batch_size=BATCH)
    Levers.objects.bulk_create(lever_rows, batch_size=BATCH)


# --- applications ----------------------------------------------------------------------------


def _submitted_at(rng: random.Random) -> dt.datetime:
    """In the window, more often near the deadline."""
    span = (CLOSES - OPENS).total_seconds()
    moment = OPENS + dt.timedelta(seconds=span * rng.betavariate(2.2, 1.0))
    return min(moment, CLOSES - dt.timedelta(minutes=1)).astimezone(dt.UTC)


def _answers(
    rng: random.Random, number: int, country: str, terms: dict[str, dict[str, int]]
) -> dict[str, Any]:
    """The answers by question kind, as `services._clean_answer` stores them."""
    people = []
    for index in range(rng.choice([1, 1, 2])):
        people.append(
            {
                "name": f"Synthetic representative {number:05d}-{index + 1}",
                "role": rng.choice(ROLES),
                "english": rng.choice(ENGLISH),
            }
        )
    return {
        Question.Kind.MOTIVATION: seed_events._sentences(rng, rng.randint(60, 140)),
        Question.Kind.FIELDS: themes(rng, sorted(terms["field"]), 1, 4),
        Question.Kind.LEVERS: themes(rng, sorted(terms["lever"]), 1, 3),
        Question.Kind.CHALLENGES: challenge_text(rng, 8, 20),
        Question.Kind.LANGUAGES: languages(rng, country),
        Question.Kind.REPRESENTATIVES: people,
        Question.Kind.HOURS: rng.choice([12, 12, 16, 16, 20, 24, 30, 40]),
    }


def seed_applications(call: Call, applicant_ids: list[int], seed_value: int) -> int:
    """The missing applications of the applicant cities, submitted (decisions come with the
    reviews)."""
    have = set(bench_applications().values_list("city_id", flat=True))
    missing = [(n, pk) for n, pk in enumerate(applicant_ids, start=1) if pk not in have]
    if not missing:
        return 0
    terms = _terms()
    question_of = {q.kind: q.pk for q in call.questions.all()}
    codes = _country_codes([pk for _n, pk in missing])
    leads = _leads([pk for _n, pk in missing])
    applications, picks = [], []
    for number, city_id in missing:
        rng = random.Random(seed_value * 104_723 + number)
        given = _answers(rng, number, codes[city_id], terms)
        submitted = _submitted_at(rng)
        started = max(OPENS, submitted - dt.timedelta(days=rng.randint(1, 20)))
        applications.append(
            Application(
                call=call,
                city_id=city_id,
                status=Application.Status.SUBMITTED,
                answers={str(question_of[k]): v for k, v in given.items() if k in question_of},
                languages=given[Question.Kind.LANGUAGES],
                challenges=given[Question.Kind.CHALLENGES],
                hours_per_month=given[Question.Kind.HOURS],
                representatives=given[Question.Kind.REPRESENTATIVES],
                created_by_id=leads.get(city_id),
                created=started,
                updated=submitted,
                submitted_at=submitted,
            )
        )
        picks.append((given[Question.Kind.FIELDS], given[Question.Kind.LEVERS]))
    with _dated(Application, "created", "updated"):
        applications = Application.objects.bulk_create(applications, batch_size=BATCH)
    _write_themes(Application, "application_id", applications, picks, terms)
    return len(applications)


# --- reviews and decisions -------------------------------------------------------------------


def review_counts(rng: random.Random, applications: int, total: int, most: int) -> list[int]:
    """Reviews per application (0–`most`, 3 on average), adding up to `total` (or to what
    `applications` × `most` allows)."""
    values = [c for c, _w in REVIEW_COUNTS if c <= most]
    weights = [w for c, w in REVIEW_COUNTS if c <= most]
    counts = rng.choices(values, weights=weights, k=applications)
    total = min(total, applications * most)
    while sum(counts) > total:
        i = rng.randrange(applications)
        if counts[i] > 0:
            counts[i] -= 1
    while sum(counts) < total:
        i = rng.randrange(applications)
        if counts[i] < most:
            counts[i] += 1
    return counts


def weighted(scores: dict[str, int], weights: dict[str, int]) -> float | None:
    """One review's Σ weight × score / Σ weight (`services.weighted_score`, per review)."""
    scored = {k: v for k, v in scores.items() if k in weights}
    weight = sum(weights[k] for k in scored)
    return sum(weights[k] * v for k, v in scored.items()) / weight if weight else None


def seed_reviews(call: Call, targets: Targets, seed_value: int) -> dict[str, int]:
    """Every application's reviews and the decisions, written again."""
    bench_reviews().delete()
    reviewers = [seed_assessment.coordinator().pk] + list(
        bench_reviewers().order_by("email").values_list("pk", flat=True)[: targets.reviewers]
    )
    criteria = {str(c.pk): c.weight for c in call.criteria.all()}
    rows = list(bench_applications().order_by("submitted_at", "pk").values_list("pk", flat=True))
    rng = random.Random(seed_value * 65_537)
    counts = review_counts(rng, len(rows), targets.reviews, len(reviewers))
    reviews, means = [], {}
    for application_id, count in zip(rows, counts, strict=True):
        rng = random.Random(seed_value * 2_147_483 + application_id)
        quality = rng.uniform(0.5, 4.8)
        given = []
        for index, reviewer_id in enumerate(sorted(rng.sample(reviewers, count))):
            scores = {
                key: max(0, min(5, round(quality + rng.gauss(0, 0.8))))
                for key in criteria
                if rng.random() > 0.05  # now and then a criterion is left out
            }
            when = REVIEWS_FROM + dt.timedelta(hours=rng.uniform(0, 24 * 25) + index)
            reviews.append(
                Review(
                    application_id=application_id,
                    reviewer_id=reviewer_id,
                    scores=scores,
                    comment=seed_events._sentences(rng, rng.randint(10, 40))
                    if rng.random() < 0.7
                    else "",
                    created=when,
                    updated=when,
                )
            )
            if (value := weighted(scores, criteria)) is not None:
                given.append(value)
        if len(given) >= 2:
            means[application_id] = sum(given) / len(given)
    with _dated(Review, "created", "updated"):
        Review.objects.bulk_create(reviews, batch_size=BATCH)
    return {"reviews": len(reviews)} | decide(means, seed_value)


def decide(means: dict[int, float], seed_value: int) -> dict[str, int]:
    """Decisions on `DECIDED_SHARE` of the applications reviewed at least twice (`means`: their
    weighted score), best first: accepted, waitlisted, rejected; the others stay submitted."""
    rng = random.Random(seed_value * 9_973)
    candidates = sorted(means)
    decided = rng.sample(candidates, round(DECIDED_SHARE * len(candidates)))
    decided.sort(key=lambda pk: (-means[pk], pk))
    accepted = round(ACCEPTED_SHARE * len(decided))
    waitlisted = round(WAITLISTED_SHARE * len(decided))
    status_of = {}
    for index, pk in enumerate(decided):
        status_of[pk] = (
            Application.Status.ACCEPTED
            if index < accepted
            else Application.Status.WAITLISTED
            if index < accepted + waitlisted
            else Application.Status.REJECTED
        )
    rows = list(bench_applications().only("pk", "status", "decided_at", "updated"))
    for application in rows:
        application.status = status_of.get(application.pk, Application.Status.SUBMITTED)
        if application.pk in status_of:
            when = DECISIONS_FROM + dt.timedelta(hours=rng.uniform(0, 24 * 14))
            application.decided_at = application.updated = when
        else:
            application.decided_at = None
    Application.objects.bulk_update(rows, ["status", "decided_at", "updated"], batch_size=BATCH)
    counted = dict.fromkeys(("accepted", "waitlisted", "rejected"), 0)
    for status in status_of.values():
        counted[str(status)] += 1
    return counted


# --- all of it -------------------------------------------------------------------------------


def seed(
    targets: Targets | None = None, *, seed_value: int = 2050, log: Callable[..., None] = print
) -> dict[str, Any]:
    """Top the call, its offers, applications and reviews up to their targets; returns what
    was added and the timings."""
    targets = targets or Targets()
    report: dict[str, Any] = {}
    started = time.monotonic()
    with transaction.atomic():
        hosts, applicants = chosen_cities(targets, seed_value)
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("people", lambda: seed_people(targets)),
            ("call", lambda: seed_call(targets)),
            ("cities", lambda: _place_cities(hosts, applicants, seed_value)),
            ("offers", lambda: seed_offers(bench_call(), hosts, seed_value)),
            ("applications", lambda: seed_applications(bench_call(), applicants, seed_value)),
        ]
        base.run_steps(steps, report, label="exchanges", log=log)
        if report["applications"] or bench_reviews().count() != targets.reviews:
            step_started = time.monotonic()
            report |= seed_reviews(bench_call(), targets, seed_value)
            report["reviews_s"] = round(time.monotonic() - step_started, 2)
            log(f"  seeded exchanges reviews and decisions in {report['reviews_s']:.1f}s")
    if any(v for k, v in report.items() if not k.endswith("_s")):
        report["seed_s"] = round(time.monotonic() - started, 2)
        if connection.vendor == "postgresql":
            analyze_started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            report["analyze_s"] = round(time.monotonic() - analyze_started, 2)
            vacuum(*VACUUMED)
    return report


# The tables whose rows seeding updates (decisions, the chosen cities): dead row versions to
# clear, as autovacuum would (it may be off on a benchmark's server).
VACUUMED = ("exchanges_application", "cities_city")


def vacuum(*tables: str) -> None:
    """`VACUUM (ANALYZE)` of `tables` on PostgreSQL, outside a transaction (else nothing)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")


def facts() -> dict[str, Any]:
    """What the bench call holds (for the report)."""
    from django.db.models import Count, Sum

    call = bench_call()
    statuses = dict(bench_applications().values_list("status").annotate(n=Count("id")).order_by())
    offers = bench_offers()
    return {
        "call": call.slug if call else None,
        "applications": sum(statuses.values()),
        "applications_by_status": statuses,
        "reviews": bench_reviews().count(),
        "reviewers": bench_reviews().values("reviewer_id").distinct().count(),
        "host_offers": offers.count(),
        "places": offers.aggregate(n=Sum("capacity"))["n"] or 0,
        "matching_weights": dict(call.match_weights) if call else {},
    }

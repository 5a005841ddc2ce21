"""Synthetic survey data for the benchmark: one survey of 60 questions and 10,000 submitted
responses (about 600,000 answers).

- **The survey** `bench-needs-survey`, built through the builder's services as a coordinator
  would (the synthetic coordinator, `seed_assessment.seed_coordinator`): six sections of ten
  questions, a mix of every kind — 14 single choice (2 with "Other"), 10 multiple choice (2
  with "Other"), 10 Likert scales, 4 matrices (over the 7 fields of action, over the 6 levers,
  two of 5 rows), 5 numbers, 4 short and 4 long texts, 3 rankings of 5, 3 pickers of fields and
  3 of levers; a few required, three shown only after a particular answer. Published, open from
  60 days before seeding until 60 days after, one response per city, open to the cities of
  every status (the bench directory is mostly "not yet participating").
- **10,000 submitted responses** of as many cities, chosen across the whole directory by a hash
  of their id (`seed_assessment.order_key`), with the groups the analytics filter on taken from
  the city as `services._groups` would (country, population band, status) and the readiness
  stage of the city's latest self-assessment; where the city has none (the assessment data is
  seeded only for the assessment pages), a stage drawn at random (10 % left empty), so that the
  stage filter has a spread. Submitted over the 60 days.
- **Answers** to every question shown (conditions respected: a conditional question is
  answered only when its condition's option was chosen), values within the question's range,
  choices within `max_choices`, "Other" texts on 4 %, full or top-3 rankings, texts from a pool
  of 3,000 made of a word list (so that the frequent words mean something). Selections (chosen
  options, matrix values, ranks) about 90 per response.

Responses are written with `bulk_create`; answers and selections with PostgreSQL's `COPY`
(`executemany` on SQLite). One `random.Random(seed)` for the whole data set. Seeding is
idempotent: nothing is written when the survey has the target number of submitted responses;
otherwise its responses are deleted and written again. Then `VACUUM (ANALYZE)` of the survey
tables on PostgreSQL, and the survey's responses version is bumped (no stale analytics).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import seed as base
import seed_assessment
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from netzerohub.assessment import authoring as assessment_authoring
from netzerohub.assessment.models import Assessment
from netzerohub.cities.models import City
from netzerohub.cities.population import band_of
from netzerohub.core import versions
from netzerohub.core.models import Term
from netzerohub.surveys import answering, services
from netzerohub.surveys.filters import stage_choices
from netzerohub.surveys.models import (
    Answer,
    Option,
    Question,
    Response,
    Section,
    Selection,
    Survey,
)

SLUG = "bench-needs-survey"
RESPONSES = 10_000
BATCH = 2_000  # responses per batch (their answers and selections are written after each)
SPAN_DAYS = 60
OTHER_SHARE = 0.04
NO_STAGE_SHARE = 0.10
WORDS = """
    support funding energy buildings heat mobility transport data monitoring residents
    engagement citizens finance investment plan procurement skills training staff team
    council district renovation cycling buses charging solar insulation waste recycling
    nature trees water adaptation targets baseline emissions inventory partners companies
    schools housing guidance exchange peers visits twinning helpdesk workshops experts
    regional national budget capacity time coordination departments contract mandate
""".split()  # noqa: SIM905 - a word list reads best as text
FIVE = ["Very low", "Low", "Medium", "High", "Very high"]


@dataclass(frozen=True)
class Targets:
    responses: int = RESPONSES


def bench_survey() -> Survey | None:
    return Survey.objects.filter(slug=SLUG).first()


def bench_responses():
    return Response.objects.filter(survey__slug=SLUG)


# --- the survey --------------------------------------------------------------------------------


def _plan() -> list[list[tuple[str, str, dict[str, Any]]]]:
    """Six sections of ten (kind, text, fields) each; `options` as labels, `when` as (index of an
    earlier question in all, [option labels])."""
    choices = ["Not at all", "A little", "Somewhat", "Much", "Very much"]
    sections: list[list[tuple[str, str, dict[str, Any]]]] = [[] for _ in range(6)]
    order = (
        ["single"] * 14 + ["multiple"] * 10 + ["likert"] * 10 + ["matrix"] * 4 + ["number"] * 5
        + ["short_text"] * 4 + ["long_text"] * 4 + ["ranking"] * 3 + ["fields"] * 3
        + ["levers"] * 3
    )  # fmt: skip
    rng = random.Random(60)
    rng.shuffle(order)
    # the first question of the first section is a single choice the conditions hang on
    order.remove("single")
    order.insert(0, "single")
    matrices = iter(["fields", "levers", "five", "five"])
    counts: dict[str, int] = {}
    for index, kind in enumerate(order):
        counts[kind] = counts.get(kind, 0) + 1
        n = counts[kind]
        fields: dict[str, Any] = {"required": index % 9 == 0}
        text = f"Bench question {index + 1}: {kind.replace('_', ' ')} {n}?"
        if kind == "single":
            fields["options"] = (
                ["Yes", "Partly", "No"] if index == 0 else [f"Answer {c}" for c in "ABCDE"]
            )
            fields["allow_other"] = n in (3, 7)
        elif kind == "multiple":
            fields["options"] = [f"Choice {c}" for c in "ABCDEFG"]
            fields["allow_other"] = n in (2, 6)
            fields["max_choices"] = 4 if n % 3 == 0 else None
        elif kind in ("likert",):
            fields |= {"scale_min": 1, "scale_max": 5 if n % 4 else 7}
        elif kind == "matrix":
            fields |= {"scale_min": 1, "scale_max": 5, "options": next(matrices)}
            if fields["options"] == "five":
                fields["options"] = choices
        elif kind == "number":
            fields |= {"number_min": 0, "number_max": 1000 * n}
        elif kind == "ranking":
            fields["options"] = [f"Item {c}" for c in "VWXYZ"]
        elif kind in ("fields", "levers"):
            fields["max_choices"] = 3 if n == 1 else None
        if kind not in ("single",) and n == 2 and kind in ("long_text", "number", "multiple"):
            fields["when"] = (0, ["Yes", "Partly"])
        sections[index // 10].append((kind, text, fields))
    return sections


def seed_survey(coordinator: Any, now: dt.datetime) -> int:
    """The bench survey, built through the services when missing."""
    if bench_survey() is not None:
        return 0
    assessment_authoring.load_default()  # the readiness stages the stage filter offers
    survey = services.save_survey(
        Survey(
            title="Bench needs-assessment survey",
            slug=SLUG,
            introduction="Synthetic survey of the benchmark.",
            opens_at=now - dt.timedelta(days=SPAN_DAYS),
            closes_at=now + dt.timedelta(days=SPAN_DAYS),
            time_zone="Europe/Brussels",
            audience=Survey.Audience.STATUSES,
            city_statuses=[value for value, _label in City.Status.choices],
            respondent=Survey.Respondent.CITY,
        ),
        actor=coordinator,
    )
    terms = {
        kind: list(
            Term.objects.filter(kind=kind).order_by("position").values_list("name", flat=True)
        )
        for kind in ("field", "lever")
    }
    made: list[Question] = []
    for number, questions in enumerate(_plan(), start=1):
        section = services.save_section(
            Section(survey=survey, title=f"Bench section {number}", position=number),
            actor=coordinator,
        )
        for position, (kind, text, fields) in enumerate(questions, start=1):
            fields = dict(fields)
            options = fields.pop("options", None)
            if options in ("fields", "levers"):
                options = terms["field" if options == "fields" else "lever"]
            condition = None
            if "when" in fields:
                on, labels = fields.pop("when")
                fields["condition_question"] = made[on]
                condition = list(Option.objects.filter(question=made[on], label__in=labels))
            made.append(
                services.save_question(
                    Question(
                        survey=survey,
                        section=section,
                        key=f"q{len(made) + 1:02d}",
                        kind=kind,
                        text=text,
                        position=position,
                        **fields,
                    ),
                    actor=coordinator,
                    options=options,
                    condition_options=condition,
                )
            )
    services.set_published(survey, True, actor=coordinator)
    return 1


# --- responses ---------------------------------------------------------------------------------


def _texts(rng: random.Random, count: int = 3_000) -> list[str]:
    pool = []
    for _ in range(count):
        sentences = []
        for _s in range(rng.randint(1, 4)):
            words = rng.choices(WORDS, k=rng.randint(5, 14))
            sentences.append(" ".join(words).capitalize() + ".")
        pool.append(" ".join(sentences))
    return pool


def _respondents(count: int, seed_value: int) -> list[tuple[int, int, int | None, str]]:
    """(id, country id, population, status) of `count` cities spread over the directory."""
    cities = list(City.objects.values_list("pk", "country_id", "population", "status"))
    cities.sort(key=lambda c: seed_assessment.order_key(c[0], seed_value))
    if len(cities) < count:
        raise RuntimeError(f"{count:,} responses need as many cities; there are {len(cities):,}.")
    return cities[:count]


def _value(question: Question, rng: random.Random, pool: list[str]) -> tuple[Any, str, dict]:
    """(number, text, {option id: value}) of one generated answer."""
    options = [o.pk for o in question.options.all()]
    kind = question.kind
    if kind == "single":
        if question.allow_other and rng.random() < OTHER_SHARE:
            return None, rng.choice(pool)[:120], {}
        return None, "", {rng.choice(options): None}
    if kind in ("multiple", "fields", "levers"):
        most = min(question.max_choices or 4, len(options))
        picked = rng.sample(options, rng.randint(1, most))
        text = ""
        if question.allow_other and len(picked) < most and rng.random() < OTHER_SHARE:
            text = rng.choice(pool)[:120]
        return None, text, dict.fromkeys(picked)
    if kind == "likert":
        return Decimal(rng.randint(question.scale_min, question.scale_max)), "", {}
    if kind == "matrix":
        return None, "", {pk: rng.randint(question.scale_min, question.scale_max) for pk in options}
    if kind == "ranking":
        size = 3 if rng.random() < 0.3 else len(options)
        return None, "", {pk: rank for rank, pk in enumerate(rng.sample(options, size), start=1)}
    if kind == "number":
        high = int(question.number_max or 1000)
        return Decimal(rng.randint(0, high)), "", {}
    text = rng.choice(pool)
    return None, text[: question.text_limit], {}


ANSWER_COLUMNS = (
    "survey_id", "response_id", "question_id", "number", "text", "answered_by_id", "answered_at",
)  # fmt: skip
SELECTION_COLUMNS = ("survey_id", "response_id", "question_id", "option_id", "value")


def _copy(model: type, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows: PostgreSQL's COPY, else `executemany`."""
    names = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    if sorted(names) != sorted(columns):
        raise RuntimeError(f"{model.__name__}'s columns changed ({names}): update seed_surveys")
    table = connection.ops.quote_name(model._meta.db_table)
    joined = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({joined}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        marks = ", ".join(["%s"] * len(columns))
        fixed = [tuple(adapt(v) if isinstance(v, dt.datetime) else v for v in row) for row in rows]
        cursor.executemany(f"INSERT INTO {table} ({joined}) VALUES ({marks})", fixed)  # noqa: S608 - names from the model


def delete_responses(survey: Survey) -> int:
    Selection.objects.filter(survey=survey)._raw_delete(connection.alias)
    Answer.objects.filter(survey=survey)._raw_delete(connection.alias)
    return Response.objects.filter(survey=survey)._raw_delete(connection.alias)


@transaction.atomic
def seed_responses(
    targets: Targets, seed_value: int, log: Callable[..., None], rebuild: bool = False
) -> dict[str, int]:
    survey = bench_survey()
    existing = bench_responses().filter(status=Response.Status.SUBMITTED).count()
    if existing == targets.responses and not rebuild:
        return {"responses": 0, "answers": 0, "selections": 0}
    deleted = delete_responses(survey) if bench_responses().exists() else 0
    started = time.monotonic()
    rng = random.Random(seed_value)
    pool = _texts(rng)
    structure = answering.structure(survey.pk)
    questions = answering.asked(structure)
    stages = [key for key, _label in stage_choices()]
    assessed = dict(
        Assessment.objects.latest_results()
        .filter(stage__isnull=False)
        .values_list("city_id", "stage__key")
    )
    cities = _respondents(targets.responses, seed_value)
    now = timezone.now()
    span = (now - survey.opens_at).total_seconds()
    written = answers = selections = 0
    for start in range(0, len(cities), BATCH):
        rows, moments = [], []
        for city_id, country_id, population, status in cities[start : start + BATCH]:
            submitted = survey.opens_at + dt.timedelta(seconds=rng.uniform(0.01, 0.99) * span)
            began = max(survey.opens_at, submitted - dt.timedelta(minutes=rng.randint(10, 7200)))
            stage = assessed.get(city_id)
            if stage is None and stages and rng.random() > NO_STAGE_SHARE:
                stage = rng.choice(stages)
            rows.append(
                Response(
                    survey=survey,
                    owner=f"city:{city_id}",
                    city_id=city_id,
                    status=Response.Status.SUBMITTED,
                    submitted_at=submitted,
                    country_id=country_id,
                    population_band=band_of(population),
                    city_status=status,
                    readiness_stage=stage or "",
                )
            )
            moments.append((began, submitted))
        made = Response.objects.bulk_create(rows)
        if any(r.pk is None for r in made):
            raise RuntimeError("bulk_create returned no ids: the backend cannot seed this")
        for response, (began, submitted) in zip(made, moments, strict=True):
            response.started, response.updated = began, submitted
        Response.objects.bulk_update(made, ["started", "updated"], batch_size=BATCH)
        answer_rows, selection_rows = [], []
        for response, (_began, submitted) in zip(made, moments, strict=True):
            chosen: dict[int, set[int]] = {}
            for question in questions:
                if question.condition_question_id is not None:
                    wanted = {o.pk for o in question.condition_options.all()}
                    if not wanted & chosen.get(question.condition_question_id, set()):
                        continue
                number, text, options = _value(question, rng, pool)
                chosen[question.pk] = set(options)
                answer_rows.append(
                    (survey.pk, response.pk, question.pk, number, text, None, submitted)
                )
                selection_rows.extend(
                    (survey.pk, response.pk, question.pk, option_id, value)
                    for option_id, value in options.items()
                )
        _copy(Answer, ANSWER_COLUMNS, answer_rows)
        _copy(Selection, SELECTION_COLUMNS, selection_rows)
        written += len(made)
        answers += len(answer_rows)
        selections += len(selection_rows)
        log(
            f"    {written:,} responses, {answers:,} answers, {selections:,} selections "
            f"({time.monotonic() - started:.0f}s)"
        )
    return {
        "responses": written,
        "answers": answers,
        "selections": selections,
        "responses_deleted": deleted,
    }


# --- all of it ---------------------------------------------------------------------------------


def seed(
    targets: Targets | None = None,
    *,
    seed_value: int = 2050,
    log: Callable[..., None] = print,
    rebuild: bool = False,
) -> dict[str, Any]:
    """The bench survey and its responses (written again when their number differs from the
    target, or `rebuild`); returns what was added and the timings."""
    targets = targets or Targets()
    report: dict[str, Any] = {}
    started = time.monotonic()
    with transaction.atomic():
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("coordinator", seed_assessment.seed_coordinator),
            ("survey", lambda: seed_survey(seed_assessment.coordinator(), timezone.now())),
            ("responses", lambda: seed_responses(targets, seed_value, log, rebuild)),
        ]
        base.run_steps(steps, report, label="surveys", log=log)
    if any(v for k, v in report.items() if not k.endswith("_s")):
        report["seed_s"] = round(time.monotonic() - started, 2)
        if connection.vendor == "postgresql":
            analyze_started = time.monotonic()
            vacuum(full=bool(report.get("responses_deleted")))
            report["analyze_s"] = round(time.monotonic() - analyze_started, 2)
    if report.get("responses"):
        versions.bump(services.responses_version(bench_survey().pk))
    return report


TABLES = ("surveys_response", "surveys_answer", "surveys_selection")


def vacuum(*, full: bool = False) -> None:
    """On PostgreSQL: `VACUUM (ANALYZE)` the survey tables (`FULL` after a deletion: this
    PostgreSQL runs without autovacuum); inside a transaction (tests) only `ANALYZE`."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:
            options = "FULL, ANALYZE" if full else "ANALYZE"
            cursor.execute(f"VACUUM ({options}) {', '.join(TABLES)}")
        else:
            cursor.execute(f"ANALYZE {', '.join(TABLES)}")


# --- for the report and the pages --------------------------------------------------------------


def facts() -> dict[str, Any]:
    survey = bench_survey()
    if survey is None:
        return {}
    responses = Response.objects.filter(survey=survey)
    kinds = dict(
        Question.objects.filter(survey=survey)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )

    def spread(field: str) -> int:
        return responses.exclude(**{field: ""}).values(field).distinct().count()

    return {
        "survey": survey.slug,
        "questions": sum(kinds.values()),
        "questions_by_kind": kinds,
        "conditional_questions": Question.objects.filter(
            survey=survey, condition_question__isnull=False
        ).count(),
        "submitted_responses": responses.filter(status=Response.Status.SUBMITTED).count(),
        "answers": Answer.objects.filter(survey=survey).count(),
        "selections": Selection.objects.filter(survey=survey).count(),
        "countries": responses.values("country_id").distinct().count(),
        "bands": spread("population_band"),
        "statuses": spread("city_status"),
        "stages": spread("readiness_stage"),
    }


def busiest_country() -> str:
    """The code of the country with most responses (the filtered analytics page)."""
    found = (
        bench_responses()
        .values_list("country__code")
        .annotate(n=Count("id"))
        .order_by("-n", "country__code")
        .values_list("country__code", flat=True)
        .first()
    )
    return found or "DE"

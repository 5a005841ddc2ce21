"""The numbers of a survey's submitted responses, for the coordinators' analytics page and for
whatever turns a result into an activity (`top_options`).

Per question (hidden ones too): counts and percentages per option, the "other" texts, means and
distributions of scales and matrix rows, count / mean / median / min / max of numbers, mean rank
and first places of a ranking, frequent words and recent answers of texts. The counting is done
in the database by a handful of GROUP BY queries over the survey's `Selection` and `Answer` rows
(both carry `survey_id`), never one query per question, so the page costs the same few queries
whether the survey has 6 questions or 60 and 10 or 10,000 responses.

Only submitted responses count. Percentages of a question are of the responses that answered it
(a multiple choice adds up to more than 100 %). Everything is cached per survey, responses
version (bumped by every submission and every change of the builder) and filters.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q

from netzerohub.cities.models import City, Country
from netzerohub.core import versions

from . import answering, services
from .filters import DIMENSIONS, ResponseFilter, dimension_labels
from .models import Answer, Question, Response, Selection, Survey
from .policies import REGISTERED_STATUSES

SECONDS = 3600  # the numbers change only with a submission, which changes the cache key
RATE_SECONDS = 600  # the response rate also reads the city directory, which is not versioned
TOP_WORDS = 15
RECENT_ANSWERS = 5
# Frequent words are counted in the answers of the latest submitted responses only: splitting
# every text of 10,000 long answers costs seconds; this many give the top words in bounded time.
WORDS_SAMPLE = 1000
OTHER_TEXTS = 20
HEAT_LEVELS = 5  # shading classes heat-1 … heat-5 (heat-0 for none)

# A small English stop-word list: what is left of a text answer is what it is about.
_STOP_WORDS = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing don down during each etc few for
    from further get got had has have having he her here hers herself him himself his how i if in
    into is it its itself just let me more most much must my myself need no nor not now of off on
    once only or other our ours ourselves out over own per same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until
    up us very via was we were what when where which while who whom why will with within without
    would yes you your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
WORD = re.compile(r"[^\W\d_]+")  # letters only (any script), as PostgreSQL's [[:alpha:]]+


# --- results ------------------------------------------------------------------------------------


@dataclass
class Row:
    """An option's line: how many chose it (choices), rated it (a matrix row) or ranked it."""

    option_id: int | None  # None for "Other"
    label: str
    count: int = 0
    percent: float = 0.0  # of the question's answers; for a ranking: of them that put it first
    mean: Decimal | None = None  # a matrix row's mean value, a ranked option's mean rank
    first: int = 0  # ranking: how many put it first
    distribution: list[tuple[int, int]] = field(default_factory=list)  # matrix: (value, count)


@dataclass
class QuestionStats:
    question_id: int
    kind: str
    answered: int = 0
    rows: list[Row] = field(default_factory=list)
    others: list[tuple[str, int]] = field(default_factory=list)  # "other" texts, most frequent
    scale: list[tuple[int, int, float]] = field(default_factory=list)  # likert: (value, n, %)
    mean: Decimal | None = None
    median: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    words: list[tuple[str, int]] = field(default_factory=list)
    recent: list[str] = field(default_factory=list)

    def row(self, option_id: int | None) -> Row | None:
        return next((r for r in self.rows if r.option_id == option_id), None)

    @property
    def chart(self) -> dict[str, Any] | None:
        """What the bar chart draws (the table shows the same numbers): counts per option,
        per scale value or per word; means per matrix row; first places per ranked option."""
        if self.kind == Question.Kind.MATRIX:
            pairs = [(r.label, float(r.mean) if r.mean is not None else 0) for r in self.rows]
            measure = "mean"
        elif self.kind == Question.Kind.RANKING:
            pairs = [(r.label, r.first) for r in self.rows]
            measure = "first"
        elif self.kind == Question.Kind.LIKERT:
            pairs = [(str(value), n) for value, n, _percent in self.scale]
            measure = "count"
        elif self.rows:
            pairs = [(r.label, r.count) for r in self.rows]
            measure = "count"
        elif self.words:
            pairs = list(self.words)
            measure = "count"
        else:
            return None
        if not pairs:
            return None
        return {
            "labels": [p[0] for p in pairs],
            "values": [p[1] for p in pairs],
            "measure": measure,
        }


@dataclass
class Analytics:
    survey_id: int
    submitted: int
    in_progress: int
    questions: dict[int, QuestionStats]


def _lookups(filters: ResponseFilter | Mapping[str, str] | None) -> dict[str, str]:
    """Response lookups from a filter form (its valid filters) or a mapping of lookups."""
    if filters is None:
        return {}
    if isinstance(filters, ResponseFilter):
        return filters.lookups()
    return dict(filters)


def _version(survey_id: int) -> str:
    return versions.current(services.responses_version(survey_id))


def cache_key(what: str, survey_id: int, *parts: Any) -> str:
    """A cache key under the survey's responses version; `parts` (filters…) hashed."""
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    return f"surveys:analytics:{what}:{survey_id}:{_version(survey_id)}:{digest}"


def submitted(survey_id: int, lookups: Mapping[str, str]):
    return Response.objects.filter(survey_id=survey_id, status=Response.Status.SUBMITTED).filter(
        **lookups
    )


def _of_submitted(survey_id: int, lookups: Mapping[str, str]) -> dict[str, Any]:
    """Lookups of Answer and Selection rows of the survey's submitted (and filtered) responses."""
    return {
        "survey_id": survey_id,
        "response__status": Response.Status.SUBMITTED,
        **{f"response__{name}": value for name, value in lookups.items()},
    }


def _responses_sql(survey_id: int, lookups: Mapping[str, str]) -> tuple[str, tuple]:
    """`SELECT id FROM …` of the submitted, filtered responses: a subquery for raw SQL."""
    sql, params = submitted(survey_id, lookups).order_by().values("id").query.sql_with_params()
    return sql, tuple(params)


def _decimal(value: Any, places: str = "0.01") -> Decimal:
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _median(distribution: list[tuple[Decimal, int]]) -> Decimal | None:
    """The median of values given as sorted (value, count) pairs."""
    total = sum(n for _v, n in distribution)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the middle one, or the middle two
    found: list[Decimal] = []
    seen = 0
    for value, n in distribution:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return _decimal(sum(found) / len(found))


def words_of(text: str) -> list[str]:
    """The counted words of a text: lowercase letters, two or more, stop words left out."""
    return [w for w in WORD.findall(text.lower()) if len(w) > 1 and w not in STOP_WORDS]


# --- the survey's numbers ---------------------------------------------------------------------


def survey_analytics(
    survey: Survey, filters: ResponseFilter | Mapping[str, str] | None = None
) -> Analytics:
    """The numbers of every question of `survey` over its submitted responses matching
    `filters` (cached per responses version and filters)."""
    lookups = _lookups(filters)
    key = cache_key("numbers", survey.pk, sorted(lookups.items()))
    found = cache.get(key)
    if found is None:
        found = _compute(answering.structure(survey.pk), lookups)
        cache.set(key, found, SECONDS)
    return found


def _compute(survey: Survey, lookups: dict[str, str]) -> Analytics:
    questions = list(survey.questions.all())
    by_status = dict(
        Response.objects.filter(survey_id=survey.pk, **lookups)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    stats = {q.pk: QuestionStats(question_id=q.pk, kind=q.kind) for q in questions}
    if not by_status.get(Response.Status.SUBMITTED):
        for question in questions:
            _fill(question, stats[question.pk], {}, [])
        return Analytics(survey.pk, 0, by_status.get(Response.Status.IN_PROGRESS, 0), stats)

    where = _of_submitted(survey.pk, lookups)
    # Selections: (question, option, value) → count. Chosen options, matrix values, ranks.
    selections: dict[int, dict[tuple[int, int | None], int]] = defaultdict(dict)
    for question_id, option_id, value, n in (
        Selection.objects.filter(**where)
        .order_by()
        .values_list("question_id", "option_id", "value")
        .annotate(n=Count("id"))
    ):
        selections[question_id][(option_id, value)] = n
    # Answers: (question, number) → count and how many have a text. Answered counts, "other"
    # counts, scale and number distributions.
    answers: dict[int, list[tuple[Decimal | None, int, int]]] = defaultdict(list)
    for question_id, number, n, texts in (
        Answer.objects.filter(**where)
        .order_by()
        .values_list("question_id", "number")
        .annotate(n=Count("id"), texts=Count("id", filter=~Q(text="")))
    ):
        answers[question_id].append((number, n, texts))

    for question in questions:
        _fill(question, stats[question.pk], selections.get(question.pk, {}), answers[question.pk])

    with_other = [q.pk for q in questions if q.is_choice and stats[q.pk].row(None)]
    if with_other:
        for question_id, text, n in _top_texts(survey.pk, lookups, with_other):
            stats[question_id].others.append((text, n))
    texts = [q.pk for q in questions if q.kind in Question.TEXT_KINDS and stats[q.pk].answered]
    if texts:
        _texts(stats, survey.pk, lookups, texts)
    return Analytics(
        survey.pk,
        by_status.get(Response.Status.SUBMITTED, 0),
        by_status.get(Response.Status.IN_PROGRESS, 0),
        stats,
    )


def _fill(
    question: Question,
    stats: QuestionStats,
    selections: Mapping[tuple[int, int | None], int],
    answers: list[tuple[Decimal | None, int, int]],
) -> None:
    """One question's numbers from its grouped selections and answers."""
    stats.answered = sum(n for _number, n, _texts in answers)
    answered = stats.answered
    kind = question.kind
    if question.is_choice:
        chosen: Counter[int] = Counter()
        for (option_id, _value), n in selections.items():
            chosen[option_id] += n
        stats.rows = [
            Row(o.pk, o.label, chosen[o.pk], _percent(chosen[o.pk], answered))
            for o in question.options.all()
        ]
        other = sum(texts for _number, _n, texts in answers)
        if question.allow_other or other:
            stats.rows.append(Row(None, "", other, _percent(other, answered)))
    elif kind in (Question.Kind.MATRIX, Question.Kind.RANKING):
        values: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for (option_id, value), n in selections.items():
            if value is not None:
                values[option_id].append((value, n))
        for option in question.options.all():
            pairs = sorted(values.get(option.pk, []))
            count = sum(n for _v, n in pairs)
            mean = _decimal(Decimal(sum(v * n for v, n in pairs)) / count) if count else None
            row = Row(option.pk, option.label, count, mean=mean)
            if kind == Question.Kind.MATRIX:
                row.percent = _percent(count, answered)
                counts = dict(pairs)
                row.distribution = [(v, counts.get(v, 0)) for v in question.scale]
            else:
                row.first = dict(pairs).get(1, 0)
                row.percent = _percent(row.first, answered)
            stats.rows.append(row)
    elif kind in (Question.Kind.LIKERT, Question.Kind.NUMBER):
        pairs = sorted((number, n) for number, n, _texts in answers if number is not None)
        count = sum(n for _number, n in pairs)
        if count:
            stats.mean = _decimal(sum(number * n for number, n in pairs) / count)
            stats.median = _median(pairs)
            stats.minimum, stats.maximum = pairs[0][0], pairs[-1][0]
        if kind == Question.Kind.LIKERT:
            counts = {int(number): n for number, n in pairs}
            stats.scale = [
                (v, counts.get(v, 0), _percent(counts.get(v, 0), count)) for v in question.scale
            ]


def _rows(sql: str, params: tuple) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ids(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids)


def _top_texts(survey_id: int, lookups: Mapping[str, str], question_ids: list[int]) -> list:
    """The most frequent "other" texts of each question: (question id, text, count)."""
    responses, params = _responses_sql(survey_id, lookups)
    table = Answer._meta.db_table
    sql = f"""
        SELECT question_id, text, n FROM (
            SELECT question_id, text, COUNT(*) AS n,
                   ROW_NUMBER() OVER (
                       PARTITION BY question_id ORDER BY COUNT(*) DESC, text
                   ) AS place
            FROM {table}
            WHERE survey_id = %s AND question_id IN ({_ids(question_ids)}) AND text <> ''
              AND response_id IN ({responses})
            GROUP BY question_id, text
        ) ranked
        WHERE place <= %s ORDER BY question_id, place
    """  # noqa: S608 — table names and integer ids only; values are parameters
    return _rows(sql, (survey_id, *params, OTHER_TEXTS))


def _latest_texts(
    survey_id: int, lookups: Mapping[str, str], question_ids: list[int]
) -> list[tuple[int, str]]:
    """The texts of the latest WORDS_SAMPLE submitted responses: (question id, text), newest
    response first. The responses are picked first (a sort of the survey's responses), then
    their answers by the (response, question) index: no sort of every text answer."""
    latest = list(
        submitted(survey_id, lookups)
        .order_by("-submitted_at", "-id")
        .values_list("id", flat=True)[:WORDS_SAMPLE]
    )
    place = {pk: n for n, pk in enumerate(latest)}
    found = (
        Answer.objects.filter(response_id__in=latest, question_id__in=question_ids)
        .exclude(text="")
        .values_list("question_id", "response_id", "text")
    )
    return [
        (question_id, text)
        for question_id, _response, text in sorted(found, key=lambda row: place[row[1]])
    ]


def _texts(
    stats: Mapping[int, QuestionStats],
    survey_id: int,
    lookups: Mapping[str, str],
    question_ids: list[int],
) -> None:
    """Frequent words (ties in alphabetical order) and the latest answers of text questions,
    from the latest WORDS_SAMPLE responses: two queries, whatever the number of responses."""
    counters: dict[int, Counter[str]] = defaultdict(Counter)
    for question_id, text in _latest_texts(survey_id, lookups, question_ids):
        counters[question_id].update(words_of(text))
        recent = stats[question_id].recent
        if len(recent) < RECENT_ANSWERS:
            recent.append(text)
    for question_id, counter in counters.items():
        words = sorted(counter.items(), key=lambda pair: (-pair[1], pair[0]))
        stats[question_id].words = words[:TOP_WORDS]


def refresh(survey_id: int) -> None:
    """Compute a survey's unfiltered numbers, response rates and heat map into the cache, so
    that the coordinators' first view after a submission is warm: for a task enqueued once the
    submission commits (the cold numbers of 10,000 responses take about a second)."""
    survey = answering.structure(survey_id)
    survey_analytics(survey)
    response_rates(survey)
    heat_map(survey)


def top_options(
    survey: Survey,
    question: Question,
    limit: int = 5,
    filters: ResponseFilter | Mapping[str, str] | None = None,
) -> list[tuple[Any, int, float]]:
    """The options most asked for in `question`: [(option, count, percent)], at most `limit`,
    options nobody chose left out ("Other" is not an option and never listed). Choices by how
    many chose them; a ranking by how many put the option first; a matrix by its rows' mean
    (count and percent of the responses that rated the row). Read from the cached analytics."""
    stats = survey_analytics(survey, filters).questions.get(question.pk)
    if stats is None:
        return []
    options: dict[int, Any] = {}
    for candidate in answering.structure(survey.pk).questions.all():
        if candidate.pk == question.pk:
            options = {o.pk: o for o in candidate.options.all()}
    rows = [r for r in stats.rows if r.option_id in options and r.count]
    position = {pk: n for n, pk in enumerate(options)}
    if question.kind == Question.Kind.RANKING:
        rows = [r for r in rows if r.first]
        rows.sort(key=lambda r: (-r.first, position[r.option_id]))
        return [(options[r.option_id], r.first, r.percent) for r in rows[:limit]]
    if question.kind == Question.Kind.MATRIX:
        rows.sort(key=lambda r: (-(r.mean or 0), position[r.option_id]))
    else:
        rows.sort(key=lambda r: (-r.count, position[r.option_id]))
    return [(options[r.option_id], r.count, r.percent) for r in rows[:limit]]


# --- cross-tabulation ---------------------------------------------------------------------------

CROSSTAB_KINDS = frozenset({*Question.CHOICE_KINDS, Question.Kind.LIKERT})


@dataclass
class CrossTab:
    """One question's answers by one dimension: a row per option (or scale value), a column per
    value of the dimension; each cell a count and its percent of the column's answers."""

    question_id: int
    dimension: str
    columns: list[tuple[str, str, int]]  # (stored value, label, answers)
    rows: list[tuple[str, list[tuple[int, float]]]]  # (label, cells); label "" is "Other"
    option_ids: list[int | None] = field(default_factory=list)


def crosstab(
    survey: Survey,
    question: Question,
    dimension: str,
    filters: ResponseFilter | Mapping[str, str] | None = None,
) -> CrossTab:
    """`question` (a choice or a Likert scale) by `dimension` (a key of `DIMENSIONS`) over the
    submitted responses matching `filters` (cached like the analytics)."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    if question.kind not in CROSSTAB_KINDS:
        raise ValueError(question.kind)
    lookups = _lookups(filters)
    key = cache_key("crosstab", survey.pk, question.pk, dimension, sorted(lookups.items()))
    found = cache.get(key)
    if found is None:
        found = _crosstab(survey, question, dimension, lookups)
        cache.set(key, found, SECONDS)
    return found


def _crosstab(
    survey: Survey, question: Question, dimension: str, lookups: dict[str, str]
) -> CrossTab:
    column = f"response__{DIMENSIONS[dimension][0]}"
    where = {**_of_submitted(survey.pk, lookups), "question_id": question.pk}
    answered: Counter[str] = Counter()
    other: Counter[str] = Counter()
    scale: Counter[tuple[int, str]] = Counter()
    for value, number, n, texts in (
        Answer.objects.filter(**where)
        .order_by()
        .values_list(column, "number")
        .annotate(n=Count("id"), texts=Count("id", filter=~Q(text="")))
    ):
        group = "" if value is None else str(value)
        answered[group] += n
        other[group] += texts
        if number is not None:
            scale[(int(number), group)] += n
    chosen: Counter[tuple[int, str]] = Counter()
    if question.kind != Question.Kind.LIKERT:
        for option_id, value, n in (
            Selection.objects.filter(**where)
            .order_by()
            .values_list("option_id", column)
            .annotate(n=Count("id"))
        ):
            chosen[(option_id, "" if value is None else str(value))] += n
    labels = dimension_labels(dimension) if answered else {}
    groups = sorted(answered, key=lambda g: (g == "", str(labels.get(g, g)).casefold()))
    columns = [(g, str(labels.get(g, g)), answered[g]) for g in groups]

    def cells(counts: Mapping[str, int]) -> list[tuple[int, float]]:
        return [(counts.get(g, 0), _percent(counts.get(g, 0), answered[g])) for g in groups]

    result = CrossTab(question.pk, dimension, columns, [])
    if question.kind == Question.Kind.LIKERT:
        for value in question.scale:
            result.rows.append((str(value), cells({g: scale[(value, g)] for g in groups})))
            result.option_ids.append(None)
        return result
    for option in question.options.all():
        result.rows.append((option.label, cells({g: chosen[(option.pk, g)] for g in groups})))
        result.option_ids.append(option.pk)
    if question.allow_other or sum(other.values()):
        result.rows.append(("", cells(other)))
        result.option_ids.append(None)
    return result


# --- response rate by country -----------------------------------------------------------------


@dataclass
class CountryRate:
    country_id: int | None
    name: str
    responses: int
    cities: int | None  # cities of the country in the audience (None for a per-person survey)
    rate: float | None


@dataclass
class Rates:
    per_city: bool
    rows: list[CountryRate]
    responses: int
    cities: int | None
    rate: float | None


def audience_statuses(survey: Survey) -> frozenset[str]:
    """The city statuses whose cities a per-city survey asks."""
    if survey.audience == Survey.Audience.STATUSES:
        return frozenset(survey.city_statuses)
    return REGISTERED_STATUSES


def response_rates(survey: Survey) -> Rates:
    """Submitted responses per country (all of them, whatever the page's filters), and for a
    per-city survey, divided by that country's cities in the survey's audience. Cached for
    RATE_SECONDS (the directory's statuses change without a version) and per responses version."""
    key = cache_key("rates", survey.pk)
    found = cache.get(key)
    if found is None:
        found = _rates(survey)
        cache.set(key, found, RATE_SECONDS)
    return found


def _rates(survey: Survey) -> Rates:
    responses = dict(
        submitted(survey.pk, {}).order_by().values_list("country_id").annotate(n=Count("id"))
    )
    cities: dict[int | None, int] = {}
    if survey.per_city:
        cities = dict(
            City.objects.filter(status__in=audience_statuses(survey))
            .order_by()
            .values_list("country_id")
            .annotate(n=Count("id"))
        )
    ids = {pk for pk in (*responses, *cities) if pk is not None}
    names = dict(Country.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    rows = []
    for pk in ids | ({None} if None in responses else set()):
        n = responses.get(pk, 0)
        of = cities.get(pk, 0) if survey.per_city else None
        rows.append(CountryRate(pk, names.get(pk, ""), n, of, _percent(n, of) if of else None))
    rows.sort(key=lambda r: (r.country_id is None, r.name.casefold()))
    total = sum(responses.values())
    all_cities = sum(cities.values()) if survey.per_city else None
    return Rates(
        survey.per_city,
        rows,
        total,
        all_cities,
        _percent(total, all_cities) if all_cities else None,
    )


# --- heat map of needs: fields of action × levers of change -------------------------------------


@dataclass
class HeatMap:
    """For each (field, lever): how many responses chose both in the survey's first fields
    picker and first levers picker. `level` 0 (none) to HEAT_LEVELS, relative to the largest."""

    fields_question_id: int
    levers_question_id: int
    levers: list[str]
    rows: list[tuple[str, list[tuple[int, int]]]]  # (field, [(count, level)])
    maximum: int


def _first_of_kind(survey: Survey, kind: str) -> Question | None:
    """The first asked question of a kind (a hidden one when none is asked)."""
    candidates = [q for q in survey.questions.all() if q.kind == kind]
    return next((q for q in candidates if not q.hidden), candidates[0] if candidates else None)


def heat_map(
    survey: Survey, filters: ResponseFilter | Mapping[str, str] | None = None
) -> HeatMap | None:
    """The needs heat map, or None when the survey lacks a fields or a levers picker."""
    structure = answering.structure(survey.pk)
    fields_q = _first_of_kind(structure, Question.Kind.FIELDS)
    levers_q = _first_of_kind(structure, Question.Kind.LEVERS)
    if fields_q is None or levers_q is None:
        return None
    lookups = _lookups(filters)
    key = cache_key("heat", survey.pk, sorted(lookups.items()))
    found = cache.get(key)
    if found is None:
        found = _heat_map(survey.pk, fields_q, levers_q, lookups)
        cache.set(key, found, SECONDS)
    return found


def _heat_map(
    survey_id: int, fields_q: Question, levers_q: Question, lookups: dict[str, str]
) -> HeatMap:
    responses, params = _responses_sql(survey_id, lookups)
    table = Selection._meta.db_table
    sql = f"""
        SELECT f.option_id, l.option_id, COUNT(*)
        FROM {table} f JOIN {table} l ON l.response_id = f.response_id
        WHERE f.survey_id = %s AND f.question_id = %s
          AND l.survey_id = %s AND l.question_id = %s
          AND f.response_id IN ({responses})
        GROUP BY f.option_id, l.option_id
    """  # noqa: S608 — table names only; values are parameters
    counts = {
        (f, lv): n
        for f, lv, n in _rows(sql, (survey_id, fields_q.pk, survey_id, levers_q.pk, *params))
    }
    maximum = max(counts.values(), default=0)
    levers = list(levers_q.options.all())
    rows = []
    for field_option in fields_q.options.all():
        cells = []
        for lever in levers:
            n = counts.get((field_option.pk, lever.pk), 0)
            level = math.ceil(HEAT_LEVELS * n / maximum) if n else 0
            cells.append((n, level))
        rows.append((field_option.label, cells))
    return HeatMap(fields_q.pk, levers_q.pk, [o.label for o in levers], rows, maximum)

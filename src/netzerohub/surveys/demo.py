"""The demo's sample needs-assessment survey and its 300 generated responses.

- **The survey** (`SLUG`), built through the builder's services (`save_survey`, `save_section`,
  `save_question`, `set_published`), so it is exactly what a coordinator would have made: 40
  questions in six sections (city profile, climate commitments, support needs per field of
  action and per lever of change, preferred formats, open questions) of every kind: single and
  multiple choice (some with "Other"), Likert scales, number, short and long texts, matrices of
  scale rows over the fields and the levers, rankings and the pickers of fields and levers. Some
  are required; seven are shown only after a particular answer. It opened two weeks before the
  demo was loaded and closes four weeks after it, at 23:59 Brussels time; one response per city,
  open to the cities of every status of the directory (the demo's registered cities are too few
  for 300 sample responses). Its introduction says it is sample content.
- **300 generated sample responses** (`is_sample=True`, submitted), one per city: the
  registered cities of the directory first, then the largest other ones, never the demo city
  (its lead and member answer the survey themselves). The cities' names are real, their answers
  are random (`random.Random(SEED)`): they say nothing about those cities, and every text answer
  is a generic phrase marked as a generated sample. Answers respect the survey: values in
  range, at most the allowed choices, no answer to a question whose condition is not met, every
  required question answered. The responses are written with `bulk_create` (responses, answers,
  selections: a handful of queries, not 300 × 40 service calls), with the groups the analytics
  read (country, population band, status, readiness stage) as `services._groups` gives them.

Loading is idempotent: the survey is known by its address, and its sample responses are written
only when it has none.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from netzerohub.cities.models import City
from netzerohub.core import versions
from netzerohub.core.models import Term
from netzerohub.events.demo import DemoError, _city_of, _person

from . import answering, services
from .models import Answer, Option, Question, Response, Section, Selection, Survey

__all__ = ["DemoError", "SLUG", "load_survey", "summary"]

SLUG = "sample-needs-assessment-survey"
TITLE = "Needs-assessment survey (sample)"
ZONE = "Europe/Brussels"
RESPONSES = 300
SEED = 2050
LEAD = "lead@example.org"
OPENED_DAYS_AGO = 14
CLOSES_IN_DAYS = 28
SAMPLE_TEXT = "(generated sample answer)"

INTRODUCTION = (
    "*Sample content written for the NetZero Hub demo.* This is a sample survey: it shows how "
    "the programme asks its cities what support they need, so that the cities shape the "
    "direction of the support activities.\n\n"
    "**The 300 responses in its analytics are generated sample data.** The cities named as "
    "respondents are real cities of the directory, but their answers were drawn at random: "
    "they say nothing about those cities.\n\n"
    "Your answers are saved as you give them; you can stop and continue later, on any device. "
    "Your city's lead submits the response."
)

SECTIONS = [
    ("profile", "City profile", "A few facts about your administration and your team."),
    ("commitments", "Climate commitments", "Where your city stands on its way to neutrality."),
    ("fields", "Support needs: fields of action", "Where your city needs support, by field."),
    ("levers", "Support needs: levers of change", "Where your city needs support, by lever."),
    ("formats", "Preferred formats", "How the programme can best support you."),
    ("open", "Open questions", "Anything the questions above did not ask."),
]

FORMATS = ["Peer groups", "Study visits", "Twinning", "Helpdesk", "Training"]

# (section, key, kind, text, extra). `extra` holds the question's fields, its `options`, its
# condition as `when=(question key, [option labels])`, and `sample`: how answers are drawn (a
# number range, weights of the options, the share of respondents who answer an optional one).
QUESTIONS: list[tuple[str, str, str, str, dict[str, Any]]] = [
    ("profile", "role", "single", "Which best describes your role?", {
        "required": True, "allow_other": True,
        "options": ["Climate or sustainability officer", "Energy manager", "Urban planner",
                    "Elected representative", "Head of department"]}),
    ("profile", "staff", "number",
     "How many people work on climate neutrality in your administration?",
     {"number_min": 0, "number_max": 2000, "unit": "full-time equivalents",
      "help_text": "An estimate is fine.", "sample": {"range": (1, 60)}}),
    ("profile", "city-type", "single", "How would you describe your city?", {
        "options": ["Capital city", "Regional centre", "Medium-sized town", "Small town"]}),
    ("profile", "languages", "multiple", "In which languages do you prefer to exchange?", {
        "allow_other": True,
        "options": ["English", "French", "German", "Spanish", "Italian", "Polish"]}),
    ("profile", "department", "short_text", "Which department coordinates your climate work?",
     {"sample": {"share": 0.4}}),
    ("profile", "transition-team", "single",
     "Does your city have a transition team for climate neutrality?",
     {"required": True, "options": ["Yes", "It is being set up", "No"]}),
    ("profile", "team-size", "number", "How many people are in the transition team?", {
        "number_min": 1, "number_max": 200, "when": ("transition-team", ["Yes"]),
        "sample": {"range": (3, 25)}}),
    ("commitments", "target-year", "single",
     "By which year does your city aim to be climate-neutral?", {
        "required": True,
        "options": ["2030", "2035", "2040", "2045", "2050", "No target year yet"],
        "sample": {"weights": [5, 2, 2, 1, 2, 1]}}),
    ("commitments", "plan-status", "single", "Does your city have a climate action plan?", {
        "required": True, "options": ["Adopted", "In preparation", "Not yet"]}),
    ("commitments", "plan-year", "number", "In which year was the plan adopted?", {
        "number_min": 1990, "number_max": 2035, "when": ("plan-status", ["Adopted"]),
        "sample": {"range": (2010, 2025)}}),
    ("commitments", "plan-help", "long_text", "What would help you prepare the plan?", {
        "when": ("plan-status", ["In preparation", "Not yet"]), "sample": {"share": 0.5}}),
    ("commitments", "inventory", "single", "Does your city have a baseline emission inventory?",
     {"options": ["Yes, complete", "Yes, partial", "No"]}),
    ("commitments", "commitments", "multiple", "Which commitments has your city made?", {
        "allow_other": True,
        "options": ["Climate City Contract", "Covenant of Mayors", "A national climate agreement",
                    "Race to Zero"]}),
    ("commitments", "political-support", "likert",
     "How strong is the political support for climate neutrality in your city?",
     {"scale_min": 1, "scale_max": 5, "scale_min_label": "Very weak",
      "scale_max_label": "Very strong"}),
    ("commitments", "finance-confidence", "likert",
     "How confident are you that the climate plan can be financed?",
     {"scale_min": 1, "scale_max": 5, "scale_min_label": "Not at all",
      "scale_max_label": "Fully"}),
    ("fields", "fields-priority", "fields",
     "In which fields of action does your city most need support?",
     {"required": True, "max_choices": 3, "help_text": "Choose up to three."}),
    ("fields", "fields-need", "matrix", "How much support does your city need in each field?",
     {"options": "fields", "scale_min": 1, "scale_max": 5, "scale_min_label": "None",
      "scale_max_label": "A lot"}),
    ("fields", "fields-progress", "likert",
     "How far along is your city in the field that matters most to it?",
     {"scale_min": 1, "scale_max": 5, "scale_min_label": "Just starting",
      "scale_max_label": "Well advanced"}),
    ("fields", "fields-barrier", "single", "What holds your city back most in these fields?", {
        "allow_other": True,
        "options": ["Funding", "Staff and skills", "Data", "Regulation", "Public acceptance"]}),
    ("fields", "fields-project", "long_text",
     "Describe a project in these fields where support would help most.",
     {"sample": {"share": 0.35}}),
    ("levers", "levers-priority", "levers",
     "Which levers of change does your city most need support with?",
     {"required": True, "max_choices": 3, "help_text": "Choose up to three."}),
    ("levers", "levers-need", "matrix", "How much support does your city need with each lever?",
     {"options": "levers", "scale_min": 1, "scale_max": 5, "scale_min_label": "None",
      "scale_max_label": "A lot"}),
    ("levers", "support-ranking", "ranking", "Rank these kinds of support by usefulness.", {
        "options": ["Funding advice", "Technical expertise", "Data and monitoring",
                    "Citizen engagement methods", "Procurement guidance"],
        "help_text": "1 is the most useful."}),
    ("levers", "finance-topics", "multiple", "Which finance topics interest your city?", {
        "options": ["The investment plan", "EU funding", "Private investment",
                    "Public-private partnerships", "Green bonds"]}),
    ("levers", "data-maturity", "likert", "How good are your city's climate data?",
     {"scale_min": 1, "scale_max": 5, "scale_min_label": "Poor",
      "scale_max_label": "Excellent"}),
    ("levers", "engagement", "multiple", "Which engagement formats does your city use?", {
        "options": ["Citizens' assembly", "Participatory budgeting", "Public consultations",
                    "Living labs", "None yet"]}),
    ("formats", "formats", "multiple", "Which formats would help your city?", {
        "required": True, "options": FORMATS}),
    ("formats", "peer-topics", "fields", "Which fields should a peer group of yours cover?", {
        "max_choices": 2, "when": ("formats", ["Peer groups"])}),
    ("formats", "study-visits", "single", "Would your city rather host or visit?", {
        "options": ["Host a study visit", "Visit another city", "Both"],
        "when": ("formats", ["Study visits"])}),
    ("formats", "twinning-partner", "short_text",
     "What kind of partner city would you like to be twinned with?", {
        "when": ("formats", ["Twinning"]), "sample": {"share": 0.5}}),
    ("formats", "training-level", "single", "Which level of training suits your team?", {
        "options": ["Introductory", "Advanced", "Both"], "when": ("formats", ["Training"])}),
    ("formats", "formats-ranking", "ranking", "Rank the formats by how much they would help.",
     {"options": FORMATS, "help_text": "1 helps most."}),
    ("formats", "frequency", "single", "How often could your team take part in activities?", {
        "options": ["Monthly", "Every two months", "Quarterly", "Twice a year"]}),
    ("formats", "online", "likert", "Do you prefer meeting online or in person?", {
        "scale_min": 1, "scale_max": 5, "scale_min_label": "In person only",
        "scale_max_label": "Online only"}),
    ("formats", "hours", "number",
     "How many hours a month could your team spend on the programme's activities?",
     {"number_min": 0, "number_max": 160, "unit": "hours", "sample": {"range": (2, 40)}}),
    ("open", "challenge", "long_text",
     "What is your city's biggest challenge on the way to climate neutrality?",
     {"sample": {"share": 0.5}}),
    ("open", "good-practice", "long_text", "Which practice of your city could others learn from?",
     {"sample": {"share": 0.3}}),
    ("open", "one-wish", "short_text", "One thing the programme should start doing:",
     {"sample": {"share": 0.4}}),
    ("open", "anything-else", "long_text", "Is there anything else you would like to tell us?",
     {"sample": {"share": 0.15}}),
    ("open", "follow-up", "single", "May the programme contact you about your answers?", {
        "required": True, "options": ["Yes", "No"], "sample": {"weights": [4, 1]}}),
]  # fmt: skip

# Generic phrases for the text answers: they describe no city, and each says it is generated.
PHRASES = [
    "More exchange with cities facing the same questions would help us",
    "Practical examples and templates would save our team time",
    "We would welcome guidance on involving residents early",
    "Help with preparing projects for funding would make a difference",
    "Our team needs training on data and monitoring",
    "Contacts with experts for quick questions would be useful",
    "Working with a partner city on one concrete project would help",
    "Support with cooperation across departments would help",
]
OTHER_TEXTS = ["Another answer", "Something else", "A mix of these"]


def load_survey(
    people: Mapping[str, Any],
    *,
    actor: Any,
    now: dt.datetime | None = None,
    responses: int = RESPONSES,
    seed: int = SEED,
) -> Counter:
    """Create what is missing of the sample survey and its generated responses. `people` maps
    the demo emails to users (the lead's city gets no response); `actor` (a coordinator) builds
    the survey. Returns what was created, counted by kind."""
    now = now or timezone.now()
    report: Counter = Counter()
    with transaction.atomic():
        survey = Survey.objects.filter(slug=SLUG).first()
        if survey is None:
            survey = _build(actor, now)
            report["sample surveys"] += 1
            report["questions"] += survey.questions.count()
        if not Response.objects.filter(survey=survey, is_sample=True).exists():
            demo_city = _city_of(_person(people, LEAD))
            report["sample responses"] += _responses(survey, demo_city, now, responses, seed)
    return report


# --- the survey ----------------------------------------------------------------------------


def _build(actor: Any, now: dt.datetime) -> Survey:
    zone = zoneinfo.ZoneInfo(ZONE)
    today = timezone.localtime(now, zone).date()
    opens = dt.datetime.combine(today - dt.timedelta(days=OPENED_DAYS_AGO), dt.time(9), zone)
    closes = dt.datetime.combine(today + dt.timedelta(days=CLOSES_IN_DAYS), dt.time(23, 59), zone)
    survey = services.save_survey(
        Survey(
            title=TITLE,
            slug=SLUG,
            introduction=INTRODUCTION,
            opens_at=opens,
            closes_at=closes,
            time_zone=ZONE,
            audience=Survey.Audience.STATUSES,
            city_statuses=[value for value, _label in City.Status.choices],
            respondent=Survey.Respondent.CITY,
            is_sample=True,
        ),
        actor=actor,
    )
    sections = {}
    for position, (key, title, description) in enumerate(SECTIONS, start=1):
        sections[key] = services.save_section(
            Section(survey=survey, title=title, description=description, position=position),
            actor=actor,
        )
    terms = {
        kind: list(
            Term.objects.filter(kind=kind).order_by("position").values_list("name", flat=True)
        )
        for kind in (Term.Kind.FIELD, Term.Kind.LEVER)
    }
    if not terms[Term.Kind.FIELD] or not terms[Term.Kind.LEVER]:
        raise DemoError("No fields of action or levers of change: load the taxonomy.")
    made: dict[str, Question] = {}
    positions: Counter = Counter()
    for section, key, kind, text, extra in QUESTIONS:
        fields = {k: v for k, v in extra.items() if k not in {"options", "when", "sample"}}
        # explicit positions: `save_question` checks a condition's order before it numbers a
        # new question
        positions[section] += 1
        fields["position"] = positions[section]
        options = extra.get("options")
        if options in ("fields", "levers"):
            options = terms[Term.Kind.FIELD if options == "fields" else Term.Kind.LEVER]
        condition = None
        if "when" in extra:
            on, labels = extra["when"]
            fields["condition_question"] = made[on]
            condition = list(Option.objects.filter(question=made[on], label__in=labels))
        made[key] = services.save_question(
            Question(survey=survey, section=sections[section], key=key, kind=kind, text=text,
                     **fields),
            actor=actor,
            options=options,
            condition_options=condition,
        )  # fmt: skip
    return services.set_published(survey, True, actor=actor)


# --- the generated responses ---------------------------------------------------------------


def respondents(survey: Survey, exclude: City, count: int) -> list[City]:
    """`count` cities of the survey's audience: the registered ones first, then the largest
    others (by id when the population is not known), never `exclude`."""
    from django.db.models import Case, F, IntegerField, Value, When

    from .policies import REGISTERED_STATUSES

    cities = City.objects.exclude(pk=exclude.pk).select_related("country")
    if survey.audience == Survey.Audience.STATUSES:
        cities = cities.filter(status__in=survey.city_statuses)
    elif survey.audience == Survey.Audience.CITIES:
        cities = cities.filter(status__in=REGISTERED_STATUSES)
    registered = Case(
        When(status__in=REGISTERED_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(cities.order_by(registered, F("population").desc(nulls_last=True), "pk")[:count])


def _responses(survey: Survey, demo_city: City, now: dt.datetime, count: int, seed: int) -> int:
    rng = random.Random(seed)
    structure = answering.structure(survey.pk)
    questions = answering.asked(structure)
    samples = {key: extra.get("sample", {}) for _s, key, _k, _t, extra in QUESTIONS}
    cities = respondents(survey, demo_city, count)
    span = max((now - survey.opens_at).total_seconds(), 3600)
    rows = []
    for city in cities:
        submitted = survey.opens_at + dt.timedelta(seconds=rng.uniform(0.05, 0.98) * span)
        started = submitted - dt.timedelta(minutes=rng.randint(15, 4 * 24 * 60))
        rows.append(
            Response(
                survey=survey,
                owner=f"city:{city.pk}",
                city=city,
                status=Response.Status.SUBMITTED,
                submitted_at=submitted,
                started=max(started, survey.opens_at),
                updated=submitted,
                is_sample=True,
                **services._groups(city),
            )
        )
    moments = [(r.started, r.updated) for r in rows]
    made = Response.objects.bulk_create(rows)
    # `started` and `updated` are set to now on insert (auto_now): write the generated ones.
    for response, (started, updated) in zip(made, moments, strict=True):
        response.started, response.updated = started, updated
    Response.objects.bulk_update(made, ["started", "updated"])
    answers, selections = [], []
    for response in made:
        for question, value in _answers(questions, samples, rng):
            answers.append(
                Answer(
                    survey_id=survey.pk,
                    response_id=response.pk,
                    question_id=question.pk,
                    number=value.number,
                    text=value.text,
                )
            )
            selections.extend(
                Selection(
                    survey_id=survey.pk,
                    response_id=response.pk,
                    question_id=question.pk,
                    option_id=option_id,
                    value=rank,
                )
                for option_id, rank in value.options.items()
            )
    Answer.objects.bulk_create(answers, batch_size=2000)
    Selection.objects.bulk_create(selections, batch_size=2000)
    versions.bump(services.responses_version(survey.pk))
    return len(made)


def _answers(
    questions: list[Question], samples: Mapping[str, dict], rng: random.Random
) -> list[tuple[Question, answering.Value]]:
    """One generated response: (question, value) of every answered question, in order. A
    question whose condition is not met is not answered; a required one always is."""
    chosen: dict[int, set[int]] = {}
    result = []
    for question in questions:
        if question.condition_question_id is not None:
            wanted = {o.pk for o in question.condition_options.all()}
            if not wanted & chosen.get(question.condition_question_id, set()):
                continue
        sample = samples.get(question.key, {})
        default_share = 0.5 if question.kind in Question.TEXT_KINDS else 0.9
        if not question.required and rng.random() > sample.get("share", default_share):
            continue
        value = _value(question, sample, rng)
        chosen[question.pk] = set(value.options)
        result.append((question, value))
    return result


def _value(question: Question, sample: Mapping[str, Any], rng: random.Random) -> answering.Value:
    value = answering.Value()
    options = list(question.options.all())
    kind = question.kind
    if kind == Question.Kind.SINGLE:
        if question.allow_other and rng.random() < 0.04:
            value.text = f"{rng.choice(OTHER_TEXTS)} {SAMPLE_TEXT}"
        else:
            weights = sample.get("weights") or [1] * len(options)
            value.options[rng.choices(options, weights=weights)[0].pk] = None
    elif kind in ("multiple", "fields", "levers"):
        most = min(question.max_choices or 4, len(options))
        picked = rng.sample(options, rng.randint(1, most))
        for option in picked:
            value.options[option.pk] = None
        if question.allow_other and rng.random() < 0.05 and len(picked) < most:
            value.text = f"{rng.choice(OTHER_TEXTS)} {SAMPLE_TEXT}"
    elif kind == Question.Kind.LIKERT:
        value.number = Decimal(_scale(question, rng))
    elif kind == Question.Kind.MATRIX:
        for option in options:
            if rng.random() < 0.95:
                value.options[option.pk] = _scale(question, rng)
        if not value.options:
            value.options[options[0].pk] = _scale(question, rng)
    elif kind == Question.Kind.RANKING:
        # a full ranking, or (one in three) only the first three places
        size = 3 if len(options) > 3 and rng.random() < 1 / 3 else len(options)
        ranked = rng.sample(options, size)
        for rank, option in enumerate(ranked, start=1):
            value.options[option.pk] = rank
    elif kind == Question.Kind.NUMBER:
        low, high = sample.get("range", (question.number_min or 0, question.number_max or 100))
        value.number = Decimal(rng.randint(int(low), int(high))).quantize(Decimal("0.01"))
    else:
        value.text = f"{rng.choice(PHRASES)} {SAMPLE_TEXT}."
        if kind == Question.Kind.SHORT_TEXT:
            value.text = value.text[: question.text_limit]
    return value


def _scale(question: Question, rng: random.Random) -> int:
    """A point of the scale, leaning to the middle and upper values."""
    points = list(question.scale)
    weights = [
        1 + min(i, len(points) - 1 - i) + (i >= len(points) // 2) for i in range(len(points))
    ]
    return rng.choices(points, weights=weights)[0]


def summary(report: Counter) -> list[str]:
    if not report:
        return ["Sample survey: already there."]
    parts = ", ".join(f"{count} {kind}" for kind, count in sorted(report.items()))
    return [f"Sample survey: {parts}."]

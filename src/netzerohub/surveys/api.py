"""Survey API: the open surveys and a published survey's definition (public, as the survey's
page is); my response with its answers and progress, saving one answer, submitting.

A city's response belongs to the city (`?city=<id>` names which of your cities when you have
several); a person's response is their own. A response one may not read answers the same 404
as a missing one, and a draft survey is a 404 for everyone but coordinators. Answers are read
and written in the format of the survey's forms (`answering.parse`), as JSON:

    {"option": [12, 13] or ["other"], "other": "…"}   single and multiple choice, pickers
    {"value": 4}                                        a scale (Likert) or a number
    {"text": "…"}                                       short and long texts
    {"row-<option id>": 3, …}                          the rows of a matrix
    {"rank-<option id>": 1, …}                         a ranking (1 first; partial allowed)

An empty answer (`{}`) clears the question. Refusals answer `{"detail": "…"}` with the message
the portal shows: 400 for an answer the question refuses (an option of another question, a
value out of range, a text over its limit), 409 for what the survey refuses at this moment (not
open yet, closed, a hidden question, a question whose condition is not met, a submitted
response). Times are answered in UTC (ISO 8601); `time_zone` is the zone the survey announces
its dates in.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from netzerohub.accounts.auth import API_AUTH, OPTIONAL_AUTH
from netzerohub.cities.models import City
from netzerohub.cities.policies import approved_memberships, is_lead
from netzerohub.core import versions
from netzerohub.core.api import ErrorOut, ValidationErrorOut
from netzerohub.core.ratelimit import hit
from netzerohub.events.api import utc

from . import answering, services
from .answering import AnswerError
from .limits import ANSWER_ACTION, ANSWERS_PER_HOUR, PERIOD, SUBMIT_ACTION, SUBMITS_PER_HOUR
from .models import Answer, Question, Response, Survey
from .policies import (
    answering_cities,
    get_survey_for_user,
    may_answer_as_person,
    response_policy,
)

router = Router(tags=["surveys"])
DEFINITION_SECONDS = 3600
# Budgets per person and hour, under the keys the portal's forms count (`core.ratelimit`): a
# person cannot double them by switching between the pages and the API.


# --- schemas ---------------------------------------------------------------------------------


class SurveySummaryOut(Schema):
    slug: str
    title: str
    opens: datetime.datetime = Field(description="UTC")
    closes: datetime.datetime = Field(description="UTC")
    time_zone: str = Field(description="The zone the survey announces its dates in")
    closes_local: str = Field(
        description='The closing time as announced: "17 May 2027, 23:59 CEST"'
    )
    phase: str = Field(description="scheduled, open or closed (draft for coordinators)")
    estimated_minutes: int = Field(description="The estimated time to answer every question")
    respondent: str = Field(description="city (one response per city) or person")
    audience: str = Field(description="cities (all registered cities), statuses or everyone")
    city_statuses: list[str] = Field(description="For audience `statuses`: which")
    url: str = Field(description="The survey's page")


class SurveyListOut(SurveySummaryOut):
    my_cities: list[int] = Field(
        description="Per city: the ids of your cities that may answer (empty for visitors)"
    )
    may_answer: bool = Field(description="Whether you may answer (for a city of yours, or you)")


class OptionOut(Schema):
    id: int
    label: str
    term: str | None = Field(None, description="Pickers: the field of action or lever (slug)")


class ScaleOut(Schema):
    min: int
    max: int
    min_label: str
    max_label: str


class ConditionOut(Schema):
    question: str = Field(description="The key of the earlier choice question")
    options: list[int] = Field(description="Shown when that answer includes one of these ids")


class QuestionOut(Schema):
    key: str
    kind: str = Field(
        description="single, multiple, likert, matrix, number, short_text, long_text, ranking, "
        "fields or levers"
    )
    text: str
    help: str
    required: bool
    allow_other: bool = Field(description='Choices: "other" with a text is accepted')
    max_choices: int | None = Field(None, description="Multiple choice and pickers")
    options: list[OptionOut] = Field(
        description="Choices, matrix rows or items to rank (empty for the other kinds)"
    )
    scale: ScaleOut | None = Field(None, description="Likert and matrix")
    number_min: float | None = None
    number_max: float | None = None
    unit: str = ""
    text_limit: int | None = Field(None, description="Texts: the most characters taken")
    condition: ConditionOut | None = Field(None, description="Asked only when this is met")


class SectionOut(Schema):
    id: int
    title: str
    description: str = Field(description="Markdown")
    questions: list[QuestionOut]


class SurveyOut(SurveySummaryOut):
    introduction: str = Field(description="Markdown")
    sections: list[SectionOut]


class ProgressOut(Schema):
    answered: int
    total: int = Field(description="Questions shown, given the answers so far")
    percent: int
    required_missing: list[str] = Field(description="Keys of required questions not answered")


class CityRefOut(Schema):
    id: int
    name: str


class ResponseOut(Schema):
    id: int | None = Field(None, description="null while nobody has answered yet")
    survey: str
    city: CityRefOut | None = None
    status: str = Field(description="not_started, in_progress or submitted")
    started: datetime.datetime | None = None
    updated: datetime.datetime | None = None
    submitted_at: datetime.datetime | None = None
    can_answer: bool
    can_submit: bool = Field(description="Per city, its leads submit; per person, you")
    progress: ProgressOut
    answers: dict[str, dict[str, Any]] = Field(
        description="Question key → the answer, in the format answers are saved in"
    )


class AnswerSavedOut(Schema):
    question: str
    answer: dict[str, Any] = Field(description="The answer as saved ({} when cleared)")
    progress: ProgressOut


class RefusedOut(Schema):
    detail: str
    missing: list[str] = Field(
        default_factory=list, description="Submitting: keys of required questions not answered"
    )


# --- reading ---------------------------------------------------------------------------------


def _summary(survey: Survey) -> dict:
    return {
        "slug": survey.slug,
        "title": survey.title,
        "opens": utc(survey.opens_at),
        "closes": utc(survey.closes_at),
        "time_zone": survey.time_zone,
        "closes_local": answering.moment(survey, survey.closes_at),
        "phase": survey.phase(),
        "estimated_minutes": answering.estimated_minutes(survey),
        "respondent": survey.respondent,
        "audience": survey.audience,
        "city_statuses": list(survey.city_statuses) if survey.audience == "statuses" else [],
        "url": survey.get_absolute_url(),
    }


def _question(question: Question) -> dict:
    scaled = question.kind in Question.SCALE_KINDS
    condition = None
    if question.condition_question_id is not None:
        condition = {
            "question": question.condition_question.key,
            "options": sorted(o.pk for o in question.condition_options.all()),
        }
    return {
        "key": question.key,
        "kind": question.kind,
        "text": question.text,
        "help": question.help_text,
        "required": question.required,
        "allow_other": question.allow_other and question.is_choice,
        "max_choices": question.max_choices if question.is_multiple else None,
        "options": [
            {"id": o.pk, "label": o.label, "term": o.term.slug if o.term_id else None}
            for o in question.options.all()
        ]
        if question.has_options
        else [],
        "scale": {
            "min": question.scale_min,
            "max": question.scale_max,
            "min_label": question.scale_min_label,
            "max_label": question.scale_max_label,
        }
        if scaled
        else None,
        "number_min": _number(question.number_min) if question.kind == "number" else None,
        "number_max": _number(question.number_max) if question.kind == "number" else None,
        "unit": question.unit if question.kind == "number" else "",
        "text_limit": question.text_limit if question.kind in Question.TEXT_KINDS else None,
        "condition": condition,
    }


def _definition(survey: Survey) -> dict:
    """The survey as respondents meet it: hidden questions left out."""
    by_section: dict[int, list[dict]] = {}
    for question in answering.asked(survey):
        by_section.setdefault(question.section_id, []).append(_question(question))
    return {
        **_summary(survey),
        "introduction": survey.introduction,
        "sections": [
            {
                "id": s.pk,
                "title": s.title,
                "description": s.description,
                "questions": by_section.get(s.pk, []),
            }
            for s in survey.sections.all()
        ],
    }


@router.get(
    "/surveys",
    auth=OPTIONAL_AUTH,
    response={200: list[SurveyListOut], 401: ErrorOut},
    summary="The surveys open now",
)
def open_surveys(request: HttpRequest) -> list[dict]:
    """Every published survey open now, soonest closing first, with what you may answer: for
    a survey per city, the ids of your cities in its audience; per person, whether you are."""
    user = request.auth
    surveys = Survey.objects.open().with_structure().order_by("closes_at", "pk")
    found = []
    for survey in surveys:
        cities = [c.pk for c in answering_cities(survey, user)]
        may = bool(cities) if survey.per_city else may_answer_as_person(survey, user)
        found.append({**_summary(survey), "my_cities": cities, "may_answer": may})
    return found


@router.get(
    "/surveys/{slug}",
    auth=OPTIONAL_AUTH,
    response={200: SurveyOut, 401: ErrorOut, 404: ErrorOut},
    summary="A published survey's definition: sections, questions, options and conditions",
)
def survey_definition(request: HttpRequest, slug: str) -> HttpResponse:
    """Open, scheduled or closed; a draft only for coordinators (404 for anyone else). Hidden
    questions are left out. Option ids are what answers name."""
    survey = get_survey_for_user(request.auth, slug)
    version = versions.current(answering.structure_version(survey.pk))
    # the phase in the key: a survey that opens or closes is answered afresh
    key = f"surveys:api:definition:{survey.pk}:{version}:{survey.phase()}"
    body = cache.get(key)
    if body is None:
        body = SurveyOut.model_validate(
            _definition(answering.structure(survey.pk))
        ).model_dump_json()
        cache.set(key, body, DEFINITION_SECONDS)
    return HttpResponse(body, content_type="application/json")


# --- my response -----------------------------------------------------------------------------


def _owner(survey: Survey, user: Any, city_id: int | None, *, answering_now: bool) -> City | None:
    """The city whose response is meant (None for a survey per person). Your cities in the
    survey's audience when answering, any city of yours when reading; a city that is not
    yours, or no city (or audience) at all, is a 404."""
    if not survey.per_city:
        if city_id is not None:
            raise HttpError(422, _("This survey takes one response per person: leave out city."))
        if answering_now and not may_answer_as_person(survey, user):
            raise Http404
        return None
    if answering_now:
        cities = answering_cities(survey, user)
    else:
        cities = sorted((m.city for m in approved_memberships(user).values()), key=lambda c: c.name)
    if city_id is not None:
        city = next((c for c in cities if c.pk == city_id), None)
        if city is None:
            raise Http404
        return city
    if not cities:
        raise Http404
    if len(cities) > 1:
        ids = ", ".join(f"{c.pk} ({c.name})" for c in cities)
        raise HttpError(
            422,
            _("You answer for several cities: name one with ?city=<id> (%(ids)s).") % {"ids": ids},
        )
    return cities[0]


def _find(survey: Survey, user: Any, city: City | None) -> Response | None:
    owner = f"city:{city.pk}" if city is not None else f"user:{user.pk}"
    return (
        Response.objects.select_related("survey", "city", "person")
        .filter(survey=survey, owner=owner)
        .first()
    )


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def answer_data(question: Question, answer: Answer | None) -> dict[str, Any]:
    """An answer in the format `answering.parse` reads ({} when there is none)."""
    if not answering.is_answered(answer):
        return {}
    chosen = answer.chosen
    if question.kind == Question.Kind.MATRIX:
        return {f"row-{s.option_id}": s.value for s in chosen}
    if question.kind == Question.Kind.RANKING:
        return {f"rank-{s.option_id}": s.value for s in sorted(chosen, key=lambda s: s.value)}
    if question.is_choice:
        order = {o.pk: n for n, o in enumerate(question.options.all())}
        options: list[int | str] = sorted((s.option_id for s in chosen), key=order.get)
        data: dict[str, Any] = {"option": options}
        if answer.text:
            data["option"] = [*options, "other"]
            data["other"] = answer.text
        return data
    if question.kind in (Question.Kind.LIKERT, Question.Kind.NUMBER):
        return {"value": _number(answer.number)}
    return {"text": answer.text}


def _progress(state: answering.State) -> dict:
    return {
        "answered": state.answered,
        "total": state.total,
        "percent": state.percent,
        "required_missing": [q.key for _section, q in state.missing],
    }


def _may_submit(user: Any, survey: Survey, response: Response | None, city: City | None) -> bool:
    if response is not None and response.is_submitted:
        return False
    return is_lead(user, city) if city is not None else True


def _response(survey: Survey, user: Any, response: Response | None, city: City | None) -> dict:
    """`survey` as read now (its phase); its questions from the structure cache."""
    structure = answering.structure(survey.pk)
    state = answering.state_of(structure, response)
    questions = {q.pk: q for q in answering.asked(structure)}
    answers = {
        questions[qid].key: answer_data(questions[qid], answer)
        for qid, answer in state.answers.items()
        if qid in questions and answering.is_answered(answer)
    }
    is_open = survey.is_open()
    return {
        "id": response.pk if response else None,
        "survey": survey.slug,
        "city": {"id": city.pk, "name": city.name} if city is not None else None,
        "status": response.status if response else "not_started",
        "started": utc(response.started) if response else None,
        "updated": utc(response.updated) if response else None,
        "submitted_at": utc(response.submitted_at) if response else None,
        "can_answer": is_open and not (response and response.is_submitted),
        "can_submit": is_open and _may_submit(user, survey, response, city),
        "progress": _progress(state),
        "answers": answers,
    }


CITY_QUERY = Query(  # noqa: B008 - how ninja declares it
    None, description="Per city: the id of your city (needed when you have several)"
)


@router.get(
    "/surveys/{slug}/response",
    auth=API_AUTH,
    response={200: ResponseOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut | ErrorOut},
    summary="My response (my city's, or mine) with its answers and progress",
)
def my_response(request: HttpRequest, slug: str, city: int | None = CITY_QUERY) -> dict:
    """A survey per city: your city's response (`?city=<id>` when you have several cities; 404
    for a city that is not yours). Per person: yours. Nobody has answered yet: status
    `not_started` and no answers. Readable after the survey closed."""
    user = request.auth
    survey = get_survey_for_user(user, slug)
    owner = _owner(survey, user, city, answering_now=False)
    response = _find(survey, user, owner)
    if response is not None and not response_policy.can(user, "view", response):
        raise Http404
    return _response(survey, user, response, owner)


# --- writing ---------------------------------------------------------------------------------


def _too_often(action: str, user: Any, limit: int) -> None:
    if not hit(f"{action}:user:{user.pk}", limit=limit, period=PERIOD):
        raise HttpError(429, _("You have done this too often; please try again later."))


def _refused(error: AnswerError) -> HttpError:
    """What the survey refuses now (409), or an answer the question refuses (400)."""
    return HttpError(409 if isinstance(error, services.SurveyError) else 400, str(error))


@router.put(
    "/surveys/{slug}/response/answers/{question_key}",
    auth=API_AUTH,
    response={
        200: AnswerSavedOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut | ErrorOut,
        429: ErrorOut,
    },
    summary="Save one answer of my response (started if needed); {} clears it",
)
def save_answer(
    request: HttpRequest,
    slug: str,
    question_key: str,
    data: dict[str, Any] = Body(...),  # noqa: B008 - how ninja declares it
    city: int | None = CITY_QUERY,
) -> dict:
    """Saves this question only: what colleagues answer to other questions stays. 400 for an
    answer the question refuses, 409 when the survey refuses it now (not open, closed, a hidden
    question, a condition not met, a submitted response), 404 for a question key the survey
    does not have or a city that is not yours, 429 beyond the hourly budget."""
    user = request.auth
    survey = get_survey_for_user(user, slug)
    structure = answering.structure(survey.pk)
    question = next((q for q in structure.questions.all() if q.key == question_key), None)
    if question is None:
        raise HttpError(404, _("This survey has no question with this key."))
    owner = _owner(survey, user, city, answering_now=True)
    _too_often(ANSWER_ACTION, user, ANSWERS_PER_HOUR)
    try:
        response = services.start_response(survey, actor=user, city=owner)
        if not response_policy.can(user, "answer", response) and not response.is_submitted:
            raise Http404
        answer = services.save_answer(response, question, data, actor=user)
    except AnswerError as error:
        raise _refused(error) from error
    if answer is not None:
        answer.chosen = list(
            answer.response.selections.filter(question=question).order_by("value", "id")
        )
    state = answering.state_of(structure, response)
    return {
        "question": question.key,
        "answer": answer_data(question, answer),
        "progress": _progress(state),
    }


@router.post(
    "/surveys/{slug}/response/submit",
    auth=API_AUTH,
    response={
        200: ResponseOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: RefusedOut,
        422: ValidationErrorOut | ErrorOut,
        429: ErrorOut,
    },
    summary="Submit my response (a lead of the city, or the person)",
)
def submit(request: HttpRequest, slug: str, city: int | None = CITY_QUERY):
    """Freezes the response: answers to conditional questions no longer shown are dropped, and
    every required question must be answered (409 with the keys in `missing`). A city's
    response is submitted by its leads (403 for its other members); 404 when nobody has
    answered yet; 409 once submitted or when the survey is not open."""
    user = request.auth
    survey = get_survey_for_user(user, slug)
    owner = _owner(survey, user, city, answering_now=True)
    response = _find(survey, user, owner)
    if response is None or not response_policy.can(user, "view", response):
        raise Http404
    if not response.is_submitted and not response_policy.can(user, "submit", response):
        raise HttpError(403, _("A lead of the city submits its response."))
    _too_often(SUBMIT_ACTION, user, SUBMITS_PER_HOUR)
    try:
        submitted = services.submit_response(response, actor=user)
    except services.MissingAnswers as error:
        return Status(409, {"detail": str(error), "missing": [q.key for q in error.questions]})
    except services.SurveyError as error:
        return Status(409, {"detail": str(error), "missing": []})
    return _response(survey, user, submitted, owner)

"""Self-assessment API: the published questionnaire; a city's assessments, their results and
recommendations (for the city's members and coordinators; 404 for anyone else)."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from netzerohub.accounts.auth import API_AUTH, OPTIONAL_AUTH
from netzerohub.cities.policies import get_city_for_user
from netzerohub.core.api import ErrorOut

from . import recommendations, results
from .answering import State, estimated_minutes, state_of, structure
from .models import Assessment, Questionnaire
from .policies import can_view_results_of, get_assessment_for_user
from .scoring import shown

router = Router(tags=["self-assessment"])
QUESTIONNAIRE_SECONDS = 3600


class LevelOut(Schema):
    level: int
    label: str
    description: str


class QuestionOut(Schema):
    key: str
    text: str
    help: str
    required: bool
    weight: float
    field: str | None = Field(None, description="Field-of-action slug the question is about")
    levels: list[LevelOut]


class DimensionOut(Schema):
    key: str
    title: str
    description: str
    weight: float
    step: str | None
    fields: list[str]
    levers: list[str]
    questions: list[QuestionOut]


class StageOut(Schema):
    key: str
    label: str
    description: str
    min_score: int


class QuestionnaireOut(Schema):
    key: str
    version: str
    title: str
    introduction: str = Field(description="Markdown")
    scoring: str = Field(description="Markdown: how the scoring works")
    estimated_minutes: int
    stages: list[StageOut]
    dimensions: list[DimensionOut]


class ProgressOut(Schema):
    answered: int
    total: int
    required_missing: list[str] = Field(description="Keys of required questions not answered")


class AssessmentOut(Schema):
    id: int
    status: str
    questionnaire: str
    version: str
    started: datetime.datetime
    submitted_at: datetime.datetime | None
    overall_score: int | None = Field(description="0–100, rounded half up; exact: scores_exact")
    stage: str | None
    scores: dict[str, int | None] = Field(description="Dimension key → score 0–100 (rounded)")
    progress: ProgressOut | None = Field(None, description="While in progress")
    url: str


class AnswerOut(Schema):
    question: str
    level: int | None = Field(description="0–4; null: skipped (does not apply)")


class PeerOut(Schema):
    group: str
    label: str
    cities: int
    shown: bool
    reason: str = Field(description="Why no median is shown (empty when shown)")
    medians: dict[str, int | None] = Field(description='Dimension key ("" overall) → median')


class DimensionResultOut(Schema):
    key: str
    title: str
    score: int | None
    kind: str = Field(description="strength, gap or empty")
    words: str


class AssessmentDetailOut(AssessmentOut):
    scores_exact: dict[str, float | None]
    answers: list[AnswerOut]
    dimensions: list[DimensionResultOut]
    peers: list[PeerOut]


class RecommendationOut(Schema):
    title: str
    url: str
    reason: str
    covers: list[str]
    relevance: float
    key: str = Field(description="Course or pathway key (to enrol); empty for the others")
    starts_at: datetime.datetime | None = Field(None, description="An event's start (UTC)")


class RecommendationsOut(Schema):
    pathways: list[RecommendationOut]
    courses: list[RecommendationOut]
    resources: list[RecommendationOut]
    groups: list[RecommendationOut]
    events: list[RecommendationOut]


def _questionnaire(questionnaire: Questionnaire) -> dict:
    questions = list(questionnaire.questions.all())
    return {
        "key": questionnaire.key,
        "version": questionnaire.version,
        "title": questionnaire.title,
        "introduction": questionnaire.introduction,
        "scoring": questionnaire.scoring,
        "estimated_minutes": estimated_minutes(questionnaire),
        "stages": [
            {"key": s.key, "label": s.label, "description": s.description, "min_score": s.min_score}
            for s in questionnaire.stages.all()
        ],
        "dimensions": [
            {
                "key": d.key,
                "title": d.title,
                "description": d.description,
                "weight": float(d.weight),
                "step": d.step.slug if d.step_id else None,
                "fields": [t.slug for t in d.fields.all()],
                "levers": [t.slug for t in d.levers.all()],
                "questions": [
                    {
                        "key": q.key,
                        "text": q.text,
                        "help": q.help,
                        "required": q.required,
                        "weight": float(q.weight),
                        "field": q.field.slug if q.field_id else None,
                        "levels": [
                            {"level": n, "label": v["label"], "description": v["description"]}
                            for n, v in q.level_choices()
                        ],
                    }
                    for q in questions
                    if q.dimension_id == d.pk
                ],
            }
            for d in questionnaire.dimensions.all()
        ],
    }


@router.get(
    "/assessment/questionnaire",
    auth=OPTIONAL_AUTH,
    response={200: QuestionnaireOut, 401: ErrorOut, 404: ErrorOut},
    summary="The published readiness questionnaire, with its levels and scoring",
)
def questionnaire(request: HttpRequest) -> HttpResponse:
    current = Questionnaire.objects.current()
    if current is None:
        raise Http404
    body = cache.get_or_set(
        f"assessment:api:questionnaire:{current.pk}",
        lambda: QuestionnaireOut.model_validate(
            _questionnaire(structure(current.pk))
        ).model_dump_json(),
        QUESTIONNAIRE_SECONDS,
    )
    return HttpResponse(body, content_type="application/json")


def _assessment(a: Assessment, progress: dict | None = None) -> dict:
    return {
        "id": a.pk,
        "status": a.status,
        "questionnaire": a.questionnaire.key,
        "version": a.questionnaire.version,
        "started": a.started,
        "submitted_at": a.submitted_at,
        "overall_score": shown(a.overall_score),
        "stage": a.stage.key if a.stage_id else None,
        "scores": {k: shown(v) for k, v in a.scores.items()},
        "progress": progress,
        "url": a.get_absolute_url(),
    }


def _progress(state: State) -> dict:
    return {
        "answered": state.answered,
        "total": state.total,
        "required_missing": [q.key for _d, q in state.missing],
    }


@router.get(
    "/cities/{city_id}/assessments",
    auth=API_AUTH,
    response={200: list[AssessmentOut], 401: ErrorOut, 404: ErrorOut},
    summary="A city's self-assessments, newest first (its members and coordinators)",
)
def city_assessments(request: HttpRequest, city_id: int) -> list[dict]:
    city = get_city_for_user(request.user, city_id, "view_private")
    if not can_view_results_of(request.user, city):
        raise Http404
    rows = Assessment.objects.for_city(city).select_related("questionnaire", "stage")
    return [_assessment(a, None if a.is_submitted else _progress(state_of(a))) for a in rows]


@router.get(
    "/assessments/{assessment_id}",
    auth=API_AUTH,
    response={200: AssessmentDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="One self-assessment: answers, and for a submitted one its result and peer medians",
)
def assessment(request: HttpRequest, assessment_id: int) -> dict:
    a = get_assessment_for_user(request.user, assessment_id)
    state = state_of(a)
    answers = [
        {"question": q.key, "level": state.answers[q.pk].level}
        for q in state.questionnaire.questions.all()
        if q.pk in state.answers
    ]
    data = {
        **_assessment(a, None if a.is_submitted else _progress(state)),
        "scores_exact": a.scores,
        "answers": answers,
        "dimensions": [],
        "peers": [],
    }
    if a.is_submitted:
        found = results.build(a)
        data["dimensions"] = [
            {
                "key": d.dimension.key,
                "title": d.dimension.title,
                "score": d.shown,
                "kind": d.kind,
                "words": d.words,
            }
            for d in found.dimensions
        ]
        data["peers"] = [
            {
                "group": g.group,
                "label": g.label,
                "cities": g.cities,
                "shown": g.shown,
                "reason": g.reason,
                "medians": {k: shown(v) for k, v in g.medians.items()},
            }
            for g in found.groups
        ]
    return data


@router.get(
    "/assessments/{assessment_id}/recommendations",
    auth=API_AUTH,
    response={200: RecommendationsOut, 401: ErrorOut, 404: ErrorOut},
    summary="Recommended pathways, courses, resources, peer groups and events of a submitted "
    "assessment",
)
def assessment_recommendations(request: HttpRequest, assessment_id: int) -> dict:
    a = get_assessment_for_user(request.user, assessment_id)
    if not a.is_submitted:
        raise Http404
    found = recommendations.recommend(results.build(a), request.user)

    def rows(kind: str) -> list[dict]:
        return [
            {
                "title": r.title,
                "url": r.url,
                "reason": r.reason,
                "covers": r.matches,
                "relevance": round(r.relevance, 4),
                "key": r.key,
                "starts_at": r.starts_at,
            }
            for r in found[kind]
        ]

    return {f"{kind}s": rows(kind) for kind in recommendations.KINDS}

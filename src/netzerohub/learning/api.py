"""Learning API: the course catalogue, courses, pathways, and my enrolments with progress."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from netzerohub.accounts.auth import API_AUTH, OPTIONAL_AUTH
from netzerohub.core.api import ErrorOut, FacetCountOut, ValidationErrorOut
from netzerohub.core.querysets import make_key

from . import services
from .models import Course, Pathway
from .policies import get_course_for_user, get_pathway_for_user
from .progress import Progress, my_learning, outline
from .search import CatalogueParams, catalogue_key, search_courses

router = Router(tags=["learning"])
PER_PAGE = 20
RESULTS_SECONDS = 300


class CourseOut(Schema):
    key: str
    title: str
    summary: str
    level: str
    duration_minutes: int
    language: str
    step: str | None
    fields: list[str]
    levers: list[str]
    lessons: int
    is_sample: bool
    url: str


class CoursePageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[CourseOut]
    facets: dict[str, list[FacetCountOut]]


class CatalogueFilters(Schema):
    q: str = Field("", description='Search text: words, "a phrase", -exclude, OR.')
    field: list[str] = Field([], description="Field of action slugs")
    lever: list[str] = Field([], description="Lever of change slugs")
    step: list[str] = Field([], description="Transition Map step slugs")
    level: list[str] = Field([], description="introductory, intermediate, advanced")
    language: list[str] = Field([], description="ISO 639-1 codes")
    duration: list[str] = Field([], description="short (≤ 1 h), medium (≤ 3 h), long")
    sort: str = Field("relevance", description="relevance or date")
    page: int = Field(1, ge=1, le=100000)


class LessonOut(Schema):
    id: int
    title: str
    url: str


class ModuleOut(Schema):
    title: str
    lessons: list[LessonOut]


class CohortOut(Schema):
    id: int
    title: str
    starts_on: datetime.date
    ends_on: datetime.date
    facilitator: str | None


class CourseDetailOut(CourseOut):
    description: str
    pass_mark: int
    prerequisites: list[str] = Field(description="Keys of the courses to complete first")
    modules: list[ModuleOut]
    cohorts: list[CohortOut]


class StepOut(Schema):
    position: int
    course: str | None = Field(None, description="Course key")
    resource: int | None = Field(None, description="Knowledge resource id")
    title: str
    note: str
    url: str


class PathwayOut(Schema):
    key: str
    title: str
    goal: str
    description: str
    is_sample: bool
    steps: list[StepOut]
    url: str


class ProgressOut(Schema):
    done: int
    total: int
    percent: int
    completed: bool


class CourseEnrolmentOut(Schema):
    course: str
    title: str
    enrolled: datetime.datetime
    completed: datetime.datetime | None
    progress: ProgressOut
    resume_url: str | None


class PathwayEnrolmentOut(Schema):
    pathway: str
    title: str
    enrolled: datetime.datetime
    completed: datetime.datetime | None
    progress: ProgressOut


class CertificateOut(Schema):
    course: str
    issued_on: datetime.date
    verify_url: str


class MyLearningOut(Schema):
    courses: list[CourseEnrolmentOut]
    pathways: list[PathwayEnrolmentOut]
    certificates: list[CertificateOut]


def _progress(progress: Progress) -> dict:
    return {
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
        "completed": progress.completed,
    }


def _course(course: Course, lessons: int) -> dict:
    return {
        "key": course.key,
        "title": course.title,
        "summary": course.summary,
        "level": course.level,
        "duration_minutes": course.duration_minutes,
        "language": course.language,
        "step": course.step.slug if course.step_id else None,
        "fields": [t.slug for t in course.fields.all()],
        "levers": [t.slug for t in course.levers.all()],
        "lessons": lessons,
        "is_sample": course.is_sample,
        "url": course.get_absolute_url(),
    }


@router.get(
    "/courses",
    auth=OPTIONAL_AUTH,
    response={200: CoursePageOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Search the course catalogue",
)
def courses(request: HttpRequest, filters: Query[CatalogueFilters]) -> HttpResponse:
    """Published courses, ranked, with facet counts (unknown filter values are ignored)."""
    data = filters.dict()
    data["page"] = str(filters.page)
    params = CatalogueParams.from_query(data)

    def build() -> str:
        found = search_courses(params, per_page=PER_PAGE)
        page = {
            "count": found.results.total,
            "page": found.results.page,
            "pages": found.results.pages,
            "results": [_course(c, c.lesson_count) for c in found.courses],
            "facets": found.facet_counts(),
        }
        return CoursePageOut.model_validate(page).model_dump_json()

    body = cache.get_or_set(
        make_key("learning.api.courses", *catalogue_key(params)), build, RESULTS_SECONDS
    )
    return HttpResponse(body, content_type="application/json")


@router.get(
    "/courses/{key}",
    auth=OPTIONAL_AUTH,
    response={200: CourseDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="One course with its modules and lessons",
)
def course(request: HttpRequest, key: str) -> dict:
    c = get_course_for_user(request.user, key)
    plan = outline(c, request.user)
    return {
        **_course(c, len(plan.lessons)),
        "description": c.description,
        "pass_mark": c.pass_mark,
        "prerequisites": list(c.prerequisites.values_list("key", flat=True)),
        "modules": [
            {
                "title": m.title,
                "lessons": [
                    {"id": x.pk, "title": x.title, "url": f"{c.get_absolute_url()}lessons/{x.pk}/"}
                    for x in m.lessons.all()
                ],
            }
            for m in plan.modules
        ],
        "cohorts": [
            {
                "id": g.pk,
                "title": g.title,
                "starts_on": g.starts_on,
                "ends_on": g.ends_on,
                "facilitator": str(g.facilitator) if g.facilitator_id else None,
            }
            for g in c.cohorts.select_related("facilitator")
        ],
    }


def _pathway(p: Pathway) -> dict:
    return {
        "key": p.key,
        "title": p.title,
        "goal": p.goal,
        "description": p.description,
        "is_sample": p.is_sample,
        "url": p.get_absolute_url(),
        "steps": [
            {
                "position": n,
                "course": s.course.key if s.course_id else None,
                "resource": s.resource_id,
                "title": s.course.title if s.course_id else s.resource.title,
                "note": s.note,
                "url": (s.course or s.resource).get_absolute_url(),
            }
            for n, s in enumerate(p.steps.all(), start=1)
        ],
    }


@router.get(
    "/pathways",
    auth=OPTIONAL_AUTH,
    response={200: list[PathwayOut], 401: ErrorOut},
    summary="Published learning pathways with their steps",
)
def pathways(request: HttpRequest) -> list[dict]:
    return [_pathway(p) for p in Pathway.objects.published().with_steps()]


@router.get(
    "/pathways/{key}",
    auth=OPTIONAL_AUTH,
    response={200: PathwayOut, 401: ErrorOut, 404: ErrorOut},
    summary="One learning pathway",
)
def pathway(request: HttpRequest, key: str) -> dict:
    return _pathway(get_pathway_for_user(request.user, key))


@router.get(
    "/me/learning",
    auth=API_AUTH,
    response={200: MyLearningOut, 401: ErrorOut},
    summary="My enrolments, progress and certificates",
)
def my_enrolments(request: HttpRequest) -> dict:
    mine = my_learning(request.user)
    return {
        "courses": [
            {
                "course": row.enrolment.course.key,
                "title": row.enrolment.course.title,
                "enrolled": row.enrolment.enrolled,
                "completed": row.enrolment.completed,
                "progress": _progress(row.progress),
                "resume_url": row.enrolment.last_lesson.get_absolute_url()
                if row.enrolment.last_lesson_id
                else None,
            }
            for row in mine.courses
        ],
        "pathways": [
            {
                "pathway": row.enrolment.pathway.key,
                "title": row.enrolment.pathway.title,
                "enrolled": row.enrolment.enrolled,
                "completed": row.enrolment.completed,
                "progress": _progress(row.progress),
            }
            for row in mine.pathways
        ],
        "certificates": [
            {"course": c.course_title, "issued_on": c.issued_on, "verify_url": c.get_absolute_url()}
            for c in mine.certificates
        ],
    }


@router.post(
    "/courses/{key}/enrolment",
    auth=API_AUTH,
    response={200: ProgressOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Enrol in a course (again: no change); answers my progress in it",
)
def enrol(request: HttpRequest, key: str):
    c = get_course_for_user(request.user, key)
    try:
        services.enrol_in_course(c, user=request.user)
    except services.LearningError as error:
        raise HttpError(409, str(error)) from error
    return _progress(outline(c, request.user).progress)

"""City-to-city exchanges API: the published calls (public), a city's eligibility for a call,
my cities' applications, one application, and, for coordinators, a call's proposed or published
pairs with their score broken into its parts ("why this pair").

Times are answered in UTC (ISO 8601, `Z`), with the zone the call announces its window in and
the window's ends in that zone. An application is answered only to the people its policy lets
read it; another city's application, a city the person does not lead and a call's pairs for
anyone but a coordinator answer the same 404 as a missing one.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from netzerohub.accounts.auth import API_AUTH, OPTIONAL_AUTH
from netzerohub.cities.models import City, Membership
from netzerohub.core.api import ErrorOut, ValidationErrorOut
from netzerohub.core.languages import LANGUAGE_NAMES
from netzerohub.core.markdown import render_markdown
from netzerohub.core.models import Term
from netzerohub.events.api import utc

from . import eligibility
from .models import Application, Call, EligibilityRule, Pair, Question
from .policies import can_apply_for, get_application_for_user, get_call_for_user

router = Router(tags=["exchanges"])
PER_PAGE = 25
PAIRS_PER_PAGE = 100
CALL_KINDS = "|".join(Call.Kind.values)
PAIR_STATUSES = "|".join(Pair.Status.values)
# Never read for a list: the information page is the detail's.
UNLISTED = ("information",)


# --- schemas ---------------------------------------------------------------------------------


class RuleOut(Schema):
    kind: str = Field(description="The criterion, from the fixed rule set")
    says: str = Field(description="The rule in plain words")
    year: int | None = Field(None, description="Target year rules: the latest year")
    minimum: int | None = Field(None, description="Population, meetings, hours: at least")
    maximum: int | None = Field(None, description="Population: at most")
    group: str | None = Field(None, description="Meetings rules: the peer group's address")


class QuestionOut(Schema):
    id: int
    kind: str = Field(
        description="motivation, text, long-text, fields, levers, challenges, languages, "
        "representatives or hours"
    )
    label: str
    help_text: str
    required: bool


class CriterionOut(Schema):
    title: str
    description: str
    weight: int = Field(description="Its weight in the reviewers' total (0–10)")


class CallOut(Schema):
    slug: str
    title: str
    kind: str = Field(description="twinning-programme, study-visits or bilateral")
    summary: str
    status: str = Field(description="published (drafts and archived calls: the call's page)")
    phase: str = Field(description="upcoming, open or closed, now")
    opens_at: datetime.datetime = Field(description="UTC")
    closes_at: datetime.datetime = Field(description="UTC; applications are refused from then")
    time_zone: str = Field(description="The zone the call announces its window in")
    opens_local: datetime.datetime = Field(description="The opening in the call's zone")
    closes_local: datetime.datetime = Field(description="The closing in the call's zone")
    rules: list[RuleOut] = Field(description="Who may apply")
    questions: list[QuestionOut] = Field(description="The application form, in order")
    criteria: list[CriterionOut] = Field(description="What reviewers score (0–5 each)")
    matches_published_at: datetime.datetime | None = Field(None, description="UTC")
    is_sample: bool
    url: str


class CallPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[CallOut]


class CallDetailOut(CallOut):
    information: str = Field(description="The information page (Markdown)")
    information_html: str = Field(description="The information page rendered and sanitised")


class CallFilters(Schema):
    kind: str = Field("", pattern=f"^({CALL_KINDS})?$", description="A kind of call")
    open: bool = Field(False, description="Only the calls open for applications now")
    page: int = Field(1, ge=1, le=100000)


class CityRefOut(Schema):
    id: int
    name: str
    country: str = Field(description="ISO 3166-1 alpha-2 code")


class CheckOut(Schema):
    kind: str
    outcome: str = Field(description="met, failed or to-declare (in the application)")
    says: str = Field(description="The rule in plain words")
    why: str = Field(description="What is wrong, when it failed")
    fix: str = Field(description="How to put it right")
    fix_url: str = Field(description="Where to put it right (empty when nowhere)")


class EligibilityOut(Schema):
    call: str = Field(description="The call's address")
    city: CityRefOut
    eligible: bool = Field(
        description="No rule failed (rules still to declare in the application do not count "
        "against the city yet)"
    )
    application: int | None = Field(None, description="The city's application to the call")
    checks: list[CheckOut]


class ApplicationOut(Schema):
    id: int
    call: str = Field(description="The call's address")
    call_title: str
    city: CityRefOut
    status: str = Field(description="draft, submitted, withdrawn, accepted, waitlisted or rejected")
    submitted_at: datetime.datetime | None = Field(None, description="UTC")
    decided_at: datetime.datetime | None = Field(None, description="UTC")
    updated: datetime.datetime = Field(description="Last saved (UTC)")
    url: str


class ApplicationPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[ApplicationOut]


class AnswerOut(Schema):
    question: int = Field(description="The question's id")
    kind: str
    label: str = Field(description="The question")
    required: bool
    answer: Any = Field(
        None,
        description="As saved: text, a number of hours, slugs or language codes, or "
        "representatives ({name, role, english}); null when unanswered",
    )
    answer_labels: list[str] = Field(
        description="For fields, levers and languages: the names of what was chosen"
    )


class ApplicationDetailOut(ApplicationOut):
    created: datetime.datetime = Field(description="Started (UTC)")
    answers: list[AnswerOut] = Field(description="One per question of the call, in order")


class PartOut(Schema):
    part: str = Field(description="fields, levers, language, population, distance, challenges")
    value: float = Field(description="How well the pair does on it, 0–1")
    weight: float = Field(description="The call's weight of this part")
    points: float = Field(description="What it adds to the score (the points add up to it)")


class PairOut(Schema):
    id: int
    status: str = Field(description="proposed or published")
    score: float = Field(description="Compatibility, 0–100")
    application: int = Field(description="The applicant's application id")
    applicant: CityRefOut
    host: CityRefOut
    breakdown: list[PartOut] = Field(description="Why this pair: the score in its parts")
    created: datetime.datetime = Field(description="Matched (UTC)")
    url: str


class PairPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[PairOut]


# --- calls -----------------------------------------------------------------------------------


def _with_parts(calls: QuerySet) -> QuerySet:
    """Calls with their rules (and a rule's group), questions and criteria in one query each."""
    return calls.prefetch_related(
        Prefetch("rules", queryset=EligibilityRule.objects.select_related("group")),
        "questions",
        "criteria",
    )


def _local(moment: datetime.datetime, call: Call) -> datetime.datetime:
    return moment.astimezone(call.zone)


def _rule(rule: EligibilityRule) -> dict:
    return {
        "kind": rule.kind,
        "says": eligibility.describe(rule),
        "year": rule.year,
        "minimum": rule.minimum,
        "maximum": rule.maximum,
        "group": rule.group.slug if rule.group_id else None,
    }


def _call(call: Call, now: datetime.datetime) -> dict:
    """A call with its rules, questions and criteria prefetched (`_with_parts`)."""
    return {
        "slug": call.slug,
        "title": call.title,
        "kind": call.kind,
        "summary": call.summary,
        "status": call.status,
        "phase": call.phase(now),
        "opens_at": utc(call.opens_at),
        "closes_at": utc(call.closes_at),
        "time_zone": call.time_zone,
        "opens_local": _local(call.opens_at, call),
        "closes_local": _local(call.closes_at, call),
        "rules": [_rule(r) for r in call.rules.all()],
        "questions": [
            {
                "id": q.pk,
                "kind": q.kind,
                "label": q.label,
                "help_text": q.help_text,
                "required": q.required,
            }
            for q in call.questions.all()
        ],
        "criteria": [
            {"title": c.title, "description": c.description, "weight": c.weight}
            for c in call.criteria.all()
        ],
        "matches_published_at": utc(call.matches_published_at),
        "is_sample": call.is_sample,
        "url": call.get_absolute_url(),
    }


@router.get(
    "/calls",
    auth=OPTIONAL_AUTH,
    response={200: CallPageOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Calls for city-to-city exchanges",
)
def calls(request: HttpRequest, filters: Query[CallFilters]) -> dict:
    """Published calls, the latest opened first, each with its window, its rules in plain
    words, its questions and its review criteria. With `open=true`, only those open for
    applications now (checked in UTC)."""
    now = timezone.now()
    found = Call.objects.published() if not filters.open else Call.objects.open_at(now)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    # An exact count: a programme runs a handful of calls, and a new one must show at once.
    paginator = Paginator(_with_parts(found.defer(*UNLISTED)).order_by("-opens_at", "id"), PER_PAGE)
    page = paginator.get_page(filters.page)
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "results": [_call(c, now) for c in page.object_list],
    }


@router.get(
    "/calls/{slug}",
    auth=OPTIONAL_AUTH,
    response={200: CallDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="One call with its information page",
)
def call_detail(request: HttpRequest, slug: str) -> dict:
    """404 for a missing call and for a draft (coordinators see drafts) alike."""
    found = get_call_for_user(request.user, slug)
    found = _with_parts(Call.objects.filter(pk=found.pk)).get()
    return {
        **_call(found, timezone.now()),
        "information": found.information,
        "information_html": str(render_markdown(found.information)),
    }


@router.get(
    "/calls/{slug}/eligibility",
    auth=API_AUTH,
    response={200: EligibilityOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Whether one of my cities may apply to a call, rule by rule",
)
def call_eligibility(
    request: HttpRequest,
    slug: str,
    city: int = Query(..., description="The id of a city you lead"),  # noqa: B008 - how ninja declares it
) -> dict:
    """Every rule of the call checked for the city (and its application, when it has one):
    what the rule says, whether it is met, and for a failed one why and how to fix it. For the
    leads of the city only: 404 for a city you do not lead, as for a missing one."""
    user = request.auth
    found = get_call_for_user(user, slug)
    applicant = City.objects.select_related("country").filter(pk=city).first()
    if applicant is None or not can_apply_for(user, applicant):
        raise Http404
    application = Application.objects.for_call(found).for_city(applicant).active().first()
    checks = eligibility.check(eligibility.rules_of(found), applicant, application)
    return {
        "call": found.slug,
        "city": _city(applicant),
        "eligible": eligibility.is_eligible(checks),
        "application": application.pk if application else None,
        "checks": [
            {
                "kind": c.rule.kind,
                "outcome": c.outcome,
                "says": c.says,
                "why": c.why,
                "fix": c.fix,
                "fix_url": c.fix_url,
            }
            for c in checks
        ],
    }


# --- applications ----------------------------------------------------------------------------


def _city(city: City) -> dict:
    return {"id": city.pk, "name": city.name, "country": city.country.code}


def _application(application: Application) -> dict:
    """An application with its call and its city (and the city's country) loaded."""
    return {
        "id": application.pk,
        "call": application.call.slug,
        "call_title": application.call.title,
        "city": _city(application.city),
        "status": application.status,
        "submitted_at": utc(application.submitted_at),
        "decided_at": utc(application.decided_at),
        "updated": utc(application.updated),
        "url": application.get_absolute_url(),
    }


APPLICATION_FIELDS = (
    "status",
    "submitted_at",
    "decided_at",
    "updated",
    "call__slug",
    "call__title",
    "city__name",
    "city__country__code",
)


@router.get(
    "/me/applications",
    auth=API_AUTH,
    response={200: ApplicationPageOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="The applications of my cities",
)
def my_applications(
    request: HttpRequest,
    page: int = Query(1, ge=1, le=100000),  # noqa: B008 - how ninja declares it
) -> dict:
    """The applications of every city you are an approved member of (drafts and withdrawn ones
    too), the last saved first. A coordinator's list is that of their own cities as well: the
    review list is where they read the others."""
    user = request.auth
    cities = Membership.objects.approved().for_user(user).values("city_id")
    mine = (
        Application.objects.filter(city_id__in=cities)
        .select_related("call", "city__country")
        .only(*APPLICATION_FIELDS)
        .order_by("-updated", "-id")
    )
    # An exact count: one person's cities' applications, which change as they apply.
    paginator = Paginator(mine, PER_PAGE)
    found = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": found.number,
        "pages": paginator.num_pages,
        "results": [_application(a) for a in found.object_list],
    }


def _answer_labels(question: Question, value: Any, terms: dict[tuple[str, str], str]) -> list:
    if not isinstance(value, list):
        return []
    if question.kind == Question.Kind.LANGUAGES:
        return [str(LANGUAGE_NAMES.get(code, code)) for code in value]
    if question.kind in (Question.Kind.FIELDS, Question.Kind.LEVERS):
        kind = "field" if question.kind == Question.Kind.FIELDS else "lever"
        return [terms.get((kind, slug), slug) for slug in value]
    return []


@router.get(
    "/applications/{application_id}",
    auth=API_AUTH,
    response={200: ApplicationDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="One application with its answers",
)
def application_detail(request: HttpRequest, application_id: int) -> dict:
    """The application's answers, one per question of the call with the question's label.
    For the members of the city, coordinators and the call's reviewers (once submitted); a
    404 for anyone else, as for a missing application."""
    found = get_application_for_user(request.auth, application_id)
    questions = list(found.call.questions.order_by("position", "id"))
    slugs = {
        slug
        for q in questions
        if q.kind in (Question.Kind.FIELDS, Question.Kind.LEVERS)
        for slug in found.answers.get(str(q.pk)) or []
    }
    terms = {}
    if slugs:
        terms = {
            (t.kind, t.slug): t.name
            for t in Term.objects.filter(slug__in=slugs).only("kind", "slug", "name")
        }
    answers = []
    for question in questions:
        value = found.answers.get(str(question.pk))
        answers.append(
            {
                "question": question.pk,
                "kind": question.kind,
                "label": question.label,
                "required": question.required,
                "answer": value,
                "answer_labels": _answer_labels(question, value, terms),
            }
        )
    return {**_application(found), "created": utc(found.created), "answers": answers}


# --- pairs -----------------------------------------------------------------------------------


def _pair(pair: Pair) -> dict:
    parts = pair.breakdown.get("parts", []) if isinstance(pair.breakdown, dict) else []
    return {
        "id": pair.pk,
        "status": pair.status,
        "score": pair.score,
        "application": pair.application_id,
        "applicant": _city(pair.application.city),
        "host": _city(pair.offer.city),
        "breakdown": parts,
        "created": utc(pair.created),
        "url": pair.get_absolute_url(),
    }


@router.get(
    "/calls/{slug}/pairs",
    auth=API_AUTH,
    response={200: PairPageOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="A call's proposed or published pairs, with why (coordinators)",
)
def pairs(
    request: HttpRequest,
    slug: str,
    status: str = Query("", pattern=f"^({PAIR_STATUSES})?$", description="proposed or published"),  # noqa: B008
    page: int = Query(1, ge=1, le=100000),  # noqa: B008
) -> dict:
    """The pairs of the latest matching run (or the published ones), the most compatible
    first, each with its score broken into its parts. For coordinators: a 404 for everyone
    else, as for a missing call."""
    found = get_call_for_user(request.auth, slug, "manage")
    listed = (
        Pair.objects.for_call(found)
        .select_related("application__city__country", "offer__city__country")
        .only(
            "status",
            "score",
            "breakdown",
            "created",
            "application__city__name",
            "application__city__country__code",
            "offer__city__name",
            "offer__city__country__code",
        )
        .order_by("-score", "id")
    )
    if status:
        listed = listed.filter(status=status)
    paginator = Paginator(listed, PAIRS_PER_PAGE)
    chosen = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": chosen.number,
        "pages": paginator.num_pages,
        "results": [_pair(p) for p in chosen.object_list],
    }

"""Answering a survey: the list of surveys, a survey's page (start or continue, for a city or
oneself), a section's questions (each answer saved as it is given; without JavaScript the
section is sent as a whole and only what changed is saved), the review with the missing
answers and the submission, and the answers read-only (also after the survey closed).

A response is fetched through `policies.get_response_for_user`: another city's response is the
same 404 as a missing one. Every write goes through `services`; what they refuse is shown as a
message, with what was typed kept on the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netzerohub.cities.models import City, Membership
from netzerohub.core.markdown import render_markdown
from netzerohub.core.ratelimit import rate_limited

from . import answering, services
from .answering import AnswerError, State
from .forms import SectionAnswers, data_of, describe, typed, was_of
from .limits import (
    ANSWER_ACTION,
    ANSWERS_PER_HOUR,
    START_ACTION,
    STARTS_PER_HOUR,
    SUBMIT_ACTION,
    SUBMITS_PER_HOUR,
)
from .models import Response, Survey
from .panels import progress_of
from .policies import (
    answering_cities,
    approved_memberships,
    get_response_for_user,
    get_survey_for_user,
    may_answer_as_person,
    response_policy,
)

LISTED = 50  # surveys on the list page: the open ones and the latest closed ones


# --- the list and a survey's page ------------------------------------------------------------


def _closed_message(survey: Survey) -> str:
    """Why the survey takes no answers now ("" while it is open)."""
    try:
        services.check_open(survey)
    except services.SurveyError as error:
        return str(error)
    return ""


def _mine(user: Any, surveys: list[Survey]) -> dict[int, list[Response]]:
    """The responses `user` shares (their cities', their own) by survey id (one query)."""
    if not user.is_authenticated or not surveys:
        return {}
    found: dict[int, list[Response]] = {}
    rows = Response.objects.of(user).filter(survey__in=surveys).select_related("city")
    for response in rows.order_by("city__name", "id"):
        found.setdefault(response.survey_id, []).append(response)
    return found


def survey_list(request: HttpRequest) -> HttpResponse:
    """Published surveys: those open or opening soon, then the closed ones; for a signed-in
    person where their responses stand."""
    now = timezone.now()
    surveys = list(Survey.objects.listed()[:LISTED])
    mine = _mine(request.user, surveys)
    percent = progress_of(r for rs in mine.values() for r in rs)
    current, closed = [], []
    for survey in surveys:
        row = {
            "survey": survey,
            "phase": survey.phase(now),
            "opens": answering.moment(survey, survey.opens_at),
            "closes": answering.moment(survey, survey.closes_at),
            "choices": _choices(survey, request.user, mine.get(survey.pk, []), percent),
        }
        if row["phase"] == "closed":
            closed.append(row)
        else:
            row["minutes"] = answering.estimated_minutes(answering.structure(survey.pk))
            current.append(row)
    current.sort(key=lambda row: (row["survey"].closes_at, row["survey"].pk))
    return render(request, "surveys/respond/list.html", {"current": current, "closed": closed})


def _choices(
    survey: Survey, user: Any, responses: list[Response], percent: dict[int, int]
) -> list[dict[str, Any]]:
    """Whom `user` may answer `survey` for — each of their cities in its audience (one response
    per city), or themselves (one per person) — with the response and how far it is."""
    found = []
    if survey.per_city:
        by_city = {r.city_id: r for r in responses if r.city_id}
        for city in answering_cities(survey, user):
            response = by_city.get(city.pk)
            found.append(
                {"city": city, "response": response, "percent": _percent(percent, response)}
            )
    elif may_answer_as_person(survey, user):
        response = next((r for r in responses if r.person_id == user.pk), None)
        found.append({"city": None, "response": response, "percent": _percent(percent, response)})
    return found


def _audience(survey: Survey) -> str:
    if survey.audience == Survey.Audience.STATUSES:
        labels = dict(City.Status.choices)
        names = ", ".join(str(labels.get(s, s)) for s in survey.city_statuses)
        return _("Cities of these statuses: %(statuses)s") % {"statuses": names}
    return str(survey.get_audience_display())


def _outside(survey: Survey, user: Any) -> str:
    """Why a signed-in person may not answer (shown instead of the Start button)."""
    cities = [m.city for m in _approved(user)]
    if survey.per_city and not cities:
        return _(
            "This survey is answered by cities. Join your city's team on NetZero Hub to answer "
            "it with your colleagues."
        )
    if survey.per_city or survey.audience != Survey.Audience.EVERYONE:
        if not cities:
            return _(
                "This survey asks people of the programme's cities; you are not a member of one."
            )
        names = ", ".join(f"{c.name} ({c.get_status_display()})" for c in cities)
        return _("This survey asks %(audience)s. Your cities are not among them: %(cities)s.") % {
            "audience": _audience(survey).lower(),
            "cities": names,
        }
    return ""


def _approved(user: Any) -> list[Membership]:
    return list(approved_memberships(user).values())


@rate_limited(START_ACTION, limit=STARTS_PER_HOUR)
def survey_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A survey's introduction, how long it takes, when it is open and who answers it; the Start
    or Continue buttons (one per city when the person answers for several), which POST here."""
    survey = get_survey_for_user(request.user, slug)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return _start(request, survey)
    full = answering.structure(survey.pk)
    user = request.user
    responses = _mine(user, [survey]).get(survey.pk, [])
    choices = _choices(survey, user, responses, progress_of(responses))
    outside = _outside(survey, user) if user.is_authenticated and not choices else ""
    return render(
        request,
        "surveys/respond/survey.html",
        {
            "survey": survey,
            "introduction": render_markdown(survey.introduction),
            "minutes": answering.estimated_minutes(full),
            "questions": len(answering.asked(full)),
            "opens": answering.moment(survey, survey.opens_at),
            "closes": answering.moment(survey, survey.closes_at),
            "phase": survey.phase(),
            "closed_message": _closed_message(survey),
            "audience": _audience(survey),
            "choices": choices,
            "outside": outside,
            "responses": responses,
        },
    )


def _percent(percent: dict[int, int], response: Response | None) -> int | None:
    return percent.get(response.pk) if response is not None else None


def _section_url(response: Response, section_id: int) -> str:
    return reverse("surveys:section", args=[response.pk, section_id])


def _start(request: HttpRequest, survey: Survey) -> HttpResponse:
    """Start the city's (or one's own) response, or continue it where it stands."""
    city = None
    if survey.per_city:
        allowed = {c.pk: c for c in answering_cities(survey, request.user)}
        city = allowed.get(_int(request.POST.get("city")))
        if city is None:
            refusal = _("Choose one of your cities.") if allowed else _outside(survey, request.user)
            messages.error(request, refusal)
            return redirect(survey)
    elif not may_answer_as_person(survey, request.user):
        messages.error(request, _outside(survey, request.user))
        return redirect(survey)
    existing = {
        r.city_id if survey.per_city else r.person_id: r
        for r in _mine(request.user, [survey]).get(survey.pk, [])
    }
    before = existing.get(city.pk if city else request.user.pk)
    if before is not None and before.is_submitted:
        messages.info(request, _("This response is submitted: here are its answers."))
        return redirect("surveys:response", before.pk)
    try:
        response = services.start_response(survey, actor=request.user, city=city)
    except services.SurveyError as error:
        messages.error(request, str(error))
        return redirect(survey)
    if before is None and response.started_by_id != request.user.pk and city is not None:
        before = response  # started by a colleague a moment ago
    if before is not None and city is not None:
        messages.info(
            request,
            _(
                "%(city)s answers this survey once, together: you continue the response "
                "already started. Your colleagues' answers are kept, and yours are shared "
                "with them."
            )
            % {"city": city.name},
        )
    state = answering.state_of(answering.structure(survey.pk), response)
    return redirect(_section_url(response, state.resume().section.pk))


def _int(raw: Any) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None


# --- answering a section ---------------------------------------------------------------------


def _response_for(request: HttpRequest, pk: int) -> tuple[Response, Survey]:
    response = get_response_for_user(request.user, pk)
    return response, answering.structure(response.survey_id)


def _editable(user: Any, response: Response) -> bool:
    return response_policy.can(user, "answer", response) and response.survey.is_open()


def _rows(
    survey: Survey,
    state: State,
    section_id: int,
    sent: SectionAnswers | None = None,
) -> list[dict[str, Any]]:
    """Every asked question of the section (a conditional one not shown has an empty slot, which
    the autosave fills when the question comes to be shown), with what it shows."""
    shown = state.shown_ids
    rows = []
    for question in answering.asked(survey):
        if question.section_id != section_id:
            continue
        stored = state.answers.get(question.pk)
        row = {
            "question": question,
            "shown": question.pk in shown,
            "answer": stored,
            "was": was_of(stored),
            "error": "",
        }
        if sent is not None and question.pk in sent.typed:  # refused: show what was sent
            row["answer"] = sent.typed[question.pk]
            row["error"] = sent.errors.get(question.pk, "")
        rows.append(row)
    return rows


def _section_page(
    request: HttpRequest,
    response: Response,
    survey: Survey,
    state: State,
    current: answering.SectionState,
    sent: SectionAnswers | None = None,
    status: int = 200,
) -> HttpResponse:
    before, after = state.neighbours(current.section)
    context = {
        "response": response,
        "survey": survey,
        "state": state,
        "current": current,
        "description": render_markdown(current.section.description),
        "number": state.number(current.section),
        "rows": _rows(survey, state, current.section.pk, sent),
        "previous": before,
        "next": after,
        "editable": _editable(request.user, response),
        "closed_message": _closed_message(response.survey),
    }
    return render(request, "surveys/respond/section.html", context, status=status)


@login_required
@rate_limited(ANSWER_ACTION, limit=ANSWERS_PER_HOUR)
def section(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    """A section's questions. Each answer is saved as it is given (htmx); without JavaScript
    "Save and continue" sends the section, and only the questions changed on the page are
    saved (a colleague's answers to the others stay)."""
    response, survey = _response_for(request, pk)
    if response.is_submitted:
        return redirect("surveys:response", response.pk)
    state = answering.state_of(survey, response)
    current = next((s for s in state.sections if s.section.pk == section_id), None)
    if current is None:
        if any(s.pk == section_id for s in survey.sections.all()):
            messages.info(request, _("With the answers given so far, that section asks nothing."))
            return redirect("surveys:review", response.pk)
        raise Http404
    if request.method != "POST":
        return _section_page(request, response, survey, state, current)
    if not response_policy.can(request.user, "answer", response):
        raise Http404
    asked = [q for q in answering.asked(survey) if q.section_id == section_id]
    sent = SectionAnswers.read([q for q in asked if q.pk in state.shown_ids], request.POST)
    if sent.errors:
        messages.error(
            request,
            _("Nothing was saved: some answers need a change, see the questions marked below."),
        )
        return _section_page(request, response, survey, state, current, sent)
    # A question hidden by a choice made on this page is not saved (its answer is discarded
    # when the response is submitted anyway).
    shown_after = {
        q.pk
        for q in answering.shown(survey, sent.chosen_after(answering.chosen_options(state.answers)))
    }
    changes = {q: data for q, data in sent.changes.items() if q.pk in shown_after}
    try:
        saved = services.save_answers(response, changes, actor=request.user)
    except services.SurveyError as error:
        messages.error(request, str(error))
        return redirect("surveys:review", response.pk)
    except AnswerError as error:  # refused by the service although the page read it
        question = getattr(error, "question", None)
        if question is not None:
            sent.errors[question.pk] = str(error)
            sent.typed[question.pk] = typed(question, sent.changes[question])
        messages.error(request, _("Nothing was saved: %(error)s") % {"error": error})
        return _section_page(request, response, survey, state, current, sent)
    if saved:
        messages.success(request, _("Your answers are saved."))
    if "next" in request.POST:
        order = [s.pk for s in survey.sections.all()]
        after = answering.state_of(survey, response)  # a choice may have shown a section
        following = next(
            (
                s
                for s in after.sections
                if order.index(s.section.pk) > order.index(current.section.pk)
            ),
            None,
        )
        if following is not None:
            return redirect(_section_url(response, following.section.pk))
        return redirect("surveys:review", response.pk)
    return redirect(_section_url(response, section_id))


@require_POST
@rate_limited(ANSWER_ACTION, limit=ANSWERS_PER_HOUR)
def answer(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    """Save one answer (htmx, as it is given). Back come the question's status line (saved, or
    the refusal; the inputs keep what was typed), the progress, the sections' progress and an
    announcement; when the answer decides whether other questions of the section are shown,
    those that appear or disappear. A signed-out person gets a 401 rather than the sign-in page
    swapped into the question."""
    if not request.user.is_authenticated:
        if request.htmx:
            return HttpResponse(status=401)
        return redirect_to_login(request.get_full_path())
    response, survey = _response_for(request, pk)
    question = next((q for q in survey.questions.all() if q.pk == question_id), None)
    if question is None:
        raise Http404
    if not response.is_submitted and not response_policy.can(request.user, "answer", response):
        raise Http404
    controls = any(q.condition_question_id == question.pk for q in answering.asked(survey))
    shown_before = set()
    if controls:
        shown_before = {q.pk for q in answering.shown(survey, services.chosen_now(response))}
    data = data_of(question, request.POST)
    error = ""
    try:
        services.save_answer(response, question, data, actor=request.user)
    except AnswerError as refused:
        error = str(refused)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(_section_url(response, question.section_id) + f"#q-{question.key}")
    state = answering.state_of(survey, response)
    stored = state.answers.get(question.pk)
    appeared, changed = [], []
    if controls:
        for row in _rows(survey, state, question.section_id):
            if row["shown"] != (row["question"].pk in shown_before):
                changed.append(row)
                if row["shown"]:
                    appeared.append(row["question"])
    current = next((s for s in state.sections if s.section.pk == question.section_id), None)
    context = {
        "response": response,
        "survey": survey,
        "state": state,
        "current": current,
        "question": question,
        "answer": stored,
        "was": was_of(stored),
        "error": error,
        "changed": changed,
        "appeared": appeared,
        "editable": True,
    }
    return render(request, "surveys/respond/_answer_saved.html", context)


# --- review, submission, the answers read-only -------------------------------------------------


def _leads(response: Response) -> list[Any]:
    if response.city_id is None:
        return []
    memberships = Membership.objects.leads().for_city(response.city).select_related("user")
    return [m.user for m in memberships.order_by("user__name")]


def _summary(survey: Survey, state: State) -> list[dict[str, Any]]:
    """Each section's shown questions with their answers in words."""
    return [
        {
            "section": s,
            "rows": [
                {"question": q, "lines": describe(q, state.answers.get(q.pk))} for q in s.questions
            ],
        }
        for s in state.sections
    ]


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The answers so far, the required ones still missing (links to them) and, for whoever may,
    the submission."""
    response, survey = _response_for(request, pk)
    if response.is_submitted:
        return redirect("surveys:response", response.pk)
    state = answering.state_of(survey, response)
    context = {
        "response": response,
        "survey": survey,
        "state": state,
        "summary": _summary(survey, state),
        "missing": [
            (section, q, _section_url(response, section.pk) + f"#q-{q.key}")
            for section, q in state.missing
        ],
        "can_submit": response_policy.can(request.user, "submit", response),
        "can_answer": _editable(request.user, response),
        "closed_message": _closed_message(response.survey),
        "leads": _leads(response),
        "current": None,
    }
    return render(request, "surveys/respond/review.html", context)


@login_required
@require_POST
@rate_limited(SUBMIT_ACTION, limit=SUBMITS_PER_HOUR)
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    response = get_response_for_user(request.user, pk)
    if response.is_submitted:
        messages.info(request, _("This response is already submitted."))
        return redirect("surveys:response", response.pk)
    if not response_policy.can(request.user, "submit", response):
        raise Http404
    try:
        services.submit_response(response, actor=request.user)
    except services.MissingAnswers as error:
        messages.error(request, str(error))
        return redirect(reverse("surveys:review", args=[response.pk]) + "#missing")
    except services.SurveyError as error:
        messages.error(request, str(error))
        return redirect("surveys:review", response.pk)
    messages.success(request, _("Thank you: the response is submitted. Here are its answers."))
    return redirect("surveys:response", response.pk)


@login_required
def response_page(request: HttpRequest, pk: int) -> HttpResponse:
    """All answers of a response, read-only (after submitting, and after the survey closed)."""
    response, survey = _response_for(request, pk)
    state = answering.state_of(survey, response)
    context = {
        "response": response,
        "survey": survey,
        "state": state,
        "summary": _summary(survey, state),
        "can_answer": not response.is_submitted and _editable(request.user, response),
        "closed_message": _closed_message(response.survey),
        "submitted_at": (
            answering.moment(survey, response.submitted_at) if response.submitted_at else ""
        ),
    }
    return render(request, "surveys/respond/response.html", context)


urlpatterns = [
    path("", survey_list, name="list"),
    path("response/<int:pk>/", response_page, name="response"),
    path("response/<int:pk>/section/<int:section_id>/", section, name="section"),
    path("response/<int:pk>/question/<int:question_id>/", answer, name="answer"),
    path("response/<int:pk>/review/", review, name="review"),
    path("response/<int:pk>/submit/", submit, name="submit"),
    path("<slug:slug>/", survey_page, name="survey"),
]

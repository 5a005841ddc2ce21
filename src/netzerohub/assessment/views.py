"""City pages of the self-assessment: what it is, a city's assessments over time, answering
dimension by dimension (each answer saved as it is given), submitting, and the result with
its peer comparison, recommendations and PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netzerohub.cities.models import City, Membership
from netzerohub.cities.policies import get_city_for_user
from netzerohub.core.fragments import rendered, viewer
from netzerohub.core.ratelimit import rate_limited
from netzerohub.learning.caching import person_versions

from . import pdf, peers, recommendations, results, services
from .answering import DimensionState, State, estimated_minutes, state_of, structure
from .charts import Series, radar
from .forms import AnswersForm, answer_name, value_of
from .models import Assessment, Questionnaire
from .policies import assessment_policy, can_start, can_view_results_of, get_assessment_for_user
from .scoring import shown

QUESTIONNAIRE_SECONDS = 3600
RESULT_SECONDS = 600
CITY = "#0b6e4f"
PREVIOUS = "#5b3a8c"
MEDIAN = "#1b1f23"


def landing(request: HttpRequest) -> HttpResponse:
    """What the self-assessment is and, for members, where each of their cities stands."""
    questionnaire = Questionnaire.objects.current()
    cities = list(City.objects.where_member(request.user).order_by("name"))
    found = results.readiness_of(cities)
    return render(
        request,
        "assessment/landing.html",
        {
            "questionnaire": questionnaire,
            "minutes": estimated_minutes(structure(questionnaire.pk)) if questionnaire else None,
            "cities": [(city, found[city.pk]) for city in cities],
        },
    )


def questionnaire(request: HttpRequest) -> HttpResponse:
    """The published questionnaire in full, with its levels and how the scoring works."""
    current = Questionnaire.objects.current()
    if current is None:
        raise Http404

    def build() -> dict:
        full = structure(current.pk)
        return {"questionnaire": full, "minutes": estimated_minutes(full)}

    template = "assessment/_questionnaire_body.html"  # the same for everyone: no forms in it
    body = rendered(request, template, (current.pk,), build, seconds=QUESTIONNAIRE_SECONDS)
    return render(request, "assessment/questionnaire.html", {"body": body, "q": current})


def city_panel(city: City, user) -> dict:
    """The self-assessment card of "My city": the stage, the weakest dimensions, what to do."""
    readiness = results.readiness_of([city])[city.pk]
    return {"readiness": readiness, "city": city, "can_start": can_start(user, city)}


@login_required
def city_assessments(request: HttpRequest, city_pk: int) -> HttpResponse:
    """A city's assessment in progress and its results over time."""
    city = get_city_for_user(request.user, city_pk, "view_private")
    if not can_view_results_of(request.user, city):
        raise Http404
    history = list(Assessment.objects.for_city(city).history().select_related("stage"))
    in_progress = Assessment.objects.for_city(city).in_progress().first()
    dimensions = list(structure(history[-1].questionnaire_id).dimensions.all()) if history else []
    rows = [
        (d, [shown(a.scores.get(d.key)) for a in history]) for d in dimensions
    ]  # a dimension a version lacks shows as "—"
    return render(
        request,
        "assessment/city.html",
        {
            "city": city,
            "history": history,
            "rows": rows,
            "in_progress": in_progress,
            "can_start": can_start(request.user, city),
            "has_questionnaire": Questionnaire.objects.published().exists(),
        },
    )


@login_required
@require_POST
@rate_limited("assessment.start", limit=30)
def start(request: HttpRequest, city_pk: int) -> HttpResponse:
    city = get_city_for_user(request.user, city_pk, "view_private")
    if not can_start(request.user, city):
        raise Http404
    try:
        assessment = services.start_assessment(city, actor=request.user)
    except services.AssessmentError as error:
        messages.error(request, str(error))
        return redirect("assessment:city", city.pk)
    return redirect(assessment)


def _leads(assessment: Assessment) -> list:
    memberships = Membership.objects.leads().for_city(assessment.city_id).select_related("user")
    return [m.user for m in memberships]


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    """An assessment in progress: the progress, each dimension's state, what is missing, and
    (for a lead) the submit button. A submitted one shows its result instead."""
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.is_submitted:
        return redirect(assessment)
    state = state_of(assessment)
    context = {
        "assessment": assessment,
        "state": state,
        "minutes": estimated_minutes(state.questionnaire),
        "can_answer": assessment_policy.can(request.user, "answer", assessment),
        "can_submit": assessment_policy.can(request.user, "submit", assessment),
        "leads": _leads(assessment),
        "missing_error": "missing" in request.GET,  # after a refused submission
    }
    return render(request, "assessment/overview.html", context)


def _dimension_state(assessment: Assessment, key: str) -> tuple[State, DimensionState]:
    """The answering state and the dimension `key` of it; 404 for a key the version lacks."""
    state = state_of(assessment)
    current = next((d for d in state.dimensions if d.dimension.key == key), None)
    if current is None:
        raise Http404
    return state, current


def _dimension_page(
    request: HttpRequest,
    assessment: Assessment,
    state: State,
    current: DimensionState,
    form: AnswersForm | None = None,
) -> HttpResponse:
    rows = []
    for question in current.questions:
        stored = state.answers.get(question.pk)
        was = value_of(stored.level if stored else None, stored is not None)
        # After a refused save the page shows what was sent, so that nothing typed is lost.
        value = form.data.get(answer_name(question), was) if form is not None else was
        errors = form.errors.get(answer_name(question), []) if form is not None else []
        rows.append(
            {"question": question, "answer": stored, "value": value, "was": was, "errors": errors}
        )
    context = {
        "assessment": assessment,
        "state": state,
        "current": current,
        "number": state.number(current.dimension),
        "rows": rows,
        "next": state.after(current.dimension),
        "previous": state.before(current.dimension),
        "form": form,
        "can_answer": assessment_policy.can(request.user, "answer", assessment),
    }
    return render(request, "assessment/dimension.html", context)


@login_required
@rate_limited("assessment.answer", limit=1200)
def dimension(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """One dimension's questions. Each answer is saved as it is given (htmx); without
    JavaScript the "Save" buttons send the dimension, and only what changed is saved."""
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.is_submitted:
        return redirect(assessment)
    state, current = _dimension_state(assessment, key)
    if request.method != "POST":
        return _dimension_page(request, assessment, state, current)
    if not assessment_policy.can(request.user, "answer", assessment):
        raise Http404
    form = AnswersForm(request.POST, questions=current.questions)
    if not form.is_valid():
        messages.error(
            request, _("Some answers could not be saved: see the questions marked below.")
        )
        return _dimension_page(request, assessment, state, current, form=form)
    try:
        saved = services.save_answers(assessment, form.changes(), actor=request.user)
    except services.AssessmentError as error:
        messages.error(request, str(error))
        return redirect(assessment)
    if saved:
        messages.success(request, _("Your answers are saved."))
    following = state.after(current.dimension)
    if "next" in request.POST and following is not None:
        return redirect("assessment:dimension", assessment.pk, following.dimension.key)
    if "next" in request.POST:
        return redirect(assessment)
    return redirect("assessment:dimension", assessment.pk, key)


@require_POST
@rate_limited("assessment.answer", limit=1200)
def answer(request: HttpRequest, pk: int, question_key: str) -> HttpResponse:
    """Save one answer (sent by htmx as it is given). The answer's status line, the progress
    bar and a short announcement for screen readers come back; the inputs stay as they are.
    Someone signed out meanwhile gets a 401 (the page says the answer is not saved) rather than
    the sign-in page swapped into the question."""
    if not request.user.is_authenticated:
        if request.htmx:
            return HttpResponse(status=401)
        return redirect_to_login(request.get_full_path())
    assessment = get_assessment_for_user(request.user, pk)
    questionnaire = structure(assessment.questionnaire_id)
    question = next((q for q in questionnaire.questions.all() if q.key == question_key), None)
    if question is None:
        raise Http404
    if not assessment.is_submitted and not assessment_policy.can(
        request.user, "answer", assessment
    ):
        raise Http404
    form = AnswersForm(request.POST, questions=[question])
    error = ""
    saved = None
    if not form.is_valid():
        error = " ".join(form.errors.get(answer_name(question), []))
    elif question not in form.given():
        error = _("Choose a level to answer.")
    else:
        try:
            saved = services.save_answer(
                assessment, question, form.given()[question], actor=request.user
            )
        except services.AssessmentError as error_:
            error = str(error_)
    if not request.htmx:
        if error:
            messages.error(request, error)
        dimension = next(d for d in questionnaire.dimensions.all() if d.pk == question.dimension_id)
        return redirect(
            reverse("assessment:dimension", args=[assessment.pk, dimension.key])
            + f"#q-{question.key}"
        )
    state = state_of(assessment)
    answer_row = state.answers.get(question.pk)
    context = {
        "assessment": assessment,
        "state": state,
        "question": question,
        "answer": answer_row,
        "was": value_of(answer_row.level if answer_row else None, answer_row is not None),
        "error": error,
        "saved": saved,
        "number": [q.pk for q in state.of(question.dimension_id).questions].index(question.pk) + 1,
    }
    return render(request, "assessment/_answer_saved.html", context)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.is_submitted:
        messages.info(request, _("This assessment is already submitted."))
        return redirect(assessment)
    if not assessment_policy.can(request.user, "submit", assessment):
        raise Http404
    try:
        services.submit_assessment(assessment, actor=request.user)
    except services.MissingAnswers as error:
        messages.error(request, str(error))
        return redirect(reverse("assessment:overview", args=[assessment.pk]) + "?missing#missing")
    except services.AssessmentError as error:
        messages.error(request, str(error))
        return redirect(assessment)
    messages.success(request, _("The assessment is submitted. Here is your city's result."))
    return redirect("assessment:result", assessment.pk)


def _local_date(assessment: Assessment) -> str:
    """The day of the submission where the portal is (the page says the same)."""
    return formats.date_format(timezone.localdate(assessment.submitted_at), "j M Y")


def chart(result: results.Result) -> str:
    """The radar of a result: the city, its previous result and the median of all cities."""
    scored = result.dimensions
    series = [
        Series(
            _("This assessment (%(date)s)") % {"date": _local_date(result.assessment)},
            [d.score for d in scored],
            CITY,
            filled=True,
        )
    ]
    if result.previous is not None:
        series.append(
            Series(
                _("Previous assessment (%(date)s)") % {"date": _local_date(result.previous)},
                [d.previous for d in scored],
                PREVIOUS,
            )
        )
    everyone = next((g for g in result.shown_groups if g.group == "all"), None)
    if everyone is not None:
        series.append(
            Series(
                _("Median of all cities"),
                [everyone.medians.get(d.dimension.key) for d in scored],
                MEDIAN,
                dashed=True,
            )
        )
    return radar(
        [d.dimension.title for d in scored],
        series,
        title=_("Radar chart of the scores by dimension, 0 to 100; the table below gives them."),
        chart_id="radar",
    )


@login_required
def result(request: HttpRequest, pk: int) -> HttpResponse:
    """A submitted assessment's result. Its body is rendered once per viewer and then served
    from the cache until a figure of its peer groups, the recommendations' inputs or the
    viewer's enrolments change (the result itself never does)."""
    assessment = get_assessment_for_user(request.user, pk)
    if not assessment.is_submitted:
        raise Http404
    user = request.user
    can = can_start(user, assessment.city)
    comparison = peers.comparison(assessment)
    groups, computed = comparison
    parts = (
        assessment.pk,
        [g.as_displayed() for g in groups],
        computed.date() if computed else None,  # the page gives the day of the figures
        *recommendations.inputs(user),
        person_versions([user.pk])[user.pk],  # what the viewer follows (the enrol buttons)
        can,
        *viewer(request),
    )

    def build() -> dict:
        found = results.build(assessment, comparison)
        recommended = recommendations.recommend(found, user)
        return {
            "assessment": assessment,
            "result": found,
            "chart": chart(found),
            "sections": recommendations.sections(user, recommended),
            "can_start": can,
        }

    body = rendered(request, "assessment/_result_body.html", parts, build, seconds=RESULT_SECONDS)
    return render(request, "assessment/result.html", {"assessment": assessment, "body": body})


@login_required
def result_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    if not assessment.is_submitted:
        raise Http404
    found = results.build(assessment)
    recommended = recommendations.recommend(found, request.user)
    body = pdf.render_result(found, chart(found), recommended, request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="application/pdf")
    day = timezone.localdate(assessment.submitted_at)
    filename = f"self-assessment-{assessment.city.pk}-{day:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

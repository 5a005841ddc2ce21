"""The survey builder, for coordinators: the list of surveys, a survey's settings, its sections
and questions (add, edit, move, hide, delete), the preview as respondents see it, publishing,
and duplicating a survey for a new round. Everyone else is asked to sign in, then gets a 404.

Every write goes through `services`; a `SurveyError` (a refusal such as deleting an answered
question) is shown as a message with the input kept. The builder's pages read the survey's
cached structure (`answering.structure`), so their query count does not grow with the number of
questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from netzerohub.cities.models import City
from netzerohub.core.paging import paginate
from netzerohub.core.policies import coordinator_only

from . import answering, services
from .build_forms import KIND_GROUPS, DuplicateForm, QuestionForm, SectionForm, SurveyForm
from .models import Question, Response, Section, Survey
from .services import SurveyError

PHASES = {
    "draft": _l("Draft"),
    "scheduled": _l("Scheduled"),
    "open": _l("Open"),
    "closed": _l("Closed"),
}


# --- reading -----------------------------------------------------------------------------------


def _survey(slug: str) -> Survey:
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        raise Http404
    return survey


def _section(survey: Survey, section_id: int) -> Section:
    section = Section.objects.filter(survey=survey, pk=section_id).select_related("survey").first()
    if section is None:
        raise Http404
    return section


def _question(survey: Survey, question_id: int) -> Question:
    found = (
        Question.objects.filter(survey=survey, pk=question_id)
        .select_related("survey", "section", "condition_question__section")
        .first()
    )
    if found is None:
        raise Http404
    return found


def _response_counts(survey: Survey) -> dict[str, int]:
    rows = (
        Response.objects.filter(survey=survey)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(Response.Status.values, 0)
    counts.update(dict(rows))
    return counts


def _audience(survey: Survey) -> str:
    if survey.audience == Survey.Audience.STATUSES:
        labels = dict(City.Status.choices)
        names = ", ".join(str(labels.get(s, s)) for s in survey.city_statuses)
        return _("Cities of a status: %(statuses)s") % {"statuses": names}
    return str(survey.get_audience_display())


def _times(survey: Survey) -> dict[str, str]:
    return {
        "opens": answering.moment(survey, survey.opens_at),
        "closes": answering.moment(survey, survey.closes_at),
    }


def estimate_note() -> str:
    """How the estimated time is computed (the rule of `answering.estimated_minutes`)."""
    seconds = answering.SECONDS
    return _(
        "Each question asked counts a typical time: %(single)s s for a single choice, "
        "%(multiple)s s for a multiple choice, %(picker)s s for a picker of fields or levers, "
        "%(likert)s s for a scale, %(number)s s for a number, %(short)s s for a short text, "
        "%(long)s s for a long text, a matrix %(row)s s a row and a ranking %(rank)s s an item; "
        "plus %(section)s s to read each section. Conditional questions count as if "
        "shown, hidden ones not at all. The sum is rounded up to whole minutes, and above ten "
        "minutes up to the next five."
    ) % {
        "single": seconds["single"],
        "multiple": seconds["multiple"],
        "picker": seconds["fields"],
        "likert": seconds["likert"],
        "number": seconds["number"],
        "short": seconds["short_text"],
        "long": seconds["long_text"],
        "row": answering.SECONDS_PER_MATRIX_ROW,
        "rank": answering.SECONDS_PER_RANKED_OPTION,
        "section": answering.SECONDS_PER_SECTION,
    }


def _home(survey: Survey) -> str:
    return reverse("surveys:survey-edit", args=[survey.slug])


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"surveys/build/{template}", context)


def _error(request: HttpRequest, error: Exception) -> None:
    messages.error(request, str(error))


def _validation_messages(form: Any, error: ValidationError) -> None:
    """A model's ValidationError raised by a service, onto the form's fields."""
    if hasattr(error, "error_dict"):
        for name, problems in error.error_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error)


# --- surveys -----------------------------------------------------------------------------------


@coordinator_only
def manage(request: HttpRequest) -> HttpResponse:
    """Every survey, newest first: its phase, dates and responses (submitted, in progress)."""
    surveys = Survey.objects.annotate(
        submitted=Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED)),
        in_progress=Count("responses", filter=Q(responses__status=Response.Status.IN_PROGRESS)),
    ).order_by("-opens_at", "-id")
    page = paginate(surveys, request.GET.get("page"))
    rows = list(page.object_list)
    for survey in rows:
        survey.phase_name = survey.phase()
        survey.phase_label = PHASES[survey.phase_name]
        survey.times = _times(survey)
    return _page(request, "list.html", {"page": page, "surveys": rows})


@coordinator_only
def survey_create(request: HttpRequest) -> HttpResponse:
    return _settings(request, Survey())


@coordinator_only
def survey_settings(request: HttpRequest, slug: str) -> HttpResponse:
    return _settings(request, _survey(slug))


def _settings(request: HttpRequest, survey: Survey) -> HttpResponse:
    creating = survey.pk is None
    saved_as = survey.title
    form = SurveyForm(request.POST if request.method == "POST" else None, instance=survey)
    if form.is_bound and form.is_valid():
        try:
            saved = services.save_survey(form.instance, actor=request.user)
        except ValidationError as error:
            _validation_messages(form, error)
            if creating:
                form.instance.pk, form.instance.slug = None, ""
        else:
            times = _times(saved)
            messages.success(
                request,
                _("Survey saved. It opens %(opens)s and closes %(closes)s.") % times,
            )
            return redirect("surveys:survey-edit", saved.slug)
    context = {"form": form, "survey": survey, "creating": creating, "saved_as": saved_as}
    if not creating:
        context["times"] = _times(Survey.objects.get(pk=survey.pk))
    return _page(request, "settings.html", context)


@coordinator_only
def survey_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The builder's home: the survey's state and its sections with their questions."""
    survey = _survey(slug)
    structure = answering.structure(survey.pk)
    by_section: dict[int, list[Question]] = {}
    for question in structure.questions.all():
        by_section.setdefault(question.section_id, []).append(question)
    sections = [(s, by_section.get(s.pk, [])) for s in structure.sections.all()]
    phase = survey.phase()
    context = {
        "survey": survey,
        "sections": sections,
        "phase": phase,
        "phase_label": PHASES[phase],
        "times": _times(survey),
        "audience": _audience(survey),
        "minutes": answering.estimated_minutes(structure),
        "estimate_note": estimate_note(),
        "counts": _response_counts(survey),
        "kinds": Question.Kind.choices,
    }
    return _page(request, "home.html", context)


@coordinator_only
@require_POST
def survey_publish(request: HttpRequest, slug: str) -> HttpResponse:
    survey = _survey(slug)
    published = request.POST.get("published") == "1"
    try:
        services.set_published(survey, published, actor=request.user)
    except SurveyError as error:
        _error(request, error)
    else:
        if published:
            messages.success(
                request,
                _("Survey published: it opens %(opens)s and closes %(closes)s.") % _times(survey),
            )
        else:
            messages.success(request, _("The survey is a draft again."))
    return redirect("surveys:survey-edit", survey.slug)


@coordinator_only
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The survey as respondents see it: every section and every question asked (read-only)."""
    survey = _survey(slug)
    structure = answering.structure(survey.pk)
    asked = answering.asked(structure)
    by_section: dict[int, list[Question]] = {}
    for question in asked:
        by_section.setdefault(question.section_id, []).append(question)
    sections = [(s, by_section[s.pk]) for s in structure.sections.all() if s.pk in by_section]
    context = {
        "survey": structure,
        "sections": sections,
        "minutes": answering.estimated_minutes(structure),
        "times": _times(survey),
    }
    return _page(request, "preview.html", context)


@coordinator_only
def survey_duplicate(request: HttpRequest, slug: str) -> HttpResponse:
    """A draft copy for a new round (hidden questions left out)."""
    survey = _survey(slug)
    form = DuplicateForm(
        request.POST if request.method == "POST" else None,
        survey=survey,
        initial={"title": survey.title},
    )
    if form.is_bound and form.is_valid():
        try:
            copy = services.duplicate_survey(
                survey,
                actor=request.user,
                title=form.cleaned_data["title"],
                opens_at=form.times.opens_at,
                closes_at=form.times.closes_at,
            )
        except SurveyError as error:
            _error(request, error)
        except ValidationError as error:
            _validation_messages(form, error)
        else:
            messages.success(
                request,
                _("A draft copy for the new round was made: “%(title)s”.") % {"title": copy},
            )
            return redirect("surveys:survey-edit", copy.slug)
    return _page(request, "duplicate.html", {"form": form, "survey": survey})


# --- sections ----------------------------------------------------------------------------------


@coordinator_only
def section_create(request: HttpRequest, slug: str) -> HttpResponse:
    survey = _survey(slug)
    return _section_form(request, survey, Section(survey=survey))


@coordinator_only
def section_edit(request: HttpRequest, slug: str, section_id: int) -> HttpResponse:
    survey = _survey(slug)
    return _section_form(request, survey, _section(survey, section_id))


def _section_form(request: HttpRequest, survey: Survey, section: Section) -> HttpResponse:
    saved_as = section.title
    form = SectionForm(request.POST if request.method == "POST" else None, instance=section)
    if form.is_bound and form.is_valid():
        services.save_section(form.instance, actor=request.user)
        messages.success(request, _("Section saved: %(title)s") % {"title": section.title})
        return redirect(f"{_home(survey)}#section-{section.pk}")
    context = {"form": form, "survey": survey, "section": section, "saved_as": saved_as}
    return _page(request, "section_form.html", context)


@coordinator_only
def section_delete(request: HttpRequest, slug: str, section_id: int) -> HttpResponse:
    survey = _survey(slug)
    section = _section(survey, section_id)
    problem = ""
    if request.method == "POST":
        try:
            services.delete_section(section, actor=request.user)
        except SurveyError as error:
            problem = str(error)
        else:
            messages.success(request, _("Section deleted: %(title)s") % {"title": section.title})
            return redirect("surveys:survey-edit", survey.slug)
    context = {"survey": survey, "section": section, "problem": problem}
    return _page(request, "section_delete.html", context)


@coordinator_only
@require_POST
def section_move(request: HttpRequest, slug: str, section_id: int) -> HttpResponse:
    """Move a section one place up or down; refused when a condition would then point at a later
    question."""
    survey = _survey(slug)
    section = _section(survey, section_id)
    structure = answering.structure(survey.pk)
    up = request.POST.get("direction") == "up"
    order = list(Section.objects.filter(survey=survey))
    index = next(i for i, s in enumerate(order) if s.pk == section.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(order):
        return redirect(f"{_home(survey)}#section-{section.pk}")
    first, second = (order[other_index], section) if up else (section, order[other_index])
    # After the move `second` comes first: no question of it may depend on one of `first`.
    blocked = next(
        (
            q
            for q in structure.questions.all()
            if q.section_id == second.pk
            and q.condition_question_id is not None
            and q.condition_question.section_id == first.pk
        ),
        None,
    )
    if blocked is not None:
        messages.error(
            request,
            _(
                "“%(q)s” is shown depending on a question of “%(section)s”: it must stay after "
                "it. Change that condition first."
            )
            % {"q": blocked.text, "section": first.title},
        )
        return redirect(f"{_home(survey)}#section-{section.pk}")
    order[index], order[other_index] = order[other_index], order[index]
    with transaction.atomic():
        for position, row in enumerate(order, start=1):
            if row.position != position:
                row.position = position
                services.save_section(row, actor=request.user)
    return redirect(f"{_home(survey)}#section-{section.pk}")


# --- questions ---------------------------------------------------------------------------------


@coordinator_only
def question_create(request: HttpRequest, slug: str, section_id: int) -> HttpResponse:
    survey = _survey(slug)
    section = _section(survey, section_id)
    kind = request.GET.get("kind", "")
    initial = {"kind": kind} if kind in Question.Kind.values else {}
    question = Question(survey=survey, section=section)
    return _question_form(request, survey, question, initial=initial)


@coordinator_only
def question_edit(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    survey = _survey(slug)
    return _question_form(request, survey, _question(survey, question_id))


def _question_form(
    request: HttpRequest, survey: Survey, question: Question, initial: dict | None = None
) -> HttpResponse:
    creating = question.pk is None
    saved_as = question.text
    structure = answering.structure(survey.pk)
    data = request.POST if request.method == "POST" else None
    form = QuestionForm(data, instance=question, structure=structure, initial=initial)
    if form.is_bound and form.is_valid():
        condition, condition_options = form.chosen_condition()
        question.condition_question = condition
        try:
            saved = services.save_question(
                question,
                actor=request.user,
                options=form.option_labels() if question.kind in KIND_GROUPS["options"] else None,
                condition_options=condition_options,
            )
        except SurveyError as error:
            _error(request, error)
            if creating:
                question.pk, question.key, question.position = None, "", 0
        except ValidationError as error:
            _validation_messages(form, error)
            if creating:
                question.pk, question.key, question.position = None, "", 0
        else:
            messages.success(request, _("Question saved: %(text)s") % {"text": saved.text})
            return redirect(f"{_home(survey)}#question-{saved.pk}")
    context = {
        "form": form,
        "survey": survey,
        "question": question,
        "section": question.section,
        "creating": creating,
        "saved_as": saved_as,
        "kind_groups": KIND_GROUPS,
        "kind_labels": dict(Question.Kind.choices),
    }
    return _page(request, "question_form.html", context)


@coordinator_only
def question_delete(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """Delete a question nobody answered; once answered, the page says so and offers to hide
    it instead."""
    survey = _survey(slug)
    question = _question(survey, question_id)
    problem = ""
    if request.method == "POST":
        try:
            services.delete_question(question, actor=request.user)
        except SurveyError as error:
            problem = str(error)
        else:
            messages.success(request, _("Question deleted: %(text)s") % {"text": question.text})
            return redirect(f"{_home(survey)}#section-{question.section_id}")
    context = {"survey": survey, "question": question, "problem": problem}
    return _page(request, "question_delete.html", context)


@coordinator_only
@require_POST
def question_hide(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    survey = _survey(slug)
    question = _question(survey, question_id)
    hidden = request.POST.get("hidden") == "1"
    services.set_hidden(question, hidden, actor=request.user)
    if hidden:
        messages.success(
            request,
            _("Question hidden: “%(text)s” is no longer asked; its answers are kept.")
            % {"text": question.text},
        )
    else:
        messages.success(request, _("Question asked again: %(text)s") % {"text": question.text})
    return redirect(f"{_home(survey)}#question-{question.pk}")


def _moved(rows: Sequence[Question], index: int, other: int) -> list[Question]:
    order = list(rows)
    order[index], order[other] = order[other], order[index]
    return order


@coordinator_only
@require_POST
def question_move(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """Move a question one place up or down in its section; refused when it would come before
    the question it depends on, or after one that depends on it."""
    survey = _survey(slug)
    question = _question(survey, question_id)
    up = request.POST.get("direction") == "up"
    siblings = list(
        Question.objects.filter(section_id=question.section_id).select_related(
            "survey", "section", "condition_question__section"
        )
    )
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    back = f"{_home(survey)}#question-{question.pk}"
    if not 0 <= other < len(siblings):
        return redirect(back)
    first, second = (siblings[other], question) if up else (question, siblings[other])
    if second.condition_question_id == first.pk:
        messages.error(
            request,
            _("“%(q)s” is shown depending on “%(on)s”: it must stay after it.")
            % {"q": second.text, "on": first.text},
        )
        return redirect(back)
    before = {q.pk: q.position for q in siblings}
    order = _moved(siblings, index, other)
    by_pk = {q.pk: q for q in order}
    for position, row in enumerate(order, start=1):
        row.position = position
        if row.condition_question_id in by_pk:  # compared with the new positions
            row.condition_question = by_pk[row.condition_question_id]
    changed = [row for row in order if row.position != before[row.pk]]
    try:
        with transaction.atomic():
            for row in changed:
                services.save_question(row, actor=request.user)
    except SurveyError as error:
        _error(request, error)
    return redirect(back)


urlpatterns = [
    path("manage/", manage, name="manage"),
    path("manage/new/", survey_create, name="survey-create"),
    path("manage/<slug:slug>/", survey_edit, name="survey-edit"),
    path("manage/<slug:slug>/settings/", survey_settings, name="survey-settings"),
    path("manage/<slug:slug>/preview/", preview, name="preview"),
    path("manage/<slug:slug>/publish/", survey_publish, name="survey-publish"),
    path("manage/<slug:slug>/duplicate/", survey_duplicate, name="survey-duplicate"),
    path("manage/<slug:slug>/sections/new/", section_create, name="section-create"),
    path("manage/<slug:slug>/sections/<int:section_id>/", section_edit, name="section-edit"),
    path(
        "manage/<slug:slug>/sections/<int:section_id>/delete/",
        section_delete,
        name="section-delete",
    ),
    path("manage/<slug:slug>/sections/<int:section_id>/move/", section_move, name="section-move"),
    path(
        "manage/<slug:slug>/sections/<int:section_id>/questions/new/",
        question_create,
        name="question-create",
    ),
    path("manage/<slug:slug>/questions/<int:question_id>/", question_edit, name="question-edit"),
    path(
        "manage/<slug:slug>/questions/<int:question_id>/delete/",
        question_delete,
        name="question-delete",
    ),
    path(
        "manage/<slug:slug>/questions/<int:question_id>/hide/", question_hide, name="question-hide"
    ),
    path(
        "manage/<slug:slug>/questions/<int:question_id>/move/", question_move, name="question-move"
    ),
]

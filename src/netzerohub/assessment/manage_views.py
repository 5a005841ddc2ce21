"""Coordinators' pages: questionnaire versions (a draft is edited, then published and frozen),
the recommendation weights, and the distribution of results across cities with its exports.
Every page answers 404 to anyone who is not a coordinator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netzerohub.core.models import Term
from netzerohub.core.policies import coordinator_only

from . import authoring, exports
from .answering import structure
from .charts import bars, ranges
from .distribution import Distribution
from .forms import (
    DimensionForm,
    DistributionForm,
    DraftForm,
    QuestionForm,
    SettingsForm,
    StageForm,
    WeightsForm,
)
from .models import Dimension, Question, Questionnaire
from .policies import get_questionnaire_for_user
from .services import AssessmentError

OFFSETS = {"up": -1, "down": 1}


def _version(request: HttpRequest, pk: int) -> Questionnaire:
    return get_questionnaire_for_user(request.user, pk, "author")


def _back(questionnaire: Questionnaire) -> HttpResponse:
    return redirect("assessment:version", questionnaire.pk)


def _refused(request: HttpRequest, questionnaire: Questionnaire, error: AssessmentError):
    messages.error(request, str(error))
    return _back(questionnaire)


@coordinator_only
def versions(request: HttpRequest) -> HttpResponse:
    rows = Questionnaire.objects.annotate(
        question_count=Count("questions", distinct=True),
        assessment_count=Count("assessments", distinct=True),
    ).order_by("key", "-created", "-id")
    return render(request, "assessment/manage.html", {"versions": rows})


@coordinator_only
def version(request: HttpRequest, pk: int) -> HttpResponse:
    """A version's structure; a draft with its edit links and what stands in its way."""
    full = Questionnaire.objects.with_structure().filter(pk=pk).first()
    if full is None:
        raise Http404
    questions = list(full.questions.all())
    context = {
        "questionnaire": full,
        "dimensions": [
            (d, [q for q in questions if q.dimension_id == d.pk]) for d in full.dimensions.all()
        ],
        "problems": authoring.publication_problems(full) if full.is_draft else [],
        "draft_form": DraftForm(),
        "assessments": full.assessments.count(),
    }
    return render(request, "assessment/version.html", context)


@coordinator_only
@require_POST
def new_draft(request: HttpRequest, pk: int) -> HttpResponse:
    source = _version(request, pk)
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new draft a version label."))
        return _back(source)
    if Questionnaire.objects.filter(key=source.key, version=form.cleaned_data["version"]).exists():
        messages.error(
            request,
            _("Another version is already called %(v)s.") % {"v": form.cleaned_data["version"]},
        )
        return _back(source)
    draft = authoring.create_draft(source, actor=request.user, version=form.cleaned_data["version"])
    messages.success(
        request, _("Draft %(v)s created: edit it, then publish it.") % {"v": draft.version}
    )
    return _back(draft)


@coordinator_only
def settings_edit(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _version(request, pk)
    if not questionnaire.is_draft:
        return _back(questionnaire)
    form = SettingsForm(request.POST or None, instance=Questionnaire.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            authoring.save_settings(questionnaire, actor=request.user, values=form.cleaned_data)
        except AssessmentError as error:
            form.add_error("version", str(error))
        else:
            messages.success(request, _("Saved."))
            return _back(questionnaire)
    return render(
        request,
        "assessment/edit_form.html",
        {"questionnaire": questionnaire, "form": form, "heading": _("Title and texts")},
    )


@coordinator_only
def stages_edit(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _version(request, pk)
    if not questionnaire.is_draft:
        return _back(questionnaire)
    stages = list(questionnaire.stages.all())
    forms = [StageForm(request.POST or None, instance=s, prefix=s.key) for s in stages]
    if request.method == "POST" and all(f.is_valid() for f in forms):
        values = {f.instance.key: f.cleaned_data for f in forms}
        try:
            authoring.save_stages(questionnaire, actor=request.user, values=values)
        except AssessmentError as error:
            return _refused(request, questionnaire, error)
        messages.success(request, _("Stages saved."))
        return _back(questionnaire)
    return render(
        request, "assessment/stages_form.html", {"questionnaire": questionnaire, "forms": forms}
    )


@coordinator_only
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _version(request, pk)
    try:
        authoring.publish(questionnaire, actor=request.user)
    except AssessmentError as error:
        return _refused(request, questionnaire, error)
    messages.success(
        request,
        _("Version %(v)s is published: new assessments use it, those started keep theirs.")
        % {"v": questionnaire.version},
    )
    return _back(questionnaire)


@coordinator_only
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _version(request, pk)
    try:
        authoring.delete_draft(questionnaire, actor=request.user)
    except AssessmentError as error:
        return _refused(request, questionnaire, error)
    messages.success(request, _("The draft is deleted."))
    return redirect("assessment:manage")


@coordinator_only
def dimension_edit(request: HttpRequest, pk: int, dimension_pk: int | None = None) -> HttpResponse:
    questionnaire = _version(request, pk)
    dimension = None
    if dimension_pk is not None:
        dimension = questionnaire.dimensions.filter(pk=dimension_pk).first()
        if dimension is None:
            raise Http404
    if not questionnaire.is_draft:
        return _back(questionnaire)
    form = DimensionForm(request.POST or None, instance=dimension)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.save_dimension(
                questionnaire, dimension, actor=request.user, values=form.cleaned_data
            )
        except AssessmentError as error:
            return _refused(request, questionnaire, error)
        messages.success(request, _("Dimension saved."))
        return _back(questionnaire)
    heading = dimension.title if dimension else _("New dimension")
    return render(
        request,
        "assessment/edit_form.html",
        {"questionnaire": questionnaire, "form": form, "heading": heading},
    )


def _move_or_delete(request: HttpRequest, obj: Any, *, move: Callable, delete: Callable) -> None:
    """Move `obj` up or down, or delete it, as the posted `action` says (a message either way)."""
    action = request.POST.get("action", "")
    if action not in {*OFFSETS, "delete"}:
        raise Http404
    try:
        if action == "delete":
            delete(obj, actor=request.user)
            messages.success(request, _("Deleted."))
        else:
            move(obj, actor=request.user, offset=OFFSETS[action])
    except AssessmentError as error:
        messages.error(request, str(error))


@coordinator_only
@require_POST
def dimension_action(request: HttpRequest, pk: int, dimension_pk: int) -> HttpResponse:
    questionnaire = _version(request, pk)
    dimension = Dimension.objects.filter(pk=dimension_pk, questionnaire=questionnaire).first()
    if dimension is None:
        raise Http404
    _move_or_delete(
        request, dimension, move=authoring.move_dimension, delete=authoring.delete_dimension
    )
    return _back(questionnaire)


@coordinator_only
def question_edit(
    request: HttpRequest,
    pk: int,
    question_pk: int | None = None,
    dimension_pk: int | None = None,
) -> HttpResponse:
    questionnaire = _version(request, pk)
    question = None
    if question_pk is not None:
        question = Question.objects.filter(pk=question_pk, questionnaire=questionnaire).first()
        if question is None:
            raise Http404
        dimension = question.dimension
    else:
        dimension = questionnaire.dimensions.filter(pk=dimension_pk).first()
        if dimension is None:
            raise Http404
    if not questionnaire.is_draft:
        return _back(questionnaire)
    initial = {"dimension": dimension.pk} if question is None else None
    form = QuestionForm(
        request.POST or None, instance=question, initial=initial, questionnaire=questionnaire
    )
    if request.method == "POST" and form.is_valid():
        try:
            authoring.save_question(dimension, question, actor=request.user, values=form.values())
        except AssessmentError as error:
            return _refused(request, questionnaire, error)
        messages.success(request, _("Question saved."))
        return redirect(f"{questionnaire.get_absolute_url()}#dimension-{dimension.key}")
    heading = _("Question") if question else _("New question in “%(d)s”") % {"d": dimension.title}
    return render(
        request,
        "assessment/edit_form.html",
        {"questionnaire": questionnaire, "form": form, "heading": heading},
    )


@coordinator_only
@require_POST
def question_action(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    questionnaire = _version(request, pk)
    question = Question.objects.filter(pk=question_pk, questionnaire=questionnaire).first()
    if question is None:
        raise Http404
    anchor = f"#dimension-{question.dimension.key}"
    _move_or_delete(
        request, question, move=authoring.move_question, delete=authoring.delete_question
    )
    return redirect(questionnaire.get_absolute_url() + anchor)


@coordinator_only
def weights(request: HttpRequest) -> HttpResponse:
    """The weights of the recommendations' ranking, per dimension and per taxonomy term."""
    current = Questionnaire.objects.current()
    dimensions = list(structure(current.pk).dimensions.all()) if current else []
    terms = list(Term.objects.order_by("kind", "position", "name"))
    form = WeightsForm(request.POST or None, dimensions=dimensions, terms=terms)
    if request.method == "POST" and form.is_valid():
        changed = authoring.save_weights(actor=request.user, weights=form.weights())
        messages.success(request, _("%(n)s weights changed.") % {"n": changed})
        return redirect("assessment:weights")
    return render(request, "assessment/weights.html", {"form": form})


@coordinator_only
def distribution(request: HttpRequest) -> HttpResponse:
    """Stages and dimension scores across cities, by country and population band."""
    form = DistributionForm(request.GET or None)
    current = Questionnaire.objects.current()
    found = Distribution.of(current, group=form.selected()) if current else None
    context = {"form": form, "found": found}
    if found is not None and found.selected is not None:
        group = found.selected
        context["stage_chart"] = bars(
            [(s.label, n) for s, n in zip(found.stages, group.stages, strict=True)],
            title=_("Cities per stage: %(group)s") % {"group": found.group_label},
            chart_id="stages",
        )
        context["range_chart"] = ranges(
            [(d.title, d.lower_quartile, d.median, d.upper_quartile) for d in found.dimensions],
            title=_("Median and quartiles of each dimension: %(group)s; the table gives them.")
            % {"group": found.group_label},
            chart_id="ranges",
        )
    return render(request, "assessment/distribution.html", context)


@coordinator_only
def distribution_export(request: HttpRequest, file_format: str) -> HttpResponse:
    current = Questionnaire.objects.current()
    if file_format not in exports.FORMATS or current is None:
        raise Http404
    return exports.distribution_file(Distribution.of(current), file_format)

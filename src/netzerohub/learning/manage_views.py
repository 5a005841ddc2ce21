"""Coordinators' pages: draft courses, arrange modules and lessons, write quizzes, publish;
curate pathways; run cohorts. Every page answers 404 to anyone who is not a coordinator."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netzerohub.core.policies import coordinator_only

from . import authoring
from .forms import (
    CohortForm,
    CourseForm,
    LessonForm,
    ModuleForm,
    MoveLessonForm,
    PathwayForm,
    QuestionForm,
    StepForm,
)
from .models import Cohort, Course, Lesson, Module, Pathway, PathwayStep, Question, Status
from .progress import outline
from .services import LearningError

OFFSETS = {"up": -1, "down": 1}


def _course(key: str) -> Course:
    course = Course.objects.filter(key=key).first()
    if course is None:
        raise Http404
    return course


def _builder(course: Course) -> HttpResponse:
    return redirect("learning:course-builder", course.key)


@coordinator_only
def overview(request: HttpRequest) -> HttpResponse:
    courses = Course.objects.annotate(
        lesson_count=Count("lessons", distinct=True),
        learner_count=Count("enrolments", distinct=True),
    ).order_by("status", "title")
    pathways = Pathway.objects.annotate(step_count=Count("steps")).order_by("position", "title")
    return render(request, "learning/manage.html", {"courses": courses, "pathways": pathways})


@coordinator_only
def course_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
    course = _course(key) if key else None
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        try:
            saved = authoring.save_course(course, actor=request.user, values=form.cleaned_data)
        except LearningError as error:
            form.add_error("prerequisites", str(error))
        else:
            messages.success(request, _("Course saved."))
            return _builder(saved)
    return render(request, "learning/course_form.html", {"form": form, "course": course})


@coordinator_only
def course_builder(request: HttpRequest, key: str) -> HttpResponse:
    course = _course(key)
    plan = outline(course, request.user)
    context = {
        "course": course,
        "outline": plan,
        "module_form": ModuleForm(),
        "problems": authoring.publication_problems(course),
        "cohorts": course.cohorts.select_related("facilitator"),
        "learners": course.enrolments.count(),
    }
    return render(request, "learning/course_builder.html", context)


def _change_status(request: HttpRequest, obj: Course | Pathway, change: Callable) -> None:
    """Publish, withdraw or archive `obj` as the posted `status` says, with a message."""
    status = request.POST.get("status", "")
    if status not in Status.values:
        raise Http404
    try:
        change(obj, actor=request.user, status=status)
    except LearningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Status: %(status)s.") % {"status": obj.get_status_display()})


@coordinator_only
@require_POST
def course_status(request: HttpRequest, key: str) -> HttpResponse:
    course = _course(key)
    _change_status(request, course, authoring.set_course_status)
    return _builder(course)


@coordinator_only
@require_POST
def module_add(request: HttpRequest, key: str) -> HttpResponse:
    course = _course(key)
    form = ModuleForm(request.POST)
    if form.is_valid():
        authoring.save_module(
            None, actor=request.user, course=course, title=form.cleaned_data["title"]
        )
        messages.success(request, _("Module added."))
    else:
        messages.error(request, _("Give the module a title."))
    return _builder(course)


@coordinator_only
@require_POST
def module_action(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    course = _course(key)
    module = Module.objects.filter(pk=pk, course=course).first()
    if module is None:
        raise Http404
    operation = request.POST.get("operation")
    try:
        if operation in OFFSETS:
            authoring.move_module(module, actor=request.user, offset=OFFSETS[operation])
        elif operation == "rename":
            form = ModuleForm(request.POST)
            if not form.is_valid():
                raise LearningError(_("Give the module a title."))
            authoring.save_module(module, actor=request.user, title=form.cleaned_data["title"])
        elif operation == "delete":
            authoring.delete_module(module, actor=request.user)
        else:
            raise Http404
    except LearningError as error:
        messages.error(request, str(error))
    return _builder(course)


@coordinator_only
def lesson_edit(
    request: HttpRequest, key: str, pk: int | None = None, module_pk: int | None = None
) -> HttpResponse:
    course = _course(key)
    lesson = module = None
    if pk is not None:
        lesson = Lesson.objects.filter(pk=pk, course=course).first()
        if lesson is None:
            raise Http404
    else:
        module = Module.objects.filter(pk=module_pk, course=course).first()
        if module is None:
            raise Http404
    form = LessonForm(request.POST or None, instance=lesson)
    if request.method == "POST" and form.is_valid():
        saved = authoring.save_lesson(
            lesson, actor=request.user, module=module, values=form.values()
        )
        messages.success(request, _("Lesson saved."))
        return redirect("learning:lesson-edit", course.key, saved.pk)
    questions = list(lesson.questions.prefetch_related("choices")) if lesson else []
    context = {
        "course": course,
        "lesson": lesson,
        "module": module or (lesson.module if lesson else None),
        "form": form,
        "questions": questions,
        "modules": course.modules.all(),
    }
    return render(request, "learning/lesson_form.html", context)


@coordinator_only
@require_POST
def lesson_action(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    course = _course(key)
    lesson = Lesson.objects.filter(pk=pk, course=course).select_related("module").first()
    if lesson is None:
        raise Http404
    operation = request.POST.get("operation")
    try:
        if operation in OFFSETS:
            authoring.move_lesson(lesson, actor=request.user, offset=OFFSETS[operation])
        elif operation == "move":
            form = MoveLessonForm(request.POST, course=course)
            if not form.is_valid():
                raise LearningError(" ".join(form.errors["module"]))
            authoring.move_lesson(lesson, actor=request.user, module=form.cleaned_data["module"])
        elif operation == "delete":
            authoring.delete_lesson(lesson, actor=request.user)
            messages.success(request, _("Lesson deleted."))
        else:
            raise Http404
    except LearningError as error:
        messages.error(request, str(error))
    return _builder(course)


@coordinator_only
def question_edit(
    request: HttpRequest, key: str, pk: int | None = None, lesson_pk: int | None = None
) -> HttpResponse:
    course = _course(key)
    question = lesson = None
    if pk is not None:
        question = (
            Question.objects.filter(pk=pk, lesson__course=course).select_related("lesson").first()
        )
        if question is None:
            raise Http404
        lesson = question.lesson
    else:
        lesson = Lesson.objects.filter(pk=lesson_pk, course=course).first()
        if lesson is None:
            raise Http404
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.save_question(
                question,
                actor=request.user,
                lesson=lesson,
                values=form.values(),
                answers=form.cleaned_data["answers"],
            )
        except LearningError as error:
            form.add_error("answers", str(error))
        else:
            messages.success(request, _("Question saved."))
            return redirect("learning:lesson-edit", course.key, lesson.pk)
    context = {"course": course, "lesson": lesson, "question": question, "form": form}
    return render(request, "learning/question_form.html", context)


@coordinator_only
@require_POST
def question_delete(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    course = _course(key)
    question = (
        Question.objects.filter(pk=pk, lesson__course=course).select_related("lesson").first()
    )
    if question is None:
        raise Http404
    lesson = question.lesson
    authoring.delete_question(question, actor=request.user)
    messages.success(request, _("Question deleted."))
    return redirect("learning:lesson-edit", course.key, lesson.pk)


@coordinator_only
def cohort_edit(request: HttpRequest, key: str, pk: int | None = None) -> HttpResponse:
    course = _course(key)
    group = None
    if pk is not None:
        group = Cohort.objects.filter(pk=pk, course=course).first()
        if group is None:
            raise Http404
    form = CohortForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.save_cohort(group, actor=request.user, course=course, values=form.values())
        except LearningError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Cohort saved."))
            return _builder(course)
    return render(
        request, "learning/cohort_form.html", {"course": course, "cohort": group, "form": form}
    )


def _pathway(key: str) -> Pathway:
    pathway = Pathway.objects.with_steps().filter(key=key).first()
    if pathway is None:
        raise Http404
    return pathway


@coordinator_only
def pathway_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
    pathway = _pathway(key) if key else None
    form = PathwayForm(request.POST or None, instance=pathway)
    if request.method == "POST" and form.is_valid():
        saved = authoring.save_pathway(pathway, actor=request.user, values=form.cleaned_data)
        messages.success(request, _("Pathway saved."))
        return redirect("learning:pathway-edit", saved.key)
    context = {
        "pathway": pathway,
        "form": form,
        "step_form": StepForm(),
        "steps": list(pathway.steps.all()) if pathway else [],
    }
    return render(request, "learning/pathway_form.html", context)


@coordinator_only
@require_POST
def pathway_status(request: HttpRequest, key: str) -> HttpResponse:
    pathway = _pathway(key)
    _change_status(request, pathway, authoring.set_pathway_status)
    return redirect("learning:pathway-edit", pathway.key)


@coordinator_only
@require_POST
def step_add(request: HttpRequest, key: str) -> HttpResponse:
    pathway = _pathway(key)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            authoring.add_pathway_step(
                pathway,
                actor=request.user,
                course=form.cleaned_data["course"],
                resource=form.cleaned_data["resource"],
                note=form.cleaned_data["note"],
            )
        except LearningError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Step added."))
            return redirect("learning:pathway-edit", pathway.key)
    context = {
        "pathway": pathway,
        "form": PathwayForm(instance=pathway),
        "step_form": form,
        "steps": list(pathway.steps.all()),
    }
    return render(request, "learning/pathway_form.html", context, status=400)


@coordinator_only
@require_POST
def step_action(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    pathway = _pathway(key)
    step = PathwayStep.objects.filter(pk=pk, pathway=pathway).first()
    if step is None:
        raise Http404
    operation = request.POST.get("operation")
    if operation in OFFSETS:
        authoring.move_pathway_step(step, actor=request.user, offset=OFFSETS[operation])
    elif operation == "remove":
        authoring.remove_pathway_step(step, actor=request.user)
    else:
        raise Http404
    return redirect("learning:pathway-edit", pathway.key)

"""Writes of the coordinators' side: courses, modules, lessons, quizzes, pathways, cohorts.

A lesson is edited and moved in place (same row, same id), so learners' progress survives any
edit of a published course. A lesson that learners have done cannot be deleted (its progress
would go with it); a published course always keeps at least one lesson and sound quizzes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.ordering import move_among

from .caching import content_changed
from .indexing import reindex_course
from .models import (
    Choice,
    Cohort,
    Course,
    Lesson,
    Module,
    Pathway,
    PathwayStep,
    Question,
    Status,
)
from .services import LearningError

register_labels(
    {
        "learning.course.saved": _l("Course saved"),
        "learning.course.status": _l("Course published or withdrawn"),
        "learning.module.saved": _l("Course module changed"),
        "learning.lesson.saved": _l("Lesson saved"),
        "learning.lesson.deleted": _l("Lesson deleted"),
        "learning.quiz.saved": _l("Quiz changed"),
        "learning.pathway.saved": _l("Pathway changed"),
        "learning.cohort.saved": _l("Cohort saved"),
    }
)

COURSE_M2M = ("fields", "levers", "prerequisites")


def _log(action: str, **kwargs: Any) -> None:
    """Audit an authoring change; learners' cached pages show it from the next request."""
    log_action(action, **kwargs)
    content_changed()


def unique_key(model: type[models.Model], title: str, prefix: str = "") -> str:
    base = (prefix + slugify(title))[:100] or model._meta.model_name
    key, n = base, 1
    while model.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


def _apply(obj: models.Model, values: Mapping[str, Any], m2m: Sequence[str] = ()) -> None:
    for name, value in values.items():
        if name not in m2m:
            setattr(obj, name, value)
    obj.save()
    for name in m2m:
        if name in values:
            getattr(obj, name).set(values[name])


def _next_position(queryset: models.QuerySet) -> int:
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1


# --- courses ---------------------------------------------------------------------------------


@transaction.atomic
def save_course(course: Course | None, *, actor: Any, values: Mapping[str, Any]) -> Course:
    """Create a draft course (`course` None) or change one; a published one is re-indexed."""
    if course is None:
        course = Course(key=unique_key(Course, values["title"]), created_by=actor)
    prerequisites = values.get("prerequisites") or []
    if course.pk and any(p.pk == course.pk or _requires(p, course) for p in prerequisites):
        raise LearningError(_("A course cannot require itself, even through another course."))
    _apply(course, values, COURSE_M2M)
    _log("learning.course.saved", actor=actor, target=course, data={"key": course.key})
    reindex_course(course)
    return course


def _requires(course: Course, other: Course, seen: set[int] | None = None) -> bool:
    """Whether `course` needs `other`, directly or through its prerequisites."""
    seen = seen if seen is not None else set()
    for prerequisite in course.prerequisites.all():
        if prerequisite.pk == other.pk:
            return True
        if prerequisite.pk not in seen:
            seen.add(prerequisite.pk)
            if _requires(prerequisite, other, seen):
                return True
    return False


def publication_problems(course: Course) -> list[str]:
    """What stops `course` from being published (empty when it may be)."""
    problems = []
    if not course.lessons.exists():
        problems.append(_("Add at least one lesson."))
    for question in Question.objects.filter(lesson__course=course).prefetch_related("choices"):
        right = sum(c.is_correct for c in question.choices.all())
        if len(question.choices.all()) < 2 or right == 0:
            problems.append(
                _("The question “%(q)s” needs at least two answers, one of them right.")
                % {"q": question.text}
            )
        elif question.kind == Question.Kind.SINGLE and right != 1:
            problems.append(
                _("The question “%(q)s” takes one answer but marks %(n)s as right.")
                % {"q": question.text, "n": right}
            )
    return problems


@transaction.atomic
def set_course_status(course: Course, *, actor: Any, status: str) -> Course:
    """Publish, withdraw to draft, or archive a course (learners keep their progress)."""
    if status == Status.PUBLISHED:
        problems = publication_problems(course)
        if problems:
            raise LearningError(" ".join(problems))
        course.published_at = course.published_at or timezone.now()
    course.status = status
    course.save(update_fields=["status", "published_at", "updated"])
    _log("learning.course.status", actor=actor, target=course, data={"status": status})
    reindex_course(course)
    return course


# --- modules and lessons ---------------------------------------------------------------------


@transaction.atomic
def save_module(
    module: Module | None, *, actor: Any, course: Course | None = None, title: str
) -> Module:
    if module is None:
        assert course is not None
        module = Module(course=course, position=_next_position(course.modules))
    module.title = title
    module.save()
    _log("learning.module.saved", actor=actor, target=module.course, data={"module": title})
    return module


@transaction.atomic
def delete_module(module: Module, *, actor: Any) -> None:
    if module.lessons.exists():
        raise LearningError(_("Move or delete the module's lessons first."))
    _log("learning.module.saved", actor=actor, target=module.course, data={"deleted": module.title})
    module.delete()


@transaction.atomic
def move_module(module: Module, *, actor: Any, offset: int) -> None:
    move_among(module, module.course.modules.all(), offset)
    _log("learning.module.saved", actor=actor, target=module.course, data={"moved": module.pk})


@transaction.atomic
def save_lesson(
    lesson: Lesson | None,
    *,
    actor: Any,
    module: Module | None = None,
    values: Mapping[str, Any],
) -> Lesson:
    """Create a lesson at the end of `module`, or edit one in place (it keeps its id)."""
    if lesson is None:
        assert module is not None
        lesson = Lesson(
            module=module,
            key=unique_key(Lesson, values["title"], prefix=f"{module.course.key[:40]}-"),
            position=_next_position(module.lessons),
        )
    _apply(lesson, values, ("resources",))
    _log("learning.lesson.saved", actor=actor, target=lesson.course, data={"lesson": lesson.pk})
    reindex_course(lesson.course)
    return lesson


@transaction.atomic
def move_lesson(
    lesson: Lesson, *, actor: Any, offset: int = 0, module: Module | None = None
) -> Lesson:
    """Move a lesson up or down in its module, or to the end of another module of the course."""
    if module is not None and module.pk != lesson.module_id:
        if module.course_id != lesson.course_id:
            raise LearningError(_("A lesson moves only within its course."))
        lesson.module = module
        lesson.position = _next_position(module.lessons)
        lesson.save(update_fields=["module", "position", "course", "updated"])
    elif offset:
        move_among(lesson, lesson.module.lessons.all(), offset)
    _log("learning.lesson.saved", actor=actor, target=lesson.course, data={"moved": lesson.pk})
    return lesson


@transaction.atomic
def delete_lesson(lesson: Lesson, *, actor: Any) -> None:
    done = lesson.progress.count()
    if done:
        raise LearningError(
            _(
                "%(n)s learners have done this lesson; deleting it would erase their progress. "
                "Edit or move it instead."
            )
            % {"n": done}
        )
    course = lesson.course
    if course.status == Status.PUBLISHED and course.lessons.count() == 1:
        raise LearningError(_("A published course keeps at least one lesson."))
    _log("learning.lesson.deleted", actor=actor, target=course, data={"lesson": lesson.title})
    lesson.delete()
    reindex_course(course)


# --- quizzes ---------------------------------------------------------------------------------


def parse_answers(text: str) -> list[tuple[str, bool]]:
    """Answers written one per line, the right ones starting with "[x]" (others "[ ]" or none)."""
    answers = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        right = line[:3].lower() == "[x]"
        if line.startswith("[") and line[2:3] == "]":
            line = line[3:].strip()
        if line:
            answers.append((line[:300], right))
    return answers


def format_answers(question: Question) -> str:
    return "\n".join(f"[{'x' if c.is_correct else ' '}] {c.text}" for c in question.choices.all())


@transaction.atomic
def save_question(
    question: Question | None,
    *,
    actor: Any,
    lesson: Lesson | None = None,
    values: Mapping[str, Any],
    answers: Sequence[tuple[str, bool]],
) -> Question:
    """Create or edit a quiz question with its answers (existing answers keep their ids)."""
    right = sum(1 for _text, is_right in answers if is_right)
    if len(answers) < 2 or right == 0:
        raise LearningError(_("Give at least two answers and mark at least one as right."))
    if values.get("kind") == Question.Kind.SINGLE and right != 1:
        raise LearningError(_("A one-answer question has exactly one right answer."))
    if question is None:
        assert lesson is not None
        question = Question(lesson=lesson, position=_next_position(lesson.questions))
    _apply(question, values)
    existing = list(question.choices.order_by("position", "id"))
    for position, (text, is_right) in enumerate(answers, start=1):
        choice = existing[position - 1] if position <= len(existing) else Choice(question=question)
        choice.text, choice.is_correct, choice.position = text, is_right, position
        choice.save()
    Choice.objects.filter(pk__in=[c.pk for c in existing[len(answers) :]]).delete()
    _log(
        "learning.quiz.saved",
        actor=actor,
        target=question.lesson.course,
        data={"question": question.pk},
    )
    return question


@transaction.atomic
def delete_question(question: Question, *, actor: Any) -> None:
    """Delete a question (without questions left, the lesson is done by marking it as read)."""
    course = question.lesson.course
    _log("learning.quiz.saved", actor=actor, target=course, data={"deleted": question.text})
    question.delete()


# --- pathways --------------------------------------------------------------------------------


@transaction.atomic
def save_pathway(pathway: Pathway | None, *, actor: Any, values: Mapping[str, Any]) -> Pathway:
    if pathway is None:
        pathway = Pathway(key=unique_key(Pathway, values["title"]))
    _apply(pathway, values)
    _log("learning.pathway.saved", actor=actor, target=pathway, data={"key": pathway.key})
    return pathway


@transaction.atomic
def set_pathway_status(pathway: Pathway, *, actor: Any, status: str) -> Pathway:
    if status == Status.PUBLISHED and not pathway.steps.exists():
        raise LearningError(_("Add at least one course or resource before publishing."))
    pathway.status = status
    pathway.save(update_fields=["status", "updated"])
    _log("learning.pathway.saved", actor=actor, target=pathway, data={"status": status})
    return pathway


@transaction.atomic
def add_pathway_step(
    pathway: Pathway,
    *,
    actor: Any,
    course: Course | None = None,
    resource: Any = None,
    note: str = "",
) -> PathwayStep:
    if (course is None) == (resource is None):
        raise LearningError(_("Choose a course or a resource."))
    if course is not None and pathway.steps.filter(course=course).exists():
        raise LearningError(_("This course is already a step of the pathway."))
    if resource is not None and pathway.steps.filter(resource=resource).exists():
        raise LearningError(_("This resource is already a step of the pathway."))
    step = PathwayStep.objects.create(
        pathway=pathway,
        course=course,
        resource=resource,
        note=note,
        position=_next_position(pathway.steps),
    )
    _log("learning.pathway.saved", actor=actor, target=pathway, data={"added": step.pk})
    return step


@transaction.atomic
def remove_pathway_step(step: PathwayStep, *, actor: Any) -> None:
    _log("learning.pathway.saved", actor=actor, target=step.pathway, data={"removed": step.pk})
    step.delete()


@transaction.atomic
def move_pathway_step(step: PathwayStep, *, actor: Any, offset: int) -> None:
    move_among(step, step.pathway.steps.all(), offset)
    _log("learning.pathway.saved", actor=actor, target=step.pathway, data={"moved": step.pk})


# --- cohorts ---------------------------------------------------------------------------------


@transaction.atomic
def save_cohort(
    cohort: Cohort | None, *, actor: Any, course: Course | None = None, values: Mapping[str, Any]
) -> Cohort:
    if values["ends_on"] < values["starts_on"]:
        raise LearningError(_("A cohort ends on or after the day it starts."))
    if cohort is None:
        assert course is not None
        cohort = Cohort(course=course)
    _apply(cohort, values)
    _log("learning.cohort.saved", actor=actor, target=cohort.course, data={"cohort": cohort.pk})
    return cohort

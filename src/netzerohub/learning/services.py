"""Writes of the learner's side: enrolment, lesson progress, quizzes, completion, certificates.

Every function is atomic and audited. A course is complete when every one of its lessons is
done; a lesson with a quiz is done when the quiz is passed (score at least the course's pass
mark), so "all lessons done" includes "all quizzes passed". Completing a course issues its
certificate once and completes every pathway of the learner that it finishes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.core import personal_data
from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.notifications import notify

from .caching import person_changed
from .models import (
    Certificate,
    Cohort,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Pathway,
    PathwayStep,
    QuizAttempt,
    Status,
    StepProgress,
)

register_labels(
    {
        "learning.enrolment.created": _l("Enrolled in a course or pathway"),
        "learning.enrolment.left": _l("Left a course or pathway"),
        "learning.lesson.completed": _l("Lesson completed"),
        "learning.quiz.submitted": _l("Quiz answered"),
        "learning.course.completed": _l("Course completed"),
        "learning.pathway.completed": _l("Pathway completed"),
        "learning.certificate.issued": _l("Certificate issued"),
    }
)


class LearningError(Exception):
    """A request the programme refuses; the message is shown to the person as it is."""


# --- enrolment -------------------------------------------------------------------------------


def missing_prerequisites(course: Course, user: Any) -> list[Course]:
    """The prerequisite courses of `course` that `user` has not completed, in title order."""
    required = list(course.prerequisites.order_by("title"))
    if not required:
        return []
    done = set(
        Enrolment.objects.for_user(user)
        .completed_courses()
        .filter(course__in=required)
        .values_list("course_id", flat=True)
    )
    return [c for c in required if c.pk not in done]


@transaction.atomic
def enrol_in_course(course: Course, *, user: Any, cohort: Cohort | None = None) -> Enrolment:
    """Enrol `user` (again: the existing enrolment is returned, its cohort updated).

    Refused for an unpublished course, an unmet prerequisite (the message names them) and a
    cohort of another course or one that has ended.
    """
    if course.status != Status.PUBLISHED:
        raise LearningError(_("This course is not open for enrolment."))
    if cohort is not None and (cohort.course_id != course.pk or cohort.ends_on < _today()):
        raise LearningError(_("This cohort is not open for enrolment."))
    existing = Enrolment.objects.filter(user=user, course=course).first()
    if existing is not None:
        if cohort is not None and existing.cohort_id != cohort.pk:
            existing.cohort = cohort
            existing.save(update_fields=["cohort"])
            person_changed(user.pk)
        return existing
    missing = missing_prerequisites(course, user)
    if missing:
        names = ", ".join(f"“{c.title}”" for c in missing)
        raise LearningError(_("Complete these courses first: %(names)s.") % {"names": names})
    enrolment = Enrolment.objects.create(user=user, course=course, cohort=cohort)
    person_changed(user.pk)
    log_action(
        "learning.enrolment.created",
        actor=user,
        target=enrolment,
        data={"course": course.key, "cohort": cohort.pk if cohort else None},
    )
    return enrolment


@transaction.atomic
def enrol_in_pathway(pathway: Pathway, *, user: Any) -> Enrolment:
    if pathway.status != Status.PUBLISHED:
        raise LearningError(_("This pathway is not open for enrolment."))
    enrolment, created = Enrolment.objects.get_or_create(user=user, pathway=pathway)
    if created:
        person_changed(user.pk)
        log_action(
            "learning.enrolment.created",
            actor=user,
            target=enrolment,
            data={"pathway": pathway.key},
        )
        _complete_pathways(user, [enrolment])  # every step may already be done
    return enrolment


@transaction.atomic
def leave(enrolment: Enrolment, *, user: Any) -> None:
    """Stop following a course or pathway. Lessons done and certificates are kept."""
    log_action(
        "learning.enrolment.left",
        actor=user,
        target=enrolment,
        data={"course": enrolment.course_id, "pathway": enrolment.pathway_id},
    )
    enrolment.delete()
    person_changed(user.pk)


def record_visit(enrolment: Enrolment, lesson: Lesson) -> None:
    """Remember the lesson a learner opened last (where "Resume" takes them)."""
    if enrolment.last_lesson_id != lesson.pk:
        Enrolment.objects.filter(pk=enrolment.pk).update(
            last_lesson=lesson, last_active=timezone.now()
        )
        person_changed(enrolment.user_id)


# --- progress --------------------------------------------------------------------------------


def _enrolment_for(lesson: Lesson, user: Any) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update().filter(user=user, course_id=lesson.course_id).first()
    )
    if enrolment is None:
        raise LearningError(_("Enrol in the course to record your progress."))
    return enrolment


@transaction.atomic
def complete_lesson(lesson: Lesson, *, user: Any) -> Enrolment:
    """Mark a lesson without a quiz as done (a quiz lesson is done by passing its quiz)."""
    enrolment = _enrolment_for(lesson, user)
    if lesson.questions.exists():
        raise LearningError(_("Pass the quiz to complete this lesson."))
    _mark_done(lesson, user)
    return enrolment


def _mark_done(lesson: Lesson, user: Any) -> None:
    _, created = LessonProgress.objects.get_or_create(user=user, lesson=lesson)
    person_changed(user.pk)
    Enrolment.objects.filter(user=user, course_id=lesson.course_id).update(
        last_lesson=lesson, last_active=timezone.now()
    )
    if created:
        log_action(
            "learning.lesson.completed", actor=user, target=lesson, data={"lesson": lesson.key}
        )
        _complete_course_if_done(lesson.course, user)


def score(lesson: Lesson, answers: Mapping[int, Sequence[int]]) -> tuple[int, dict[str, list[int]]]:
    """Score answers ({question id: [choice ids]}) in percent of questions answered exactly right.

    Raises LearningError for an answer that is not a choice of the question it is given for
    (an id from another quiz); an unanswered question counts as wrong.
    """
    questions = list(lesson.questions.prefetch_related("choices"))
    if not questions:
        raise LearningError(_("This lesson has no quiz."))
    known = {q.pk: q for q in questions}
    cleaned: dict[str, list[int]] = {}
    for question_id, choice_ids in answers.items():
        question = known.get(question_id)
        choices = {c.pk for c in question.choices.all()} if question else set()
        if question is None or not set(choice_ids) <= choices:
            raise LearningError(_("These answers do not belong to this quiz."))
        if question.kind == question.Kind.SINGLE and len(set(choice_ids)) > 1:
            raise LearningError(_("Choose one answer for “%(q)s”.") % {"q": question.text})
        cleaned[str(question_id)] = sorted(set(choice_ids))
    right = sum(
        1
        for q in questions
        if set(cleaned.get(str(q.pk), [])) == {c.pk for c in q.choices.all() if c.is_correct}
    )
    return round(100 * right / len(questions)), cleaned


@transaction.atomic
def submit_quiz(
    lesson: Lesson, *, user: Any, token: str, answers: Mapping[int, Sequence[int]]
) -> QuizAttempt:
    """Score a quiz submission; passing completes the lesson.

    `token` identifies the form that was submitted: sending the same form twice returns the
    first attempt and counts once.
    """
    _enrolment_for(lesson, user)  # also locks the enrolment: one submission at a time
    if not token or len(token) > 64:
        raise LearningError(_("The quiz form has expired. Please answer again."))
    existing = QuizAttempt.objects.filter(user=user, token=token).first()
    if existing is not None:
        if existing.lesson_id != lesson.pk:
            raise LearningError(_("These answers do not belong to this quiz."))
        return existing
    percent, cleaned = score(lesson, answers)
    passed = percent >= lesson.course.pass_mark
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                user=user, lesson=lesson, token=token, answers=cleaned, score=percent, passed=passed
            )
    except IntegrityError:  # the same form, sent in parallel, won the race
        return QuizAttempt.objects.get(user=user, token=token)
    log_action(
        "learning.quiz.submitted",
        actor=user,
        target=lesson,
        data={"score": percent, "passed": passed},
    )
    if passed:
        _mark_done(lesson, user)
    return attempt


# --- completion ------------------------------------------------------------------------------


def _today():
    return timezone.localdate()


def _complete_course_if_done(course: Course, user: Any) -> None:
    total = course.lessons.count()
    done = LessonProgress.objects.filter(user=user, lesson__course=course).count()
    if total == 0 or done < total:
        return
    enrolment = Enrolment.objects.filter(user=user, course=course).first()
    if enrolment is None or enrolment.completed is not None:
        return
    enrolment.completed = timezone.now()
    enrolment.save(update_fields=["completed"])
    log_action(
        "learning.course.completed", actor=user, target=enrolment, data={"course": course.key}
    )
    certificate = issue_certificate(course, user=user)
    notify(
        [user],
        kind="learning.course.completed",
        title=_("You completed “%(title)s”") % {"title": course.title},
        body=_("Your certificate is ready to download."),
        url=certificate.get_absolute_url(),
    )
    pathways = (
        Enrolment.objects.for_user(user)
        .in_pathways()
        .filter(completed__isnull=True, pathway__steps__course=course)
    )
    _complete_pathways(user, list(pathways.distinct()))


def issue_certificate(course: Course, *, user: Any) -> Certificate:
    """The learner's certificate for `course` (issued once; the same one afterwards)."""
    certificate, created = Certificate.objects.get_or_create(
        user=user,
        course=course,
        defaults={
            "holder_name": user.get_full_name(),
            "course_title": course.title,
            "issued_on": _today(),
        },
    )
    if created:
        log_action(
            "learning.certificate.issued",
            actor=user,
            target=certificate,
            data={"course": course.key, "code": certificate.code},
        )
    return certificate


def pathway_steps_done(user: Any, steps: Sequence[PathwayStep]) -> set[int]:
    """Ids of the steps `user` has done: a course completed, a resource marked as read."""
    course_ids = [s.course_id for s in steps if s.course_id]
    completed = set(
        Enrolment.objects.for_user(user)
        .completed_courses()
        .filter(course_id__in=course_ids)
        .values_list("course_id", flat=True)
    )
    read = set(
        StepProgress.objects.filter(user=user, step__in=[s.pk for s in steps]).values_list(
            "step_id", flat=True
        )
    )
    return {s.pk for s in steps if s.course_id in completed or s.pk in read}


def _complete_pathways(user: Any, enrolments: Sequence[Enrolment]) -> None:
    for enrolment in enrolments:
        if enrolment.pathway_id is None or enrolment.completed is not None:
            continue
        steps = list(enrolment.pathway.steps.all())
        if steps and len(pathway_steps_done(user, steps)) == len(steps):
            enrolment.completed = timezone.now()
            enrolment.save(update_fields=["completed"])
            log_action(
                "learning.pathway.completed",
                actor=user,
                target=enrolment,
                data={"pathway": enrolment.pathway.key},
            )


@transaction.atomic
def mark_step_read(step: PathwayStep, *, user: Any) -> None:
    """Tick a pathway's resource step (course steps are done by completing the course)."""
    if step.resource_id is None:
        raise LearningError(_("Complete the course to finish this step."))
    enrolment = Enrolment.objects.filter(user=user, pathway_id=step.pathway_id).first()
    if enrolment is None:
        raise LearningError(_("Enrol in the pathway to record your progress."))
    StepProgress.objects.get_or_create(user=user, step=step)
    person_changed(user.pk)
    _complete_pathways(user, [enrolment])


# --- personal data ---------------------------------------------------------------------------


def _personal_data(user: Any) -> dict[str, Any]:
    enrolments = Enrolment.objects.for_user(user).select_related("course", "pathway")
    return {
        "enrolments": [
            {
                "course": e.course.title if e.course_id else None,
                "pathway": e.pathway.title if e.pathway_id else None,
                "enrolled": e.enrolled.isoformat(),
                "completed": e.completed.isoformat() if e.completed else None,
            }
            for e in enrolments
        ],
        "lessons_done": [
            p.lesson.title for p in LessonProgress.objects.for_user(user).select_related("lesson")
        ],
        "quiz_attempts": [
            {"lesson": a.lesson.title, "score": a.score, "when": a.created.isoformat()}
            for a in QuizAttempt.objects.filter(user=user).select_related("lesson")
        ],
        "certificates": [
            {"course": c.course_title, "issued_on": c.issued_on.isoformat(), "code": c.code}
            for c in Certificate.objects.for_user(user)
        ],
    }


personal_data.register("learning", _personal_data)

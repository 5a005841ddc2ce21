"""Reading progress: per course, per pathway, for "My learning" and for a city's team.

Every function answers with a fixed number of queries whatever the number of enrolments,
lessons or members (the counts are pinned in tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch

from netzerohub.cities.models import Membership

from .models import (
    Certificate,
    Cohort,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Module,
    PathwayStep,
    QuizAttempt,
)
from .services import pathway_steps_done


@dataclass
class Progress:
    done: int
    total: int
    completed: bool = False

    @property
    def percent(self) -> int:
        if self.completed:
            return 100
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class CourseRow:
    enrolment: Enrolment
    progress: Progress


@dataclass
class PathwayRow:
    enrolment: Enrolment
    progress: Progress
    next_step: PathwayStep | None


@dataclass
class MyLearning:
    courses: list[CourseRow]
    pathways: list[PathwayRow]
    certificates: list[Certificate]


def course_progress(user: Any, enrolments: Sequence[Enrolment]) -> dict[int, Progress]:
    """{course id: Progress} for course enrolments of one person (two queries)."""
    ids = [e.course_id for e in enrolments if e.course_id]
    if not ids:
        return {}
    totals = Course.objects.lesson_counts(ids)
    done = LessonProgress.objects.for_user(user).done_by_course(ids)
    return {
        e.course_id: Progress(
            min(done.get((user.pk, e.course_id), 0), totals.get(e.course_id, 0)),
            totals.get(e.course_id, 0),
            e.completed is not None,
        )
        for e in enrolments
        if e.course_id
    }


def pathway_progress(user: Any, steps: Sequence[PathwayStep]) -> tuple[Progress, set[int]]:
    done = pathway_steps_done(user, steps) if user.is_authenticated else set()
    return Progress(len(done), len(steps), bool(steps) and len(done) == len(steps)), done


def my_learning(user: Any) -> MyLearning:
    steps = PathwayStep.objects.select_related("course", "resource").order_by("position", "id")
    enrolments = list(
        Enrolment.objects.for_user(user)
        .select_related("course", "pathway", "last_lesson", "cohort")
        .prefetch_related(Prefetch("pathway__steps", queryset=steps))
    )
    course_enrolments = [e for e in enrolments if e.course_id]
    progress = course_progress(user, course_enrolments)
    all_steps = [s for e in enrolments if e.pathway_id for s in e.pathway.steps.all()]
    done = pathway_steps_done(user, all_steps) if all_steps else set()
    pathways = []
    for e in enrolments:
        if not e.pathway_id:
            continue
        mine = list(e.pathway.steps.all())
        finished = [s for s in mine if s.pk in done]
        next_step = next((s for s in mine if s.pk not in done), None)
        pathways.append(
            PathwayRow(e, Progress(len(finished), len(mine), e.completed is not None), next_step)
        )
    return MyLearning(
        courses=[CourseRow(e, progress[e.course_id]) for e in course_enrolments],
        pathways=pathways,
        certificates=list(Certificate.objects.for_user(user).select_related("course")),
    )


@dataclass
class Outline:
    """A course's modules and lessons, with what one learner has done."""

    modules: list[Module]
    done: set[int] = field(default_factory=set)

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons.all()]

    @property
    def progress(self) -> Progress:
        lessons = self.lessons
        return Progress(sum(1 for x in lessons if x.pk in self.done), len(lessons))

    def progress_of(self, enrolment: Enrolment | None) -> Progress:
        """The progress, "completed" once the enrolment is (even if lessons were added since)."""
        progress = self.progress
        progress.completed = bool(enrolment and enrolment.completed)
        return progress

    def next_lesson(self, after: Lesson | None = None) -> Lesson | None:
        lessons = self.lessons
        if after is not None:
            index = next((i for i, x in enumerate(lessons) if x.pk == after.pk), -1)
            return lessons[index + 1] if index + 1 < len(lessons) else None
        return next((x for x in lessons if x.pk not in self.done), None)

    def previous_lesson(self, before: Lesson) -> Lesson | None:
        lessons = self.lessons
        index = next((i for i, x in enumerate(lessons) if x.pk == before.pk), 0)
        return lessons[index - 1] if index > 0 else None


def outline(course: Course, user: Any) -> Outline:
    """Modules with their lessons (and whether each has a quiz), and the lessons `user` did."""
    lessons = (
        Lesson.objects.order_by("position", "id")
        .only("id", "title", "module_id", "course_id", "position")
        .annotate(question_count=Count("questions"))
    )
    modules = list(
        course.modules.prefetch_related(Prefetch("lessons", queryset=lessons)).order_by(
            "position", "id"
        )
    )
    done = set(
        LessonProgress.objects.for_user(user)
        .filter(lesson__course=course)
        .values_list("lesson_id", flat=True)
    )
    return Outline(modules, done)


def last_attempt(user: Any, lesson: Lesson) -> QuizAttempt | None:
    if not user.is_authenticated:
        return None
    return QuizAttempt.objects.filter(user=user, lesson=lesson).first()


@dataclass
class MemberRow:
    membership: Membership
    courses: list[CourseRow]


def team_progress(city: Any, memberships: Sequence[Membership]) -> list[MemberRow]:
    """The course progress of a page of `city`'s members (three queries, any team size)."""
    users = [m.user_id for m in memberships]
    enrolments = list(
        Enrolment.objects.filter(user_id__in=users, course__isnull=False)
        .select_related("course")
        .order_by("course__title")
    )
    ids = {e.course_id for e in enrolments}
    totals = Course.objects.lesson_counts(ids)
    done = LessonProgress.objects.filter(user_id__in=users).done_by_course(ids)
    rows = {m.user_id: MemberRow(m, []) for m in memberships}
    for e in enrolments:
        total = totals.get(e.course_id, 0)
        progress = Progress(
            min(done.get((e.user_id, e.course_id), 0), total), total, e.completed is not None
        )
        rows[e.user_id].courses.append(CourseRow(e, progress))
    return list(rows.values())


def cohort_progress(cohort: Cohort, enrolments: Sequence[Enrolment]) -> list[CourseRow]:
    """The progress of a cohort's learners in its course (two queries, any cohort size)."""
    total = Course.objects.lesson_counts([cohort.course_id]).get(cohort.course_id, 0)
    users = [e.user_id for e in enrolments]
    done = LessonProgress.objects.filter(user_id__in=users).done_by_course([cohort.course_id])
    return [
        CourseRow(
            e,
            Progress(
                min(done.get((e.user_id, cohort.course_id), 0), total),
                total,
                e.completed is not None,
            ),
        )
        for e in enrolments
    ]

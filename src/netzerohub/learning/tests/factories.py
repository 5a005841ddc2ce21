"""Factories for courses, lessons, quizzes, pathways and cohorts.

`CourseFactory` makes a *published* course in the catalogue's index, with no lessons; build one
with content through `course_with_lessons(...)`: modules of lessons, and a quiz (one question of
one right answer, and one of several) on the lessons named in `quiz_on`.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from netzerohub.learning.indexing import reindex_course
from netzerohub.learning.models import (
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


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    class Params:
        draft = factory.Trait(status=Status.DRAFT, published_at=None)

    key = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Course number {n}")
    summary = "What a city team learns in this course."
    description = "## For whom\n\nCity officers."
    duration_minutes = 90
    status = Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    pass_mark = 70

    @factory.post_generation
    def indexed(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            reindex_course(obj)


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    position = factory.Sequence(lambda n: n)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    key = factory.Sequence(lambda n: f"lesson-{n}")
    title = factory.Sequence(lambda n: f"Lesson {n}")
    body = "Read this **carefully**."
    position = factory.Sequence(lambda n: n)


def add_quiz(lesson: Lesson) -> list[Question]:
    """Two questions: single choice (right answer "Right") and multiple ("A" and "B" right)."""
    single = Question.objects.create(
        lesson=lesson, text="Which one is right?", kind=Question.Kind.SINGLE,
        explanation="Because it is.", position=1,
    )  # fmt: skip
    for n, (text, right) in enumerate([("Right", True), ("Wrong", False), ("Also wrong", False)]):
        Choice.objects.create(question=single, text=text, is_correct=right, position=n)
    multiple = Question.objects.create(
        lesson=lesson, text="Which ones are right?", kind=Question.Kind.MULTIPLE, position=2
    )
    for n, (text, right) in enumerate([("A", True), ("B", True), ("C", False)]):
        Choice.objects.create(question=multiple, text=text, is_correct=right, position=n)
    return [single, multiple]


def right_answers(lesson: Lesson) -> dict[int, list[int]]:
    return {q.pk: [c.pk for c in q.choices.all() if c.is_correct] for q in lesson.questions.all()}


def wrong_answers(lesson: Lesson) -> dict[int, list[int]]:
    return {
        q.pk: [next(c.pk for c in q.choices.all() if not c.is_correct)]
        for q in lesson.questions.all()
    }


def course_with_lessons(
    modules: int = 1, lessons: int = 3, quiz_on: tuple[int, ...] = (), **kwargs
) -> Course:
    """A course of `modules` × `lessons`; lessons are numbered from 0 across modules."""
    course = CourseFactory(indexed=False, **kwargs)
    number = 0
    for m in range(modules):
        module = ModuleFactory(course=course, position=m + 1)
        for n in range(lessons):
            lesson = LessonFactory(module=module, position=n + 1, title=f"Lesson {number}")
            if number in quiz_on:
                add_quiz(lesson)
            number += 1
    reindex_course(course)
    return course


def lessons_of(course: Course) -> list[Lesson]:
    return list(course.lessons.order_by("module__position", "position", "id"))


class PathwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pathway

    key = factory.Sequence(lambda n: f"pathway-{n}")
    title = factory.Sequence(lambda n: f"Pathway {n}")
    goal = "The team can do the thing."
    status = Status.PUBLISHED


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PathwayStep

    pathway = factory.SubFactory(PathwayFactory)
    position = factory.Sequence(lambda n: n)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    course = factory.SubFactory(CourseFactory)
    title = "Spring cohort"
    starts_on = factory.LazyFunction(lambda: timezone.localdate())
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))

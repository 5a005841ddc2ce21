"""Enrolment, progress, quizzes, completion, certificates and pathways (the learner's services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from netzerohub.core.models import AuditLog, Notification
from netzerohub.core.personal_data import collect_all
from netzerohub.knowledge.tests.factories import ResourceFactory
from netzerohub.learning import authoring, services
from netzerohub.learning.models import (
    Certificate,
    Enrolment,
    LessonProgress,
    QuizAttempt,
    Status,
)
from netzerohub.learning.tests.factories import (
    CohortFactory,
    CourseFactory,
    PathwayFactory,
    StepFactory,
    course_with_lessons,
    lessons_of,
    right_answers,
    wrong_answers,
)

pytestmark = pytest.mark.django_db


def finish(course, user):
    """Do every lesson of `course` (passing each quiz)."""
    for lesson in lessons_of(course):
        if lesson.questions.exists():
            services.submit_quiz(
                lesson, user=user, token=f"t{lesson.pk}", answers=right_answers(lesson)
            )
        else:
            services.complete_lesson(lesson, user=user)


def test_enrolment_is_kept_once_and_audited(member):
    course = course_with_lessons()
    first = services.enrol_in_course(course, user=member)
    again = services.enrol_in_course(course, user=member)
    assert first.pk == again.pk
    assert Enrolment.objects.filter(user=member).count() == 1
    assert AuditLog.objects.filter(action="learning.enrolment.created").count() == 1


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_unpublished_course_refuses_enrolment(member, status):
    course = CourseFactory(status=status)
    with pytest.raises(services.LearningError, match="not open"):
        services.enrol_in_course(course, user=member)


def test_prerequisites_are_enforced_with_their_names(member):
    basics = course_with_lessons(title="Inventory basics", lessons=1)
    advanced = CourseFactory(title="Advanced inventory")
    advanced.prerequisites.add(basics)
    with pytest.raises(services.LearningError, match="“Inventory basics”"):
        services.enrol_in_course(advanced, user=member)
    services.enrol_in_course(basics, user=member)
    finish(basics, member)
    assert services.enrol_in_course(advanced, user=member).course == advanced


def test_a_cohort_of_another_course_or_ended_is_refused(member):
    course = course_with_lessons()
    with pytest.raises(services.LearningError, match="cohort"):
        services.enrol_in_course(course, user=member, cohort=CohortFactory())
    ended = CohortFactory(
        course=course,
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    with pytest.raises(services.LearningError, match="cohort"):
        services.enrol_in_course(course, user=member, cohort=ended)
    cohort = CohortFactory(course=course)
    assert services.enrol_in_course(course, user=member, cohort=cohort).cohort == cohort


def test_progress_needs_an_enrolment(member):
    lesson = lessons_of(course_with_lessons())[0]
    with pytest.raises(services.LearningError, match="Enrol"):
        services.complete_lesson(lesson, user=member)
    assert not LessonProgress.objects.exists()


def test_a_quiz_lesson_is_done_only_by_passing_its_quiz(member):
    course = course_with_lessons(quiz_on=(0,))
    lesson = lessons_of(course)[0]
    services.enrol_in_course(course, user=member)
    with pytest.raises(services.LearningError, match="Pass the quiz"):
        services.complete_lesson(lesson, user=member)
    failed = services.submit_quiz(lesson, user=member, token="a", answers=wrong_answers(lesson))
    assert (failed.score, failed.passed) == (0, False)
    assert not LessonProgress.objects.filter(lesson=lesson).exists()
    passed = services.submit_quiz(lesson, user=member, token="b", answers=right_answers(lesson))
    assert (passed.score, passed.passed) == (100, True)
    assert LessonProgress.objects.filter(lesson=lesson, user=member).exists()


def test_score_counts_questions_answered_exactly_and_the_pass_mark_decides(member):
    course = course_with_lessons(quiz_on=(0,), pass_mark=50)
    lesson = lessons_of(course)[0]
    services.enrol_in_course(course, user=member)
    single, multiple = lesson.questions.all()
    half_right = {
        single.pk: right_answers(lesson)[single.pk],
        multiple.pk: [multiple.choices.first().pk],
    }
    attempt = services.submit_quiz(lesson, user=member, token="x", answers=half_right)
    assert (attempt.score, attempt.passed) == (50, True)


def test_a_quiz_submitted_twice_counts_once(member):
    course = course_with_lessons(quiz_on=(0,))
    lesson = lessons_of(course)[0]
    services.enrol_in_course(course, user=member)
    first = services.submit_quiz(lesson, user=member, token="same", answers=wrong_answers(lesson))
    second = services.submit_quiz(lesson, user=member, token="same", answers=right_answers(lesson))
    assert first.pk == second.pk and not second.passed
    assert QuizAttempt.objects.count() == 1


def test_answer_ids_from_another_quiz_are_refused(member):
    course = course_with_lessons(quiz_on=(0, 1))
    first, second = lessons_of(course)[:2]
    services.enrol_in_course(course, user=member)
    with pytest.raises(services.LearningError, match="do not belong"):
        services.submit_quiz(first, user=member, token="t", answers=right_answers(second))
    other_choice = next(iter(right_answers(second).values()))[0]
    mixed = {**right_answers(first)}
    mixed[next(iter(mixed))] = [other_choice]  # a right question id, a choice of another quiz
    with pytest.raises(services.LearningError, match="do not belong"):
        services.submit_quiz(first, user=member, token="u", answers=mixed)
    assert not QuizAttempt.objects.exists()


def test_two_answers_to_a_one_answer_question_are_refused(member):
    course = course_with_lessons(quiz_on=(0,))
    lesson = lessons_of(course)[0]
    services.enrol_in_course(course, user=member)
    single = lesson.questions.get(kind="single")
    answers = {**right_answers(lesson), single.pk: [c.pk for c in single.choices.all()][:2]}
    with pytest.raises(services.LearningError, match="Choose one"):
        services.submit_quiz(lesson, user=member, token="t", answers=answers)


def test_finishing_every_lesson_completes_the_course_and_issues_one_certificate(
    member, django_capture_on_commit_callbacks
):
    course = course_with_lessons(modules=2, lessons=2, quiz_on=(1,))
    services.enrol_in_course(course, user=member)
    lessons = lessons_of(course)
    services.complete_lesson(lessons[0], user=member)
    assert Enrolment.objects.get(user=member, course=course).completed is None
    with django_capture_on_commit_callbacks(execute=True):
        finish(course, member)
    enrolment = Enrolment.objects.get(user=member, course=course)
    assert enrolment.completed is not None
    certificate = Certificate.objects.get(user=member, course=course)
    assert certificate.holder_name == "Mia Member"
    assert certificate.course_title == course.title
    assert len(certificate.code) >= 16
    assert Notification.objects.filter(user=member, kind="learning.course.completed").count() == 1
    assert any(course.title in m.subject for m in mail.outbox)
    services.complete_lesson(lessons[0], user=member)  # again: nothing new
    assert Certificate.objects.filter(user=member).count() == 1


def test_editing_a_published_course_keeps_progress(member, coordinator):
    course = course_with_lessons(modules=2, lessons=2)
    services.enrol_in_course(course, user=member)
    first = lessons_of(course)[0]
    services.complete_lesson(first, user=member)
    authoring.save_lesson(first, actor=coordinator, values={"title": "Renamed", "body": "New"})
    other_module = course.modules.order_by("-position").first()
    authoring.move_lesson(first, actor=coordinator, module=other_module)
    first.refresh_from_db()
    assert (first.title, first.module) == ("Renamed", other_module)
    assert LessonProgress.objects.filter(user=member, lesson=first).exists()
    with pytest.raises(services.LearningError, match="1 learners have done this lesson"):
        authoring.delete_lesson(first, actor=coordinator)


def test_pathway_completes_when_its_courses_and_readings_are_done(member):
    course = course_with_lessons(lessons=1)
    resource = ResourceFactory()
    pathway = PathwayFactory()
    course_step = StepFactory(pathway=pathway, course=course, position=1)
    read_step = StepFactory(pathway=pathway, resource=resource, position=2)
    enrolment = services.enrol_in_pathway(pathway, user=member)
    with pytest.raises(services.LearningError, match="Complete the course"):
        services.mark_step_read(course_step, user=member)
    services.mark_step_read(read_step, user=member)
    services.enrol_in_course(course, user=member)
    finish(course, member)
    enrolment.refresh_from_db()
    assert enrolment.completed is not None
    assert services.pathway_steps_done(member, [course_step, read_step]) == {
        course_step.pk,
        read_step.pk,
    }


def test_reading_a_step_needs_the_pathway_enrolment(member):
    step = StepFactory(resource=ResourceFactory())
    with pytest.raises(services.LearningError, match="Enrol in the pathway"):
        services.mark_step_read(step, user=member)


def test_leaving_keeps_lessons_and_certificates(member):
    course = course_with_lessons(lessons=1)
    enrolment = services.enrol_in_course(course, user=member)
    finish(course, member)
    services.leave(enrolment, user=member)
    assert not Enrolment.objects.filter(user=member).exists()
    assert LessonProgress.objects.filter(user=member).count() == 1
    assert Certificate.objects.filter(user=member).count() == 1


def test_personal_data_export_lists_learning(member):
    course = course_with_lessons(lessons=1, title="Exported course")
    services.enrol_in_course(course, user=member)
    finish(course, member)
    data = collect_all(member)["learning"]
    assert data["enrolments"][0]["course"] == "Exported course"
    assert data["certificates"][0]["course"] == "Exported course"
    assert data["lessons_done"] == ["Lesson 0"]

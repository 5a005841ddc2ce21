"""Learning pages, endpoint-level: who sees what (the same 404 for missing and forbidden), the
quiz form and its bad input, certificates, the team's progress, authoring, pinned query counts."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from netzerohub.cities.tests.factories import MembershipFactory
from netzerohub.core.tests.admin_forms import admin_form_data
from netzerohub.knowledge.tests.factories import ResourceFactory
from netzerohub.learning import authoring, services
from netzerohub.learning.models import (
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    QuizAttempt,
    Status,
)
from netzerohub.learning.tests.factories import (
    CourseFactory,
    PathwayFactory,
    StepFactory,
    course_with_lessons,
    lessons_of,
    right_answers,
    wrong_answers,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def quiz_data(lesson: Lesson, answers: dict[int, list[int]], form: str = "form-1") -> dict:
    """The POST of the quiz form; `form` is its one-time token (a form sent twice repeats it)."""
    data: dict = {"token": form}
    for question_id, choice_ids in answers.items():
        data[f"q{question_id}"] = [str(c) for c in choice_ids]
    return data


def lesson_url(lesson: Lesson, name: str = "lesson") -> str:
    return reverse(f"learning:{name}", args=[lesson.course.key, lesson.pk])


# --- catalogue -------------------------------------------------------------------------------


def test_catalogue_finds_published_courses_with_facets(client, course):
    CourseFactory(title="Renovation finance", step=None)
    CourseFactory(title="Hidden draft inventory", draft=True)
    response = client.get(reverse("learning:catalogue"), {"q": "inventory"})
    assert response.status_code == 200
    body = text(response)
    assert "Baseline emission inventory" in body
    assert "Hidden draft" not in body and "Renovation finance" not in body
    assert "Introductory" in body  # the level facet


def test_catalogue_filters_by_level_and_duration(client):
    CourseFactory(title="Short intro", level="introductory", duration_minutes=45)
    CourseFactory(title="Long advanced", level="advanced", duration_minutes=240)
    body = text(client.get(reverse("learning:catalogue"), {"duration": "long"}))
    assert "Long advanced" in body and "Short intro" not in body
    body = text(client.get(reverse("learning:catalogue"), {"level": ["introductory"]}))
    assert "Short intro" in body and "Long advanced" not in body


def test_catalogue_ignores_unknown_filter_values(client, course):
    response = client.get(reverse("learning:catalogue"), {"level": "<script>", "page": "²"})
    assert response.status_code == 200
    assert "<script>" not in text(response)


# --- course and lesson pages -----------------------------------------------------------------


def test_course_page_for_a_visitor_offers_sign_in(client, course):
    body = text(client.get(course.get_absolute_url()))
    assert "Sign in to enrol" in body
    assert "Lesson 0" in body  # the outline


@pytest.mark.parametrize("status", [Status.DRAFT, "missing"])
def test_unpublished_or_missing_course_is_404(client, member, status):
    client.force_login(member)
    key = CourseFactory(draft=True).key if status == Status.DRAFT else "no-such-course"
    assert client.get(reverse("learning:course", args=[key])).status_code == 404


def test_lessons_of_an_unpublished_course_are_404_to_learners(client, course, enrolled):
    client.force_login(enrolled)
    lesson = lessons_of(course)[0]
    Course.objects.filter(pk=course.pk).update(status=Status.DRAFT)
    assert client.get(lesson_url(lesson)).status_code == 404
    assert client.post(lesson_url(lesson, "lesson-done")).status_code == 404


def test_a_lesson_asks_to_enrol_first(client, course, member):
    client.force_login(member)
    response = client.get(lesson_url(lessons_of(course)[0]))
    assert response.status_code == 302 and response.url == course.get_absolute_url()


def test_a_lesson_of_another_course_is_404(client, course, enrolled):
    client.force_login(enrolled)
    other = lessons_of(course_with_lessons())[0]
    url = reverse("learning:lesson", args=[course.key, other.pk])
    assert client.get(url).status_code == 404


def test_enrol_then_resume_where_left_off(client, course, member):
    client.force_login(member)
    response = client.post(reverse("learning:enrol", args=[course.key]))
    assert response.status_code == 302
    first, second, _third = lessons_of(course)
    client.post(lesson_url(first, "lesson-done"))
    body = text(client.get(course.get_absolute_url()))
    assert "Resume" in body and lesson_url(second) in body
    client.get(lesson_url(second))
    assert Enrolment.objects.get(user=member).last_lesson == second


def test_enrol_names_missing_prerequisites(client, course, member):
    client.force_login(member)
    advanced = CourseFactory(title="Advanced inventory")
    advanced.prerequisites.add(course)
    body = text(client.get(advanced.get_absolute_url()))
    assert "Complete these courses before you enrol" in body and course.title in body
    response = client.post(reverse("learning:enrol", args=[advanced.key]), follow=True)
    assert f"Complete these courses first: “{course.title}”." in text(response)
    assert not Enrolment.objects.filter(course=advanced).exists()


def test_quiz_fail_then_pass_with_feedback(client, course, enrolled):
    client.force_login(enrolled)
    lesson = lessons_of(course)[1]
    response = client.post(
        lesson_url(lesson, "quiz"), quiz_data(lesson, wrong_answers(lesson), "a"), follow=True
    )
    body = text(response)
    assert "You scored 0 %" in body and "Because it is." in body  # the explanation
    assert "Try again" in body
    response = client.post(
        lesson_url(lesson, "quiz"), quiz_data(lesson, right_answers(lesson), "b"), follow=True
    )
    assert "You scored 100 % and passed" in text(response)
    assert LessonProgress.objects.filter(user=enrolled, lesson=lesson).exists()


def test_a_quiz_form_sent_twice_counts_once(client, course, enrolled):
    client.force_login(enrolled)
    lesson = lessons_of(course)[1]
    data = quiz_data(lesson, wrong_answers(lesson), "same-token")
    client.post(lesson_url(lesson, "quiz"), data)
    client.post(lesson_url(lesson, "quiz"), data)
    assert QuizAttempt.objects.count() == 1


def test_quiz_answers_from_another_quiz_are_refused(client, course, enrolled):
    client.force_login(enrolled)
    lesson = lessons_of(course)[1]
    other = lessons_of(course_with_lessons(quiz_on=(0,)))[0]
    foreign = dict(zip(right_answers(lesson), right_answers(other).values(), strict=True))
    response = client.post(lesson_url(lesson, "quiz"), quiz_data(lesson, foreign))
    assert response.status_code == 200
    assert "Select a valid choice" in text(response) or "do not belong" in text(response)
    assert not QuizAttempt.objects.exists()


def test_an_unanswered_quiz_keeps_the_answers_given(client, course, enrolled):
    client.force_login(enrolled)
    lesson = lessons_of(course)[1]
    single = lesson.questions.get(kind="single")
    right = right_answers(lesson)[single.pk][0]
    response = client.post(lesson_url(lesson, "quiz"), {"token": "t", f"q{single.pk}": str(right)})
    body = text(response)
    assert response.status_code == 200
    assert "Answer this question." in body
    assert re.search(rf'value="{right}"[^>]*checked', body)
    assert not QuizAttempt.objects.exists()


def test_finishing_the_course_gives_a_certificate_pdf_and_a_public_page(client, course, enrolled):
    client.force_login(enrolled)
    for lesson in lessons_of(course):
        if lesson.questions.exists():
            client.post(lesson_url(lesson, "quiz"), quiz_data(lesson, right_answers(lesson)))
        else:
            client.post(lesson_url(lesson, "lesson-done"))
    certificate = Certificate.objects.get(user=enrolled)
    body = text(client.get(course.get_absolute_url()))
    assert "Download your certificate" in body
    pdf = client.get(reverse("learning:certificate-pdf", args=[certificate.code]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    client.logout()
    page = text(client.get(certificate.get_absolute_url()))
    assert "Mia Member" in page and course.title in page
    assert enrolled.email not in page
    assert (
        client.get(reverse("learning:certificate-pdf", args=[certificate.code])).status_code == 302
    )


def test_another_persons_certificate_pdf_is_404(client, course, enrolled, lead):
    certificate = services.issue_certificate(course, user=enrolled)
    client.force_login(lead)
    url = reverse("learning:certificate-pdf", args=[certificate.code])
    assert client.get(url).status_code == 404
    assert client.get(reverse("learning:certificate-pdf", args=["nope"])).status_code == 404
    assert client.get(certificate.get_absolute_url()).status_code == 200
    assert client.get(reverse("learning:certificate-verify", args=["nope"])).status_code == 404


# --- pathways, my learning, team -------------------------------------------------------------


def test_pathway_enrol_and_progress(client, course, member):
    pathway = PathwayFactory(title="Baseline pathway")
    StepFactory(pathway=pathway, course=course, position=1)
    client.force_login(member)
    client.post(reverse("learning:pathway-enrol", args=[pathway.key]))
    body = text(client.get(pathway.get_absolute_url()))
    assert "Continue with the next step" in body and "0 of 1 done" in body
    body = text(client.get(reverse("learning:mine")))
    assert "Baseline pathway" in body


def test_draft_pathway_is_404(client, member):
    client.force_login(member)
    pathway = PathwayFactory(status=Status.DRAFT)
    assert client.get(pathway.get_absolute_url()).status_code == 404


def test_team_page_is_for_the_lead(client, city, course, enrolled, lead, member, other_lead):
    url = reverse("learning:team", args=[city.pk])
    client.force_login(member)
    assert client.get(url).status_code == 404
    client.force_login(other_lead)
    assert client.get(url).status_code == 404
    client.force_login(lead)
    body = text(client.get(url))
    assert "Mia Member" in body and course.title in body


# --- authoring -------------------------------------------------------------------------------


def test_authoring_pages_are_404_to_non_coordinators(client, course, lead):
    client.force_login(lead)
    for url in (
        reverse("learning:manage"),
        reverse("learning:course-builder", args=[course.key]),
        reverse("learning:course-create"),
    ):
        assert client.get(url).status_code == 404


def test_coordinator_drafts_builds_previews_and_publishes(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("learning:course-create"),
        {"title": "Climate budgeting", "summary": "Money.", "level": "introductory",
         "duration_minutes": "60", "language": "en", "pass_mark": "80"},
    )  # fmt: skip
    course = Course.objects.get(title="Climate budgeting")
    assert response.status_code == 302 and course.status == Status.DRAFT
    builder = reverse("learning:course-builder", args=[course.key])
    assert "Add at least one lesson." in text(client.get(builder))
    client.post(reverse("learning:module-add", args=[course.key]), {"title": "Basics"})
    module = course.modules.get()
    client.post(
        reverse("learning:lesson-create", args=[course.key, module.pk]),
        {"title": "Why budget", "body": "Text", "video_url": "", "transcript": "", "materials": ""},
    )
    lesson = course.lessons.get()
    response = client.post(
        reverse("learning:question-create", args=[course.key, lesson.pk]),
        {"text": "Pick", "kind": "single", "explanation": "", "answers": "[x] Yes\n[x] No"},
    )
    assert "exactly one right answer" in text(response)
    assert "[x] No" in text(response)  # what was typed is kept
    client.post(
        reverse("learning:question-create", args=[course.key, lesson.pk]),
        {"text": "Pick", "kind": "single", "explanation": "", "answers": "[x] Yes\n[ ] No"},
    )
    assert lesson.questions.get().choices.filter(is_correct=True).count() == 1
    preview = client.get(lesson_url(lesson))
    assert "Preview as a learner" in text(preview)
    client.post(reverse("learning:course-status", args=[course.key]), {"status": "published"})
    course.refresh_from_db()
    assert course.status == Status.PUBLISHED
    cache.clear()
    assert "Climate budgeting" in text(client.get(reverse("learning:catalogue")))


def test_moving_lessons_keeps_their_identity(client, coordinator, course, enrolled):
    first = lessons_of(course)[0]
    services.complete_lesson(first, user=enrolled)
    client.force_login(coordinator)
    client.post(
        reverse("learning:lesson-action", args=[course.key, first.pk]), {"operation": "down"}
    )
    assert [x.pk for x in lessons_of(course)][1] == first.pk
    response = client.post(
        reverse("learning:lesson-action", args=[course.key, first.pk]),
        {"operation": "delete"},
        follow=True,
    )
    assert "deleting it would erase their progress" in text(response)
    assert LessonProgress.objects.filter(lesson=first).exists()


def test_lesson_materials_must_be_published_resources(client, coordinator, course):
    client.force_login(coordinator)
    lesson = lessons_of(course)[0]
    response = client.post(
        reverse("learning:lesson-edit", args=[course.key, lesson.pk]),
        {
            "title": "T",
            "body": "B",
            "video_url": "",
            "transcript": "",
            "materials": "/knowledge/999999/",
        },
    )
    assert "No published resource at: 999999." in text(response)


# --- query counts ----------------------------------------------------------------------------


@pytest.fixture(params=["small", "large"])
def data_size(request):
    return request.param


@pytest.fixture
def learning_data(data_size, city, member):
    """The member enrolled in 2 (small) or 8 (large) courses of 3 or 6 lessons, some done;
    2 or 10 colleagues enrolled too."""
    n, lessons = (2, 3) if data_size == "small" else (8, 6)
    courses = [course_with_lessons(lessons=lessons, quiz_on=(1,)) for _ in range(n)]
    colleagues = [member] + [
        MembershipFactory(city=city).user for _ in range(2 if data_size == "small" else 10)
    ]
    for user in colleagues:
        for c in courses:
            services.enrol_in_course(c, user=user)
            services.complete_lesson(lessons_of(c)[0], user=user)
    pathway = PathwayFactory()
    for position, c in enumerate(courses):
        StepFactory(pathway=pathway, course=c, position=position)
    services.enrol_in_pathway(pathway, user=member)
    cache.clear()
    return courses


QUERIES = {"catalogue": 9, "course": 12, "lesson": 15, "mine": 9, "team": 10, "pathway": 7}


def test_catalogue_query_count(client, learning_data, django_assert_num_queries):
    with django_assert_num_queries(QUERIES["catalogue"]):
        assert client.get(reverse("learning:catalogue")).status_code == 200


def test_course_page_query_count(client, learning_data, member, django_assert_num_queries):
    client.force_login(member)
    with django_assert_num_queries(QUERIES["course"]):
        assert client.get(learning_data[0].get_absolute_url()).status_code == 200


def test_lesson_page_query_count(client, learning_data, member, django_assert_num_queries):
    client.force_login(member)
    lesson = lessons_of(learning_data[0])[1]  # the quiz lesson
    with django_assert_num_queries(QUERIES["lesson"]):
        assert client.get(lesson_url(lesson)).status_code == 200


def test_my_learning_query_count(client, learning_data, member, django_assert_num_queries):
    client.force_login(member)
    with django_assert_num_queries(QUERIES["mine"]):
        assert client.get(reverse("learning:mine")).status_code == 200


def test_team_query_count(client, learning_data, city, lead, django_assert_num_queries):
    client.force_login(lead)
    with django_assert_num_queries(QUERIES["team"]):
        response = client.get(reverse("learning:team", args=[city.pk]))
    assert response.status_code == 200


def test_pathway_query_count(client, learning_data, member, django_assert_num_queries):
    client.force_login(member)
    pathway = Enrolment.objects.get(user=member, pathway__isnull=False).pathway
    with django_assert_num_queries(QUERIES["pathway"]):
        assert client.get(pathway.get_absolute_url()).status_code == 200


def test_a_video_link_must_be_http(client, coordinator, course):
    client.force_login(coordinator)
    lesson = lessons_of(course)[0]
    data = {
        "title": "T",
        "body": "B",
        "video_url": "javascript:alert(1)",
        "transcript": "",
        "materials": "",
    }
    response = client.post(reverse("learning:lesson-edit", args=[course.key, lesson.pk]), data)
    assert response.status_code == 200 and "Enter a valid URL." in text(response)
    lesson.refresh_from_db()
    assert lesson.video_url == ""


def test_pathway_editing_with_course_and_resource_steps(client, coordinator, course):
    pathway = PathwayFactory(title="Inventory pathway")
    StepFactory(pathway=pathway, course=course, position=1)
    client.force_login(coordinator)
    url = reverse("learning:pathway-edit", args=[pathway.key])
    assert course.title in text(client.get(url))
    response = client.post(reverse("learning:step-add", args=[pathway.key]), {"course": course.pk})
    assert response.status_code == 400
    assert "already a step of the pathway" in text(response)
    response = client.post(reverse("learning:step-add", args=[pathway.key]), {"resource": "abc"})
    assert "No published resource at: abc." in text(response)
    resource = ResourceFactory()
    client.post(
        reverse("learning:step-add", args=[pathway.key]),
        {"resource": resource.get_absolute_url(), "note": "Read first"},
    )
    steps = list(pathway.steps.order_by("position"))
    assert [s.resource for s in steps] == [None, resource]
    client.post(
        reverse("learning:step-action", args=[pathway.key, steps[1].pk]), {"operation": "up"}
    )
    assert pathway.steps.order_by("position").first().resource == resource


# --- cached renderings -----------------------------------------------------------------------


WARM_QUERIES = {"course": 2, "mine": 1, "team": 4}


def test_warm_pages_cost_few_queries(
    client, learning_data, member, city, lead, django_assert_num_queries
):
    """Repeated views are served from the cache (the counts above are the page shells')."""
    client.force_login(member)
    for url, name in (
        (learning_data[0].get_absolute_url(), "course"),
        (reverse("learning:mine"), "mine"),
    ):
        client.get(url)
        with django_assert_num_queries(WARM_QUERIES[name]):
            assert client.get(url).status_code == 200
    client.force_login(lead)
    url = reverse("learning:team", args=[city.pk])
    client.get(url)
    with django_assert_num_queries(WARM_QUERIES["team"]):
        assert client.get(url).status_code == 200


def test_cached_pages_show_each_change_at_once(
    client, course, enrolled, city, lead, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(enrolled)
    mine, page = reverse("learning:mine"), course.get_absolute_url()
    assert "0 of 3 done" in text(client.get(mine))
    assert "0 of 3 done" in text(client.get(page))
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_lesson(lessons_of(course)[0], user=enrolled)
    assert "1 of 3 done" in text(client.get(mine))
    assert "1 of 3 done" in text(client.get(page))
    client.force_login(lead)
    team = reverse("learning:team", args=[city.pk])
    assert "1 of 3 done" in text(client.get(team))
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_lesson(lessons_of(course)[2], user=enrolled)
        authoring.save_course(course, actor=coordinator, values={"title": "Inventory, renamed"})
    body = text(client.get(team))
    assert "2 of 3 done" in body and "Inventory, renamed" in body
    client.force_login(enrolled)
    assert "Inventory, renamed" in text(client.get(mine))


def test_an_admin_edit_reaches_cached_pages_and_the_catalogue(client, course, enrolled, superuser):
    client.force_login(enrolled)
    assert course.title in text(client.get(reverse("learning:mine")))
    client.force_login(superuser)
    change = reverse("admin:learning_course_change", args=[course.pk])
    data = {**admin_form_data(client.get(change)), "title": "Renamed in the admin"}
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.force_login(enrolled)
    assert "Renamed in the admin" in text(client.get(reverse("learning:mine")))
    assert "Renamed in the admin" in text(
        client.get(reverse("learning:catalogue"), {"q": "renamed"})
    )

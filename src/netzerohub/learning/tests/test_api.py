"""The learning API: the course catalogue, courses, pathways, my learning and enrolment."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from netzerohub.accounts.services import create_api_token
from netzerohub.cities.tests.factories import MembershipFactory
from netzerohub.learning import services
from netzerohub.learning.models import Enrolment, Status
from netzerohub.learning.tests.factories import (
    CohortFactory,
    CourseFactory,
    PathwayFactory,
    StepFactory,
    course_with_lessons,
    lessons_of,
)

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _token, secret = create_api_token(user, name="script", actor=user)
    return {"Authorization": f"Bearer {secret}"}


def test_course_search_with_facets(client, course):
    CourseFactory(title="Long advanced finance", level="advanced", duration_minutes=300)
    CourseFactory(title="Draft", draft=True)
    body = client.get("/api/v1/courses", {"level": "advanced"}).json()
    assert [c["title"] for c in body["results"]] == ["Long advanced finance"]
    assert body["count"] == 1
    levels = {v["value"]: v["count"] for v in body["facets"]["level"]}
    assert levels == {"advanced": 1, "introductory": 1}  # disjunctive: the other level's count
    assert set(body["facets"]) == {"field", "lever", "step", "level", "language", "duration"}
    body = client.get("/api/v1/courses", {"q": "baseline"}).json()
    assert [c["key"] for c in body["results"]] == [course.key]
    assert body["results"][0]["lessons"] == 3


def test_course_detail_lists_modules_lessons_cohorts(client, course):
    CohortFactory(course=course, title="Autumn cohort")
    body = client.get(f"/api/v1/courses/{course.key}").json()
    assert [x["title"] for x in body["modules"][0]["lessons"]] == [
        "Lesson 0",
        "Lesson 1",
        "Lesson 2",
    ]
    assert body["cohorts"][0]["title"] == "Autumn cohort"
    assert body["pass_mark"] == 70


def test_unpublished_and_missing_courses_are_404(client):
    draft = CourseFactory(draft=True)
    assert client.get(f"/api/v1/courses/{draft.key}").status_code == 404
    assert client.get("/api/v1/courses/missing").status_code == 404


def test_pathways_list_published_ones_with_steps(client, course):
    pathway = PathwayFactory(title="Inventory pathway")
    StepFactory(pathway=pathway, course=course, position=1, note="Start here")
    PathwayFactory(title="Draft pathway", status=Status.DRAFT)
    body = client.get("/api/v1/pathways").json()
    assert [p["title"] for p in body] == ["Inventory pathway"]
    assert body[0]["steps"][0] == {
        "position": 1,
        "course": course.key,
        "resource": None,
        "title": course.title,
        "note": "Start here",
        "url": course.get_absolute_url(),
    }
    assert client.get(f"/api/v1/pathways/{pathway.key}").json()["key"] == pathway.key


def test_my_learning_needs_authentication(client):
    assert client.get("/api/v1/me/learning").status_code == 401


def test_my_learning_reports_progress(client, course, enrolled):
    services.complete_lesson(lessons_of(course)[0], user=enrolled)
    body = client.get("/api/v1/me/learning", headers=bearer(enrolled)).json()
    assert body["courses"][0]["progress"] == {
        "done": 1,
        "total": 3,
        "percent": 33,
        "completed": False,
    }
    assert body["courses"][0]["resume_url"].endswith(f"/lessons/{lessons_of(course)[0].pk}/")


def test_enrol_through_the_api(client, course, member):
    headers = bearer(member)
    response = client.post(f"/api/v1/courses/{course.key}/enrolment", headers=headers)
    assert response.status_code == 200
    assert response.json()["total"] == 3
    assert Enrolment.objects.filter(user=member, course=course).exists()
    advanced = CourseFactory()
    advanced.prerequisites.add(course)
    response = client.post(f"/api/v1/courses/{advanced.key}/enrolment", headers=headers)
    assert response.status_code == 409
    assert course.title in response.json()["detail"]


@pytest.fixture(params=["small", "large"])
def many(request, city):
    n = 3 if request.param == "small" else 25
    courses = [course_with_lessons(lessons=2) for _ in range(n)]
    pathway = PathwayFactory()
    for position, c in enumerate(courses):
        StepFactory(pathway=pathway, course=c, position=position)
    user = MembershipFactory(city=city).user
    for c in courses:
        services.enrol_in_course(c, user=user)
    services.enrol_in_pathway(pathway, user=user)
    cache.clear()
    return user


def test_api_list_query_counts(client, many, django_assert_num_queries):
    with django_assert_num_queries(7):
        assert client.get("/api/v1/courses").status_code == 200
    with django_assert_num_queries(2):
        assert client.get("/api/v1/pathways").status_code == 200
    headers = bearer(many)
    with django_assert_num_queries(9):
        assert client.get("/api/v1/me/learning", headers=headers).status_code == 200

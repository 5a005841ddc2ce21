"""The learning benchmark's seeding, at toy scale: rows as the product would write them,
consistent progress, idempotent, and the pages the benchmark measures answer.

No timings here: speed is what `make bench` measures, not what tests assert.
"""

from __future__ import annotations

import pytest
import seed
import seed_learning as sl
from django.db.models import Count, F

from netzerohub.cities.models import Country, Membership
from netzerohub.core import search
from netzerohub.learning.models import (
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Pathway,
    Question,
)
from netzerohub.learning.progress import course_progress, my_learning
from netzerohub.learning.services import pathway_steps_done

pytestmark = pytest.mark.django_db

USERS = 12
TARGETS = sl.Targets(courses=6, pathways=2, progress=20, team=5)


def quiet(*args: object) -> None:
    pass


@pytest.fixture
def people() -> None:
    Country.objects.create(code="FR", name="France", is_eu_member=True)
    seed.seed(seed.Targets(cities=10, users=USERS, memberships=20), log=quiet)


def test_seed_writes_courses_pathways_and_learners(people):
    report = sl.seed(TARGETS, log=quiet)

    assert report["courses"] == 6
    assert report["pathways"] == 2
    assert report["learners"] == USERS
    assert report["lesson_progress"] == USERS * 20
    courses = sl.bench_courses()
    assert courses.count() == 6
    assert set(courses.values_list("status", flat=True)) == {"published"}
    counted = courses.annotate(n=Count("lessons", distinct=True), m=Count("modules", distinct=True))
    for course in counted:
        assert 8 <= course.n <= 12
        assert 2 <= course.m <= 3
    assert not Lesson.objects.exclude(course_id=F("module__course_id")).exists()
    assert Question.objects.filter(lesson__course__in=courses).exists()
    assert Pathway.objects.filter(key__startswith=sl.PATHWAY_PREFIX).count() == 2
    # Indexed for the catalogue, as reindex_course indexes a published course.
    found = search.search(search.kind_of(Course), audiences=["public"], query="")
    assert found.total == 6


def test_learners_progress_is_what_the_product_would_have_recorded(people):
    sl.seed(TARGETS, log=quiet)

    for user in seed.bench_users():
        enrolments = list(Enrolment.objects.filter(user=user))
        courses = [e for e in enrolments if e.course_id]
        assert 2 <= len(courses) <= 6
        assert len([e for e in enrolments if e.pathway_id]) == 1
        done = LessonProgress.objects.filter(user=user)
        assert done.count() == 20
        assert set(done.values_list("lesson__course_id", flat=True)) <= {
            e.course_id for e in courses
        }
        progress = course_progress(user, courses)
        certified = set(Certificate.objects.filter(user=user).values_list("course_id", flat=True))
        for e in courses:
            complete = progress[e.course_id].done == progress[e.course_id].total
            assert (e.completed is not None) == complete
            assert (e.course_id in certified) == complete
            if progress[e.course_id].done:
                last = Lesson.objects.get(pk=e.last_lesson_id)
                assert last.course_id == e.course_id
                assert LessonProgress.objects.filter(user=user, lesson=last).exists()
        (pathway,) = [e for e in enrolments if e.pathway_id]
        steps = list(pathway.pathway.steps.all())
        finished = len(pathway_steps_done(user, steps)) == len(steps)
        assert (pathway.completed is not None) == finished
        assert len(my_learning(user).courses) == len(courses)
    assert Enrolment.objects.filter(completed__isnull=False, course__isnull=False).exists()
    assert Enrolment.objects.filter(completed__isnull=True, course__isnull=False).exists()


def test_the_team_city_has_its_members_and_a_lead(people):
    sl.seed(TARGETS, log=quiet)

    city = sl.team_city()
    assert Membership.objects.approved().filter(city=city).count() >= 5
    lead = sl.team_lead(city)
    assert lead is not None
    assert lead.email.endswith("@bench.invalid")


def test_seeding_again_adds_nothing_and_a_higher_target_tops_up(people):
    sl.seed(TARGETS, log=quiet)
    before = (
        Course.objects.count(),
        Enrolment.objects.count(),
        LessonProgress.objects.count(),
        Certificate.objects.count(),
        Membership.objects.count(),
    )

    again = sl.seed(TARGETS, log=quiet)

    assert not any(v for k, v in again.items() if not k.endswith("_s"))
    after = (
        Course.objects.count(),
        Enrolment.objects.count(),
        LessonProgress.objects.count(),
        Certificate.objects.count(),
        Membership.objects.count(),
    )
    assert after == before

    seed.seed(seed.Targets(cities=10, users=USERS + 3, memberships=20), log=quiet)
    more = sl.seed(sl.Targets(courses=7, pathways=2, progress=20, team=8), log=quiet)

    assert more["courses"] == 1
    assert more["learners"] == 3
    assert more["lesson_progress"] == 3 * 20
    assert more["team_members"] == 3
    assert Course.objects.filter(key="bench-course-07").exists()


def test_the_measured_pages_answer_for_the_seeded_people(people, client):
    sl.seed(TARGETS, log=quiet)
    learner = seed.bench_users().order_by("pk").last()
    enrolment = Enrolment.objects.filter(user=learner, course__isnull=False).first()
    client.force_login(learner)

    mine = client.get("/learning/mine/")
    assert mine.status_code == 200
    assert enrolment.course.title.encode() in mine.content
    course = client.get(f"/learning/courses/{enrolment.course.key}/")
    assert course.status_code == 200
    assert b"Your progress" in course.content

    city = sl.team_city()
    client.force_login(sl.team_lead(city))
    team = client.get(f"/learning/team/{city.pk}/")
    assert team.status_code == 200
    member = Membership.objects.approved().filter(city=city).exclude(user=sl.team_lead(city))
    assert member.first().user.name.encode() in team.content

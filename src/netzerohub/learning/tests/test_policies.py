"""Who may do what in the learning programme: tables of roles x actions, per status; `member`
is enrolled in the course (and `lead` is the lead of the member's city)."""

from __future__ import annotations

import pytest
from django.http import Http404

from netzerohub.learning import services
from netzerohub.learning.models import Status
from netzerohub.learning.policies import (
    can_view_team_progress,
    certificate_policy,
    cohort_policy,
    course_policy,
    get_course_for_user,
    get_own_certificate,
    pathway_policy,
)
from netzerohub.learning.tests.factories import CohortFactory, PathwayFactory, course_with_lessons

pytestmark = pytest.mark.django_db

ROLES = [
    "visitor",
    "outsider",
    "member",
    "lead",
    "other_lead",
    "mentor",
    "helpdesk_expert",
    "coordinator",
]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"visitor"}


def course_allowed(action: str, status: str) -> set[str]:
    """The roles that may do `action` on a course in `status` (`member` is enrolled)."""
    return {
        "view": {
            Status.PUBLISHED: EVERYONE,
            Status.ARCHIVED: {"member", "coordinator"},
            Status.DRAFT: {"coordinator"},
        }[status],
        "learn": {"coordinator"} | ({"member"} if status != Status.DRAFT else set()),
        "enrol": SIGNED_IN if status == Status.PUBLISHED else set(),
        "author": {"coordinator"},
    }[action]


@pytest.fixture
def enrolled_course(member):
    course = course_with_lessons(lessons=1)
    services.enrol_in_course(course, user=member)
    return course


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PUBLISHED, Status.ARCHIVED])
@pytest.mark.parametrize("action", ["view", "learn", "enrol", "author"])
def test_course_policy(request, enrolled_course, status, action):
    enrolled_course.status = status
    enrolled_course.save()
    allowed = {
        role
        for role in ROLES
        if course_policy.can(request.getfixturevalue(role), action, enrolled_course)
    }
    assert allowed == course_allowed(action, status)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PUBLISHED])
def test_pathway_policy(request, status):
    pathway = PathwayFactory(status=status)
    viewers = {r for r in ROLES if pathway_policy.can(request.getfixturevalue(r), "view", pathway)}
    enrollers = {
        r for r in ROLES if pathway_policy.can(request.getfixturevalue(r), "enrol", pathway)
    }
    authors = {
        r for r in ROLES if pathway_policy.can(request.getfixturevalue(r), "author", pathway)
    }
    assert viewers == (EVERYONE if status == Status.PUBLISHED else {"coordinator"})
    assert enrollers == (SIGNED_IN if status == Status.PUBLISHED else set())
    assert authors == {"coordinator"}


def test_team_progress_is_for_the_city_lead_and_coordinators(request, city):
    allowed = {r for r in ROLES if can_view_team_progress(request.getfixturevalue(r), city)}
    assert allowed == {"lead", "coordinator"}


def test_cohort_progress_is_for_its_facilitator_and_coordinators(request, mentor):
    cohort = CohortFactory(facilitator=mentor)
    allowed = {
        r for r in ROLES if cohort_policy.can(request.getfixturevalue(r), "view_progress", cohort)
    }
    assert allowed == {"mentor", "coordinator"}


def test_only_the_holder_downloads_a_certificate(request, enrolled_course, member):
    certificate = services.issue_certificate(enrolled_course, user=member)
    allowed = {
        r
        for r in ROLES
        if certificate_policy.can(request.getfixturevalue(r), "download", certificate)
    }
    assert allowed == {"member"}
    with pytest.raises(Http404):
        get_own_certificate(request.getfixturevalue("coordinator"), certificate.code)
    assert get_own_certificate(member, certificate.code) == certificate


def test_a_draft_and_a_missing_course_give_the_same_404(member):
    draft = course_with_lessons(status=Status.DRAFT)
    for key in (draft.key, "missing"):
        with pytest.raises(Http404):
            get_course_for_user(member, key)

"""Who may do what with a city's self-assessment: tables of roles × actions, per status.
`member`, `lead` and `mentor` belong to `city`; everyone else is outside it."""

from __future__ import annotations

import pytest
from django.http import Http404

from netzerohub.assessment import authoring, services
from netzerohub.assessment.policies import (
    assessment_policy,
    can_start,
    can_view_results_of,
    get_assessment_for_user,
    get_questionnaire_for_user,
    questionnaire_policy,
)
from netzerohub.assessment.tests.factories import submitted

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
OF_THE_CITY = {"member", "lead", "mentor"}


def allowed(action: str, status: str) -> set[str]:
    in_progress = status == "in_progress"
    return {
        "view": OF_THE_CITY | {"coordinator"},
        "answer": OF_THE_CITY if in_progress else set(),
        "submit": {"lead"} if in_progress else set(),
    }[action]


@pytest.fixture
def assessments(questionnaire, city, lead):
    done = submitted(city, lead)
    in_progress = services.start_assessment(city, actor=lead)
    return {"submitted": done, "in_progress": in_progress}


@pytest.mark.parametrize("status", ["in_progress", "submitted"])
@pytest.mark.parametrize("action", ["view", "answer", "submit"])
@pytest.mark.parametrize("role", ROLES)
def test_assessment_policy_table(request, assessments, role, action, status):
    user = request.getfixturevalue(role)
    assessment = assessments[status]
    expected = role in allowed(action, status)
    assert assessment_policy.can(user, action, assessment) is expected
    if action == "view":
        if expected:
            assert get_assessment_for_user(user, assessment.pk) == assessment
        else:
            with pytest.raises(Http404):
                get_assessment_for_user(user, assessment.pk)


@pytest.mark.parametrize("role", ROLES)
def test_missing_and_forbidden_assessments_answer_the_same_404(request, assessments, role):
    user = request.getfixturevalue(role)
    with pytest.raises(Http404):
        get_assessment_for_user(user, 999_999)


@pytest.mark.parametrize("role", ROLES)
def test_who_starts_and_who_sees_a_citys_results(request, city, role):
    user = request.getfixturevalue(role)
    assert can_start(user, city) is (role in OF_THE_CITY)
    assert can_view_results_of(user, city) is (role in OF_THE_CITY | {"coordinator"})


@pytest.mark.parametrize("role", ROLES)
def test_the_published_questionnaire_is_public_a_draft_the_coordinators(
    request, questionnaire, coordinator, role
):
    user = request.getfixturevalue(role)
    draft = authoring.create_draft(questionnaire, actor=coordinator, version="2027.1")
    assert questionnaire_policy.can(user, "view", questionnaire)
    assert questionnaire_policy.can(user, "view", draft) is (role == "coordinator")
    assert questionnaire_policy.can(user, "author", draft) is (role == "coordinator")
    if role != "coordinator":
        with pytest.raises(Http404):
            get_questionnaire_for_user(user, draft.pk)

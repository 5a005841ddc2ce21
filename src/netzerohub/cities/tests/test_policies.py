"""Who may do what with cities, memberships and proposals: tables of roles x actions."""

from __future__ import annotations

import pytest

from netzerohub.cities.models import CityProposal, Membership
from netzerohub.cities.policies import city_policy, membership_policy, proposal_policy
from netzerohub.cities.tests.factories import CityProposalFactory, RequestFactory

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


def expand(allowed: dict[str, set[str]], roles: list[str]) -> list[tuple[str, str, bool]]:
    return [(role, action, role in who) for action, who in allowed.items() for role in roles]


@pytest.fixture
def user_for(request):
    def get(role: str):
        return request.getfixturevalue(role)

    return get


# --- CityPolicy ----------------------------------------------------------------------------------

CITY_ALLOWED = {
    "view": set(ROLES),
    "view_private": {"member", "lead", "mentor", "coordinator"},
    "edit_profile": {"lead", "coordinator"},
    "set_status": {"coordinator"},
    "request_membership": set(ROLES) - {"visitor"},
}


@pytest.mark.parametrize(("role", "action", "allowed"), expand(CITY_ALLOWED, ROLES))
def test_city_policy(role, action, allowed, city, user_for):
    user = user_for(role)

    assert city_policy.can(user, action, city) is allowed


def test_city_policy_knows_exactly_its_actions():
    assert set(CITY_ALLOWED) == set(city_policy.actions)
    with pytest.raises(ValueError, match="no action"):
        city_policy.can(None, "delete", None)


def test_a_lead_who_left_has_no_lead_rights(lead, city):
    Membership.objects.filter(user=lead).update(status=Membership.Status.LEFT)
    lead.refresh_from_db()  # a new request: no cached memberships

    assert not city_policy.can(lead, "edit_profile", city)
    assert not city_policy.can(lead, "view_private", city)


def test_an_inactive_coordinator_has_no_coordinator_rights(coordinator, city):
    coordinator.is_active = False

    assert not city_policy.can(coordinator, "set_status", city)
    assert not city_policy.can(coordinator, "view_private", city)


# --- MembershipPolicy: a pending request to join `city` ------------------------------------------

MEMBERSHIP_ROLES = [*ROLES, "applicant"]
MEMBERSHIP_ALLOWED = {
    "view": {"applicant", "member", "lead", "mentor", "coordinator"},
    "decide": {"lead", "coordinator"},
    "withdraw": {"applicant"},
    "set_mentor": {"coordinator"},
}


@pytest.fixture
def pending_request(city, lead):
    return RequestFactory(city=city, user__name="Ada Applicant")


@pytest.fixture
def applicant(pending_request):
    return pending_request.user


@pytest.mark.parametrize(
    ("role", "action", "allowed"), expand(MEMBERSHIP_ALLOWED, MEMBERSHIP_ROLES)
)
def test_membership_policy_on_a_pending_request(role, action, allowed, pending_request, user_for):
    user = user_for(role)

    assert membership_policy.can(user, action, pending_request) is allowed


FIRST_LEAD_DECIDERS = {"coordinator"}


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_decide_a_request_to_become_a_citys_first_lead(role, city, user_for):
    first_lead = RequestFactory(city=city, role=Membership.Role.LEAD, needs_coordinator=True)
    user = user_for(role)

    assert membership_policy.can(user, "decide", first_lead) is (role in FIRST_LEAD_DECIDERS)


@pytest.mark.parametrize("status", [Membership.Status.APPROVED, Membership.Status.REJECTED])
@pytest.mark.parametrize("role", ["lead", "coordinator"])
def test_nobody_decides_a_request_twice(role, status, city, lead, user_for):
    decided = RequestFactory(city=city, status=status)

    assert not membership_policy.can(user_for(role), "decide", decided)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (Membership.Status.PENDING, True),
        (Membership.Status.APPROVED, True),
        (Membership.Status.REJECTED, False),
        (Membership.Status.LEFT, False),
    ],
)
def test_a_person_withdraws_an_open_membership_only(status, allowed, city):
    membership = RequestFactory(city=city, status=status)

    assert membership_policy.can(membership.user, "withdraw", membership) is allowed


# --- ProposalPolicy ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_decide_a_proposed_city(role, user_for):
    proposal = CityProposalFactory()

    assert proposal_policy.can(user_for(role), "decide", proposal) is (role == "coordinator")


@pytest.mark.parametrize(
    "status",
    [CityProposal.Status.APPROVED, CityProposal.Status.MERGED, CityProposal.Status.REJECTED],
)
def test_a_decided_proposal_is_not_decided_again(status, coordinator):
    proposal = CityProposalFactory(status=status)

    assert not proposal_policy.can(coordinator, "decide", proposal)


def test_the_proposer_cannot_decide_their_own_proposal():
    proposal = CityProposalFactory()

    assert not proposal_policy.can(proposal.proposed_by, "decide", proposal)

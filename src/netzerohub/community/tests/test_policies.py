"""Who may do what with a peer group: a table of roles × actions, per group status.

`member` is a member of a Mission City who has not joined the group; `group_member` joined it
for the same city; `applicant` applied and waits; `facilitator` is the city's mentor who
facilitates the group; `coordinator` runs the programme (no city of their own)."""

from __future__ import annotations

import pytest
from django.http import Http404

from netzerohub.cities.tests.factories import MembershipFactory
from netzerohub.community.models import Group, GroupMembership
from netzerohub.community.policies import get_group_for_user, group_policy
from netzerohub.community.tests.factories import GroupFactory, GroupMembershipFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "visitor",
    "outsider",
    "member",
    "applicant",
    "group_member",
    "facilitator",
    "coordinator",
]
EVERYONE = set(ROLES)
WITH_A_CITY = {"member", "applicant", "group_member", "facilitator"}
LISTED = (Group.Status.OPEN, Group.Status.CLOSED)


def allowed(action: str, status: str) -> set[str]:
    """The roles that may do `action` on a group in `status`."""
    return {
        "view": EVERYONE if status in LISTED else {"facilitator", "coordinator"},
        # Seats and existing memberships are the service's to refuse, not the policy's.
        "join": WITH_A_CITY if status == Group.Status.OPEN else set(),
        "discuss": {"group_member", "facilitator", "coordinator"},
        "moderate": {"facilitator", "coordinator"},
        "admit": {"facilitator", "coordinator"},
        "manage": {"coordinator"},
    }[action]


@pytest.fixture
def group(mentor):
    return GroupFactory(facilitators=[mentor])


@pytest.fixture
def facilitator(mentor):
    return mentor


@pytest.fixture
def group_member(group, city):
    user = MembershipFactory(city=city, user__name="Gus Groupmember").user
    GroupMembershipFactory(group=group, user=user, city=city)
    return user


@pytest.fixture
def applicant(group, city):
    user = MembershipFactory(city=city, user__name="Abe Applicant").user
    GroupMembershipFactory(group=group, user=user, city=city, status=GroupMembership.Status.PENDING)
    return user


@pytest.mark.parametrize("status", Group.Status.values)
@pytest.mark.parametrize("action", ["view", "join", "discuss", "moderate", "admit", "manage"])
def test_group_policy(request, group, status, action):
    Group.objects.filter(pk=group.pk).update(status=status)
    group.refresh_from_db()
    users = {role: request.getfixturevalue(role) for role in ROLES}
    permitted = {role for role, user in users.items() if group_policy.can(user, action, group)}
    assert permitted == allowed(action, status)


def test_a_member_who_left_no_longer_discusses(group, group_member):
    GroupMembership.objects.filter(user=group_member).update(status=GroupMembership.Status.LEFT)
    assert not group_policy.can(group_member, "discuss", group)


def test_a_draft_and_a_missing_group_give_the_same_404(member):
    draft = GroupFactory(status=Group.Status.DRAFT)
    for slug in (draft.slug, "no-such-group"):
        with pytest.raises(Http404):
            get_group_for_user(member, slug)


def test_admit_is_checked_by_the_fetch_helper(group, member, mentor):
    with pytest.raises(Http404):
        get_group_for_user(member, group.slug, "admit")
    assert get_group_for_user(mentor, group.slug, "admit") == group

"""Who may do what with resources and collections: tables of roles x actions, per status and
visibility. The resource comes from `city`; `contributor` (a member of `city`) shared it."""

from __future__ import annotations

import pytest
from django.http import Http404

from netzerohub.cities.models import Membership
from netzerohub.knowledge.models import Resource
from netzerohub.knowledge.policies import (
    can_contribute_for,
    collection_policy,
    get_attachment_for_user,
    get_collection_for_user,
    get_resource_for_user,
    resource_policy,
)
from netzerohub.knowledge.tests.factories import (
    AttachmentFactory,
    CollectionFactory,
    ResourceFactory,
)

pytestmark = pytest.mark.django_db

S = Resource.Status
ROLES = [
    "visitor",
    "outsider",
    "contributor",
    "member",
    "other_member",
    "mentor",
    "other_mentor",
    "helpdesk_expert",
    "coordinator",
]
EVERYONE = set(ROLES)
PROGRAMME = EVERYONE - {"visitor", "outsider"}
REVIEWERS = {"mentor", "coordinator"}
NOBODY: set[str] = set()

STATUSES = [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.PUBLISHED, S.ARCHIVED]
VISIBILITIES = [Resource.Visibility.PUBLIC, Resource.Visibility.MEMBERS]


def readers(status: str, visibility: str) -> set[str]:
    if status == S.DRAFT:
        return {"contributor", "coordinator"}
    if status in {S.SUBMITTED, S.CHANGES_REQUESTED}:
        return {"contributor", *REVIEWERS}
    return EVERYONE if visibility == Resource.Visibility.PUBLIC else PROGRAMME


def allowed(action: str, status: str, visibility: str) -> set[str]:
    """The roles that may do `action` on a resource in `status` and `visibility`."""
    open_to_edits = status in {S.DRAFT, S.CHANGES_REQUESTED}
    return {
        "view": readers(status, visibility),
        "edit": {"contributor", "coordinator"} if open_to_edits else {"coordinator"},
        "submit": {"contributor", "coordinator"} if open_to_edits else NOBODY,
        "publish": (
            REVIEWERS
            if status in {S.SUBMITTED, S.ARCHIVED}
            else {"coordinator"}
            if open_to_edits
            else NOBODY
        ),
        "request_changes": REVIEWERS if status == S.SUBMITTED else NOBODY,
        "archive": REVIEWERS if status == S.PUBLISHED else NOBODY,
        "view_history": readers(status, visibility) & {"contributor", *REVIEWERS},
        "bookmark": readers(status, visibility) - {"visitor"},
        "curate": {"coordinator"} if status == S.PUBLISHED else NOBODY,
    }[action]


CASES = [
    (status, visibility, role)
    for status in STATUSES
    for visibility in VISIBILITIES
    for role in ROLES
]


@pytest.mark.parametrize(("status", "visibility", "role"), CASES)
def test_resource_policy(status, visibility, role, city, contributor, user_for):
    resource = ResourceFactory(
        status=status, visibility=visibility, city=city, submitted_by=contributor, indexed=False
    )
    user = user_for(role)

    actual = {
        action: resource_policy.can(user, action, resource) for action in resource_policy.actions
    }
    expected = {
        action: role in allowed(action, status, visibility) for action in resource_policy.actions
    }
    assert actual == expected


def test_resource_policy_knows_exactly_its_actions():
    assert set(resource_policy.actions) == {
        "view", "edit", "submit", "publish", "request_changes", "archive", "view_history",
        "bookmark", "curate",
    }  # fmt: skip
    with pytest.raises(ValueError, match="no action"):
        resource_policy.can(None, "delete", None)


def test_a_mentor_never_reviews_their_own_contribution(city, mentor):
    resource = ResourceFactory(submitted=True, city=city, submitted_by=mentor, indexed=False)

    assert resource_policy.can(mentor, "view", resource)
    assert not resource_policy.can(mentor, "publish", resource)
    assert not resource_policy.can(mentor, "request_changes", resource)


def test_a_contributor_who_left_the_city_may_no_longer_edit_their_draft(city, contributor):
    resource = ResourceFactory(draft=True, city=city, submitted_by=contributor, indexed=False)
    Membership.objects.filter(user=contributor).update(status=Membership.Status.LEFT)
    contributor.refresh_from_db()  # a new request: no cached memberships

    assert resource_policy.can(contributor, "view", resource)
    assert not resource_policy.can(contributor, "edit", resource)
    assert not resource_policy.can(contributor, "submit", resource)


def test_an_inactive_coordinator_has_no_coordinator_rights(city, contributor, coordinator):
    resource = ResourceFactory(submitted=True, city=city, submitted_by=contributor, indexed=False)
    coordinator.is_active = False

    assert not any(resource_policy.can(coordinator, a, resource) for a in resource_policy.actions)


def test_programme_resources_without_a_city_are_reviewed_by_coordinators_only(mentor, coordinator):
    resource = ResourceFactory(submitted=True, city=None, submitted_by=coordinator, indexed=False)

    assert resource_policy.can(coordinator, "publish", resource)
    assert not resource_policy.can(mentor, "view", resource)
    assert not resource_policy.can(mentor, "publish", resource)


# --- contributing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "for_city", "expected"),
    [
        ("visitor", "city", False),
        ("outsider", "city", False),
        ("member", "city", True),
        ("member", "other_city", False),
        ("member", None, False),
        ("mentor", "city", True),
        ("other_member", "city", False),
        ("helpdesk_expert", "city", False),
        ("coordinator", "city", True),
        ("coordinator", None, True),
    ],
)
def test_who_contributes_for_which_city(role, for_city, expected, user_for, request):
    target = request.getfixturevalue(for_city) if for_city else None

    assert can_contribute_for(user_for(role), target) is expected


# --- collections -----------------------------------------------------------------------------

COLLECTION_ALLOWED = {
    ("view", True): EVERYONE,
    ("view", False): {"coordinator"},
    ("manage", True): {"coordinator"},
    ("manage", False): {"coordinator"},
}


@pytest.mark.parametrize(
    ("action", "published", "role"),
    [(action, published, role) for action, published in COLLECTION_ALLOWED for role in ROLES],
)
def test_collection_policy(action, published, role, user_for):
    collection = CollectionFactory(is_published=published)

    expected = role in COLLECTION_ALLOWED[(action, published)]
    assert collection_policy.can(user_for(role), action, collection) is expected


# --- fetch helpers: the same 404 for missing and forbidden -----------------------------------


@pytest.mark.parametrize("role", ["visitor", "outsider", "member", "other_mentor"])
def test_a_draft_and_a_missing_resource_give_the_same_404(role, city, contributor, user_for):
    draft = ResourceFactory(draft=True, city=city, submitted_by=contributor, indexed=False)
    user = user_for(role)

    with pytest.raises(Http404):
        get_resource_for_user(user, draft.pk)
    with pytest.raises(Http404):
        get_resource_for_user(user, draft.pk + 1000)
    assert get_resource_for_user(contributor, draft.pk) == draft


def test_an_attachment_is_fetched_only_through_a_readable_resource(visitor, member):
    attachment = AttachmentFactory(resource__members_only=True)
    other = AttachmentFactory()

    assert get_attachment_for_user(member, attachment.resource_id, attachment.pk) == attachment
    with pytest.raises(Http404):
        get_attachment_for_user(visitor, attachment.resource_id, attachment.pk)
    with pytest.raises(Http404):  # a readable resource, but the file belongs to another one
        get_attachment_for_user(member, attachment.resource_id, other.pk)


def test_an_unpublished_collection_is_hidden_like_a_missing_one(visitor, coordinator):
    collection = CollectionFactory(is_published=False)

    with pytest.raises(Http404):
        get_collection_for_user(visitor, collection.slug)
    with pytest.raises(Http404):
        get_collection_for_user(visitor, "no-such-collection")
    assert get_collection_for_user(coordinator, collection.slug) == collection

"""The events policy as a table: roles × actions, on a published, a draft and a cancelled event
and on a group meeting; and who may cancel or accept a registration."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from netzerohub.accounts.tests.factories import CoordinatorFactory, UserFactory
from netzerohub.cities.tests.factories import CityFactory, MembershipFactory
from netzerohub.community.tests.factories import GroupFactory, GroupMembershipFactory
from netzerohub.events.models import Event, Registration
from netzerohub.events.policies import event_policy, registration_policy
from netzerohub.exchanges.tests.factories import OfferFactory

from .factories import EventFactory, MeetingFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "visitor",
    "outsider",
    "city member",
    "confirmed",
    "waitlisted",
    "offered",
    "group member",
    "organiser",
    "facilitator",
    "coordinator",
)
ACTIONS = ("view", "register", "see_video", "manage")


def people(event: Event) -> dict[str, object]:
    """One person per role for `event` (registrations of their own city)."""

    def member():
        city = CityFactory()
        return MembershipFactory(city=city).user, city

    found: dict[str, object] = {"visitor": AnonymousUser(), "outsider": UserFactory()}
    found["city member"] = member()[0]
    for role, status in (
        ("confirmed", Registration.Status.CONFIRMED),
        ("waitlisted", Registration.Status.WAITLISTED),
        ("offered", Registration.Status.OFFERED),
    ):
        user, city = member()
        RegistrationFactory(event=event, user=user, city=city, status=status)
        found[role] = user
    user, city = member()
    if event.group_id:
        GroupMembershipFactory(group=event.group, user=user, city=city)
    found["group member"] = user
    found["organiser"] = UserFactory()
    event.organisers.add(found["organiser"])
    found["facilitator"] = UserFactory()
    if event.group_id:
        event.group.facilitators.add(found["facilitator"])
    found["coordinator"] = CoordinatorFactory()
    return found


# (role, action): allowed. Everything not listed is refused.
NATIONAL = {
    **{(role, "view"): True for role in ROLES},
    **{
        (role, "register"): True
        for role in ("city member", "confirmed", "waitlisted", "offered", "group member")
    },
    ("confirmed", "see_video"): True,
    ("organiser", "see_video"): True,
    ("coordinator", "see_video"): True,
    ("organiser", "manage"): True,
    ("coordinator", "manage"): True,
}
DRAFT = {
    (role, action): allowed
    for (role, action), allowed in NATIONAL.items()
    if role in ("organiser", "coordinator") and action != "register"
}
CANCELLED = {
    (role, action): allowed
    for (role, action), allowed in NATIONAL.items()
    if action != "register" and not (action == "see_video" and role == "confirmed")
}
MEETING = {
    **{(role, "view"): True for role in ROLES},
    ("group member", "register"): True,
    ("facilitator", "register"): False,  # facilitates, but has no city of their own here
    ("confirmed", "see_video"): True,
    ("organiser", "see_video"): True,
    ("facilitator", "see_video"): True,
    ("coordinator", "see_video"): True,
    ("organiser", "manage"): True,
    ("facilitator", "manage"): True,
    ("coordinator", "manage"): True,
}


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: EventFactory(), NATIONAL),
        (lambda: EventFactory(status=Event.Status.DRAFT), DRAFT),
        (lambda: EventFactory(status=Event.Status.CANCELLED), CANCELLED),
        (lambda: MeetingFactory(group=GroupFactory()), MEETING),
    ],
    ids=["published", "draft", "cancelled", "meeting"],
)
def test_event_policy_table(make, expected):
    event = make()
    found = people(event)
    table = {
        (role, action): event_policy.can(found[role], action, event)
        for role in ROLES
        for action in ACTIONS
    }
    wanted = {
        (role, action): expected.get((role, action), False) for role in ROLES for action in ACTIONS
    }
    assert table == wanted


def test_registration_policy_table():
    event = EventFactory()
    found = people(event)
    registration = Registration.objects.get(event=event, user=found["confirmed"])
    allowed = {
        (role, action): registration_policy.can(found[role], action, registration)
        for role in ROLES
        for action in ("cancel", "accept")
    }
    assert {key for key, yes in allowed.items() if yes} == {
        ("confirmed", "cancel"),
        ("confirmed", "accept"),  # the engine refuses it unless an offer is open
        ("organiser", "cancel"),
        ("coordinator", "cancel"),
    }


def test_a_study_visit_is_run_and_listed_by_its_host_citys_lead_and_mentor():
    offer = OfferFactory()
    visit = EventFactory(
        kind=Event.Kind.STUDY_VISIT, offer=offer, audience=Event.Audience.CALL, venue="Hall"
    )
    lead = MembershipFactory(city=offer.city, role="lead").user
    mentor = MembershipFactory(city=offer.city, is_mentor=True).user
    member = MembershipFactory(city=offer.city).user
    for person in (lead, mentor):
        assert event_policy.can(person, "manage", visit)
        assert list(Event.objects.managed_by(person)) == [visit]
    assert not event_policy.can(member, "manage", visit)
    assert list(Event.objects.managed_by(member)) == []

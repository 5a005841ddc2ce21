"""Who may do what with a ticket: the policy as a table of roles × actions, each row checked
against the ticket's page (200 for those who may view, the same 404 as a missing ticket for
everyone else, the sign-in page for a visitor)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from netzerohub.accounts.tests.factories import HelpdeskExpertFactory, add_totp
from netzerohub.cities.tests.factories import MembershipFactory
from netzerohub.helpdesk import services
from netzerohub.helpdesk.models import Category, Ticket
from netzerohub.helpdesk.policies import ticket_policy

from .factories import QueueFactory, RoutingRuleFactory, ServiceLevelFactory

pytestmark = pytest.mark.django_db
S = Ticket.Status
ACTIONS = ("view", "view_notes", "reply", "note", "manage", "rate")

# A resolved ticket a member asked for their city, in a queue with two experts (one of them
# assigned). (view, view_notes, reply, note, manage, rate):
TABLE = {
    "asker": (1, 0, 1, 0, 0, 1),
    "lead of the city": (1, 0, 1, 0, 0, 0),
    "member of the city, not the asker": (0, 0, 0, 0, 0, 0),
    "lead of another city": (0, 0, 0, 0, 0, 0),
    "expert of the queue": (1, 1, 1, 1, 1, 0),
    "assigned expert": (1, 1, 1, 1, 1, 0),
    "expert of another queue": (0, 0, 0, 0, 0, 0),
    "assignee from another queue": (1, 1, 1, 1, 1, 0),
    "coordinator": (1, 1, 1, 1, 1, 0),
    "visitor": (0, 0, 0, 0, 0, 0),
}


def staff_expert(name: str):
    person = HelpdeskExpertFactory(name=name)
    add_totp(person)
    return person


@pytest.fixture
def people(city, member, lead, other_lead, coordinator):
    assigned = staff_expert("Assigned Expert")
    queue = QueueFactory(experts=[assigned])
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    ServiceLevelFactory()
    colleague = staff_expert("Queue Colleague")
    queue.experts.add(colleague)
    stranger = staff_expert("Other Queue Expert")
    QueueFactory(experts=[stranger])
    return {
        "asker": member,
        "lead of the city": lead,
        "member of the city, not the asker": MembershipFactory(city=city).user,
        "lead of another city": other_lead,
        "expert of the queue": colleague,
        "assigned expert": assigned,
        "expert of another queue": stranger,
        "assignee from another queue": None,  # set by `resolved`
        "coordinator": coordinator,
        "visitor": AnonymousUser(),
    }


@pytest.fixture
def resolved(people, city):
    ticket = services.open_ticket(
        actor=people["asker"],
        city=city,
        category=Category.PORTAL,
        subject="How do I invite a colleague?",
        description="Question",
    )
    assert ticket.assignee == people["assigned expert"]
    services.reply_as_helpdesk(
        ticket, actor=people["assigned expert"], body="Like this", status=S.RESOLVED
    )
    # Another queue's expert who was given this ticket (say, for a second opinion).
    elsewhere = staff_expert("Borrowed Expert")
    QueueFactory(experts=[elsewhere])
    people["assignee from another queue"] = elsewhere
    ticket.refresh_from_db()
    return ticket


@pytest.mark.parametrize("role", list(TABLE))
def test_role_by_action_table(role, people, resolved, client):
    person = people[role]
    if role == "assignee from another queue":
        # The row is about a ticket assigned to them: assign it (the assigned expert's row
        # is checked in its own parametrisation, before this one changes the assignee).
        services.change_ticket(resolved, actor=people["coordinator"], assignee=person)
        resolved = Ticket.objects.select_related("queue", "assignee").get(pk=resolved.pk)
    expected = dict(zip(ACTIONS, (bool(v) for v in TABLE[role]), strict=True))
    actual = {action: ticket_policy.can(person, action, resolved) for action in ACTIONS}
    assert actual == expected

    if person.is_authenticated:
        client.force_login(person)
    response = client.get(resolved.get_absolute_url())
    if not person.is_authenticated:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == (200 if expected["view"] else 404)
    if expected["view"]:
        page = response.content.decode()
        # The page offers what the policy allows, and no more.
        assert ("Internal note" in page) == expected["note"]
        assert ('name="take"' in page or "Status and assignment" in page) == expected["manage"]
        assert ("How well was your question answered?" in page) == expected["rate"]


def test_a_closed_ticket_takes_no_reply_from_anyone(people, resolved):
    Ticket.objects.filter(pk=resolved.pk).update(status=S.CLOSED)
    resolved.refresh_from_db()
    for role, person in people.items():
        if person is not None:
            assert not ticket_policy.can(person, "reply", resolved), role
    # Notes stay possible for the helpdesk side.
    assert ticket_policy.can(people["assigned expert"], "note", resolved)


def test_an_unverified_visitor_ticket_is_seen_by_coordinators_only(people, client):
    ticket = services.open_visitor_ticket(
        name="Vera",
        email="vera@example.org",
        category=Category.PORTAL,
        subject="s",
        description="d",
    )
    for role, person in people.items():
        if person is None:
            continue
        assert ticket_policy.can(person, "view", ticket) == (role == "coordinator"), role
    client.force_login(people["expert of the queue"])
    assert client.get(ticket.get_absolute_url()).status_code == 404
    client.force_login(people["coordinator"])
    assert client.get(ticket.get_absolute_url()).status_code == 200


def test_only_an_unrated_resolved_or_closed_ticket_can_be_rated(people, resolved):
    asker = people["asker"]
    assert ticket_policy.can(asker, "rate", resolved)
    services.rate(resolved, actor=asker, rating=5)
    resolved.refresh_from_db()
    assert not ticket_policy.can(asker, "rate", resolved)
    fresh = services.open_ticket(
        actor=asker, city=resolved.city, category=Category.PORTAL, subject="s", description="d"
    )
    assert not ticket_policy.can(asker, "rate", fresh)

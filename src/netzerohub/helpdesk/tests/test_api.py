"""The helpdesk API: my tickets, one ticket, opening and replying through the services; another
city's ticket and a forged city answer 404; an internal note never reaches the city side."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from netzerohub.accounts.services import create_api_token
from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.tests.factories import MembershipFactory
from netzerohub.core.models import Term
from netzerohub.core.ratelimit import hit
from netzerohub.helpdesk import api as helpdesk_api
from netzerohub.helpdesk import services
from netzerohub.helpdesk.models import Category, Message, Ticket

from .factories import QueueFactory, RoutingRuleFactory, ServiceLevelFactory, TicketFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/helpdesk/tickets"
S = Ticket.Status
NOTE_MARKER = "NOTE-7f3a-only-for-the-helpdesk"


def bearer(user) -> dict[str, str]:
    _token, secret = create_api_token(user, name="script", actor=user)
    return {"Authorization": f"Bearer {secret}"}


def post(client, url, data, **kwargs):
    return client.post(url, data, content_type="application/json", **kwargs)


@pytest.fixture
def queue(helpdesk_expert):
    queue = QueueFactory(experts=[helpdesk_expert], is_default=True)
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    ServiceLevelFactory()
    return queue


def open_ticket(user, city, subject="Cannot find the survey", **kwargs):
    return services.open_ticket(
        actor=user,
        city=city,
        category=Category.PORTAL,
        subject=subject,
        description="Where is it?",
        **kwargs,
    )


@pytest.fixture
def answered(queue, city, member, helpdesk_expert):
    """A member's ticket with a public reply and an internal note carrying a unique marker."""
    ticket = open_ticket(member, city)
    services.reply_as_helpdesk(
        ticket, actor=helpdesk_expert, body=f"Checked: {NOTE_MARKER}", note=True
    )
    services.reply_as_helpdesk(
        ticket, actor=helpdesk_expert, body="It is under My city.", status=S.WAITING
    )
    return ticket


# --- my tickets ------------------------------------------------------------------------------


def test_my_tickets_lists_mine_and_for_a_lead_the_citys(
    client, queue, city, other_city, member, lead, other_lead
):
    asked = open_ticket(member, city, "Mine")
    by_lead = open_ticket(lead, city, "The lead's")
    elsewhere = open_ticket(other_lead, other_city, "Another city's")
    no_city = open_ticket(member, None, "Without a city")
    TicketFactory(requester=None, contact_email="v@example.org", status=S.UNVERIFIED)

    client.force_login(member)
    body = client.get(API).json()
    assert [t["id"] for t in body["results"]] == [no_city.pk, asked.pk]
    assert body["count"] == 2 and body["results"][1]["city"] == {"id": city.pk, "name": city.name}
    assert body["results"][1]["mine"] is True and body["results"][0]["city"] is None

    client.force_login(lead)
    ids = [t["id"] for t in client.get(API).json()["results"]]
    assert ids == [by_lead.pk, asked.pk]  # the city's tickets; not the member's city-less one
    assert elsewhere.pk not in ids


def test_my_tickets_filters_by_status_and_rejects_unknown_ones(client, queue, city, member):
    first = open_ticket(member, city, "First")
    open_ticket(member, city, "Second")
    services.change_ticket(first, actor=UserFactory(is_staff=True), status=S.RESOLVED)
    client.force_login(member)
    body = client.get(API, {"status": "resolved"}).json()
    assert [t["id"] for t in body["results"]] == [first.pk]
    assert client.get(API, {"status": "unverified"}).status_code == 422
    assert client.get(API, {"page": 0}).status_code == 422


def test_the_list_needs_a_person(client):
    assert client.get(API).status_code == 401


def test_a_new_ticket_shows_in_the_list_at_once(
    client, queue, city, member, django_capture_on_commit_callbacks
):
    """The count is cached under the tickets' version: a new ticket bumps it (on commit)."""
    client.force_login(member)
    assert client.get(API).json()["count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(member, city)
    assert client.get(API).json()["count"] == 1


@pytest.fixture(params=[2, 30])
def many(request, queue, city, member, lead, helpdesk_expert):
    for n in range(request.param):
        ticket = open_ticket(member if n % 2 else lead, city, f"Question {n}")
        services.reply_as_helpdesk(ticket, actor=helpdesk_expert, body="A note", note=True)
    cache.clear()
    return request.param


def test_list_query_count_does_not_grow(client, many, lead, django_assert_num_queries):
    headers = bearer(lead)
    # the token with its user, its last use, the lead's memberships, the count, the page
    with django_assert_num_queries(5):
        body = client.get(API, headers=headers).json()
    assert (body["count"], len(body["results"])) == (many, min(many, 25))
    # within the minute the token's last use is not written again, and the count is cached
    with django_assert_num_queries(3):
        client.get(API, headers=headers)


# --- one ticket ------------------------------------------------------------------------------


def test_the_city_side_reads_public_replies_only(client, answered, member, lead):
    for person in (member, lead):
        client.force_login(person)
        body = client.get(f"{API}/{answered.pk}").json()
        assert body["side"] == "city"
        assert [m["kind"] for m in body["messages"]] == ["reply", "reply"]
        assert [m["body"] for m in body["messages"]] == ["Where is it?", "It is under My city."]
        assert body["queue"] is None and body["assignee"] is None
        assert body["resolution_due"] is None
        assert NOTE_MARKER not in json.dumps(body)


def test_the_helpdesk_side_reads_the_notes_with_their_kind(
    client, answered, helpdesk_expert, coordinator, queue
):
    for person in (helpdesk_expert, coordinator):
        client.force_login(person)
        body = client.get(f"{API}/{answered.pk}").json()
        assert body["side"] == "helpdesk"
        assert [m["kind"] for m in body["messages"]] == ["reply", "note", "reply"]
        assert NOTE_MARKER in body["messages"][1]["body"]
        assert body["queue"] == queue.slug and body["assignee"] == str(helpdesk_expert)
        assert body["resolution_due"].endswith("Z")


def test_another_citys_ticket_is_404_as_a_missing_one(client, answered, other_lead, outsider):
    for person in (other_lead, outsider):
        client.force_login(person)
        assert client.get(f"{API}/{answered.pk}").status_code == 404
        assert client.get(f"{API}/999999").status_code == 404
        response = post(client, f"{API}/{answered.pk}/replies", {"body": "Mine now"})
        assert response.status_code == 404
    assert not Message.objects.filter(body="Mine now").exists()


def test_a_visitors_unconfirmed_ticket_is_404_for_the_expert(client, queue, helpdesk_expert):
    ticket = services.open_visitor_ticket(
        name="V", email="v@example.org", category=Category.PORTAL, subject="S", description="D"
    )
    client.force_login(helpdesk_expert)
    assert client.get(f"{API}/{ticket.pk}").status_code == 404


# --- opening ---------------------------------------------------------------------------------


def test_a_member_opens_a_ticket_for_their_city(client, queue, city, member, helpdesk_expert):
    client.force_login(member)
    response = post(
        client,
        API,
        {
            "city": city.pk,
            "category": "portal",
            "subject": "  How do I invite a colleague?  ",
            "description": "We are **two**.",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert (ticket.requester, ticket.city, ticket.queue, ticket.assignee) == (
        member,
        city,
        queue,
        helpdesk_expert,
    )
    assert ticket.subject == "How do I invite a colleague?" and ticket.status == S.NEW
    assert ticket.first_response_due is not None  # the clock started (through the service)
    assert body["messages"][0]["body_html"] == "<p>We are <strong>two</strong>.</p>\n"
    assert body["side"] == "city"


def test_expert_guidance_is_routed_by_its_term(client, queue, member):
    energy = QueueFactory()
    term = Term.objects.get(kind="field", slug="energy-systems")
    RoutingRuleFactory(category=Category.EXPERT, term=term, queue=energy)
    client.force_login(member)
    data = {"category": "expert", "term": "energy-systems", "subject": "Heat", "description": "?"}
    response = post(client, API, data)
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.term, ticket.queue, ticket.city) == (term, energy, None)
    assert response.json()["term"] == "energy-systems"


def test_a_forged_or_foreign_city_is_404(client, queue, member, other_city, city):
    pending = MembershipFactory(user=member, status="pending").city
    client.force_login(member)
    for forged in (other_city.pk, pending.pk, 999999):
        data = {"city": forged, "category": "portal", "subject": "S", "description": "D"}
        assert post(client, API, data).status_code == 404
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"subject": "   "},
        {"description": ""},
        {"category": "billing"},
        {"subject": "x" * 201},
        {"city": "Gent"},
        {"category": "expert", "term": "no-such-theme"},
        {"category": "expert", "term": "act"},  # a Transition Map step is no field or lever
    ],
)
def test_bad_tickets_are_422(client, queue, member, change):
    client.force_login(member)
    data = {"category": "portal", "subject": "Subject", "description": "Text", **change}
    response = post(client, API, data)
    assert response.status_code == 422
    assert "detail" in response.json()
    assert not Ticket.objects.exists()


def test_a_follow_up_must_be_of_a_ticket_of_mine(client, queue, city, member, other_lead):
    mine = open_ticket(member, city)
    theirs = open_ticket(other_lead, None)
    client.force_login(member)
    data = {"category": "portal", "subject": "Again", "description": "D"}
    assert post(client, API, {**data, "follow_up_of": theirs.pk}).status_code == 404
    response = post(client, API, {**data, "follow_up_of": mine.pk})
    assert response.status_code == 201 and response.json()["follow_up_of"] == mine.pk


def test_a_flood_of_tickets_is_refused_with_a_clear_message(client, queue, member, monkeypatch):
    monkeypatch.setattr(helpdesk_api, "OPEN_LIMIT", 3)
    client.force_login(member)
    data = {"category": "portal", "subject": "Again", "description": "D"}
    for _ in range(3):
        assert post(client, API, data).status_code == 201
    response = post(client, API, data)
    assert response.status_code == 429
    assert "too often" in response.json()["detail"]
    assert Ticket.objects.count() == 3


def test_the_api_and_the_form_share_one_budget(client, queue, member, monkeypatch):
    """Opening through the page counts against the API's limit (and the other way round)."""
    monkeypatch.setattr(helpdesk_api, "OPEN_LIMIT", 2)
    hit(f"helpdesk.ticket:user:{member.pk}", limit=2, period=3600)  # as the form counts
    client.force_login(member)
    data = {"category": "portal", "subject": "Again", "description": "D"}
    assert post(client, API, data).status_code == 201
    assert post(client, API, data).status_code == 429


def test_a_browser_session_must_send_the_csrf_token(queue, member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    data = {"category": "portal", "subject": "S", "description": "D"}
    assert post(browser, API, data).status_code == 403
    assert not Ticket.objects.exists()


def test_a_token_opens_a_ticket(client, queue, member):
    data = {"category": "other", "subject": "By script", "description": "D"}
    response = post(client, API, data, headers=bearer(member))
    assert response.status_code == 201
    assert Ticket.objects.get().requester == member


# --- replying --------------------------------------------------------------------------------


def test_the_city_replies_and_a_waiting_ticket_opens_again(client, answered, lead):
    client.force_login(lead)
    response = post(client, f"{API}/{answered.pk}/replies", {"body": "Found it, but *why*?"})
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["from_city"]) == ("reply", True)
    answered.refresh_from_db()
    assert answered.status == S.OPEN


def test_the_city_side_cannot_write_a_note_or_set_a_status(client, answered, member):
    client.force_login(member)
    url = f"{API}/{answered.pk}/replies"
    assert post(client, url, {"body": "Hidden?", "kind": "note"}).status_code == 422
    assert post(client, url, {"body": "Done", "status": "resolved"}).status_code == 422
    assert not Message.objects.filter(body__in=["Hidden?", "Done"]).exists()


def test_the_helpdesk_writes_notes_and_replies_with_a_status(
    client, answered, helpdesk_expert, member
):
    client.force_login(helpdesk_expert)
    url = f"{API}/{answered.pk}/replies"
    response = post(client, url, {"body": f"Second {NOTE_MARKER}", "kind": "note"})
    assert response.status_code == 201 and response.json()["kind"] == "note"
    response = post(client, url, {"body": "Solved.", "status": "resolved"})
    assert response.status_code == 201 and response.json()["kind"] == "reply"
    answered.refresh_from_db()
    assert answered.status == S.RESOLVED
    assert Message.objects.filter(ticket=answered, kind="note").count() == 2
    client.force_login(member)
    assert NOTE_MARKER not in client.get(f"{API}/{answered.pk}").content.decode()


def test_a_closed_ticket_takes_no_reply_and_says_why(client, answered, member):
    Ticket.objects.filter(pk=answered.pk).update(status=S.CLOSED)
    client.force_login(member)
    assert client.get(f"{API}/{answered.pk}").json()["can_reply"] is False
    response = post(client, f"{API}/{answered.pk}/replies", {"body": "One more thing"})
    assert response.status_code == 409
    assert "follows it up" in response.json()["detail"]


@pytest.mark.parametrize("data", [{}, {"body": "  "}, {"body": "x" * 20_001}])
def test_bad_replies_are_422(client, answered, member, data):
    client.force_login(member)
    assert post(client, f"{API}/{answered.pk}/replies", data).status_code == 422


def test_a_note_never_reaches_the_city_side_through_the_api(
    client, answered, member, lead, helpdesk_expert
):
    """Every answer the city side can get: the list, the ticket, a reply, a new ticket."""
    client.force_login(helpdesk_expert)
    post(client, f"{API}/{answered.pk}/replies", {"body": NOTE_MARKER, "kind": "note"})
    for person in (member, lead):
        client.force_login(person)
        answers = [
            client.get(API),
            client.get(API, {"status": "waiting"}),
            client.get(f"{API}/{answered.pk}"),
            post(client, f"{API}/{answered.pk}/replies", {"body": "Thanks"}),
            post(client, API, {"category": "portal", "subject": "S", "description": "D"}),
        ]
        for response in answers:
            assert response.status_code in (200, 201)
            assert NOTE_MARKER not in response.content.decode()


def test_the_schema_documents_the_answers(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    create = paths[API]["post"]
    assert {"201", "401", "404", "409", "422", "429"} <= set(create["responses"])
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["TicketIn"]
    assert "Attachments are not taken" in json.dumps(schema)

"""The helpdesk's place in the portal: the My city card (a lead sees the city's open tickets, a
member their own; fixed queries), the header's links (Helpdesk for everyone, Queues for
experts and coordinators) and the home page's card."""

from __future__ import annotations

import pytest
from django.urls import reverse

from netzerohub.accounts.tests.factories import UserFactory, add_totp
from netzerohub.helpdesk.models import Ticket
from netzerohub.helpdesk.panels import city_panel

from .factories import TicketFactory

pytestmark = pytest.mark.django_db
S = Ticket.Status


@pytest.fixture
def tickets(city, member, lead, other_city, other_lead):
    mine = TicketFactory(requester=member, city=city, subject="Member's open question")
    TicketFactory(requester=member, city=city, subject="Member's old one", status=S.CLOSED)
    TicketFactory(requester=lead, city=city, subject="Lead's waiting one", status=S.WAITING)
    TicketFactory(requester=other_lead, city=other_city, subject="Another city's question")
    TicketFactory(
        requester=None,
        contact_email="v@example.org",
        city=city,
        status=S.UNVERIFIED,
        subject="Unconfirmed",
    )
    return mine


def test_a_lead_sees_the_citys_open_tickets(client, tickets, city, lead):
    client.force_login(lead)
    page = client.get(reverse("cities:my-city", args=[city.pk])).content.decode()
    assert "The city has 2 open questions to the helpdesk." in page
    assert "Member&#x27;s open question" in page and "Lead&#x27;s waiting one" in page
    assert "old one" not in page and "Another city" not in page and "Unconfirmed" not in page
    assert f'href="{tickets.get_absolute_url()}"' in page
    assert f'href="{reverse("helpdesk:new")}?city={city.pk}"' in page


def test_a_member_sees_their_own_open_tickets(client, tickets, city, member):
    client.force_login(member)
    page = client.get(reverse("cities:my-city", args=[city.pk])).content.decode()
    assert "You have 1 open question to the helpdesk." in page
    assert "Member&#x27;s open question" in page and "Lead&#x27;s waiting one" not in page
    assert "Ask the helpdesk" in page


def test_nothing_open(client, city, member):
    client.force_login(member)
    page = client.get(reverse("cities:my-city", args=[city.pk])).content.decode()
    assert "You have no open question to the helpdesk." in page


@pytest.mark.parametrize("count", [2, 30])
def test_the_card_takes_two_queries(city, lead, member, count, django_assert_num_queries):
    for n in range(count):
        TicketFactory(requester=member, city=city, subject=f"Question {n}")
    city_panel(city, lead)  # the lead's memberships are loaded once per request: before
    # the count, the latest three
    with django_assert_num_queries(2):
        panel = city_panel(city, lead)
    assert panel["open_count"] == count and len(panel["latest"]) == 3 - (count < 3)


def test_the_header_links_to_the_helpdesk_for_everyone(client, member):
    help_url = reverse("helpdesk:help")
    queues_url = reverse("helpdesk:queues")
    page = client.get(reverse("dashboard:home")).content.decode()
    assert f'href="{help_url}"' in page and f'href="{queues_url}"' not in page
    client.force_login(member)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert f'href="{help_url}"' in page and f'href="{queues_url}"' not in page
    assert "Coming soon" not in page


def test_experts_and_coordinators_see_the_queues(client, helpdesk_expert, coordinator):
    for person in (helpdesk_expert, coordinator):
        client.force_login(person)
        page = client.get(reverse("dashboard:home")).content.decode()
        assert f'href="{reverse("helpdesk:queues")}"' in page


def test_the_cached_header_shows_queues_once_someone_becomes_an_expert(client):
    person = UserFactory()
    add_totp(person)  # staff must have an authenticator
    client.force_login(person)
    queues = f'href="{reverse("helpdesk:queues")}"'
    assert queues not in client.get(reverse("dashboard:home")).content.decode()
    person.is_helpdesk_expert = True
    person.save(update_fields=["is_helpdesk_expert"])
    assert queues in client.get(reverse("dashboard:home")).content.decode()


def test_the_coordination_page_links_to_queues_and_metrics(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("dashboard:coordinator")).content.decode()
    assert f'href="{reverse("helpdesk:queues")}"' in page
    assert f'href="{reverse("helpdesk:metrics")}"' in page

"""Asking the helpdesk in a real browser: a member types a subject, a matching FAQ entry and a
knowledge resource appear in the live region, the theme field shows only for expert guidance,
and the ticket is sent; axe scans of the help page, the ask form with a suggestion shown, the
contact form and My tickets (with a lead's city tab). No console errors (CSP).

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py). The live server needs a transactional database, flushed after
every test: each test builds its own data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from netzerohub.cities.models import Membership
from netzerohub.cities.tests.factories import CityFactory, MembershipFactory
from netzerohub.community.tests.test_browser import OpenAs, pages_of_people
from netzerohub.core.tests.browser import wait_for_htmx
from netzerohub.core.tests.test_accessibility import assert_accessible
from netzerohub.helpdesk import services
from netzerohub.helpdesk.models import Category, FaqEntry, Ticket
from netzerohub.knowledge.tests.factories import ResourceFactory

from .factories import TicketFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def open_as(browser, live_server) -> Iterator[OpenAs]:
    """`open_as(user)`: a new page signed in as `user` (`None`: a visitor), in its own context."""
    yield from pages_of_people(browser, live_server)


def faq(question: str, category: str = Category.PORTAL) -> FaqEntry:
    entry = FaqEntry(
        question=question,
        answer=f"Sample answer to “{question}”: see *My city*.",
        category=category,
        status=FaqEntry.Status.PUBLISHED,
    )
    return services.save_faq_entry(entry, actor=None)


def test_a_member_sees_a_suggestion_while_typing_and_sends_the_ticket(live_server, open_as):
    city = CityFactory(name="Tartu")
    member = MembershipFactory(city=city, user__name="Mia Member").user
    faq("How do I upload an emission inventory?")
    faq("How do I register for an event?", category=Category.EVENTS)
    ResourceFactory(title="Emission inventory template", summary="A sample template.")
    base = live_server.url
    tab = open_as(member)
    page = tab.page

    page.goto(f"{base}/helpdesk/ask/")
    wait_for_htmx(page)
    expect(page.get_by_label("City")).to_have_value(str(city.pk))  # their only city
    theme = page.get_by_label("Field of action or lever of change")
    page.get_by_label("What is it about?").select_option(Category.PORTAL)
    expect(theme).to_be_hidden()
    page.get_by_label("What is it about?").select_option(Category.EXPERT)
    expect(theme).to_be_visible()
    page.get_by_label("What is it about?").select_option(Category.PORTAL)

    region = page.locator("#suggestions")
    expect(region).to_have_attribute("aria-live", "polite")
    page.get_by_label("Subject").press_sequentially("Uploading our emission inventory")
    expect(region.get_by_role("heading", name="Might answer your question")).to_be_visible()
    expect(
        region.get_by_role("link", name="How do I upload an emission inventory?")
    ).to_be_visible()
    expect(region.get_by_role("link", name="Emission inventory template")).to_be_visible()
    expect(region.get_by_role("link", name="How do I register for an event?")).to_have_count(0)
    assert_accessible(page)  # the ask form with a suggestion shown

    page.get_by_label("Your question").fill("The upload button does nothing in Firefox.")
    page.get_by_role("button", name="Send my question").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/helpdesk/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert page.url == f"{base}{ticket.get_absolute_url()}"
    assert (ticket.requester, ticket.city, ticket.category) == (member, city, Category.PORTAL)
    assert ticket.subject == "Uploading our emission inventory"
    assert tab.errors == []


def test_the_asking_pages_pass_an_axe_scan(live_server, open_as):
    city = CityFactory(name="Tartu")
    lead = MembershipFactory(city=city, role=Membership.Role.LEAD, user__name="Lea Lead").user
    member = MembershipFactory(city=city, user__name="Mia Member").user
    faq("How do I upload an emission inventory?")
    faq("How do I register for an event?", category=Category.EVENTS)
    TicketFactory(requester=lead, city=city, subject="Our login", status=Ticket.Status.WAITING)
    TicketFactory(requester=member, city=city, subject="Event seats")
    base = live_server.url

    visitor = open_as(None)
    for path in ("/helpdesk/", "/helpdesk/contact/", "/helpdesk/contact/sent/"):
        visitor.page.goto(base + path)
        wait_for_htmx(visitor.page)
        assert_accessible(visitor.page)
    entry = FaqEntry.objects.get(question="How do I upload an emission inventory?")
    visitor.page.goto(base + entry.get_absolute_url())
    assert_accessible(visitor.page)
    # The contact form with its errors and a suggestion shown again.
    visitor.page.goto(base + "/helpdesk/contact/")
    visitor.page.get_by_label("Subject").fill("emission inventory")
    visitor.page.get_by_role("button", name="Send my question").click()
    expect(visitor.page.get_by_role("alert")).to_be_visible()
    expect(visitor.page.locator("#suggestions").get_by_role("link")).to_have_count(1)
    assert_accessible(visitor.page)
    assert visitor.errors == []

    tab = open_as(lead)
    tab.page.goto(f"{base}/helpdesk/tickets/")
    expect(tab.page.get_by_text("awaiting your reply")).to_be_visible()
    assert_accessible(tab.page)
    tab.page.get_by_role("link", name="Tickets of Tartu").click()
    expect(tab.page.get_by_role("link", name=re.compile("Event seats"))).to_be_visible()
    assert_accessible(tab.page)
    tab.page.goto(f"{base}/helpdesk/")
    assert_accessible(tab.page)
    assert tab.errors == []

"""The issue's helpdesk journey in a real browser: a member opens a ticket through the ask page
and sees a suggested FAQ entry and resource while typing the subject; an expert, signed in in
a second browser, answers with an internal note and a public reply that resolves the ticket;
the member reads the reply (not the note) and rates the resolution. axe scans of the ticket
page for both sides and of the visitor's private page (before and after confirming). No
console errors (CSP).

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py). The live server needs a transactional database, flushed after
every test: each test builds its own data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from netzerohub.cities.tests.factories import CityFactory, MembershipFactory
from netzerohub.community.tests.test_browser import OpenAs, pages_of_people
from netzerohub.core.tests.browser import wait_for_htmx
from netzerohub.core.tests.test_accessibility import assert_accessible
from netzerohub.helpdesk import services
from netzerohub.helpdesk.models import Category, FaqEntry, Ticket
from netzerohub.knowledge.tests.factories import ResourceFactory

from .factories import CannedReplyFactory, QueueFactory, RoutingRuleFactory, ServiceLevelFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
NOTE = "Internal: their upload hits the 10 MB limit, check the server log."
REPLY = "Thank you! The file was too large: split it in two and upload both parts."


@pytest.fixture
def open_as(browser, live_server) -> Iterator[OpenAs]:
    """`open_as(user)`: a new page signed in as `user` (`None`: a visitor), in its own context."""
    yield from pages_of_people(browser, live_server)


@pytest.fixture
def helpdesk(helpdesk_expert):
    queue = QueueFactory(name="Using the portal", experts=[helpdesk_expert])
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    ServiceLevelFactory()
    CannedReplyFactory(title="Upload limits", body="Files may be at most **10 MB**.", queue=queue)
    return queue


def test_a_ticket_is_asked_answered_with_a_note_and_a_reply_and_rated(
    live_server, open_as, helpdesk, helpdesk_expert
):
    city = CityFactory(name="Tartu")
    member = MembershipFactory(city=city, user__name="Mia Member").user
    services.save_faq_entry(
        FaqEntry(
            question="How do I upload an emission inventory?",
            answer="Sample answer: open *My city*, then Inventory.",
            category=Category.PORTAL,
            status=FaqEntry.Status.PUBLISHED,
        ),
        actor=None,
    )
    ResourceFactory(title="Emission inventory template", summary="A sample template.")
    base = live_server.url

    # The member asks; suggestions appear while the subject is typed.
    asker = open_as(member)
    page = asker.page
    page.goto(f"{base}/helpdesk/ask/")
    wait_for_htmx(page)
    page.get_by_label("What is it about?").select_option(Category.PORTAL)
    page.get_by_label("Subject").press_sequentially("Uploading our emission inventory")
    region = page.locator("#suggestions")
    expect(
        region.get_by_role("link", name="How do I upload an emission inventory?")
    ).to_be_visible()
    expect(region.get_by_role("link", name="Emission inventory template")).to_be_visible()
    page.get_by_label("Your question").fill("The upload button does **nothing** in Firefox.")
    page.get_by_role("button", name="Send my question").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/helpdesk/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert ticket.assignee == helpdesk_expert
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uploading our emission")
    expect(page.locator(".hd-conversation strong", has_text="nothing")).to_be_visible()
    assert_accessible(page)  # the city side, a new ticket with the reply form

    # The expert, in a browser of their own: a note, then a public reply that resolves.
    expert = open_as(helpdesk_expert)
    desk = expert.page
    desk.goto(f"{base}{ticket.get_absolute_url()}")
    expect(desk.get_by_role("heading", name="About Tartu")).to_be_visible()
    desk.get_by_label("Internal note (only the helpdesk sees it)").check()
    desk.get_by_label("Text").fill(NOTE)
    desk.get_by_role("button", name="Send", exact=True).click()
    expect(desk.locator(".messages")).to_contain_text("The city does not see it.")
    note = desk.locator(".hd-note")
    expect(note).to_contain_text("Internal note — the city does not see this")
    expect(note).to_contain_text(NOTE)

    # A canned reply inserted without JavaScript, adapted, sent as the resolving reply.
    desk.get_by_text("Canned reply (1)").click()
    desk.get_by_label("Canned reply", exact=True).select_option(label="Upload limits")
    desk.get_by_role("button", name="Insert").click()
    expect(desk.get_by_label("Text")).to_have_value("Files may be at most **10 MB**.")
    desk.get_by_label("Text").fill(REPLY)
    desk.get_by_label("Public reply (the city reads it and is told)").check()
    desk.get_by_label("Resolved (the city is asked to rate the answer)").check()
    desk.get_by_role("button", name="Send", exact=True).click()
    expect(desk.locator(".messages")).to_contain_text("the ticket is resolved")
    assert_accessible(desk)  # the helpdesk side: conversation with a note, forms, context

    # The member reads the reply, not the note, and rates.
    page.reload()
    expect(page.locator(".hd-conversation")).to_contain_text(REPLY)
    expect(page.get_by_text("Helpdesk · Hana")).to_be_visible()
    expect(page.get_by_text(NOTE)).to_have_count(0)
    expect(page.get_by_text("Internal note")).to_have_count(0)
    rating = page.get_by_role("group", name="How well was your question answered?")
    expect(rating).to_be_visible()
    assert_accessible(page)  # the city side with the rating form
    rating.get_by_label("5 — very well").check()
    page.get_by_label("Comment (optional)").fill("Quick and clear.")
    page.get_by_role("button", name="Send my rating").click()
    expect(page.locator(".messages")).to_contain_text("Thank you for rating the answer.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.rating_comment) == (
        Ticket.Status.RESOLVED,
        5,
        "Quick and clear.",
    )
    assert asker.errors == [] and expert.errors == []


def test_the_visitors_page_confirms_and_passes_an_axe_scan(
    live_server, open_as, helpdesk, helpdesk_expert
):
    ticket = services.open_visitor_ticket(
        name="Vera Visitor",
        email="vera@example.org",
        category=Category.PORTAL,
        subject="How does a town join?",
        description="We are a *small* town of 8,000 people.",
    )
    visitor = open_as(None)
    page = visitor.page
    response = page.goto(f"{live_server.url}{ticket.get_visitor_url()}")
    assert response.headers["referrer-policy"] == "same-origin"
    expect(page.get_by_text("small", exact=True)).to_be_visible()
    assert_accessible(page)  # unverified: the question as typed and the confirm button
    page.get_by_role("button", name="Confirm and send my question").click()
    expect(page.locator(".messages")).to_contain_text("your question is sent to the helpdesk")
    services.reply_as_helpdesk(ticket, actor=helpdesk_expert, body="Welcome!")
    services.reply_as_helpdesk(ticket, actor=helpdesk_expert, body="NOTE", note=True)
    page.reload()
    expect(page.locator(".hd-conversation")).to_contain_text("Welcome!")
    expect(page.get_by_text("NOTE", exact=True)).to_have_count(0)
    page.get_by_label("Your reply").fill("Thank you, that helps.")
    page.get_by_role("button", name="Send the reply").click()
    expect(page.locator(".messages")).to_contain_text("Your reply is sent to the helpdesk.")
    assert_accessible(page)  # confirmed: the conversation and the reply form
    assert visitor.errors == []

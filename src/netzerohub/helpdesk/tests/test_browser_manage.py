"""Running the helpdesk in a real browser: axe scans of a queue's page (with its filters used),
the metrics page, the settings page (also with its errors shown) and the FAQ edit page (also
refused), as the people who see them; an FAQ entry written and published by keyboard-reachable
controls; no console errors (CSP).

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py). The live server needs a transactional database, flushed after
every test: each test builds its own data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from netzerohub.cities.tests.factories import CityFactory
from netzerohub.community.tests.test_browser import OpenAs, pages_of_people
from netzerohub.core.tests.test_accessibility import assert_accessible
from netzerohub.helpdesk.models import FaqEntry, Message, Ticket

from .factories import FaqEntryFactory, MessageFactory, QueueFactory, TicketFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
S = Ticket.Status
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def open_as(browser, live_server) -> Iterator[OpenAs]:
    """`open_as(user)`: a new page signed in as `user`, in its own context."""
    yield from pages_of_people(browser, live_server)


def tickets(queue, expert) -> None:
    """A few tickets of every kind a queue page shows: late, due, waiting, unassigned."""
    now = timezone.now()
    city = CityFactory(name="Tartu")
    rows = [
        ("The upload button does nothing", S.NEW, expert, now - HOUR, "high"),
        ("Which indicators for mobility?", S.OPEN, None, now + 5 * HOUR, "normal"),
        ("Our inventory baseline year", S.WAITING, expert, now + 30 * HOUR, "low"),
    ]
    for subject, status, assignee, due, priority in rows:
        found = TicketFactory(
            queue=queue,
            subject=subject,
            status=status,
            assignee=assignee,
            city=city,
            priority=priority,
            first_response_due=due,
            resolution_due=due + 20 * HOUR,
            first_response_at=now - 2 * HOUR if status == S.WAITING else None,
            first_response_seconds=3600 if status == S.WAITING else None,
            rating=4 if status == S.WAITING else None,
        )
        MessageFactory(ticket=found, kind=Message.Kind.NOTE, from_city=False, body="Note")


def test_the_queue_page_is_accessible(live_server, open_as, helpdesk_expert):
    queue = QueueFactory(name="Using the portal", slug="portal", experts=[helpdesk_expert])
    tickets(queue, helpdesk_expert)
    tab = open_as(helpdesk_expert)
    page = tab.page
    page.goto(f"{live_server.url}/helpdesk/queues/")
    assert_accessible(page)
    page.get_by_role("link", name="Using the portal", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Using the portal")
    expect(page.get_by_role("row").filter(has_text="Overdue:")).to_have_count(1)
    assert_accessible(page)
    page.get_by_label("Assigned to").select_option("unassigned")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name="Which indicators for mobility?")).to_be_visible()
    expect(page.get_by_role("link", name="The upload button does nothing")).to_have_count(0)
    assert_accessible(page)
    page.goto(f"{live_server.url}/helpdesk/overdue/")
    assert_accessible(page)
    assert tab.errors == []


def test_the_metrics_and_settings_pages_are_accessible(live_server, open_as, coordinator):
    queue = QueueFactory(name="Using the portal", slug="portal", experts=[coordinator])
    tickets(queue, coordinator)
    tab = open_as(coordinator)
    page = tab.page
    page.goto(f"{live_server.url}/helpdesk/metrics/")
    expect(page.get_by_text("Figures up to 5 minutes old")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/helpdesk/manage/settings/")
    assert_accessible(page)
    page.get_by_label("Working day ends").fill("08:00")
    page.get_by_role("button", name="Save the working time").click()
    expect(page.get_by_text("The working day must end after it starts.")).to_be_visible()
    assert_accessible(page)  # with the errors shown
    page.get_by_label("First response within (working hours), Normal").fill("16")
    page.get_by_role("button", name="Save the service levels").click()
    expect(page.get_by_text("Give both targets for Normal, or neither.")).to_be_visible()
    assert_accessible(page)
    for path in ("/helpdesk/manage/rules/", "/helpdesk/manage/queues/new/"):
        page.goto(live_server.url + path)
        assert_accessible(page)
    assert tab.errors == []


def test_an_expert_writes_an_faq_entry_on_an_accessible_page(live_server, open_as, helpdesk_expert):
    FaqEntryFactory(question="How do I join my city?")
    tab = open_as(helpdesk_expert)
    page = tab.page
    page.goto(f"{live_server.url}/helpdesk/manage/faq/")
    assert_accessible(page)
    page.get_by_role("link", name="New FAQ entry").click()
    assert_accessible(page)
    page.get_by_label("Answer").fill("Sample answer: ask your city's lead.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Answer")).to_have_value("Sample answer: ask your city's lead.")
    assert_accessible(page)  # refused, with what was typed kept
    page.get_by_label("Question").fill("Who approves my membership?")
    page.get_by_label("Category").select_option("portal")
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Who approves my membership?", exact=True)).to_be_visible()
    entry = FaqEntry.objects.get(question="Who approves my membership?")
    assert entry.status == FaqEntry.Status.PUBLISHED
    page.goto(f"{live_server.url}/helpdesk/manage/faq/{entry.pk}/")
    assert_accessible(page)
    assert tab.errors == []

"""The newcomer's journey in a real browser: register, verify the email, find the city, join.

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py), required in CI.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from netzerohub.cities.models import Membership
from netzerohub.core.tests.browser import (
    PASSWORD,
    collect_console_errors,
    malmo,
    member_of,
    person,
    wait_for_htmx,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def mail_to_files(settings, tmp_path):
    """The demo set-up: mail goes to files, read back at /dev/mail/ (DEBUG only)."""
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def test_newcomer_registers_joins_malmo_and_is_approved_by_its_lead(
    live_server, page, browser, mail_to_files
):
    city = malmo()
    lead = person("lead@malmo.se", name="Lena Lead")
    member_of(city, lead, role=Membership.Role.LEAD)
    errors = collect_console_errors(page)
    base = live_server.url

    # Register.
    page.goto(f"{base}/accounts/signup/")
    wait_for_htmx(page)
    page.fill("input[name=name]", "Nora Newcomer")
    page.fill("input[name=email]", "nora@malmo.se")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(re.compile("verify", re.IGNORECASE))

    # Read the verification mail in the demo mailbox and follow its link.
    page.goto(f"{base}/dev/mail/")
    page.locator(".mail-list a", has_text=re.compile("confirm", re.IGNORECASE)).first.click()
    expect(page.locator("article")).to_contain_text("To: nora@malmo.se")
    page.locator(".mail-body a[href*='/accounts/confirm-email/']").first.click()
    expect(page.locator("h1")).to_contain_text(re.compile("confirm", re.IGNORECASE))
    page.locator("main form button[type=submit]").click()
    # Confirming signs the newcomer in.
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # Find the city by its unaccented name and ask to join.
    page.goto(f"{base}/join/")
    wait_for_htmx(page)
    page.locator("#city-search").press_sequentially("malmo", delay=30)
    results = page.locator("#city-search-results")
    expect(results.get_by_role("link", name="Malmö")).to_be_visible()
    results.get_by_role("button", name=re.compile("Ask to join")).click()
    expect(page.locator(".messages")).to_contain_text(
        "Your request to join Malmö is sent to its leads"
    )
    expect(page.locator("main table")).to_contain_text("Pending")

    # The lead signs in in a browser of their own and approves the request.
    lead_context = browser.new_context()
    try:
        lead_page = lead_context.new_page()
        lead_errors = collect_console_errors(lead_page)
        lead_page.goto(f"{base}/accounts/login/")
        lead_page.fill("input[name=login]", lead.email)
        lead_page.fill("input[name=password]", PASSWORD)
        lead_page.locator("main form button[type=submit]").click()
        expect(lead_page.get_by_role("button", name="Sign out")).to_be_visible()
        lead_page.goto(f"{base}/my-city/requests/")
        row = lead_page.locator("tr", has_text="nora@malmo.se")
        expect(row).to_contain_text("Malmö")
        row.get_by_role("button", name=re.compile("^Approve")).click()
        expect(lead_page.locator(".messages")).to_contain_text(
            "Nora Newcomer is now a member of Malmö"
        )
        expect(lead_page.locator("main")).to_contain_text("No request waits for you.")
        assert lead_errors == []
    finally:
        lead_context.close()

    # The newcomer now has a city.
    page.goto(f"{base}/my-city/")
    expect(page).to_have_url(re.compile(rf"/my-city/{city.pk}/$"))
    expect(page.locator("h1")).to_contain_text("Malmö")
    expect(page.locator("main")).to_contain_text("You are part of this city as Member.")
    members = page.get_by_role("table", name="Members")
    expect(members).to_contain_text("Lena Lead")
    expect(members).to_contain_text("Nora Newcomer")
    assert errors == []
    assert Membership.objects.get(user__email="nora@malmo.se", city=city).status == "approved"


def test_city_search_is_an_accessible_live_region_that_ignores_accents(live_server, page):
    malmo()
    page.goto(f"{live_server.url}/eligibility/")
    wait_for_htmx(page)
    page.locator("#city-search").press_sequentially("MALMÖ", delay=30)
    link = page.locator("#city-search-results").get_by_role("link", name="Malmö")
    expect(link).to_be_visible()
    expect(page.locator("#city-search-results")).to_have_attribute("aria-live", "polite")
    link.click()
    expect(page.locator(".verdict")).to_contain_text("Malmö: eligible")

"""Accessibility: an axe-core scan of every page, as the person who sees it, and the keyboard.

No page may have a violation of impact "serious" or "critical". The scans also fail on console
errors, which is how a Content-Security-Policy violation (an inline script or style) shows up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from netzerohub.accounts import services as account_services
from netzerohub.cities import services as city_services
from netzerohub.cities.models import City, CityProposal, Membership
from netzerohub.core.notifications import notify
from netzerohub.core.tests.browser import (
    collect_console_errors,
    malmo,
    member_of,
    person,
    sign_in,
    switzerland,
    wait_for_htmx,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

BLOCKING_IMPACTS = {"serious", "critical"}
AXE = Axe()


@dataclass
class Portal:
    city: City
    member: Any
    lead: Any
    coordinator: Any
    newcomer: Any


@pytest.fixture
def portal(settings, tmp_path) -> Portal:
    """A small programme: Malmö with a lead, a member and a pending request; a city waiting for
    its first lead; a proposed city; notifications, an API token and mail in the demo mailbox."""
    settings.REQUIRE_STAFF_MFA = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    city = malmo()
    switzerland()
    zurich = City.objects.create(name="Zürich", country=switzerland(), population=421878)
    # One city of each status, so that the directory shows every status badge.
    others = [
        City.objects.create(name=name, country=city.country, population=population, status=status)
        for name, population, status in [
            ("Umeå", 130224, City.Status.PILOT),
            ("Växjö", 95000, City.Status.TWIN),
            ("Helsingborg", 149280, City.Status.PARTICIPATING),
        ]
    ]
    city_services.index_city_names([zurich, *others])
    lead = person("lead@malmo.se", name="Lena Lead", job_title="Climate strategist")
    member = person("member@malmo.se", name="Max Member")
    newcomer = person("newcomer@malmo.se", name="Nora Newcomer")
    coordinator = person("coordinator@netzerohub.eu", name="Cora Coordinator", is_staff=True)
    member_of(city, lead, role=Membership.Role.LEAD)
    member_of(city, member)
    city_services.request_membership(city, actor=newcomer, message="I run the energy office.")
    first_lead = person("first@zurich.ch", name="Fritz First")
    city_services.request_membership(zurich, actor=first_lead)
    city_services.propose_city(actor=member, name="Lund", country=city.country, population=94703)
    notify([member], kind="test", title="Welcome to Malmö", body="Say hello.", url="/my-city/")
    account_services.create_api_token(member, name="reporting script", actor=member)
    mail.send_mail("Welcome", "Hello https://example.org/", None, ["member@malmo.se"])
    return Portal(city=city, member=member, lead=lead, coordinator=coordinator, newcomer=newcomer)


def serious_violations(page) -> list[dict[str, Any]]:
    results = AXE.run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def assert_accessible(page) -> None:
    violations = serious_violations(page)
    assert not violations, f"{page.url}\n{describe(violations)}"


# Every page, as the person who sees it. `{city}` is Malmö's id.
PAGES = [
    ("anonymous", "/"),
    ("anonymous", "/cities/"),
    ("anonymous", "/cities/{city}/"),
    ("anonymous", "/eligibility/"),
    ("anonymous", "/eligibility/?country=CH"),
    ("anonymous", "/eligibility/?country=SE"),
    ("anonymous", "/accounts/login/"),
    ("anonymous", "/accounts/signup/"),
    ("anonymous", "/accounts/password/reset/"),
    ("anonymous", "/api/"),
    ("anonymous", "/accounts/confirm-email/"),
    ("anonymous", "/accounts/password/reset/done/"),
    ("member", "/"),
    ("member", "/cities/{city}/"),
    ("member", "/join/"),
    ("member", "/my-city/"),
    ("member", "/my-city/?list"),
    ("member", "/cities/propose/"),
    ("member", "/accounts/profile/"),
    ("member", "/accounts/profile/api-tokens/"),
    ("member", "/accounts/profile/delete/"),
    ("member", "/accounts/email/"),
    ("member", "/accounts/password/change/"),
    ("member", "/accounts/2fa/"),
    ("member", "/notifications/"),
    ("member", "/accounts/logout/"),
    ("member", "/accounts/2fa/totp/activate/"),
    ("newcomer", "/my-city/"),
    ("lead", "/my-city/{city}/"),
    ("lead", "/my-city/{city}/profile/"),
    ("lead", "/my-city/requests/"),
    ("coordinator", "/coordinator/"),
    ("coordinator", "/coordinator/people/"),
    ("coordinator", "/cities/{city}/"),
    ("coordinator", "/my-city/requests/"),
]


@pytest.mark.parametrize(("role", "path"), PAGES, ids=[f"{r}:{p}" for r, p in PAGES])
def test_page_has_no_serious_accessibility_violation(live_server, page, portal, role, path):
    if role != "anonymous":
        sign_in(page.context, live_server, getattr(portal, role))
    errors = collect_console_errors(page)
    response = page.goto(live_server.url + path.format(city=portal.city.pk))
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    wait_for_htmx(page)
    assert_accessible(page)
    assert errors == [], f"{path}: console errors {errors}"


def test_demo_mailbox_is_accessible(live_server, page, portal, settings):
    settings.DEBUG = True
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}/dev/mail/")
    expect(page.locator(".mail-list")).to_contain_text("Welcome")
    assert_accessible(page)
    page.locator(".mail-list a").first.click()
    expect(page.locator(".mail-body")).to_be_visible()
    assert_accessible(page)
    assert errors == []


def test_locked_out_page_is_accessible(live_server, page, portal, settings):
    settings.AXES_FAILURE_LIMIT = 2
    page.goto(f"{live_server.url}/accounts/login/")
    for _attempt in range(2):
        page.fill("input[name=login]", portal.member.email)
        page.fill("input[name=password]", "not-the-password")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("Too many sign-in attempts")
    assert_accessible(page)


def test_not_found_page_is_accessible(live_server, page, portal):
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_contain_text("does not exist")
    assert_accessible(page)


def test_form_with_errors_is_accessible(live_server, page, portal):
    """Sign-up with passwords that differ: the errors are announced with their fields."""
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=name]", "Mia Mismatch")
    page.fill("input[name=email]", "mia@malmo.se")
    page.fill("input[name=password1]", "a-long-test-password-2050")
    page.fill("input[name=password2]", "another-long-password-2050")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(re.compile("same password", re.IGNORECASE))
    assert_accessible(page)
    assert errors == []


def test_profile_form_with_errors_is_accessible(live_server, page, portal):
    sign_in(page.context, live_server, portal.lead)
    page.goto(f"{live_server.url}/my-city/{portal.city.pk}/profile/")
    page.fill("input[name=target_year]", "1999")
    page.fill("input[name=website]", "not a web address")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page)


def test_city_search_results_are_accessible(live_server, page, portal):
    """The htmx autocomplete's results, with their join buttons."""
    sign_in(page.context, live_server, portal.newcomer)
    page.goto(f"{live_server.url}/join/")
    wait_for_htmx(page)
    page.locator("#city-search").press_sequentially("zur", delay=30)
    expect(page.locator("#city-search-results")).to_contain_text("Zürich")
    assert_accessible(page)
    page.locator("#city-search").fill("")
    page.locator("#city-search").press_sequentially("nowhere", delay=30)
    expect(page.locator("#city-search-results")).to_contain_text("No city starts with")
    assert_accessible(page)


def test_pages_with_messages_are_accessible(live_server, page, portal):
    """A success message after asking to join, an error message after asking twice."""
    sign_in(page.context, live_server, portal.newcomer)
    page.goto(f"{live_server.url}/join/")
    wait_for_htmx(page)
    page.locator("#city-search").press_sequentially("zurich", delay=30)
    page.locator("#city-search-results").get_by_role("button", name="Ask to join Zürich").click()
    expect(page.locator(".message.success")).to_contain_text("no lead yet")
    assert_accessible(page)
    page.goto(f"{live_server.url}/join/")
    wait_for_htmx(page)
    page.locator("#city-search").press_sequentially("malmo", delay=30)
    page.locator("#city-search-results").get_by_role("button", name="Ask to join Malmö").click()
    expect(page.locator(".message.error")).to_contain_text("already asked to join Malmö")
    assert_accessible(page)


def test_directory_filtered_by_htmx_is_accessible(live_server, page, portal):
    page.goto(f"{live_server.url}/cities/")
    wait_for_htmx(page)
    for status in ("Mission City", "Pilot City", "Twin City", "Participating city"):
        expect(page.locator("#directory-results .status", has_text=status)).to_be_visible()
    page.locator("#id_q").press_sequentially("malm", delay=30)
    expect(page.locator("#directory-results")).to_contain_text("1 city")
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/", "/cities/", "/accounts/login/"])
def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(live_server, page, path):
    page.goto(live_server.url + path)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.className, document.activeElement.textContent.trim()]"
    )
    assert focused == ["skip-link", "Skip to main content"]
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')") is True


def test_proposal_is_listed_for_coordinators(portal):
    """Guards the fixture: the coordinator page scan sees a proposal and a first-lead request."""
    assert CityProposal.objects.pending().count() == 1
    assert Membership.objects.awaiting_coordinator().count() == 1

"""The Climate City Contract's journey in a real browser: a member imports an inventory (an
XLSX built here), adds an action and sees the gap shrink; the lead submits; a coordinator
returns the version with a comment; the lead reads it and resubmits; the PDF downloads; the
member publishes and previews the public summary. The submission, versions, version, review
queue, publishing and public pages pass an axe scan; no console errors (CSP).

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py).
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from netzerohub.cities.models import Membership
from netzerohub.contracts import services
from netzerohub.contracts.models import Action, ContractVersion
from netzerohub.core.tests.browser import collect_console_errors, malmo, member_of, person, sign_in
from netzerohub.core.tests.test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook() -> bytes:
    """2020: residential 600 t and on-road 400 t (scope 1), and 50 t of removals."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Inventory"
    sheet.append(["Year", "Sector", "Sub-sector code", "Sub-sector", "Scope", "t CO2e", "Removal"])
    sheet.append([2020, "Stationary energy", "residential", "Residential", 1, 600, "no"])
    sheet.append([2020, "Transportation", "on-road", "On-road", 1, 400, "no"])
    sheet.append([2020, "AFOLU", "afolu", "AFOLU", 1, 50, "yes"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _as(page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in(page.context, live_server, user)


def _gap(page):
    return page.locator(".ws-figures div", has_text="Gap").locator("dd")


def test_the_contract_journey(live_server, page, settings):
    settings.REQUIRE_STAFF_MFA = False
    city = malmo()
    member = person("mia@malmo.se", name="Mia Member")
    lead = person("lea@malmo.se", name="Lea Lead")
    coordinator = person("cora@netzerohub.eu", name="Cora Coordinator", is_staff=True)
    member_of(city, member)
    member_of(city, lead, role=Membership.Role.LEAD)
    contract = services.workspace(city)
    contract.baseline_year, contract.target_year = 2020, 2030
    contract.save()
    errors = collect_console_errors(page)
    base = f"{live_server.url}/contracts/{city.pk}"

    # the member imports the inventory: required 1000 − 200 residual = 800, nothing expected
    _as(page, live_server, member)
    page.goto(f"{base}/inventory/import/")
    page.get_by_label("Filled inventory workbook (XLSX)").set_input_files(
        files=[{"name": "inventory.xlsx", "mimeType": XLSX, "buffer": _workbook()}]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".messages")).to_be_visible()
    page.goto(f"{base}/trajectory/")
    expect(_gap(page)).to_contain_text("800")

    # an action expecting 300 t a year in transportation shrinks the gap to 500
    page.goto(f"{base}/actions/new/")
    page.get_by_label("Title").fill("Tram line")
    page.locator("fieldset.pf-reductions").get_by_label("Transportation").fill("300")
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_role("heading", name="Tram line")).to_be_visible()
    page.goto(f"{base}/trajectory/")
    expect(_gap(page)).to_contain_text("500")

    # members who are not leads see who submits
    page.goto(f"{base}/submit/")
    expect(page.locator("main")).to_contain_text("Lea Lead")
    expect(page.get_by_role("button", name="Submit version 1")).to_have_count(0)

    # the lead submits
    _as(page, live_server, lead)
    page.goto(f"{base}/submit/")
    assert_accessible(page)
    page.get_by_role("button", name="Submit version 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Waiting for review")
    assert_accessible(page)

    # a coordinator returns it with a comment on A-1
    _as(page, live_server, coordinator)
    page.goto(f"{live_server.url}/contracts/review/")
    assert_accessible(page)
    page.get_by_role("link", name=city.name).first.click()
    expect(page.get_by_role("button", name="Return with comments")).to_be_visible()
    assert_accessible(page)
    comment = page.get_by_role("textbox", name="A-1 Greenhouse gas emissions baseline inventory")
    comment.fill("Add the **scope 3** emissions.")
    page.get_by_role("button", name="Return with comments").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Returned with comments")

    # the lead reads the comment in the history and on the version, and resubmits
    _as(page, live_server, lead)
    page.goto(f"{base}/versions/")
    assert_accessible(page)
    page.get_by_role("link", name="Version 1", exact=True).click()
    expect(page.locator(".review-comments")).to_contain_text("Add the scope 3 emissions.")
    page.goto(f"{base}/submit/")
    page.get_by_role("button", name="Submit version 2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Version 2")
    assert list(ContractVersion.objects.values_list("number", "status")) == [
        (2, "submitted"),
        (1, "returned"),
    ]

    # the PDF downloads
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    path = download.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename.endswith("-v2.pdf")

    # the member publishes the portfolio and the trajectory, and previews the summary
    _as(page, live_server, member)
    page.goto(f"{base}/publishing/")
    assert_accessible(page)
    page.get_by_label("publish the trajectory").check()
    page.get_by_label("publish the action portfolio").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="See the public summary").click()
    expect(page.locator("main")).to_contain_text("Tram line")
    assert_accessible(page)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/contracts/public/")
    assert_accessible(page)
    page.get_by_role("link", name=city.name).click()
    expect(page.locator("main")).to_contain_text("Tram line")
    assert not errors, errors


def test_the_history_with_changes_and_a_refused_review_pass_axe(live_server, page, settings):
    settings.REQUIRE_STAFF_MFA = False
    city = malmo()
    lead = person("lea@malmo.se", name="Lea Lead")
    coordinator = person("cora@netzerohub.eu", name="Cora Coordinator", is_staff=True)
    member_of(city, lead, role=Membership.Role.LEAD)
    contract = services.workspace(city)
    contract.baseline_year, contract.target_year = 2020, 2030
    contract.save()
    first = services.submit(contract, actor=lead)
    services.review(first, accept=False, comments={"B-2": "Add actions."}, actor=coordinator)
    services.save_action(
        Action(contract=contract, title="Tram line"),
        actor=lead,
        reductions={"transportation": Decimal(300)},
    )
    second = services.submit(contract, actor=lead)
    errors = collect_console_errors(page)

    _as(page, live_server, lead)
    page.goto(f"{live_server.url}/contracts/{city.pk}/versions/")
    expect(page.locator("main")).to_contain_text("Actions added: Tram line")
    assert_accessible(page)

    _as(page, live_server, coordinator)
    page.goto(f"{live_server.url}/contracts/versions/{second.pk}/")
    page.get_by_role("button", name="Return with comments").click()  # no comment: refused
    expect(page.locator(".messages")).to_contain_text("needs a comment")
    assert_accessible(page)
    # the refused review answers 400 (the browser logs it); nothing else may be logged
    assert not [e for e in errors if "status of 400" not in e], errors

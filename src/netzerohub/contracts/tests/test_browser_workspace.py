"""The contract workspace in a real browser: a member of Malmö (a Mission City) sets the
commitments, downloads the inventory template, imports a filled workbook (built here with
openpyxl; a first one with a wrong row is refused row by row), sees the years and the
trajectory's chart and table, then enters a year by hand with one bad number (a message at the
cell, every value kept) and fixes it. Every page passes an axe scan with no serious or critical
violation, and there are no console errors (CSP).

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py).
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from netzerohub.contracts.models import Contract, Emission, InventoryYear
from netzerohub.core.tests.browser import collect_console_errors, malmo, member_of, person, sign_in
from netzerohub.core.tests.test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def filled(path, rows) -> str:
    book = Workbook()
    sheet = book.active
    sheet.title = "Inventory"
    sheet.append(["Year", "Sector", "Sub-sector code", "Sub-sector", "Scope", "t CO2e", "Removal"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def test_a_member_builds_the_inventory_and_sees_the_trajectory(live_server, page, tmp_path):
    city = malmo()
    member = person("mia@malmo.se", name="Mia Member")
    member_of(city, member)
    sign_in(page.context, live_server, member)
    errors = collect_console_errors(page)
    base = f"{live_server.url}/contracts/{city.pk}"

    page.goto(f"{live_server.url}/contracts/")
    assert_accessible(page)
    page.get_by_role("link", name="Malmö").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Climate City Contract of Malmö")
    assert_accessible(page)  # the overview, with its checklist

    # Commitments: a Mission City aiming later than 2030 is told so, with the input kept.
    page.get_by_role("link", name="Commitments", exact=True).first.click()
    assert_accessible(page)
    page.get_by_label("Climate neutrality by").fill("2040")
    page.get_by_label("Baseline year").fill("2020")
    page.get_by_label("Stationary energy").check()
    page.get_by_label("Transportation").check()
    page.get_by_label("Scope 1").check()
    page.get_by_label("Scope 2").check()
    page.get_by_label("Ambition").fill("Climate neutral by 2030, with everyone.")
    page.get_by_role("button", name="Save the commitments").click()
    expect(page.locator("[role=alert]")).to_contain_text("2030 at the latest")
    expect(page.get_by_label("Ambition")).to_have_value("Climate neutral by 2030, with everyone.")
    assert_accessible(page)  # the form with its message
    page.get_by_label("Climate neutrality by").fill("2030")
    page.get_by_role("button", name="Save the commitments").click()
    expect(page.locator(".messages")).to_contain_text("The commitments are saved.")
    contract = Contract.objects.get(city=city)
    assert (contract.baseline_year, contract.target_year) == (2020, 2030)

    for path in ("commitments/targets/", "commitments/signatories/", "sections/A-2/"):
        page.goto(f"{base}/{path}")
        assert_accessible(page)
    # Interim targets: the same year twice is refused with the entries kept.
    page.goto(f"{base}/commitments/targets/")
    entries = page.locator("fieldset.ws-entry")
    for n, (year, share) in enumerate([("2025", "40"), ("2025", "45")]):
        entries.nth(n).get_by_label("Year").fill(year)
        entries.nth(n).get_by_label("Reduction below the baseline (%)").fill(share)
    page.get_by_role("button", name="Save the interim targets").click()
    expect(page.locator("fieldset.ws-entry").nth(1)).to_contain_text("One interim target a year")
    expect(page.locator("fieldset.ws-entry").nth(1).get_by_label("Year")).to_have_value("2025")
    assert_accessible(page)  # the formset with its errors
    page.locator("fieldset.ws-entry").nth(1).get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save the interim targets").click()
    expect(page.locator(".messages")).to_contain_text("The interim targets are saved.")

    # The template, downloaded from the inventory page.
    page.goto(f"{base}/inventory/")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template (XLSX)").click()
    template = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    first = next(template.active.iter_rows(min_row=2, values_only=True))
    assert first[0] == 2020 and first[2] == "residential"

    # An import with a wrong row: every problem with its row, nothing imported.
    page.get_by_role("link", name="Import a filled template").click()
    assert_accessible(page)
    bad = filled(
        tmp_path / "bad.xlsx",
        [[2020, "", "residential", "", 1, 600, "no"], [2020, "", "rail", "", 1, "lots", "no"]],
    )
    page.get_by_label("Filled inventory workbook (XLSX)").set_input_files(bad)
    page.get_by_role("button", name="Import").click()
    expect(page.locator("[role=alert]")).to_contain_text("1 rows need fixing")
    expect(page.locator(".ws-problems")).to_contain_text("“lots” is not a number of tonnes")
    assert_accessible(page)
    assert not InventoryYear.objects.exists()
    good = filled(
        tmp_path / "inventory.xlsx",
        [
            [2020, "", "residential", "", 1, 600, "no"],
            [2020, "", "commercial", "", 2, 400, "no"],
            [2020, "", "on-road", "", 1, 1000, "no"],
            [2020, "", "afolu", "", 1, 100, "yes"],
            [2022, "", "residential", "", 1, 500, "no"],
            [2022, "", "on-road", "", 1, 900, "no"],
        ],
    )
    page.get_by_label("Filled inventory workbook (XLSX)").set_input_files(good)
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".messages")).to_contain_text("Imported 6 rows for 2020, 2022.")
    years = page.locator(".ws-years")
    expect(years).to_contain_text("2,000")  # 2020 gross
    expect(years).to_contain_text("1,900")  # 2020 net
    expect(years).to_contain_text("1,400")  # 2022

    # The trajectory: the chart drawn from the JSON island, the table with the same numbers.
    page.get_by_role("link", name="Trajectory and gap").first.click()
    expect(page.locator("canvas[data-trajectory-chart=lines][data-drawn='1']")).to_have_count(1)
    table = page.locator(".ws-trajectory-table")
    expect(table.locator("tbody tr").first).to_contain_text("1,900")  # 2020 net
    expect(table.locator("tbody tr").last).to_contain_text("400")  # residual 20 % of 2,000
    expect(page.locator(".ws-sector-gaps")).to_contain_text("Transportation")
    assert_accessible(page)

    # A year by hand: one bad number, a message at its cell, every value kept; then fixed.
    page.goto(f"{base}/inventory/")
    page.get_by_label("Year", exact=True).fill("2023")
    page.get_by_role("button", name="Open the year").click()
    page.get_by_label("Residential buildings: scope 1").fill("450")
    page.get_by_label("On-road: scope 1").fill("8OO")
    page.get_by_label("Waste: scope 3").fill("12,5")
    page.get_by_role("button", name="Save the inventory of 2023").click()
    expect(page.locator("[role=alert]")).to_contain_text("1 amounts need fixing")
    on_road = page.get_by_label("On-road: scope 1")
    expect(on_road).to_have_value("8OO")
    expect(on_road).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Residential buildings: scope 1")).to_have_value("450")
    expect(page.get_by_label("Waste: scope 3")).to_have_value("12,5")
    assert_accessible(page)  # the grid with its message
    on_road.fill("800")
    page.get_by_role("button", name="Save the inventory of 2023").click()
    expect(page.locator(".messages")).to_contain_text("The inventory of 2023 is saved.")
    assert Emission.objects.filter(inventory_year__year=2023).count() == 3

    page.goto(f"{live_server.url}/my-city/{city.pk}/")
    expect(page.get_by_role("link", name="Open the contract workspace")).to_be_visible()
    assert errors == []


def test_a_coordinator_reads_the_workspace_pages(live_server, page, settings):
    settings.REQUIRE_STAFF_MFA = False
    city = malmo()
    coordinator = person("cora@netzerohub.eu", name="Cora Coordinator", is_staff=True)
    sign_in(page.context, live_server, coordinator)
    errors = collect_console_errors(page)
    base = f"{live_server.url}/contracts/{city.pk}"
    page.goto(f"{live_server.url}/contracts/")
    expect(page.get_by_role("link", name="Versions waiting for review")).to_be_visible()
    for path in ("/", "/commitments/", "/inventory/", "/inventory/2020/", "/trajectory/"):
        page.goto(base + path)
        expect(page.locator("main form[method=post]")).to_have_count(0)
        assert_accessible(page)
    page.goto(f"{live_server.url}/contracts/")
    expect(page.locator("main table")).to_contain_text("Malmö")
    assert_accessible(page)  # every workspace, with its state
    assert errors == []

"""The action portfolio in a real browser: a member adds two actions with expected reductions
(the first with a bad number: a message, what was typed kept), finds them in the table
(filtered and sorted), the fields × levers matrix and the timeline, adds an indicator with
targets and a measured value, enters capital needs and funding and reads the funding gap per
year in the investment plan (drawn by the static chart script). Every page passes an axe scan
with no serious or critical violation; no console errors (CSP).

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from netzerohub.contracts.models import Action, CapitalNeed, Funding, Indicator, Measurement
from netzerohub.core.tests.browser import collect_console_errors, malmo, member_of, person, sign_in
from netzerohub.core.tests.test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def fill_action(page, *, title, field, lever, starts, ends, status, capital, reductions):
    page.get_by_label("Title").fill(title)
    page.get_by_label("Field of action").select_option(label=field)
    page.get_by_label("Lever of change").select_option(label=lever)
    page.get_by_label("Description").fill(f"**{title}** for everyone.")
    page.get_by_label("Responsible body").fill("City of Malmö")
    page.get_by_label("Start:", exact=True).fill(starts)
    page.get_by_label("End:", exact=True).fill(ends)
    page.get_by_label("Status:", exact=True).select_option(label=status)
    page.get_by_label("Capital cost (EUR)").fill(capital)
    page.get_by_label("Public health").check()
    for sector, amount in reductions.items():
        page.get_by_label(f"{sector}:", exact=True).fill(amount)


def test_a_member_builds_the_portfolio_and_the_investment_plan(live_server, page):
    city = malmo()
    member = person("mia@malmo.se", name="Mia Member")
    member_of(city, member)
    sign_in(page.context, live_server, member)
    errors = collect_console_errors(page)
    base = f"{live_server.url}/contracts/{city.pk}"

    page.goto(f"{base}/actions/")
    expect(page.get_by_text("No actions yet.")).to_be_visible()
    assert_accessible(page)  # the empty table

    # The first action, with a bad number first: a message, everything kept as typed.
    page.get_by_role("link", name="Add an action").click()
    assert_accessible(page)  # the empty form
    fill_action(
        page,
        title="Electric buses",
        field="Mobility & transport",
        lever="Technology & infrastructure",
        starts="2025-01-01",
        ends="2028-12-31",
        status="In progress",
        capital="2000000",
        reductions={"Transportation": "twelve hundred", "Stationary energy": "30"},
    )
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("[role=alert]")).to_contain_text("Please correct the errors below.")
    expect(page.get_by_text("Enter a number.")).to_be_visible()
    expect(page.get_by_label("Transportation:", exact=True)).to_have_value("twelve hundred")
    expect(page.get_by_label("Stationary energy:", exact=True)).to_have_value("30")
    expect(page.get_by_label("Title")).to_have_value("Electric buses")
    expect(page.get_by_label("Public health")).to_be_checked()
    assert_accessible(page)  # the form with its errors
    assert not Action.objects.exists()
    page.get_by_label("Transportation:", exact=True).fill("1200")
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator(".messages")).to_contain_text("Action “Electric buses” added.")
    expect(page.locator(".markdown strong")).to_have_text("Electric buses")
    assert_accessible(page)  # the action's page

    # The second action.
    page.goto(f"{base}/actions/new/")
    fill_action(
        page,
        title="School retrofits",
        field="Built environment",
        lever="Technology & infrastructure",
        starts="2026-03-01",
        ends="2030-06-30",
        status="Planned",
        capital="500000",
        reductions={"Stationary energy": "400"},
    )
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator(".messages")).to_contain_text("Action “School retrofits” added.")

    # The table: both, then filtered by sector and sorted by the expected reduction.
    page.get_by_role("link", name="All actions").click()
    rows = page.locator(".pf-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(".pf-table tfoot")).to_contain_text("1,630")
    page.get_by_label("Reduces emissions in:", exact=True).select_option(label="Stationary energy")
    sort = page.get_by_label("Sort by:", exact=True)
    sort.select_option(label="Expected reduction (smallest first)")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(2)  # both reduce stationary energy
    expect(rows.first).to_contain_text("School retrofits")  # 400 t before 1,230 t
    page.get_by_label("Reduces emissions in:", exact=True).select_option(label="Transportation")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Electric buses")
    page.get_by_role("link", name="Clear").click()
    page.get_by_role("link", name="Expected reduction (t CO2e a year)").click()
    expect(rows.first).to_contain_text("School retrofits")  # 400 before 1,230
    page.get_by_role("link", name="Expected reduction (t CO2e a year)").click()
    expect(rows.first).to_contain_text("Electric buses")  # now descending
    assert_accessible(page)  # the table, sorted

    # The matrix: one cell per field, and its link opens the filtered table.
    page.get_by_role("link", name="Fields × levers (impact pathways)").click()
    expect(page.locator(".pf-matrix tfoot")).to_contain_text("2 actions")
    assert_accessible(page)
    page.locator(".pf-matrix tbody a", has_text="1 action").first.click()
    expect(page.locator(".pf-table tbody tr")).to_have_count(1)

    # The timeline: bars with their status in words, and the table of dates.
    page.get_by_role("link", name="Timeline").click()
    expect(page.locator("svg .pf-bar")).to_have_count(2)
    expect(page.locator("svg .pf-state").first).to_have_text("In progress")
    assert_accessible(page)

    # Indicators with targets, then a measured value.
    bus = Action.objects.get(title="Electric buses")
    page.goto(f"{base}/actions/{bus.pk}/")
    page.get_by_role("link", name="Indicators and measured values").click()
    assert_accessible(page)
    indicators = page.locator("form#indicators")
    indicators.get_by_label("Indicator, row 1").fill("Electric buses in service")
    indicators.get_by_label("Unit, row 1").fill("buses")
    indicators.get_by_label("Target 2025, row 1").fill("20")
    indicators.get_by_label("Target 2027, row 1").fill("60")
    indicators.get_by_label("Target 2030, row 1").fill("150")
    indicators.get_by_role("button", name="Save the indicators").click()
    expect(page.locator(".messages")).to_contain_text("saved.")
    measurements = page.locator("form#measurements")
    measurements.get_by_label("Indicator, row 1").select_option(label="Electric buses in service")
    measurements.get_by_label("Year, row 1").fill("2025")
    measurements.get_by_label("Measured value, row 1").fill("18")
    measurements.get_by_role("button", name="Save the measured values").click()
    expect(page.locator(".messages")).to_contain_text("saved.")
    assert Measurement.objects.get(indicator__action=bus).value == 18
    assert Indicator.objects.get(action=bus).target_2030 == 150
    assert_accessible(page)  # with stored rows

    # Capital needs and funding; a text amount first.
    page.goto(f"{base}/actions/{bus.pk}/investment/")
    needs = page.locator("form#needs")
    needs.get_by_label("Year, row 1").fill("2026")
    needs.get_by_label("Amount (EUR), row 1").fill("one million")
    needs.get_by_label("Year, row 2").fill("2027")
    needs.get_by_label("Amount (EUR), row 2").fill("500000")
    needs.get_by_role("button", name="Save the capital needs").click()
    expect(page.locator("form#needs [role=alert]")).to_contain_text("Please correct")
    expect(page.locator("form#needs").get_by_label("Amount (EUR), row 1")).to_have_value(
        "one million"
    )
    assert_accessible(page)  # the rows with their errors
    page.locator("form#needs").get_by_label("Amount (EUR), row 1").fill("1000000")
    page.locator("form#needs").get_by_role("button", name="Save the capital needs").click()
    expect(page.locator(".messages")).to_contain_text("saved.")
    funding = page.locator("form#funding")
    funding.get_by_label("Year, row 1").fill("2026")
    funding.get_by_label("Source, row 1").select_option(label="EU funds")
    funding.get_by_label("Status, row 1").select_option(label="Secured")
    funding.get_by_label("Amount (EUR), row 1").fill("600000")
    funding.get_by_label("Year, row 2").fill("2027")
    funding.get_by_label("Source, row 2").select_option(label="Loans")
    funding.get_by_label("Status, row 2").select_option(label="Expected")
    funding.get_by_label("Amount (EUR), row 2").fill("700000")
    funding.get_by_label("Note, row 2").fill("EIB")
    funding.get_by_role("button", name="Save the funding").click()
    expect(page.locator(".messages")).to_contain_text("saved.")
    assert CapitalNeed.objects.filter(action=bus).count() == 2
    assert Funding.objects.filter(action=bus).count() == 2
    assert_accessible(page)

    # The investment plan: the gap per year (and a surplus said as such), the chart drawn.
    page.get_by_role("link", name="The investment plan").click()
    per_year = page.locator("table", has_text="per year (EUR)")
    expect(per_year.locator("tbody tr").nth(0)).to_contain_text("400,000")
    expect(per_year.locator("tbody tr").nth(1)).to_contain_text("surplus 200,000")
    page.wait_for_function(  # drawn by static/contracts/portfolio.js
        "() => window.Chart && window.Chart.getChart("
        "document.querySelector(\"canvas[data-chart='investment']\")) !== undefined"
    )
    assert_accessible(page)

    # Deleting asks first.
    page.goto(f"{base}/actions/{bus.pk}/delete/")
    assert_accessible(page)
    page.get_by_role("button", name="Delete the action").click()
    expect(page.locator(".messages")).to_contain_text("Action “Electric buses” deleted.")
    assert not errors, errors

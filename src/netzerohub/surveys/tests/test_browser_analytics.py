"""The analytics page in a real browser: a coordinator opens it for a survey with a few submitted
responses, sees a drawn chart (Chart.js loaded, no console error: CSP) and its table, filters by
country (htmx swaps the results; the numbers change), downloads the XLSX of what is shown through
the page's link; axe scans before and after filtering.

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py). The live server needs a transactional database, flushed after every
test: the test builds its own data.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from netzerohub.community.tests.test_browser import OpenAs, pages_of_people
from netzerohub.core.tests.test_accessibility import assert_accessible

from .test_analytics import make_data, q

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def open_as(browser, live_server) -> Iterator[OpenAs]:
    yield from pages_of_people(browser, live_server)


def test_a_coordinator_filters_the_analytics_and_downloads_the_xlsx(
    live_server, open_as, coordinator, tmp_path
):
    survey = make_data(coordinator)
    plan = q(survey, "plan")
    tab = open_as(coordinator)
    page = tab.page
    page.goto(f"{live_server.url}/surveys/manage/{survey.slug}/analytics/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Analytics")
    totals = page.locator(".analytics-totals")
    expect(totals).to_contain_text("3 submitted responses")

    question = page.locator(f"#question-{plan.pk}")
    canvas = question.locator("canvas[role=img]")
    expect(canvas).to_have_attribute("data-drawn", "1")  # charts.js drew it with Chart.js
    assert page.evaluate("() => typeof window.Chart === 'function'")
    assert canvas.get_attribute("aria-label").startswith("Bar chart of")
    yes_row = question.get_by_role("row").filter(has_text="Yes")
    expect(yes_row).to_contain_text("33.3 %")
    assert_accessible(page)

    page.locator("#id_country").select_option("SE")
    page.get_by_role("button", name="Show").click()
    expect(totals).to_contain_text("2 submitted responses (filtered)")
    expect(page).to_have_url(
        f"{live_server.url}/surveys/manage/{survey.slug}/analytics/?country=SE&band=&status=&stage=&question=&by="
    )
    expect(question.get_by_role("row").filter(has_text="Yes")).to_contain_text("50.0 %")
    expect(question.locator("canvas[role=img]")).to_have_attribute("data-drawn", "1")
    assert_accessible(page)

    link = page.get_by_role("link", name="Download the responses (XLSX)")
    assert link.get_attribute("href").endswith("export.xlsx?country=SE")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    path = tmp_path / "responses.xlsx"
    download.save_as(path)
    sheet = load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 2  # a header and the two Swedish responses
    assert tab.errors == []

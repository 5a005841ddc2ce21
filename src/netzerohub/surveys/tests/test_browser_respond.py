"""Answering a survey in a real browser: a member starts the city's response, answers part of it
(each answer saved as it is given), reloads and finds the answers, sees a conditional question
appear after a choice and continues; the lead reviews and submits. axe scans of the survey page,
a section page and the review page.

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py), required in CI.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from netzerohub.cities.models import Membership
from netzerohub.core.tests.browser import (
    collect_console_errors,
    malmo,
    member_of,
    person,
    sign_in,
    wait_for_htmx,
)
from netzerohub.core.tests.test_accessibility import assert_accessible
from netzerohub.surveys.models import Question, Response

from .factories import sample_survey

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_member_answers_part_reloads_continues_and_the_lead_submits(live_server, browser):
    city = malmo()
    lead = person("lead@malmo.se", name="Lena Lead")
    member = person("member@malmo.se", name="Max Member")
    member_of(city, lead, role=Membership.Role.LEAD)
    member_of(city, member)
    survey = sample_survey(title="Needs assessment 2027")
    plan = Question.objects.get(survey=survey, key="plan")
    staff = Question.objects.get(survey=survey, key="staff")
    yes, no = (plan.options.get(label=label).pk for label in ("Yes", "No"))

    context = browser.new_context()
    sign_in(context, live_server, member)
    page = context.new_page()
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}{survey.get_absolute_url()}")
    wait_for_htmx(page)
    expect(page.locator("h1")).to_have_text("Needs assessment 2027")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Start")).click()
    expect(page.locator("h1")).to_have_text("Profile")
    wait_for_htmx(page)
    assert_accessible(page)

    # Answer two questions: each is saved as it is given.
    page.locator(f"#q{plan.pk}-o{no}").check()
    expect(page.locator("#status-plan")).to_contain_text("Saved")
    expect(page.locator("#status-plan")).to_contain_text("Max Member")
    page.locator(f"#q{staff.pk}-value").fill("12")
    page.locator(f"#q{staff.pk}-value").blur()
    expect(page.locator("#status-staff")).to_contain_text("Saved")
    expect(page.locator("#survey-progress")).to_contain_text("2 of")
    expect(page.locator("#q-plan-text")).to_have_count(0)

    # Reload: the answers are there.
    page.reload()
    wait_for_htmx(page)
    expect(page.locator(f"#q{plan.pk}-o{no}")).to_be_checked()
    expect(page.locator(f"#q{staff.pk}-value")).to_have_value("12")

    # A choice shows the conditional question, which is answered in turn.
    page.locator(f"#q{plan.pk}-o{yes}").check()
    expect(page.locator("#q-plan-text")).to_be_visible()
    expect(page.locator("#save-status")).to_contain_text("A further question is shown")
    # htmx binds the new question's triggers as the swap settles; a person takes longer than that.
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    text = page.locator("#q-plan-text textarea")
    text.fill("A plan adopted in 2024.")
    expect(page.locator("#count-plan-text")).to_contain_text("23 of 5000 characters")
    expect(page.locator("#status-plan-text")).to_contain_text("Saved")

    # Continue from the survey's page: back where the city left off, answers kept.
    page.goto(f"{live_server.url}{survey.get_absolute_url()}")
    page.get_by_role("button", name=re.compile("^Continue")).click()
    expect(page.locator("h1")).to_have_text("Profile")
    expect(page.locator("#q-plan-text textarea")).to_have_value("A plan adopted in 2024.")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_have_text("Needs")
    assert errors == []
    context.close()

    # The lead reviews and submits.
    context = browser.new_context()
    sign_in(context, live_server, lead)
    page = context.new_page()
    errors = collect_console_errors(page)
    response = Response.objects.get(survey=survey)
    page.goto(f"{live_server.url}/surveys/response/{response.pk}/review/")
    wait_for_htmx(page)
    expect(page.locator("main")).to_contain_text("Every required question is answered.")
    expect(page.locator("main")).to_contain_text("A plan adopted in 2024.")
    assert_accessible(page)
    page.get_by_role("button", name="Submit the response").click()
    expect(page.locator("main")).to_contain_text("the response is submitted")
    expect(page.locator("h1")).to_have_text("Answers of Malmö")
    assert_accessible(page)
    assert errors == []
    response.refresh_from_db()
    assert response.is_submitted and response.submitted_by == lead
    context.close()


def test_the_review_page_with_missing_answers_is_accessible(live_server, browser):
    city = malmo()
    member = person("member@malmo.se", name="Max Member")
    member_of(city, member)
    survey = sample_survey()
    context = browser.new_context()
    sign_in(context, live_server, member)
    page = context.new_page()
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}{survey.get_absolute_url()}")
    page.get_by_role("button", name=re.compile("^Start")).click()
    page.get_by_role("link", name="Review and submit").first.click()
    expect(page.locator("#missing")).to_contain_text("Does your city have a climate plan?")
    expect(page.locator("main")).to_contain_text("Your city lead submits")
    assert_accessible(page)
    page.get_by_role("link", name="Does your city have a climate plan?").click()
    expect(page).to_have_url(re.compile("#q-plan$"))
    page.goto(f"{live_server.url}/surveys/")
    assert_accessible(page)
    assert errors == []
    context.close()

"""The survey builder in a real browser: a coordinator creates a survey, adds a section, a
single-choice question and a long-text question shown only for one of its answers, previews the
survey and publishes it. The list, the settings form with its errors, the builder's home, the
question form and the preview pass an axe scan with no serious or critical violation; the
question form shows only the fields of the chosen type (static JavaScript); no console errors
(CSP).

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from netzerohub.core.tests.browser import collect_console_errors, person, sign_in, wait_for_htmx
from netzerohub.core.tests.test_accessibility import assert_accessible
from netzerohub.surveys.models import Question, Survey

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_coordinator_builds_previews_and_publishes_a_survey(live_server, page, settings):
    settings.REQUIRE_STAFF_MFA = False
    coordinator = person("cora@netzerohub.eu", name="Cora Coordinator", is_staff=True)
    sign_in(page.context, live_server, coordinator)
    errors = collect_console_errors(page)
    base = live_server.url

    page.goto(f"{base}/surveys/manage/")
    assert_accessible(page)  # the list
    page.get_by_role("link", name="New survey").click()
    page.get_by_role("button", name="Create the survey").click()  # empty: errors shown
    expect(page.locator("[role=alert]")).to_contain_text("Please correct the errors below.")
    assert_accessible(page)  # the settings form, with its errors
    page.get_by_label("Title").fill("Needs assessment 2027")
    page.get_by_label("Introduction").fill("A chance to **shape** our support.")
    page.get_by_label("Time zone").select_option("Europe/Brussels")
    page.get_by_label("Opens").fill("2027-05-01T09:00")
    page.get_by_label("Closes").fill("2027-05-17T23:59")
    page.get_by_role("button", name="Create the survey").click()
    expect(page.locator(".messages")).to_contain_text("closes 17 May 2027, 23:59 CEST")
    survey = Survey.objects.get(title="Needs assessment 2027")
    assert survey.closes_at == dt.datetime(2027, 5, 17, 21, 59, tzinfo=dt.UTC)

    page.get_by_role("link", name="Add a section").click()
    page.get_by_label("Title").fill("Climate plan")
    page.get_by_role("button", name="Save the section").click()
    expect(page.locator("h3")).to_contain_text("Section 1: Climate plan")

    page.get_by_label("New question in “Climate plan”, of the type").select_option("single")
    page.get_by_role("button", name="Add a question").click()
    wait_for_htmx(page)
    form = page.locator("form[data-question-form]")
    scale = form.locator("fieldset[data-kinds='likert matrix']")
    options = page.locator("#id_options")
    expect(scale).to_be_hidden()  # not a scale question
    expect(options).to_be_visible()
    page.locator("#id_text").fill("Does your city have a climate plan?")
    page.get_by_label("Required").check()
    options.fill("Yes\nNo\nIn preparation")
    page.locator("#id_kind").select_option("likert")
    expect(scale).to_be_visible()
    expect(options).to_be_hidden()
    page.locator("#id_kind").select_option("single")
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator(".messages")).to_contain_text("Question saved")
    plan = Question.objects.get(survey=survey, text="Does your city have a climate plan?")
    assert [o.label for o in plan.options.all()] == ["Yes", "No", "In preparation"]

    page.get_by_label("New question in “Climate plan”, of the type").select_option("long_text")
    page.get_by_role("button", name="Add a question").click()
    page.locator("#id_text").fill("Describe the plan")
    choices = page.locator("[data-condition-options]")
    expect(choices).to_be_hidden()
    page.get_by_label("Show only when the answer to").select_option(str(plan.pk))
    expect(choices).to_be_visible()
    assert_accessible(page)  # the question form
    page.get_by_label("In preparation").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator(".messages")).to_contain_text("Question saved")
    described = Question.objects.get(survey=survey, text="Describe the plan")
    assert described.condition_question == plan
    assert {o.label for o in described.condition_options.all()} == {"Yes", "In preparation"}

    item = page.locator(f"#question-{described.pk}")
    expect(item).to_contain_text("conditional")
    expect(item).to_contain_text("“Yes”, “In preparation”")
    expect(page.locator("main")).to_contain_text("Estimated completion time: about 4 minutes.")
    assert_accessible(page)  # the builder's home

    page.get_by_role("link", name="Preview", exact=True).first.click()
    expect(page.locator("h1")).to_contain_text("Preview of “Needs assessment 2027”")
    expect(page.locator("main")).to_contain_text("Does your city have a climate plan?")
    expect(page.locator("main")).to_contain_text("Shown only when the answer to")
    expect(page.locator("main strong")).to_have_text("shape")
    expect(page.locator("main input[type=radio]").first).to_be_disabled()
    assert_accessible(page)  # the preview

    page.get_by_role("link", name="Back to the builder").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Survey published")
    expect(page.get_by_role("button", name="Back to draft")).to_be_visible()
    assert not Survey.objects.get(pk=survey.pk).is_draft
    assert errors == []

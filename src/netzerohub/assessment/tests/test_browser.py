"""The city-readiness self-assessment in a real browser: two colleagues answering at once, the
lead's submission and the recommended learning, the list of missing answers, resuming, the
keyboard, answering without JavaScript, a coordinator publishing a new version, and axe scans.

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py), required in CI. The live server needs a transactional database,
which is flushed after every test: each test loads the default questionnaire itself.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from netzerohub.assessment import authoring, services
from netzerohub.assessment.models import Answer, Assessment, Question, Questionnaire
from netzerohub.assessment.tests.factories import (
    answer,
    default_questionnaire,
    questions_of,
    submitted,
)
from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, LeadFactory, MembershipFactory
from netzerohub.core.models import Term
from netzerohub.core.tests.browser import (
    collect_console_errors,
    sign_in,
    sign_in_with_password_and_code,
    wait_for_htmx,
)
from netzerohub.core.tests.test_accessibility import assert_accessible
from netzerohub.learning.indexing import reindex_course
from netzerohub.learning.models import Course, Enrolment, Pathway
from netzerohub.learning.tests.factories import PathwayFactory, StepFactory, course_with_lessons
from netzerohub.learning.tests.test_browser import tab_until

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

TOTAL = 47  # questions of the default questionnaire
SKIP = "skip"  # the value of "Does not apply to us"


def term(kind: str, slug: str) -> Term:
    return Term.objects.get(kind=kind, slug=slug)


def colleague_of(city: City, name: str) -> Any:
    return MembershipFactory(city=city, user__name=name).user


def level_of(key: str) -> int:
    """The journey's answers: finance is the city's gap (0), everything else level 3."""
    return 0 if key.startswith("finance-") else 3


def all_but(assessment: Assessment, left_out: set[str]) -> dict[str, int]:
    """The journey's levels of every question but `left_out`."""
    return {q.key: level_of(q.key) for q in questions_of(assessment) if q.key not in left_out}


def text_of(questionnaire: Questionnaire, key: str) -> str:
    return Question.objects.get(questionnaire=questionnaire, key=key).text


# --- answering on the page ---------------------------------------------------------------------


def radio(page: Any, key: str, level: int | str) -> Any:
    return page.locator(f"#q-{key}-{level}")


def save_state(page: Any, key: str) -> Any:
    return page.locator(f"#q-{key} .save-state")


def saved_value(page: Any, key: str) -> Any:
    """The hidden input the swapped status line brings: the value the server stored."""
    return page.locator(f"#q-{key} input[name='was-{key}']")


def state_text(level: int | str, who: str) -> str:
    return f"{'Skipped' if level == SKIP else 'Saved'} · answered by {who}"


def pick(page: Any, key: str, level: int | str, who: str) -> None:
    """Choose a level; htmx saves it and swaps the question's status line (nothing reloads)."""
    wait_for_htmx(page)
    radio(page, key, level).check()
    expect(saved_value(page, key)).to_have_value(str(level))
    expect(save_state(page, key)).to_contain_text(state_text(level, who))


def expect_answered(page: Any, key: str, level: int | str, who: str) -> None:
    expect(radio(page, key, level)).to_be_checked()
    expect(save_state(page, key)).to_contain_text(state_text(level, who))


def progress(page: Any) -> Any:
    return page.locator("#assessment-progress")


def follow(title: str) -> re.Pattern:
    """The name of a recommendation's "Follow this pathway" button (the title is hidden text)."""
    return re.compile(rf"^Follow this pathway\W+{re.escape(title)}$")


def enrol(title: str) -> re.Pattern:
    return re.compile(rf"^Enrol\W+{re.escape(title)}$")


# --- learning content for the recommendations --------------------------------------------------


@dataclass
class Learning:
    finance_pathway: Pathway
    finance_course: Course
    data_pathway: Pathway


def learning_content() -> Learning:
    """A finance course in a pathway (the journey's gap, "Finance and investment", asks for the
    lever finance-funding) and a pathway about understanding the system, which asks for less."""
    finance = course_with_lessons(
        title="Financing the climate investment plan",
        summary="Budgets, funding sources and private capital for a city's climate actions.",
        lessons=1,
    )
    finance.levers.set([term("lever", "finance-funding")])
    reindex_course(finance)
    finance_pathway = PathwayFactory(
        title="Fund the transition", goal="The team can draft the city's investment plan."
    )
    StepFactory(pathway=finance_pathway, course=finance)
    data = course_with_lessons(title="Baseline emission inventory", lessons=1)
    data.step = term("step", "understand-the-system")
    data.save()
    reindex_course(data)
    data_pathway = PathwayFactory(title="Know your emissions")
    StepFactory(pathway=data_pathway, course=data)
    return Learning(finance_pathway, finance, data_pathway)


# --- 1. the journey of the issue ---------------------------------------------------------------

# The questions the two colleagues answer in the browser (everything else is answered in the
# setup): both on "Mandate and commitment" at once, then each on a dimension of their own.
MIA_MANDATE = ["mandate-target-year", "mandate-scope", "mandate-multilevel"]  # the last: skipped
BEN_MANDATE = ["mandate-political-backing", "mandate-strategy-alignment"]
MIA_SYSTEM = ["system-data-quality", "system-emissions-gap"]
BEN_GOVERNANCE = ["governance-leadership-link", "governance-cross-department"]
MIA = "Mia Member"
BEN = "Ben Colleague"


def browser_level(key: str) -> int | str:
    """Level 3, like the setup's answers; Mia says the optional "multilevel" does not apply."""
    return SKIP if key == "mandate-multilevel" else 3


def stored_level(key: str) -> int | None:
    level = browser_level(key)
    return None if level == SKIP else level


def test_two_members_answer_at_once_the_lead_submits_and_a_recommendation_is_followed(
    live_server, browser, page, city, member, lead
):
    questionnaire = default_questionnaire()
    learning = learning_content()
    colleague = colleague_of(city, BEN)
    base = live_server.url
    mia_errors = collect_console_errors(page)
    sign_in(page.context, live_server, member)

    # Mia starts the assessment from the landing page.
    page.goto(f"{base}/assessment/")
    page.get_by_role("button", name=f"Start the assessment — {city.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Self-assessment of {city.name}")
    assessment = Assessment.objects.get(city=city)
    assert assessment.questionnaire == questionnaire
    in_browser = {*MIA_MANDATE, *BEN_MANDATE, *MIA_SYSTEM, *BEN_GOVERNANCE}
    answer(assessment, all_but(assessment, in_browser), user=lead)
    done = TOTAL - len(in_browser)

    # Mia and Ben open "Mandate and commitment" at the same time.
    page.goto(f"{base}/assessment/{assessment.pk}/")
    page.get_by_role("link", name="Continue where the team left off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mandate and commitment")
    wait_for_htmx(page)
    ben_context = browser.new_context()
    try:
        ben = ben_context.new_page()
        ben_errors = collect_console_errors(ben)
        sign_in(ben_context, live_server, colleague)
        ben.goto(f"{base}/assessment/{assessment.pk}/dimensions/mandate/")
        wait_for_htmx(ben)
        expect(progress(ben)).to_contain_text(f"{done} of {TOTAL} questions answered")

        # Interleaved answers on the same page; neither reloads.
        for key, (who_page, who) in zip(
            [
                MIA_MANDATE[0],
                BEN_MANDATE[0],
                MIA_MANDATE[1],
                BEN_MANDATE[1],
                MIA_MANDATE[2],
            ],
            [(page, MIA), (ben, BEN), (page, MIA), (ben, BEN), (page, MIA)],
            strict=True,
        ):
            pick(who_page, key, browser_level(key), who)
            done += 1
            # The progress bar, swapped out of band, counts the colleague's answers too.
            expect(progress(who_page)).to_contain_text(f"{done} of {TOTAL} questions answered")
        # Each page still shows the other's questions as it loaded them.
        expect(save_state(ben, MIA_MANDATE[0])).to_have_text("Not answered yet")
        expect(save_state(page, BEN_MANDATE[0])).to_have_text("Not answered yet")

        # Ben sends his stale page with "Save and go to the next dimension": nothing he did not
        # change is saved, so Mia's answers stay hers.
        ben.get_by_role("button", name="Save and go to the next dimension").click()
        expect(ben.get_by_role("heading", level=1)).to_have_text("Governance and transition team")
        expect(ben.locator(".messages")).to_have_count(0)
        wait_for_htmx(ben)
        page.get_by_role("navigation", name="Dimensions of the assessment").get_by_role(
            "link", name="Understanding the system"
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Understanding the system")
        wait_for_htmx(page)

        # Each on a dimension of their own, both answering at the very same time: the two
        # requests are on their way together, and each page gets its own status line back.
        for mia_key, ben_key in zip(MIA_SYSTEM, BEN_GOVERNANCE, strict=True):
            radio(page, mia_key, 3).check(no_wait_after=True)
            radio(ben, ben_key, 3).check(no_wait_after=True)
            expect(saved_value(page, mia_key)).to_have_value("3")
            expect(saved_value(ben, ben_key)).to_have_value("3")
            expect(save_state(page, mia_key)).to_contain_text(f"Saved · answered by {MIA}")
            expect(save_state(ben, ben_key)).to_contain_text(f"Saved · answered by {BEN}")

        # Every answer of both is stored, by whoever gave it ...
        stored = {
            a.question.key: (a.level, a.answered_by)
            for a in Answer.objects.filter(assessment=assessment).select_related("question")
        }
        assert len(stored) == TOTAL
        for key in [*MIA_MANDATE, *MIA_SYSTEM]:
            assert stored[key] == (stored_level(key), member), key
        for key in [*BEN_MANDATE, *BEN_GOVERNANCE]:
            assert stored[key] == (stored_level(key), colleague), key
        # ... and shown to both after a reload.
        for who_page in (page, ben):
            who_page.goto(f"{base}/assessment/{assessment.pk}/dimensions/mandate/")
            for key in MIA_MANDATE:
                expect_answered(who_page, key, browser_level(key), MIA)
            for key in BEN_MANDATE:
                expect_answered(who_page, key, 3, BEN)
        expect(progress(ben)).to_contain_text(
            f"{TOTAL} of {TOTAL} questions answered · every required question is answered"
        )
        ben.goto(f"{base}/assessment/{assessment.pk}/dimensions/system/")
        for key in MIA_SYSTEM:
            expect_answered(ben, key, 3, MIA)
        page.goto(f"{base}/assessment/{assessment.pk}/dimensions/governance/")
        for key in BEN_GOVERNANCE:
            expect_answered(page, key, 3, BEN)
        # A member sees the answers but cannot submit.
        page.goto(f"{base}/assessment/{assessment.pk}/")
        expect(page.get_by_role("button", name="Submit the assessment")).to_have_count(0)
        assert ben_errors == []
    finally:
        ben_context.close()

    # The lead submits; the result shows the radar, the scores and the recommendations.
    lead_context = browser.new_context()
    try:
        lea = lead_context.new_page()
        lead_errors = collect_console_errors(lea)
        sign_in(lead_context, live_server, lead)
        lea.goto(f"{base}/assessment/{assessment.pk}/")
        expect(lea.locator("p.ok")).to_have_text("Every required question is answered.")
        lea.get_by_role("button", name="Submit the assessment").click()
        expect(lea).to_have_url(f"{base}/assessment/{assessment.pk}/result/")
        expect(lea.locator(".messages")).to_contain_text("The assessment is submitted.")
        assert lead_errors == []
    finally:
        lead_context.close()
    assessment.refresh_from_db()
    assert assessment.is_submitted and assessment.is_latest
    assert assessment.submitted_by == lead
    # 8 dimensions at 75, finance at 0: (8 × 75 + 0) / 9 = 66.7.
    assert round(assessment.overall_score, 1) == 66.7
    assert assessment.stage.key == "advanced"

    page.goto(f"{base}/assessment/{assessment.pk}/result/")
    expect(page.get_by_role("heading", level=2, name="Overall: Advanced")).to_be_visible()
    expect(page.locator(".overall-number .big")).to_have_text("67")
    radar = page.get_by_role("img", name=re.compile("^Radar chart of the scores by dimension"))
    expect(radar).to_be_visible()
    expect(radar.locator("polygon").first).to_be_attached()
    scores = page.get_by_role("table", name="Scores by dimension, 0 to 100")
    expect(scores).to_be_visible()
    rows = scores.locator("tbody tr")
    expect(rows.filter(has_text="Mandate and commitment")).to_contain_text("75")
    expect(rows.filter(has_text="Finance and investment").locator("td").first).to_have_text("0")
    expect(rows.filter(has_text="Overall").locator("td").first).to_have_text("67")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download as PDF").click()
    download = downloading.value
    assert re.fullmatch(
        rf"self-assessment-{city.pk}-\d{{4}}-\d{{2}}-\d{{2}}\.pdf", download.suggested_filename
    )
    with open(download.path(), "rb") as pdf:
        assert pdf.read().startswith(b"%PDF")

    recommended = page.get_by_role("region", name="Recommended for your city")
    pathways = recommended.locator("ol.recommendations").first
    # The pathway about the gap comes first, with its reason.
    expect(pathways.locator("h4")).to_have_text(["Fund the transition", "Know your emissions"])
    expect(pathways.locator("li").first).to_contain_text(
        "Your score in “Finance and investment” is 0 of 100."
    )
    recommended.get_by_role("button", name=follow("Fund the transition")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fund the transition")
    expect(page.locator(".messages")).to_contain_text("You follow this pathway.")
    expect(page.get_by_role("button", name="Follow this pathway")).to_have_count(0)
    expect(page.locator(".progress-line")).to_contain_text("0 of 1 done")
    assert Enrolment.objects.filter(user=member, pathway=learning.finance_pathway).exists()
    assert not Enrolment.objects.filter(user=member, pathway=learning.data_pathway).exists()

    # Back on the result, the pathway is followed; the course is one click away too.
    page.goto(f"{base}/assessment/{assessment.pk}/result/")
    expect(
        recommended.get_by_role("link", name="You follow this pathway — continue")
    ).to_be_visible()
    expect(recommended.get_by_role("button", name=follow("Fund the transition"))).to_have_count(0)
    recommended.get_by_role("button", name=enrol("Financing the climate investment plan")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Financing the climate investment plan"
    )
    expect(page.locator(".messages")).to_contain_text("You are enrolled.")
    assert Enrolment.objects.filter(user=member, course=learning.finance_course).exists()
    assert mia_errors == []


# --- 2. submitting with answers missing --------------------------------------------------------

MISSING = ["mandate-scope", "finance-budget", "fields-green-infrastructure-nbs"]


def test_submitting_with_required_answers_missing_lists_them_with_links(
    live_server, page, city, member, lead
):
    questionnaire = default_questionnaire()
    assessment = services.start_assessment(city, actor=member)
    # An optional question left open is not missing.
    left_open = {*MISSING, "fields-industrial-processes"}
    answer(assessment, all_but(assessment, left_open), user=member)
    base = live_server.url
    errors = collect_console_errors(page)
    sign_in(page.context, live_server, lead)

    page.goto(f"{base}/assessment/{assessment.pk}/")
    page.get_by_role("button", name="Submit the assessment").click()
    expect(page.locator(".messages")).to_contain_text("3 required questions are not answered yet.")
    missing = page.locator("#missing")
    expect(missing).to_have_class(re.compile(r"\berror\b"))
    expect(missing).to_contain_text("3 required questions are not answered yet:")
    links = missing.get_by_role("link")
    expect(links).to_have_text([text_of(questionnaire, key) for key in MISSING])
    assert_accessible(page)
    assessment.refresh_from_db()
    assert not assessment.is_submitted

    # A link leads to its question, further down its dimension's page.
    target = "fields-green-infrastructure-nbs"
    links.filter(has_text=text_of(questionnaire, target)).click()
    expect(page).to_have_url(f"{base}/assessment/{assessment.pk}/dimensions/fields/#q-{target}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Readiness per field of action")
    expect(page.locator(f"#q-{target}")).to_be_in_viewport()
    expect(page.locator("#q-fields-energy-systems")).not_to_be_in_viewport()
    assert page.evaluate("() => window.scrollY") > 0
    expect(save_state(page, target)).to_have_text("Not answered yet")
    expect(page.locator(f"#q-{target} input:checked")).to_have_count(0)
    assert errors == []


# --- 3. resuming -------------------------------------------------------------------------------


def test_answers_are_kept_and_continue_goes_to_the_first_incomplete_dimension(
    live_server, page, city, member
):
    default_questionnaire()
    assessment = services.start_assessment(city, actor=member)
    first_two = {
        q.key: 2 for q in questions_of(assessment) if q.dimension.key in {"mandate", "governance"}
    }
    answer(assessment, first_two, user=member)
    base = live_server.url
    errors = collect_console_errors(page)
    sign_in(page.context, live_server, member)

    # Two answers in "Understanding the system", then the member leaves.
    page.goto(f"{base}/assessment/{assessment.pk}/dimensions/system/")
    wait_for_htmx(page)
    pick(page, "system-baseline-inventory", 1, MIA)
    pick(page, "system-data-quality", 4, MIA)
    page.goto(f"{base}/")
    page.close()

    # Later, in a new page: from the landing page to where the team left off.
    again = page.context.new_page()
    again_errors = collect_console_errors(again)
    again.goto(f"{base}/assessment/")
    again.get_by_role("link", name="Continue", exact=True).click()
    expect(again).to_have_url(f"{base}/assessment/{assessment.pk}/")
    expect(progress(again)).to_contain_text(f"12 of {TOTAL} questions answered")
    rows = again.get_by_role("table", name="Dimensions").locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Complete")
    expect(rows.nth(2)).to_contain_text("2 / 6")
    again.get_by_role("link", name="Continue where the team left off").click()
    expect(again).to_have_url(f"{base}/assessment/{assessment.pk}/dimensions/system/")
    expect(again.get_by_role("heading", level=1)).to_have_text("Understanding the system")
    expect(
        again.get_by_role("navigation", name="Dimensions of the assessment").locator(
            "[aria-current=page]"
        )
    ).to_have_text("Understanding the system")
    expect_answered(again, "system-baseline-inventory", 1, MIA)
    expect_answered(again, "system-data-quality", 4, MIA)
    expect(save_state(again, "system-emissions-gap")).to_have_text("Not answered yet")
    expect(again.locator("#q-system-emissions-gap input:checked")).to_have_count(0)
    # The dimensions answered before show their answers too.
    again.goto(f"{base}/assessment/{assessment.pk}/dimensions/governance/")
    for key, level in first_two.items():
        if key.startswith("governance-"):
            expect_answered(again, key, level, MIA)
    assert errors == [] and again_errors == []


# --- 4. the keyboard ---------------------------------------------------------------------------


def test_answering_with_the_keyboard_saves_and_keeps_the_focus(live_server, page, city, member):
    questionnaire = default_questionnaire()
    assessment = services.start_assessment(city, actor=member)
    base = live_server.url
    errors = collect_console_errors(page)
    sign_in(page.context, live_server, member)
    page.goto(f"{base}/assessment/{assessment.pk}/dimensions/mandate/")
    wait_for_htmx(page)
    first, second = "mandate-target-year", "mandate-political-backing"

    # Tab reaches the first question's radio group; an arrow key picks the next level.
    tab_until(page, "el.type === 'radio'")
    expect(radio(page, first, 0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(radio(page, first, 1)).to_be_checked()
    expect(saved_value(page, first)).to_have_value("1")
    expect(save_state(page, first)).to_contain_text(f"Saved · answered by {MIA}")
    expect(page.locator("#save-status")).to_have_text("Question 1 saved.")
    # The swap replaced the status line only: the focus is still on the radio.
    expect(radio(page, first, 1)).to_be_focused()
    assert Answer.objects.get(assessment=assessment, question__key=first).level == 1

    # Again: another arrow changes the saved level, and the focus stays.
    page.keyboard.press("ArrowDown")
    expect(saved_value(page, first)).to_have_value("2")
    expect(radio(page, first, 2)).to_be_focused()
    assert Answer.objects.get(assessment=assessment, question__key=first).level == 2

    # Tab goes on to the next question; Space picks its focused level.
    page.keyboard.press("Tab")
    expect(radio(page, second, 0)).to_be_focused()
    page.keyboard.press("Space")
    expect(saved_value(page, second)).to_have_value("0")
    expect(page.locator("#save-status")).to_have_text("Question 2 saved.")
    expect(radio(page, second, 0)).to_be_focused()
    expect(progress(page)).to_contain_text(f"2 of {TOTAL} questions answered")
    assert services.answers_of(assessment) == {first: 2, second: 0}

    # Arrowing through the levels quickly (to read them) sends a change per key press: the
    # level stored is the last one chosen, whatever order the requests would finish in.
    for _press in range(3):
        page.keyboard.press("ArrowDown")
    expect(radio(page, second, 3)).to_be_checked()
    expect(saved_value(page, second)).to_have_value("3")
    expect(radio(page, second, 3)).to_be_focused()
    assert services.answers_of(assessment) == {first: 2, second: 3}
    assert questionnaire.pk == assessment.questionnaire_id
    assert errors == []


def test_an_answer_given_after_the_session_ended_says_it_is_not_saved(
    live_server, page, city, member
):
    """Signed out meanwhile (in another tab, or the session expired): the status line says the
    answer is not saved, instead of the sign-in page landing inside the question."""
    default_questionnaire()
    assessment = services.start_assessment(city, actor=member)
    sign_in(page.context, live_server, member)
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/dimensions/mandate/")
    wait_for_htmx(page)
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    key = "mandate-target-year"
    with page.expect_response(re.compile(rf"/answers/{key}/$")):
        radio(page, key, 2).check()
    expect(save_state(page, key)).to_have_class(re.compile(r"\berror\b"))
    expect(page.locator(f"#q-{key} input[type=password]")).to_have_count(0)
    assert services.answers_of(assessment) == {}


# --- 5. without JavaScript ---------------------------------------------------------------------


def test_without_javascript_save_sends_the_section_and_saves_only_what_changed(
    live_server, browser, city, member
):
    default_questionnaire()
    assessment = services.start_assessment(city, actor=member)
    colleague = colleague_of(city, BEN)
    answer(assessment, {"mandate-target-year": 2, "mandate-political-backing": 1}, user=colleague)
    base = live_server.url
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        errors = collect_console_errors(page)
        sign_in(context, live_server, member)
        page.goto(f"{base}/assessment/{assessment.pk}/dimensions/mandate/")
        expect_answered(page, "mandate-target-year", 2, BEN)
        expect_answered(page, "mandate-political-backing", 1, BEN)
        assert page.evaluate("() => typeof window.htmx") == "undefined"

        # Meanwhile Ben changes one answer and gives another one.
        answer(assessment, {"mandate-political-backing": 4, "mandate-scope": 2}, user=colleague)

        # Mia changes one level, answers one more question and presses "Save".
        radio(page, "mandate-target-year", 3).check()
        radio(page, "mandate-strategy-alignment", 1).check()
        radio(page, "mandate-multilevel", "skip").check()
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page).to_have_url(f"{base}/assessment/{assessment.pk}/dimensions/mandate/")
        expect(page.locator(".messages")).to_contain_text("Your answers are saved.")

        stored = {
            a.question.key: (a.level, a.answered_by)
            for a in Answer.objects.filter(assessment=assessment).select_related("question")
        }
        assert stored == {
            "mandate-target-year": (3, member),
            "mandate-strategy-alignment": (1, member),
            "mandate-multilevel": (None, member),
            # Unchanged on Mia's page: Ben's newer answers stay as he gave them.
            "mandate-political-backing": (4, colleague),
            "mandate-scope": (2, colleague),
        }
        # The page shows what is stored now.
        expect_answered(page, "mandate-target-year", 3, MIA)
        expect_answered(page, "mandate-political-backing", 4, BEN)
        expect_answered(page, "mandate-scope", 2, BEN)
        expect(radio(page, "mandate-multilevel", "skip")).to_be_checked()
        expect(save_state(page, "mandate-multilevel")).to_contain_text("Skipped · answered by")

        # Sent again unchanged, nothing is saved; "Save and go to the next dimension" moves on.
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messages")).to_have_count(0)
        radio(page, "mandate-scope", 0).check()
        page.get_by_role("button", name="Save and go to the next dimension").click()
        expect(page).to_have_url(f"{base}/assessment/{assessment.pk}/dimensions/governance/")
        expect(page.locator(".messages")).to_contain_text("Your answers are saved.")
        assert services.answers_of(assessment)["mandate-scope"] == 0
        assert Answer.objects.filter(assessment=assessment).count() == 5
        assert errors == []
    finally:
        context.close()


# --- 7. a coordinator publishes a new version --------------------------------------------------


def test_a_new_version_is_used_by_new_assessments_while_one_in_progress_keeps_its_own(
    live_server, browser, page, city, member, other_city, other_lead, coordinator
):
    old = default_questionnaire()
    key = "mandate-target-year"
    old_text = text_of(old, key)
    new_text = "Has the city council adopted a year by which the city is climate-neutral?"
    in_progress = services.start_assessment(city, actor=member)
    answer(in_progress, {key: 2}, user=member)
    base = live_server.url
    errors = collect_console_errors(page)
    sign_in_with_password_and_code(page, base, coordinator)

    # A draft from the published version.
    page.goto(f"{base}/assessment/manage/")
    page.get_by_role("link", name="2026.1").click()
    expect(page.locator("main .meta")).to_contain_text("Published")
    page.get_by_label("Version of the new draft").fill("2027.1")
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator(".messages")).to_contain_text("Draft 2027.1 created")
    expect(page.get_by_role("heading", level=1)).to_contain_text("version 2027.1")
    expect(page.locator("main .meta")).to_contain_text("Draft · copied from 2026.1")
    draft = Questionnaire.objects.get(key=old.key, version="2027.1")
    assert draft.is_draft and draft.questions.count() == TOTAL

    # A problem stops the publication, on the page and on the server.
    page.get_by_role("link", name="Edit stages").click()
    page.get_by_role("group", name="Starting").get_by_label("From overall score").fill("10")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Stages saved.")
    notice = page.locator("main .notice")
    expect(notice).to_contain_text("Before it can be published:")
    expect(notice).to_contain_text("The first stage must start at an overall score of 0.")
    publish = page.get_by_role("button", name="Publish this version")
    expect(publish).to_be_disabled()
    publish.evaluate("button => { button.disabled = false; }")
    publish.click()
    expect(page.locator(".messages")).to_contain_text(
        "The first stage must start at an overall score of 0."
    )
    draft.refresh_from_db()
    assert draft.is_draft
    page.get_by_role("link", name="Edit stages").click()
    page.get_by_role("group", name="Starting").get_by_label("From overall score").fill("0")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(notice).to_contain_text("This draft can be published.")

    # A question's text changes in the draft only.
    page.get_by_role("link", name=f"Edit {old_text}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question")
    expect(page.get_by_role("textbox", name="Question:", exact=True)).to_have_value(old_text)
    page.get_by_role("textbox", name="Question:", exact=True).fill(new_text)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Question saved.")
    expect(page).to_have_url(re.compile(r"#dimension-mandate$"))
    expect(page.locator("#dimension-mandate")).to_contain_text(new_text)
    assert text_of(draft, key) == new_text
    assert text_of(old, key) == old_text

    page.get_by_role("button", name="Publish this version").click()
    expect(page.locator(".messages")).to_contain_text(
        "Version 2027.1 is published: new assessments use it, those started keep theirs."
    )
    expect(page.locator("main .meta")).to_contain_text("Published")
    draft.refresh_from_db()
    old.refresh_from_db()
    assert draft.status == Questionnaire.Status.PUBLISHED
    assert old.status == Questionnaire.Status.RETIRED
    assert errors == []

    # The city that had started keeps the old version, its text and its answer.
    member_context = browser.new_context()
    lead_context = browser.new_context()
    try:
        mia = member_context.new_page()
        mia_errors = collect_console_errors(mia)
        sign_in(member_context, live_server, member)
        mia.goto(f"{base}/assessment/{in_progress.pk}/")
        expect(mia.locator("main .meta")).to_contain_text("version 2026.1")
        mia.get_by_role("link", name="Continue where the team left off").click()
        expect(mia.locator(f"#q-{key} legend")).to_have_text(f"1. {old_text}")
        expect_answered(mia, key, 2, MIA)
        wait_for_htmx(mia)
        pick(mia, "mandate-scope", 1, MIA)
        in_progress.refresh_from_db()
        assert in_progress.questionnaire == old
        assert services.answers_of(in_progress) == {key: 2, "mandate-scope": 1}

        # Another city starts afterwards: on the new version.
        otto = lead_context.new_page()
        otto_errors = collect_console_errors(otto)
        sign_in(lead_context, live_server, other_lead)
        otto.goto(f"{base}/assessment/city/{other_city.pk}/")
        otto.get_by_role("button", name="Start the assessment").click()
        expect(otto.locator("main .meta")).to_contain_text("version 2027.1")
        started = Assessment.objects.get(city=other_city)
        assert started.questionnaire == draft
        otto.get_by_role("link", name="Start answering").click()
        expect(otto.locator(f"#q-{key} legend")).to_have_text(f"1. {new_text}")
        wait_for_htmx(otto)
        pick(otto, key, 4, "Otto Otherlead")
        assert services.answers_of(started) == {key: 4}
        # The public questionnaire is the new version.
        otto.goto(f"{base}/assessment/questionnaire/")
        expect(otto.locator("main .meta")).to_contain_text("Version 2027.1")
        expect(otto.locator("main")).to_contain_text(new_text)
        assert mia_errors == [] and otto_errors == []
    finally:
        member_context.close()
        lead_context.close()


# --- 6. axe scans ------------------------------------------------------------------------------


@dataclass
class Readiness:
    member: Any
    lead: Any
    coordinator: Any
    city: City
    done: Assessment
    in_progress: Assessment
    draft: Questionnaire


@pytest.fixture
def readiness(city, member, lead, coordinator) -> Readiness:
    """The city has a result (with recommendations) and a new assessment half answered; three
    other cities have results, so that the distribution has data; a coordinator's draft."""
    questionnaire = default_questionnaire()
    learning_content()
    for level in [1, 2, 4]:
        other = CityFactory(status=City.Status.MISSION, country=city.country)
        submitted(other, LeadFactory(city=other).user, level=level)
    levels = {q.key: level_of(q.key) for q in questions_of(questionnaire)}
    done = submitted(city, lead, overrides=levels)
    in_progress = services.start_assessment(city, actor=member)
    left_open = {"mandate-scope"} | {
        q.key for q in questions_of(in_progress) if q.dimension.key in {"finance", "fields"}
    }
    answer(in_progress, all_but(in_progress, left_open), user=member)
    draft = authoring.create_draft(questionnaire, actor=coordinator, version="2027.1")
    return Readiness(member, lead, coordinator, city, done, in_progress, draft)


# Every assessment page, as the person who sees it. `{done}` is the city's result, `{open}` its
# assessment in progress, `{draft}` a draft version with its `{dimension}` and `{question}`.
PAGES = [
    ("anonymous", "/assessment/"),
    ("anonymous", "/assessment/questionnaire/"),
    ("member", "/assessment/"),
    ("member", "/assessment/questionnaire/"),
    ("member", "/assessment/city/{city}/"),
    ("member", "/assessment/{open}/"),
    ("member", "/assessment/{open}/dimensions/mandate/"),
    ("member", "/assessment/{open}/dimensions/finance/"),
    ("member", "/assessment/{done}/result/"),
    ("member", "/my-city/{city}/"),
    ("lead", "/assessment/{open}/"),
    ("lead", "/assessment/{done}/result/"),
    ("coordinator", "/assessment/manage/"),
    ("coordinator", "/assessment/manage/versions/{published}/"),
    ("coordinator", "/assessment/manage/versions/{draft}/"),
    ("coordinator", "/assessment/manage/versions/{draft}/settings/"),
    ("coordinator", "/assessment/manage/versions/{draft}/stages/"),
    ("coordinator", "/assessment/manage/versions/{draft}/dimensions/new/"),
    ("coordinator", "/assessment/manage/versions/{draft}/dimensions/{dimension}/"),
    ("coordinator", "/assessment/manage/versions/{draft}/dimensions/{dimension}/questions/new/"),
    ("coordinator", "/assessment/manage/versions/{draft}/questions/{question}/"),
    ("coordinator", "/assessment/manage/distribution/"),
    ("coordinator", "/assessment/manage/distribution/?group=band:100000-250000"),
    ("coordinator", "/assessment/manage/weights/"),
    ("coordinator", "/assessment/{done}/result/"),
    ("coordinator", "/assessment/city/{city}/"),
    ("coordinator", "/assessment/{open}/"),
    ("coordinator", "/assessment/{open}/dimensions/mandate/"),
]


def page_url(readiness: Readiness, path: str) -> str:
    dimension = readiness.draft.dimensions.get(key="mandate")
    return path.format(
        city=readiness.city.pk,
        open=readiness.in_progress.pk,
        done=readiness.done.pk,
        published=readiness.done.questionnaire_id,
        draft=readiness.draft.pk,
        dimension=dimension.pk,
        question=dimension.questions.first().pk,
    )


@pytest.mark.parametrize(("role", "path"), PAGES, ids=[f"{r}:{p}" for r, p in PAGES])
def test_assessment_page_has_no_serious_accessibility_violation(
    live_server, page, readiness, role, path
):
    if role != "anonymous":
        sign_in(page.context, live_server, getattr(readiness, role))
    errors = collect_console_errors(page)
    url = page_url(readiness, path)
    response = page.goto(live_server.url + url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    wait_for_htmx(page)
    assert_accessible(page)
    assert errors == [], f"{url}: console errors {errors}"


def test_pages_show_what_the_scans_are_about(live_server, page, readiness):
    """The scanned pages have their content: the readiness card, the radar, the submit button,
    the distribution's charts (a scan of an empty page would prove nothing)."""
    base = live_server.url
    errors = collect_console_errors(page)
    sign_in(page.context, live_server, readiness.member)
    page.goto(f"{base}/my-city/{readiness.city.pk}/")
    card = page.locator(".card").filter(has=page.get_by_role("heading", name="Readiness"))
    expect(card).to_contain_text("Stage: Advanced")
    expect(card.get_by_role("link", name="Continue the assessment in progress")).to_be_visible()
    page.goto(f"{base}/assessment/{readiness.done.pk}/result/")
    expect(page.get_by_role("img", name=re.compile("^Radar chart"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Follow this pathway"))).to_have_count(2)
    sign_in(page.context, live_server, readiness.lead)
    page.goto(f"{base}/assessment/{readiness.in_progress.pk}/")
    expect(page.get_by_role("button", name="Submit the assessment")).to_be_visible()
    sign_in(page.context, live_server, readiness.coordinator)
    page.goto(f"{base}/assessment/manage/distribution/")
    expect(page.locator("main").get_by_role("img")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("4 cities with a result")
    assert errors == []


def test_dimension_page_after_autosaves_is_accessible(live_server, page, readiness):
    """After htmx swaps (saved answers, then one refused because the lead submitted in the
    meantime), the page is still accessible and says what happened."""
    assessment = readiness.in_progress
    sign_in(page.context, live_server, readiness.member)
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/dimensions/finance/")
    wait_for_htmx(page)
    pick(page, "finance-cost-estimate", 2, MIA)
    pick(page, "finance-project-preparation", 1, MIA)
    expect(page.locator("#save-status")).to_have_text("Question 5 saved.")
    assert_accessible(page)

    # The lead submits while the member's page is open; the member's next answer is refused.
    levels = all_but(assessment, set(services.answers_of(assessment)))
    answer(assessment, levels, user=readiness.lead)
    services.submit_assessment(assessment, actor=readiness.lead)
    radio(page, "finance-budget", 4).check()
    refused = save_state(page, "finance-budget")
    expect(refused).to_have_class(re.compile(r"\berror\b"))
    expect(refused).to_contain_text("can no longer change")
    expect(page.locator("#save-status")).to_contain_text("Question 2 is not saved:")
    assert services.answers_of(assessment)["finance-budget"] == level_of("finance-budget")
    assert_accessible(page)
    assert errors == []


# --- dates in the city's time zone -------------------------------------------------------------


def test_the_radar_legend_and_the_pdf_name_give_the_local_date_of_the_submission(
    live_server, page, city, member, lead
):
    """Submitted at 00:30 in Brussels (23:30 UTC the day before): the page says 15 March, and
    so must the chart's legend and the PDF's file name."""
    default_questionnaire()
    done = submitted(city, lead)
    Assessment.objects.filter(pk=done.pk).update(
        submitted_at=dt.datetime(2026, 3, 14, 23, 30, tzinfo=dt.UTC)
    )
    sign_in(page.context, live_server, member)
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}/assessment/{done.pk}/result/")
    expect(page.locator("main .meta")).to_contain_text("Submitted on 15 March 2026")
    legend = page.locator("svg.radar text", has_text="This assessment")
    expect(legend).to_have_text(re.compile(r"\((2026-03-15|15 March 2026|15 Mar 2026)\)$"))
    response = page.request.get(f"{live_server.url}/assessment/{done.pk}/result/pdf/")
    assert response.ok
    assert "2026-03-15" in response.headers["content-disposition"]
    assert errors == []

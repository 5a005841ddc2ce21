"""The capability-building programme in a real browser: a learner's journey to a certificate,
prerequisites, a coordinator authoring a course, the quiz by keyboard, and axe scans.

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py), required in CI. The live server needs a transactional database;
the root conftest loads the taxonomy terms again for every test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from netzerohub.core.models import Term
from netzerohub.core.tests.browser import (
    collect_console_errors,
    sign_in,
    sign_in_with_password_and_code,
    wait_for_htmx,
)
from netzerohub.core.tests.test_accessibility import assert_accessible
from netzerohub.knowledge import services as knowledge_services
from netzerohub.learning import authoring, services
from netzerohub.learning.indexing import reindex_course
from netzerohub.learning.models import Certificate, Course, Enrolment, Lesson, Pathway
from netzerohub.learning.tests.factories import (
    CohortFactory,
    CourseFactory,
    PathwayFactory,
    StepFactory,
    course_with_lessons,
    lessons_of,
    wrong_answers,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def tab_until(page: Any, condition: str, *, limit: int = 80) -> None:
    """Press Tab until `condition` (a JavaScript expression on `el`, the focused element) holds."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!({condition}); }}"):
            return
    raise AssertionError(f"{condition} never had the focus after {limit} Tabs")


def term(kind: str, slug: str) -> Term:
    return Term.objects.get(kind=kind, slug=slug)


def inventory_course() -> Course:
    """Published, in the catalogue: three lessons, the second ("Lesson 1") with a quiz of two
    questions (right answers: "Right"; "A" and "B"), pass mark 70 %."""
    course = course_with_lessons(
        title="Baseline emission inventory",
        summary="Count a city's emissions by sector, the first step of a climate city contract.",
        level=Course.Level.INTRODUCTORY,
        quiz_on=(1,),
    )
    course.fields.set([term("field", "energy-systems")])
    course.step = term("step", "understand-the-system")
    course.save()
    reindex_course(course)
    return course


def answer_quiz(page: Any, single: str, several: list[str]) -> None:
    """Tick the answers of the factories' quiz (scoped per question: "A" is in many names)."""
    page.get_by_role("group", name="1. Which one is right?").get_by_role(
        "radio", name=single, exact=True
    ).check()
    group = page.get_by_role("group", name="2. Which ones are right?")
    for name in several:
        group.get_by_role("checkbox", name=name, exact=True).check()


# --- the journey of the issue ------------------------------------------------------------------


def test_member_follows_a_pathway_fails_then_passes_a_quiz_and_downloads_the_certificate(
    live_server, browser, page, member
):
    course = inventory_course()
    pathway = PathwayFactory(title="Start your climate city contract")
    StepFactory(pathway=pathway, course=course, note="Everything starts with the numbers.")
    base = live_server.url
    errors = collect_console_errors(page)
    sign_in(page.context, live_server, member)

    # The pathway page: follow it, then continue with its first step, the course.
    page.goto(f"{base}/learning/")
    page.get_by_role("link", name="Start your climate city contract").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start your climate city contract")
    page.get_by_role("button", name="Follow this pathway").click()
    expect(page.locator(".messages")).to_contain_text("You follow this pathway.")
    expect(page.get_by_role("button", name="Follow this pathway")).to_have_count(0)
    expect(page.locator(".progress-line")).to_contain_text("0 of 1 done")
    page.get_by_role("link", name="Continue with the next step").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Baseline emission inventory")

    # Enrol in the course and open its first lesson.
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page.locator(".messages")).to_contain_text("You are enrolled.")
    expect(page.locator(".resource-body .progress-line")).to_contain_text("0 of 3 done")
    page.get_by_role("link", name="Start the first lesson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lesson 0")

    # A lesson without a quiz: mark it as done; the next lesson opens.
    page.get_by_role("button", name="Mark as done and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lesson 1")
    outline = page.get_by_role("complementary", name="Course contents")
    expect(outline.locator(".progress-line")).to_contain_text("1 of 3 done")
    expect(outline.get_by_role("link", name="Lesson 0")).to_be_visible()
    expect(outline.locator("ol ol li").filter(has_text="Lesson 0")).to_contain_text("✓ done")

    # The quiz: wrong answers first. The feedback shows the right answers and explanations.
    quiz = page.get_by_role("region", name="Quiz")
    expect(quiz).to_contain_text("2 questions; you need 70 % to pass.")
    answer_quiz(page, "Wrong", ["C"])
    quiz.get_by_role("button", name="Send my answers").click()
    expect(page).to_have_url(re.compile(r"#quiz-result$"))
    expect(page.locator(".messages")).to_contain_text("You scored 0 %; 70 % is needed.")
    result = page.locator("#quiz-result")
    expect(result).to_contain_text("Not passed yet: 0 % (70 % needed).")
    expect(result).to_contain_text("Which one is right? — not right")
    expect(result.locator(".explanation")).to_have_text("Because it is.")
    first = result.locator(".feedback > li").first
    expect(first.locator("li").filter(has_text="Wrong").first).to_contain_text("(your answer)")
    expect(first.locator("li").filter(has_text="Right").first).to_contain_text("✓ right answer")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Done")

    # Try again, with the right answers: the lesson is done.
    answer_quiz(page, "Right", ["A", "B"])
    quiz.get_by_role("button", name="Try again").click()
    expect(page.locator(".messages")).to_contain_text("You scored 100 % and passed.")
    expect(result).to_contain_text("Passed with 100 %.")
    expect(result).to_contain_text("Which ones are right? — right")
    expect(quiz.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Done")
    expect(outline.locator(".progress-line")).to_contain_text("2 of 3 done")

    # The last lesson finishes the course: the certificate is ready.
    page.get_by_role("navigation", name="Lessons").get_by_role("link", name="Lesson 2 →").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lesson 2")
    page.get_by_role("button", name="Mark as done and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Baseline emission inventory")
    expect(page.locator(".messages")).to_contain_text(
        "You completed the course. Your certificate is ready to download."
    )
    expect(page.locator(".resource-body .progress-line")).to_contain_text("Completed")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    download = downloading.value
    certificate = Certificate.objects.get(user=member, course=course)
    assert download.suggested_filename == f"certificate-{certificate.code}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read().startswith(b"%PDF")

    # The pathway of one step is complete too, and My learning lists the certificate.
    page.goto(f"{base}{pathway.get_absolute_url()}")
    expect(page.locator(".progress-line")).to_contain_text("Completed")
    expect(page.locator(".steps li").first).to_contain_text("✓ done")
    page.goto(f"{base}/learning/mine/")
    certificates = page.get_by_role("table")
    expect(certificates).to_contain_text("Baseline emission inventory")
    certificates.get_by_role("link", name=re.compile("^Verification page")).click()
    verify_url = page.url
    assert verify_url == f"{base}{certificate.get_absolute_url()}"
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    assert errors == []

    # Signed out, anyone sees the name, the course and the date; not the email address.
    visitor_context = browser.new_context()
    try:
        visitor = visitor_context.new_page()
        visitor_errors = collect_console_errors(visitor)
        visitor.goto(verify_url)
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Certificate verification")
        expect(visitor.locator(".verdict")).to_contain_text("This certificate is genuine.")
        facts = visitor.locator(".verdict dl")
        expect(facts.locator("dd")).to_have_text(
            ["Mia Member", "Baseline emission inventory", re.compile(r"^\d{1,2} \w+ \d{4}$")]
        )
        expect(facts.locator("time")).to_have_attribute(
            "datetime", certificate.issued_on.isoformat()
        )
        expect(visitor.locator("main")).not_to_contain_text(member.email)
        expect(visitor.locator("main")).not_to_contain_text("@")
        expect(visitor.get_by_role("link", name="Download the PDF")).to_have_count(0)
        # The PDF is its holder's only.
        assert visitor.request.get(f"{verify_url}pdf/", max_redirects=0).status == 302
        assert visitor_errors == []
    finally:
        visitor_context.close()


# --- prerequisites -------------------------------------------------------------------------------


def test_an_unmet_prerequisite_is_named_and_enrolment_refused_until_it_is_done(
    live_server, page, member, coordinator
):
    first = course_with_lessons(title="Baseline emission inventory", lessons=1)
    second = course_with_lessons(title="Designing a climate investment plan", lessons=1)
    base = live_server.url
    errors = collect_console_errors(page)
    sign_in(page.context, live_server, member)

    # The member opens the course while it has no prerequisite yet ...
    page.goto(f"{base}{second.get_absolute_url()}")
    enrol = page.get_by_role("button", name="Enrol in this course")
    expect(enrol).to_be_visible()
    # ... a coordinator makes the first course a prerequisite meanwhile ...
    authoring.save_course(second, actor=coordinator, values={"prerequisites": [first]})
    # ... and the enrolment is refused with a message that names it.
    enrol.click()
    expect(page.locator(".messages")).to_have_text(
        "Complete these courses first: “Baseline emission inventory”."
    )
    assert not Enrolment.objects.filter(user=member, course=second).exists()
    # The page now says so before any attempt, with a link to the prerequisite.
    notice = page.locator(".resource-body .notice")
    expect(notice).to_contain_text("Complete these courses before you enrol:")
    expect(notice.get_by_role("link")).to_have_text(["Baseline emission inventory"])
    expect(page.get_by_role("button", name="Enrol in this course")).to_have_count(0)
    facts = page.get_by_role("complementary", name="About this course")
    expect(facts).to_contain_text("Before this course")
    expect(facts).not_to_contain_text("(done)")

    # Once the first course is complete, the member may enrol.
    services.enrol_in_course(first, user=member)
    services.complete_lesson(lessons_of(first)[0], user=member)
    page.reload()
    expect(facts).to_contain_text("Baseline emission inventory (done)")
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page.locator(".messages")).to_contain_text("You are enrolled.")
    assert Enrolment.objects.filter(user=member, course=second).exists()
    assert errors == []


# --- a coordinator authors a course ------------------------------------------------------------


def builder_lessons(page: Any) -> list[str]:
    return page.locator(".builder-lessons li > a").all_inner_texts()


def test_coordinator_builds_previews_and_publishes_a_course_found_with_a_facet(
    live_server, page, coordinator
):
    CourseFactory(
        title="Heat planning for beginners",
        summary="District heating, explained for city officers.",
        level=Course.Level.INTRODUCTORY,
    )
    base = live_server.url
    errors = collect_console_errors(page)
    sign_in_with_password_and_code(page, base, coordinator)

    # A new course, from the manage overview.
    page.goto(f"{base}/learning/")
    page.get_by_role("navigation", name="Learning").get_by_role(
        "link", name="Manage courses and pathways"
    ).click()
    page.get_by_role("link", name="New course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New course")
    page.get_by_label("Title").fill("Advanced heat planning")
    page.get_by_label("Summary").fill("Zoning and financing district heating networks.")
    page.get_by_label("Description").fill("## For whom\n\nEnergy officers who know the basics.")
    page.get_by_label("Level").select_option(label="Advanced")
    page.get_by_label("Estimated duration (minutes)").fill("120")
    page.get_by_role("checkbox", name="Energy systems").check()
    page.get_by_role("checkbox", name="Finance & funding").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Course saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Advanced heat planning")
    expect(page.locator("main")).to_contain_text("Status: Draft")
    expect(page.locator(".notice")).to_contain_text("Add at least one lesson.")
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    course = Course.objects.get(title="Advanced heat planning")
    assert course.status == Course.Status.DRAFT

    # A module, and two lessons in it.
    page.get_by_label("Module title").fill("Zoning")
    page.get_by_role("button", name="Add a module").click()
    expect(page.locator(".messages")).to_contain_text("Module added.")
    expect(page.get_by_role("heading", name="1. Zoning")).to_be_visible()
    for title, body in [
        ("Heat demand maps", "Map the **heat demand** of every block."),
        ("Choosing the zones", "Draw zones where a network pays off."),
    ]:
        page.get_by_role("link", name="Add a lesson to Zoning").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("New lesson")
        page.get_by_label("Title").fill(title)
        page.get_by_label("Text").fill(body)
        page.get_by_role("button", name="Save the lesson").click()
        expect(page.locator(".messages")).to_contain_text("Lesson saved.")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit {title}")
        page.get_by_role("link", name="Back to the course").click()
    assert builder_lessons(page) == ["Heat demand maps", "Choosing the zones"]

    # Reorder them: the second up, then the (new) second down again.
    page.get_by_role("button", name="Move up Choosing the zones").click()
    expect(page.locator(".builder-lessons li > a")).to_have_text(
        ["Choosing the zones", "Heat demand maps"]
    )
    page.get_by_role("button", name="Move down Choosing the zones").click()
    expect(page.locator(".builder-lessons li > a")).to_have_text(
        ["Heat demand maps", "Choosing the zones"]
    )
    page.get_by_role("button", name="Move up Choosing the zones").click()
    expect(page.locator(".builder-lessons li > a")).to_have_text(
        ["Choosing the zones", "Heat demand maps"]
    )
    assert [lesson.title for lesson in lessons_of(course)] == [
        "Choosing the zones",
        "Heat demand maps",
    ]

    # A quiz question on the first lesson.
    page.get_by_role("link", name="Choosing the zones").click()
    page.get_by_role("link", name="Add a question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New question")
    page.get_by_label("Question").fill("Where does a heat network pay off?")
    page.get_by_role("radio", name="One answer").check()
    page.get_by_role("textbox", name="Answers").fill(
        "[x] Where heat demand is dense\n[ ] Where houses stand far apart\n[ ] Everywhere"
    )
    page.get_by_label("Explanation").fill("Pipes cost per metre; dense demand pays for them.")
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator(".messages")).to_contain_text("Question saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Choosing the zones")
    questions = page.locator("main ol").first
    expect(questions).to_contain_text("Where does a heat network pay off?")
    expect(questions).to_contain_text("(One answer, 3 answers)")

    # Preview the lesson as a learner would see it.
    page.get_by_role("link", name="Preview as a learner").click()
    expect(page.locator(".notice")).to_contain_text("Preview as a learner")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choosing the zones")
    expect(page.locator(".lesson")).to_contain_text("Draw zones where a network pays off.")
    preview = page.get_by_role("region", name="Quiz")
    question = preview.get_by_role("group", name="1. Where does a heat network pay off?")
    expect(question.get_by_role("radio")).to_have_count(3)
    expect(preview).to_contain_text("In preview, answers are not sent.")
    expect(preview.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark as done and continue")).to_have_count(0)
    page.get_by_role("link", name="Back to the course builder").click()

    # Publish: the course joins the catalogue.
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Status: Published.")
    expect(page.get_by_role("button", name="Withdraw to draft")).to_be_visible()

    # The catalogue finds it by a lesson's words; the Level facet narrows the results (htmx).
    page.goto(f"{base}/learning/")
    wait_for_htmx(page)
    search_box = page.get_by_role("searchbox", name="Search courses")
    search_box.fill("heat")
    search_box.press("Enter")
    summary = page.locator("#search-area .results-summary")
    expect(summary).to_have_text("2 courses")
    expect(page).to_have_url(re.compile(r"[?&]q=heat"))
    page.evaluate("() => { window.notReloaded = true; }")
    page.get_by_role("checkbox", name="Advanced (1)").check()
    expect(summary).to_have_text("1 course")
    expect(page).to_have_url(re.compile(r"[?&]level=advanced(&|$)"))
    expect(page.locator("#search-area .course-item h3")).to_have_text(["Advanced heat planning"])
    expect(page.get_by_role("list", name="Active filters")).to_contain_text("Level: Advanced")
    expect(page.locator("#search-status")).to_have_text("1 course")
    assert page.evaluate("() => window.notReloaded") is True
    page.get_by_role("link", name="Advanced heat planning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Advanced heat planning")
    facts = page.get_by_role("complementary", name="About this course")
    expect(facts).to_contain_text("Advanced")
    expect(facts).to_contain_text("Energy systems")
    assert errors == []


# --- the keyboard --------------------------------------------------------------------------------


def test_quiz_is_answered_and_sent_with_the_keyboard_only(live_server, page, member):
    course = inventory_course()
    services.enrol_in_course(course, user=member)
    lesson = lessons_of(course)[1]
    sign_in(page.context, live_server, member)
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}{lesson.get_absolute_url()}")

    # One answer: Tab reaches the radio group, Space picks the focused answer ("Right").
    tab_until(page, "el.type === 'radio'")
    expect(page.get_by_role("radio", name="Right", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="Right", exact=True)).to_be_checked()
    # Several answers: Tab to each checkbox, Space ticks "A" and "B".
    several = page.get_by_role("group", name="2. Which ones are right?")
    page.keyboard.press("Tab")
    expect(several.get_by_role("checkbox", name="A", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(several.get_by_role("checkbox", name="B", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(several.get_by_role("checkbox", name="C", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send my answers")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text("You scored 100 % and passed.")
    expect(page.locator("#quiz-result")).to_contain_text("Passed with 100 %.")
    assert Lesson.objects.get(pk=lesson.pk).progress.filter(user=member).exists()
    assert errors == []


def test_a_failed_quiz_is_tried_again_with_the_keyboard(live_server, page, member):
    """After a failed attempt, the keyboard reaches the answers again, and "Try again"."""
    course = inventory_course()
    services.enrol_in_course(course, user=member)
    lesson = lessons_of(course)[1]
    services.submit_quiz(lesson, user=member, token="first", answers=wrong_answers(lesson))
    sign_in(page.context, live_server, member)
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}{lesson.get_absolute_url()}")
    expect(page.locator("#quiz-result")).to_contain_text("Not passed yet: 0 %")

    tab_until(page, "el.type === 'radio'")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    tab_until(page, "el.tagName === 'BUTTON' && el.type === 'submit'", limit=3)
    expect(page.get_by_role("button", name="Try again")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#quiz-result")).to_contain_text("Passed with 100 %.")
    assert errors == []


# --- axe scans ---------------------------------------------------------------------------------


@dataclass
class Programme:
    member: Any
    lead: Any
    coordinator: Any
    city: Any
    course: Course
    basics: Course
    follow_up: Course
    quiz_lesson: Lesson
    pathway: Pathway
    cohort: Any
    certificate: Certificate


@pytest.fixture
def programme(member, lead, coordinator, city) -> Programme:
    """Two published courses (one a prerequisite of a third), a draft, a pathway of a course and
    a knowledge resource, a cohort; the member follows both, has completed one course (with its
    certificate) and is half-way through the other; the lead has started one."""
    course = inventory_course()
    basics = course_with_lessons(
        title="Climate city contract basics",
        summary="What a climate city contract commits a city to.",
        level=Course.Level.ADVANCED,
        duration_minutes=240,
        lessons=2,
    )
    basics.levers.set([term("lever", "governance-policy")])
    reindex_course(basics)
    follow_up = course_with_lessons(title="Investment plans", lessons=1)
    follow_up.prerequisites.set([course])
    course_with_lessons(title="Unfinished draft", lessons=1, status=Course.Status.DRAFT)
    resource = knowledge_services.create_resource(
        actor=None,
        values={
            "title": "Inventory template",
            "summary": "A spreadsheet to fill in.",
            "type": "tool",
            "languages": ["en"],
        },
    )
    resource = knowledge_services.publish_resource(resource, actor=None)
    pathway = PathwayFactory(
        title="Start your climate city contract", description="Three steps, **in order**."
    )
    StepFactory(pathway=pathway, course=basics)
    StepFactory(pathway=pathway, course=course, note="Everything starts with the numbers.")
    StepFactory(pathway=pathway, resource=resource)
    PathwayFactory(title="Draft pathway", status=Pathway.Status.DRAFT)
    cohort = CohortFactory(course=course, facilitator=lead, description="Meets on Mondays.")

    services.enrol_in_pathway(pathway, user=member)
    services.enrol_in_course(basics, user=member)
    for lesson in lessons_of(basics):
        services.complete_lesson(lesson, user=member)
    services.enrol_in_course(course, user=member, cohort=cohort)
    services.complete_lesson(lessons_of(course)[0], user=member)
    services.enrol_in_course(course, user=lead)
    return Programme(
        member=member,
        lead=lead,
        coordinator=coordinator,
        city=city,
        course=course,
        basics=basics,
        follow_up=follow_up,
        quiz_lesson=lessons_of(course)[1],
        pathway=pathway,
        cohort=cohort,
        certificate=Certificate.objects.get(user=member, course=basics),
    )


# Every learning page, as the person who sees it. `{course}` (with the quiz `{lesson}` in
# `{module}`), `{basics}` (completed by the member), `{follow_up}` (requires `{course}`),
# `{question}`, `{pathway}`, `{cohort}`, `{certificate}` and `{city}` are the `programme`'s.
PAGES = [
    ("anonymous", "/learning/"),
    ("anonymous", "/learning/?q=climate"),
    ("anonymous", "/learning/?q=city&level=advanced&lever=governance-policy&sort=date"),
    ("anonymous", "/learning/?q=nothing+like+this&level=introductory"),
    ("anonymous", "/learning/courses/{course}/"),
    ("anonymous", "/learning/courses/{follow_up}/"),
    ("anonymous", "/learning/pathways/{pathway}/"),
    ("anonymous", "/learning/certificates/{certificate}/"),
    ("member", "/learning/"),
    ("member", "/learning/courses/{course}/"),
    ("member", "/learning/courses/{basics}/"),
    ("member", "/learning/courses/{follow_up}/"),
    ("member", "/learning/courses/{course}/lessons/{lesson}/"),
    ("member", "/learning/pathways/{pathway}/"),
    ("member", "/learning/mine/"),
    ("member", "/learning/certificates/{certificate}/"),
    ("lead", "/learning/team/{city}/"),
    ("lead", "/learning/cohorts/{cohort}/"),
    ("lead", "/learning/mine/"),
    ("coordinator", "/learning/"),
    ("coordinator", "/learning/manage/"),
    ("coordinator", "/learning/manage/courses/new/"),
    ("coordinator", "/learning/manage/courses/{course}/"),
    ("coordinator", "/learning/manage/courses/{course}/edit/"),
    ("coordinator", "/learning/manage/courses/{course}/modules/{module}/lessons/new/"),
    ("coordinator", "/learning/manage/courses/{course}/lessons/{lesson}/"),
    ("coordinator", "/learning/manage/courses/{course}/lessons/{lesson}/questions/new/"),
    ("coordinator", "/learning/manage/courses/{course}/questions/{question}/"),
    ("coordinator", "/learning/courses/{course}/lessons/{lesson}/"),
    ("coordinator", "/learning/courses/{course}/"),
    ("coordinator", "/learning/manage/pathways/new/"),
    ("coordinator", "/learning/manage/pathways/{pathway}/"),
    ("coordinator", "/learning/manage/courses/{course}/cohorts/new/"),
    ("coordinator", "/learning/manage/courses/{course}/cohorts/{cohort}/"),
    ("coordinator", "/learning/cohorts/{cohort}/"),
    ("coordinator", "/learning/team/{city}/"),
]


def page_url(programme: Programme, path: str) -> str:
    lesson = programme.quiz_lesson
    return path.format(
        course=programme.course.key,
        basics=programme.basics.key,
        follow_up=programme.follow_up.key,
        lesson=lesson.pk,
        module=lesson.module_id,
        question=lesson.questions.first().pk,
        pathway=programme.pathway.key,
        cohort=programme.cohort.pk,
        certificate=programme.certificate.code,
        city=programme.city.pk,
    )


@pytest.mark.parametrize(("role", "path"), PAGES, ids=[f"{r}:{p}" for r, p in PAGES])
def test_learning_page_has_no_serious_accessibility_violation(
    live_server, page, programme, role, path
):
    if role != "anonymous":
        sign_in(page.context, live_server, getattr(programme, role))
    errors = collect_console_errors(page)
    url = page_url(programme, path)
    response = page.goto(live_server.url + url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    wait_for_htmx(page)
    assert_accessible(page)
    assert errors == [], f"{url}: console errors {errors}"


def test_catalogue_updated_by_htmx_is_accessible(live_server, page, programme):
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}/learning/")
    wait_for_htmx(page)
    summary = page.locator("#search-area .results-summary")
    expect(summary).to_have_text("3 courses")
    page.get_by_role("checkbox", name="Introductory (2)").check()
    expect(summary).to_have_text("2 courses")
    expect(page.get_by_role("list", name="Active filters")).to_contain_text("Level: Introductory")
    assert_accessible(page)
    search_box = page.get_by_role("searchbox", name="Search courses")
    search_box.fill("contract basics")
    search_box.press("Enter")
    expect(page.locator("#search-area .empty")).to_contain_text("Search without filters")
    expect(page.locator("#search-status")).to_have_text("No course matches this search.")
    assert_accessible(page)
    assert errors == []


def test_quiz_before_and_after_a_failed_attempt_is_accessible(live_server, page, programme):
    sign_in(page.context, live_server, programme.member)
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}{programme.quiz_lesson.get_absolute_url()}")
    assert_accessible(page)
    answer_quiz(page, "Also wrong", ["A"])
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#quiz-result")).to_contain_text("Not passed yet: 0 %")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    assert_accessible(page)
    assert errors == []


def test_quiz_sent_incomplete_shows_accessible_errors(live_server, page, programme):
    """Novalidate: the server says which question is unanswered, next to it."""
    sign_in(page.context, live_server, programme.member)
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}{programme.quiz_lesson.get_absolute_url()}")
    answer_quiz(page, "Right", [])
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".messages")).to_contain_text("Answer every question")
    several = page.get_by_role("group", name="2. Which ones are right?")
    expect(several).to_contain_text("Answer this question.")
    # The answer given is kept.
    expect(page.get_by_role("radio", name="Right", exact=True)).to_be_checked()
    assert_accessible(page)
    assert errors == []


def test_question_form_with_an_error_is_accessible(live_server, page, programme):
    sign_in(page.context, live_server, programme.coordinator)
    errors = collect_console_errors(page)
    page.goto(
        f"{live_server.url}/learning/manage/courses/{programme.course.key}"
        f"/lessons/{programme.quiz_lesson.pk}/questions/new/"
    )
    page.get_by_label("Question").fill("Which sectors does an inventory count?")
    page.get_by_role("radio", name="One answer").check()
    page.get_by_role("textbox", name="Answers").fill("[x] Buildings\n[x] Transport\n[ ] None")
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator(".errorlist")).to_contain_text(
        "A one-answer question has exactly one right answer."
    )
    expect(page.get_by_role("textbox", name="Answers")).to_have_value(
        "[x] Buildings\n[x] Transport\n[ ] None"
    )
    assert_accessible(page)
    assert programme.quiz_lesson.questions.count() == 2
    assert errors == []


def test_authoring_forms_with_errors_are_accessible(live_server, page, programme):
    """The course, lesson, pathway and cohort forms sent incomplete."""
    sign_in(page.context, live_server, programme.coordinator)
    errors = collect_console_errors(page)
    base = f"{live_server.url}/learning/manage"
    course = programme.course.key
    for path in [
        "/courses/new/",
        f"/courses/{course}/modules/{programme.quiz_lesson.module_id}/lessons/new/",
        "/pathways/new/",
        f"/courses/{course}/cohorts/new/",
    ]:
        page.goto(base + path)
        page.locator("main form button[type=submit]").last.click()
        expect(page.locator(".errorlist").first).to_be_visible()
        assert_accessible(page)
    # The pathway's step form: neither a course nor a resource.
    page.goto(f"{base}/pathways/{programme.pathway.key}/")
    page.get_by_role("button", name="Add the step").click()
    expect(page.locator(".errorlist").first).to_contain_text("Choose a course or name a resource")
    assert_accessible(page)
    assert [e for e in errors if "400" not in e] == []

"""The knowledge repository in a real browser: contributing, reviewing, finding, and axe scans.

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py), required in CI. The live server needs a transactional database,
which flushes the taxonomy terms the migrations load: `terms` loads them again.
"""

from __future__ import annotations

import importlib
import re
import warnings
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from netzerohub.accounts.tests.factories import add_totp
from netzerohub.cities.models import City, Membership
from netzerohub.core.notifications import notify
from netzerohub.core.tests.browser import (
    collect_console_errors,
    malmo,
    member_of,
    person,
    sign_in,
    sign_in_with_password_and_code,
    wait_for_htmx,
)
from netzerohub.core.tests.test_accessibility import assert_accessible
from netzerohub.knowledge import services
from netzerohub.knowledge.models import Collection, Resource

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

# A word only the attached PDF holds: a visitor finds the resource by it.
PDF_WORD = "sortition"


@pytest.fixture
def terms() -> None:
    """The fields, levers and steps of the taxonomy (a data migration loads them; the
    transactional database of the live server flushes them)."""
    migration = importlib.import_module("netzerohub.core.migrations.0002_taxonomy_terms")
    migration.load_terms(apps, None)


def pdf_bytes(html: str) -> bytes:
    with warnings.catch_warnings():
        # WeasyPrint warns at import when the system lacks HarfBuzz-Subset; irrelevant here.
        warnings.simplefilter("ignore", DeprecationWarning)
        import weasyprint

    return weasyprint.HTML(string=html).write_pdf()


def coordinator_person(email: str = "cora@netzerohub.eu", name: str = "Cora Coordinator"):
    """Programme staff with an authenticator app (staff must have one to use the portal)."""
    user = person(email, name=name, is_staff=True)
    add_totp(user)
    return user


def publish(title: str, *, summary: str, fields=(), levers=(), type="guide", **values) -> Resource:
    """A published resource, through the services (so that it is indexed as in production)."""
    Term = apps.get_model("core", "Term")
    resource = services.create_resource(
        actor=None,
        values={
            "title": title,
            "summary": summary,
            "type": type,
            "fields": list(Term.objects.filter(kind="field", slug__in=fields)),
            "levers": list(Term.objects.filter(kind="lever", slug__in=levers)),
            "languages": ["en"],
            **values,
        },
    )
    return services.publish_resource(resource, actor=None)


# --- the journey of the issue ------------------------------------------------------------------


def test_member_shares_coordinator_asks_for_changes_then_publishes_visitor_finds_it_by_pdf_text(
    live_server, browser, page, terms, tmp_path
):
    city = malmo()
    member = person("mia@malmo.se", name="Mia Member")
    member_of(city, member)
    coordinator = coordinator_person()
    base = live_server.url
    title = "Running a citizens' climate assembly"
    comment = "Please name the fields of action and say who chaired the sessions."
    pdf = tmp_path / "assembly-rules.pdf"
    pdf.write_bytes(
        pdf_bytes(
            "<h1>Assembly rules</h1>"
            f"<p>Members were chosen by {PDF_WORD}: a stratified lottery of residents.</p>"
        )
    )

    # The member shares a resource with a PDF and submits it for review.
    errors = collect_console_errors(page)
    sign_in(page.context, live_server, member)
    page.goto(f"{base}/knowledge/")
    page.get_by_role("link", name="Share a resource").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share a resource")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill("How a city ran a climate assembly of 100 residents.")
    page.get_by_label("Type").select_option(label="Guide")
    expect(page.get_by_label("Source city")).to_have_value(str(city.pk))
    page.get_by_label("Text").fill(
        "## Why\n\nResidents proposed measures for the **climate city contract**."
    )
    page.get_by_role("checkbox", name="Energy systems").check()
    page.get_by_role("checkbox", name="Democracy & participation").check()
    page.get_by_label("Attach files").set_input_files(pdf)
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".status-notice")).to_contain_text("In review")
    expect(page.locator(".messages")).to_contain_text("Submitted: a reviewer will publish it")
    expect(page.get_by_role("link", name="assembly-rules.pdf")).to_be_visible()
    resource = Resource.objects.get(title=title)
    assert resource.status == Resource.Status.SUBMITTED
    assert PDF_WORD in resource.attachments.get().text  # extracted on commit

    # A visitor does not find it while it is in review.
    visitor_context = browser.new_context()
    try:
        visitor = visitor_context.new_page()
        visitor_errors = collect_console_errors(visitor)
        visitor.goto(f"{base}/knowledge/?q={PDF_WORD}")
        expect(visitor.locator("#search-area")).to_contain_text("No resource matches")
        assert visitor_errors == []
    finally:
        visitor_context.close()

    # The coordinator signs in with password and authenticator code and asks for changes.
    coordinator_context = browser.new_context()
    try:
        reviewer = coordinator_context.new_page()
        reviewer_errors = collect_console_errors(reviewer)
        sign_in_with_password_and_code(reviewer, base, coordinator)
        reviewer.goto(f"{base}/knowledge/")
        reviewer.get_by_role("link", name="To review").click()
        queue = reviewer.get_by_role("table", name="Resources to review")
        row = queue.get_by_role("row").filter(has_text=title)
        expect(row).to_contain_text("Mia Member")
        expect(row).to_contain_text("In review")
        row.get_by_role("link", name=title).click()
        reviewer.get_by_label("Comment for the contributor").fill(comment)
        reviewer.get_by_role("button", name="Ask for changes").click()
        expect(reviewer.locator(".messages")).to_contain_text("Changes requested.")
        expect(reviewer.locator(".status-notice")).to_contain_text("Changes requested")

        # The member is told, sees the status and the comment, edits and submits again.
        page.goto(f"{base}/knowledge/contributions/")
        subnav = page.get_by_role("navigation", name="Knowledge repository")
        expect(subnav.get_by_role("link", name="My contributions")).to_have_attribute(
            "aria-current", "page"
        )
        row = page.get_by_role("table", name="My contributions").get_by_role("row")
        row = row.filter(has_text=title)
        expect(row).to_contain_text("Changes requested")
        expect(row).to_contain_text(f"Reviewer: {comment}")
        expect(
            page.get_by_role("link", name=re.compile(r"^Notifications 1 unread"))
        ).to_be_visible()
        page.get_by_role("link", name=re.compile("^Notifications")).click()
        notification = page.locator(".mail-list li").filter(has_text="Changes requested")
        expect(notification).to_contain_text(title)
        expect(notification).to_contain_text(comment)
        notification.get_by_role("button", name=re.compile("^Open")).click()
        expect(page).to_have_url(f"{base}{resource.get_absolute_url()}")
        expect(page.locator(".status-notice")).to_contain_text("Changes requested")
        expect(page.locator(".status-notice blockquote")).to_have_text(comment)
        page.get_by_role("link", name="Edit", exact=True).click()
        expect(page.locator(".notice blockquote")).to_have_text(comment)
        page.get_by_label("Text").fill(
            "## Why\n\nResidents proposed measures for the **climate city contract**.\n\n"
            "## Who\n\nAn independent facilitator chaired the six sessions."
        )
        page.get_by_role("checkbox", name="Built environment").check()
        page.get_by_role("button", name="Save and submit for review").click()
        expect(page.locator(".messages")).to_contain_text("Submitted")
        expect(page.locator(".status-notice")).to_contain_text("In review")

        # The coordinator publishes it.
        reviewer.goto(f"{base}/knowledge/review/")
        reviewer.get_by_role("link", name=title).click()
        reviewer.get_by_role("button", name="Publish", exact=True).click()
        expect(reviewer.locator(".messages")).to_contain_text("Published.")
        expect(reviewer.locator(".status-notice")).to_have_count(0)
        assert reviewer_errors == []
    finally:
        coordinator_context.close()

    page.goto(f"{base}/notifications/")
    expect(page.locator(".mail-list")).to_contain_text(f"Your resource is published: {title}")

    # A visitor finds it by a word that only the PDF holds, opens it and downloads the PDF.
    visitor_context = browser.new_context()
    try:
        visitor = visitor_context.new_page()
        visitor_errors = collect_console_errors(visitor)
        visitor.goto(f"{base}/knowledge/")
        wait_for_htmx(visitor)
        search_box = visitor.get_by_role("searchbox", name="Search resources")
        search_box.fill(PDF_WORD.upper())
        search_box.press("Enter")
        expect(visitor).to_have_url(re.compile(rf"[?&]q={PDF_WORD.upper()}"))
        results = visitor.locator("#search-area")
        expect(results.locator(".results-summary")).to_have_text("1 resource")
        hit = results.locator(".resource-item").filter(has_text=title)
        expect(hit).to_contain_text("Found in an attached file.")
        expect(hit.locator(".status-mission")).to_have_text("Mission City")
        hit.get_by_role("link", name=title).click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
        expect(visitor.locator("main")).to_contain_text("An independent facilitator chaired")
        facts = visitor.get_by_role("complementary", name="About this resource")
        expect(facts).to_contain_text("Energy systems, Built environment")
        expect(facts).to_contain_text("Democracy & participation")
        expect(visitor.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
        # Checked before the PDF opens: Chromium's PDF viewer then asks for /favicon.ico.
        assert visitor_errors == []
        with visitor.expect_response(re.compile(r"/files/\d+/$")) as opened:
            visitor.get_by_role("link", name="assembly-rules.pdf").click()
        download = opened.value
        assert download.status == 200
        assert download.headers["content-type"] == "application/pdf"
        # Chromium shows it in its PDF viewer; the bytes, fetched with the visitor's cookies:
        assert visitor.request.get(download.url).body().startswith(b"%PDF")
    finally:
        visitor_context.close()
    assert errors == []


# --- facets with htmx, and the keyboard ----------------------------------------------------------


@pytest.fixture
def catalogue(terms) -> dict[str, Resource]:
    """Three published resources: two about energy, two about mobility, one about both."""
    return {
        "heat": publish(
            "District heat planning guide",
            summary="Plan a district heating network with the utility.",
            fields=["energy-systems"],
            levers=["technology-infrastructure"],
        ),
        "bikes": publish(
            "Bicycle streets case study",
            summary="How a city turned residential streets into bicycle streets.",
            fields=["mobility-transport"],
            levers=["governance-policy"],
            type="case-study",
        ),
        "charging": publish(
            "Charging hubs toolkit",
            summary="Shared charging hubs for electric buses and cars.",
            fields=["energy-systems", "mobility-transport"],
            levers=["finance-funding"],
            type="tool",
        ),
    }


def titles(page: Any) -> list[str]:
    return page.locator("#search-area .resource-item h3").all_inner_texts()


def test_facets_filter_with_htmx_in_a_shareable_url_and_help_when_nothing_matches(
    live_server, page, catalogue
):
    errors = collect_console_errors(page)
    base = live_server.url
    page.goto(f"{base}/knowledge/")
    wait_for_htmx(page)
    summary = page.locator("#search-area .results-summary")
    expect(summary).to_have_text("3 resources")
    # No full page load: a marker on the window survives the update.
    page.evaluate("() => { window.notReloaded = true; }")

    page.get_by_role("checkbox", name="Energy systems (2)").check()
    expect(summary).to_have_text("2 resources")
    # Screen readers hear the new count from a status region outside the swapped part.
    expect(page.get_by_role("status").filter(has_text="resources")).to_have_text("2 resources")
    expect(page).to_have_url(re.compile(r"[?&]field=energy-systems(&|$)"))
    assert sorted(titles(page)) == ["Charging hubs toolkit", "District heat planning guide"]
    assert page.evaluate("() => window.notReloaded") is True
    # The chosen value is listed as an active filter. Counts of other facets follow the filter;
    # values of the same facet are alternatives (OR), counted as if added.
    chips = page.get_by_role("list", name="Active filters")
    expect(chips).to_contain_text("Field of action: Energy systems")
    expect(page.get_by_role("checkbox", name="Mobility & transport (2)")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("^Governance & policy"))).to_have_count(0)

    # A second facet narrows the results (AND).
    page.get_by_role("checkbox", name="Finance & funding (1)").check()
    expect(summary).to_have_text("1 resource")
    assert titles(page) == ["Charging hubs toolkit"]
    shared = page.url
    assert "field=energy-systems" in shared and "lever=finance-funding" in shared

    # The URL is the search: reloading it (or opening it elsewhere) gives the same results.
    page.reload()
    wait_for_htmx(page)
    expect(summary).to_have_text("1 resource")
    assert titles(page) == ["Charging hubs toolkit"]
    expect(page.get_by_role("checkbox", name=re.compile("^Energy systems"))).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("^Finance & funding"))).to_be_checked()

    # Unticking widens the search again; another value of the same facet adds its resources.
    page.get_by_role("checkbox", name=re.compile("^Finance & funding")).uncheck()
    expect(summary).to_have_text("2 resources")
    expect(page).not_to_have_url(re.compile("lever="))
    page.get_by_role("checkbox", name=re.compile("^Mobility & transport")).check()
    expect(summary).to_have_text("3 resources")
    page.get_by_role("checkbox", name=re.compile("^Mobility & transport")).uncheck()
    expect(summary).to_have_text("2 resources")

    # Words that only a filtered-out resource holds: nothing matches, and the help offers to
    # remove the filter.
    search_box = page.get_by_role("searchbox", name="Search resources")
    search_box.fill("bicycle")
    search_box.press("Enter")
    empty = page.locator("#search-area .empty")
    expect(empty).to_contain_text("No resource matches this search.")
    expect(empty).to_contain_text("Remove a filter:")
    expect(page.locator("#search-status")).to_have_text("No resource matches this search.")
    expect(page).to_have_url(re.compile(r"q=bicycle"))
    empty.get_by_role("link", name="Field of action: Energy systems").click()
    expect(summary).to_have_text("1 resource")
    assert titles(page) == ["Bicycle streets case study"]
    expect(page).not_to_have_url(re.compile("field="))
    expect(page.get_by_role("searchbox", name="Search resources")).to_have_value("bicycle")
    assert errors == []


def tab_until(page: Any, condition: str, *, limit: int = 80) -> None:
    """Press Tab until `condition` (a JavaScript expression on `el`, the focused element) holds."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!({condition}); }}"):
            return
    raise AssertionError(f"{condition} never had the focus after {limit} Tabs")


def test_search_box_and_facets_work_by_keyboard(live_server, page, catalogue):
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}/knowledge/")
    wait_for_htmx(page)
    summary = page.locator("#search-area .results-summary")

    tab_until(page, "el.type === 'search' && el.name === 'q'")
    page.keyboard.type("charging")
    page.keyboard.press("Enter")
    expect(summary).to_have_text("1 resource")
    expect(page).to_have_url(re.compile(r"q=charging"))
    # The search box keeps the focus: empty it and search again.
    expect(page.get_by_role("searchbox", name="Search resources")).to_be_focused()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    expect(summary).to_have_text("3 resources")

    tab_until(page, "el.type === 'checkbox' && el.labels[0].textContent.includes('Tool')")
    page.keyboard.press("Space")
    expect(summary).to_have_text("1 resource")
    expect(page).to_have_url(re.compile(r"[?&]type=tool"))
    tool = page.get_by_role("checkbox", name=re.compile("^Tool"))
    expect(tool).to_be_checked()
    # The focus stays on the box just ticked, so the next Space unticks it.
    expect(tool).to_be_focused()
    page.keyboard.press("Space")
    expect(summary).to_have_text("3 resources")
    expect(page.get_by_role("checkbox", name=re.compile("^Tool"))).not_to_be_checked()

    # A facet further down: Tab reaches it after the types; Space ticks it.
    tab_until(page, "el.type === 'checkbox' && el.labels[0].textContent.includes('Finance')")
    page.keyboard.press("Space")
    expect(summary).to_have_text("1 resource")
    assert titles(page) == ["Charging hubs toolkit"]
    expect(page.get_by_role("checkbox", name=re.compile("^Finance & funding"))).to_be_focused()
    assert errors == []


def bookmark_form_ready(page) -> None:
    """The swapped-in form is processed by htmx (before that, a key press would submit it as a
    plain form and leave the page)."""
    page.wait_for_function(
        "() => { const f = document.getElementById('bookmark-form');"
        " return f && f['htmx-internal-data']"
        " && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping'); }"
    )


def test_saving_to_my_library_by_keyboard_keeps_the_focus(live_server, page, catalogue):
    member = person("mia@malmo.se", name="Mia Member")
    member_of(malmo(), member)
    sign_in(page.context, live_server, member)
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}{catalogue['heat'].get_absolute_url()}")
    wait_for_htmx(page)
    tab_until(page, "el.textContent.includes('Save to My library')")
    page.keyboard.press("Enter")
    saved = page.get_by_role("button", name="Remove from My library")
    # Swapped by htmx, the button keeps the focus: Space takes it out of the library again.
    expect(saved).to_be_focused()
    bookmark_form_ready(page)
    page.keyboard.press("Space")
    removed = page.get_by_role("button", name="Save to My library")
    expect(removed).to_be_focused()
    bookmark_form_ready(page)
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Remove from My library")).to_be_focused()
    page.goto(f"{live_server.url}/knowledge/library/")
    expect(page.locator(".resource-list")).to_contain_text("District heat planning guide")
    assert errors == []


# --- axe scans ---------------------------------------------------------------------------------


@dataclass
class Library:
    city: City
    contributor: Any
    mentor: Any
    coordinator: Any
    published: Resource
    changes_requested: Resource
    submitted: Resource
    collection: Collection


@pytest.fixture
def library(terms, settings) -> Library:
    """Malmö's contributor with a published resource (with a PDF), one waiting for changes and
    one in review; a coordinator's published collection; a bookmark and a notification."""
    city = malmo()
    contributor = person("carl@malmo.se", name="Carl Contributor")
    mentor = person("max@malmo.se", name="Max Mentor")
    member_of(city, contributor)
    Membership.objects.create(
        user=mentor, city=city, role=Membership.Role.MEMBER, status="approved", is_mentor=True
    )
    coordinator = coordinator_person()
    published = publish(
        "Transition team terms of reference",
        summary="How to set up a transition team across departments.",
        fields=["energy-systems", "built-environment"],
        levers=["governance-policy"],
        city=city,
        authors="Malmö climate office",
        links=[{"url": "https://example.org/guide", "title": "The full guide"}],
        body="## Steps\n\n1. Name a lead\n2. Meet every month\n\n| Role | Who |\n|---|---|\n"
        "| Lead | Mayor's office |",
    )
    Resource.objects.filter(pk=published.pk).update(submitted_by=contributor)
    services.add_attachment(
        published,
        SimpleUploadedFile("terms.pdf", pdf_bytes("<p>Transition team mandate</p>")),
        actor=contributor,
    )
    publish(
        "Heat pump rollout guide",
        summary="Heat pumps for apartment blocks.",
        fields=["energy-systems"],
        levers=["technology-infrastructure"],
        visibility="members",
    )
    values = {
        "summary": "Our first steps.",
        "type": "case-study",
        "city": city,
        "languages": ["sv", "en"],
    }
    changes_requested = services.create_resource(
        actor=contributor, values={"title": "Green roofs in Malmö", **values}
    )
    changes_requested = services.submit_resource(changes_requested, actor=contributor)
    changes_requested = services.request_changes(
        changes_requested, actor=coordinator, comment="Add the costs per square metre."
    )
    submitted = services.create_resource(
        actor=contributor, values={"title": "Cargo bikes for city services", **values}
    )
    submitted = services.submit_resource(submitted, actor=contributor)
    # Submitted by someone who has since deleted their account.
    orphan = services.create_resource(
        actor=contributor, values={"title": "Solar on schools", **values}
    )
    services.submit_resource(orphan, actor=contributor)
    Resource.objects.filter(pk=orphan.pk).update(submitted_by=None)
    collection = services.save_collection(
        None,
        actor=coordinator,
        values={
            "title": "Getting started",
            "slug": "getting-started",
            "description": "The first resources a new **Mission City** team reads.",
            "is_published": True,
        },
    )
    services.add_to_collection(collection, published, actor=coordinator, note="Read it first.")
    services.add_to_collection(
        collection,
        Resource.objects.get(title="Heat pump rollout guide"),
        actor=coordinator,
    )
    services.toggle_bookmark(published, user=contributor)
    notify([contributor], kind="test", title="Welcome", body="Say hello.", url="/knowledge/")
    return Library(
        city=city,
        contributor=contributor,
        mentor=mentor,
        coordinator=coordinator,
        published=published,
        changes_requested=changes_requested,
        submitted=submitted,
        collection=collection,
    )


# Every knowledge page, as the person who sees it. `{published}`, `{changes}` and `{submitted}`
# are the resources of the `library` fixture.
PAGES = [
    ("anonymous", "/knowledge/"),
    ("anonymous", "/knowledge/?q=transition+team"),
    ("anonymous", "/knowledge/?q=team&field=energy-systems&lever=governance-policy&sort=date"),
    ("anonymous", "/knowledge/?q=nothing+like+this"),
    ("anonymous", "/knowledge/?q=heat+pump&type=tool"),
    ("anonymous", "/knowledge/{published}/"),
    ("anonymous", "/knowledge/collections/"),
    ("anonymous", "/knowledge/collections/getting-started/"),
    ("contributor", "/knowledge/?field=energy-systems"),
    ("contributor", "/knowledge/{published}/"),
    ("contributor", "/knowledge/{changes}/"),
    ("contributor", "/knowledge/{submitted}/"),
    ("contributor", "/knowledge/new/"),
    ("contributor", "/knowledge/{changes}/edit/"),
    ("contributor", "/knowledge/{changes}/history/"),
    ("contributor", "/knowledge/contributions/"),
    ("contributor", "/knowledge/library/"),
    ("contributor", "/knowledge/review/"),
    ("mentor", "/knowledge/{submitted}/"),
    ("mentor", "/knowledge/review/"),
    ("coordinator", "/knowledge/{submitted}/"),
    ("coordinator", "/knowledge/{published}/"),
    ("coordinator", "/knowledge/{published}/edit/"),
    ("coordinator", "/knowledge/{published}/history/"),
    ("coordinator", "/knowledge/review/"),
    ("coordinator", "/knowledge/new/"),
    ("coordinator", "/knowledge/collections/"),
    ("coordinator", "/knowledge/collections/getting-started/"),
    ("coordinator", "/knowledge/collections/getting-started/edit/"),
    ("coordinator", "/knowledge/collections/new/"),
]


@pytest.mark.parametrize(("role", "path"), PAGES, ids=[f"{r}:{p}" for r, p in PAGES])
def test_knowledge_page_has_no_serious_accessibility_violation(
    live_server, page, library, role, path
):
    if role != "anonymous":
        sign_in(page.context, live_server, getattr(library, role))
    errors = collect_console_errors(page)
    url = path.format(
        published=library.published.pk,
        changes=library.changes_requested.pk,
        submitted=library.submitted.pk,
    )
    response = page.goto(live_server.url + url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    wait_for_htmx(page)
    assert_accessible(page)
    assert errors == [], f"{url}: console errors {errors}"


def test_search_updated_by_htmx_is_accessible(live_server, page, library):
    """After a facet is ticked and after a search that finds nothing (the help to drop a
    filter), both rendered by htmx."""
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}/knowledge/")
    wait_for_htmx(page)
    page.get_by_role("checkbox", name=re.compile("^Governance & policy")).check()
    expect(page.get_by_role("list", name="Active filters")).to_be_visible()
    assert_accessible(page)
    search_box = page.get_by_role("searchbox", name="Search resources")
    search_box.fill("heat pump")
    search_box.press("Enter")
    expect(page.locator("#search-area .empty")).to_contain_text("Remove a filter:")
    assert_accessible(page)
    assert errors == []


def test_resource_form_with_errors_is_accessible_and_keeps_the_input(live_server, page, library):
    sign_in(page.context, live_server, library.contributor)
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}/knowledge/new/")
    page.get_by_label("Title").fill("A resource without a summary")
    page.get_by_label("External links").fill("not a web address")
    page.get_by_role("checkbox", name="Social innovation").check()
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below.")
    expect(page.locator(".errorlist").first).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("A resource without a summary")
    expect(page.get_by_role("checkbox", name="Social innovation")).to_be_checked()
    expect(page.get_by_label("External links")).to_have_value("not a web address")
    assert_accessible(page)
    assert errors == []


def test_review_without_a_comment_is_refused_accessibly(live_server, page, library):
    """Asking for changes without saying what: the error, and the review form again."""
    sign_in(page.context, live_server, library.coordinator)
    errors = collect_console_errors(page)
    page.goto(f"{live_server.url}{library.submitted.get_absolute_url()}")
    page.get_by_role("button", name="Ask for changes").click()
    expect(page.locator(".messages")).to_contain_text("Say what should change")
    expect(page.get_by_label("Comment for the contributor")).to_be_visible()
    assert_accessible(page)
    library.submitted.refresh_from_db()
    assert library.submitted.status == Resource.Status.SUBMITTED
    # The 400 response of the refused review is logged by the browser; nothing else is.
    assert [e for e in errors if "400" not in e] == []


def test_collection_form_with_errors_is_accessible(live_server, page, library):
    sign_in(page.context, live_server, library.coordinator)
    page.goto(f"{live_server.url}/knowledge/collections/new/")
    page.get_by_label("Title").fill("Getting started again")
    page.get_by_label("Address").fill("getting-started")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page)

"""City-to-city exchanges in a real browser: the issue's journey (a coordinator opens a call
through the call form; an eligible city applies with answers saved as they are given, an
ineligible one reads why and follows the fix; a Pilot City offers to host; the coordinator
reviews, accepts, matches, reads "why this pair" and publishes; both cities see their pair), two
leads answering at once, the deadline passing with the page open, the keyboard, the page without
JavaScript, and axe scans of every exchanges page as the person who sees it.

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py), required in CI. The live server needs a transactional database,
flushed after every test: each test builds its own data with the factories and the services.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, CountryFactory, LeadFactory
from netzerohub.community.tests.test_browser import (
    OpenAs,
    focus_is_visible,
    messages_of,
    pages_of_people,
    person_of,
)
from netzerohub.core.tests.browser import (
    collect_console_errors,
    sign_in_with_password_and_code,
    wait_for_htmx,
)
from netzerohub.core.tests.test_accessibility import describe, serious_violations
from netzerohub.exchanges import services
from netzerohub.exchanges.manage_forms import standard_questions
from netzerohub.exchanges.models import (
    Application,
    Call,
    EligibilityRule,
    HostOffer,
    Pair,
    Question,
    ReviewCriterion,
)
from netzerohub.exchanges.tests.factories import (
    ApplicationFactory,
    CallFactory,
    OfferFactory,
    QuestionFactory,
)
from netzerohub.learning.tests.test_browser import tab_until

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")  # the zone of visitors and the factories' people
HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")  # the call's own zone: one hour ahead, all year
Kind = Question.Kind
RuleKind = EligibilityRule.Kind
CONFLICT = "Failed to load resource: the server responded with a status of 409 (Conflict)"


@pytest.fixture
def open_as(browser, live_server) -> Iterator[OpenAs]:
    """`open_as(user)`: a new page signed in as `user` (`None`: a visitor), in its own context."""
    yield from pages_of_people(browser, live_server)


# --- data --------------------------------------------------------------------------------------


@dataclass
class Cities:
    """Tartu (eligible: target year 2040) with two leads and a member; Braga (no target year)
    with a lead; Valencia, a Pilot City, with a lead; all in EU member states."""

    tartu: City
    tiina: Any  # lead of Tartu
    taavi: Any  # the other lead of Tartu
    mari: Any  # a member of Tartu
    braga: City
    bruno: Any  # lead of Braga
    valencia: City
    vera: Any  # lead of Valencia


def programme_cities() -> Cities:
    tartu = CityFactory(
        name="Tartu",
        country=CountryFactory(code="EE", name="Estonia"),
        status=City.Status.PARTICIPATING,
        population=97_000,
        target_year=2040,
        contact_email="climate@tartu.example.org",
    )
    braga = CityFactory(
        name="Braga",
        country=CountryFactory(code="PT", name="Portugal"),
        status=City.Status.PARTICIPATING,
        population=193_000,
        target_year=None,
    )
    valencia = CityFactory(
        name="Valencia",
        country=CountryFactory(code="ES", name="Spain"),
        status=City.Status.PILOT,
        population=800_000,
        target_year=2030,
        contact_name="Vicente Contact",
        contact_email="mission@valencia.example.org",
        working_languages=["es", "en"],
    )
    return Cities(
        tartu=tartu,
        tiina=LeadFactory(city=tartu, user__name="Tiina Tamm").user,
        taavi=LeadFactory(city=tartu, user__name="Taavi Teine").user,
        mari=person_of(tartu, "Mari Member"),
        braga=braga,
        bruno=LeadFactory(city=braga, user__name="Bruno Braga").user,
        valencia=valencia,
        vera=LeadFactory(city=valencia, user__name="Vera Valencia").user,
    )


@pytest.fixture
def cities() -> Cities:
    return programme_cities()


def open_call(coordinator: Any, **extra: Any) -> Call:
    """A published twinning call, open since yesterday for 30 days, set up through the service
    as the call form does: the issue's three rules, the standard questions, two criteria."""
    call = CallFactory.build(
        slug="twinning-2027", title="Twinning learning programme 2027", **extra
    )
    return services.save_call(
        call,
        actor=coordinator,
        rules=[
            EligibilityRule(kind=RuleKind.COUNTRY_ELIGIBLE),
            EligibilityRule(kind=RuleKind.TARGET_YEAR, year=2050),
            EligibilityRule(kind=RuleKind.NOT_PARTICIPATING),
        ],
        questions=standard_questions([]),
        criteria=[
            ReviewCriterion(title="Motivation and commitment", weight=2),
            ReviewCriterion(title="What the city can replicate", weight=1),
        ],
    )


def question_of(call: Call, kind: str) -> Question:
    return call.questions.get(kind=kind)


def answered_application(call: Call, city: City, lead: Any) -> Application:
    """The city's application with every standard question answered, through the services."""
    application = services.start_application(call, city=city, actor=lead)
    answers = {
        Kind.MOTIVATION: "We want to learn how to **plan** district heating.",
        Kind.FIELDS: ["energy-systems", "built-environment"],
        Kind.LEVERS: ["governance-policy"],
        Kind.CHALLENGES: "Old housing stock heated by gas boilers.",
        Kind.LANGUAGES: ["en", "et"],
        Kind.REPRESENTATIVES: [{"name": "Tiina Tamm", "role": "Climate lead", "english": "C1"}],
        Kind.HOURS: 16,
    }
    return services.save_answers(
        application,
        {question_of(call, kind).pk: value for kind, value in answers.items()},
        actor=lead,
    )


def answer_response(response: Any) -> bool:
    """The response to an answer saved by htmx."""
    return "/answer/" in response.url and response.request.method == "POST"


def saving(page: Any, action: Callable[[], Any]) -> None:
    """Do `action` and wait for the htmx save it triggers to come back."""
    with page.expect_response(answer_response) as response:
        action()
    assert response.value.ok


def save_line(page: Any, question: Question) -> Any:
    return page.locator(f"#question-{question.pk} .save-state")


def local(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """'31 May 2027 23:59' as the pages write a date-time (without the zone's abbreviation)."""
    moment = moment.astimezone(zone)
    return f"{moment.day} {moment:%B %Y %H:%M}"


# --- 1. the journey of the issue ---------------------------------------------------------------


def test_a_call_from_opening_to_published_pairs(live_server, page, open_as, coordinator, cities):
    """The issue's journey, each person in a browser of their own: the coordinator (signed in
    with password and authenticator code) opens the call through the call form, its window typed
    in Helsinki time; Tartu applies, its answers saved one by one and kept over a reload, and is
    told of the submission; Braga reads why it cannot apply and follows the fix to its profile;
    Valencia offers to host; the coordinator scores and accepts Tartu, runs the matching, reads
    why Tartu and Valencia are paired and publishes; both leads see the pair with each other's
    contacts. No console error on any page (a CSP violation would show there)."""
    base = live_server.url
    page_errors = collect_console_errors(page)
    now = timezone.now()
    opens = dt.datetime.combine(
        (now - dt.timedelta(days=1)).astimezone(HELSINKI).date(), dt.time(0, 0), HELSINKI
    )
    closes = dt.datetime.combine(
        (now + dt.timedelta(days=30)).astimezone(HELSINKI).date(), dt.time(23, 59), HELSINKI
    )

    # --- The coordinator opens a call through the call form, as a draft first.
    sign_in_with_password_and_code(page, base, coordinator)
    page.goto(f"{base}/exchanges/manage/")
    page.get_by_role("link", name="New call").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New call")
    page.get_by_label("Title").fill("Twinning learning programme 2027")
    page.get_by_label("Address").fill("twinning-2027")
    page.locator("#id_kind").select_option("twinning-programme")
    page.get_by_label("Summary").fill("Twin cities learn from Pilot Cities for a year.")
    page.get_by_label("Information page").fill("## What cities get\n\nA **host city** and visits.")
    page.locator("#id_status").select_option("draft")
    page.get_by_label("Time zone").select_option("Europe/Helsinki")
    page.get_by_label("Applications open").fill(opens.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Applications close").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    first_rule = page.get_by_role("group", name=re.compile(r"^Rule 1\b"))
    first_rule.get_by_label("What is checked").select_option("country-eligible")
    second_rule = page.get_by_role("group", name=re.compile(r"^Rule 2\b"))
    second_rule.get_by_label("What is checked").select_option("target-year")
    expect(second_rule.get_by_label("Year")).to_have_value("2050")
    first_criterion = page.get_by_role("group", name=re.compile(r"^Criterion 1\b"))
    first_criterion.get_by_label("Criterion:", exact=True).fill("Motivation and commitment")
    first_criterion.get_by_label("Weight").fill("2")
    second_criterion = page.get_by_role("group", name=re.compile(r"^Criterion 2\b"))
    second_criterion.get_by_label("Criterion:", exact=True).fill("What the city can replicate")
    second_criterion.get_by_label("Weight").fill("1")
    page.get_by_role("button", name="Save and add the standard questions").click()
    expect(messages_of(page)).to_contain_text("Call saved: Twinning learning programme 2027.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Edit Twinning learning programme 2027"
    )
    call = Call.objects.get(slug="twinning-2027")
    assert call.status == Call.Status.DRAFT
    assert call.time_zone == "Europe/Helsinki"
    assert call.opens_at == opens.astimezone(dt.UTC)
    assert call.closes_at == closes.astimezone(dt.UTC)
    assert [q.kind for q in call.questions.order_by("position")] == [
        Kind.MOTIVATION,
        Kind.FIELDS,
        Kind.LEVERS,
        Kind.CHALLENGES,
        Kind.LANGUAGES,
        Kind.REPRESENTATIVES,
        Kind.HOURS,
    ]
    assert [(c.title, c.weight) for c in call.criteria.order_by("position")] == [
        ("Motivation and commitment", 2),
        ("What the city can replicate", 1),
    ]

    # Nobody but coordinators sees the draft.
    visitor = open_as(None)
    assert visitor.page.request.get(f"{base}{call.get_absolute_url()}").status == 404

    # The third rule, and published.
    third_rule = page.get_by_role("group", name=re.compile(r"^Rule 3\b"))
    third_rule.get_by_label("What is checked").select_option("not-mission-pilot-twin")
    page.locator("#id_status").select_option("published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(messages_of(page)).to_contain_text("Call saved: Twinning learning programme 2027.")
    call.refresh_from_db()
    assert call.status == Call.Status.PUBLISHED
    assert [(r.kind, r.year) for r in call.rules.order_by("position")] == [
        (RuleKind.COUNTRY_ELIGIBLE, None),
        (RuleKind.TARGET_YEAR, 2050),
        (RuleKind.NOT_PARTICIPATING, None),
    ]
    motivation = question_of(call, Kind.MOTIVATION)
    fields = question_of(call, Kind.FIELDS)
    levers = question_of(call, Kind.LEVERS)
    challenges = question_of(call, Kind.CHALLENGES)
    languages = question_of(call, Kind.LANGUAGES)
    representatives = question_of(call, Kind.REPRESENTATIVES)
    hours = question_of(call, Kind.HOURS)

    # --- Tartu's lead sees the call as eligible, in her zone and in the call's.
    tiina = open_as(cities.tiina)
    lead = tiina.page
    lead.goto(f"{base}/exchanges/")
    open_calls = lead.get_by_role("region", name="Open for applications")
    item = open_calls.locator(".call-item").filter(has_text="Twinning learning programme 2027")
    expect(item.get_by_role("list", name=re.compile("Your cities"))).to_contain_text(
        "Tartu: eligible"
    )
    item.get_by_role("link", name="Twinning learning programme 2027").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Twinning learning programme 2027")
    facts = lead.get_by_role("complementary", name="About this call")
    # 23:59 in Helsinki is 22:59 in Brussels, each zone named.
    expect(facts).to_contain_text(f"{local(closes, BRUSSELS)} ")
    expect(facts).to_contain_text("(Europe/Brussels)")
    expect(facts).to_contain_text(f"{local(closes, HELSINKI)} ")
    expect(facts).to_contain_text("(Europe/Helsinki)")
    assert local(closes, BRUSSELS).endswith("22:59")
    apply_box = lead.locator("#apply")
    expect(apply_box).to_contain_text("Tartu meets the call's rules about the city.")
    expect(apply_box.locator(".time-left")).to_contain_text(re.compile(r"\d+ days? .*left"))

    # She applies and answers: each answer saved as it is given.
    apply_box.get_by_role("button", name="Apply for Tartu").click()
    expect(messages_of(lead)).to_contain_text("The application of Tartu is started.")
    expect(lead.get_by_role("heading", level=1)).to_have_text("Application of Tartu")
    wait_for_htmx(lead)
    text = "Tartu wants to learn how to plan district heating with a Pilot City."
    lead.get_by_label(motivation.label).fill(text)
    saving(lead, lambda: lead.get_by_label(motivation.label).blur())
    expect(save_line(lead, motivation)).to_contain_text("Saved at")
    expect(lead.locator("#save-status")).to_have_text("Question 1 saved.")
    field_group = lead.get_by_role("group", name=re.compile(re.escape(fields.label)))
    for name in ("Energy systems", "Built environment"):
        saving(lead, lambda n=name: field_group.get_by_role("checkbox", name=n).check())
    expect(save_line(lead, fields)).to_contain_text("Saved at")
    lever_group = lead.get_by_role("group", name=re.compile(re.escape(levers.label)))
    saving(lead, lambda: lever_group.get_by_role("checkbox", name="Governance & policy").check())
    lead.get_by_label(challenges.label).fill("Old housing stock heated by gas boilers.")
    saving(lead, lambda: lead.get_by_label(challenges.label).blur())
    language_group = lead.get_by_role("group", name=re.compile(re.escape(languages.label)))
    for name in ("English", "Estonian"):
        saving(lead, lambda n=name: language_group.get_by_role("checkbox", name=n).check())
    lead.get_by_label("Representative 1: name").fill("Tiina Tamm")
    saving(lead, lambda: lead.get_by_label("Representative 1: name").blur())
    lead.get_by_label("Representative 1: role").fill("Climate lead")
    saving(lead, lambda: lead.get_by_label("Representative 1: role").blur())
    saving(
        lead, lambda: lead.get_by_label("Representative 1: level of English").select_option("C1")
    )
    expect(save_line(lead, representatives)).to_contain_text("Saved at")
    lead.get_by_label(hours.label).fill("16")
    saving(lead, lambda: lead.get_by_label(hours.label).blur())
    expect(save_line(lead, hours)).to_contain_text("Saved at")
    expect(lead.locator("#missing-answers")).to_contain_text("Every required question is answered.")

    # Reloaded: every answer is kept.
    lead.reload()
    expect(lead.get_by_label(motivation.label)).to_have_value(text)
    expect(field_group.get_by_role("checkbox", name="Energy systems")).to_be_checked()
    expect(field_group.get_by_role("checkbox", name="Built environment")).to_be_checked()
    expect(field_group.get_by_role("checkbox", name="Mobility & transport")).not_to_be_checked()
    expect(lever_group.get_by_role("checkbox", name="Governance & policy")).to_be_checked()
    expect(lead.get_by_label(challenges.label)).to_have_value(
        "Old housing stock heated by gas boilers."
    )
    expect(language_group.get_by_role("checkbox", name="Estonian")).to_be_checked()
    expect(lead.get_by_label("Representative 1: name")).to_have_value("Tiina Tamm")
    expect(lead.get_by_label("Representative 1: level of English")).to_have_value("C1")
    expect(lead.get_by_label(hours.label)).to_have_value("16")
    application = Application.objects.get(call=call, city=cities.tartu)
    assert application.status == Application.Status.DRAFT
    assert application.answers[str(fields.pk)] == ["built-environment", "energy-systems"]
    assert application.languages == ["en", "et"]
    assert application.hours_per_month == 16
    assert application.representatives == [
        {"name": "Tiina Tamm", "role": "Climate lead", "english": "C1"}
    ]

    # Submitted; the confirmation reaches both of Tartu's leads.
    mail.outbox.clear()
    lead.get_by_role("button", name="Submit the application").click()
    expect(messages_of(lead)).to_contain_text(
        "The application is submitted; the city's leads get a confirmation."
    )
    expect(lead.locator(".meta .status")).to_have_text("Submitted")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    subject = "[NetZero Hub] Application submitted: Twinning learning programme 2027"
    assert sorted(m.to[0] for m in mail.outbox if m.subject == subject) == sorted(
        [cities.tiina.email, cities.taavi.email]
    )
    lead.goto(f"{base}/notifications/")
    expect(
        lead.locator(".mail-list li").filter(
            has_text="Application submitted: Twinning learning programme 2027"
        )
    ).to_contain_text("The application of Tartu to “Twinning learning programme 2027” is submitted")

    # --- Braga's lead reads why Braga cannot apply, and follows the fix.
    bruno = open_as(cities.bruno)
    braga = bruno.page
    braga.goto(f"{base}/exchanges/")
    braga_item = braga.locator(".city-checks > li").filter(has_text="Braga")
    expect(braga_item).to_contain_text("not eligible yet")
    expect(braga_item).to_contain_text("Braga has not set a climate-neutrality target year.")
    braga.goto(f"{base}{call.get_absolute_url()}")
    braga_box = braga.locator("#apply")
    expect(braga_box).to_contain_text("Braga does not meet every rule yet:")
    failed = braga_box.locator(".check-failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("A climate-neutrality target year of 2050 or earlier.")
    expect(failed).to_contain_text("Braga has not set a climate-neutrality target year.")
    expect(braga_box.get_by_role("button", name=re.compile("^Apply"))).to_have_count(0)
    failed.get_by_role("link", name="Set your target year on the city profile").click()
    expect(braga.get_by_role("heading", level=1)).to_have_text("Profile of Braga")
    target = braga.get_by_label("Climate-neutrality target year")
    expect(target).to_be_visible()
    expect(target).to_have_value("")
    target.fill("2045")
    braga.get_by_role("button", name="Save profile").click()
    expect(messages_of(braga)).to_contain_text("The profile of Braga is saved.")
    braga.goto(f"{base}{call.get_absolute_url()}")
    expect(braga_box).to_contain_text("Braga meets the call's rules about the city.")
    expect(braga_box.get_by_role("button", name="Apply for Braga")).to_be_visible()

    # --- Valencia's lead declares the Pilot City's offer.
    vera = open_as(cities.vera)
    host = vera.page
    host.goto(f"{base}{call.get_absolute_url()}")
    host.get_by_role("link", name="Offer to host as Valencia").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Offer of Valencia")
    offer_fields = host.get_by_role("group", name=re.compile("^Fields of action it can share"))
    offer_fields.get_by_role("checkbox", name="Energy systems").check()
    offer_fields.get_by_role("checkbox", name="Mobility & transport").check()
    offer_levers = host.get_by_role("group", name=re.compile("^Levers of change it can share"))
    offer_levers.get_by_role("checkbox", name="Governance & policy").check()
    host.get_by_label("Maximum twins").fill("2")
    offer_languages = host.get_by_role("group", name=re.compile("^Working languages"))
    expect(offer_languages.get_by_role("checkbox", name="Spanish")).to_be_checked()  # the profile's
    host.get_by_label("Challenges it has worked on").fill("District heating in old housing stock.")
    host.get_by_label("Possible visit dates").fill("The weeks of 14 and 21 June")
    host.get_by_role("button", name="Save the offer").click()
    expect(messages_of(host)).to_contain_text("The offer of Valencia is saved.")
    saved_offer = host.get_by_role("region", name="The saved offer")
    expect(saved_offer).to_contain_text("Energy systems, Mobility & transport")
    expect(saved_offer).to_contain_text("English")
    offer = HostOffer.objects.get(call=call, city=cities.valencia)
    assert offer.capacity == 2 and sorted(offer.languages) == ["en", "es"]
    assert sorted(offer.fields.values_list("slug", flat=True)) == [
        "energy-systems",
        "mobility-transport",
    ]

    # --- The coordinator reviews Tartu's application and accepts it.
    page.goto(f"{base}/exchanges/manage/")
    page.get_by_role("link", name=re.compile(r"^Review 1 application\b")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Applications to Twinning learning programme 2027"
    )
    page.get_by_role("table").get_by_role("link", name="Tartu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application of Tartu")
    expect(page.locator(".review-answers")).to_contain_text("Built environment, Energy systems")
    expect(page.locator(".review-answers")).to_contain_text("Tiina Tamm, Climate lead")
    page.get_by_role("group", name=re.compile("^Motivation and commitment")).get_by_role(
        "radio", name="4"
    ).check()
    page.get_by_role("group", name=re.compile("^What the city can replicate")).get_by_role(
        "radio", name="5"
    ).check()
    page.get_by_label("Comment").fill("A clear plan and a committed team.")
    page.get_by_role("button", name="Save my review").click()
    expect(messages_of(page)).to_contain_text("Your review is saved.")
    expect(page.locator(".facts")).to_contain_text("4.33")  # (2 × 4 + 1 × 5) / 3
    expect(page.locator(".review-card")).to_contain_text("A clear plan and a committed team.")
    page.get_by_role("button", name="Accept").click()
    expect(messages_of(page)).to_contain_text("Decision saved: Accepted.")
    expect(page.locator("table.review-history tbody tr")).to_have_count(1)
    expect(page.locator("table.review-history tbody")).to_contain_text("Application accepted")
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED

    # --- Matching: run, read why, publish.
    page.goto(f"{base}/exchanges/manage/")
    page.get_by_role("link", name=re.compile(r"^Matching\b")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Matching: Twinning learning programme 2027"
    )
    expect(page.locator("main")).to_contain_text("No pair yet: run the matching.")
    page.get_by_role("button", name="Run the matching").click()
    expect(messages_of(page)).to_contain_text("Pairs proposed: 1")
    pair = Pair.objects.get(call=call)
    assert (pair.application_id, pair.offer_id) == (application.pk, offer.pk)
    valencia_pairs = page.get_by_role("region", name=re.compile("^Valencia"))
    expect(valencia_pairs).to_contain_text("1 of 2 places used")
    expect(valencia_pairs.locator(".pair-item")).to_contain_text("Tartu")
    valencia_pairs.locator("summary", has_text="Why this pair").click()
    breakdown = page.get_by_role("table", name="Why this pair: Tartu and Valencia")
    expect(breakdown).to_be_visible()
    expect(breakdown.get_by_role("row", name=re.compile("^Fields of action"))).to_contain_text(
        "1 of the applicant's 2 fields of action are offered: Energy systems."
    )
    expect(breakdown.get_by_role("row", name=re.compile("^Working language"))).to_contain_text(
        "Both work in English."
    )
    expect(breakdown.locator("tfoot")).to_contain_text(f"{pair.score:.1f}")
    page.get_by_role("button", name="Publish the pairs").click()
    expect(messages_of(page)).to_contain_text("Pairs published: 1.")
    expect(page.locator(".notice")).to_contain_text("The matching is read-only now.")
    pair.refresh_from_db()
    assert pair.status == Pair.Status.PUBLISHED

    # --- Both cities' leads see their pair, with each other's contacts.
    lead.goto(f"{base}/exchanges/mine/")
    lead.get_by_role("link", name="Tartu and Valencia").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Tartu and Valencia")
    host_card = lead.locator(".card").filter(has=lead.get_by_role("heading", name="Valencia"))
    expect(host_card).to_contain_text("Vicente Contact")
    expect(host_card.get_by_role("link", name="mission@valencia.example.org")).to_be_visible()
    expect(host_card.get_by_role("link", name=cities.vera.email)).to_be_visible()
    host.goto(f"{base}/notifications/")
    partner = host.locator(".mail-list li").filter(has_text="Your exchange partner: Tartu")
    partner.get_by_role("button", name=re.compile("^Open")).click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Tartu and Valencia")
    twin_card = host.locator(".card").filter(has=host.get_by_role("heading", name="Tartu"))
    expect(twin_card.get_by_role("link", name="climate@tartu.example.org")).to_be_visible()
    expect(twin_card.get_by_role("link", name=cities.tiina.email)).to_be_visible()

    for tab in (tiina, bruno, vera, visitor):
        assert tab.errors == [], tab.errors
    assert page_errors == []


# --- 2. two leads at once ----------------------------------------------------------------------


def test_two_leads_answering_different_questions_at_once_both_answers_are_kept(
    live_server, open_as, coordinator, cities
):
    """Tiina and Taavi, both leads of Tartu, have the application open; each answers another
    question and leaves it at the same moment. Then Taavi saves the whole form with the Save
    button from a page (without JavaScript) loaded before Tiina answered: her answer is not put
    back to empty."""
    call = open_call(coordinator)
    application = services.start_application(call, city=cities.tartu, actor=cities.tiina)
    motivation = question_of(call, Kind.MOTIVATION)
    challenges = question_of(call, Kind.CHALLENGES)
    hours = question_of(call, Kind.HOURS)
    url = f"{live_server.url}{application.get_absolute_url()}"
    tiina, taavi = open_as(cities.tiina), open_as(cities.taavi)
    plain = open_as(cities.taavi, java_script_enabled=False)
    for tab in (tiina, taavi, plain):
        tab.page.goto(url)
    wait_for_htmx(tiina.page)
    wait_for_htmx(taavi.page)
    tiina.page.get_by_label(motivation.label).fill("Tiina's motivation.")
    taavi.page.get_by_label(challenges.label).fill("Taavi's challenges.")

    # Both leave their answer: the two saves are on their way together. (Not on SQLite: there
    # the live server's request threads share the test's one in-memory connection, so two
    # requests at once would share one transaction. PostgreSQL runs them for real.)
    together = connection.vendor != "sqlite"
    with (
        tiina.page.expect_response(answer_response) as first,
        taavi.page.expect_response(answer_response) as second,
    ):
        tiina.page.get_by_label(motivation.label).blur()
        if not together:
            expect(save_line(tiina.page, motivation)).to_contain_text("Saved at")
        taavi.page.get_by_label(challenges.label).blur()
    assert first.value.ok and second.value.ok
    expect(save_line(tiina.page, motivation)).to_contain_text("Saved at")
    expect(save_line(taavi.page, challenges)).to_contain_text("Saved at")

    # Taavi's plain page shows the motivation and challenges empty, as they were when it was
    # loaded; he gives the hours there and saves the whole form.
    expect(plain.page.get_by_label(motivation.label)).to_have_value("")
    plain.page.get_by_label(hours.label).fill("12")
    plain.page.get_by_role("button", name="Save", exact=True).click()
    expect(messages_of(plain.page)).to_have_text("Your answers are saved.")

    for tab in (tiina, taavi, plain):
        tab.page.goto(url)
        expect(tab.page.get_by_label(motivation.label)).to_have_value("Tiina's motivation.")
        expect(tab.page.get_by_label(challenges.label)).to_have_value("Taavi's challenges.")
        expect(tab.page.get_by_label(hours.label)).to_have_value("12")
    application.refresh_from_db()
    assert application.answers == {
        str(motivation.pk): "Tiina's motivation.",
        str(challenges.pk): "Taavi's challenges.",
        str(hours.pk): 12,
    }
    assert tiina.errors == [] and taavi.errors == [] and plain.errors == []


# --- 3. the deadline passes while the page is open ---------------------------------------------


def test_after_the_deadline_saving_and_submitting_are_refused_and_the_text_stays(
    live_server, open_as, coordinator, cities
):
    call = open_call(coordinator)
    application = answered_application(call, cities.tartu, cities.tiina)
    saved_answers = dict(application.answers)
    motivation = question_of(call, Kind.MOTIVATION)
    challenges = question_of(call, Kind.CHALLENGES)
    url = f"{live_server.url}{application.get_absolute_url()}"
    # Two tabs of Tiina's, opened while the call is open.
    saving_tab, submitting_tab = open_as(cities.tiina), open_as(cities.tiina)
    for tab in (saving_tab, submitting_tab):
        tab.page.goto(url)
        wait_for_htmx(tab.page)
        expect(tab.page.get_by_role("button", name="Submit the application")).to_be_visible()

    # The call closes (one second ago) while the pages are open.
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    closed = "This call closed for applications; nothing can be changed now."

    # A save as the answer is left: refused, said so on the question, the text stays.
    page = saving_tab.page
    late = "A motivation written after the deadline."
    page.get_by_label(motivation.label).fill(late)
    saving(page, lambda: page.get_by_label(motivation.label).blur())
    expect(save_line(page, motivation)).to_contain_text(f"Not saved: {closed}")
    expect(page.locator("#save-status")).to_have_text(f"Question 1 is not saved: {closed}")
    expect(page.get_by_label(motivation.label)).to_have_value(late)

    # The Save button: refused, the typed text shown back to copy.
    page.get_by_role("button", name="Save", exact=True).click()
    expect(messages_of(page)).to_contain_text(closed)
    expect(page.locator("main")).to_contain_text(
        "What you typed is shown below so that you can copy it; it is not saved."
    )
    expect(page.get_by_label(motivation.label)).to_have_value(late)
    expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)

    # Submit from the other tab, with a changed answer: refused, the text kept.
    other = submitting_tab.page
    other.get_by_label(challenges.label).fill("Changed at the last second.")
    saving(other, lambda: other.get_by_label(challenges.label).blur())
    expect(save_line(other, challenges)).to_contain_text(f"Not saved: {closed}")
    other.get_by_role("button", name="Submit the application").click()
    expect(messages_of(other)).to_contain_text(closed)
    expect(other.get_by_label(challenges.label)).to_have_value("Changed at the last second.")
    expect(other.get_by_role("button", name="Submit the application")).to_have_count(0)

    # Read again: closed, nothing changed.
    other.goto(url)
    expect(other.locator(".deadline")).to_contain_text(
        "The call closed; the application can no longer be changed."
    )
    expect(other.get_by_role("button", name="Submit the application")).to_have_count(0)
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.answers == saved_answers
    # The refused requests answer 409 (Chromium logs the status of a page loaded with it);
    # nothing else.
    assert saving_tab.errors == [CONFLICT] and submitting_tab.errors == [CONFLICT]


# --- 4. the keyboard ---------------------------------------------------------------------------


def test_answering_and_submitting_by_keyboard(live_server, open_as, cities):
    call = CallFactory(title="Bilateral twinning", kind=Call.Kind.BILATERAL)
    motivation = QuestionFactory(call=call, kind=Kind.MOTIVATION, label="Why twin with a city?")
    fields = QuestionFactory(call=call, kind=Kind.FIELDS, label="Which fields interest you?")
    application = services.start_application(call, city=cities.tartu, actor=cities.tiina)
    tab = open_as(cities.tiina)
    page = tab.page
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    wait_for_htmx(page)

    # Tab to the motivation (the focus ring shows), type, Tab away: the answer is saved.
    tab_until(page, f"el.name === 'q{motivation.pk}'")
    assert focus_is_visible(page)
    page.keyboard.type("To learn district heating from a Pilot City.")
    saving(
        page,
        lambda: tab_until(page, "el.type === 'checkbox' && el.value === 'energy-systems'"),
    )
    expect(save_line(page, motivation)).to_contain_text("Saved at")
    assert focus_is_visible(page)

    # Space ticks a field of action: saved too.
    saving(page, lambda: page.keyboard.press("Space"))
    expect(save_line(page, fields)).to_contain_text("Saved at")
    expect(page.locator("#missing-answers")).to_contain_text("Every required question is answered.")

    # Tab to "Submit the application", Enter.
    tab_until(page, "el.textContent.trim() === 'Submit the application'")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(messages_of(page)).to_contain_text("The application is submitted")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.answers == {
        str(motivation.pk): "To learn district heating from a Pilot City.",
        str(fields.pk): ["energy-systems"],
    }
    assert tab.errors == []


# --- 5. without JavaScript ---------------------------------------------------------------------


def test_without_javascript_the_save_and_submit_buttons_work(
    live_server, open_as, coordinator, cities
):
    call = open_call(coordinator)
    application = services.start_application(call, city=cities.tartu, actor=cities.tiina)
    questions = {question.kind: question for question in call.questions.all()}
    url = f"{live_server.url}{application.get_absolute_url()}"
    tab = open_as(cities.tiina, java_script_enabled=False)
    page = tab.page
    page.goto(url)
    assert page.evaluate("() => typeof window.htmx") == "undefined"

    # Save: a plain POST and back to the application.
    page.get_by_label(questions[Kind.MOTIVATION].label).fill("Without JavaScript, still eager.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(messages_of(page)).to_have_text("Your answers are saved.")
    expect(page).to_have_url(url)
    expect(page.get_by_label(questions[Kind.MOTIVATION].label)).to_have_value(
        "Without JavaScript, still eager."
    )
    expect(save_line(page, questions[Kind.MOTIVATION])).to_have_text("Saved")
    application.refresh_from_db()
    assert application.answers == {
        str(questions[Kind.MOTIVATION].pk): "Without JavaScript, still eager."
    }

    # The rest, then Submit: the answers are saved, then the application is submitted.
    fields = page.get_by_role("group", name=re.compile(re.escape(questions[Kind.FIELDS].label)))
    fields.get_by_role("checkbox", name="Energy systems").check()
    levers = page.get_by_role("group", name=re.compile(re.escape(questions[Kind.LEVERS].label)))
    levers.get_by_role("checkbox", name="Finance & funding").check()
    page.get_by_label(questions[Kind.CHALLENGES].label).fill("Financing retrofits.")
    languages = page.get_by_role(
        "group", name=re.compile(re.escape(questions[Kind.LANGUAGES].label))
    )
    languages.get_by_role("checkbox", name="English").check()
    page.get_by_label("Representative 1: name").fill("Tiina Tamm")
    page.get_by_label("Representative 1: level of English").select_option("B2")
    page.get_by_label(questions[Kind.HOURS].label).fill("20")
    page.get_by_role("button", name="Submit the application").click()
    expect(messages_of(page)).to_contain_text("The application is submitted")
    expect(page.locator(".meta .status")).to_have_text("Submitted")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.answers[str(questions[Kind.FIELDS].pk)] == ["energy-systems"]
    assert application.answers[str(questions[Kind.REPRESENTATIVES].pk)] == [
        {"name": "Tiina Tamm", "role": "", "english": "B2"}
    ]
    assert application.hours_per_month == 20
    assert tab.errors == []


# --- 6. axe scans of every exchanges page ------------------------------------------------------


@dataclass
class Scene:
    """Every exchanges page with something on it.

    `call` is open: Tartu's application is submitted and scored by the coordinator, Valencia
    has an offer, Lahti (eligible) has not applied, Braga (no target year) cannot. `visits`
    closed ten days ago with Tartu and Valencia matched and published (the pair page)."""

    cities: Cities
    call: Call
    application: Application
    visits: Call
    pair: Pair
    lahti: City
    liisa: Any  # lead of Lahti
    coordinator: Any

    def person(self, role: str) -> Any:
        if role in ("visitor", "coordinator", "liisa"):
            return {"visitor": None, "coordinator": self.coordinator, "liisa": self.liisa}[role]
        return getattr(self.cities, role)


@pytest.fixture
def scene(coordinator, cities) -> Scene:
    call = open_call(coordinator)
    application = answered_application(call, cities.tartu, cities.tiina)
    services.submit_application(application, actor=cities.tiina)
    services.save_review(
        application,
        reviewer=coordinator,
        scores={c.pk: 4 for c in call.criteria.all()},
        comment="Convincing.",
    )
    offer = HostOffer(call=call, city=cities.valencia, capacity=2, languages=["en", "es"])
    services.save_offer(offer, actor=cities.vera, fields=[], levers=[])
    lahti = CityFactory(
        name="Lahti",
        country=CountryFactory(code="FI", name="Finland"),
        status=City.Status.PARTICIPATING,
        target_year=2035,
    )
    liisa = LeadFactory(city=lahti, user__name="Liisa Lahti").user

    visits = CallFactory(
        slug="study-visits-2026",
        title="Group study visits 2026",
        kind=Call.Kind.STUDY_VISITS,
        opens_at=timezone.now() - dt.timedelta(days=40),
    )
    ApplicationFactory(call=visits, city=cities.tartu, status="accepted", languages=["en"])
    OfferFactory(call=visits, city=cities.valencia, languages=["en"])
    (pair,) = services.run_matching(visits, actor=coordinator)
    services.publish_matches(visits, actor=coordinator)
    pair.refresh_from_db()
    return Scene(cities, call, application, visits, pair, lahti, liisa, coordinator)


def scene_paths(scene: Scene) -> dict[str, str]:
    slug, pk = scene.call.slug, scene.application.pk
    return {
        "calls": reverse("exchanges:calls"),
        "call": reverse("exchanges:call", args=[slug]),
        "closed_call": reverse("exchanges:call", args=[scene.visits.slug]),
        "application": reverse("exchanges:application", args=[pk]),
        "mine": reverse("exchanges:mine"),
        "offer": reverse("exchanges:offer", args=[slug]),
        "manage": reverse("exchanges:manage"),
        "new_call": reverse("exchanges:call-create"),
        "edit_call": reverse("exchanges:call-edit", args=[slug]),
        "review_list": reverse("exchanges:review-list", args=[slug]),
        "review": reverse("exchanges:review", args=[pk]),
        "matching": reverse("exchanges:matching", args=[slug]),
        "matching_published": reverse("exchanges:matching", args=[scene.visits.slug]),
        "pair": reverse("exchanges:pair", args=[scene.pair.pk]),
        "progress": reverse("exchanges:progress"),
    }


# Per role: the pages scanned and a text each must show (so that the scan looks at the page
# in the state named, not at a page that fell back to something else).
SCANS: dict[str, list[tuple[str, str]]] = {
    "visitor": [
        ("calls", "Open for applications"),
        ("call", "Sign in to see whether your city is eligible"),
        ("closed_call", "This call is closed for applications."),
    ],
    "liisa": [  # the lead of an eligible city that has not applied
        ("calls", "Lahti: eligible"),
        ("call", "Apply for Lahti"),
        ("mine", "Your cities have not applied to a call yet."),
    ],
    "tiina": [  # the lead of Tartu, which applied
        ("calls", "Application: Submitted"),
        ("call", "Open the application"),
        ("application", "changes you save count until the call closes"),
        ("mine", "Tartu and Valencia"),
        ("pair", "Vera Valencia"),
    ],
    "mari": [  # a member of Tartu
        ("call", "Read the city's application"),
        ("application", "You can read this application; the city's leads write and submit it."),
        ("mine", "Twinning learning programme 2027"),
        ("pair", "Replication plan"),
    ],
    "bruno": [  # the lead of Braga, without a target year
        ("calls", "not eligible yet"),
        ("call", "Set your target year on the city profile"),
    ],
    "vera": [  # the lead of Valencia, a Pilot City
        ("call", "Offer to host as Valencia"),
        ("offer", "The saved offer"),
        ("mine", "Tartu and Valencia"),
        ("pair", "Tiina Tamm"),
    ],
    "coordinator": [
        ("calls", "Open for applications"),
        ("call", "Run this call"),
        ("manage", "Twinning learning programme 2027"),
        ("new_call", "New call"),
        ("edit_call", "Edit Twinning learning programme 2027"),
        ("review_list", "Tartu"),
        ("review", "Change your review"),
        ("matching", "No pair yet: run the matching."),
        ("matching_published", "The matching is read-only now."),
        ("pair", "Why this pair"),
        ("progress", "Group study visits 2026"),
    ],
}


def scan(page: Any, url: str, shows: str) -> str:
    """Open `url`, check that it shows `shows`, run axe: the problems found ('' for none)."""
    response = page.goto(url)
    if response is None or not response.ok:
        return f"{url}: HTTP {response and response.status}"
    wait_for_htmx(page)
    expect(page.locator("main")).to_contain_text(shows)
    violations = serious_violations(page)
    return f"{url}\n{describe(violations)}" if violations else ""


@pytest.mark.parametrize("role", list(SCANS))
def test_exchanges_pages_have_no_serious_accessibility_violation(live_server, open_as, scene, role):
    tab = open_as(scene.person(role))
    paths = scene_paths(scene)
    problems = [scan(tab.page, live_server.url + paths[name], shows) for name, shows in SCANS[role]]
    assert [p for p in problems if p] == [], "\n\n".join(problems)
    assert tab.errors == []


def test_pages_with_errors_and_every_matching_state_are_accessible(live_server, open_as, scene):
    """The call form sent with mistakes, the application with an answer refused and a submit
    refused for missing answers, the host offer with mistakes, and the matching proposed (with
    "why this pair" open) and published: errors said and tied to their fields, axe clean."""
    base = live_server.url
    paths = scene_paths(scene)
    problems = []

    # The call form, new, with mistakes.
    coordinator = open_as(scene.coordinator)
    page = coordinator.page
    page.goto(base + paths["new_call"])
    page.get_by_label("Title").fill("A call that closes before it opens")
    page.get_by_label("Applications open").fill("2027-04-08T00:00")
    page.get_by_label("Applications close").fill("2027-04-01T23:59")
    page.get_by_role("group", name=re.compile(r"^Rule 1\b")).get_by_label(
        "What is checked"
    ).select_option("population")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".message.error")).to_contain_text("Please correct the errors below")
    expect(page.locator("main")).to_contain_text("The call must close after it opens.")
    expect(page.locator("main")).to_contain_text("A population rule needs a minimum")
    expect(page.get_by_label("Title")).to_have_value("A call that closes before it opens")
    expect(page.get_by_label("Applications close")).to_have_attribute("aria-invalid", "true")
    problems.append(describe(serious_violations(page)))
    assert not Call.objects.filter(title="A call that closes before it opens").exists()

    # The host offer with mistakes: no capacity, no working language.
    host = open_as(scene.cities.vera)
    host.page.goto(base + paths["offer"])
    host.page.get_by_label("Maximum twins").fill("")
    languages = host.page.get_by_role("group", name=re.compile("^Working languages"))
    for name in ("English", "Spanish"):
        languages.get_by_role("checkbox", name=name).uncheck()
    host.page.get_by_role("button", name="Save the offer").click()
    expect(host.page.locator("main")).to_contain_text("Choose at least one working language.")
    expect(host.page.locator("main")).to_contain_text("Give the number of twins")
    expect(host.page.get_by_label("Maximum twins")).to_have_attribute("aria-invalid", "true")
    problems.append(describe(serious_violations(host.page)))
    assert HostOffer.objects.get(call=scene.call, city=scene.cities.valencia).capacity == 2

    # Lahti's application: an answer refused, then a submit refused for missing answers.
    application = services.start_application(scene.call, city=scene.lahti, actor=scene.liisa)
    hours = question_of(scene.call, Kind.HOURS)
    lead = open_as(scene.liisa)
    lead.page.goto(base + application.get_absolute_url())
    wait_for_htmx(lead.page)
    lead.page.get_by_label(hours.label).fill("500")
    saving(lead.page, lambda: lead.page.get_by_label(hours.label).blur())
    expect(save_line(lead.page, hours)).to_contain_text("Not saved:")
    expect(lead.page.get_by_label(hours.label)).to_have_value("500")
    problems.append(describe(serious_violations(lead.page)))
    lead.page.get_by_label(hours.label).fill("")
    saving(lead.page, lambda: lead.page.get_by_label(hours.label).blur())
    lead.page.get_by_role("button", name="Submit the application").click()
    expect(messages_of(lead.page)).to_contain_text("Answer these questions first:")
    expect(lead.page.locator("#missing-answers li")).to_have_count(7)
    problems.append(describe(serious_violations(lead.page)))

    # The matching, proposed then published.
    services.decide_application(scene.application, "accept", actor=scene.coordinator)
    page.goto(base + paths["matching"])
    page.get_by_role("button", name="Run the matching").click()
    expect(messages_of(page)).to_contain_text("Pairs proposed: 1")
    page.locator("summary", has_text="Why this pair").first.click()
    expect(page.get_by_role("table", name="Why this pair: Tartu and Valencia")).to_be_visible()
    problems.append(describe(serious_violations(page)))
    page.get_by_role("button", name="Publish the pairs").click()
    expect(messages_of(page)).to_contain_text("Pairs published: 1.")
    problems.append(describe(serious_violations(page)))

    assert [p for p in problems if p] == []
    assert coordinator.errors == [] and host.errors == [] and lead.errors == []

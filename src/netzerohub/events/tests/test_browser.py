"""National events and meetings in a real browser: registering and cancelling without
JavaScript, a coordinator creating, publishing and cancelling a national event (local times in
the event's zone), the calendar's filters and month grid, and axe scans of every events page
as the person who sees it.

The journey of the issue (a meeting's waitlist across two cities, the seat offer, the `.ics`)
and registering by keyboard are in `community/tests/test_browser.py`.

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py), required in CI. The live server needs a transactional database,
flushed after every test: each test builds its own data with the factories.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from netzerohub.cities.models import City, Country
from netzerohub.cities.tests.factories import CityFactory, CountryFactory
from netzerohub.community.tests.factories import GroupFactory, GroupMembershipFactory
from netzerohub.community.tests.test_browser import (
    OpenAs,
    Tab,
    messages_of,
    named,
    pages_of_people,
    person_of,
    scan_pages,
)
from netzerohub.core.models import Term
from netzerohub.core.tests.browser import (
    collect_console_errors,
    sign_in_with_password_and_code,
    wait_for_htmx,
)
from netzerohub.core.tests.test_accessibility import describe, serious_violations
from netzerohub.events import registration as engine
from netzerohub.events import services
from netzerohub.events.models import Event, Registration
from netzerohub.events.tests.factories import (
    EventFactory,
    MeetingFactory,
    RegistrationFactory,
    in_days,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")  # the zone of visitors and of the factories' people


@pytest.fixture
def open_as(browser, live_server) -> Iterator[OpenAs]:
    """`open_as(user)`: a new page signed in as `user` (`None`: a visitor), in its own context."""
    yield from pages_of_people(browser, live_server)


def filters_of(page: Any) -> Any:
    """The calendar's filter form (the site's language switcher has a "Language" label too)."""
    return page.get_by_role("search", name="Filter events")


def finland() -> Country:
    return CountryFactory(code="FI", name="Finland")


def spain() -> Country:
    return CountryFactory(code="ES", name="Spain")


def grid_cell(page: Any, day: dt.date) -> Any:
    """The month grid's cell of `day`."""
    return page.locator("table.month-grid td").filter(
        has=page.locator(f'time[datetime="{day.isoformat()}"]')
    )


# --- 3. without JavaScript ---------------------------------------------------------------------


def test_without_javascript_filtering_registering_and_cancelling_work(live_server, open_as):
    tampere = CityFactory(name="Tampere", country=finland())
    member = person_of(tampere, "Tiina Tampere")
    event = EventFactory(
        title="Energy communities day",
        country=tampere.country,
        starts_at=in_days(20),
        capacity=10,
    )
    EventFactory(title="Retrofit forum", country=spain(), starts_at=in_days(21))
    base = live_server.url
    tab = open_as(member, java_script_enabled=False)
    page = tab.page

    # The calendar's filters: a plain GET form.
    page.goto(f"{base}/events/")
    assert page.evaluate("() => typeof window.htmx") == "undefined"
    results = page.locator("#calendar-results")
    expect(results.locator(".event-item h3")).to_have_text(
        ["Energy communities day", "Retrofit forum"]
    )
    filters_of(page).get_by_label("Country").select_option("FI")
    page.get_by_role("button", name="Show events").click()
    expect(page).to_have_url(re.compile(r"country=FI"))
    expect(results.locator(".event-item h3")).to_have_text(["Energy communities day"])

    # Register: a plain POST and a redirect back to the box.
    results.get_by_role("link", name="Energy communities day").click()
    box = page.locator("#registration")
    box.get_by_role("button", name="Register", exact=True).click()
    expect(page).to_have_url(f"{base}{event.get_absolute_url()}#registration")
    expect(messages_of(page)).to_have_text(
        "You are registered for Tampere: your seat is confirmed."
    )
    expect(box).to_contain_text("You are registered for Tampere: your seat is confirmed.")
    expect(page.locator(".resource-facts")).to_contain_text("9 places left")
    registration = Registration.objects.get(event=event, user=member)
    assert registration.status == Registration.Status.CONFIRMED

    # Cancel, the same way.
    box.get_by_role("button", name="Cancel my registration").click()
    expect(messages_of(page)).to_have_text(
        "Your registration is cancelled; your seat goes to the next person waiting."
    )
    expect(box).to_contain_text("You cancelled your registration.")
    expect(page.locator(".resource-facts")).to_contain_text("10 places left")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED

    # And registering again is possible.
    box.get_by_role("button", name="Register", exact=True).click()
    expect(box).to_contain_text("your seat is confirmed")
    assert Registration.objects.for_event(event).for_user(member).confirmed().count() == 1
    assert tab.errors == []


# --- 5. a coordinator runs a national event ----------------------------------------------------


def test_coordinator_creates_publishes_and_cancels_a_national_event(
    live_server, page, open_as, coordinator
):
    """Local times typed in the event's zone (Helsinki) are stored in UTC and shown to a
    visitor in Brussels on the right day: 00:30 in Helsinki is 23:30 the day before in
    Brussels."""
    country = finland()
    espoo = CityFactory(name="Espoo", country=country)
    registrant = person_of(espoo, "Eero Espoo")
    base = live_server.url
    year = timezone.now().year + 1
    helsinki = zoneinfo.ZoneInfo("Europe/Helsinki")
    starts = dt.datetime(year, 2, 10, 0, 30, tzinfo=helsinki)
    brussels_day = starts.astimezone(BRUSSELS).date()
    assert brussels_day == dt.date(year, 2, 9)
    errors = collect_console_errors(page)
    sign_in_with_password_and_code(page, base, coordinator)

    # A new national event, saved as a draft.
    page.goto(f"{base}/events/manage/")
    page.get_by_role("link", name="New national event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New national event")
    page.get_by_label("Title").fill("Energy communities night")
    page.get_by_label("Summary").fill("Finnish cities on energy communities.")
    page.get_by_label("Agenda").fill("1. Welcome\n2. **Three cities** present")
    page.get_by_label("Status").select_option(label="Draft")
    page.get_by_role("radio", name="Online").check()
    page.get_by_label("Video link").fill("https://video.example.org/room/night")
    page.get_by_label("Time zone").select_option("Europe/Helsinki")
    page.get_by_label("Starts").fill(f"{year}-02-10T00:30")
    page.get_by_label("Ends").fill(f"{year}-02-10T02:00")
    page.get_by_role("combobox", name="Country").select_option(label="Finland")
    page.get_by_label("Languages").select_option(["fi", "en"])
    page.get_by_role("checkbox", name="Energy systems").check()
    page.get_by_role("radio", name="Cities of the event's country").check()
    page.get_by_label("Capacity").fill("40")
    page.get_by_role("button", name="Save").click()
    expect(messages_of(page)).to_have_text("Saved: Energy communities night.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Energy communities night")
    expect(page.locator(".notice").first).to_contain_text("Draft:")
    event = Event.objects.get(title="Energy communities night")
    assert event.status == Event.Status.DRAFT
    assert event.kind == Event.Kind.NATIONAL
    assert event.time_zone == "Europe/Helsinki"
    assert event.starts_at == starts.astimezone(dt.UTC)
    assert event.ends_at == dt.datetime(year, 2, 10, 2, 0, tzinfo=helsinki)
    # The coordinator's zone is Brussels: the page names both times.
    facts = page.get_by_role("complementary", name="About this event")
    expect(facts).to_contain_text(f"{brussels_day:%A} {brussels_day.day} February {year}, 23:30")
    expect(facts).to_contain_text(
        f"(Wednesday {starts.day} February, 00:30 in Europe/Helsinki, the organisers' time)"
    )

    # A visitor does not see the draft.
    visitor = open_as(None)
    assert visitor.page.request.get(f"{base}{event.get_absolute_url()}").status == 404

    # Published from the edit form.
    page.get_by_role("navigation", name="Run this event").get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Starts")).to_have_value(f"{year}-02-10T00:30")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Helsinki")
    page.get_by_label("Status").select_option(label="Published")
    page.get_by_role("button", name="Save").click()
    expect(messages_of(page)).to_have_text("Saved: Energy communities night.")
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert event.starts_at == starts.astimezone(dt.UTC)

    # The visitor finds it in the month view, on the Brussels day.
    visitor.page.goto(f"{base}/events/?view=month&month={year}-02")
    expect(grid_cell(visitor.page, brussels_day)).to_contain_text("Energy communities night")
    expect(grid_cell(visitor.page, brussels_day).locator(".day-events time")).to_have_text("23:30")
    expect(grid_cell(visitor.page, dt.date(year, 2, 10))).not_to_contain_text("Energy")
    expect(visitor.page.locator("table.month-grid caption")).to_contain_text(
        f"February {year}: 1 event, times in Europe/Brussels"
    )

    # Someone registers; the coordinator cancels the event with a reason.
    engine.register(event, user=registrant, city=espoo)
    page.goto(f"{base}/events/manage/")
    page.get_by_role("link", name=named("Cancel", "Energy communities night")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel Energy communities night")
    expect(page.locator("main")).to_contain_text("The 1 person registered or waiting is told")
    page.get_by_label("Reason (sent to everyone registered)").fill("The venue's power is out.")
    page.get_by_role("button", name="Cancel the event").click()
    expect(messages_of(page)).to_have_text(
        "“Energy communities night” is cancelled; everyone registered is told."
    )
    expect(page).to_have_url(f"{base}/events/manage/")
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED

    # The registrant's notification says so, with the reason; so does the event's page.
    person = open_as(registrant)
    person.page.goto(f"{base}/notifications/")
    notice = person.page.locator(".mail-list li").filter(
        has_text="Cancelled: Energy communities night"
    )
    expect(notice).to_contain_text("is cancelled.")
    expect(notice).to_contain_text("Reason given by the organisers: The venue's power is out.")
    notice.get_by_role("button", name=re.compile("^Open")).click()
    expect(person.page).to_have_url(f"{base}{event.get_absolute_url()}")
    expect(person.page.locator(".event-cancelled")).to_contain_text(
        "This event has been cancelled."
    )
    expect(person.page.locator(".event-cancelled")).to_contain_text("The venue's power is out.")
    expect(person.page.locator("#registration")).to_contain_text(
        "This event has been cancelled: it takes no registrations."
    )
    assert errors == [] and visitor.errors == [] and person.errors == []


# --- 6. the calendar's filters and month grid --------------------------------------------------


@dataclass
class Calendar:
    year: int
    helsinki: Event  # Finland, Finnish and English, 4 March 23:30 UTC = 5 March in Brussels
    madrid: Event  # Spain, Spanish, 18 March
    turku: Event  # Finland, Swedish, 8 April


def calendar_events() -> Calendar:
    year = timezone.now().year + 1
    fi, es = finland(), spain()
    energy = Term.objects.get(kind="field", slug="energy-systems")
    helsinki = EventFactory(
        title="Helsinki heat forum",
        country=fi,
        languages=["fi", "en"],
        starts_at=dt.datetime(year, 3, 4, 23, 30, tzinfo=dt.UTC),
        capacity=2,
    )
    helsinki.fields.set([energy])
    madrid = EventFactory(
        title="Madrid mobility day",
        country=es,
        languages=["es"],
        starts_at=dt.datetime(year, 3, 18, 9, tzinfo=dt.UTC),
    )
    turku = EventFactory(
        title="Turku circular week",
        country=fi,
        languages=["sv"],
        starts_at=dt.datetime(year, 4, 8, 9, tzinfo=dt.UTC),
    )
    EventFactory(
        title="Draft forum",
        country=fi,
        status=Event.Status.DRAFT,
        starts_at=dt.datetime(year, 3, 6, 9, tzinfo=dt.UTC),
    )
    MeetingFactory(title="A group's meeting", starts_at=dt.datetime(year, 3, 5, 9, tzinfo=dt.UTC))
    return Calendar(year, helsinki, madrid, turku)


def listed(page: Any) -> Any:
    return page.locator("#calendar-results .event-item h3")


def test_calendar_filters_change_the_list_and_the_month_shows_events_on_their_day(
    live_server, page
):
    data = calendar_events()
    year = data.year
    RegistrationFactory(event=data.helsinki)
    base = live_server.url
    errors = collect_console_errors(page)
    page.goto(f"{base}/events/")
    wait_for_htmx(page)
    summary = page.locator("#calendar-results .results-summary")
    expect(summary).to_contain_text("3 upcoming events.")
    expect(listed(page)).to_have_text(
        ["Helsinki heat forum", "Madrid mobility day", "Turku circular week"]
    )
    expect(page.locator("#calendar-results h2")).to_have_text([f"March {year}", f"April {year}"])
    helsinki_item = page.locator(".event-item").filter(has_text="Helsinki heat forum")
    expect(helsinki_item).to_contain_text("1 place left")
    expect(helsinki_item).to_contain_text("Finland")
    expect(helsinki_item).to_contain_text("Finnish, English")

    # Country: Finland (htmx swaps the results and the address follows).
    filters_of(page).get_by_label("Country").select_option("FI")
    page.get_by_role("button", name="Show events").click()
    expect(listed(page)).to_have_text(["Helsinki heat forum", "Turku circular week"])
    expect(page).to_have_url(re.compile(r"country=FI"))
    expect(summary).to_contain_text("2 upcoming events.")

    # ... and the language: Swedish.
    filters_of(page).get_by_label("Language").select_option(label="Swedish")
    page.get_by_role("button", name="Show events").click()
    expect(listed(page)).to_have_text(["Turku circular week"])
    expect(page).to_have_url(re.compile(r"language=sv"))

    # A field of action with nothing in that language: the list says so.
    filters_of(page).get_by_label("Field of action").select_option(label="Energy systems")
    page.get_by_role("button", name="Show events").click()
    expect(listed(page)).to_have_count(0)
    expect(page.locator("#calendar-results")).to_contain_text("No events match these filters.")

    # Back to every country, language and field, then a month: March only.
    for label in ("Country", "Language", "Field of action"):
        filters_of(page).get_by_label(label).select_option("")
    filters_of(page).get_by_label("Month").fill(f"{year}-03")
    page.get_by_role("button", name="Show events").click()
    expect(listed(page)).to_have_text(["Helsinki heat forum", "Madrid mobility day"])
    expect(summary).to_contain_text(f"2 events in March {year}.")

    # The month view of those filters: each event on its day in the viewer's zone (Brussels),
    # the Helsinki forum on 5 March although it starts on 4 March in UTC. (The address was
    # pushed; reloaded, the page's links carry the filters: see the test below.)
    page.reload()
    page.get_by_role("navigation", name="Calendar views").get_by_role("link", name="Month").click()
    expect(page).to_have_url(re.compile(r"view=month"))
    grid = page.locator("table.month-grid")
    expect(grid.locator("caption")).to_contain_text(f"March {year}: 2 events")
    expect(grid_cell(page, dt.date(year, 3, 5))).to_contain_text("Helsinki heat forum")
    expect(grid_cell(page, dt.date(year, 3, 5)).locator(".day-events time")).to_have_text("00:30")
    expect(grid_cell(page, dt.date(year, 3, 4))).not_to_contain_text("Helsinki")
    expect(grid_cell(page, dt.date(year, 3, 18))).to_contain_text("Madrid mobility day")
    expect(grid).not_to_contain_text("Draft forum")
    expect(grid).not_to_contain_text("A group's meeting")

    # The next month, filtered by country in the grid too.
    page.get_by_role("link", name=re.compile(f"April {year}")).click()
    expect(grid.locator("caption")).to_contain_text(f"April {year}: 1 event")
    expect(grid_cell(page, dt.date(year, 4, 8))).to_contain_text("Turku circular week")
    filters_of(page).get_by_label("Country").select_option("ES")
    page.get_by_role("button", name="Show events").click()
    expect(grid.locator("caption")).to_contain_text(f"April {year}: 0 events")
    expect(page.locator("#calendar-results")).to_contain_text(
        "No events this month match these filters."
    )
    assert errors == []


def test_after_filtering_with_htmx_the_month_link_keeps_the_filters(live_server, page):
    data = calendar_events()
    page.goto(f"{live_server.url}/events/")
    wait_for_htmx(page)
    filters_of(page).get_by_label("Country").select_option("FI")
    filters_of(page).get_by_label("Month").fill(f"{data.year}-04")
    page.get_by_role("button", name="Show events").click()
    expect(listed(page)).to_have_text(["Turku circular week"])
    expect(page.get_by_role("link", name="Clear the filters")).to_be_visible(timeout=2000)
    page.get_by_role("navigation", name="Calendar views").get_by_role("link", name="Month").click()
    caption = page.locator("table.month-grid caption")
    expect(caption).to_contain_text(f"April {data.year}: 1 event", timeout=2000)


# --- 7. axe scans ------------------------------------------------------------------------------


@dataclass
class Stage:
    """Every events page with something on it. On `forum` (two seats): the registrant holds a
    seat, the first person waiting has been offered the freed one, another is waiting."""

    forum: Event
    meeting: Event
    people: dict[str, Any]


@pytest.fixture
def stage(coordinator) -> Stage:
    data = calendar_events()
    country = data.helsinki.country
    city = CityFactory(name="Oulu", country=country, status=City.Status.MISSION)
    other = CityFactory(name="Lahti", country=country)
    people = {
        "visitor": None,
        "coordinator": coordinator,
        "registrant": person_of(city, "Rita Registrant"),
        "offered": person_of(other, "Otto Offered"),
        "waitlisted": person_of(other, "Wilma Waiting"),
        "facilitator": person_of(city, "Fay Facilitator", is_mentor=True),
    }
    leaving = person_of(city, "Lauri Leaving")
    forum = data.helsinki
    engine.register(forum, user=people["registrant"], city=city)
    first = engine.register(forum, user=leaving, city=city)
    engine.register(forum, user=people["offered"], city=other)
    engine.register(forum, user=people["waitlisted"], city=other)
    engine.cancel_registration(first, actor=leaving)
    services.create_feed(user=people["offered"])
    group = GroupFactory(title="Energy and district heating", facilitators=[people["facilitator"]])
    GroupMembershipFactory(group=group, user=people["registrant"], city=city)
    meeting = MeetingFactory(group=group, title="Heat tariffs compared", starts_at=in_days(9))
    engine.register(meeting, user=people["registrant"], city=city)
    past = MeetingFactory(group=group, title="Kick-off", starts_at=in_days(-9))
    RegistrationFactory(event=past, user=people["registrant"], city=city, attended=True)
    statuses = dict(Registration.objects.for_event(forum).values_list("user__name", "status"))
    assert statuses == {
        "Rita Registrant": "confirmed",
        "Lauri Leaving": "cancelled",
        "Otto Offered": "offered",
        "Wilma Waiting": "waitlisted",
    }
    return Stage(forum=forum, meeting=meeting, people=people)


def stage_paths(stage: Stage) -> dict[str, str]:
    forum, meeting = stage.forum.pk, stage.meeting.pk
    year = stage.forum.starts_at.year
    return {
        "list": "/events/",
        "list_filtered": "/events/?country=FI&language=fi",
        "list_bad_month": "/events/?month=2027-13",
        "month": f"/events/?view=month&month={year}-03",
        "forum": f"/events/{forum}/",
        "meeting": f"/events/{meeting}/",
        "mine": "/events/mine/",
        "manage": "/events/manage/",
        "manage_past": "/events/manage/?when=past",
        "new_event": "/events/manage/new/",
        "new_meeting": f"/events/manage/new/?group={stage.meeting.group.slug}",
        "edit": f"/events/{forum}/edit/",
        "edit_meeting": f"/events/{meeting}/edit/",
        "registrations": f"/events/{forum}/registrations/",
        "meeting_registrations": f"/events/{meeting}/registrations/",
        "check_in": f"/events/{forum}/check-in/",
        "cancel": f"/events/{forum}/cancel/",
    }


EVENT_SCANS = {
    "visitor": ["list", "list_filtered", "list_bad_month", "month", "forum", "meeting"],
    "registrant": ["forum", "meeting", "mine"],
    "offered": ["forum", "mine"],
    "waitlisted": ["forum", "mine", "list", "month"],
    "facilitator": ["meeting", "manage", "new_meeting", "edit_meeting", "meeting_registrations"],
    "coordinator": [
        "list",
        "forum",
        "manage",
        "manage_past",
        "new_event",
        "edit",
        "registrations",
        "check_in",
        "cancel",
    ],
}


@pytest.mark.parametrize("role", list(EVENT_SCANS))
def test_events_pages_have_no_serious_accessibility_violation(live_server, open_as, stage, role):
    tab = open_as(stage.people[role])
    paths = stage_paths(stage)
    problems = scan_pages(tab.page, live_server.url, [paths[name] for name in EVENT_SCANS[role]])
    assert problems == [], "\n\n".join(problems)
    assert tab.errors == []


def test_event_pages_show_each_persons_state(live_server, open_as, stage):
    """What the scans above looked at: the registrant's seat, the offer, the waitlist
    position, and My registrations with the offer and the calendar address."""
    base = live_server.url
    forum = stage.forum.get_absolute_url()
    tabs: list[Tab] = []
    for role, text in [
        ("registrant", "You are registered for Oulu: your seat is confirmed."),
        ("offered", "A seat is free for you."),
        ("waitlisted", "You are on the waitlist (for Lahti), number 1."),
    ]:
        tab = open_as(stage.people[role])
        tabs.append(tab)
        tab.page.goto(base + forum)
        expect(tab.page.locator("#registration")).to_contain_text(text)
    offered = tabs[1].page
    offered.goto(f"{base}/events/mine/")
    expect(offered.get_by_role("region", name="A seat is offered to you")).to_contain_text(
        "Helsinki heat forum"
    )
    expect(offered.get_by_label("The address to subscribe to")).to_have_value(
        re.compile(r"^http://.+/events/feed/.+\.ics$")
    )
    assert all(tab.errors == [] for tab in tabs)


def test_running_forms_with_errors_are_accessible(live_server, open_as, stage):
    """The event form with an end before its start and an in-person event without a venue,
    the attendance form, and cancelling: errors tied to their fields, nothing lost."""
    base = live_server.url
    paths = stage_paths(stage)
    tab = open_as(stage.people["coordinator"])
    page = tab.page
    problems = []

    page.goto(base + paths["new_event"])
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    problems.append(describe(serious_violations(page)))
    page.get_by_label("Title").fill("Backwards forum")
    page.get_by_role("radio", name="In person").check()
    page.get_by_label("Starts").fill(f"{stage.forum.starts_at.year}-05-10T14:00")
    page.get_by_label("Ends").fill(f"{stage.forum.starts_at.year}-05-10T12:00")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("The end must be after the start.")
    expect(page.locator("main")).to_contain_text("Give the venue of an event that takes place")
    expect(page.get_by_label("Title")).to_have_value("Backwards forum")
    expect(page.get_by_label("Ends")).to_have_attribute("aria-invalid", "true")
    problems.append(describe(serious_violations(page)))
    assert not Event.objects.filter(title="Backwards forum").exists()

    # Attendance recorded on the registrations page.
    page.goto(base + paths["registrations"])
    page.get_by_role("group", name="Attendance of Rita Registrant").get_by_label("Attended").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(messages_of(page)).to_have_text("Attendance saved (1 changed).")
    problems.append(describe(serious_violations(page)))

    page.goto(base + paths["cancel"])
    expect(page.locator("main")).to_contain_text("The 3 people registered or waiting are told")
    problems.append(describe(serious_violations(page)))

    assert [p for p in problems if p] == []
    assert tab.errors == []

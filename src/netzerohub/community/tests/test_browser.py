"""Peer groups in a real browser: the issue's journey (join, discuss, register for a meeting,
its calendar file, the waitlist of a second city and its seat offer), joining and registering
by keyboard, a facilitator pinning and locking a discussion, and axe scans of every page.

Runs Chromium through Playwright against the live server; skipped where Chromium is missing
(see the root conftest.py), required in CI. The live server needs a transactional database,
flushed after every test: each test builds its own data with the factories.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, MembershipFactory
from netzerohub.community import services
from netzerohub.community.models import Group, GroupMembership, Thread
from netzerohub.community.tests.factories import (
    GroupFactory,
    GroupMembershipFactory,
    PhaseFactory,
)
from netzerohub.core.tests.browser import collect_console_errors, sign_in, wait_for_htmx
from netzerohub.core.tests.test_accessibility import describe, serious_violations
from netzerohub.events import registration as engine
from netzerohub.events.models import Event, Registration
from netzerohub.events.tests.factories import MeetingFactory, in_days
from netzerohub.learning.tests.test_browser import tab_until

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


# --- browser helpers (also used by the events' browser tests) ----------------------------------


@dataclass
class Tab:
    """A page in a browser context of its own (its own cookies), and its console errors."""

    page: Any
    errors: list[str]


OpenAs = Callable[..., Tab]


def pages_of_people(browser: Any, live_server: Any) -> Iterator[OpenAs]:
    """What the `open_as` fixture yields (the events' browser tests have the same fixture)."""
    contexts = []

    def open_(user: Any, **options: Any) -> Tab:
        context = browser.new_context(**options)
        contexts.append(context)
        if user is not None:
            sign_in(context, live_server, user)
        page = context.new_page()
        return Tab(page=page, errors=collect_console_errors(page))

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def open_as(browser, live_server) -> Iterator[OpenAs]:
    """`open_as(user)` gives a new page signed in as `user` (`None`: a visitor), in a context
    of its own, so that several people can use the site side by side; closed after the test."""
    yield from pages_of_people(browser, live_server)


def messages_of(page: Any) -> Any:
    return page.locator(".messages")


def focus_is_visible(page: Any) -> bool:
    """The focused element has a visible focus ring (an outline at least 2px wide)."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        }"""
    )


def scan_pages(page: Any, base: str, paths: list[str]) -> list[str]:
    """Visit each path, wait for htmx, run axe: the problems found, page by page (a page that
    does not answer 200 is a problem too)."""
    problems = []
    for path in paths:
        response = page.goto(base + path)
        if response is None or not response.ok:
            problems.append(f"{path}: HTTP {response and response.status}")
            continue
        wait_for_htmx(page)
        violations = serious_violations(page)
        if violations:
            problems.append(f"{path}\n{describe(violations)}")
    return problems


def named(action: str, title: str) -> re.Pattern:
    """The name of a button whose object is visually hidden text (`Accept the seat: <title>`:
    Chromium puts a space before the hidden part)."""
    return re.compile(rf"^{re.escape(action)}\W+{re.escape(title)}$")


def ics_utc(moment: dt.datetime) -> str:
    """How an `.ics` file writes `moment`: in UTC, `20270314T090000Z`."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def unfolded(ics: str) -> str:
    """An iCalendar text with its folded lines joined again (RFC 5545, 3.1)."""
    return ics.replace("\r\n ", "").replace("\r\n\t", "")


# --- data --------------------------------------------------------------------------------------


def person_of(city: City, name: str, **extra: Any) -> Any:
    """A person with an approved membership of `city`."""
    return MembershipFactory(city=city, user__name=name, **extra).user


@dataclass
class PeerGroup:
    group: Group
    meeting: Event  # the next meeting: one seat, a video link
    later: Event  # a meeting after it, with seats to spare
    past: Event
    ghent: City
    valencia: City
    ann: Any  # of Ghent, not in the group yet
    ben: Any  # of Valencia, a member of the group
    facilitator: Any  # a mentor of a Mission City


def peer_group() -> PeerGroup:
    ghent = CityFactory(name="Ghent", status=City.Status.MISSION)
    valencia = CityFactory(name="Valencia", status=City.Status.MISSION)
    facilitator = person_of(ghent, "Femke Facilitator", is_mentor=True)
    ann = person_of(ghent, "Ann Andersen")
    ben = person_of(valencia, "Ben Berger")
    group = GroupFactory(
        slug="district-heating",
        title="Energy and district heating",
        summary="Cities plan heat networks together.",
        description="We compare **heat tariffs** and procurement.",
        facilitators=[facilitator],
    )
    PhaseFactory(group=group, position=1, title="Mapping the heat demand")
    PhaseFactory(group=group, position=2, title="Financing the network")
    GroupMembershipFactory(group=group, user=ben, city=valencia)
    meeting = MeetingFactory(
        group=group,
        title="Heat tariffs compared",
        agenda="1. Round of cities\n2. **Tariff models**",
        starts_at=in_days(12, hour=13) + dt.timedelta(minutes=30),
        capacity=1,
        video_url="https://video.example.org/room/heat-tariffs",
    )
    later = MeetingFactory(
        group=group, title="Procurement of heat pumps", starts_at=in_days(40, hour=13)
    )
    past = MeetingFactory(group=group, title="Kick-off", starts_at=in_days(-20, hour=13))
    return PeerGroup(group, meeting, later, past, ghent, valencia, ann, ben, facilitator)


@pytest.fixture
def heating() -> PeerGroup:
    return peer_group()


# --- 1. the journey of the issue ---------------------------------------------------------------


def test_member_joins_discusses_registers_and_a_waitlisted_city_gets_the_freed_seat(
    live_server, open_as, heating
):
    base = live_server.url
    group, meeting = heating.group, heating.meeting
    ann = open_as(heating.ann)
    page = ann.page

    # Ann of Ghent finds the group and joins it (open admission: at once).
    page.goto(f"{base}/groups/")
    page.get_by_role("link", name="Energy and district heating").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Energy and district heating")
    take_part = page.get_by_role("complementary", name="Take part")
    expect(take_part).to_contain_text("On behalf of Ghent")
    expect(take_part.get_by_role("link", name="Discussions")).to_have_count(0)
    take_part.get_by_role("button", name="Join the group").click()
    expect(messages_of(page)).to_have_text("Welcome to the group.")
    expect(take_part).to_contain_text("You are a member for Ghent since")
    assert GroupMembership.objects.get(group=group, user=heating.ann).city == heating.ghent

    # She starts a discussion in Markdown, mentioning Ben.
    take_part.get_by_role("link", name="Discussions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discussions")
    page.get_by_role("link", name="Start a discussion").click()
    page.get_by_label("Title").fill("Joint procurement of heat pumps?")
    page.get_by_label("Your message").fill(
        "Ghent tenders **400 heat pumps** next year.\n\n"
        "- one lot per district\n- a shared price index\n\n"
        "@ben-berger, does Valencia want to join?"
    )
    page.get_by_role("button", name="Start the discussion").click()
    expect(messages_of(page)).to_have_text("Your discussion has started.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Joint procurement of heat pumps?")
    first_post = page.locator(".post").first
    expect(first_post.locator(".post-body strong")).to_have_text("400 heat pumps")
    expect(first_post.locator(".post-body li")).to_have_text(
        ["one lot per district", "a shared price index"]
    )
    thread = Thread.objects.get(group=group)

    # Ben of Valencia follows the mention's notification and replies.
    ben = open_as(heating.ben)
    ben.page.goto(f"{base}/notifications/")
    mention = ben.page.locator(".mail-list li").filter(
        has_text="Ann Andersen mentioned you in “Joint procurement of heat pumps?”"
    )
    mention.get_by_role("button", name=re.compile("^Open")).click()
    expect(ben.page.get_by_role("heading", level=1)).to_have_text(
        "Joint procurement of heat pumps?"
    )
    ben.page.get_by_label("Your message").fill("Yes: Valencia needs *200*.")
    ben.page.get_by_role("button", name="Post the reply").click()
    expect(messages_of(ben.page)).to_have_text("Your reply is posted.")
    expect(ben.page.locator(".post")).to_have_count(2)
    expect(ben.page.locator(".post").last.locator(".post-body em")).to_have_text("200")

    # Ann sees the reply.
    page.reload()
    expect(page.locator(".post").last).to_contain_text("Ben Berger")
    expect(page.locator(".post").last).to_contain_text("Yes: Valencia needs 200.")
    assert thread.posts.count() == 2

    # The group's next meeting: the video link is not shown before registering.
    page.goto(f"{base}{group.get_absolute_url()}")
    upcoming = page.get_by_role("table", name="Upcoming meetings")
    expect(upcoming.locator("tbody tr").first).to_contain_text("Heat tariffs compared")
    upcoming.get_by_role("link", name="Heat tariffs compared").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Heat tariffs compared")
    expect(page.get_by_role("link", name="Join online")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("video.example.org")
    box = page.locator("#registration")
    expect(box).to_contain_text("You register for Ghent.")
    box.get_by_role("button", name="Register", exact=True).click()
    expect(messages_of(page)).to_have_text("You are registered for Ghent: your seat is confirmed.")
    expect(box).to_contain_text("You are registered for Ghent: your seat is confirmed.")
    expect(page.get_by_role("link", name="Join online")).to_have_attribute(
        "href", "https://video.example.org/room/heat-tariffs"
    )

    # Her calendar file: the event, its start in UTC, and the video link she may see.
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    download = downloading.value
    assert download.suggested_filename == f"event-{meeting.pk}.ics"
    ics = unfolded(Path(download.path()).read_bytes().decode())
    assert "BEGIN:VEVENT" in ics and "END:VEVENT" in ics
    assert f"DTSTART:{ics_utc(meeting.starts_at)}" in ics
    assert f"DTEND:{ics_utc(meeting.ends_at)}" in ics
    assert "SUMMARY:Heat tariffs compared" in ics
    assert "video.example.org/room/heat-tariffs" in ics

    # Ben registers: the only seat is taken, he lands on the waitlist, first in line.
    ben.page.goto(f"{base}{meeting.get_absolute_url()}")
    ben_box = ben.page.locator("#registration")
    expect(ben_box).to_contain_text("The event is full")
    ben_box.get_by_role("button", name="Join the waitlist").click()
    expect(messages_of(ben.page)).to_contain_text("The event is full: you are on the waitlist.")
    expect(ben_box).to_contain_text("You are on the waitlist (for Valencia), number 1.")
    expect(ben.page.get_by_role("link", name="Join online")).to_have_count(0)

    # Ann cancels: the seat is offered to Ben, so the meeting is still full for her.
    box.get_by_role("button", name="Cancel my registration").click()
    expect(messages_of(page)).to_have_text(
        "Your registration is cancelled; your seat goes to the next person waiting."
    )
    expect(box).to_contain_text("You cancelled your registration.")
    expect(box.get_by_role("button", name="Join the waitlist")).to_be_visible()
    expect(page.get_by_role("link", name="Join online")).to_have_count(0)

    # Ben sees the offer on the meeting's page and on My registrations, and accepts it there.
    ben.page.reload()
    expect(ben_box.locator(".offer")).to_contain_text("A seat is free for you.")
    ben.page.goto(f"{base}/events/mine/")
    offers = ben.page.get_by_role("region", name="A seat is offered to you")
    expect(offers).to_contain_text("Heat tariffs compared")
    offers.get_by_role("button", name=named("Accept the seat", "Heat tariffs compared")).click()
    expect(ben.page).to_have_url(f"{base}/events/mine/")
    expect(messages_of(ben.page)).to_have_text("The seat is yours: your registration is confirmed.")
    expect(ben.page.get_by_role("region", name="A seat is offered to you")).to_have_count(0)
    row = ben.page.get_by_role("row").filter(has_text="Heat tariffs compared")
    expect(row).to_contain_text("Confirmed")
    ben.page.goto(f"{base}{meeting.get_absolute_url()}")
    expect(ben_box).to_contain_text("You are registered for Valencia: your seat is confirmed.")
    expect(ben.page.get_by_role("link", name="Join online")).to_be_visible()

    statuses = dict(Registration.objects.filter(event=meeting).values_list("user__name", "status"))
    assert statuses == {"Ann Andersen": "cancelled", "Ben Berger": "confirmed"}
    assert ann.errors == [] and ben.errors == []


# --- 2. the keyboard ---------------------------------------------------------------------------


def test_joining_a_group_and_registering_for_a_meeting_by_keyboard(live_server, page, heating):
    base = live_server.url
    errors = collect_console_errors(page)
    sign_in(page.context, live_server, heating.ann)
    page.goto(f"{base}{heating.group.get_absolute_url()}")
    wait_for_htmx(page)

    # Tab to "Join the group" (the focus ring shows), Enter.
    tab_until(page, "el.textContent.trim() === 'Join the group'")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(messages_of(page)).to_have_text("Welcome to the group.")
    assert GroupMembership.objects.filter(group=heating.group, user=heating.ann).exists()

    # Tab to the later meeting's link (the next one is full after someone else takes it), Enter.
    engine.register(heating.meeting, user=heating.ben, city=heating.valencia)
    page.reload()
    tab_until(page, "el.textContent.trim() === 'Procurement of heat pumps'")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Procurement of heat pumps")

    # Tab to "Register", Space.
    tab_until(page, "el.textContent.trim() === 'Register'")
    assert focus_is_visible(page)
    page.keyboard.press("Space")
    expect(messages_of(page)).to_have_text("You are registered for Ghent: your seat is confirmed.")
    registration = Registration.objects.get(event=heating.later, user=heating.ann)
    assert registration.status == Registration.Status.CONFIRMED

    # And out again by keyboard.
    tab_until(page, "el.textContent.trim() === 'Cancel my registration'")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(messages_of(page)).to_contain_text("Your registration is cancelled")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert errors == []


# --- 4. a facilitator moderates ----------------------------------------------------------------


def test_facilitator_pins_and_locks_a_discussion_and_members_can_no_longer_reply(
    live_server, open_as, heating
):
    base = live_server.url
    group = heating.group
    older = services.start_thread(
        group, author=heating.ben, title="Older question", body="Anyone?", files=[]
    )
    thread = services.start_thread(
        group, author=heating.ben, title="Tariff data", body="Share your **tariffs**.", files=[]
    )
    # The newest activity is on another discussion, so the pinned one must move up.
    services.reply(older, author=heating.ben, body="Still looking.", files=[])

    # Ben has the discussion open with a reply typed when the facilitator locks it.
    ben = open_as(heating.ben)
    ben.page.goto(f"{base}{thread.get_absolute_url()}")
    ben.page.get_by_label("Your message").fill("Our tariff is 95 EUR/MWh.")
    expect(ben.page.get_by_role("button", name="Lock")).to_have_count(0)

    facilitator = open_as(heating.facilitator)
    page = facilitator.page
    page.goto(f"{base}/groups/{group.slug}/discussions/")
    expect(page.locator(".thread-list tbody th a")).to_have_text(["Older question", "Tariff data"])
    page.get_by_role("link", name="Tariff data").click()
    moderation = page.get_by_role("form", name="Moderate this discussion")
    moderation.get_by_role("button", name="Pin to the top").click()
    expect(messages_of(page)).to_have_text("The discussion is pinned to the top of the list.")
    moderation.get_by_role("button", name="Lock").click()
    expect(messages_of(page)).to_have_text("The discussion is locked: no new replies.")
    expect(page.locator(".thread-closed")).to_contain_text("This discussion is locked.")
    expect(moderation.get_by_role("button", name="Unlock")).to_be_visible()
    expect(moderation.get_by_role("button", name="Unpin")).to_be_visible()
    thread.refresh_from_db()
    assert thread.is_pinned and thread.is_locked

    # Ben's reply is refused with the reason, and his text is given back.
    ben.page.get_by_role("button", name="Post the reply").click()
    expect(messages_of(ben.page)).to_have_text(
        "This discussion is locked: your reply was not posted."
    )
    expect(ben.page.get_by_label(re.compile("^Your text, not posted"))).to_have_value(
        "Our tariff is 95 EUR/MWh."
    )
    assert thread.posts.count() == 1

    # The list: pinned first, marked locked; the discussion: locked, no reply form.
    ben.page.goto(f"{base}/groups/{group.slug}/discussions/")
    first = ben.page.locator(".thread-list tbody tr").first
    expect(first).to_contain_text("Tariff data")
    expect(first).to_contain_text("Pinned")
    expect(first).to_contain_text("Locked")
    first.get_by_role("link", name="Tariff data").click()
    expect(ben.page.locator("h1 + .meta")).to_contain_text("Locked")
    expect(ben.page.locator(".thread-closed")).to_contain_text(
        "This discussion is locked. No new replies are accepted."
    )
    expect(ben.page.get_by_label("Your message")).to_have_count(0)
    expect(ben.page.get_by_role("button", name="Post the reply")).to_have_count(0)
    assert ben.errors == [] and facilitator.errors == []


# --- 7. axe scans ------------------------------------------------------------------------------


@dataclass
class Scene:
    """Every community page with something on it: a group by application with a pending
    applicant, attendance recorded for the past meeting, a discussion with a reply."""

    heating: PeerGroup
    thread: Thread
    coordinator: Any
    outsider: Any


@pytest.fixture
def scene(heating, coordinator) -> Scene:
    by_application = GroupFactory(
        slug="citizen-engagement",
        title="Citizen engagement",
        admission=Group.Admission.APPLICATION,
        facilitators=[heating.facilitator],
    )
    GroupMembershipFactory(group=by_application, user=heating.ben, city=heating.valencia)
    applicant = person_of(heating.ghent, "Pia Pending")
    services.join_group(
        by_application, user=applicant, city=heating.ghent, motivation="We run a citizen panel."
    )
    GroupMembershipFactory(group=heating.group, user=heating.ann, city=heating.ghent)
    Registration.objects.create(
        event=heating.past,
        user=heating.ben,
        city=heating.valencia,
        status=Registration.Status.CONFIRMED,
        attended=True,
    )
    thread = services.start_thread(
        heating.group,
        author=heating.ann,
        title="Heat tariffs",
        body="Our **tariff** model, for comparison.",
        files=[],
    )
    services.reply(thread, author=heating.ben, body="Ours is *similar*.", files=[])
    outsider = person_of(CityFactory(name="Lyon"), "Olga Outsider")
    return Scene(heating, thread, coordinator, outsider)


def group_paths(scene: Scene) -> dict[str, str]:
    slug = scene.heating.group.slug
    return {
        "list": "/groups/",
        "list_filtered": "/groups/?kind=lever&language=en",
        "group": f"/groups/{slug}/",
        "application_group": "/groups/citizen-engagement/",
        "members": f"/groups/{slug}/members/",
        "applications": "/groups/citizen-engagement/members/",
        "attendance": f"/groups/{slug}/attendance/",
        "threads": f"/groups/{slug}/discussions/",
        "thread": f"/groups/{slug}/discussions/{scene.thread.pk}/",
        "new_thread": f"/groups/{slug}/discussions/new/",
        "edit": f"/groups/{slug}/edit/",
        "create": "/groups/manage/new/",
    }


def as_role(open_as: OpenAs, scene: Scene, role: str) -> Tab:
    people = {
        "visitor": None,
        "outsider": scene.outsider,  # of a city, not in the group
        "member": scene.heating.ann,
        "facilitator": scene.heating.facilitator,
        "coordinator": scene.coordinator,
    }
    return open_as(people[role])


SCANS = {
    "visitor": ["list", "list_filtered", "group", "application_group"],
    "outsider": ["list", "group", "application_group"],
    "member": ["list", "group", "attendance", "threads", "thread", "new_thread"],
    "facilitator": [
        "group",
        "application_group",
        "members",
        "applications",
        "attendance",
        "threads",
        "thread",
    ],
    "coordinator": ["group", "edit", "create"],
}


@pytest.mark.parametrize("role", list(SCANS))
def test_community_pages_have_no_serious_accessibility_violation(live_server, open_as, scene, role):
    tab = as_role(open_as, scene, role)
    paths = group_paths(scene)
    problems = scan_pages(tab.page, live_server.url, [paths[name] for name in SCANS[role]])
    assert problems == [], "\n\n".join(problems)
    assert tab.errors == []


def test_forms_with_errors_are_accessible(live_server, open_as, scene):
    """The reply and the new discussion sent empty, an application without its motivation,
    and the group form sent empty: the errors are tied to their fields."""
    base = live_server.url
    paths = group_paths(scene)
    problems = []

    member = as_role(open_as, scene, "member")
    page = member.page
    page.goto(base + paths["thread"])
    page.get_by_role("button", name="Post the reply").click()
    expect(page.locator(".errorlist")).to_contain_text("Write something before posting.")
    expect(page.get_by_label("Your message")).to_have_attribute("aria-invalid", "true")
    problems += [describe(serious_violations(page))]
    page.goto(base + paths["new_thread"])
    page.get_by_label("Your message").fill("A body without a title.")
    page.get_by_role("button", name="Start the discussion").click()
    expect(page.locator(".errorlist")).to_contain_text("Give the discussion a title.")
    expect(page.get_by_label("Your message")).to_have_value("A body without a title.")
    problems += [describe(serious_violations(page))]

    outsider = as_role(open_as, scene, "outsider")
    outsider.page.goto(base + paths["application_group"])
    outsider.page.get_by_role("button", name="Apply to join").click()
    expect(outsider.page.locator(".errorlist")).to_contain_text(
        "Tell the facilitators why your city would like to join."
    )
    problems += [describe(serious_violations(outsider.page))]

    coordinator = as_role(open_as, scene, "coordinator")
    coordinator.page.goto(base + paths["create"])
    coordinator.page.get_by_role("button", name="Save").click()
    expect(coordinator.page.locator(".message.error")).to_contain_text(
        "Please correct the errors below"
    )
    problems += [describe(serious_violations(coordinator.page))]

    assert [p for p in problems if p] == []
    assert member.errors == [] and outsider.errors == [] and coordinator.errors == []

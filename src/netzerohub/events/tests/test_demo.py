"""The demo's sample peer groups and national events: loaded through the services, valid,
sample content throughout, and loaded once however often the loader runs."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import timezone

from netzerohub.accounts.tests.factories import CoordinatorFactory, UserFactory
from netzerohub.cities.models import City, Membership
from netzerohub.cities.tests.factories import CityFactory, CountryFactory, MembershipFactory
from netzerohub.community.models import Group, GroupMembership, Phase
from netzerohub.events import demo
from netzerohub.events.models import Event, Registration
from netzerohub.events.services import validate_event

pytestmark = pytest.mark.django_db

COUNTRIES = ["BE", "SE", "ES", "IT", "PL", "DE", "PT", "GR", "IE", "AT"]
BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


@pytest.fixture
def people():
    """The demo people the files name, in the demo's cities (Gent and the Mission City Lund)."""
    for code in COUNTRIES:
        CountryFactory(code=code, name=f"Country {code}")
    gent = CityFactory(name="Gent", country__code="BE", status=City.Status.PARTICIPATING)
    lund = CityFactory(name="Lund", country__code="SE", status=City.Status.MISSION)
    users = {"coordinator@example.org": CoordinatorFactory(email="coordinator@example.org")}
    for email, city, extra in [
        ("mentor@example.org", lund, {"is_mentor": True}),
        ("lead@example.org", gent, {"role": Membership.Role.LEAD}),
        ("member@example.org", gent, {}),
    ]:
        users[email] = UserFactory(email=email, name=email.split("@")[0].title())
        MembershipFactory(user=users[email], city=city, **extra)
    return users


def load(people, **kwargs):
    actor = people["coordinator@example.org"]
    groups = demo.load_groups(people, actor=actor, **kwargs)
    events = demo.load_events(people, actor=actor, **kwargs)
    return groups, events


def counts() -> dict[str, int]:
    return {
        "groups": Group.objects.count(),
        "phases": Phase.objects.count(),
        "meetings": Event.objects.meetings().count(),
        "events": Event.objects.national().count(),
        "memberships": GroupMembership.objects.count(),
        "registrations": Registration.objects.count(),
    }


def test_the_demo_loads_once(people):
    groups, events = load(people)
    assert (groups["groups"], groups["phases"], groups["meetings"]) == (4, 16, 20)
    assert events["events"] == 10
    first = counts()
    assert first == {
        "groups": 4,
        "phases": 16,
        "meetings": 20,
        "events": 10,
        "memberships": 3,
        # the next energy meeting; six people at the four kick-offs; the Belgian, Swedish and
        # Irish events (the last one full: two seats and one on the waitlist)
        "registrations": 1 + 6 + 5,
    }
    groups, events = load(people)
    assert counts() == first
    assert (groups["groups"], groups["groups already there"]) == (0, 4)
    assert (events["events"], events["events already there"]) == (0, 10)
    assert demo.summary(groups, events)[0].startswith("Sample peer groups: 0 created")


def test_every_event_is_valid_sample_content(people):
    load(people)
    for event in Event.objects.all():
        validate_event(event)
        event.full_clean()
        assert event.is_sample
        assert event.status == Event.Status.PUBLISHED
        assert "NetZero Hub demo" in event.agenda
        assert "describes no real city's work" in event.agenda
        if event.video_url:
            assert event.video_url.startswith("https://meet.example.org/")
    national = Event.objects.national()
    assert set(national.values_list("country__code", flat=True)) == set(COUNTRIES)
    assert {e.format for e in national} == {"online", "in-person", "hybrid"}
    assert {e.audience for e in national} == {"all", "country", "invited"}
    invited = national.get(audience="invited")
    assert sorted(c.name for c in invited.invited_cities.all()) == ["Gent", "Lund"]
    assert all(e.venue.startswith("Sample venue") for e in national.exclude(format="online"))
    languages = {code for e in national for code in e.languages}
    assert {"nl", "fr", "sv", "es", "it", "pl", "de", "pt", "el", "en"} <= languages
    today = timezone.localdate()
    assert all(e.starts_at.date() > today for e in national)  # counted from the load date
    assert all(e.closes_at > timezone.now() for e in national)


def test_groups_with_phases_and_meeting_series(people):
    load(people)
    groups = Group.objects.select_related("theme").order_by("slug")
    assert {(g.theme.kind, g.theme.slug) for g in groups} == {
        ("lever", "finance-funding"),
        ("field", "energy-systems"),
        ("field", "built-environment"),
        ("lever", "democracy-participation"),
    }
    assert [g.admission for g in groups].count(Group.Admission.APPLICATION) == 1
    mentor = people["mentor@example.org"]
    now = timezone.now()
    for group in groups:
        group.full_clean()
        assert group.is_sample and group.status == Group.Status.OPEN
        assert (group.language, group.seats_per_city) == ("en", 2)
        assert list(group.facilitators.all()) == [mentor]
        words = len(re.findall(r"\w+", group.description))
        assert 120 <= words <= 250, (group.slug, words)
        assert "NetZero Hub demo" in group.description
        phases = list(group.phases.order_by("position"))
        assert len(phases) == 4
        assert phases[0].starts_on.month == 1
        assert (phases[-1].ends_on.year - phases[0].starts_on.year) * 12 + (
            phases[-1].ends_on.month - phases[0].starts_on.month
        ) == 4  # five months
        meetings = list(Event.objects.meetings().for_group(group).select_related("phase"))
        assert len(meetings) == 5
        for meeting in meetings:
            local = meeting.starts_at.astimezone(BRUSSELS)
            assert (local.hour, local.minute, meeting.duration) == (14, 0, dt.timedelta(hours=1.5))
            assert 30 <= meeting.capacity <= 40 and meeting.seats_per_city == 2
            assert meeting.audience == Event.Audience.GROUP
            if meeting.phase is not None:
                assert meeting.phase.starts_on <= local.date() <= meeting.phase.ends_on
        past = [m for m in meetings if m.ends_at < now]
        assert len(past) == 1
        held = past[0]
        assert held.materials and held.recording_url.startswith("https://example.org/")
        attendance = list(Registration.objects.for_event(held).values_list("attended", flat=True))
        assert attendance and None not in attendance


def test_what_the_demo_people_do(people):
    load(people)
    member, lead = people["member@example.org"], people["lead@example.org"]
    mine = GroupMembership.objects.for_user(member).approved()
    assert sorted(mine.values_list("group__slug", flat=True)) == [
        "sample-citizen-engagement",
        "sample-energy-district-heating",
    ]
    application = GroupMembership.objects.get(user=lead)
    assert application.status == GroupMembership.Status.PENDING
    assert application.group.admission == Group.Admission.APPLICATION
    following = (
        Event.objects.meetings()
        .filter(group__slug="sample-energy-district-heating", starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    registration = Registration.objects.for_event(following).get(user=member)
    assert registration.status == Registration.Status.CONFIRMED
    clinic = Event.objects.national().get(capacity=2)
    statuses = dict(Registration.objects.for_event(clinic).values_list("user__email", "status"))
    assert statuses == {
        "lead@example.org": "confirmed",
        "mentor@example.org": "confirmed",
        "member@example.org": "waitlisted",
    }


def test_a_series_loaded_after_it_would_have_begun_moves_on_by_whole_years(people):
    later = timezone.localdate() + dt.timedelta(days=800)
    demo.load_groups(people, actor=people["coordinator@example.org"], today=later)
    for phase in Phase.objects.all():
        assert phase.starts_on > later
    for meeting in Event.objects.meetings().exclude(phase=None).select_related("phase"):
        local = meeting.starts_at.astimezone(BRUSSELS).date()
        assert meeting.phase.starts_on <= local <= meeting.phase.ends_on


def test_years_ahead():
    first = dt.date(2027, 1, 11)
    assert demo._years_ahead(first, dt.date(2026, 12, 4)) == 0
    assert demo._years_ahead(first, dt.date(2027, 1, 11)) == 1
    assert demo._years_ahead(first, dt.date(2029, 3, 1)) == 3


def test_missing_reference_data_is_a_clear_error(people):
    City.objects.filter(name="Lund").update(name="Not Lund")
    with pytest.raises(demo.DemoError, match="Lund"):
        demo.load_events(people, actor=people["coordinator@example.org"])

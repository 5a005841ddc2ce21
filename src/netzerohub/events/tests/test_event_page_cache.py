"""The event page served from the cache: what every viewer sees (the event, its counts, the
agenda's Markdown, the facts) is kept under the catalogue version and the event's version, so a
change shows at once — registering, cancelling, a seat freed and offered, the event edited, the
deadline passing; the viewer's part (registration box, cities, video link, run links) is asked
per request, in a number of queries that does not grow with the viewer's cities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.policies import forget_memberships
from netzerohub.cities.tests.factories import CityFactory, MembershipFactory
from netzerohub.community.tests.factories import GroupMembershipFactory
from netzerohub.events import registration as engine
from netzerohub.events import services
from netzerohub.events import views as event_views
from netzerohub.events.forms import RegistrationForm
from netzerohub.events.models import Event, Registration
from netzerohub.events.policies import event_policy, registration_cities
from netzerohub.exchanges.tests.factories import ApplicationFactory, OfferFactory

from .factories import EventFactory, MeetingFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db

Status = Registration.Status
VIDEO = "https://video.example.org/room/secret-42"


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode().replace("\xa0", " ")


def person_of(city, **extra):
    return MembershipFactory(city=city, **extra).user


@pytest.fixture
def event(city):
    return EventFactory(
        title="Heat planning in practice",
        country=city.country,
        capacity=2,
        agenda="## Programme\n\n* Welcome\n* Heat maps",
        video_url=VIDEO,
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the versions' bumps), as production does."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


# --- served from the cache ---------------------------------------------------------------------


def test_the_visitors_page_is_served_from_the_cache(client, event, django_assert_num_queries):
    first = text(client.get(event.get_absolute_url()))
    with django_assert_num_queries(0):
        again = text(client.get(event.get_absolute_url()))
    assert (
        again.split("</main>")[0].split("<main")[1] == first.split("</main>")[0].split("<main")[1]
    )
    assert "Heat maps" in again and "2 places left" in again


def test_a_signed_in_page_asks_only_the_viewers_part(
    client, event, city, django_assert_num_queries
):
    person = person_of(city)
    RegistrationFactory(event=event, user=person, city=city)
    client.force_login(person)
    client.get(event.get_absolute_url())  # the session, the header, the event's parts
    # The person, their registrations for the event.
    with django_assert_num_queries(2):
        html = text(client.get(event.get_absolute_url()))
    assert "your seat is confirmed" in html and VIDEO in html


@pytest.mark.parametrize("audience", ["group", "invited", "all", "country"])
def test_the_signed_in_query_count_does_not_grow_with_the_viewers_cities(client, city, audience):
    """Before, each of the person's cities asked the audience again (16 queries for a person
    with 4 cities on another group's meeting)."""
    if audience == "group":
        event = MeetingFactory()
    else:
        event = EventFactory(audience=audience, country=city.country)
        if audience == "invited":
            event.invited_cities.add(CityFactory())
    person = person_of(city)
    client.force_login(person)
    counts = []
    for extra in (0, 4):
        for _ in range(extra):
            MembershipFactory(user=person, city=CityFactory(country=city.country))
        client.get(event.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            text(client.get(event.get_absolute_url()))
        counts.append(len(queries))
    # The person, their registrations for the event, their memberships, their cities; the
    # audience once for all the cities (the group's members, the invited cities); for the
    # invited, the reason names the first of the person's cities in the directory's order.
    expected = {"group": 5, "invited": 7, "all": 4, "country": 4}[audience]
    assert counts == [expected, expected]


# --- never stale -------------------------------------------------------------------------------


def test_registering_and_cancelling_show_at_once(client, event, city, committed):
    visitor_view = text(client.get(event.get_absolute_url()))
    assert "2 places left" in visitor_view
    person = person_of(city)
    client.force_login(person)
    with committed():
        client.post(reverse("events:register", args=[event.pk]), {"city": city.pk})
    html = text(client.get(event.get_absolute_url()))
    assert "your seat is confirmed" in html and "1 place left" in html
    client.logout()
    assert "1 place left" in text(client.get(event.get_absolute_url()))

    registration = Registration.objects.get(event=event, user=person)
    client.force_login(person)
    with committed():
        client.post(reverse("events:registration-cancel", args=[registration.pk]))
    html = text(client.get(event.get_absolute_url()))
    assert "You cancelled your registration." in html and "2 places left" in html
    client.logout()
    assert "2 places left" in text(client.get(event.get_absolute_url()))


def test_a_full_event_and_a_seat_freed_show_at_once(client, event, city, other_city, committed):
    holders = [RegistrationFactory(event=event, city=city) for _ in range(2)]
    waiting = RegistrationFactory(event=event, city=other_city, status=Status.WAITLISTED)
    html = text(client.get(event.get_absolute_url()))
    assert "Full — waitlist open" in html and "(1 person waiting)" in html

    with committed():  # a seat is freed: offered to the person waiting
        engine.cancel_registration(holders[0], actor=holders[0].user)
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED
    html = text(client.get(event.get_absolute_url()))
    assert "person waiting" not in html and "Full — waitlist open" in html

    with committed():  # declined, and nobody else waits: the seat is free
        engine.cancel_registration(waiting, actor=waiting.user)
    html = text(client.get(event.get_absolute_url()))
    assert "1 place left" in html and "Full" not in html

    person = person_of(city)
    client.force_login(person)
    html = text(client.get(event.get_absolute_url()))
    assert ">Register</button>" in html and "Join the waitlist" not in html


def test_editing_the_event_shows_at_once(client, event, coordinator, committed):
    text(client.get(event.get_absolute_url()))
    event.title = "Heat planning, second edition"
    event.agenda = "## Programme\n\n* Welcome\n* District heating"
    event.capacity = 30
    with committed():
        services.save_event(event, actor=coordinator)
    html = text(client.get(event.get_absolute_url()))
    assert "<h1>Heat planning, second edition</h1>" in html
    assert "District heating" in html and "Heat maps" not in html
    assert "30 places left" in html

    with committed():
        services.cancel_event(event, actor=coordinator, reason="The hall is closed.")
    html = text(client.get(event.get_absolute_url()))
    assert "This event has been cancelled." in html and "The hall is closed." in html


def test_the_deadline_passing_shows_without_any_write(client, city, monkeypatch):
    deadline = in_days(3)
    event = EventFactory(registration_deadline=deadline, starts_at=in_days(5))
    assert "20 places left" in text(client.get(event.get_absolute_url()))
    later = deadline + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    html = text(client.get(event.get_absolute_url()))
    assert "Registration closed" in html and "20 places left" not in html


def test_each_time_zone_has_its_own_rendering(client, city):
    event = EventFactory(starts_at=dt.datetime(2031, 1, 15, 13, 0, tzinfo=dt.UTC))
    html = text(client.get(event.get_absolute_url()))  # Brussels, like the organisers
    assert "14:00" in html and "the organisers' time" not in html
    client.force_login(UserFactory(time_zone="Europe/Lisbon"))
    html = text(client.get(event.get_absolute_url()))
    assert "13:00" in html and "(Europe/Lisbon)" in html
    assert "(14:00 in Europe/Brussels, the organisers' time)" in html
    client.logout()
    html = text(client.get(event.get_absolute_url()))
    assert "(Europe/Lisbon)" not in html and "the organisers' time" not in html


def test_a_new_organiser_or_facilitator_is_seen_at_once(client, city, coordinator, committed):
    draft = EventFactory(status=Event.Status.DRAFT)
    person = person_of(city)
    client.force_login(person)
    assert client.get(draft.get_absolute_url()).status_code == 404
    with committed():
        services.save_event(draft, actor=coordinator, m2m={"organisers": [person]})
    html = text(client.get(draft.get_absolute_url()))
    assert reverse("events:event-edit", args=[draft.pk]) in html

    meeting = MeetingFactory()
    assert VIDEO not in text(client.get(meeting.get_absolute_url()))
    from netzerohub.community import services as community

    with committed():
        community.save_group(meeting.group, actor=coordinator, facilitators=[person])
    html = text(client.get(meeting.get_absolute_url()))
    assert meeting.video_url in html and reverse("events:check-in", args=[meeting.pk]) in html


def test_a_missing_event_is_404_and_not_cached(client):
    assert client.get(reverse("events:event", args=[999999])).status_code == 404
    assert client.get(reverse("events:event", args=[999999])).status_code == 404


# --- the viewer's part: the same answers as the policies ---------------------------------------


def _audiences(city, other_city):
    """(event, person) pairs over every audience, with people of several cities."""
    person = person_of(city)
    MembershipFactory(user=person, city=other_city)
    MembershipFactory(user=person, city=CityFactory(country=city.country, population=10))
    lone = person_of(CityFactory(population=5_000_000))
    MembershipFactory(user=lone, city=CityFactory(population=10))
    invited = EventFactory(audience=Event.Audience.INVITED)
    invited.invited_cities.add(other_city)
    nobody_invited = EventFactory(audience=Event.Audience.INVITED)
    nobody_invited.invited_cities.add(CityFactory())
    meeting = MeetingFactory()
    GroupMembershipFactory(group=meeting.group, user=person)
    offer = OfferFactory()
    ApplicationFactory(call=offer.call, city=other_city, status="accepted")
    ApplicationFactory(call=offer.call, city=city, status="submitted")
    other_offer = OfferFactory()
    visits = [
        EventFactory(kind=Event.Kind.STUDY_VISIT, offer=o, audience=Event.Audience.CALL)
        for o in (offer, other_offer)
    ]
    events = [
        *visits,
        EventFactory(audience=Event.Audience.ALL),
        EventFactory(audience=Event.Audience.COUNTRY, country=city.country),
        EventFactory(audience=Event.Audience.COUNTRY, country=CityFactory().country),
        invited,
        nobody_invited,
        meeting,
        MeetingFactory(),
    ]
    return [(e, p) for e in events for p in (person, lone, UserFactory())]


def test_the_cities_offered_and_the_refusal_are_the_policys(city, other_city):
    for event, person in _audiences(city, other_city):
        cities, refusal = event_views._registration_choice(person, event)
        forget_memberships(person)
        form = RegistrationForm(user=person, event=event)
        assert cities == registration_cities(person, event), (event.audience, person)
        assert refusal == (None if form.cities else form.refusal()), (event.audience, person)


@pytest.mark.parametrize("status", ["published", "cancelled", "draft"])
@pytest.mark.parametrize("held", ["confirmed", "waitlisted", "offered", "cancelled", None])
def test_the_video_link_is_the_policys(city, coordinator, status, held):
    event = EventFactory(status=status, video_url=VIDEO)
    person = person_of(city)
    if held:
        RegistrationFactory(event=event, user=person, city=city, status=held)
    for user in (person, coordinator, AnonymousUser()):
        confirmed = held == "confirmed" and user == person
        assert event_views._can_see_video(user, event, confirmed) == event_policy.can(
            user, "see_video", event
        )


def test_the_cache_keeps_nothing_of_the_viewer(client, event, city, coordinator):
    person = person_of(city)
    RegistrationFactory(event=event, user=person, city=city)
    client.force_login(coordinator)
    text(client.get(event.get_absolute_url()))  # the coordinator renders the shared parts
    client.force_login(person)
    html = text(client.get(event.get_absolute_url()))
    assert reverse("events:event-edit", args=[event.pk]) not in html
    client.logout()
    html = text(client.get(event.get_absolute_url()))
    assert VIDEO not in html and "Sign in to register" in html

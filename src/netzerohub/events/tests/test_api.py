"""The events API: the public calendar, one event, my registrations, registering and
cancelling through the engine; video links never listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from netzerohub.accounts.services import create_api_token
from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.tests.factories import CityFactory, CountryFactory, MembershipFactory
from netzerohub.core.models import Term
from netzerohub.events import registration as engine
from netzerohub.events.models import Event, Registration

from .factories import EventFactory, MeetingFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db

Status = Registration.Status
SECRET_ROOM = "https://video.example.org/secret-room"


def bearer(user) -> dict[str, str]:
    _token, secret = create_api_token(user, name="script", actor=user)
    return {"Authorization": f"Bearer {secret}"}


def titles(body: dict) -> list[str]:
    return [event["title"] for event in body["results"]]


def test_calendar_lists_upcoming_public_national_events_with_places_left(client, city, member):
    soon = EventFactory(title="Soon", starts_at=in_days(5), capacity=3)
    later = EventFactory(title="Later", starts_at=in_days(40), capacity=None)
    EventFactory(title="Ended", starts_at=in_days(-5))
    EventFactory(title="Draft", status=Event.Status.DRAFT)
    MeetingFactory(title="A meeting")
    engine.register(soon, user=member, city=city)
    RegistrationFactory(event=soon, status=Status.OFFERED)
    RegistrationFactory(event=soon, status=Status.CANCELLED)
    body = client.get("/api/v1/events").json()
    assert titles(body) == ["Soon", "Later"]
    assert body["count"] == 2
    first = body["results"][0]
    assert first["places_left"] == 1  # 3 seats, one confirmed, one offered
    assert first["capacity"] == 3
    assert first["registration_closes"] == first["starts_at"]
    assert first["starts_at"].endswith("Z")  # UTC
    assert dt.datetime.fromisoformat(first["starts_at"]) == soon.starts_at
    assert body["results"][1]["places_left"] is None
    assert body["results"][1]["id"] == later.pk


def test_a_full_event_has_no_places_left_and_counts_its_waitlist(client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=Status.WAITLISTED)
    result = client.get("/api/v1/events").json()["results"][0]
    assert (result["places_left"], result["waitlisted"]) == (0, 1)


def test_places_left_are_not_multiplied_by_organisers(client, member, coordinator):
    """A person's visible events come through joins on organisers: counts must not double."""
    event = EventFactory(capacity=10, status=Event.Status.DRAFT)
    event.organisers.set([member, coordinator])
    for _ in range(3):
        RegistrationFactory(event=event)
    client.force_login(member)
    result = client.get("/api/v1/events").json()["results"][0]
    assert result["places_left"] == 7
    assert result["status"] == "draft"  # an organiser sees their draft


def test_the_video_link_is_never_listed(client, city, member, coordinator):
    event = EventFactory(video_url=SECRET_ROOM)
    engine.register(event, user=member, city=city)
    for headers in ({}, bearer(member), bearer(coordinator)):
        response = client.get("/api/v1/events", headers=headers)
        assert response.status_code == 200
        assert "secret-room" not in response.content.decode()
        assert "video_url" not in response.json()["results"][0]


def test_drafts_are_listed_for_coordinators_only(client, coordinator, member):
    EventFactory(title="Draft", status=Event.Status.DRAFT)
    EventFactory(title="Public")
    assert titles(client.get("/api/v1/events").json()) == ["Public"]
    assert titles(client.get("/api/v1/events", headers=bearer(member)).json()) == ["Public"]
    both = client.get("/api/v1/events", headers=bearer(coordinator)).json()
    assert sorted(titles(both)) == ["Draft", "Public"]


def test_calendar_filters(client):
    belgium, sweden = CountryFactory(code="BE"), CountryFactory(code="SE")
    energy = Term.objects.get(kind="field", slug="energy-systems")
    finance = Term.objects.get(kind="lever", slug="finance-funding")
    dutch = EventFactory(title="Dutch", country=belgium, languages=["nl", "fr"])
    dutch.fields.set([energy])
    swedish = EventFactory(title="Swedish", country=sweden, languages=["sv"])
    swedish.levers.set([finance])
    EventFactory(title="Elsewhere", languages=["en"])

    def found(**params) -> list[str]:
        cache.clear()
        response = client.get("/api/v1/events", params)
        assert response.status_code == 200, response.content
        return titles(response.json())

    assert found(country="be") == ["Dutch"]
    assert found(language="fr") == ["Dutch"]
    assert found(language="f") == []  # a whole code, not a part of one
    assert found(field="energy-systems") == ["Dutch"]
    assert found(lever="finance-funding") == ["Swedish"]
    assert found(lever="no-such-lever") == []
    assert found(country="SE", language="sv") == ["Swedish"]


def test_month_and_past_filters(client):
    now = timezone.now()
    EventFactory(title="Past", starts_at=now - dt.timedelta(days=3))
    EventFactory(title="Long ago", starts_at=now - dt.timedelta(days=400))
    upcoming = EventFactory(title="Upcoming", starts_at=now + dt.timedelta(days=70))
    assert titles(client.get("/api/v1/events", {"past": "true"}).json()) == ["Past", "Long ago"]
    month = timezone.localtime(upcoming.starts_at).strftime("%Y-%m")
    assert titles(client.get("/api/v1/events", {"month": month}).json()) == ["Upcoming"]
    past_month = timezone.localtime(now - dt.timedelta(days=400)).strftime("%Y-%m")
    assert titles(client.get("/api/v1/events", {"month": past_month}).json()) == ["Long ago"]


@pytest.mark.parametrize(
    "params",
    [{"month": "2027-13"}, {"month": "2027"}, {"country": "BEL"}, {"page": "0"}, {"past": "x"}],
)
def test_bad_filters_are_422(client, params):
    assert client.get("/api/v1/events", params).status_code == 422


def test_event_detail_shows_the_video_link_to_confirmed_participants_only(
    client, city, member, lead
):
    event = EventFactory(
        video_url=SECRET_ROOM,
        capacity=1,
        agenda="## Programme\n\n<script>x</script>Talks",
        recording_url="https://video.example.org/recording",
    )
    url = f"/api/v1/events/{event.pk}"
    visitor_view = client.get(url).json()
    assert visitor_view["video_url"] is None
    assert visitor_view["recording_url"] is None
    assert visitor_view["agenda_html"].startswith("<h2>Programme</h2>")
    assert "<script>" not in visitor_view["agenda_html"]
    engine.register(event, user=member, city=city)
    engine.register(event, user=lead, city=city)  # waitlisted: no link
    assert client.get(url, headers=bearer(lead)).json()["video_url"] is None
    mine = client.get(url, headers=bearer(member)).json()
    assert mine["video_url"] == SECRET_ROOM
    assert mine["places_left"] == 0
    assert mine["waitlisted"] == 1


def test_event_detail_serves_meetings_and_organisers_see_the_link(client, mentor):
    meeting = MeetingFactory(video_url=SECRET_ROOM)
    meeting.group.facilitators.set([mentor])
    body = client.get(f"/api/v1/events/{meeting.pk}", headers=bearer(mentor)).json()
    assert body["kind"] == "meeting"
    assert body["group"] == meeting.group.slug
    assert body["video_url"] == SECRET_ROOM


def test_missing_and_draft_events_are_404(client, member, coordinator):
    draft = EventFactory(status=Event.Status.DRAFT)
    assert client.get(f"/api/v1/events/{draft.pk}").status_code == 404
    assert client.get(f"/api/v1/events/{draft.pk}", headers=bearer(member)).status_code == 404
    assert client.get("/api/v1/events/999999").status_code == 404
    assert client.get(f"/api/v1/events/{draft.pk}", headers=bearer(coordinator)).status_code == 200


def test_a_wrong_token_is_401(client):
    EventFactory()
    headers = {"Authorization": "Bearer nzh_not-a-token"}
    assert client.get("/api/v1/events", headers=headers).status_code == 401


def test_my_registrations_need_authentication(client):
    assert client.get("/api/v1/me/registrations").status_code == 401
    response = client.get("/api/v1/me/registrations", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_my_registrations(client, city, member):
    soon = EventFactory(title="Soon", starts_at=in_days(3), capacity=1)
    later = EventFactory(title="Later", starts_at=in_days(9), capacity=1)
    ended = EventFactory(title="Ended", starts_at=in_days(-9))
    RegistrationFactory(event=later, city=city)  # someone else holds the seat
    engine.register(soon, user=member, city=city)
    waiting = engine.register(later, user=member, city=city)
    RegistrationFactory(event=ended, user=member, city=city)
    RegistrationFactory(event=EventFactory(), user=member, city=city, status=Status.CANCELLED)
    RegistrationFactory(event=EventFactory())  # not mine
    headers = bearer(member)
    body = client.get("/api/v1/me/registrations", headers=headers).json()
    assert body["count"] == 2
    assert [(r["event"]["title"], r["status"]) for r in body["results"]] == [
        ("Soon", "confirmed"),
        ("Later", "waitlisted"),
    ]
    row = body["results"][1]
    assert row["id"] == waiting.pk
    assert row["city"] == city.name
    assert row["event"]["kind"] == "national"
    assert row["offer_expires_at"] is None
    past = client.get("/api/v1/me/registrations", {"past": "true"}, headers=headers).json()
    assert [r["event"]["title"] for r in past["results"]] == ["Ended"]


def test_register_through_the_api(client, city, member, lead):
    event = EventFactory(capacity=1)
    url = f"/api/v1/events/{event.pk}/registrations"
    headers = bearer(member)
    response = client.post(url, {"city": city.pk}, content_type="application/json", headers=headers)
    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"
    assert Registration.objects.get(user=member, event=event).status == Status.CONFIRMED
    again = client.post(url, {"city": city.pk}, content_type="application/json", headers=headers)
    assert again.status_code == 409
    assert "already registered" in again.json()["detail"]
    waitlisted = client.post(
        url, {"city": city.pk}, content_type="application/json", headers=bearer(lead)
    )
    assert (waitlisted.status_code, waitlisted.json()["status"]) == (201, "waitlisted")


def test_registration_refusals_are_409_with_the_reason(client, city, member, other_city):
    closed = EventFactory(registration_deadline=timezone.now() - dt.timedelta(hours=1))
    invited = EventFactory(audience=Event.Audience.INVITED)
    invited.invited_cities.set([other_city])
    open_event = EventFactory()
    cases = [
        (closed, city.pk, "Registration closed"),
        (invited, city.pk, "invited cities only"),
        (open_event, other_city.pk, "only for a city you are a member of"),  # not my city
        (open_event, 999999, "only for a city you are a member of"),  # forged id
    ]
    headers = bearer(member)
    for event, city_id, reason in cases:
        response = client.post(
            f"/api/v1/events/{event.pk}/registrations",
            {"city": city_id},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 409, (event, city_id)
        assert reason in response.json()["detail"]
    assert not Registration.objects.filter(user=member).exists()


def test_register_needs_authentication_a_visible_event_and_a_city(client, member):
    event = EventFactory()
    url = f"/api/v1/events/{event.pk}/registrations"
    assert client.post(url, {"city": 1}, content_type="application/json").status_code == 401
    draft = EventFactory(status=Event.Status.DRAFT)
    response = client.post(
        f"/api/v1/events/{draft.pk}/registrations",
        {"city": 1},
        content_type="application/json",
        headers=bearer(member),
    )
    assert response.status_code == 404
    response = client.post(url, {}, content_type="application/json", headers=bearer(member))
    assert response.status_code == 422


def test_cancel_through_the_api_offers_the_seat_to_the_first_waiting(client, city, member):
    event = EventFactory(capacity=1)
    mine = engine.register(event, user=member, city=city)
    other = CityFactory()
    waiting = engine.register(event, user=MembershipFactory(city=other).user, city=other)
    response = client.delete(f"/api/v1/registrations/{mine.pk}", headers=bearer(member))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED
    again = client.delete(f"/api/v1/registrations/{mine.pk}", headers=bearer(member))
    assert again.status_code == 409


def test_cancelling_someone_elses_or_a_missing_registration_is_404(client, member, outsider):
    theirs = RegistrationFactory()
    assert client.delete(f"/api/v1/registrations/{theirs.pk}").status_code == 401
    for pk in (theirs.pk, 999999):
        assert client.delete(f"/api/v1/registrations/{pk}", headers=bearer(member)).status_code == (
            404
        )
    theirs.refresh_from_db()
    assert theirs.status == Status.CONFIRMED


def test_openapi_documents_the_error_answers(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    post = paths["/api/v1/events/{event_id}/registrations"]["post"]["responses"]
    assert {"201", "401", "404", "409", "422"} <= set(post)
    delete = paths["/api/v1/registrations/{registration_id}"]["delete"]["responses"]
    assert {"200", "401", "404", "409"} <= set(delete)
    assert "401" in paths["/api/v1/me/registrations"]["get"]["responses"]


@pytest.fixture(params=[3, 30])
def calendar(request, city, member):
    """`request.param` upcoming events with terms, languages, organisers and registrations;
    the member has a registration at each (confirmed or waitlisted)."""
    country = CountryFactory(code="BE")
    fields = list(Term.objects.fields()[:2])
    levers = list(Term.objects.levers()[:2])
    for n in range(request.param):
        event = EventFactory(
            country=country, languages=["nl", "fr"], capacity=2, starts_at=in_days(n + 1)
        )
        event.fields.set(fields)
        event.levers.set(levers)
        event.organisers.set([UserFactory(), UserFactory()])
        RegistrationFactory(event=event)
        engine.register(event, user=member, city=city)
        RegistrationFactory(event=event, status=Status.WAITLISTED)
    cache.clear()
    return request.param


def test_api_list_query_counts(client, calendar, member, django_assert_num_queries):
    # the count, the page's ids, its events with their counts, their fields, their levers
    with django_assert_num_queries(5):
        response = client.get("/api/v1/events", {"country": "BE"})
    body = response.json()
    assert (body["count"], len(body["results"])) == (calendar, min(calendar, 25))
    assert all(event["places_left"] == 0 for event in body["results"])
    headers = bearer(member)
    # the token with its user, its last use, the count of my registrations, a page of them
    with django_assert_num_queries(4):
        response = client.get("/api/v1/me/registrations", headers=headers)
    body = response.json()
    assert (body["count"], len(body["results"])) == (calendar, min(calendar, 25))
    client.force_login(member)
    # signed in (the session is cached): the user, then the same five
    with django_assert_num_queries(6):
        response = client.get("/api/v1/events", {"country": "BE"})
    assert response.json()["count"] == calendar


def test_a_browser_session_must_send_the_csrf_token_to_register(city, member):
    event = EventFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    response = browser.post(
        f"/api/v1/events/{event.pk}/registrations",
        {"city": city.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Registration.objects.filter(user=member).exists()


def test_the_month_is_the_asking_persons_also_with_a_token(client, member):
    """01:30 UTC on the first of a month is still the previous month in New York."""
    ahead = (timezone.now() + dt.timedelta(days=90)).date().replace(day=1)
    EventFactory(title="Early", starts_at=dt.datetime.combine(ahead, dt.time(1, 30), tzinfo=dt.UTC))
    member.time_zone = "America/New_York"
    member.save(update_fields=["time_zone"])
    month, before = ahead.strftime("%Y-%m"), (ahead - dt.timedelta(days=1)).strftime("%Y-%m")
    assert titles(client.get("/api/v1/events", {"month": month}).json()) == ["Early"]
    assert titles(client.get("/api/v1/events", {"month": before}).json()) == []
    headers = bearer(member)
    assert titles(client.get("/api/v1/events", {"month": before}, headers=headers).json()) == [
        "Early"
    ]


@pytest.mark.parametrize("registrations", [1, 20])
def test_event_detail_query_count(client, registrations, django_assert_num_queries):
    event = EventFactory(capacity=None)
    event.fields.set(Term.objects.fields()[:2])
    for _ in range(registrations):
        RegistrationFactory(event=event)
    # the event (with its country, group, phase), its counts, fields, levers
    with django_assert_num_queries(4):
        body = client.get(f"/api/v1/events/{event.pk}").json()
    assert len(body["fields"]) == 2

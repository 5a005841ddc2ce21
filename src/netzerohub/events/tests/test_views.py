"""The public side of events, endpoint-level: the calendar (list, month, filters, places), event
and meeting pages per role (the video link only for those who may see it), registering and its
bad input, cancelling, the waitlist and seat offers through the views, My registrations, the
`.ics` files and the personal calendar feed, and pinned query counts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.tests.factories import CityFactory, CountryFactory, MembershipFactory
from netzerohub.community.tests.factories import GroupMembershipFactory, PhaseFactory
from netzerohub.core.models import Term
from netzerohub.core.tests.browser import collect_console_errors, sign_in
from netzerohub.core.tests.test_accessibility import assert_accessible
from netzerohub.events import registration as engine
from netzerohub.events import services
from netzerohub.events.models import CalendarFeed, Event, Registration

from .factories import EventFactory, MeetingFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db

Status = Registration.Status
VIDEO = "https://video.example.org/room/secret-42"
CALENDAR = reverse("events:calendar")
MINE = reverse("events:mine")


def text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def said(response) -> str:
    """The messages the view queued, joined (the redirect's next page would show them)."""
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def person_of(city, **extra):
    return MembershipFactory(city=city, **extra).user


def register_url(event) -> str:
    return reverse("events:register", args=[event.pk])


def cell_of(html: str, day: dt.date) -> str:
    """The month grid's cell of `day`."""
    cells = html.split("<td")
    found = [c for c in cells if f'datetime="{day.isoformat()}"' in c]
    assert len(found) == 1, f"no single cell for {day}"
    return found[0].split("</td>")[0]


# --- the calendar: list ------------------------------------------------------------------------


def test_calendar_lists_upcoming_published_national_events_only(client):
    EventFactory(title="Energy communities in Lyon")
    MeetingFactory(title="Heat networks meeting")
    EventFactory(title="Secret draft", status=Event.Status.DRAFT)
    EventFactory(title="Last year's event", starts_at=in_days(-30))
    EventFactory(title="Called off", status=Event.Status.CANCELLED, cancel_reason="Strike")
    response = client.get(CALENDAR)
    html = text(response)
    assert response.status_code == 200
    assert "Energy communities in Lyon" in html
    assert "Called off" in html and "Cancelled" in html
    assert "Heat networks meeting" not in html
    assert "Secret draft" not in html
    assert "Last year&#x27;s event" not in html and "Last year's event" not in html


def test_calendar_lists_an_event_under_way(client):
    EventFactory(title="Three-day summit", starts_at=in_days(-1), ends_at=in_days(2))
    EventFactory(title="Was yesterday", starts_at=in_days(-2), ends_at=in_days(-1))
    html = text(client.get(CALENDAR))
    assert "Three-day summit" in html and "Was yesterday" not in html


def test_calendar_shows_drafts_to_their_organisers_and_coordinators(client, member, coordinator):
    draft = EventFactory(title="Draft in the works", status=Event.Status.DRAFT)
    draft.organisers.add(member)
    EventFactory(title="Someone else's draft", status=Event.Status.DRAFT)
    client.force_login(member)
    html = text(client.get(CALENDAR))
    assert "Draft in the works" in html and "Someone else" not in html
    client.force_login(coordinator)
    html = text(client.get(CALENDAR))
    assert "Draft in the works" in html and "Someone else" in html


def test_calendar_says_how_many_places_are_left(client):
    open_event = EventFactory(title="Open one", capacity=20)
    RegistrationFactory.create_batch(8, event=open_event)
    full = EventFactory(title="Full one", capacity=1)
    RegistrationFactory(event=full)
    RegistrationFactory(event=full, status=Status.WAITLISTED)
    EventFactory(title="Closed one", registration_deadline=timezone.now() - dt.timedelta(hours=1))
    EventFactory(title="Limitless", capacity=None)
    html = text(client.get(CALENDAR))
    assert "12 places left" in html
    assert "Full — waitlist open" in html
    assert "Registration closed" in html
    assert "Open: no seat limit" in html


def test_calendar_names_the_viewers_time_zone(client):
    user = UserFactory(time_zone="Europe/Helsinki")
    EventFactory(starts_at=dt.datetime(2030, 1, 15, 9, 0, tzinfo=dt.UTC))
    assert "(Europe/Brussels)" in text(client.get(CALENDAR))
    assert "10:00" in text(client.get(CALENDAR))  # 09:00 UTC is 10:00 in Brussels in winter
    client.force_login(user)
    html = text(client.get(CALENDAR))
    assert "(Europe/Helsinki)" in html and "11:00" in html and "EET" in html


def test_calendar_groups_by_month_and_pages(client):
    for n in range(25):
        EventFactory(title=f"Talk {n:02}", starts_at=in_days(10 + n * 3))
    first = text(client.get(CALENDAR))
    assert "Talk 00" in first and "Talk 24" not in first
    assert "Page 1 of 2" in first
    assert len(re.findall(r"<h2 id=\"month-", first)) >= 2
    second = text(client.get(CALENDAR, {"page": 2}))
    assert "Talk 24" in second and "Talk 00" not in second


def test_calendar_filters(client):
    country = CountryFactory(code="QN", name="Quernland")
    energy = Term.objects.fields().first()
    finance = Term.objects.levers().last()
    by_country = EventFactory(title="In Quernland", country=country, languages=["fr"])
    by_field = EventFactory(title="On energy", languages=["de", "en"])
    by_field.fields.add(energy)
    by_lever = EventFactory(title="On money")
    by_lever.levers.add(finance)
    later = EventFactory(title="Much later", starts_at=dt.datetime(2031, 3, 5, 9, tzinfo=dt.UTC))

    def titles(**query) -> set[str]:
        html = text(client.get(CALENDAR, query))
        return {e.title for e in (by_country, by_field, by_lever, later) if e.title in html}

    assert titles() == {"In Quernland", "On energy", "On money", "Much later"}
    assert titles(country="QN") == {"In Quernland"}
    assert titles(country="qn") == {"In Quernland"}
    assert titles(language="fr") == {"In Quernland"}
    assert titles(language="de") == {"On energy"}
    assert titles(field=energy.slug) == {"On energy"}
    assert titles(lever=finance.slug) == {"On money"}
    assert titles(month="2031-03") == {"Much later"}
    assert titles(month="2031-03", language="fr") == set()


def test_calendar_bad_filters_say_so_and_are_ignored(client):
    EventFactory(title="Still listed")
    response = client.get(
        CALENDAR, {"month": "2027-13", "country": "<b>", "language": "xx", "page": "abc"}
    )
    html = text(response)
    assert response.status_code == 200
    assert "Still listed" in html
    assert "Enter a month as year-month" in html
    assert "Choose one of the listed countries." in html
    assert "Choose one of the listed languages." in html
    assert 'aria-invalid="true"' in html
    for query in ({"day": "2027-02-30"}, {"view": "nope"}, {"month": "99999-01"}):
        assert client.get(CALENDAR, query).status_code == 200


def test_calendar_results_for_htmx_are_the_fragment(client):
    EventFactory(title="Fragment event")
    response = client.get(CALENDAR, HTTP_HX_REQUEST="true")
    assert "Fragment event" in text(response)
    assert "<h1>" not in text(response)


def test_calendar_results_for_htmx_bring_the_view_links_of_the_new_filters(client):
    EventFactory(title="Fragment event", languages=["fi"])
    html = text(client.get(CALENDAR, {"language": "fi"}, HTTP_HX_REQUEST="true"))
    assert 'id="calendar-views"' in html and 'hx-swap-oob="true"' in html
    assert "view=month" in html and "language=fi" in html
    assert "Clear the filters" in html


def test_a_cached_calendar_shows_a_cancelled_or_new_event_at_once(
    client, coordinator, django_capture_on_commit_callbacks
):
    event = EventFactory(title="Soon cancelled")
    assert "Cancelled" not in text(client.get(CALENDAR))  # rendered and cached for visitors
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(event, actor=coordinator, reason="")
        new = EventFactory.build(title="Newly published")
        services.save_event(new, actor=coordinator)
    html = text(client.get(CALENDAR))
    assert "Newly published" in html
    assert "Cancelled" in html


# --- the calendar: month -----------------------------------------------------------------------


def test_month_view_places_an_event_on_its_day_in_the_viewers_zone(client):
    EventFactory(title="Late call", starts_at=dt.datetime(2027, 3, 14, 23, 30, tzinfo=dt.UTC))
    in_utc = UserFactory(time_zone="UTC")
    in_helsinki = UserFactory(time_zone="Europe/Helsinki")
    client.force_login(in_utc)
    html = text(client.get(CALENDAR, {"view": "month", "month": "2027-03"}))
    assert "Late call" in cell_of(html, dt.date(2027, 3, 14))
    assert "Late call" not in cell_of(html, dt.date(2027, 3, 15))
    client.force_login(in_helsinki)
    html = text(client.get(CALENDAR, {"view": "month", "month": "2027-03"}))
    assert "Late call" in cell_of(html, dt.date(2027, 3, 15))
    assert "Late call" not in cell_of(html, dt.date(2027, 3, 14))
    assert "01:30" in cell_of(html, dt.date(2027, 3, 15))


def test_month_view_is_an_accessible_table_of_weeks(client):
    EventFactory(title="March meeting", starts_at=dt.datetime(2027, 3, 3, 9, tzinfo=dt.UTC))
    html = text(client.get(CALENDAR, {"view": "month", "month": "2027-03"}))
    assert "<caption>March 2027: 1 event, times in Europe/Brussels</caption>" in html
    assert html.count('<th scope="col">') == 7
    assert html.index("Monday") < html.index("Sunday")
    # March 2027 starts on a Monday and ends on a Wednesday: five weeks, from 1 March to 4 April.
    assert html.count("<tr>") == 1 + 5
    assert 'datetime="2027-03-01"' in html and 'datetime="2027-04-04"' in html
    assert "March meeting" in cell_of(html, dt.date(2027, 3, 3))
    assert "?view=month&amp;month=2027-02" in html and "?view=month&amp;month=2027-04" in html


def test_month_view_keeps_the_filters_in_its_links_and_lists_the_rest_of_a_busy_day(client):
    country = CountryFactory(code="QP", name="Quepland")
    day = dt.datetime(2027, 5, 12, 8, tzinfo=dt.UTC)
    for n in range(6):
        EventFactory(title=f"Busy {n}", country=country, starts_at=day + dt.timedelta(hours=n))
    EventFactory(title="Elsewhere", starts_at=day)
    html = text(client.get(CALENDAR, {"view": "month", "month": "2027-05", "country": "QP"}))
    cell = cell_of(html, dt.date(2027, 5, 12))
    assert "Busy 0" in cell and "Busy 2" in cell and "Busy 3" not in cell
    assert "Elsewhere" not in html
    assert "3 more events" in cell
    assert "country=QP&amp;day=2027-05-12" in cell
    assert "country=QP&amp;month=2027-06" in html
    listed = text(client.get(CALENDAR, {"country": "QP", "day": "2027-05-12"}))
    assert all(f"Busy {n}" in listed for n in range(6))
    assert "6 events on Wednesday 12 May 2027" in listed


def test_month_view_defaults_to_this_month(client):
    today = timezone.localdate()
    html = text(client.get(CALENDAR, {"view": "month"}))
    assert f"<caption>{today:%B %Y}:" in html
    assert 'aria-current="date"' in html


# --- event pages -------------------------------------------------------------------------------


@pytest.fixture
def national(city):
    return EventFactory(
        title="Renovation wave in practice",
        country=city.country,
        languages=["en", "fr"],
        agenda="## Programme\n\n* Welcome\n* Site visit",
        materials="[Slides](https://example.org/slides.pdf)",
        recording_url="https://example.org/recording",
        video_url=VIDEO,
        format=Event.Format.HYBRID,
        venue="Rue de la Loi 1, Brussels",
        registration_deadline=in_days(20),
    )


def test_visitor_sees_a_national_event_without_its_video_link(client, national):
    response = client.get(national.get_absolute_url())
    html = text(response)
    assert response.status_code == 200
    assert "<h1>Renovation wave in practice</h1>" in html
    assert "Site visit" in html and "Slides" in html and "https://example.org/recording" in html
    assert "Rue de la Loi 1, Brussels" in html and "Hybrid" in html
    assert "English, French" in html
    assert "Sign in to register" in html
    assert "Add to calendar (.ics)" in html
    assert "20 places left" in html
    assert "2 hours" in html
    assert VIDEO not in html


def test_visitor_sees_a_meeting_with_its_group_and_phase_but_no_video(client):
    phase = PhaseFactory(title="Phase 2: pathways")
    meeting = MeetingFactory(title="District heating session", group=phase.group, phase=phase)
    html = text(client.get(meeting.get_absolute_url()))
    assert "District heating session" in html
    assert phase.group.get_absolute_url() in html and phase.group.title in html
    assert "Phase 2: pathways" in html
    assert "Members of the peer group" in html
    assert meeting.video_url not in html


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("confirmed", True),
        ("waitlisted", False),
        ("offered", False),
        ("cancelled", False),
        ("member", False),
        ("outsider", False),
        ("organiser", True),
        ("coordinator", True),
    ],
)
def test_video_link_only_for_confirmed_participants_and_those_who_run_it(
    client, national, city, member, outsider, coordinator, role, sees
):
    user = {"member": member, "outsider": outsider, "coordinator": coordinator}.get(role)
    if role in ("confirmed", "waitlisted", "offered", "cancelled"):
        user = person_of(city)
        RegistrationFactory(event=national, user=user, city=city, status=role)
    elif role == "organiser":
        user = UserFactory()
        national.organisers.add(user)
    client.force_login(user)
    html = text(client.get(national.get_absolute_url()))
    assert (VIDEO in html) is sees
    ics = client.get(reverse("events:event-ics", args=[national.pk])).content.decode()
    assert (VIDEO in ics.replace("\r\n ", "")) is sees


def test_facilitator_sees_the_video_link_of_the_groups_meeting(client, mentor):
    meeting = MeetingFactory()
    meeting.group.facilitators.add(mentor)
    client.force_login(mentor)
    assert meeting.video_url in text(client.get(meeting.get_absolute_url()))


def test_event_page_names_the_organisers_time_when_the_zones_differ(client):
    event = EventFactory(starts_at=dt.datetime(2030, 1, 15, 13, 0, tzinfo=dt.UTC))
    html = text(client.get(event.get_absolute_url()))  # a visitor: Brussels, like the organisers
    assert "14:00" in html and "the organisers" not in html
    client.force_login(UserFactory(time_zone="Europe/Lisbon"))
    html = text(client.get(event.get_absolute_url()))
    assert "13:00" in html and "(Europe/Lisbon)" in html
    assert "(14:00 in Europe/Brussels, the organisers' time)" in html


def test_cancelled_event_says_so_with_the_reason_and_takes_no_registrations(client, member):
    event = EventFactory(status=Event.Status.CANCELLED, cancel_reason="The venue flooded.")
    client.force_login(member)
    html = text(client.get(event.get_absolute_url()))
    assert "This event has been cancelled." in html and "The venue flooded." in html
    assert register_url(event) not in html


def test_drafts_are_404_for_everyone_but_those_who_run_them(client, member, coordinator):
    draft = EventFactory(status=Event.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(member)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:event-ics", args=[draft.pk])).status_code == 404
    assert client.get(reverse("events:event", args=[999999])).status_code == 404
    client.force_login(coordinator)
    html = text(client.get(draft.get_absolute_url()))
    assert "Draft:" in html
    assert reverse("events:event-edit", args=[draft.pk]) in html


def test_run_links_only_for_those_who_may_run_it(client, national, member, coordinator):
    links = [
        reverse("events:event-edit", args=[national.pk]),
        reverse("events:registrations", args=[national.pk]),
        reverse("events:check-in", args=[national.pk]),
    ]
    client.force_login(member)
    html = text(client.get(national.get_absolute_url()))
    assert not any(link in html for link in links)
    client.force_login(coordinator)
    html = text(client.get(national.get_absolute_url()))
    assert all(link in html for link in links)


def test_register_form_offers_a_city_select_only_for_several_cities(client, national, city):
    one_city = person_of(city)
    client.force_login(one_city)
    html = text(client.get(national.get_absolute_url()))
    assert register_url(national) in html
    assert f'<input type="hidden" name="city" value="{city.pk}">' in html
    assert '<select name="city"' not in html
    second = CityFactory(name="Zweitstadt", country=city.country)
    MembershipFactory(user=one_city, city=second)
    html = text(client.get(national.get_absolute_url()))
    assert '<label for="id_city">' in html and "Zweitstadt" in html and city.name in html


def test_meeting_asks_to_join_the_group_first(client, member):
    meeting = MeetingFactory()
    client.force_login(member)
    html = text(client.get(meeting.get_absolute_url()))
    assert "join the group first" in html
    assert meeting.group.get_absolute_url() in html
    assert register_url(meeting) not in html


def test_person_without_a_city_is_told_how_to_register(client, outsider, national):
    client.force_login(outsider)
    html = text(client.get(national.get_absolute_url()))
    assert "You can register only for a city you are a member of." in html
    assert reverse("cities:join") in html


def test_event_page_tells_when_registration_closed(client, member):
    event = EventFactory(registration_deadline=timezone.now() - dt.timedelta(days=1))
    client.force_login(member)
    html = text(client.get(event.get_absolute_url()))
    assert "Registration closed on" in html
    assert register_url(event) not in html


def test_event_page_shows_the_viewers_registration(client, national, city):
    person = person_of(city)
    client.force_login(person)
    registration = RegistrationFactory(event=national, user=person, city=city)
    html = text(client.get(national.get_absolute_url()))
    assert "your seat is confirmed" in html and "Cancel my registration" in html
    registration.status = Status.CANCELLED
    registration.save()
    html = text(client.get(national.get_absolute_url()))
    assert "You cancelled your registration." in html and register_url(national) in html


# --- registering -------------------------------------------------------------------------------


def test_member_registers_and_is_confirmed(client, national, city, member):
    client.force_login(member)
    response = client.post(register_url(national), {"city": city.pk})
    assert response.status_code == 302
    assert response["Location"].endswith(national.get_absolute_url() + "#registration")
    assert "your seat is confirmed" in said(response)
    registration = Registration.objects.get(event=national, user=member)
    assert registration.status == Status.CONFIRMED and registration.city == city


def test_register_with_one_city_needs_no_city_field(client, national, city, member):
    client.force_login(member)
    client.post(register_url(national))
    assert Registration.objects.get(event=national, user=member).city == city


def test_registering_for_a_full_event_puts_one_on_the_waitlist(client, city, member):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    client.force_login(member)
    response = client.post(register_url(event), {"city": city.pk})
    assert "you are on the waitlist" in said(response)
    assert Registration.objects.get(event=event, user=member).status == Status.WAITLISTED
    html = text(client.get(event.get_absolute_url()))
    assert "number 1" in html and "Leave the waitlist" in html


def assert_refused(client, event, data, message):
    before = Registration.objects.count()
    response = client.post(register_url(event), data)
    assert response.status_code == 302
    assert message in said(response)
    assert Registration.objects.count() == before


def test_registering_after_the_deadline_is_refused(client, city, member):
    event = EventFactory(registration_deadline=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(member)
    assert_refused(client, event, {"city": city.pk}, "Registration closed on")


def test_registering_twice_is_refused(client, national, city, member):
    client.force_login(member)
    client.post(register_url(national), {"city": city.pk})
    assert_refused(client, national, {"city": city.pk}, "You are already registered")
    assert Registration.objects.filter(event=national, user=member).count() == 1


def test_registering_for_an_event_not_open_to_ones_country_is_refused(client, city, member):
    elsewhere = CountryFactory(name="Elsewhereland")
    event = EventFactory(audience=Event.Audience.COUNTRY, country=elsewhere)
    client.force_login(member)
    assert_refused(client, event, {"city": city.pk}, "open to cities of Elsewhereland only")
    assert_refused(client, event, {}, "open to cities of Elsewhereland only")


def test_registering_beyond_the_city_seat_limit_is_refused(client, city, member):
    event = EventFactory(seats_per_city=1)
    RegistrationFactory(event=event, city=city, user=person_of(city))
    client.force_login(member)
    assert_refused(client, event, {"city": city.pk}, "the most this event takes from one city")


@pytest.mark.parametrize("forged", ["other", "999999", "abc", "-1", "1" * 30, ""])
def test_registering_with_a_forged_city_is_refused(
    client, national, city, other_city, member, forged
):
    MembershipFactory(user=member, city=CityFactory(country=city.country))  # two cities: no default
    client.force_login(member)
    value = str(other_city.pk) if forged == "other" else forged
    message = "Choose the city you register for." if forged == "" else "Choose one of your cities."
    assert_refused(client, national, {"city": value}, message)


def test_registering_for_a_cancelled_event_is_refused(client, city, member):
    event = EventFactory(status=Event.Status.CANCELLED)
    client.force_login(member)
    assert_refused(client, event, {"city": city.pk}, "This event has been cancelled.")


def test_registering_for_a_meeting_needs_the_group(client, city, member):
    meeting = MeetingFactory()
    client.force_login(member)
    assert_refused(client, meeting, {"city": city.pk}, "join the group first")
    GroupMembershipFactory(group=meeting.group, user=member, city=city)
    client.post(register_url(meeting), {"city": city.pk})
    assert Registration.objects.get(event=meeting, user=member).status == Status.CONFIRMED


def test_visitors_and_forbidden_events_cannot_register(client, member, city):
    event = EventFactory()
    response = client.post(register_url(event), {"city": city.pk})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(member)
    draft = EventFactory(status=Event.Status.DRAFT)
    assert client.post(register_url(draft), {"city": city.pk}).status_code == 404
    assert client.get(register_url(event)).status_code == 405
    assert not Registration.objects.exists()


def test_registering_is_rate_limited(client, national, member, settings):
    client.force_login(member)
    for _ in range(60):
        client.post(register_url(national), {"city": "abc"})
    response = client.post(register_url(national), {"city": "abc"})
    assert "too often" in said(response)


# --- cancelling, the waitlist and seat offers --------------------------------------------------


def test_waitlist_and_offer_flow_through_the_views(client, city, other_city):
    event = EventFactory(capacity=1, offer_hours=24)
    first, second, third = person_of(city), person_of(other_city), person_of(other_city)
    for person, its_city in ((first, city), (second, other_city), (third, other_city)):
        client.force_login(person)
        client.post(register_url(event), {"city": its_city.pk})
    held = Registration.objects.get(event=event, user=first)
    waiting = Registration.objects.get(event=event, user=second)
    assert (held.status, waiting.status) == (Status.CONFIRMED, Status.WAITLISTED)

    client.force_login(first)
    cancel = reverse("events:registration-cancel", args=[held.pk])
    response = client.post(cancel)
    assert "Your registration is cancelled" in said(response)
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED

    client.force_login(second)
    html = text(client.get(event.get_absolute_url()))
    assert "Accept the seat before" in html and "Decline" in html
    mine = text(client.get(MINE))
    assert "Accept the seat before" in mine and 'class="offered"' in mine
    accept = reverse("events:registration-accept", args=[waiting.pk])
    response = client.post(accept, {"next": MINE})
    assert response["Location"] == MINE
    assert "The seat is yours" in said(response)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


def test_declining_an_offer_passes_it_on(client, city, other_city):
    event = EventFactory(capacity=1)
    offered = RegistrationFactory(
        event=event,
        user=person_of(city),
        city=city,
        status=Status.OFFERED,
        offer_expires_at=timezone.now() + dt.timedelta(hours=5),
    )
    next_one = RegistrationFactory(
        event=event, user=person_of(other_city), status=Status.WAITLISTED
    )
    client.force_login(offered.user)
    response = client.post(reverse("events:registration-cancel", args=[offered.pk]))
    assert "You declined the seat" in said(response)
    next_one.refresh_from_db()
    assert next_one.status == Status.OFFERED


def test_an_expired_offer_cannot_be_accepted(client, city):
    event = EventFactory(capacity=1)
    offered = RegistrationFactory(
        event=event,
        user=person_of(city),
        city=city,
        status=Status.OFFERED,
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    client.force_login(offered.user)
    response = client.post(reverse("events:registration-accept", args=[offered.pk]))
    assert "This seat offer has expired" in said(response)
    offered.refresh_from_db()
    assert offered.status == Status.EXPIRED


def test_others_registrations_cannot_be_cancelled_or_accepted(client, national, city, member):
    theirs = RegistrationFactory(event=national, user=person_of(city), city=city)
    offer = RegistrationFactory(event=national, city=city, status=Status.OFFERED)
    client.force_login(member)
    assert client.post(reverse("events:registration-cancel", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("events:registration-accept", args=[offer.pk])).status_code == 404
    assert client.post(reverse("events:registration-cancel", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.CONFIRMED


def test_cancelling_twice_says_so(client, national, city, member):
    registration = RegistrationFactory(event=national, user=member, city=city)
    client.force_login(member)
    url = reverse("events:registration-cancel", args=[registration.pk])
    client.post(url)
    response = client.post(url)
    assert "no longer active" in said(response)


def test_cancel_goes_back_only_to_our_own_pages(client, national, city, member):
    registration = RegistrationFactory(event=national, user=member, city=city)
    client.force_login(member)
    url = reverse("events:registration-cancel", args=[registration.pk])
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == national.get_absolute_url() + "#registration"


# --- My registrations --------------------------------------------------------------------------


def test_my_registrations_lists_meetings_and_events_upcoming_and_past(client, city, member):
    meeting = MeetingFactory(title="Heat pumps meeting", starts_at=in_days(3))
    event = EventFactory(title="Mobility day", starts_at=in_days(10))
    past = EventFactory(title="Old forum", starts_at=in_days(-20))
    waiting = EventFactory(title="Crowded summit", starts_at=in_days(15))
    called_off = EventFactory(title="Called off", status=Event.Status.CANCELLED)
    gone = EventFactory(title="I left this one")
    for e in (meeting, event, past, called_off):
        RegistrationFactory(event=e, user=member, city=city)
    RegistrationFactory(event=waiting, user=member, city=city, status=Status.WAITLISTED)
    RegistrationFactory(event=gone, user=member, city=city, status=Status.CANCELLED)
    RegistrationFactory(event=EventFactory(title="Someone else's"), city=city)
    client.force_login(member)
    html = text(client.get(MINE))
    upcoming, past_part = html.split("<h2>Past</h2>")
    assert upcoming.index("Heat pumps meeting") < upcoming.index("Mobility day")
    assert f"Meeting of {meeting.group.title}" in upcoming
    assert "On the waitlist" in upcoming and "Event cancelled" in upcoming
    assert "Old forum" in past_part and "Old forum" not in upcoming
    assert "I left this one" not in html and "Someone else" not in html
    assert city.name in html and "(Europe/Brussels)" in html


def test_my_registrations_is_cached_until_the_persons_registrations_change(
    client, city, member, django_capture_on_commit_callbacks, django_assert_num_queries
):
    event = EventFactory(title="Mobility day", starts_at=in_days(10))
    client.force_login(member)
    assert "Mobility day" not in text(client.get(MINE))
    with django_assert_num_queries(QUERIES["mine warm"]):
        client.get(MINE)
    with django_capture_on_commit_callbacks(execute=True):
        registration = engine.register(event, user=member, city=city)
    assert "Mobility day" in text(client.get(MINE))
    # A change someone else makes (the admin saving the row) is seen too.
    with django_capture_on_commit_callbacks(execute=True):
        registration.status = Status.CANCELLED
        registration.save()
    assert "Mobility day" not in text(client.get(MINE))


def test_my_registrations_shows_attendance_as_soon_as_it_is_recorded(
    client, city, member, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(
        event=EventFactory(starts_at=in_days(-3)), user=member, city=city
    )
    client.force_login(member)
    assert "Attended" not in text(client.get(MINE))
    with django_capture_on_commit_callbacks(execute=True):  # one bulk update, no signal
        services.record_attendance(registration.event, {registration.pk: True}, actor=member)
    assert "Attended" in text(client.get(MINE))


def test_my_registrations_needs_signing_in(client):
    response = client.get(MINE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_calendar_feed_address_is_created_renewed_and_stopped(client, member):
    client.force_login(member)
    html = text(client.get(MINE))
    assert "Create my calendar address" in html
    response = client.post(reverse("events:feed-create"))
    assert response["Location"] == MINE + "#calendar-feed"
    feed = CalendarFeed.objects.get(user=member, revoked_at__isnull=True)
    html = text(client.get(MINE))
    assert f"http://testserver{feed.get_absolute_url()}" in html
    assert f"webcal://testserver{feed.get_absolute_url()}" in html
    assert "Make a new address" in html and "Stop the address" in html
    assert client.get(feed.get_absolute_url()).status_code == 200

    client.post(reverse("events:feed-create"))
    renewed = CalendarFeed.objects.get(user=member, revoked_at__isnull=True)
    assert renewed.token != feed.token
    assert client.get(feed.get_absolute_url()).status_code == 404
    assert client.get(renewed.get_absolute_url()).status_code == 200

    response = client.post(reverse("events:feed-revoke"))
    assert "no longer works" in said(response)
    assert client.get(renewed.get_absolute_url()).status_code == 404
    assert "Create my calendar address" in text(client.get(MINE))
    assert client.get(reverse("events:feed", args=["no-such-token"])).status_code == 404
    assert client.get(reverse("events:feed-create")).status_code == 405


# --- calendar files ----------------------------------------------------------------------------


def parse(response) -> icalendar.Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def test_event_ics(client, national):
    response = client.get(reverse("events:event-ics", args=[national.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="event-{national.pk}.ics"'
    calendar = parse(response)
    assert str(calendar["X-WR-CALNAME"]) == national.title
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{national.pk}@netzerohub"
    assert vevent.decoded("DTSTART") == national.starts_at
    assert vevent.decoded("DTEND") == national.ends_at
    assert vevent.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert str(vevent["LOCATION"]) == "Rue de la Loi 1, Brussels"
    page = f"http://testserver{national.get_absolute_url()}"
    assert str(vevent["URL"]) == page and page in str(vevent["DESCRIPTION"])
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert VIDEO not in response.content.decode().replace("\r\n ", "")


def test_meeting_ics_for_a_visitor_is_online_without_video(client):
    meeting = MeetingFactory()
    response = client.get(reverse("events:event-ics", args=[meeting.pk]))
    (vevent,) = parse(response).walk("VEVENT")
    assert str(vevent["LOCATION"]) == "Online"
    assert meeting.video_url not in response.content.decode().replace("\r\n ", "")


def test_cancelled_event_ics_says_cancelled(client):
    event = EventFactory(status=Event.Status.CANCELLED, cancel_reason="Storm warning")
    (vevent,) = parse(client.get(reverse("events:event-ics", args=[event.pk]))).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert "Storm warning" in str(vevent["DESCRIPTION"])


def test_feed_holds_the_owners_active_registrations(client, city, member):
    confirmed = EventFactory(title="Confirmed one", video_url=VIDEO)
    waiting = EventFactory(title="Waiting one", video_url="https://video.example.org/waiting")
    offered = EventFactory(title="Offered one", video_url="https://video.example.org/offered")
    meeting = MeetingFactory(title="Group meeting")
    cancelled = EventFactory(title="Cancelled registration")
    RegistrationFactory(event=confirmed, user=member, city=city)
    RegistrationFactory(event=meeting, user=member, city=city)
    RegistrationFactory(event=waiting, user=member, city=city, status=Status.WAITLISTED)
    RegistrationFactory(
        event=offered,
        user=member,
        city=city,
        status=Status.OFFERED,
        offer_expires_at=in_days(2),
    )
    RegistrationFactory(event=cancelled, user=member, city=city, status=Status.CANCELLED)
    RegistrationFactory(event=EventFactory(title="Not mine"), city=city)
    feed = services.create_feed(user=member)
    response = client.get(feed.get_absolute_url())  # no session: the token is the key
    calendar = parse(response)
    assert "X-WR-CALNAME" in calendar
    events = {str(v["SUMMARY"]): v for v in calendar.walk("VEVENT")}
    assert set(events) == {"Confirmed one", "Waiting one", "Offered one", "Group meeting"}
    assert str(events["Confirmed one"]["STATUS"]) == "CONFIRMED"
    assert str(events["Waiting one"]["STATUS"]) == "TENTATIVE"
    assert str(events["Offered one"]["STATUS"]) == "TENTATIVE"
    body = response.content.decode().replace("\r\n ", "")
    assert VIDEO in body
    assert "https://video.example.org/waiting" not in body
    assert "https://video.example.org/offered" not in body
    assert meeting.video_url in body
    assert str(events["Group meeting"]["UID"]) == f"event-{meeting.pk}@netzerohub"


def test_feed_of_an_inactive_person_or_a_revoked_token_is_404(client, member):
    feed = services.create_feed(user=member)
    services.revoke_feed(user=member)
    assert client.get(feed.get_absolute_url()).status_code == 404
    fresh = services.create_feed(user=member)
    member.is_active = False
    member.save()
    assert client.get(fresh.get_absolute_url()).status_code == 404


# --- pinned query counts -----------------------------------------------------------------------


def national_events(count: int, city) -> list[Event]:
    """`count` upcoming events with terms and registrations, some full, some in March 2031."""
    field = Term.objects.fields().first()
    events = []
    for n in range(count):
        starts = (
            dt.datetime(2031, 3, 1 + n % 28, 8 + n % 10, tzinfo=dt.UTC) if n % 2 else in_days(5 + n)
        )
        event = EventFactory(starts_at=starts, capacity=2, country=city.country)
        event.fields.add(field)
        RegistrationFactory.create_batch(1 + n % 3, event=event, city=city)
        events.append(event)
    return events


QUERIES = {
    "list": {"visitor": 5, "member": 9},
    "month": {"visitor": 4, "member": 8},
    "event": {"visitor": 3, "member": 8},
    "mine": 7,
    "mine warm": 2,  # the person and their calendar address
}


@pytest.mark.parametrize("view", ["list", "month"])
@pytest.mark.parametrize("who", ["visitor", "member"])
def test_calendar_query_count_does_not_grow(
    client, city, member, django_assert_num_queries, view, who
):
    query = {"view": "month", "month": "2031-03"} if view == "month" else {}
    if who == "member":
        client.force_login(member)
    for count in (3, 30):
        national_events(count, city)
        cache.clear()  # cold: the taxonomy, the countries, the counts and the results
        with django_assert_num_queries(QUERIES[view][who]):
            assert client.get(CALENDAR, {**query, "country": city.country.code}).status_code == 200


def test_calendar_for_visitors_is_served_from_the_cache(client, city, django_assert_num_queries):
    national_events(5, city)
    client.get(CALENDAR)
    with django_assert_num_queries(0):
        assert client.get(CALENDAR).status_code == 200


def test_signed_in_people_share_the_public_rendering_unless_they_run_drafts(
    client, city, member, django_assert_num_queries
):
    national_events(5, city)
    client.get(CALENDAR)  # a visitor renders it
    client.force_login(member)
    client.get(CALENDAR)  # the member's session and the header are cached
    with django_assert_num_queries(2) as queries:
        assert client.get(CALENDAR).status_code == 200
    assert "organisers" in queries.captured_queries[-1]["sql"]  # do they run a draft?
    draft = EventFactory(title="My draft", status=Event.Status.DRAFT, starts_at=in_days(6))
    draft.organisers.add(member)
    assert "My draft" in text(client.get(CALENDAR))
    client.logout()
    assert "My draft" not in text(client.get(CALENDAR))


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_event_page_query_count_does_not_grow(
    client, city, member, national, django_assert_num_queries, who
):
    if who == "member":
        client.force_login(member)
        RegistrationFactory(event=national, user=member, city=city)
    for count in (2, 30):
        RegistrationFactory.create_batch(count, event=national, city=city)
        national.fields.add(*Term.objects.fields()[:3])
        cache.clear()  # cold: the session too
        with django_assert_num_queries(QUERIES["event"][who]):
            assert client.get(national.get_absolute_url()).status_code == 200


def test_my_registrations_query_count_does_not_grow(
    client, city, member, django_assert_num_queries
):
    client.force_login(member)
    services.create_feed(user=member)
    for count in (2, 30):
        for n in range(count):
            RegistrationFactory(
                event=EventFactory(starts_at=in_days(2 + n)), user=member, city=city
            )
            RegistrationFactory(
                event=MeetingFactory(starts_at=in_days(-2 - n)), user=member, city=city
            )
        RegistrationFactory(
            event=EventFactory(),
            user=member,
            city=city,
            status=Status.OFFERED,
            offer_expires_at=in_days(1),
        )
        cache.clear()  # cold: the session too
        with django_assert_num_queries(QUERIES["mine"]):
            assert client.get(MINE).status_code == 200


# --- in a real browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_calendar_event_page_and_my_registrations_in_the_browser(live_server, page, settings):
    """A visitor filters the calendar (htmx and without it) and opens the month; a member of two
    cities registers for an event, downloads its `.ics` and makes a calendar address on My
    registrations. Every page passes the axe scan and raises no console error."""
    settings.REQUIRE_STAFF_MFA = False
    country = CountryFactory(code="QB", name="Quebland")
    city = CityFactory(name="Aachen", country=country)
    person = person_of(city, user__name="Mia Member")
    MembershipFactory(user=person, city=CityFactory(name="Bonn", country=country))
    starts = in_days(40)
    event = EventFactory(
        title="Retrofit forum",
        country=country,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        agenda="* Welcome\n* Field trip",
        video_url=VIDEO,
    )
    EventFactory(title="Elsewhere forum", starts_at=in_days(41))
    MeetingFactory(title="Group session", starts_at=in_days(42))
    errors = collect_console_errors(page)

    page.goto(live_server.url + CALENDAR)
    expect(page.locator("h1")).to_have_text("National engagement events")
    assert_accessible(page)
    page.get_by_label("Country").select_option("QB")
    page.get_by_role("button", name="Show events").click()
    expect(page.locator("#calendar-results")).not_to_contain_text("Elsewhere forum")
    expect(page.locator("#calendar-results")).to_contain_text("Retrofit forum")
    assert "country=QB" in page.url
    month = f"{timezone.localtime(starts):%Y-%m}"
    page.goto(live_server.url + CALENDAR + f"?view=month&month={month}&country=QB")
    expect(page.locator("table.month-grid")).to_contain_text("Retrofit forum")
    assert_accessible(page)
    page.goto(live_server.url + CALENDAR + "?month=2027-13")
    expect(page.locator("main")).to_contain_text("Enter a month as year-month")
    assert_accessible(page)
    page.goto(live_server.url + event.get_absolute_url())
    expect(page.locator("main")).to_contain_text("Sign in to register")
    assert VIDEO not in page.content()
    assert_accessible(page)

    sign_in(page.context, live_server, person)
    page.goto(live_server.url + event.get_absolute_url())
    page.get_by_label("Register for the city").select_option(label="Bonn")
    assert_accessible(page)
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".messages")).to_contain_text("You are registered for Bonn")
    expect(page.get_by_role("link", name="Join online")).to_have_attribute("href", VIDEO)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    ics = Path(download.value.path()).read_bytes()
    (vevent,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert vevent.decoded("DTSTART") == event.starts_at
    assert VIDEO in str(vevent["DESCRIPTION"])

    page.goto(live_server.url + MINE)
    expect(page.locator("table.registrations")).to_contain_text("Retrofit forum")
    page.get_by_role("button", name="Create my calendar address").click()
    expect(page.get_by_label("The address to subscribe to")).to_have_value(
        re.compile(r"^http://.+/events/feed/.+\.ics$")
    )
    assert_accessible(page)
    assert errors == []

"""Hosts, endpoint-level: a Mission or Pilot City's offer in a call (who may open it, choosing
the city, validation that keeps what was typed, final once the pairs are published) and study
visits (published through the events form with the offer fixed, open to the call's accepted
cities, run by the host's leads and mentors), with pinned query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, LeadFactory
from netzerohub.core.models import Term
from netzerohub.core.tests.browser import collect_console_errors, sign_in
from netzerohub.core.tests.test_accessibility import assert_accessible
from netzerohub.events.models import Event, Registration
from netzerohub.events.tests.factories import EventFactory
from netzerohub.exchanges.models import HostOffer

from .factories import ApplicationFactory, CallFactory, OfferFactory, PairFactory

pytestmark = pytest.mark.django_db

QUERIES = {"offer": 11, "offer published": 10}


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def call(db):
    return CallFactory(slug="twinning-2027", title="Twinning 2027")


def offer_url(call, city=None) -> str:
    url = reverse("exchanges:offer", args=[call.slug])
    return f"{url}?city={city.pk}" if city is not None else url


def offer_data(**changes) -> dict:
    fields = list(Term.objects.fields().values_list("pk", flat=True)[:2])
    levers = list(Term.objects.levers().values_list("pk", flat=True)[:1])
    data = {
        "fields": [str(pk) for pk in fields],
        "levers": [str(pk) for pk in levers],
        "capacity": "3",
        "languages": ["en", "fr"],
        "challenges": "District heating in dense historic neighbourhoods.",
        "visit_dates": "The weeks of 14 and 21 June 2027.",
    }
    data.update(changes)
    return data


# --- who may open the offer page -------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("lead", 200),
        ("mentor", 200),
        ("coordinator", 200),
        ("member", 404),
        ("other_lead", 404),
        ("outsider", 404),
        ("visitor", 302),
    ],
)
def test_who_opens_the_offer_page(client, request, call, city, role, expected):
    user = request.getfixturevalue(role)
    if role != "visitor":
        client.force_login(user)
    url = offer_url(call, city) if role == "coordinator" else offer_url(call)
    assert client.get(url).status_code == expected


def test_a_participating_city_never_hosts(client, coordinator, call, other_city, other_lead):
    """Not a Mission or Pilot City: 404, for its own lead and for a coordinator naming it."""
    client.force_login(other_lead)
    assert client.get(offer_url(call)).status_code == 404
    assert client.get(offer_url(call, other_city)).status_code == 404
    client.force_login(coordinator)
    assert client.get(offer_url(call, other_city)).status_code == 404


@pytest.mark.parametrize("wanted", ["abc", "0", "-1", "9999999999", "12345678901234"])
def test_a_forged_city_is_a_404(client, lead, call, wanted):
    client.force_login(lead)
    url = reverse("exchanges:offer", args=[call.slug]) + f"?city={wanted}"
    assert client.get(url).status_code == 404


def test_a_lead_cannot_host_for_another_mission_city(client, lead, call):
    elsewhere = CityFactory(status=City.Status.MISSION)
    client.force_login(lead)
    assert client.get(offer_url(call, elsewhere)).status_code == 404


def test_a_draft_call_is_a_404_for_hosts(client, lead):
    draft = CallFactory(status="draft")
    client.force_login(lead)
    assert client.get(offer_url(draft)).status_code == 404


def test_a_person_hosting_for_several_cities_chooses(client, lead, call, city):
    pilot = CityFactory(status=City.Status.PILOT, name="Aachen")
    LeadFactory(city=pilot, user=lead)
    client.force_login(lead)
    response = client.get(offer_url(call))
    page = text(response)
    assert response.templates[0].name == "exchanges/offer_choose.html"
    assert f"?city={city.pk}" in page and f"?city={pilot.pk}" in page
    response = client.get(offer_url(call, pilot))
    assert response.status_code == 200 and response.context["city"] == pilot


def test_a_coordinator_chooses_among_the_host_cities(client, coordinator, call, city, other_city):
    pilot = CityFactory(status=City.Status.PILOT)
    client.force_login(coordinator)
    cities = client.get(offer_url(call)).context["cities"]
    assert city in cities and pilot in cities and other_city not in cities


# --- declaring and changing the offer --------------------------------------------------------


def test_a_lead_declares_the_offer(client, lead, call, city):
    city.working_languages = ["de", "en"]
    city.save()
    client.force_login(lead)
    response = client.get(offer_url(call))
    assert response.context["form"].initial["languages"] == ["de", "en"]
    assert "Publish a study visit" not in text(response)  # only once an offer is saved
    response = client.post(offer_url(call), offer_data())
    assert response.status_code == 302
    offer = HostOffer.objects.get(call=call, city=city)
    assert offer.capacity == 3 and offer.languages == ["en", "fr"]
    assert offer.fields.count() == 2 and offer.levers.count() == 1
    assert offer.created_by == lead and "District heating" in offer.challenges
    page = text(client.get(offer_url(call)))
    assert "The saved offer" in page and "English, French" in page
    assert f"?offer={offer.pk}" in page


def test_a_mentor_changes_the_offer(client, mentor, call, city):
    offer = OfferFactory(call=call, city=city, capacity=1)
    client.force_login(mentor)
    assert client.post(offer_url(call), offer_data(capacity="5")).status_code == 302
    offer.refresh_from_db()
    assert offer.capacity == 5
    assert HostOffer.objects.filter(call=call, city=city).count() == 1


def test_a_coordinator_declares_for_a_chosen_city(client, coordinator, call, city):
    client.force_login(coordinator)
    response = client.post(offer_url(call, city), offer_data())
    assert response.status_code == 302 and response.url == offer_url(call, city)
    assert HostOffer.objects.filter(call=call, city=city).exists()


@pytest.mark.parametrize("capacity", ["51", "-1", "three", ""])
def test_a_capacity_out_of_range_is_refused_and_the_input_kept(client, lead, call, city, capacity):
    offer = OfferFactory(call=call, city=city, capacity=2)
    client.force_login(lead)
    response = client.post(offer_url(call), offer_data(capacity=capacity, visit_dates="July"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "capacity" in form.errors
    assert "0 to 50" in " ".join(form.errors["capacity"])
    assert "July" in text(response)  # what was typed is kept
    offer.refresh_from_db()
    assert offer.capacity == 2
    # the saved offer shown beside the form keeps its saved values
    assert response.context["offer"].visit_dates == ""


def test_an_unknown_field_or_language_is_refused(client, lead, call, city):
    client.force_login(lead)
    response = client.post(offer_url(call), offer_data(fields=["999999"], languages=["xx"]))
    assert response.status_code == 200
    assert {"fields", "languages"} <= set(response.context["form"].errors)
    assert not HostOffer.objects.filter(call=call, city=city).exists()


def test_working_languages_are_required(client, lead, call, city):
    client.force_login(lead)
    data = offer_data()
    del data["languages"]
    response = client.post(offer_url(call), data)
    assert "Choose at least one working language." in text(response)


def test_the_offer_is_final_once_the_pairs_are_published(client, lead, call, city):
    offer = OfferFactory(call=call, city=city, capacity=2)
    call.matches_published_at = timezone.now()
    call.save()
    client.force_login(lead)
    response = client.get(offer_url(call))
    assert response.context["form"] is None and "the offer is final" in text(response)
    response = client.post(offer_url(call), offer_data(capacity="9"), follow=True)
    assert "the offer is final" in text(response)
    offer.refresh_from_db()
    assert offer.capacity == 2


# --- study visits ----------------------------------------------------------------------------


def visit_data(**changes) -> dict:
    data = {
        "title": "Heat networks on site",
        "summary": "A day with the district heating team.",
        "agenda": "Morning: the plant. Afternoon: the neighbourhood.",
        "status": "published",
        "format": "in-person",
        "venue": "Town hall, Main square 1",
        "video_url": "",
        "time_zone": "Europe/Brussels",
        "starts_at": "2030-06-14T09:00",
        "ends_at": "2030-06-14T17:00",
        "registration_deadline": "",
        "country": "",
        "languages": ["en"],
        "capacity": "12",
        "seats_per_city": "2",
        "offer_hours": "48",
        "materials": "",
        "recording_url": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def offer(call, city):
    return OfferFactory(call=call, city=city)


def create_url(offer) -> str:
    return reverse("events:event-create") + f"?offer={offer.pk}"


def test_a_host_lead_publishes_a_study_visit(client, lead, offer, call):
    client.force_login(lead)
    response = client.get(create_url(offer))
    assert response.status_code == 200
    form = response.context["form"]
    assert "audience" not in form.fields and "invited_cities" not in form.fields
    assert form.initial["format"] == "in-person" and "New study visit" in text(response)
    response = client.post(create_url(offer), visit_data())
    assert response.status_code == 302
    visit = Event.objects.get(title="Heat networks on site")
    assert visit.kind == Event.Kind.STUDY_VISIT and visit.offer == offer
    assert visit.audience == Event.Audience.CALL and visit.venue.startswith("Town hall")
    assert visit.created_by == lead
    page = text(client.get(offer_url(call)))
    assert "Heat networks on site" in page and reverse("events:event-edit", args=[visit.pk]) in page


def test_a_study_visit_in_person_needs_a_venue(client, mentor, offer):
    client.force_login(mentor)
    response = client.post(create_url(offer), visit_data(venue=""))
    assert response.status_code == 200
    assert "venue" in response.context["form"].errors
    assert not Event.objects.filter(kind=Event.Kind.STUDY_VISIT).exists()


@pytest.mark.parametrize(("role", "expected"), [("member", 404), ("other_lead", 404)])
def test_only_the_host_publishes_its_study_visits(client, request, offer, role, expected):
    client.force_login(request.getfixturevalue(role))
    assert client.get(create_url(offer)).status_code == expected
    assert client.post(create_url(offer), visit_data()).status_code == expected
    assert not Event.objects.filter(kind=Event.Kind.STUDY_VISIT).exists()


@pytest.mark.parametrize("wanted", ["abc", "0", "-1", "9999999999"])
def test_a_forged_offer_is_a_404(client, coordinator, wanted):
    client.force_login(coordinator)
    url = reverse("events:event-create") + f"?offer={wanted}"
    assert client.get(url).status_code == 404


def test_a_host_edits_its_study_visit(client, lead, offer):
    visit = EventFactory(
        kind=Event.Kind.STUDY_VISIT,
        offer=offer,
        audience=Event.Audience.CALL,
        format=Event.Format.IN_PERSON,
        venue="Harbour office",
    )
    client.force_login(lead)
    url = reverse("events:event-edit", args=[visit.pk])
    response = client.get(url)
    assert response.status_code == 200 and "audience" not in response.context["form"].fields
    response = client.post(url, visit_data(title="Harbour and heat", venue="Harbour office"))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.title == "Harbour and heat" and visit.audience == Event.Audience.CALL


def test_a_national_event_cannot_be_opened_to_a_call(client, coordinator):
    client.force_login(coordinator)
    form = client.get(reverse("events:event-create")).context["form"]
    assert "call" not in dict(form.fields["audience"].choices)


@pytest.fixture
def visit(offer):
    return EventFactory(
        kind=Event.Kind.STUDY_VISIT,
        offer=offer,
        audience=Event.Audience.CALL,
        format=Event.Format.IN_PERSON,
        venue="Town hall",
        title="Visit of the heat plant",
    )


def test_an_accepted_city_registers_for_a_study_visit(client, other_lead, other_city, visit, call):
    ApplicationFactory(call=call, city=other_city, status="accepted")
    client.force_login(other_lead)
    response = client.post(reverse("events:register", args=[visit.pk]), {"city": other_city.pk})
    assert response.status_code == 302
    registration = Registration.objects.get(event=visit)
    assert registration.city == other_city and registration.status == "confirmed"


@pytest.mark.parametrize("status", [None, "submitted", "waitlisted", "rejected"])
def test_a_city_not_accepted_is_refused_with_the_reason(
    client, other_lead, other_city, visit, call, status
):
    if status:
        ApplicationFactory(call=call, city=other_city, status=status)
    client.force_login(other_lead)
    page = text(client.get(visit.get_absolute_url()))
    assert "This study visit is for the cities accepted in its call." in page
    response = client.post(
        reverse("events:register", args=[visit.pk]), {"city": other_city.pk}, follow=True
    )
    assert "This study visit is for the cities accepted in its call." in text(response)
    assert not Registration.objects.filter(event=visit).exists()


def test_a_city_accepted_in_another_call_is_refused(client, other_lead, other_city, visit):
    ApplicationFactory(city=other_city, status="accepted")  # another call
    client.force_login(other_lead)
    client.post(reverse("events:register", args=[visit.pk]), {"city": other_city.pk})
    assert not Registration.objects.filter(event=visit).exists()


# --- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 8])
def test_offer_page_query_count(client, lead, call, city, size, django_assert_num_queries):
    offer = OfferFactory(call=call, city=city)
    offer.fields.set(Term.objects.fields()[:size])
    for n in range(size):
        EventFactory(kind=Event.Kind.STUDY_VISIT, offer=offer, audience="call", venue=f"Place {n}")
    client.force_login(lead)
    with django_assert_num_queries(QUERIES["offer"]):
        assert client.get(offer_url(call)).status_code == 200


@pytest.mark.parametrize("size", [1, 8])
def test_published_offer_page_query_count(
    client, lead, call, city, size, django_assert_num_queries
):
    offer = OfferFactory(call=call, city=city, capacity=size)
    for _ in range(size):
        PairFactory(call=call, offer=offer)
    call.matches_published_at = timezone.now()
    call.save()
    client.force_login(lead)
    with django_assert_num_queries(QUERIES["offer published"]):
        response = client.get(offer_url(call))
    assert len(response.context["pairs"]) == size


# --- in a real browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_declaring_an_offer_and_a_study_visit_in_the_browser(live_server, page):
    """A Mission City's lead declares an offer (a capacity out of range first, kept and
    explained), then opens the study visit form from it; each page passes the axe scan."""
    host_city = CityFactory(name="Valencia", status=City.Status.MISSION)
    lead = LeadFactory(city=host_city, user__name="Vera Valencia").user
    call = CallFactory(title="Twinning 2027")
    errors = collect_console_errors(page)
    sign_in(page.context, live_server, lead)
    page.goto(live_server.url + offer_url(call))
    assert_accessible(page)
    page.get_by_label("Energy systems").check()
    page.get_by_label("Maximum twins").fill("60")
    page.get_by_label("English").check()
    page.get_by_label("Possible visit dates").fill("June 2027")
    page.get_by_role("button", name="Save the offer").click()
    expect(page.locator("main")).to_contain_text("0 to 50")
    expect(page.get_by_label("Possible visit dates")).to_have_value("June 2027")
    expect(page.get_by_label("Energy systems")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Maximum twins").fill("2")
    page.get_by_role("button", name="Save the offer").click()
    expect(page.locator("main")).to_contain_text("The saved offer")
    assert HostOffer.objects.get(call=call, city=host_city).capacity == 2
    page.get_by_role("link", name="Publish a study visit").click()
    expect(page.locator("h1")).to_have_text("New study visit")
    assert_accessible(page)
    assert errors == []

"""Pages about cities: directory, profile, eligibility, joining, the city's own space and the
coordinator area. Endpoint-level: each test goes through URL, middleware, view and template."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.models import City, CityProposal, Membership
from netzerohub.cities.services import index_city_names, request_membership
from netzerohub.cities.tests.factories import (
    AssociatedCountryFactory,
    CityFactory,
    CityProposalFactory,
    CountryFactory,
    IneligibleCountryFactory,
    LeadFactory,
    MembershipFactory,
    PillarTwoCountryFactory,
    RequestFactory,
)
from netzerohub.core.models import AuditLog

pytestmark = pytest.mark.django_db

_TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def text(response) -> str:
    return response.content.decode()


def without_tokens(response, path: str) -> str:
    """The page with its CSRF tokens and its own address blanked, so two pages can be compared."""
    return _TOKENS.sub(r"\1", text(response)).replace(path, "PATH")


def indexed_cities(*cities: City) -> list[City]:
    index_city_names(list(cities))
    return list(cities)


@pytest.fixture
def sweden(db):
    return CountryFactory(code="SE", name="Sweden")


@pytest.fixture
def germany(db):
    return CountryFactory(code="DE", name="Germany")


@pytest.fixture
def directory_cities(sweden, germany):
    """Malmö, Köln (alias Cologne), Vitoria-Gasteiz and Lund, searchable."""
    spain = CountryFactory(code="ES", name="Spain")
    return indexed_cities(
        CityFactory(name="Malmö", country=sweden, population=360_000, status=City.Status.MISSION),
        CityFactory(
            name="Köln",
            country=germany,
            population=1_080_000,
            alternate_names=["Cologne", "Koeln", "Colonia"],
        ),
        CityFactory(name="Vitoria-Gasteiz", country=spain, population=255_000),
        CityFactory(name="Lund", country=sweden, population=95_000, status=City.Status.PILOT),
    )


def directory_names(client, **params) -> list[str]:
    response = client.get(reverse("cities:directory"), params)
    assert response.status_code == 200
    return [city.name for city in response.context["page"].object_list]


# --- directory -----------------------------------------------------------------------------------


def test_directory_lists_cities_most_populous_first(client, directory_cities):
    assert directory_names(client) == ["Köln", "Malmö", "Vitoria-Gasteiz", "Lund"]


def test_directory_lists_cities_without_a_population_figure_last(client, directory_cities, sweden):
    CityFactory(name="Gozo", country=sweden, population=None)

    assert directory_names(client)[-1] == "Gozo"
    assert directory_names(client, country="SE")[-1] == "Gozo"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("malmo", ["Malmö"]),
        ("MALMÖ", ["Malmö"]),
        ("malm", ["Malmö"]),
        ("koln", ["Köln"]),
        ("cologne", ["Köln"]),
        ("Koeln", ["Köln"]),
        ("gasteiz", ["Vitoria-Gasteiz"]),
        ("vitoria gasteiz", ["Vitoria-Gasteiz"]),
        ("  lund ", ["Lund"]),
        ("berlin", []),
    ],
)
def test_directory_search_ignores_accents_case_and_finds_alternate_names(
    client, directory_cities, query, expected
):
    assert directory_names(client, q=query) == expected


def test_directory_search_shows_what_was_typed_and_offers_to_propose_a_missing_city(
    client, directory_cities, outsider
):
    client.force_login(outsider)

    response = client.get(reverse("cities:directory"), {"q": "Smallville"})

    assert 'value="Smallville"' in text(response)
    assert "No city matches" in text(response)
    assert reverse("cities:propose") + "?name=Smallville" in text(response)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "SE"}, ["Malmö", "Lund"]),
        ({"status": "mission"}, ["Malmö"]),
        ({"status": "pilot", "country": "SE"}, ["Lund"]),
        ({"population": "50000-100000"}, ["Lund"]),
        ({"population": "250000-1000000"}, ["Malmö", "Vitoria-Gasteiz"]),
        ({"population": "1000000-"}, ["Köln"]),
        ({"q": "l", "country": "SE"}, ["Lund"]),
    ],
)
def test_directory_filters(client, directory_cities, params, expected):
    assert directory_names(client, **params) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"status": "capital"},
        {"country": "XX"},
        {"country": "'; DROP TABLE cities_city; --"},
        {"population": "abc-def"},
        {"population": "-5"},
    ],
)
def test_directory_ignores_filters_it_does_not_know(client, directory_cities, params):
    assert len(directory_names(client, **params)) == 4


@pytest.mark.parametrize(
    "query",
    ["%", "_", "'", "' OR 1=1 --", "a%b", "🏙️", "🇸🇪 Malmö ☀", "x" * 500, "malmö\x00", "ö" * 101],
    ids=[
        "percent",
        "underscore",
        "quote",
        "injection",
        "like",
        "emoji",
        "flags",
        "long",
        "nul",
        "long-accents",
    ],
)
def test_directory_search_with_odd_input_answers_without_error(client, directory_cities, query):
    names = directory_names(client, q=query)

    assert names == [] or names == ["Malmö"]


def test_directory_search_of_500_characters_is_not_ignored(client, directory_cities):
    """A long query is cut to the search limit, not dropped (which would list every city)."""
    assert directory_names(client, q="malmo" + "x" * 495) == []


@pytest.mark.parametrize("page", ["abc", "0", "-1", "2", "999999", "9" * 500, "1.5", ""])
def test_directory_page_numbers_out_of_range_or_garbage_show_a_valid_page(
    client, directory_cities, page
):
    response = client.get(reverse("cities:directory"), {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_directory_last_page_when_the_page_number_is_too_large(client, sweden):
    CityFactory.create_batch(30, country=sweden)

    response = client.get(reverse("cities:directory"), {"page": "7"})

    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 5


def test_directory_page_links_keep_the_filters_and_name_the_page(client, sweden):
    CityFactory.create_batch(30, country=sweden)

    html = client.get(reverse("cities:directory"), {"country": "SE"}).content.decode()

    assert 'href="?country=SE&amp;page=2"' in html
    assert "??" not in html


def test_directory_answers_htmx_with_the_results_fragment_only(client, directory_cities):
    response = client.get(
        reverse("cities:directory"), {"q": "malmo"}, headers={"HX-Request": "true"}
    )

    assert "<html" not in text(response)
    assert "Malmö" in text(response)
    assert "Köln" not in text(response)


def test_city_search_fragment_finds_by_prefix_and_offers_to_join(
    client, directory_cities, outsider
):
    client.force_login(outsider)

    response = client.get(reverse("cities:search"), {"q": "Col"})

    assert "Köln" in text(response)
    assert reverse("cities:request-join", args=[directory_cities[1].pk]) in text(response)


def test_city_search_for_eligibility_links_to_the_verdict(client, directory_cities):
    response = client.get(reverse("cities:search"), {"q": "malmo", "for": "eligibility"})

    assert f"{reverse('cities:eligibility')}?city={directory_cities[0].pk}" in text(response)


@pytest.mark.parametrize("query", ["%", "'", "x" * 500, "🏙️", "\x00", ""])
def test_city_search_fragment_with_odd_input(client, directory_cities, query):
    response = client.get(reverse("cities:search"), {"q": query})

    assert response.status_code == 200
    assert "Malmö" not in text(response)


# --- city profile --------------------------------------------------------------------------------


def test_city_profile_shows_public_facts_and_eligibility_to_visitors(client, sweden):
    city = CityFactory(
        name="Umeå",
        country=sweden,
        population=130_000,
        target_year=2030,
        contact_email="climate@umea.example",
    )

    response = client.get(reverse("cities:detail", args=[city.pk]))

    assert response.status_code == 200
    page = text(response)
    assert "Umeå" in page
    assert "130,000" in page
    assert "2030" in page
    assert "Eligible for the programme" in page
    assert "Sweden is a member state of the European Union." in page
    assert "climate@umea.example" not in page
    assert reverse("account_signup") in page


def test_city_profile_of_a_missing_city_is_404(client):
    assert client.get(reverse("cities:detail", args=[987654])).status_code == 404


def test_city_profile_offers_an_outsider_to_join(client, city, outsider):
    client.force_login(outsider)

    response = client.get(reverse("cities:detail", args=[city.pk]))

    assert reverse("cities:request-join", args=[city.pk]) in text(response)
    assert reverse("cities:edit-profile", args=[city.pk]) not in text(response)


def test_city_profile_of_an_ineligible_city_offers_no_join_button(client, outsider):
    city = CityFactory(country=IneligibleCountryFactory(code="BY", name="Belarus"))
    client.force_login(outsider)

    response = client.get(reverse("cities:detail", args=[city.pk]))

    assert "Not eligible for the programme" in text(response)
    assert reverse("cities:request-join", args=[city.pk]) not in text(response)


def test_city_profile_for_its_member_links_to_my_city(client, city, member):
    client.force_login(member)

    response = client.get(reverse("cities:detail", args=[city.pk]))

    assert reverse("cities:my-city", args=[city.pk]) in text(response)
    assert reverse("cities:request-join", args=[city.pk]) not in text(response)


def test_city_profile_tells_a_pending_person_to_wait(client, city, lead):
    request = RequestFactory(city=city)
    client.force_login(request.user)

    response = client.get(reverse("cities:detail", args=[city.pk]))

    assert "waiting for a decision" in text(response)


def test_city_profile_for_its_lead_links_to_edit(client, city, lead):
    client.force_login(lead)

    response = client.get(reverse("cities:detail", args=[city.pk]))

    assert reverse("cities:edit-profile", args=[city.pk]) in text(response)
    assert reverse("cities:set-status", args=[city.pk]) not in text(response)


def test_city_profile_for_a_coordinator_has_the_status_form(client, city, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("cities:detail", args=[city.pk]))

    assert reverse("cities:set-status", args=[city.pk]) in text(response)


# --- my city -------------------------------------------------------------------------------------


def test_my_city_shows_members_to_a_member(client, city, member, lead, mentor):
    client.force_login(member)

    response = client.get(reverse("cities:my-city", args=[city.pk]))

    assert response.status_code == 200
    page = text(response)
    assert "Mia Member" in page
    assert "Lea Lead" in page
    assert "Max Mentor" in page
    assert "You are part of this city as Member." in page
    assert reverse("cities:edit-profile", args=[city.pk]) not in page


def test_my_city_shows_the_lead_the_requests_to_decide(client, city, lead):
    request = RequestFactory(city=city, user__name="Rita Requester", message="Energy team")
    client.force_login(lead)

    response = client.get(reverse("cities:my-city", args=[city.pk]))

    page = text(response)
    assert "Rita Requester" in page
    assert "Energy team" in page
    assert reverse("cities:approve", args=[request.pk]) in page


def test_my_city_does_not_show_a_member_the_requests(client, city, lead, member):
    RequestFactory(city=city, user__name="Rita Requester")
    client.force_login(member)

    response = client.get(reverse("cities:my-city", args=[city.pk]))

    assert "Rita Requester" not in text(response)


def test_my_city_of_another_city_and_of_no_city_give_the_same_404(client, city, lead, other_lead):
    client.force_login(other_lead)

    forbidden_url = reverse("cities:my-city", args=[city.pk])
    missing_url = reverse("cities:my-city", args=[city.pk + 1000])
    forbidden = client.get(forbidden_url)
    missing = client.get(missing_url)

    assert forbidden.status_code == missing.status_code == 404
    assert without_tokens(forbidden, forbidden_url) == without_tokens(missing, missing_url)


@pytest.mark.parametrize("role", ["outsider", "helpdesk_expert"])
def test_my_city_is_404_for_people_outside_the_city(client, city, role, request):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("cities:my-city", args=[city.pk])).status_code == 404


def test_my_city_asks_visitors_to_sign_in(client, city):
    response = client.get(reverse("cities:my-city", args=[city.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_city_for_a_coordinator(client, city, lead, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("cities:my-city", args=[city.pk]))

    assert response.status_code == 200
    assert "You see this city as a coordinator." in text(response)
    assert reverse("cities:toggle-mentor", args=[Membership.objects.get(user=lead).pk]) in text(
        response
    )


def test_my_city_shows_the_citys_recent_activity(client, city, lead):
    client.force_login(lead)
    client.post(reverse("cities:edit-profile", args=[city.pk]), {"target_year": "2035"})

    response = client.get(reverse("cities:my-city", args=[city.pk]))

    assert response.context["activity"][0].action == "cities.city.profile_updated"
    assert "Profile updated" in text(response)


def test_my_cities_goes_straight_to_the_only_city(client, city, member):
    client.force_login(member)

    response = client.get(reverse("cities:my-cities"))

    assert response.status_code == 302
    assert response["Location"] == reverse("cities:my-city", args=[city.pk])


def test_my_cities_lists_requests_and_cities(client, city, other_city, other_lead):
    RequestFactory(city=city, user=other_lead)
    client.force_login(other_lead)

    response = client.get(reverse("cities:my-cities"))

    assert response.status_code == 200
    assert city.name in text(response)
    assert other_city.name in text(response)


# --- editing the profile -------------------------------------------------------------------------


def test_lead_edits_the_city_profile(client, city, lead):
    client.force_login(lead)

    response = client.post(
        reverse("cities:edit-profile", args=[city.pk]),
        {
            "population": "123456",
            "target_year": "2030",
            "working_languages": ["sv", "en"],
            "website": "https://city.example",
            "contact_name": "Lea",
            "contact_email": "lea@city.example",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cities:my-city", args=[city.pk])
    city.refresh_from_db()
    assert (city.population, city.target_year, city.working_languages) == (
        123456,
        2030,
        ["sv", "en"],
    )
    log = AuditLog.objects.get(action="cities.city.profile_updated")
    assert log.actor == lead
    assert log.data["changes"]["target_year"] == [None, 2030]


def test_profile_with_bad_values_keeps_what_was_typed_and_explains(client, city, lead):
    client.force_login(lead)

    response = client.post(
        reverse("cities:edit-profile", args=[city.pk]),
        {
            "target_year": "1999",
            "com_year": "2015",
            "contact_name": "Lea Lead",
            "website": "not a url",
        },
    )

    assert response.status_code == 200
    page = text(response)
    assert 'value="1999"' in page
    assert 'value="Lea Lead"' in page
    assert "Tick this if your city signed the Covenant of Mayors." in page
    assert "greater than or equal to 2025" in page
    city.refresh_from_db()
    assert city.target_year is None
    assert not AuditLog.objects.exists()


@pytest.mark.parametrize("role", ["member", "mentor", "other_lead", "outsider", "helpdesk_expert"])
def test_only_leads_and_coordinators_edit_the_profile(client, city, role, request):
    client.force_login(request.getfixturevalue(role))
    url = reverse("cities:edit-profile", args=[city.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"target_year": "2030"}).status_code == 404
    city.refresh_from_db()
    assert city.target_year is None


def test_coordinator_edits_any_profile(client, city, coordinator):
    client.force_login(coordinator)

    response = client.post(reverse("cities:edit-profile", args=[city.pk]), {"target_year": "2040"})

    assert response.status_code == 302
    city.refresh_from_db()
    assert city.target_year == 2040


# --- deciding requests ---------------------------------------------------------------------------


@pytest.fixture
def pending_request(city, lead):
    return RequestFactory(city=city, user__name="Rita Requester")


def test_lead_approves_a_request(
    client, lead, pending_request, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cities:approve", args=[pending_request.pk]), follow=True)

    pending_request.refresh_from_db()
    assert pending_request.status == Membership.Status.APPROVED
    assert "Rita Requester is now a member" in text(response)
    assert [m.to for m in mailoutbox] == [[pending_request.user.email]]


def test_lead_rejects_a_request_with_a_reason(client, lead, pending_request):
    client.force_login(lead)

    response = client.post(
        reverse("cities:reject", args=[pending_request.pk]),
        {"reason": "Unknown to us", "next": "requests"},
    )

    assert response["Location"] == reverse("cities:requests")
    pending_request.refresh_from_db()
    assert (pending_request.status, pending_request.decision_note) == (
        Membership.Status.REJECTED,
        "Unknown to us",
    )


@pytest.mark.parametrize("decision", ["approve", "reject"])
@pytest.mark.parametrize("role", ["member", "mentor", "other_lead", "outsider", "helpdesk_expert"])
def test_only_the_citys_leads_decide_its_requests(client, pending_request, decision, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.post(reverse(f"cities:{decision}", args=[pending_request.pk]))

    assert response.status_code == 404
    pending_request.refresh_from_db()
    assert pending_request.status == Membership.Status.PENDING


def test_decisions_are_posted_not_fetched(client, lead, pending_request):
    client.force_login(lead)

    assert client.get(reverse("cities:approve", args=[pending_request.pk])).status_code == 405


def test_a_lead_cannot_confirm_a_first_lead_but_a_coordinator_can(client, city, lead, coordinator):
    first_lead = RequestFactory(city=city, role=Membership.Role.LEAD, needs_coordinator=True)
    client.force_login(lead)
    assert client.post(reverse("cities:approve", args=[first_lead.pk])).status_code == 404

    client.force_login(coordinator)
    response = client.post(reverse("cities:approve", args=[first_lead.pk]), {"next": "coordinator"})

    assert response["Location"] == reverse("dashboard:coordinator")
    first_lead.refresh_from_db()
    assert first_lead.status == Membership.Status.APPROVED


def test_requests_page_lists_what_the_lead_may_decide(
    client, city, lead, pending_request, other_city
):
    RequestFactory(city=other_city, user__name="Elsewhere Person")
    client.force_login(lead)

    response = client.get(reverse("cities:requests"))

    assert "Rita Requester" in text(response)
    assert "Elsewhere Person" not in text(response)


def test_requests_page_lists_every_request_for_a_coordinator(
    client, pending_request, other_city, coordinator
):
    RequestFactory(city=other_city, user__name="Elsewhere Person")
    client.force_login(coordinator)

    response = client.get(reverse("cities:requests"))

    assert "Rita Requester" in text(response)
    assert "Elsewhere Person" in text(response)


# --- roles, mentors, status, leaving -------------------------------------------------------------


def test_lead_makes_a_member_lead(client, city, lead, member):
    client.force_login(lead)
    membership = Membership.objects.get(user=member)

    client.post(reverse("cities:change-role", args=[membership.pk]), {"role": "lead"})

    membership.refresh_from_db()
    assert membership.role == Membership.Role.LEAD


def test_the_last_lead_is_told_why_they_cannot_step_down(client, city, lead):
    client.force_login(lead)
    membership = Membership.objects.get(user=lead)

    response = client.post(
        reverse("cities:change-role", args=[membership.pk]), {"role": "member"}, follow=True
    )

    assert "A city needs at least one lead" in text(response)
    membership.refresh_from_db()
    assert membership.role == Membership.Role.LEAD


def test_a_member_cannot_change_roles(client, city, lead, member):
    client.force_login(member)
    membership = Membership.objects.get(user=member)

    response = client.post(reverse("cities:change-role", args=[membership.pk]), {"role": "lead"})

    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.role == Membership.Role.MEMBER


def test_an_unknown_role_is_refused_with_a_message(client, city, lead, member):
    client.force_login(lead)
    membership = Membership.objects.get(user=member)

    response = client.post(
        reverse("cities:change-role", args=[membership.pk]), {"role": "mayor"}, follow=True
    )

    assert "Choose member or lead." in text(response)


def test_coordinator_names_a_mentor_and_a_lead_cannot(client, city, lead, member, coordinator):
    membership = Membership.objects.get(user=member)
    client.force_login(lead)
    assert client.post(reverse("cities:toggle-mentor", args=[membership.pk])).status_code == 404

    client.force_login(coordinator)
    client.post(reverse("cities:toggle-mentor", args=[membership.pk]))

    membership.refresh_from_db()
    assert membership.is_mentor is True


def test_coordinator_sets_the_status_and_a_lead_cannot(client, city, lead, coordinator):
    client.force_login(lead)
    assert (
        client.post(reverse("cities:set-status", args=[city.pk]), {"status": "pilot"}).status_code
        == 404
    )

    client.force_login(coordinator)
    response = client.post(
        reverse("cities:set-status", args=[city.pk]), {"status": "pilot"}, follow=True
    )

    city.refresh_from_db()
    assert city.status == City.Status.PILOT
    assert "Pilot City" in text(response)


def test_an_unknown_status_is_refused_with_a_message(client, city, coordinator):
    client.force_login(coordinator)

    response = client.post(
        reverse("cities:set-status", args=[city.pk]), {"status": "capital"}, follow=True
    )

    assert "Choose one of the listed statuses." in text(response)
    city.refresh_from_db()
    assert city.status == City.Status.MISSION


def test_a_member_leaves_the_city(client, city, lead, member):
    client.force_login(member)
    membership = Membership.objects.get(user=member)

    response = client.post(reverse("cities:leave", args=[membership.pk]))

    assert response["Location"] == reverse("cities:my-cities")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT
    assert client.get(reverse("cities:my-city", args=[city.pk])).status_code == 404


def test_nobody_else_withdraws_a_persons_request(client, lead, pending_request):
    client.force_login(lead)

    assert client.post(reverse("cities:leave", args=[pending_request.pk])).status_code == 404


# --- joining -------------------------------------------------------------------------------------


def test_join_page_lists_the_persons_cities(client, outsider, city, lead):
    RequestFactory(city=city, user=outsider)
    client.force_login(outsider)

    response = client.get(reverse("cities:join"))

    assert response.status_code == 200
    assert city.name in text(response)


def test_asking_to_join_a_city_with_a_lead(
    client, city, lead, outsider, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(outsider)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cities:request-join", args=[city.pk]),
            {"message": "I work on mobility."},
            follow=True,
        )

    membership = Membership.objects.get(user=outsider)
    assert (membership.city, membership.status, membership.message) == (
        city,
        Membership.Status.PENDING,
        "I work on mobility.",
    )
    assert f"Your request to join {city.name} is sent to its leads." in text(response)
    assert [m.to for m in mailoutbox] == [[lead.email]]


def test_asking_to_join_a_city_without_lead_goes_to_a_coordinator(client, outsider, coordinator):
    city = CityFactory(name="Leadless")
    client.force_login(outsider)

    response = client.post(reverse("cities:request-join", args=[city.pk]), follow=True)

    assert "Leadless has no lead yet: a programme coordinator will confirm you" in text(response)
    assert Membership.objects.get(user=outsider).needs_coordinator is True


def test_asking_twice_shows_the_reason_on_the_city_page(client, city, lead, outsider):
    client.force_login(outsider)
    client.post(reverse("cities:request-join", args=[city.pk]))

    response = client.post(reverse("cities:request-join", args=[city.pk]))

    assert response["Location"] == reverse("cities:detail", args=[city.pk])
    assert "already asked to join" in text(client.get(response["Location"]))
    assert Membership.objects.filter(user=outsider).count() == 1


def test_asking_to_join_an_ineligible_city_explains_why(client, outsider):
    city = CityFactory(country=IneligibleCountryFactory(code="RU", name="Russia"))
    client.force_login(outsider)

    response = client.post(reverse("cities:request-join", args=[city.pk]), follow=True)

    assert "Cities in Russia cannot join the programme" in text(response)
    assert not Membership.objects.exists()


def test_visitors_sign_in_before_joining(client, city):
    response = client.post(reverse("cities:request-join", args=[city.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Membership.objects.exists()


def test_joining_a_missing_city_is_404(client, outsider):
    client.force_login(outsider)

    assert client.post(reverse("cities:request-join", args=[424242])).status_code == 404


def test_a_message_that_is_too_long_still_files_the_request(client, city, lead, outsider):
    client.force_login(outsider)

    client.post(reverse("cities:request-join", args=[city.pk]), {"message": "x" * 5000})

    assert Membership.objects.filter(user=outsider, status=Membership.Status.PENDING).exists()


# --- proposing a city ----------------------------------------------------------------------------


def test_propose_form_is_prefilled_with_the_name_searched(client, outsider):
    client.force_login(outsider)

    response = client.get(reverse("cities:propose"), {"name": "Smallville"})

    assert 'value="Smallville"' in text(response)


def test_proposing_a_city(
    client, outsider, sweden, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(outsider)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cities:propose"),
            {
                "name": "Smallville",
                "country": sweden.pk,
                "population": "9000",
                "note": "A small town",
            },
        )

    assert response["Location"] == reverse("cities:join")
    proposal = CityProposal.objects.get()
    assert (proposal.name, proposal.country, proposal.proposed_by) == (
        "Smallville",
        sweden,
        outsider,
    )
    assert [m.to for m in mailoutbox] == [[coordinator.email]]


def test_proposing_the_same_city_twice_keeps_the_form_and_explains(client, outsider, sweden):
    CityProposalFactory(proposed_by=outsider, name="Smallville", country=sweden)
    client.force_login(outsider)

    response = client.post(reverse("cities:propose"), {"name": "Smallville", "country": sweden.pk})

    assert response.status_code == 200
    assert "already proposed Smallville" in text(response)
    assert 'value="Smallville"' in text(response)
    assert CityProposal.objects.count() == 1


def test_proposal_without_country_keeps_the_name(client, outsider):
    client.force_login(outsider)

    response = client.post(reverse("cities:propose"), {"name": "Smallville", "country": "999999"})

    assert response.status_code == 200
    assert 'value="Smallville"' in text(response)
    assert "Select a valid choice" in text(response)
    assert not CityProposal.objects.exists()


# --- eligibility ---------------------------------------------------------------------------------


@pytest.fixture
def countries(db):
    return {
        "CH": AssociatedCountryFactory(
            code="CH",
            name="Switzerland",
            associated_since=dt.date(2025, 1, 1),
            association_year=2025,
        ),
        "CA": PillarTwoCountryFactory(code="CA", name="Canada"),
        "BY": IneligibleCountryFactory(code="BY", name="Belarus"),
        "SE": CountryFactory(code="SE", name="Sweden"),
    }


@pytest.mark.parametrize(
    ("code", "headline", "reason"),
    [
        (
            "CH",
            "Switzerland: eligible",
            "Switzerland has been associated with Horizon Europe since 1 January 2025.",
        ),
        ("CA", "Canada: not eligible", "associated with Horizon Europe for Pillar II only"),
        (
            "BY",
            "Belarus: not eligible",
            "Belarus is neither an EU member state nor associated with Horizon Europe.",
        ),
        ("SE", "Sweden: eligible", "Sweden is a member state of the European Union."),
    ],
)
def test_eligibility_of_a_country(client, countries, code, headline, reason):
    response = client.get(reverse("cities:eligibility"), {"country": code})

    assert response.status_code == 200
    assert headline in text(response)
    assert reason in text(response)


def test_eligibility_of_a_city_names_the_city_and_its_country(client, countries):
    city = CityFactory(name="Zürich", country=countries["CH"])

    response = client.get(reverse("cities:eligibility"), {"city": city.pk})

    assert "Zürich: eligible" in text(response)
    assert "Zürich is in Switzerland." in text(response)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"country": "QQ"},
        {"country": "x" * 500},
        {"city": "abc"},
        {"city": "987654"},
        {"city": "-1"},
    ],
)
def test_eligibility_with_unknown_input_shows_the_form_without_a_verdict(client, countries, params):
    response = client.get(reverse("cities:eligibility"), params)

    assert response.status_code == 200
    assert response.context["verdict"] is None


# --- coordinator area ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["outsider", "member", "lead", "mentor", "helpdesk_expert"])
@pytest.mark.parametrize("page", ["dashboard:coordinator", "dashboard:people"])
def test_coordinator_area_is_404_for_everyone_else(client, role, page, request):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse(page)).status_code == 404


def test_coordinator_area_asks_visitors_to_sign_in(client):
    response = client.get(reverse("dashboard:coordinator"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_coordinator_without_authenticator_app_is_sent_to_set_one_up(
    client, coordinator_without_mfa
):
    client.force_login(coordinator_without_mfa)

    response = client.get(reverse("dashboard:coordinator"))

    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{reverse('mfa_activate_totp')}?next={reverse('dashboard:coordinator')}"
    )


def test_coordinator_area_lists_first_leads_and_proposals(client, coordinator):
    first = request_membership(CityFactory(name="Leadless"), actor=UserFactory(name="Fiona First"))
    CityProposalFactory(name="Smallville")
    client.force_login(coordinator)

    response = client.get(reverse("dashboard:coordinator"))

    assert response.status_code == 200
    page = text(response)
    assert "Fiona First" in page
    assert "Leadless" in page
    assert "Smallville" in page
    assert reverse("cities:approve", args=[first.pk]) in page


def test_coordinator_people_search(client, coordinator, member):
    client.force_login(coordinator)

    response = client.get(reverse("dashboard:people"), {"q": "Mia"})

    assert "Mia Member" in text(response)
    assert "Cora Coordinator" not in text(response)


def test_coordinator_approves_a_proposal(client, coordinator):
    proposal = CityProposalFactory(name="Smallville")
    client.force_login(coordinator)

    response = client.post(reverse("dashboard:proposal-approve", args=[proposal.pk]), follow=True)

    assert "Smallville is added to the directory." in text(response)
    proposal.refresh_from_db()
    assert proposal.status == CityProposal.Status.APPROVED
    assert proposal.city.name == "Smallville"


def test_coordinator_merges_a_proposal_into_an_existing_city(client, coordinator, city):
    proposal = CityProposalFactory(name=city.name.upper(), country=city.country)
    client.force_login(coordinator)

    client.post(reverse("dashboard:proposal-merge", args=[proposal.pk]), {"city": city.pk})

    proposal.refresh_from_db()
    assert (proposal.status, proposal.city) == (CityProposal.Status.MERGED, city)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "This field is required."),
        ("abc", "Enter a whole number."),
        ("987654", "No city has this id."),
    ],
)
def test_merging_into_no_city_explains(client, coordinator, value, message):
    proposal = CityProposalFactory()
    client.force_login(coordinator)

    response = client.post(
        reverse("dashboard:proposal-merge", args=[proposal.pk]), {"city": value}, follow=True
    )

    assert response.status_code == 200
    assert f'<p class="message error">{message}</p>' in text(response)
    proposal.refresh_from_db()
    assert proposal.status == CityProposal.Status.PENDING


def test_coordinator_rejects_a_proposal(client, coordinator):
    proposal = CityProposalFactory()
    client.force_login(coordinator)

    client.post(reverse("dashboard:proposal-reject", args=[proposal.pk]), {"reason": "Too small"})

    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note) == (CityProposal.Status.REJECTED, "Too small")


def test_a_lead_cannot_decide_proposals(client, lead):
    proposal = CityProposalFactory()
    client.force_login(lead)

    assert client.post(reverse("dashboard:proposal-approve", args=[proposal.pk])).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == CityProposal.Status.PENDING


# --- query counts: pinned, and the same for small and large data ---------------------------------


def _many_cities(country, count: int) -> list[City]:
    return CityFactory.create_batch(count, country=country)


def _fill_city(city: City, members: int, requests: int) -> None:
    for _ in range(members):
        MembershipFactory(city=city)
    for _ in range(requests):
        RequestFactory(city=city)
    for _ in range(20):
        AuditLog.objects.create(
            action="cities.city.profile_updated", city=city, actor=LeadFactory().user
        )


@pytest.fixture(params=["small", "large"])
def data_size(request):
    return request.param


@pytest.fixture
def populated(data_size, city, lead, sweden):
    """`city` with its lead, plus 3 cities, 2 members and a request to join (small) or 60 cities,
    20 members and 10 requests (large)."""
    large = data_size == "large"
    _many_cities(sweden, 60 if large else 3)
    _fill_city(city, members=20 if large else 2, requests=10 if large else 1)
    cache.clear()
    return city


DIRECTORY_QUERIES = 3


def test_directory_query_count(client, populated, django_assert_num_queries):
    with django_assert_num_queries(DIRECTORY_QUERIES):
        response = client.get(reverse("cities:directory"), {"country": "SE"})
    assert response.status_code == 200


CITY_PROFILE_QUERIES = {"visitor": 1, "member": 6}


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_city_profile_query_count(client, populated, role, member, django_assert_num_queries):
    if role == "member":
        client.force_login(member)
        cache.clear()
    with django_assert_num_queries(CITY_PROFILE_QUERIES[role]):
        response = client.get(reverse("cities:detail", args=[populated.pk]))
    assert response.status_code == 200


# The cards included: self-assessment (one query), groups and events (three), exchanges (two),
# helpdesk (two), surveys (one: the open surveys; none is open here), the climate contract (one).
MY_CITY_QUERIES = 18


def test_my_city_query_count(client, populated, data_size, lead, django_assert_num_queries):
    client.force_login(lead)
    cache.clear()
    with django_assert_num_queries(MY_CITY_QUERIES):
        response = client.get(reverse("cities:my-city", args=[populated.pk]))
    assert response.status_code == 200
    assert len(response.context["pending"]) == (10 if data_size == "large" else 1)

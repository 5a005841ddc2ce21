"""The city directory API at /api/v1/: countries, cities, members, eligibility, the schema."""

from __future__ import annotations

import datetime as dt

import pytest

from netzerohub.accounts.services import create_api_token, revoke_api_token
from netzerohub.cities.models import City
from netzerohub.cities.services import index_city_names
from netzerohub.cities.tests.factories import (
    AssociatedCountryFactory,
    CityFactory,
    CountryFactory,
    IneligibleCountryFactory,
    MembershipFactory,
    PillarTwoCountryFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
HUGE_ID = "9" * 30


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def sweden(db):
    return CountryFactory(code="SE", name="Sweden")


@pytest.fixture
def directory_cities(sweden):
    germany = CountryFactory(code="DE", name="Germany")
    cities = [
        CityFactory(name="Malmö", country=sweden, population=360_000, status=City.Status.MISSION),
        CityFactory(
            name="Köln", country=germany, population=1_080_000, alternate_names=["Cologne"]
        ),
        CityFactory(name="Lund", country=sweden, population=95_000, status=City.Status.PILOT),
        CityFactory(name="Kiruna", country=sweden, population=None),
    ]
    index_city_names(cities)
    return cities


# --- countries -----------------------------------------------------------------------------------


def test_countries_with_their_eligibility(client):
    CountryFactory(code="SE", name="Sweden")
    AssociatedCountryFactory(code="CH", name="Switzerland")
    PillarTwoCountryFactory(code="CA", name="Canada")
    IneligibleCountryFactory(code="BY", name="Belarus")

    response = client.get(f"{API}/countries")

    assert response.status_code == 200
    assert {c["code"]: c["eligible"] for c in response.json()} == {
        "SE": True,
        "CH": True,
        "CA": False,
        "BY": False,
    }
    canada = next(c for c in response.json() if c["code"] == "CA")
    assert canada == {
        "code": "CA",
        "name": "Canada",
        "is_eu_member": False,
        "is_associated": True,
        "pillar_ii_only": True,
        "eligible": False,
    }


# --- cities --------------------------------------------------------------------------------------


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["name"] for c in response.json()["results"]]


def test_cities_are_listed_most_populous_first_with_their_facts(client, directory_cities):
    response = client.get(f"{API}/cities")

    body = response.json()
    assert (body["count"], body["page"], body["pages"]) == (4, 1, 1)
    assert names(response) == ["Köln", "Malmö", "Lund", "Kiruna"]
    assert body["results"][1] == {
        "id": directory_cities[0].pk,
        "name": "Malmö",
        "country": "SE",
        "status": "mission",
        "population": 360_000,
    }
    assert body["results"][3]["population"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "malmo"}, ["Malmö"]),
        ({"search": "cologne"}, ["Köln"]),
        ({"search": "KOLN"}, ["Köln"]),
        ({"country": "se"}, ["Malmö", "Lund", "Kiruna"]),
        ({"status": "pilot"}, ["Lund"]),
        ({"country": "SE", "status": "mission", "search": "mal"}, ["Malmö"]),
        ({"country": "FR"}, []),
    ],
)
def test_cities_search_and_filters(client, directory_cities, params, expected):
    assert names(client.get(f"{API}/cities", params)) == expected


def test_cities_are_paginated_with_the_total_count(client, sweden):
    CityFactory.create_batch(30, country=sweden)

    first = client.get(f"{API}/cities").json()
    second = client.get(f"{API}/cities", {"page": 2}).json()
    too_far = client.get(f"{API}/cities", {"page": 99}).json()

    assert (first["count"], first["pages"], len(first["results"])) == (30, 2, 25)
    assert (second["page"], len(second["results"])) == (2, 5)
    assert too_far["page"] == 2
    assert {c["id"] for c in first["results"]}.isdisjoint({c["id"] for c in second["results"]})


@pytest.mark.parametrize(
    "params",
    [
        {"status": "capital"},
        {"page": "0"},
        {"page": "-3"},
        {"page": "abc"},
        {"country": "SWE"},
        {"country": "1"},
    ],
)
def test_invalid_filters_answer_422_with_the_problem(client, directory_cities, params):
    response = client.get(f"{API}/cities", params)

    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"][-1] in params


@pytest.mark.parametrize(
    "search",
    ["%", "_", "'", "' OR 1=1 --", "🏙️", "x" * 500, "malmo" + "x" * 500, "\x00", "Malmö\x00"],
    ids=[
        "percent",
        "underscore",
        "quote",
        "injection",
        "emoji",
        "long",
        "long-prefix",
        "nul",
        "nul-suffix",
    ],
)
def test_odd_searches_answer_200_with_no_or_a_sane_result(client, directory_cities, search):
    response = client.get(f"{API}/cities", {"search": search})

    assert response.status_code == 200
    assert names(response) in ([], ["Malmö"])
    assert response.json()["count"] == len(names(response))


@pytest.mark.parametrize("page", ["9" * 500, "99999999999999999999999"])
def test_huge_page_numbers_give_the_last_page(client, directory_cities, page):
    response = client.get(f"{API}/cities", {"page": page})

    assert response.status_code == 200
    assert response.json()["page"] == 1


@pytest.mark.parametrize("country", ["\x00", "'", "%", "S%", "s'"])
def test_odd_country_codes_are_refused_with_the_problem(client, directory_cities, country):
    response = client.get(f"{API}/cities", {"country": country})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "country"]


# --- one city ------------------------------------------------------------------------------------


def test_one_city_with_its_public_profile(client, directory_cities):
    malmo = directory_cities[0]
    City.objects.filter(pk=malmo.pk).update(target_year=2030, working_languages=["sv", "en"])

    response = client.get(f"{API}/cities/{malmo.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Malmö"
    assert body["country"] == "SE"
    assert body["country_name"] == "Sweden"
    assert body["target_year"] == 2030
    assert body["working_languages"] == ["sv", "en"]
    assert body["eligible"] is True


@pytest.mark.parametrize("city_id", ["987654", HUGE_ID])
def test_a_missing_city_is_a_json_404(client, city_id):
    response = client.get(f"{API}/cities/{city_id}")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


# --- a city's members (private) ------------------------------------------------------------------


def test_members_need_authentication(client, city, member):
    response = client.get(f"{API}/cities/{city.pk}/members")

    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize("role", ["outsider", "other_lead", "helpdesk_expert"])
def test_members_of_another_city_and_of_no_city_give_the_same_404(
    client, city, member, role, request
):
    client.force_login(request.getfixturevalue(role))

    forbidden = client.get(f"{API}/cities/{city.pk}/members")
    missing = client.get(f"{API}/cities/{city.pk + 1000}/members")
    huge = client.get(f"{API}/cities/{HUGE_ID}/members")

    assert forbidden.status_code == missing.status_code == huge.status_code == 404
    assert forbidden.json() == missing.json() == huge.json()


@pytest.mark.parametrize("role", ["member", "lead", "mentor", "coordinator"])
def test_members_are_listed_for_the_city_and_coordinators(
    client, city, member, lead, mentor, role, request
):
    MembershipFactory(city=city, status="pending", user__name="Pia Pending")
    MembershipFactory(city=city, status="left", user__name="Lars Left")
    client.force_login(request.getfixturevalue(role))

    response = client.get(f"{API}/cities/{city.pk}/members")

    assert response.status_code == 200
    assert sorted(response.json(), key=lambda m: m["name"]) == [
        {"name": "Lea Lead", "role": "lead", "is_mentor": False},
        {"name": "Max Mentor", "role": "member", "is_mentor": True},
        {"name": "Mia Member", "role": "member", "is_mentor": False},
    ]


def test_members_with_a_personal_token(client, city, member):
    _token, secret = create_api_token(member, name="script", actor=member)

    response = client.get(f"{API}/cities/{city.pk}/members", headers=bearer(secret))

    assert response.status_code == 200
    assert "Mia Member" in [m["name"] for m in response.json()]


def test_a_token_of_an_outsider_gets_404(client, city, member, outsider):
    _token, secret = create_api_token(outsider, name="script", actor=outsider)

    response = client.get(f"{API}/cities/{city.pk}/members", headers=bearer(secret))

    assert response.status_code == 404


@pytest.mark.parametrize("secret", ["nzh_wrong", "", "x" * 5000, "nzh_\x00"])
def test_a_wrong_token_is_401(client, city, member, secret):
    response = client.get(f"{API}/cities/{city.pk}/members", headers=bearer(secret))

    assert response.status_code == 401


def test_a_revoked_token_is_401(client, city, member):
    token, secret = create_api_token(member, name="script", actor=member)
    revoke_api_token(token, actor=member)

    assert client.get(f"{API}/cities/{city.pk}/members", headers=bearer(secret)).status_code == 401


def test_a_token_of_a_deactivated_person_is_401(client, city, member):
    _token, secret = create_api_token(member, name="script", actor=member)
    member.is_active = False
    member.save()

    assert client.get(f"{API}/cities/{city.pk}/members", headers=bearer(secret)).status_code == 401


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
    }


@pytest.mark.parametrize(
    ("code", "eligible", "reason"),
    [
        ("CH", True, "Switzerland has been associated with Horizon Europe since 1 January 2025."),
        ("ch", True, "Switzerland has been associated with Horizon Europe since 1 January 2025."),
        ("CA", False, "Pillar II only"),
        ("BY", False, "neither an EU member state nor associated"),
    ],
)
def test_eligibility_of_a_country(client, countries, code, eligible, reason):
    response = client.get(f"{API}/eligibility", {"country": code})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"eligible", "reasons"}
    assert body["eligible"] is eligible
    assert any(reason in r for r in body["reasons"])


def test_eligibility_of_a_city(client, countries):
    city = CityFactory(name="Zürich", country=countries["CH"])

    response = client.get(f"{API}/eligibility", {"city": city.pk})

    assert response.json() == {
        "eligible": True,
        "reasons": [
            "Zürich is in Switzerland.",
            "Switzerland has been associated with Horizon Europe since 1 January 2025.",
        ],
    }


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 422),
        ({"country": "QQ"}, 404),
        ({"country": "\x00"}, 422),
        ({"country": "x" * 500}, 422),
        ({"city": "987654"}, 404),
        ({"city": HUGE_ID}, 404),
        ({"city": "abc"}, 422),
    ],
)
def test_eligibility_with_bad_input_explains(client, countries, params, status):
    response = client.get(f"{API}/eligibility", params)

    assert response.status_code == status
    assert response.json()["detail"]


# --- the OpenAPI schema --------------------------------------------------------------------------

EXPECTED_PATHS = {
    "/api/v1/countries",
    "/api/v1/cities",
    "/api/v1/cities/{city_id}",
    "/api/v1/cities/{city_id}/members",
    "/api/v1/eligibility",
    "/api/v1/me",
}


def test_openapi_lists_every_path_and_documents_error_responses(client):
    response = client.get(f"{API}/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) >= EXPECTED_PATHS
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), where
            assert operation.get("summary"), where
            if operation.get("parameters"):
                assert {"404", "422"} & set(responses), f"{where} documents no input error"
            if operation.get("security"):
                assert "401" in responses, f"{where} documents no 401"
            for code, answer in responses.items():
                if code.startswith("4"):
                    assert answer["content"]["application/json"]["schema"], f"{where} {code}"


# --- query counts --------------------------------------------------------------------------------

CITIES_QUERIES = 2


@pytest.mark.parametrize("count", [3, 60])
def test_cities_list_query_count(client, sweden, count, django_assert_num_queries):
    CityFactory.create_batch(count, country=sweden)

    with django_assert_num_queries(CITIES_QUERIES):
        response = client.get(f"{API}/cities", {"country": "SE"})
    assert response.json()["count"] == count


MEMBERS_QUERIES = 4


@pytest.mark.parametrize("extra_members", [2, 20])
def test_members_query_count(client, city, member, extra_members, django_assert_num_queries):
    MembershipFactory.create_batch(extra_members, city=city)
    client.force_login(member)

    with django_assert_num_queries(MEMBERS_QUERIES):
        response = client.get(f"{API}/cities/{city.pk}/members")
    assert len(response.json()) == extra_members + 1

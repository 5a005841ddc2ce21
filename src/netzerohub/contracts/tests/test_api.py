"""The contracts API: inventory and actions for members and coordinators (others 404), the
published summaries; query counts do not grow with data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netzerohub.contracts import services
from netzerohub.contracts.models import Action

from .test_exports import full_contract

API = "/api/v1/contracts"


@pytest.fixture
def contract(city, member):
    return full_contract(city, member)


def test_members_and_coordinators_read_the_inventory(client, contract, member, coordinator):
    for user in (member, coordinator):
        client.force_login(user)
        response = client.get(f"{API}/{contract.city_id}/inventory")
        assert response.status_code == 200
        data = response.json()
        baseline = data["years"][0]
        assert (data["baseline_year"], baseline["year"]) == (2020, 2020)
        assert Decimal(baseline["gross"]) == 1000 and Decimal(baseline["removals"]) == 50
        assert {"sector": "afolu", "subsector": "afolu", "scope": 1, "tco2e": "50.00",
                "removal": True} in baseline["rows"]  # fmt: skip


def test_members_read_the_actions(client, contract, member):
    client.force_login(member)
    data = client.get(f"{API}/{contract.city_id}/actions").json()
    assert [a["title"] for a in data] == ["Tram line", "Heat pumps"]
    assert data[0]["reductions"] == {"transportation": "300.00"}
    assert data[0]["co_benefits"] == ["health"]


@pytest.mark.parametrize("who", ["other_lead", "outsider", "visitor"])
def test_others_get_404_as_for_a_missing_city(client, contract, request, who):
    user = request.getfixturevalue(who)
    if user.is_authenticated:
        client.force_login(user)
    for part in ("inventory", "actions"):
        mine = client.get(f"{API}/{contract.city_id}/{part}")
        missing = client.get(f"{API}/999999/{part}")
        assert mine.status_code == missing.status_code
        assert mine.status_code in (401, 404)
        if user.is_authenticated:
            assert mine.status_code == 404


def test_api_query_counts_are_constant(client, contract, member):
    client.force_login(member)
    client.get(f"{API}/{contract.city_id}/actions")
    counts = []
    for extra in (0, 5):
        for n in range(extra):
            services.save_action(
                Action(contract=contract, title=f"More {n}"),
                actor=member,
                reductions={"waste": Decimal(1)},
            )
        with CaptureQueriesContext(connection) as inventory:
            client.get(f"{API}/{contract.city_id}/inventory")
        with CaptureQueriesContext(connection) as actions:
            client.get(f"{API}/{contract.city_id}/actions")
        counts.append((len(inventory), len(actions)))
    assert counts == [(5, 5), (5, 5)]  # session, user, membership, contract, rows


def test_the_openapi_schema_documents_the_contract_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/contracts/{city_id}/inventory",
        "/api/v1/contracts/{city_id}/actions",
        "/api/v1/contracts/public",
        "/api/v1/contracts/public/{city_id}",
    ):
        assert "200" in paths[path]["get"]["responses"], path
    assert "404" in paths["/api/v1/contracts/public/{city_id}"]["get"]["responses"]


def test_a_bad_page_of_the_public_list_is_a_documented_422(client):
    response = client.get("/api/v1/contracts/public?limit=1000")
    assert response.status_code == 422
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "422" in paths["/api/v1/contracts/public"]["get"]["responses"]

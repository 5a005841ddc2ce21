"""What others see: only contracts with a published summary, and of them only the parts the
city published — never an unpublished part's numbers, on the page or in the API. Members preview
an unpublished summary; publishing is for members, through the service's rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from netzerohub.contracts import services
from netzerohub.contracts.models import Contract

from .test_exports import full_contract

SECRET = " Zebra"  # in the ambition and an action's title
TRAJECTORY_NUMBERS = ["1,000", "1000", "950"]  # baseline gross and net (t CO2e)
PORTFOLIO_NUMBERS = ["Tram line", "Heat pumps", "500"]  # titles and the expected total
GAP_NUMBERS = ["300"]  # required 800 − expected 500


@pytest.fixture
def contract(city, member):
    return full_contract(city, member)


def publish(contract: Contract, member, **flags: bool) -> None:
    values = {"publish_summary": False, "publish_trajectory": False, "publish_portfolio": False}
    services.save_publishing(contract, {**values, **flags}, actor=member)


def _page(client, contract) -> str:
    response = client.get(reverse("contracts:public-summary", args=[contract.city_id]))
    assert response.status_code == 200
    return response.content.decode()


def _api(client, contract) -> str:
    response = client.get(f"/api/v1/contracts/public/{contract.city_id}")
    assert response.status_code == 200
    return response.content.decode()


def test_an_unpublished_contract_is_404_for_visitors_and_other_cities(client, contract, other_lead):
    url = reverse("contracts:public-summary", args=[contract.city_id])
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/contracts/public/{contract.city_id}").status_code == 404
    client.force_login(other_lead)
    assert client.get(url).status_code == 404
    assert contract.city.name not in client.get(reverse("contracts:public-list")).content.decode()
    assert client.get("/api/v1/contracts/public").json() == []


def test_the_summary_alone_shows_no_inventory_or_portfolio_numbers(client, contract, member):
    publish(contract, member, publish_summary=True)
    page, api = _page(client, contract), _api(client, contract)
    assert "Climate neutral by <strong>2030</strong>" in page
    assert "Tram line" not in page and "Heat pumps" not in page
    assert "1,000" not in page and "950" not in page and "Trajectory" not in page
    data = client.get(f"/api/v1/contracts/public/{contract.city_id}").json()
    assert data["trajectory"] is None and data["portfolio"] is None and data["gap"] is None
    assert "Tram line" not in api and "1000" not in api and "950" not in api and "500" not in api
    listed = client.get(reverse("contracts:public-list")).content.decode()
    assert contract.city.name in listed


def test_the_trajectory_without_the_portfolio_shows_no_expected_reductions(
    client, contract, member
):
    publish(contract, member, publish_trajectory=True)
    contract.refresh_from_db()
    assert contract.publish_summary  # the service's rule
    page, api = _page(client, contract), _api(client, contract)
    assert "1,000" in page and "950" in page and "800" in page  # required reduction
    assert 'data-trajectory-chart="lines"' in page  # the trajectory page's chart
    for hidden in ["Tram line", "Heat pumps", "Expected reductions", "With the portfolio"]:
        assert hidden not in page, hidden
    data = client.get(f"/api/v1/contracts/public/{contract.city_id}").json()
    assert Decimal(data["trajectory"]["required"]) == 800
    assert data["portfolio"] is None and data["gap"] is None
    assert "Tram line" not in api and '"expected"' not in api


def test_the_portfolio_without_the_trajectory_shows_no_inventory(client, contract, member):
    publish(contract, member, publish_portfolio=True)
    page, api = _page(client, contract), _api(client, contract)
    assert "Tram line" in page and "Heat pumps" in page
    assert "950" not in page and "1,000" not in page and "Trajectory to climate" not in page
    data = client.get(f"/api/v1/contracts/public/{contract.city_id}").json()
    assert data["trajectory"] is None and data["gap"] is None
    assert Decimal(data["portfolio"]["expected"]) == 500
    assert "950" not in api and '"required"' not in api


def test_everything_published_shows_the_gap(client, contract, member):
    publish(contract, member, publish_trajectory=True, publish_portfolio=True)
    page = _page(client, contract)
    assert "The emissions gap" in page and "Tram line" in page
    data = client.get(f"/api/v1/contracts/public/{contract.city_id}").json()
    assert Decimal(data["gap"]["gap"]) == 300


def test_members_preview_an_unpublished_summary_with_only_the_published_parts(
    client, contract, member, coordinator
):
    for user in (member, coordinator):
        client.force_login(user)
        page = _page(client, contract)
        assert "Preview: this summary is not published" in page
        assert "Tram line" not in page and "950" not in page


def test_members_publish_and_others_cannot(client, contract, member, lead, coordinator):
    url = reverse("contracts:publishing", args=[contract.city_id])
    client.force_login(member)
    assert 'name="publish_portfolio"' in client.get(url).content.decode()
    response = client.post(url, {"publish_portfolio": "on"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (
        contract.publish_portfolio and contract.publish_summary and not contract.publish_trajectory
    )
    client.force_login(coordinator)
    assert 'name="publish_portfolio"' not in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 404
    contract.refresh_from_db()
    assert contract.publish_portfolio


@pytest.mark.parametrize("size", [0, 6])
def test_public_query_counts_are_constant(
    client, contract, member, django_assert_num_queries, size
):
    for n in range(size):
        full_contract(
            type(contract.city).objects.create(
                name=f"Extra {n}", country=contract.city.country, population=1000
            ),
            member,
        )
    for c in Contract.objects.all():
        publish(c, member, publish_trajectory=True, publish_portfolio=True)
    with django_assert_num_queries(PUBLIC_SUMMARY_QUERIES):
        _page(client, contract)
    with django_assert_num_queries(PUBLIC_LIST_QUERIES):
        client.get(reverse("contracts:public-list"))
    with django_assert_num_queries(PUBLIC_API_QUERIES):
        _api(client, contract)


# the contract, the key figures (4), interim targets, signatories, the portfolio (3 on the page,
# 2 in the API); the list: its count (then cached) and its page
PUBLIC_SUMMARY_QUERIES = 10
PUBLIC_LIST_QUERIES = 2
PUBLIC_API_QUERIES = 9

"""The Mission Label readiness checklist, rule by rule (see `checklist`'s docstring)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from netzerohub.contracts import services
from netzerohub.contracts.checklist import readiness, ready
from netzerohub.contracts.figures import figures_of
from netzerohub.contracts.models import Action, Indicator, Signatory
from netzerohub.contracts.services import Row

pytestmark = pytest.mark.django_db

CODES = [
    "commitments",
    "A-1",
    "A-2",
    "A-3",
    "B-1",
    "B-2",
    "portfolio",
    "B-3",
    "C-1",
    "C-2",
    "C-3",
    "investment",
    "signatories",
    "gap",
]


def items(contract) -> dict:
    return {item.code: item for item in readiness(contract, figures_of(contract))}


@pytest.fixture
def contract(city):
    return services.workspace(city)


def full(contract) -> None:
    """A workspace where every item is done (the gap closed by the portfolio)."""
    contract.baseline_year, contract.target_year = 2020, 2030
    contract.covered_sectors, contract.covered_scopes = ["stationary"], [1, 2]
    contract.ambition = "Neutral by 2030"
    services.save_commitments(contract, actor=None)
    services.save_inventory_year(contract, 2020, [Row("residential", 1, D(100))], actor=None)
    services.save_narratives(
        contract,
        {code: f"Text of {code}" for code in ("A-2", "A-3", "B-1", "B-2", "C-1", "C-2", "C-3")},
        actor=None,
    )
    action = Action.objects.create(contract=contract, title="Heat pumps", capital_cost=D(1000))
    services.save_action(action, actor=None, reductions={"stationary": D(80)})
    Indicator.objects.create(
        action=action, name="Pumps", target_2025=D(1), target_2027=D(2), target_2030=D(3)
    )
    action.capital_needs.create(year=2026, amount=D(1000))
    action.funding.create(year=2026, source="eu", status="secured", amount=D(1000))
    Signatory.objects.create(contract=contract, organisation="City council")


def test_the_items_come_in_the_templates_order_and_an_empty_workspace_is_not_ready(contract):
    found = readiness(contract, figures_of(contract))
    assert [item.code for item in found] == CODES
    assert not ready(found)
    # nothing is done but the investment plan (no action has a capital cost)
    assert [item.code for item in found if item.done] == ["investment"]
    assert all(item.fix for item in found if not item.done)
    assert all(item.url.startswith("/") for item in found)


def test_a_full_workspace_is_ready(contract):
    full(contract)
    found = readiness(contract, figures_of(contract))
    assert ready(found), [item for item in found if not item.done]
    assert all(item.fix == "" for item in found)


def test_commitments_need_target_baseline_scope_and_ambition(contract):
    full(contract)
    contract.ambition = "  "
    contract.covered_scopes = []
    item = items(contract)["commitments"]
    assert not item.done
    assert "the scopes covered" in item.fix and "the ambition" in item.fix
    assert "target year" not in item.fix
    assert item.url == reverse("contracts:commitments", args=[contract.city_id])


def test_the_baseline_inventory_is_the_baseline_years(contract):
    full(contract)
    contract.baseline_year = 2019  # no inventory for 2019
    contract.save()
    item = items(contract)["A-1"]
    assert not item.done and "2019" in item.fix
    contract.baseline_year = None
    contract.save()
    assert "Choose a baseline year" in items(contract)["A-1"].fix


@pytest.mark.parametrize("code", ["A-2", "A-3", "B-1", "B-2", "C-1", "C-2", "C-3"])
def test_every_section_needs_its_text(contract, code):
    full(contract)
    services.save_narratives(contract, {code: "   "}, actor=None)
    found = items(contract)
    assert not found[code].done
    assert found[code].url == reverse("contracts:narrative", args=[contract.city_id, code])
    assert sum(1 for item in found.values() if not item.done) == 1


def test_the_portfolio_needs_actions_and_each_an_indicator_with_three_targets(contract):
    full(contract)
    second = Action.objects.create(contract=contract, title="Bike lanes")
    found = items(contract)
    assert found["portfolio"].done and not found["B-3"].done
    assert found["B-3"].fix.startswith("1 actions")
    Indicator.objects.create(action=second, name="Lanes", target_2030=D(10))  # one target only
    assert not items(contract)["B-3"].done
    Indicator.objects.create(
        action=second, name="Km", target_2025=D(1), target_2027=D(2), target_2030=D(3)
    )
    assert items(contract)["B-3"].done
    Action.objects.all().delete()
    found = items(contract)
    assert not found["portfolio"].done and not found["B-3"].done


def test_every_costed_action_needs_capital_needs_and_funding(contract):
    full(contract)
    action = Action.objects.get()
    action.funding.all().delete()
    item = items(contract)["investment"]
    assert not item.done and item.fix.startswith("1 actions")
    action.funding.create(year=2026, source="eu", status="gap", amount=D(1000))
    action.capital_needs.all().delete()
    assert not items(contract)["investment"].done
    Action.objects.filter(pk=action.pk).update(capital_cost=D(0))
    assert items(contract)["investment"].done  # no capital cost, nothing to plan


def test_signatories_are_needed(contract):
    full(contract)
    Signatory.objects.all().delete()
    assert not items(contract)["signatories"].done


def test_the_gap_is_closed_or_explained(contract):
    full(contract)
    assert items(contract)["gap"].done  # 80 required, 80 expected
    services.save_inventory_year(contract, 2020, [Row("residential", 1, D(200))], actor=None)
    item = items(contract)["gap"]  # 160 required, 80 expected
    assert not item.done
    assert item.url == reverse("contracts:narrative", args=[contract.city_id, "gap"])
    services.save_narratives(contract, {"gap": "A district heating plan in 2027"}, actor=None)
    assert items(contract)["gap"].done


def test_without_settings_there_is_no_gap_to_close(contract):
    full(contract)
    services.save_narratives(contract, {"gap": "Explained"}, actor=None)
    contract.target_year = None
    item = items(contract)["gap"]
    assert not item.done and "target and baseline years" in item.fix


def test_the_checklist_reads_two_queries_whatever_the_portfolio(
    contract, django_assert_num_queries
):
    full(contract)
    figures = figures_of(contract)
    with django_assert_num_queries(2):
        readiness(contract, figures)
    for n in range(10):
        Action.objects.create(contract=contract, title=f"Action {n}", capital_cost=D(n))
    with django_assert_num_queries(2):
        readiness(contract, figures)

"""The Climate City Contract benchmark's seeding at toy scale: workspaces of synthetic cities
with their inventory years (sub-sector × scope rows, some removals) and actions (reductions,
indicators with measured values, capital needs, funding) that the product reads as it reads
its own (figures, snapshot, exports); idempotent and replaceable; the members run.py signs in
as, and the measured pages answering for their sessions.

No timings here: speed is what `make bench` measures, not what tests assert.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

import pytest
import run
import seed
import seed_contracts as sc

from netzerohub.cities.models import City, Country, Membership
from netzerohub.cities.policies import is_member
from netzerohub.contracts import sectors
from netzerohub.contracts.figures import figures_of
from netzerohub.contracts.models import (
    Action,
    ActionReduction,
    CapitalNeed,
    Contract,
    Emission,
    Funding,
    Indicator,
    InventoryYear,
    Measurement,
)
from netzerohub.contracts.snapshot import snapshot_of

pytestmark = pytest.mark.django_db

TARGETS = sc.Targets(workspaces=8, years=4, actions=6, members=5)


def quiet(*args: object) -> None:
    pass


@pytest.fixture
def cities() -> None:
    Country.objects.create(code="FR", name="France", is_eu_member=True)
    Country.objects.create(code="NO", name="Norway", is_associated=True)
    seed.seed(seed.Targets(cities=60, users=20, memberships=30), log=quiet)
    # a few Mission Cities among the synthetic ones (they aim at 2030)
    ids = list(City.objects.order_by("pk").values_list("pk", flat=True))
    City.objects.filter(pk__in=ids[::4]).update(status=City.Status.MISSION)


def counts() -> tuple[int, ...]:
    models = (Contract, InventoryYear, Emission, Action, ActionReduction, Indicator, Measurement,
              CapitalNeed, Funding)  # fmt: skip
    return tuple(m.objects.count() for m in models)


def test_every_workspace_has_its_years_and_actions(cities):
    report = sc.seed(TARGETS, log=quiet)

    contracts = list(sc.bench_contracts().select_related("city"))
    assert report["workspaces"] == 8 == len(contracts)
    assert len({c.city_id for c in contracts}) == 8
    assert all(c.city.source == City.Source.SYNTHETIC for c in contracts)
    facts = sc.facts()
    assert facts["inventory_years"] == 8 * 4 and facts["actions"] == 8 * 6
    assert facts["emission_rows"] == report["emissions"]
    assert facts["emission_rows"] == 8 * 4 * len(sc.ROWS) + facts["removal_rows"]
    assert 0 < facts["removal_rows"] < 8 * 4
    for contract in contracts:
        years = list(contract.inventory.order_by("year").values_list("year", flat=True))
        assert years == list(range(contract.baseline_year, contract.baseline_year + 4))
        if contract.city.status == City.Status.MISSION:
            assert contract.target_year == 2030
        else:
            assert contract.target_year in (2040, 2045, 2050)
        assert contract.interim_targets.count() == 2 and contract.signatories.count() == 2
        actions = list(contract.actions.all())
        assert [a.position for a in actions] == list(range(1, 7))
        assert all(a.field_id and a.lever_id and a.ends > a.starts for a in actions)
    # the constraints' shapes: one row per sub-sector, scope and kind a year
    rows = Counter(
        Emission.objects.values_list("inventory_year_id", "subsector", "scope", "removal")
    )
    assert max(rows.values()) == 1
    assert set(Emission.objects.values_list("subsector", flat=True)) <= set(
        sectors.SUBSECTOR_BY_CODE
    )


def test_actions_have_reductions_indicators_needs_and_funding(cities):
    sc.seed(TARGETS, log=quiet)

    per_action: dict[str, Counter] = defaultdict(Counter)
    for model, key in ((ActionReduction, "reductions"), (Indicator, "indicators"),
                       (CapitalNeed, "needs"), (Funding, "funding")):  # fmt: skip
        for action_id in model.objects.values_list("action_id", flat=True):
            per_action[key][action_id] += 1
    actions = set(Action.objects.values_list("pk", flat=True))
    for key, (low, high) in {"reductions": (1, 3), "indicators": (1, 2), "needs": (3, 5),
                             "funding": (2, 3)}.items():  # fmt: skip
        assert set(per_action[key]) == actions, key
        assert low <= min(per_action[key].values()) and max(per_action[key].values()) <= high
    measured = Counter(Measurement.objects.values_list("indicator_id", flat=True))
    assert set(measured) == set(Indicator.objects.values_list("pk", flat=True))
    assert min(measured.values()) >= 2 and max(measured.values()) <= 4
    for action in Action.objects.prefetch_related("capital_needs", "funding")[:20]:
        years = sorted(n.year for n in action.capital_needs.all())
        assert years == list(range(years[0], years[0] + len(years)))
        assert {f.year for f in action.funding.all()} <= set(years)
        assert isinstance(action.co_benefits, list) and 1 <= len(action.co_benefits) <= 3
    assert set(Funding.objects.values_list("status", flat=True)) == set(Funding.Status.values)


def test_the_product_reads_the_seeded_workspaces(cities):
    sc.seed(TARGETS, log=quiet)

    for contract in sc.bench_contracts().select_related("city"):
        figures = figures_of(contract)
        assert figures.baseline is not None and figures.baseline.gross > 0
        covered = figures.gap.overall.share_covered
        assert Decimal("0.25") < covered < Decimal("1.1"), covered  # a gap partly closed
        assert sum(figures.capital_by_year.values()) > 0
        snapshot = snapshot_of(contract)
        assert len(snapshot["actions"]) == 6 and len(snapshot["inventory"]) == 4


def test_seeding_again_adds_nothing_and_other_targets_replace(cities):
    sc.seed(TARGETS, log=quiet)
    before = counts()
    ids = list(sc.bench_contracts().order_by("pk").values_list("pk", "city_id"))

    again = sc.seed(TARGETS, log=quiet)

    assert not any(v for k, v in again.items() if not k.endswith("_s"))
    assert counts() == before
    assert list(sc.bench_contracts().order_by("pk").values_list("pk", "city_id")) == ids

    other = sc.seed(sc.Targets(workspaces=5, years=3, actions=4, members=3), log=quiet)

    assert other["workspaces_deleted"] == 8 and other["workspaces"] == 5
    assert sc.facts()["actions"] == 20 and sc.facts()["inventory_years"] == 15
    assert counts()[0] == 5  # nothing of the old workspaces left

    rebuilt = sc.seed(sc.Targets(workspaces=5, years=3, actions=4, members=3), log=quiet,
                      rebuild=True)  # fmt: skip
    assert rebuilt["workspaces_deleted"] == 5 and sc.bench_contracts().count() == 5


def test_more_workspaces_than_synthetic_cities_is_refused(cities):
    with pytest.raises(RuntimeError, match="as many synthetic cities"):
        sc.seed(sc.Targets(workspaces=1_000), log=quiet)


def test_each_sampled_city_has_an_approved_synthetic_member(cities):
    sc.seed(TARGETS, log=quiet)

    chosen = sc.members(5)
    assert len(chosen) == 5
    assert len({city_id for city_id, _user in chosen}) == 5
    for city_id, user in chosen:
        assert is_member(user, City.objects.get(pk=city_id))
        assert user.email.endswith(f"@{seed.USER_DOMAIN}")
    before = Membership.objects.count()
    assert sc.seed_members(5) == 0 and Membership.objects.count() == before


def test_the_measured_pages_answer_for_the_sessions_run_makes(cities, client):
    sc.seed(TARGETS, log=quiet)
    contracts = run.contracts_sessions(5)

    assert contracts.workspaces == 8 and len(contracts.members) == 5
    pages = run.contracts_pages(contracts)
    assert [p.path.split("/")[-2] for p in pages] == ["<city>", "actions", "trajectory"]
    for page in pages:
        assert len(set(page.rotate)) == 5
        for path, cookie in zip(page.rotate, page.cookies, strict=True):
            client.cookies.clear()
            client.cookies.load(cookie)
            response = client.get(path)
            assert response.status_code == 200, path


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_the_export_script_exports_a_seeded_workspace(cities, fmt):
    import contracts_export

    sc.seed(TARGETS, log=quiet)

    found = contracts_export.export_in_process(fmt)

    assert found["format"] == fmt and found["bytes"] > 1_000
    assert found["actions"] == 6 and found["inventory_years"] == 4
    assert found["seconds"] > 0 and found["tracemalloc_peak_mb"] > 0
    assert "rss_growth_mb" in found
    assert "| PDF |" in contracts_export.note([{**found, "format": "pdf", "runs_s": [1.0]}])

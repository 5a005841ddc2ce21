"""The demo's sample Climate City Contract workspace: marked as sample, built through the
services (audited), its gap the one the demo's own numbers give by hand, partly closed and
explained; a returned version with comments and one waiting; published; loaded once however
often the loader runs."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal as D
from io import StringIO

import pytest

from netzerohub.accounts.tests.factories import CoordinatorFactory, UserFactory
from netzerohub.cities.models import City, Membership
from netzerohub.cities.tests.factories import CityFactory, CountryFactory, MembershipFactory
from netzerohub.contracts import checklist, demo, sectors
from netzerohub.contracts.figures import figures_of
from netzerohub.contracts.models import (
    Action,
    ActionReduction,
    CapitalNeed,
    Contract,
    ContractVersion,
    Emission,
    Funding,
    Indicator,
    InventoryYear,
    Measurement,
    ReviewComment,
)
from netzerohub.contracts.policies import contract_policy
from netzerohub.core.models import AuditLog

pytestmark = pytest.mark.django_db

MODELS = (
    Contract, InventoryYear, Emission, Action, ActionReduction, Indicator, Measurement,
    CapitalNeed, Funding, ContractVersion, ReviewComment,
)  # fmt: skip


@pytest.fixture
def people():
    """The demo people: lead and member of Gent (participating, not a Mission City), and the
    coordinator."""
    gent = CityFactory(
        name="Gent", country=CountryFactory(code="BE"), status=City.Status.PARTICIPATING
    )
    users = {"coordinator@example.org": CoordinatorFactory(email="coordinator@example.org")}
    for email, role in [("lead@example.org", Membership.Role.LEAD), ("member@example.org", None)]:
        users[email] = UserFactory(email=email)
        MembershipFactory(user=users[email], city=gent, **({"role": role} if role else {}))
    return users


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in MODELS)


def sample() -> Contract:
    return Contract.objects.select_related("city").get(city__name="Gent")


def test_the_workspace_is_a_published_sample_that_says_so(people):
    report = demo.load_contract(people)

    contract = sample()
    assert report["sample workspaces"] == 1 and contract.is_sample
    assert (contract.baseline_year, contract.target_year) == (2019, 2045)
    assert contract.publish_summary and contract.publish_trajectory and contract.publish_portfolio
    assert contract_policy.can(UserFactory(), "view_public", contract)
    assert "invented" in contract.ambition
    assert "None of it is the city's real data" in contract.ambition
    for code, text in contract.narratives.items():
        assert demo.SAMPLE_NOTE in text, code
    assert set(contract.narratives) == {code for code, _label in demo.NARRATIVES.items()}
    assert contract.interim_targets.count() == 3
    assert all("(demo)" in s.organisation for s in contract.signatories.all())
    # built through the services: audited as the demo people
    actions = {a.action for a in AuditLog.objects.all()}
    assert {
        "contracts.commitments.saved",
        "contracts.inventory.saved",
        "contracts.action.saved",
        "contracts.version.submitted",
        "contracts.version.returned",
        "contracts.publishing.saved",
        "contracts.targets.saved",
        "contracts.signatories.saved",
        "contracts.indicators.saved",
        "contracts.measurements.saved",
        "contracts.capital_needs.saved",
        "contracts.funding.saved",
    } <= actions


def test_every_page_has_something_to_show(people):
    demo.load_contract(people)
    contract = sample()

    actions = list(contract.actions.select_related("field", "lever"))
    assert len(actions) == len(demo.ACTIONS) == 13
    assert {a.status for a in actions} == set(Action.Status.values)
    assert len({a.field.slug for a in actions}) == 7
    assert len({a.lever.slug for a in actions}) == 6
    assert [a.position for a in actions] == list(range(1, 14))
    assert all(a.indicators.exists() and a.capital_needs.exists() for a in actions)
    assert all(2 <= a.funding.count() <= 3 for a in actions)
    assert Measurement.objects.filter(indicator__action__contract=contract).count() >= 15
    assert set(contract.inventory.values_list("year", flat=True)) == {2019, 2021, 2023}
    assert Emission.objects.filter(inventory_year__contract=contract, removal=True).count() == 3
    statuses = set(
        Funding.objects.filter(action__contract=contract).values_list("status", flat=True)
    )
    assert statuses == set(Funding.Status.values)
    figures = figures_of(contract)
    assert sum(figures.funding_gap_by_year().values()) > 0  # an investment gap to show
    assert all(y in figures.years for y in (2019, 2021, 2023))
    assert figures.years[2023].gross < figures.years[2021].gross < figures.years[2019].gross
    # the Mission Label's readiness checklist: every part filled, the gap explained
    items = checklist.readiness(contract, figures)
    assert checklist.ready(items), [i.code for i in items if not i.done]


def hand_gap(rows, reductions) -> tuple[D, D, dict[str, D]]:
    """(required, gap, gap per sector) computed from the demo's own numbers with the
    trajectory's definitions, without the product's arithmetic."""
    baseline: dict[str, D] = defaultdict(D)
    for subsector, _scope, tco2e, removal in rows:
        if not removal:
            baseline[sectors.sector_of(subsector)] += D(tco2e)
    expected: dict[str, D] = defaultdict(D)
    for spec in reductions:
        for sector, t in spec["reductions"].items():
            expected[sector] += D(t)
    growth = (1 + demo.BAU_ANNUAL_CHANGE) ** (demo.TARGET_YEAR - demo.BASELINE_YEAR)

    def required(base: D) -> D:
        return max(D(0), base * growth - base * demo.RESIDUAL_SHARE)

    total = sum(baseline.values(), D(0))
    per_sector = {s: required(b) - expected[s] for s, b in baseline.items()}
    return required(total), required(total) - sum(expected.values(), D(0)), per_sector


def test_the_gap_is_the_one_the_demos_numbers_give_partly_closed_and_explained(people):
    demo.load_contract(people)
    contract = sample()

    figures = figures_of(contract)
    required, gap, per_sector = hand_gap(demo.BASELINE, demo.ACTIONS)
    assert figures.baseline.gross == D(2_528_000)  # the sum of BASELINE's emission lines
    assert figures.years[2019].removals == D(12_000)
    assert figures.expected == D(1_573_000)
    assert figures.gap.overall.required == required
    assert figures.gap.overall.gap == gap
    for sector, value in per_sector.items():
        assert figures.gap.sectors[sector].gap == value, sector
    low, high = demo.GAP_SHARE_RANGE
    assert not figures.gap.overall.closed
    assert low <= figures.gap.overall.share_covered <= high
    assert "two thirds" in contract.narratives["gap"]
    # the figures the waiting version froze are these
    waiting = contract.versions.get(status=ContractVersion.Status.SUBMITTED)
    assert waiting.figures == figures.as_json()
    assert D(waiting.figures["gap"]) == gap


def test_a_returned_version_with_comments_and_a_later_one_waiting(people):
    demo.load_contract(people)
    contract = sample()

    first, second = contract.versions.order_by("number")
    assert (first.number, first.status) == (1, ContractVersion.Status.RETURNED)
    assert (second.number, second.status) == (2, ContractVersion.Status.SUBMITTED)
    assert first.submitted_by == second.submitted_by == people["lead@example.org"]
    assert first.decided_by == people["coordinator@example.org"]
    assert dict(first.comments.values_list("section", "body")) == demo.RETURN_COMMENTS
    assert not second.comments.exists()
    # what changed between them: the 2023 inventory and two actions, a smaller gap
    assert len(first.snapshot["actions"]) == 11 and len(second.snapshot["actions"]) == 13
    assert "2023" not in first.figures["years"] and "2023" in second.figures["years"]
    _required, first_gap, _sectors = hand_gap(
        demo.BASELINE, [a for a in demo.ACTIONS if not a.get("later")]
    )
    assert D(first.figures["gap"]) == first_gap > D(second.figures["gap"])
    assert first.snapshot["commitments"]["narratives"]["gap"].startswith(demo.FIRST_GAP_TEXT)


def test_the_demo_loads_once_however_often_it_runs(people):
    demo.load_contract(people)
    first = counts()
    audit = AuditLog.objects.count()

    assert demo.load_contract(people) == {}
    assert counts() == first and AuditLog.objects.count() == audit
    assert demo.summary({}) == ["Sample Climate City Contract workspace: already there."]


def test_an_empty_workspace_opened_before_the_demo_is_filled(people):
    """A visit to the workspace page creates it empty; the demo then fills that one."""
    gent = City.objects.get(name="Gent")
    Contract.objects.create(city=gent)

    report = demo.load_contract(people)

    assert report["sample workspaces"] == 1
    assert Contract.objects.filter(city=gent).count() == 1 and sample().is_sample


def test_a_workspace_the_city_already_works_in_is_left_alone(people):
    gent = City.objects.get(name="Gent")
    contract = Contract.objects.create(city=gent)
    Action.objects.create(contract=contract, title="Our own action")

    assert demo.load_contract(people) == {}
    assert not sample().is_sample and Action.objects.count() == 1


def test_the_loader_needs_the_taxonomy(people):
    from netzerohub.core.models import Term

    Term.objects.filter(kind=Term.Kind.LEVER, slug="finance-funding").delete()
    with pytest.raises(demo.DemoError, match="finance-funding"):
        demo.load_contract(people)
    assert not Contract.objects.exists()


def test_load_demo_data_loads_the_contract(people):
    """The command's step: one summary line, and a second run changes nothing."""
    from netzerohub.dashboard.management.commands.load_demo_data import Command

    out = StringIO()
    command = Command(stdout=out)
    command._contract(people)
    first = counts()
    command._contract(people)

    assert "13 actions" in out.getvalue() and "2 versions" in out.getvalue()
    assert "already there" in out.getvalue()
    assert counts() == first

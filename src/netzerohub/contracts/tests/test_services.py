"""The workspace's writes: commitments, inventory entry and import, the gap from stored rows,
submission of frozen versions and their review, and who may."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.http import Http404
from openpyxl import Workbook, load_workbook

from netzerohub.cities.models import City
from netzerohub.contracts import inventory_io, policies, services
from netzerohub.contracts.figures import figures_of
from netzerohub.contracts.inventory_io import ImportProblems
from netzerohub.contracts.models import Action, ContractVersion, Emission, InventoryYear
from netzerohub.contracts.services import ContractError, Row

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(city):
    contract = services.workspace(city)
    contract.baseline_year, contract.target_year = 2020, 2030
    return services.save_commitments(contract, actor=None)


def test_a_mission_city_aims_at_2030_and_cannot_aim_later(city, contract):
    assert services.workspace(city).target_year == 2030
    contract.target_year = 2040
    with pytest.raises(ContractError, match="2030 at the latest"):
        services.save_commitments(contract, actor=None)


def test_other_cities_may_aim_at_2050(other_city):
    contract = services.workspace(other_city)
    assert contract.target_year is None
    contract.baseline_year, contract.target_year = 2018, 2050
    services.save_commitments(contract, actor=None)
    contract.baseline_year = 2051
    with pytest.raises(ContractError, match="after the baseline year"):
        services.save_commitments(contract, actor=None)


def test_the_gap_from_stored_rows_matches_the_hand_computed_case(contract):
    services.save_inventory_year(
        contract,
        2020,
        [
            Row("residential", 1, D(400)),
            Row("commercial", 2, D(200)),
            Row("on-road", 1, D(400)),
            Row("afolu", 1, D(50), removal=True),
        ],
        actor=None,
    )
    bus = Action.objects.create(contract=contract, title="Electric buses")
    services.save_action(bus, actor=None, reductions={"transportation": D(100)})
    retrofit = Action.objects.create(contract=contract, title="Retrofits")
    services.save_action(retrofit, actor=None, reductions={"stationary": D(500)})
    figures = figures_of(contract)
    # Baseline gross 1,000 (the removal apart); residual 20 %: required 800; expected 600.
    assert figures.baseline.gross == D(1000) and figures.baseline.removals == D(50)
    assert figures.gap.overall.required == D(800)
    assert figures.gap.overall.gap == D(200)
    assert figures.gap.sectors["stationary"].gap == D(-20)  # 480 required, 500 expected
    assert figures.gap.sectors["transportation"].gap == D(220)  # 320 required, 100 expected
    # An action more, and the gap shrinks.
    tram = Action.objects.create(contract=contract, title="Tram line")
    services.save_action(tram, actor=None, reductions={"transportation": D(150)})
    assert figures_of(contract).gap.overall.gap == D(50)


def test_the_funding_gap_is_what_secured_and_expected_funding_leave_open(contract):
    action = Action.objects.create(contract=contract, title="District heating")
    action.capital_needs.create(year=2026, amount=D(1000))
    action.capital_needs.create(year=2027, amount=D(500))
    action.funding.create(year=2026, source="eu", status="secured", amount=D(600))
    action.funding.create(year=2026, source="loans", status="expected", amount=D(100))
    action.funding.create(year=2026, source="private", status="gap", amount=D(300))
    action.funding.create(year=2027, source="municipal", status="secured", amount=D(700))
    assert figures_of(contract).funding_gap_by_year() == {2026: D(300), 2027: D(0)}


def test_an_inventory_year_refuses_duplicate_rows_and_keeps_what_was_there(contract):
    services.save_inventory_year(contract, 2020, [Row("rail", 1, D(5))], actor=None)
    with pytest.raises(ContractError, match="line 2: The same sub-sector and scope as line 1"):
        services.save_inventory_year(
            contract, 2020, [Row("rail", 1, D(5)), Row("rail", 1, D(6))], actor=None
        )
    assert list(Emission.objects.values_list("tco2e", flat=True)) == [D(5)]
    with pytest.raises(ContractError, match="between 1990 and 2100"):
        services.save_inventory_year(contract, 1989, [], actor=None)


def workbook(rows):
    book = Workbook()
    sheet = book.active
    sheet.title = inventory_io.SHEET
    sheet.append(inventory_io.headers())
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_lists_every_subsector_and_scope():
    sheet = load_workbook(io.BytesIO(inventory_io.template(2020)))[inventory_io.SHEET]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 15 * 3
    assert rows[0][0] == 2020 and rows[0][2] == "residential" and rows[0][5] is None


def test_an_import_with_wrong_rows_names_each_and_imports_nothing(contract):
    data = workbook(
        [
            [2020, "", "residential", "", 1, "1200", "no"],
            [2020, "", "residential", "", 1, "300", "no"],  # duplicate of row 2
            [2020, "", "rail", "", 1, "lots", "no"],  # text in a number
            [1850, "", "waste", "", 1, "10", "no"],  # impossible year
            [2020, "", "moon-base", "", 4, "10", "maybe"],
        ]
    )
    with pytest.raises(ImportProblems) as refused:
        inventory_io.import_inventory(contract, data, actor=None)
    found = {(p.row, p.message) for p in refused.value.problems}
    assert (3, "The same year, sub-sector, scope and kind as row 2.") in found
    assert (4, "“lots” is not a number of tonnes.") in found
    assert any(row == 5 and "whole number from 1990" in message for row, message in found)
    assert {row for row, _m in found if row == 6} == {6}
    assert len([m for row, m in found if row == 6]) == 3  # code, scope, removal
    assert not InventoryYear.objects.filter(contract=contract).exists()


def test_a_right_import_replaces_its_years(contract):
    services.save_inventory_year(contract, 2020, [Row("rail", 1, D(5))], actor=None)
    data = workbook(
        [
            [2020, "", "residential", "", 1, "1 200,5", "no"],
            [2020, "", "afolu", "", 1, 40, "yes"],
            [2022, "", "on-road", "", 1, 900, ""],
            [2022, "", "on-road", "", 2, None, "no"],  # left empty: skipped
        ]
    )
    assert inventory_io.import_inventory(contract, data, actor=None) == {2020: 2, 2022: 1}
    years = figures_of(contract).years
    assert years[2020].gross == D("1200.50") and years[2020].removals == D(40)
    assert years[2022].gross == D(900)


def test_a_file_that_is_not_a_workbook_is_refused(contract):
    with pytest.raises(ImportProblems, match="nothing was imported"):
        inventory_io.import_inventory(contract, b"%PDF-1.4 not a workbook", actor=None)


def test_a_submitted_version_is_frozen_and_the_draft_goes_on(contract, lead):
    services.save_inventory_year(contract, 2020, [Row("residential", 1, D(100))], actor=lead)
    version = services.submit(contract, actor=lead)
    assert version.number == 1 and version.status == ContractVersion.Status.SUBMITTED
    assert version.snapshot["inventory"][0]["rows"][0]["tco2e"] == "100.00"
    assert version.figures["years"]["2020"]["gross"] == "100.00"
    version.snapshot["inventory"] = []
    with pytest.raises(ValueError, match="never changes"):
        version.save()
    # The draft changes; the version does not.
    services.save_inventory_year(contract, 2020, [Row("residential", 1, D(80))], actor=lead)
    version.refresh_from_db()
    assert version.snapshot["inventory"][0]["rows"][0]["tco2e"] == "100.00"
    with pytest.raises(ContractError, match="already waiting for review"):
        services.submit(contract, actor=lead)


def test_a_returned_version_needs_a_comment_and_the_lead_resubmits(contract, lead, coordinator):
    first = services.submit(contract, actor=lead)
    with pytest.raises(ContractError, match="needs a comment"):
        services.review(first, accept=False, comments={"A-1": "  "}, actor=coordinator)
    with pytest.raises(ContractError, match="sections only"):
        services.review(first, accept=False, comments={"Z-9": "What?"}, actor=coordinator)
    services.review(first, accept=False, comments={"A-1": "Add scope 3."}, actor=coordinator)
    first.refresh_from_db()
    assert first.status == ContractVersion.Status.RETURNED
    assert first.comments.get().body == "Add scope 3."
    with pytest.raises(ContractError, match="already been reviewed"):
        services.review(first, accept=True, comments={}, actor=coordinator)
    second = services.submit(contract, actor=lead)
    services.review(second, accept=True, comments={}, actor=coordinator)
    second.refresh_from_db()
    assert (second.number, second.status) == (2, ContractVersion.Status.ACCEPTED)


def test_members_edit_leads_submit_coordinators_review_others_get_404(
    contract, member, lead, other_lead, coordinator, visitor
):
    policy = policies.contract_policy
    assert policy.can(member, "edit", contract) and not policy.can(member, "submit", contract)
    assert policy.can(lead, "submit", contract)
    assert policy.can(coordinator, "review", contract) and not policy.can(
        coordinator, "edit", contract
    )
    for outsider in (other_lead, visitor):
        with pytest.raises(Http404):
            policies.get_contract_for_user(outsider, contract.city_id)
    with pytest.raises(Http404):
        policies.get_contract_for_user(member, contract.city_id + 1000)
    assert not policy.can(visitor, "view_public", contract)
    contract.publish_summary = True
    assert policy.can(visitor, "view_public", contract)


def test_actions_end_after_they_start(contract):
    import datetime as dt

    action = Action(
        contract=contract, title="Backwards", starts=dt.date(2027, 1, 1), ends=dt.date(2026, 1, 1)
    )
    with pytest.raises(ContractError, match="ends after it starts"):
        services.save_action(action, actor=None)
    action.ends, action.co_benefits = dt.date(2028, 1, 1), ["happiness"]
    with pytest.raises(ContractError, match="co-benefits"):
        services.save_action(action, actor=None)


def test_a_directory_city_gets_no_default_target(db):
    from netzerohub.cities.tests.factories import CityFactory

    city = CityFactory(status=City.Status.DIRECTORY)
    assert services.workspace(city).target_year is None


def test_publishing_the_trajectory_or_the_portfolio_publishes_the_summary(contract, lead):
    actor = lead
    services.save_publishing(contract, {"publish_portfolio": True}, actor=actor)
    contract.refresh_from_db()
    assert (contract.publish_summary, contract.publish_trajectory, contract.publish_portfolio) == (
        True,
        False,
        True,
    )
    services.save_publishing(contract, {"publish_portfolio": False}, actor=actor)
    contract.refresh_from_db()
    assert contract.publish_summary and not contract.publish_portfolio
    with pytest.raises(services.ContractError):
        services.save_publishing(contract, {"is_sample": True}, actor=actor)


def test_narratives_are_saved_by_section_and_others_kept(contract):
    services.save_narratives(contract, {"A-2": " Policies. "}, actor=None)
    services.save_narratives(contract, {"C-1": "Governance."}, actor=None)
    contract.refresh_from_db()
    assert contract.narratives == {"A-2": "Policies.", "C-1": "Governance."}
    with pytest.raises(services.ContractError):
        services.save_narratives(contract, {"Z-9": "No."}, actor=None)

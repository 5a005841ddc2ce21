"""The portfolio's reads (matrix, timeline, investment plan, the public summary's part) against
hand-computed cases, and its writes (indicators, measured values, capital needs, funding):
atomic, audited, and refusing rows of another action, impossible years and a year twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string

from netzerohub.contracts import portfolio, services
from netzerohub.contracts.figures import figures_of
from netzerohub.contracts.models import Action, CapitalNeed, Funding, Indicator, Measurement
from netzerohub.contracts.portfolio import Change
from netzerohub.contracts.services import ContractError
from netzerohub.core.models import AuditLog, Term

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(city):
    return services.workspace(city)


@pytest.fixture
def term():
    def find(slug):
        return Term.objects.get(slug=slug)

    return find


def add(contract, title, reductions=None, **fields):
    return services.save_action(
        Action(contract=contract, title=title, **fields), actor=None, reductions=reductions or {}
    )


# --- reads ------------------------------------------------------------------------------------


def test_the_matrix_matches_the_hand_count(contract, term):
    energy, tech, policy = (
        term("energy-systems"),
        term("technology-infrastructure"),
        term("governance-policy"),
    )
    add(contract, "Solar roofs", {"stationary": D(100), "waste": D(1)}, field=energy, lever=tech)
    add(contract, "Heat pumps", {"stationary": D(50)}, field=energy, lever=tech)
    add(contract, "Energy law", {}, field=energy, lever=policy)
    add(contract, "No lever", {"afolu": D(7)}, field=energy)
    matrix = portfolio.matrix_of(contract)
    energy_row = next(r for r in matrix.rows if r.term and r.term.slug == "energy-systems")
    by_lever = {(c.lever.slug if c.lever else None): c for c in energy_row.cells}
    assert (
        by_lever["technology-infrastructure"].count,
        by_lever["technology-infrastructure"].expected,
    ) == (2, D(151))  # two actions, not three reduction rows
    assert (by_lever["governance-policy"].count, by_lever["governance-policy"].expected) == (1, 0)
    assert (by_lever[None].count, by_lever[None].expected) == (1, D(7))
    assert (energy_row.total.count, energy_row.total.expected) == (4, D(158))
    assert matrix.rows[-1].term is not None  # every action has a field: no extra row
    assert (matrix.total.count, matrix.total.expected) == (4, D(158))
    assert sum(c.count for c in matrix.column_totals) == 4


def test_the_timeline_places_bars_on_a_scale_of_years(contract):
    add(contract, "Whole 2025", starts=dt.date(2025, 1, 1), ends=dt.date(2025, 12, 31))
    add(contract, "2026 on", starts=dt.date(2026, 1, 1), ends=dt.date(2026, 12, 31))
    add(contract, "Undated")
    timeline = portfolio.timeline_of(contract)
    assert (timeline.first, timeline.last) == (2025, 2026)
    first, second = timeline.bars
    # Two years over the chart's 620 units: a year is 310, starting after the labels (260).
    assert (first.x, first.width) == ("260", "310")
    assert (second.x, second.width) == ("570", "310")
    assert [year for year, _x in timeline.ticks] == ["2025", "2026", "2027"]
    assert [a.title for a in timeline.undated] == ["Undated"]


def test_the_plan_says_gap_and_surplus_per_year_field_and_source(contract, term):
    bus = add(contract, "Buses", field=term("mobility-transport"))
    loose = add(contract, "Loose")
    CapitalNeed.objects.create(action=bus, year=2026, amount=D(100))
    CapitalNeed.objects.create(action=loose, year=2026, amount=D(40))
    CapitalNeed.objects.create(action=bus, year=2027, amount=D(10))
    Funding.objects.create(action=bus, year=2026, source="eu", status="secured", amount=D(60))
    Funding.objects.create(action=bus, year=2026, source="eu", status="expected", amount=D(20))
    Funding.objects.create(action=bus, year=2026, source="loans", status="gap", amount=D(20))
    Funding.objects.create(action=bus, year=2027, source="private", status="secured", amount=D(25))
    plan = portfolio.plan_of(contract)
    assert plan.years[2026].gap == D(60)  # 140 − 60 − 20; a "gap" row covers nothing
    assert plan.years[2027].gap == D(-15) and plan.years[2027].surplus == D(15)
    fields = {t.slug if t else None: m for t, m in plan.fields}
    assert fields["mobility-transport"].gap == D(5)  # 110 − 85 − 20
    assert fields[None].gap == D(40)
    sources = {label: (amounts, total) for label, amounts, total in plan.sources}
    assert sources["EU funds"] == ([D(60), D(20), D(0)], D(80))
    assert sources["Loans"] == ([D(0), D(0), D(20)], D(20))
    assert plan.total.gap == D(45)
    # the figures a version keeps say the same, a surplus counted as no gap
    assert figures_of(contract).funding_gap_by_year() == {
        year: max(D(0), money.gap) for year, money in plan.years.items()
    }
    chart = plan.chart()
    assert chart["labels"] == ["2026", "2027"] and chart["gap"] == [60.0, 0.0]


def test_the_summary_context_and_partial_show_the_portfolio_read_only(
    contract, term, django_assert_num_queries
):
    add(contract, "Solar roofs", {"stationary": D(100)}, field=term("energy-systems"))
    add(contract, "Trees <b>", {"afolu": D(3)}, status=Action.Status.DONE)
    portfolio.terms()  # cached taxonomy
    with django_assert_num_queries(2):
        context = portfolio.summary_context(contract)
    assert [a.title for a in context["portfolio_actions"]] == ["Solar roofs", "Trees <b>"]
    assert context["portfolio_total"] == D(103)
    html = render_to_string("contracts/_portfolio_summary.html", context)
    assert "Solar roofs" in html and "Trees &lt;b&gt;" in html and "Done" in html
    assert "<a " not in html  # no links into the workspace
    assert "2 actions, expected to reduce emissions by 103 t CO2e a year" in html


# --- writes -----------------------------------------------------------------------------------


@pytest.fixture
def action(contract):
    return add(contract, "Buses")


def test_indicators_are_added_changed_removed_and_audited(action, member):
    portfolio.save_indicators(
        action,
        [Change(None, {"name": "Buses", "unit": "n", "target_2030": D(150)})],
        actor=member,
    )
    indicator = Indicator.objects.get()
    Measurement.objects.create(indicator=indicator, year=2025, value=D(3))
    portfolio.save_indicators(action, [Change(indicator.pk, {"name": "E-buses"})], actor=member)
    indicator.refresh_from_db()
    assert (indicator.name, indicator.target_2030) == ("E-buses", D(150))
    portfolio.save_indicators(action, [Change(indicator.pk, {}, delete=True)], actor=member)
    assert not Indicator.objects.exists() and not Measurement.objects.exists()
    entries = AuditLog.objects.filter(action="contracts.indicators.saved").order_by("id")
    assert [e.data["added"] for e in entries] == [1, 0, 0]
    assert entries.last().data["removed"] == 1 and entries.last().actor == member


def test_an_indicator_needs_a_name(action):
    with pytest.raises(ContractError, match="needs a name"):
        portfolio.save_indicators(action, [Change(None, {"name": "  "})], actor=None)


def test_rows_of_another_action_are_refused_and_nothing_changes(action, contract):
    other = add(contract, "Other")
    theirs = CapitalNeed.objects.create(action=other, year=2026, amount=D(5))
    with pytest.raises(ContractError, match="does not belong"):
        portfolio.save_capital_needs(
            action,
            [Change(None, {"year": 2027, "amount": D(1)}), Change(theirs.pk, {}, delete=True)],
            actor=None,
        )
    assert list(CapitalNeed.objects.values_list("action_id", flat=True)) == [other.pk]


def test_a_measurement_needs_one_of_the_actions_indicators(action, contract):
    other = add(contract, "Other")
    theirs = Indicator.objects.create(action=other, name="Theirs")
    with pytest.raises(ContractError, match="this action's indicators"):
        portfolio.save_measurements(
            action,
            [Change(None, {"indicator_id": theirs.pk, "year": 2025, "value": D(1)})],
            actor=None,
        )
    assert not Measurement.objects.exists()


def test_capital_needs_one_a_year_and_years_may_swap(action):
    portfolio.save_capital_needs(
        action,
        [
            Change(None, {"year": 2026, "amount": D(10)}),
            Change(None, {"year": 2027, "amount": D(20)}),
        ],
        actor=None,
    )
    first, second = CapitalNeed.objects.order_by("year")
    with pytest.raises(ContractError, match="one capital need a year"):
        portfolio.save_capital_needs(
            action, [Change(None, {"year": 2026, "amount": D(1)})], actor=None
        )
    # 2026 ↔ 2027 in one save: no unique clash midway
    portfolio.save_capital_needs(
        action,
        [
            Change(first.pk, {"year": 2027, "amount": D(10)}),
            Change(second.pk, {"year": 2026, "amount": D(20)}),
        ],
        actor=None,
    )
    assert dict(CapitalNeed.objects.values_list("pk", "year")) == {first.pk: 2027, second.pk: 2026}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"year": 1800, "amount": D(1)}, "between 1990 and 2100"),
        ({"year": 2026, "amount": D(-1)}, "zero or more"),
        ({"year": 2026, "amount": D("NaN")}, "zero or more"),
        ({"year": "2026", "amount": D(1)}, "between 1990 and 2100"),
    ],
)
def test_impossible_years_and_amounts_are_refused(action, values, message):
    with pytest.raises(ContractError, match=message):
        portfolio.save_capital_needs(action, [Change(None, values)], actor=None)
    assert not CapitalNeed.objects.exists()


def test_funding_rows_with_sources_and_statuses(action, member):
    portfolio.save_funding(
        action,
        [
            Change(
                None,
                {"year": 2026, "source": "eu", "status": "secured", "amount": D(5), "note": "ERDF"},
            )
        ],
        actor=member,
    )
    row = Funding.objects.get()
    portfolio.save_funding(action, [Change(row.pk, {"status": "expected"})], actor=member)
    row.refresh_from_db()
    assert (row.status, row.note) == ("expected", "ERDF")
    with pytest.raises(ContractError, match="funding source"):
        portfolio.save_funding(
            action,
            [
                Change(
                    None, {"year": 2026, "source": "lottery", "status": "secured", "amount": D(1)}
                )
            ],
            actor=member,
        )
    assert AuditLog.objects.filter(action="contracts.funding.saved").count() == 2


def test_a_write_for_a_deleted_action_is_refused(action):
    services.delete_action(action, actor=None)
    with pytest.raises(ContractError, match="deleted"):
        portfolio.save_funding(action, [], actor=None)

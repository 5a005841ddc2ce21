"""The action portfolio's and investment plan's pages: who sees them (members edit, coordinators
read and their posts are refused, other cities and visitors get a 404, an action of another
city is a 404), the action form with bad input (kept as typed, clear messages), the rows of
indicators, measured values, capital needs and funding, and query counts that do not grow with
the number of actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from netzerohub.contracts import caching, services
from netzerohub.contracts.models import (
    Action,
    ActionReduction,
    CapitalNeed,
    Funding,
    Indicator,
    Measurement,
)
from netzerohub.core.models import AuditLog, Term

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(city):
    return services.workspace(city)


@pytest.fixture
def terms():
    return {t.slug: t for t in Term.objects.filter(kind__in=("field", "lever"))}


def make_action(contract, title="Electric buses", *, reductions=None, **fields) -> Action:
    action = Action(contract=contract, title=title, **fields)
    return services.save_action(action, actor=None, reductions=reductions or {})


@pytest.fixture
def bus(contract, terms):
    return make_action(
        contract,
        "Electric buses",
        field=terms["mobility-transport"],
        lever=terms["technology-infrastructure"],
        status=Action.Status.IN_PROGRESS,
        starts=dt.date(2025, 1, 1),
        ends=dt.date(2028, 12, 31),
        capital_cost=D("2000000"),
        operating_cost=D("50000"),
        reductions={"transportation": D("1200"), "stationary": D("30")},
    )


@pytest.fixture
def retrofit(contract, terms):
    return make_action(
        contract,
        "School retrofits",
        field=terms["built-environment"],
        lever=terms["technology-infrastructure"],
        status=Action.Status.PLANNED,
        starts=dt.date(2026, 3, 1),
        ends=dt.date(2030, 6, 30),
        capital_cost=D("500000"),
        reductions={"stationary": D("400")},
    )


def url(name, contract, *args):
    return reverse(f"contracts:{name}", args=[contract.city.pk, *args])


PAGES = ["actions", "matrix", "timeline", "investment", "action-create"]
ACTION_PAGES = ["action", "action-edit", "action-delete", "indicators", "action-investment"]


# --- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES + ACTION_PAGES)
@pytest.mark.parametrize("who", ["member", "lead"])
def test_members_and_leads_see_every_page(client, request, who, contract, bus, name):
    client.force_login(request.getfixturevalue(who))
    args = [bus.pk] if name in ACTION_PAGES else []
    assert client.get(url(name, contract, *args)).status_code == 200


@pytest.mark.parametrize("name", PAGES + ACTION_PAGES)
@pytest.mark.parametrize("who", ["visitor", "outsider", "other_lead"])
def test_other_cities_and_visitors_get_404(client, request, who, contract, bus, name):
    user = request.getfixturevalue(who)
    if user.is_authenticated:
        client.force_login(user)
    args = [bus.pk] if name in ACTION_PAGES else []
    assert client.get(url(name, contract, *args)).status_code == 404
    assert client.post(url(name, contract, *args), {"title": "x"}).status_code in (404, 405)


@pytest.mark.parametrize("name", ["action", "action-edit", "indicators", "action-investment"])
def test_an_action_of_another_city_is_404(client, member, contract, other_city, name):
    theirs = make_action(services.workspace(other_city), "Their action")
    client.force_login(member)
    assert client.get(url(name, contract, theirs.pk)).status_code == 404
    assert client.get(url(name, contract, 999999)).status_code == 404


def test_coordinators_read_without_forms_and_their_posts_are_refused(
    client, coordinator, contract, bus
):
    client.force_login(coordinator)
    for name in ["actions", "matrix", "timeline", "investment"]:
        page = client.get(url(name, contract))
        assert page.status_code == 200
        assert b'method="post"' not in page.content.split(b"<main")[1].split(b"</main>")[0]
    for name in ["action", "indicators", "action-investment"]:
        page = client.get(url(name, contract, bus.pk))
        assert page.status_code == 200
        main = page.content.split(b"<main")[1].split(b"</main>")[0]
        assert b'method="post"' not in main
    assert client.get(url("action-create", contract)).status_code == 403
    assert client.get(url("action-edit", contract, bus.pk)).status_code == 403
    assert client.post(url("action-delete", contract, bus.pk)).status_code == 403
    assert client.post(url("indicators", contract, bus.pk), {"part": "x"}).status_code == 403
    assert Action.objects.filter(pk=bus.pk).exists()


# --- the action form ------------------------------------------------------------------------


def action_data(**changes):
    data = {
        "title": "Cycle lanes",
        "field": "",
        "lever": "",
        "description": "Protected **lanes**",
        "responsible": "Mobility department",
        "stakeholders": "Cyclists' union",
        "starts": "2026-01-01",
        "ends": "2027-12-31",
        "status": "planned",
        "capital_cost": "1500000",
        "operating_cost": "",
        "co_benefits": ["health", "social"],
        "reduction_transportation": "300.5",
    }
    data.update(changes)
    return data


def test_a_member_adds_an_action_with_reductions_and_it_is_audited(client, member, contract):
    client.force_login(member)
    response = client.post(url("action-create", contract), action_data())
    action = Action.objects.get(title="Cycle lanes")
    assert response.status_code == 302
    assert response["Location"] == url("action", contract, action.pk)
    assert action.co_benefits == ["health", "social"]
    assert dict(action.reductions.values_list("sector", "tco2e")) == {"transportation": D("300.50")}
    assert AuditLog.objects.filter(action="contracts.action.saved", actor=member).exists()
    page = client.get(url("action", contract, action.pk))
    assert b"<strong>lanes</strong>" in page.content  # Markdown rendered


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reduction_waste": "lots"}, "Enter a number."),
        ({"reduction_waste": "-5"}, "Enter zero or more."),
        ({"capital_cost": "a million"}, "Enter a number."),
        ({"capital_cost": "-1"}, "Enter zero or more."),
        ({"ends": "2025-01-01"}, "The end comes after the start"),
        ({"starts": "2027-02-30"}, "Enter a valid date."),
        ({"ends": "9999-12-31"}, "Enter a date between 1990 and 2100."),
        ({"field": "999999"}, "Select a valid choice."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_input_is_kept_with_a_message_and_nothing_is_saved(
    client, member, contract, changes, message
):
    client.force_login(member)
    data = action_data(**changes)
    response = client.post(url("action-create", contract), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "Please correct the errors below." in content
    for name, value in changes.items():
        if value and name != "field":  # a forged choice cannot be shown as chosen
            assert f'value="{value}"' in content
    assert 'value="300.5"' in content  # the other numbers stay as typed
    assert not Action.objects.exists()


def test_editing_keeps_and_replaces_the_reductions(client, member, contract, bus):
    client.force_login(member)
    page = client.get(url("action-edit", contract, bus.pk))
    assert 'value="1200.00"' in page.content.decode()
    data = action_data(title="Electric buses", reduction_transportation="", reduction_waste="7")
    response = client.post(url("action-edit", contract, bus.pk), data)
    assert response.status_code == 302
    assert dict(bus.reductions.values_list("sector", "tco2e")) == {"waste": D("7.00")}


def test_a_refused_edit_keeps_the_stored_title_in_the_heading(client, member, contract, bus):
    client.force_login(member)
    response = client.post(url("action-edit", contract, bus.pk), action_data(title=""))
    assert "Edit “Electric buses”" in response.content.decode()
    bus.refresh_from_db()
    assert bus.title == "Electric buses"


def test_deleting_asks_first_then_deletes_by_post(client, member, contract, bus):
    client.force_login(member)
    page = client.get(url("action-delete", contract, bus.pk))
    assert b"Delete the action" in page.content
    assert Action.objects.filter(pk=bus.pk).exists()
    response = client.post(url("action-delete", contract, bus.pk))
    assert response["Location"] == url("actions", contract)
    assert not Action.objects.filter(pk=bus.pk).exists()
    assert AuditLog.objects.filter(action="contracts.action.deleted").exists()


# --- the table, the matrix, the timeline ----------------------------------------------------


def titles(response):
    return [a.title for a in response.context["table"].actions]


def test_the_table_filters_sorts_and_totals(client, member, contract, bus, retrofit):
    client.force_login(member)
    page = client.get(url("actions", contract))
    assert titles(page) == ["Electric buses", "School retrofits"]
    assert page.context["table"].totals.expected == D("1630")
    assert page.context["table"].totals.capital == D("2500000")
    assert titles(client.get(url("actions", contract), {"sort": "-expected"})) == [
        "Electric buses",
        "School retrofits",
    ]
    assert titles(client.get(url("actions", contract), {"sort": "expected"})) == [
        "School retrofits",
        "Electric buses",
    ]
    assert titles(client.get(url("actions", contract), {"field": "built-environment"})) == [
        "School retrofits"
    ]
    assert titles(client.get(url("actions", contract), {"sector": "transportation"})) == [
        "Electric buses"
    ]
    assert titles(client.get(url("actions", contract), {"status": "planned"})) == [
        "School retrofits"
    ]
    assert titles(client.get(url("actions", contract), {"q": "BUS"})) == ["Electric buses"]
    # statuses in the order of a life (planned before in progress), not alphabetical
    assert titles(client.get(url("actions", contract), {"sort": "status"})) == [
        "School retrofits",
        "Electric buses",
    ]
    filtered = client.get(url("actions", contract), {"sector": "stationary", "sort": "title"})
    assert filtered.context["table"].totals.expected == D("1630")
    # the sort links keep the filters
    assert "sector=stationary" in filtered.content.decode().split("sort=-title")[0][-200:]


def test_unknown_filter_values_are_left_out_and_said(client, member, contract, bus):
    client.force_login(member)
    page = client.get(url("actions", contract), {"field": "nowhere", "sort": "x", "page": "z"})
    assert page.status_code == 200
    assert titles(page) == ["Electric buses"]
    assert "Some choices were not understood" in page.content.decode()


def test_the_table_pages_by_50(client, member, contract):
    Action.objects.bulk_create(
        Action(contract=contract, title=f"Action {n:03}", position=n) for n in range(1, 56)
    )
    client.force_login(member)
    first = client.get(url("actions", contract))
    assert len(titles(first)) == 50
    second = client.get(url("actions", contract), {"page": 2})
    assert titles(second) == [f"Action {n:03}" for n in range(51, 56)]
    assert second.context["table"].totals.count == 55


def test_the_matrix_counts_and_links_to_the_filtered_table(client, member, contract, bus, retrofit):
    make_action(contract, "Unsorted idea", reductions={"waste": D(5)})
    client.force_login(member)
    page = client.get(url("matrix", contract))
    matrix = page.context["matrix"]
    assert matrix.total.count == 3
    assert matrix.total.expected == D("1635")
    mobility = next(r for r in matrix.rows if r.term and r.term.slug == "mobility-transport")
    assert mobility.total.count == 1 and mobility.total.expected == D("1230")
    assert matrix.rows[-1].term is None and matrix.levers[-1] is None  # no field, no lever
    tech = [
        c for c in matrix.column_totals if c.lever and c.lever.slug == "technology-infrastructure"
    ]
    assert tech[0].count == 2
    content = page.content.decode()
    assert "?field=mobility-transport&amp;lever=technology-infrastructure" in content
    assert "?field=none&amp;lever=none" in content
    assert titles(client.get(url("actions", contract), {"field": "none", "lever": "none"})) == [
        "Unsorted idea"
    ]


def test_the_timeline_draws_dated_actions_and_lists_the_others(client, member, contract, bus):
    make_action(contract, "Someday", starts=dt.date(2027, 1, 1))
    client.force_login(member)
    page = client.get(url("timeline", contract))
    timeline = page.context["timeline"]
    assert [b.action.title for b in timeline.bars] == ["Electric buses"]
    assert [a.title for a in timeline.undated] == ["Someday"]
    content = page.content.decode()
    assert "<svg" in content and 'class="pf-bar pf-bar-in_progress"' in content
    assert "style=" not in content.split("<svg")[1].split("</svg>")[0]
    assert ">In progress</text>" in content  # the status in words, not colour alone


# --- indicators and measured values ----------------------------------------------------------


def formset(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        "part": prefix,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def test_indicators_with_targets_and_measured_values(client, member, contract, bus):
    client.force_login(member)
    page = url("indicators", contract, bus.pk)
    response = client.post(
        page,
        formset(
            "indicators",
            [
                {
                    "name": "Electric buses in service",
                    "unit": "buses",
                    "target_2025": "20",
                    "target_2027": "60",
                    "target_2030": "150",
                }
            ],
        ),
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(action=bus)
    assert (indicator.target_2025, indicator.target_2030) == (D(20), D(150))
    response = client.post(
        page,
        formset("measurements", [{"indicator": str(indicator.pk), "year": "2025", "value": "18"}]),
    )
    assert response.status_code == 302
    assert Measurement.objects.get(indicator=indicator).value == D(18)
    # a second value for the same year is refused, with what was typed kept
    response = client.post(
        page,
        formset(
            "measurements",
            [
                {
                    "id": str(Measurement.objects.get().pk),
                    "indicator": str(indicator.pk),
                    "year": "2025",
                    "value": "18",
                },
                {"indicator": str(indicator.pk), "year": "2025", "value": "19.5"},
            ],
            initial=1,
        ),
    )
    assert response.status_code == 200
    assert "one measured value a year" in response.content.decode()
    assert 'value="19.5"' in response.content.decode()
    assert Measurement.objects.count() == 1
    # impossible years and text values get messages
    response = client.post(
        page,
        formset("measurements", [{"indicator": str(indicator.pk), "year": "3025", "value": "x"}]),
    )
    content = response.content.decode()
    assert "Ensure this value is less than or equal to 2100." in content
    assert "Enter a number." in content and 'value="3025"' in content
    # rename and remove
    response = client.post(
        page,
        formset(
            "indicators",
            [{"id": str(indicator.pk), "name": "Buses", "unit": "buses", "DELETE": "on"}],
            initial=1,
        ),
    )
    assert response.status_code == 302
    assert not Indicator.objects.exists() and not Measurement.objects.exists()
    assert AuditLog.objects.filter(action="contracts.indicators.saved").count() == 2


def test_a_forged_row_id_is_refused(client, member, contract, bus, other_city):
    theirs = make_action(services.workspace(other_city), "Theirs")
    their_need = CapitalNeed.objects.create(action=theirs, year=2026, amount=D(10))
    client.force_login(member)
    response = client.post(
        url("action-investment", contract, bus.pk),
        formset("needs", [{"id": str(their_need.pk), "year": "2026", "amount": "1"}], initial=1),
    )
    assert response.status_code == 200
    assert "does not belong to this action" in response.content.decode()
    assert CapitalNeed.objects.get(pk=their_need.pk).amount == D(10)


# --- capital needs, funding, the investment plan ---------------------------------------------


def test_capital_needs_funding_and_the_gap_per_year(client, member, contract, bus, retrofit):
    client.force_login(member)
    page = url("action-investment", contract, bus.pk)
    response = client.post(
        page,
        formset(
            "needs",
            [{"year": "2026", "amount": "1000000"}, {"year": "2027", "amount": "500000"}],
        ),
    )
    assert response.status_code == 302
    response = client.post(
        page,
        formset(
            "funding",
            [
                {"year": "2026", "source": "eu", "status": "secured", "amount": "600000"},
                {"year": "2026", "source": "municipal", "status": "expected", "amount": "100000"},
                {
                    "year": "2027",
                    "source": "loans",
                    "status": "secured",
                    "amount": "700000",
                    "note": "EIB",
                },
            ],
        ),
    )
    assert response.status_code == 302
    CapitalNeed.objects.create(action=retrofit, year=2026, amount=D(50000))
    plan = client.get(url("investment", contract))
    years = plan.context["plan"].years
    assert years[2026].gap == D(350000)
    assert years[2027].gap == D(-200000)
    content = plan.content.decode()
    assert "surplus 200,000" in content
    assert 'id="investment-chart"' in content
    fields = {t.slug if t else None: m for t, m in plan.context["plan"].fields}
    assert fields["mobility-transport"].gap == D(100000)  # 1.5 M − 1.3 M − 0.1 M
    assert fields["built-environment"].needs == D(50000)
    sources = {label: total for label, _amounts, total in plan.context["plan"].sources}
    assert sources["EU funds"] == D(600000)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"year": "1900", "amount": "5"}, "greater than or equal to 1990"),
        ({"year": "next year", "amount": "5"}, "Enter a year, such as 2027."),
        ({"year": "2026", "amount": "five"}, "Enter a number."),
        ({"year": "2026", "amount": "-5"}, "Enter zero or more."),
    ],
)
def test_impossible_years_and_text_amounts_get_messages(
    client, member, contract, bus, row, message
):
    client.force_login(member)
    response = client.post(url("action-investment", contract, bus.pk), formset("needs", [row]))
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    for value in row.values():
        assert f'value="{value}"' in content
    assert not CapitalNeed.objects.exists()


def test_a_funding_row_needs_a_known_source_and_status(client, member, contract, bus):
    client.force_login(member)
    response = client.post(
        url("action-investment", contract, bus.pk),
        formset(
            "funding", [{"year": "2026", "source": "lottery", "status": "secured", "amount": "1"}]
        ),
    )
    assert "Select a valid choice." in response.content.decode()
    assert not Funding.objects.exists()


# --- query counts -----------------------------------------------------------------------------


def grow(contract, terms, n):
    """n more actions with reductions, an indicator with a value, needs and funding each."""
    fields = [t for t in terms.values() if t.kind == "field"]
    levers = [t for t in terms.values() if t.kind == "lever"]
    actions = Action.objects.bulk_create(
        Action(
            contract=contract,
            title=f"Grown {n}-{i}",
            field=fields[i % len(fields)],
            lever=levers[i % len(levers)],
            starts=dt.date(2025 + i % 4, 1, 1),
            ends=dt.date(2030, 1, 1),
            capital_cost=D(1000 * i),
            position=100 + i,
        )
        for i in range(n)
    )
    ActionReduction.objects.bulk_create(
        ActionReduction(action=a, sector=s, tco2e=D(10))
        for a in actions
        for s in ("waste", "afolu")
    )
    for a in actions:
        indicator = Indicator.objects.create(action=a, name="Km", target_2030=D(5))
        Measurement.objects.create(indicator=indicator, year=2025, value=D(1))
        CapitalNeed.objects.create(action=a, year=2026, amount=D(100))
        Funding.objects.create(action=a, year=2026, source="eu", status="secured", amount=D(50))
    return actions


PAGE_QUERIES = {
    # four to open the workspace (session, user, city, memberships and contract), then:
    "matrix": 5,  # the matrix (the terms are cached)
    "timeline": 5,  # the actions
    "investment": 7,  # actions, needs, funding
    "action-create": 6,  # the fields and levers of the selects
}


@pytest.mark.parametrize("name", sorted(PAGE_QUERIES))
def test_page_queries_do_not_grow_with_the_actions(
    client, member, contract, terms, bus, name, django_assert_num_queries
):
    client.force_login(member)
    client.get(url(name, contract))  # warm the taxonomy's cache
    with django_assert_num_queries(PAGE_QUERIES[name]):
        assert client.get(url(name, contract)).status_code == 200
    grow(contract, terms, 30)
    with django_assert_num_queries(PAGE_QUERIES[name]):
        assert client.get(url(name, contract)).status_code == 200


def test_the_table_of_actions_makes_the_same_queries_for_few_and_many_actions(
    client, member, contract, terms, bus, django_assert_num_queries
):
    client.force_login(member)
    client.get(url("actions", contract))  # warm the taxonomy's cache and the table
    with django_assert_num_queries(4):  # from the cache: opening the workspace only
        assert client.get(url("actions", contract)).status_code == 200
    caching.contract_changed(contract.pk)
    with django_assert_num_queries(7) as cold:  # rendered again: totals (2), page of actions
        assert client.get(url("actions", contract)).status_code == 200
    grow(contract, terms, 30)
    with django_assert_num_queries(len(cold.captured_queries)):
        assert client.get(url("actions", contract)).status_code == 200
    with django_assert_num_queries(4):
        assert client.get(url("actions", contract)).status_code == 200


ACTION_QUERIES = {
    "action": 10,
    "action-edit": 8,  # the action, its reductions, the selects
    "action-delete": 5,
    "indicators": 7,
    "action-investment": 7,
}


@pytest.mark.parametrize("name", sorted(ACTION_QUERIES))
def test_action_page_queries_do_not_grow(
    client, member, contract, terms, bus, name, django_assert_num_queries
):
    client.force_login(member)
    indicator = Indicator.objects.create(action=bus, name="Buses")
    Measurement.objects.create(indicator=indicator, year=2025, value=D(1))
    CapitalNeed.objects.create(action=bus, year=2026, amount=D(100))
    Funding.objects.create(action=bus, year=2026, source="eu", status="secured", amount=D(50))
    client.get(url(name, contract, bus.pk))
    with django_assert_num_queries(ACTION_QUERIES[name]):
        assert client.get(url(name, contract, bus.pk)).status_code == 200
    for year in range(2027, 2037):
        Measurement.objects.create(indicator=indicator, year=year, value=D(1))
        CapitalNeed.objects.create(action=bus, year=year, amount=D(100))
        Funding.objects.create(action=bus, year=year, source="eu", status="expected", amount=D(9))
    for n in range(5):
        Indicator.objects.create(action=bus, name=f"More {n}")
    with django_assert_num_queries(ACTION_QUERIES[name]):
        assert client.get(url(name, contract, bus.pk)).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"part": "needs"},  # no management form
        {"part": "nothing"},
        {},
        {"part": "needs", "needs-TOTAL_FORMS": "x", "needs-INITIAL_FORMS": "0"},
        {"part": "needs", "needs-TOTAL_FORMS": "5000", "needs-INITIAL_FORMS": "0"},
    ],
)
def test_tampered_row_forms_are_refused_without_an_error_page(client, member, contract, bus, data):
    client.force_login(member)
    response = client.post(url("action-investment", contract, bus.pk), data)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not CapitalNeed.objects.exists()

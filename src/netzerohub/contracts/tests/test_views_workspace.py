"""The workspace's pages: who may (members edit, coordinators read and are refused a POST,
others 404), commitments with their messages, interim targets and signatories, section texts,
the inventory grid (bad numbers kept and marked, all or nothing), the XLSX template and import
(problems by row, a file that is not XLSX), the trajectory and its tables, the My city card,
and query counts that do not grow with years and actions."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from netzerohub.accounts.tests.factories import CoordinatorFactory, UserFactory, add_totp
from netzerohub.cities.models import City, Membership
from netzerohub.cities.tests.factories import CityFactory, CountryFactory, MembershipFactory
from netzerohub.contracts import caching, charts, demo, services
from netzerohub.contracts import commitments as lists
from netzerohub.contracts.figures import figures_of
from netzerohub.contracts.models import (
    Action,
    Contract,
    ContractVersion,
    Emission,
    InterimTarget,
    InventoryYear,
    Signatory,
)
from netzerohub.contracts.services import ContractError, Row
from netzerohub.core.models import AuditLog

pytestmark = pytest.mark.django_db


def url(name: str, city, *args) -> str:
    return reverse(f"contracts:{name}", args=[city.pk, *args])


@pytest.fixture
def contract(city):
    contract = services.workspace(city)
    contract.baseline_year, contract.target_year = 2020, 2030
    return services.save_commitments(contract, actor=None)


def with_inventory(contract, year: int = 2020, scale: int = 1) -> None:
    services.save_inventory_year(
        contract,
        year,
        [
            Row("residential", 1, D(400) * scale),
            Row("commercial", 2, D(200) * scale),
            Row("on-road", 1, D(400) * scale),
            Row("afolu", 1, D(50), removal=True),
        ],
        actor=None,
    )


def with_action(contract, title: str, sector: str, tonnes: int) -> Action:
    action = Action.objects.create(contract=contract, title=title)
    return services.save_action(action, actor=None, reductions={sector: D(tonnes)})


# --- who may ------------------------------------------------------------------------------------

PAGES = [
    ("workspace", ()),
    ("commitments", ()),
    ("interim-targets", ()),
    ("signatories", ()),
    ("narrative", ("A-2",)),
    ("inventory", ()),
    ("inventory-year", (2020,)),
    ("inventory-template", ()),
    ("trajectory", ()),
]


def test_members_and_coordinators_see_every_page(client, contract, member, coordinator):
    for user in (member, coordinator):
        client.force_login(user)
        for name, args in PAGES:
            assert client.get(url(name, contract.city, *args)).status_code == 200, (user, name)


def test_visitors_and_other_cities_get_the_same_404_as_a_missing_city(
    client, contract, other_lead, outsider
):
    for name, args in PAGES + [("inventory-import", ())]:
        client.logout()
        assert client.get(url(name, contract.city, *args)).status_code == 404, name
        for user in (other_lead, outsider):
            client.force_login(user)
            assert client.get(url(name, contract.city, *args)).status_code == 404, name
            missing = reverse(f"contracts:{name}", args=[987654, *args])
            assert client.get(missing).status_code == 404


def test_a_coordinator_reads_without_forms_and_a_post_is_refused(client, contract, coordinator):
    client.force_login(coordinator)
    html = client.get(url("commitments", contract.city)).content.decode()
    assert '<form method="post"' not in html.split("</main>")[0].split('<main id="main"')[1]
    before = AuditLog.objects.count()
    for name, args, data in [
        ("commitments", (), {"target_year": "2030"}),
        ("narrative", ("A-2",), {"text": "Taken over"}),
        ("inventory-year", (2021,), {"e-residential-1": "5"}),
        ("interim-targets", (), {}),
        ("signatories", (), {}),
        ("inventory-import", (), {}),
    ]:
        assert client.post(url(name, contract.city, *args), data).status_code == 403, name
    assert AuditLog.objects.count() == before
    assert not InventoryYear.objects.filter(year=2021).exists()


def test_an_unknown_section_and_an_impossible_year_in_the_address_are_404(client, contract, member):
    client.force_login(member)
    assert client.get(url("narrative", contract.city, "Z-9")).status_code == 404
    assert client.get(url("inventory-year", contract.city, 3000)).status_code == 404
    assert client.get(url("inventory-year", contract.city, 1500)).status_code == 404


# --- the list and the overview ---------------------------------------------------------------


def test_the_index_lists_a_members_cities_and_every_workspace_for_coordinators(
    client, contract, member, coordinator, other_city
):
    services.workspace(other_city)
    version = services.submit(contract, actor=None)
    client.force_login(member)
    html = client.get(reverse("contracts:index")).content.decode()
    assert url("workspace", contract.city) in html
    assert url("workspace", other_city) not in html
    assert reverse("contracts:public-list") in html
    client.force_login(coordinator)
    html = client.get(reverse("contracts:index")).content.decode()
    assert url("workspace", contract.city) in html and url("workspace", other_city) in html
    assert reverse("contracts:review-queue") in html
    assert reverse("contracts:version", args=[version.pk]) in html
    assert "Waiting for review" in html
    html = client.get(reverse("contracts:index") + "?waiting=1").content.decode()
    assert url("workspace", contract.city) in html and url("workspace", other_city) not in html
    client.logout()
    html = client.get(reverse("contracts:index")).content.decode()
    assert reverse("contracts:public-list") in html


def test_a_city_just_joined_and_a_version_just_submitted_show_at_once(
    client, contract, member, coordinator
):
    client.force_login(member)
    client.get(reverse("contracts:index"))
    second = CityFactory(name="Zwolle")
    MembershipFactory(city=second, user=member)
    assert url("workspace", second) in client.get(reverse("contracts:index")).content.decode()
    client.force_login(coordinator)
    client.get(reverse("contracts:index"))
    third = services.workspace(CityFactory(name="Aalst"))
    assert url("workspace", third.city) in client.get(reverse("contracts:index")).content.decode()
    client.get(reverse("contracts:index") + "?waiting=1")
    services.submit(contract, actor=None)
    html = client.get(reverse("contracts:index") + "?waiting=1").content.decode()
    assert url("workspace", contract.city) in html


def test_the_index_pages_through_every_workspace_without_a_count(client, coordinator):
    for n in range(27):
        services.workspace(CityFactory(name=f"Town {n:02d}"))
    client.force_login(coordinator)
    html = client.get(reverse("contracts:index")).content.decode()
    assert "Town 24" in html and "Town 25" not in html
    assert 'rel="next"' in html and 'rel="prev"' not in html
    html = client.get(reverse("contracts:index") + "?page=2").content.decode()
    assert "Town 25" in html and "Town 26" in html and "Town 24" not in html
    assert 'rel="next"' not in html and 'rel="prev"' in html
    for bad in ("abc", "-3", "99999999999999999999"):
        assert client.get(reverse("contracts:index") + f"?page={bad}").status_code == 200


def test_the_index_makes_the_same_queries_for_few_and_many_workspaces(
    client, coordinator, django_assert_num_queries
):
    def make(n):
        for _ in range(n):
            contract = services.workspace(CityFactory())
            services.submit(contract, actor=None)

    make(2)
    client.force_login(coordinator)
    client.get(reverse("contracts:index"))  # warm the session
    with django_assert_num_queries(2) as few:  # the person, the page of rows (no count)
        assert client.get(reverse("contracts:index")).status_code == 200
    make(8)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("contracts:index"))


def test_the_overview_shows_the_key_figures_and_the_checklist(client, contract, lead):
    with_inventory(contract)
    with_action(contract, "Retrofits", "stationary", 500)
    client.force_login(lead)
    html = client.get(url("workspace", contract.city)).content.decode()
    assert "1,000 t CO2e" in html  # the baseline's gross emissions
    assert "800 t CO2e" in html  # required: 1,000 − 20 %
    assert "300 t CO2e" in html  # the gap: 800 − 500
    assert "63 %" in html  # 500 of 800 covered
    assert url("submit", contract.city) in html  # a lead submits
    assert "ws-checklist" in html and url("narrative", contract.city, "A-2") in html


def test_the_overview_shows_the_latest_versions_state(client, contract, member, coordinator):
    version = services.submit(contract, actor=None)
    services.review(version, accept=False, comments={"A-1": "More sectors"}, actor=coordinator)
    client.force_login(member)
    html = client.get(url("workspace", contract.city)).content.decode()
    assert "Returned with comments" in html
    assert reverse("contracts:version", args=[version.pk]) in html
    assert url("submit", contract.city) not in html  # a member does not submit


def test_a_lead_is_offered_to_submit_unless_a_version_waits(client, contract, lead):
    client.force_login(lead)
    assert (
        url("submit", contract.city) in client.get(url("workspace", contract.city)).content.decode()
    )
    services.submit(contract, actor=lead)
    html = client.get(url("workspace", contract.city)).content.decode()
    assert url("submit", contract.city) not in html and "once this one is reviewed" in html


def test_the_overview_makes_the_same_queries_for_few_and_many_actions_and_years(
    client, contract, member, django_assert_num_queries
):
    with_inventory(contract)
    with_action(contract, "One", "stationary", 10)
    client.force_login(member)
    client.get(url("workspace", contract.city))
    # From the cache: session, user, city, memberships, the workspace.
    with django_assert_num_queries(4):
        client.get(url("workspace", contract.city))
    caching.contract_changed(contract.pk)
    with django_assert_num_queries(11) as cold:  # rendered again: figures, checklist, version
        client.get(url("workspace", contract.city))
    for year in range(2021, 2026):
        with_inventory(contract, year)
    for n in range(10):
        with_action(contract, f"Action {n}", "transportation", n)
    services.submit(contract, actor=None)
    with django_assert_num_queries(len(cold.captured_queries)):
        client.get(url("workspace", contract.city))
    with django_assert_num_queries(4):
        client.get(url("workspace", contract.city))


# --- commitments ------------------------------------------------------------------------------


def commitments_data(**changes) -> dict:
    data = {
        "target_year": "2030",
        "baseline_year": "2019",
        "residual_percent": "15",
        "bau_percent": "0.5",
        "covered_sectors": ["stationary", "transportation"],
        "covered_scopes": ["1", "2"],
        "ambition": "Climate neutral by **2030**",
        "priorities": "",
        "principles": "",
    }
    data.update(changes)
    return data


def test_a_member_saves_the_commitments_as_percentages(client, contract, member):
    client.force_login(member)
    response = client.post(url("commitments", contract.city), commitments_data())
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.baseline_year, contract.target_year) == (2019, 2030)
    assert contract.residual_share == D("0.150") and contract.bau_annual_change == D("0.0050")
    assert contract.covered_sectors == ["stationary", "transportation"]
    assert contract.covered_scopes == [1, 2]
    assert AuditLog.objects.filter(action="contracts.commitments.saved", actor=member).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_year": "2040"}, "2030 at the latest"),  # a Mission City
        ({"target_year": "twenty"}, "Enter a whole number"),
        ({"baseline_year": "3000"}, "less than or equal to 2100"),
        ({"baseline_year": "2031"}, "after the baseline year"),
        ({"residual_percent": "25"}, "less than or equal to 20"),
        ({"residual_percent": "lots"}, "Enter a number"),
        ({"covered_sectors": ["moon"]}, "Select a valid choice"),
    ],
)
def test_bad_commitments_get_a_message_and_keep_what_was_typed(
    client, contract, member, changes, message
):
    client.force_login(member)
    data = commitments_data(**changes)
    response = client.post(url("commitments", contract.city), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Climate neutral by **2030**" in html  # the ambition typed is kept
    value = next(iter(changes.values()))
    if isinstance(value, str):
        assert f'value="{value}"' in html
    contract.refresh_from_db()
    assert contract.baseline_year == 2020  # nothing saved


def test_other_cities_may_aim_at_2050_but_not_later(client, other_city, other_lead):
    client.force_login(other_lead)
    page = url("commitments", other_city)
    assert client.post(page, commitments_data(target_year="2050")).status_code == 302
    response = client.post(page, commitments_data(target_year="2051"))
    assert "2050 at the latest" in response.content.decode()


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{k}": v for k, v in row.items()})
    return data


def test_interim_targets_are_saved_replaced_and_checked(client, contract, member):
    client.force_login(member)
    page = url("interim-targets", contract.city)
    rows = [
        {"year": "2025", "reduction_percent": "40", "note": "Halfway"},
        {"year": "", "reduction_percent": "", "note": ""},  # an empty extra entry
    ]
    assert client.post(page, formset("targets", rows)).status_code == 302
    target = InterimTarget.objects.get(contract=contract)
    assert (target.year, target.reduction_share, target.note) == (2025, D("0.400"), "Halfway")
    # the same year twice, and text in a number: messages, nothing replaced
    bad = [
        {"year": "2026", "reduction_percent": "50"},
        {"year": "2026", "reduction_percent": "many"},
    ]
    html = client.post(page, formset("targets", bad)).content.decode()
    assert "Enter a number" in html and 'value="many"' in html
    bad = [{"year": "2026", "reduction_percent": "50"}, {"year": "2026", "reduction_percent": "6"}]
    assert (
        "One interim target a year" in client.post(page, formset("targets", bad)).content.decode()
    )
    # after the target year: the service refuses, the page says so
    late = [{"year": "2035", "reduction_percent": "90"}]
    response = client.post(page, formset("targets", late), follow=True)
    assert "before the target year" in response.content.decode()
    assert list(InterimTarget.objects.values_list("year", flat=True)) == [2025]
    # deleting
    gone = [{"year": "2025", "reduction_percent": "40", "DELETE": "on"}]
    client.post(page, formset("targets", gone, initial=1))
    assert not InterimTarget.objects.exists()
    assert AuditLog.objects.filter(action="contracts.targets.saved").count() == 2


def test_signatories_keep_their_order_and_need_a_name(client, contract, member):
    client.force_login(member)
    page = url("signatories", contract.city)
    rows = [
        {"organisation": "Energy utility", "commitment": "Green power", "order": "2"},
        {"organisation": "City council", "signed_on": "2024-05-01", "order": "1"},
    ]
    assert client.post(page, formset("signatories", rows)).status_code == 302
    assert list(Signatory.objects.values_list("organisation", flat=True)) == [
        "City council",
        "Energy utility",
    ]
    bad = [{"organisation": "", "commitment": "We promise", "signed_on": "yesterday"}]
    html = client.post(page, formset("signatories", bad)).content.decode()
    assert "This field is required" in html and "Enter a valid date" in html
    assert "We promise" in html
    assert Signatory.objects.count() == 2


def test_the_commitments_services_refuse_and_audit(contract):
    with pytest.raises(ContractError):
        lists.save_interim_targets(
            contract, [lists.Target(2019, D("0.1"))], actor=None
        )  # before the baseline year
    with pytest.raises(ContractError):
        lists.save_interim_targets(
            contract, [lists.Target(2025, D("0.1")), lists.Target(2025, D("0.2"))], actor=None
        )
    with pytest.raises(ContractError):
        lists.save_signatories(contract, [lists.Signer("  ")], actor=None)
    assert not AuditLog.objects.filter(action__startswith="contracts.targets").exists()


# --- section texts ----------------------------------------------------------------------------


def test_a_section_text_is_saved_and_shown_as_markdown(client, contract, member, coordinator):
    client.force_login(member)
    page = url("narrative", contract.city, "A-3")
    html = client.get(page).content.decode()
    assert "systemic barriers" in html  # the guidance line
    response = client.post(page, {"text": "## Barriers\n\n<script>x</script> **Silos**"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.narratives["A-3"].startswith("## Barriers")
    client.force_login(coordinator)
    html = client.get(page).content.decode()
    assert "<strong>Silos</strong>" in html and "<script>x</script>" not in html


# --- the inventory ----------------------------------------------------------------------------


def test_the_inventory_lists_years_with_totals_and_marks_the_baseline(client, contract, member):
    with_inventory(contract)
    with_inventory(contract, 2022, scale=2)
    client.force_login(member)
    html = client.get(url("inventory", contract.city)).content.decode()
    assert re.search(r"2020</a>\s*<span class=\"badge\">baseline", html)
    assert "2,000" in html and "1,950" in html  # 2022 gross and net
    assert url("inventory-template", contract.city) in html


def test_the_year_to_open_is_checked(client, contract, member):
    client.force_login(member)
    page = url("inventory", contract.city)
    response = client.get(page + "?year=2021")
    assert response["Location"] == url("inventory-year", contract.city, 2021)
    for bad, message in [("soon", "whole number"), ("1850", "greater than or equal to 1990")]:
        html = client.get(page + f"?year={bad}").content.decode()
        assert message in html and f'value="{bad}"' in html


def test_a_year_is_entered_in_the_grid(client, contract, member):
    client.force_login(member)
    page = url("inventory-year", contract.city, 2020)
    html = client.get(page).content.decode()
    assert 'name="e-residential-1"' in html and 'name="r-afolu-1"' in html
    assert 'aria-label="Residential buildings: scope 1"' in html
    data = {
        "source": "Municipal statistics",
        "e-residential-1": "1 200,5",
        "e-on-road-1": "800",
        "r-afolu-1": "30",
        "e-waste-3": "",
    }
    assert client.post(page, data).status_code == 302
    rows = set(
        Emission.objects.filter(inventory_year__year=2020).values_list(
            "subsector", "scope", "tco2e", "removal"
        )
    )
    assert rows == {
        ("residential", 1, D("1200.50"), False),
        ("on-road", 1, D("800.00"), False),
        ("afolu", 1, D("30.00"), True),
    }
    assert InventoryYear.objects.get(year=2020).source == "Municipal statistics"
    # the stored values come back in the grid
    html = client.get(page).content.decode()
    assert 'value="1200.5"' in html and 'value="30"' in html


def test_a_bad_number_is_marked_at_its_cell_and_every_value_is_kept(client, contract, member):
    with_inventory(contract)
    client.force_login(member)
    page = url("inventory-year", contract.city, 2020)
    data = {
        "e-residential-1": "12,000.7.1",
        "e-commercial-2": "250",
        "e-rail-2": "-4",
        "e-waste-1": "lots",
    }
    response = client.post(page, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 amounts need fixing" in html
    assert 'value="12,000.7.1"' in html and 'value="250"' in html and 'value="lots"' in html
    assert re.search(r'name="e-waste-1"[^>]*aria-invalid="true"', html)
    assert "“lots” is not a number" in html and "Zero or more" in html
    assert not re.search(r'name="e-commercial-2"[^>]*aria-invalid', html)
    # nothing saved: the stored year is unchanged
    assert Emission.objects.filter(inventory_year__year=2020).count() == 4


def test_an_empty_grid_is_refused(client, contract, member):
    client.force_login(member)
    response = client.post(url("inventory-year", contract.city, 2021), {"e-residential-1": " "})
    assert response.status_code == 200
    assert "at least one amount" in response.content.decode()
    assert not InventoryYear.objects.exists()


def test_removals_of_other_scopes_get_a_column_and_are_not_lost(client, contract, member):
    services.save_inventory_year(contract, 2020, [Row("afolu", 3, D(7), removal=True)], actor=None)
    client.force_login(member)
    page = url("inventory-year", contract.city, 2020)
    html = client.get(page).content.decode()
    assert 'name="r-afolu-3"' in html and 'value="7"' in html
    client.post(page, {"r-afolu-3": "7", "e-waste-1": "1"})
    assert Emission.objects.filter(removal=True, scope=3).exists()


def test_the_template_downloads_for_a_year(client, contract, member):
    client.force_login(member)
    response = client.get(url("inventory-template", contract.city) + "?year=2022")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == 2022 and rows[0][2] == "residential"
    # a bad year falls back to the baseline year, never a 500
    response = client.get(url("inventory-template", contract.city) + "?year=never")
    assert (
        list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1][0]
        == 2020
    )


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Inventory"
    sheet.append(["Year", "Sector", "Code", "Sub-sector", "Scope", "t CO2e", "Removal"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "inventory.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_filled_workbook_is_imported(client, contract, member):
    client.force_login(member)
    data = workbook(
        [
            [2020, "", "residential", "", 1, 500, "no"],
            [2020, "", "afolu", "", 1, 20, "yes"],
            [2022, "", "on-road", "", 1, "300,5", "no"],
        ]
    )
    response = client.post(url("inventory-import", contract.city), {"workbook": upload(data)})
    assert response.status_code == 302
    assert sorted(InventoryYear.objects.values_list("year", flat=True)) == [2020, 2022]
    assert Emission.objects.get(subsector="on-road").tco2e == D("300.50")


def test_an_import_with_wrong_rows_names_each_row_and_imports_nothing(client, contract, member):
    client.force_login(member)
    data = workbook(
        [
            [2020, "", "residential", "", 1, 500, "no"],
            [2020, "", "residential", "", 1, 600, "no"],  # row 3: the same line twice
            [2020, "", "moon-base", "", 1, 5, "no"],  # row 4
            [2020, "", "rail", "", 2, "a lot", "no"],  # row 5
            [3020, "", "rail", "", 1, 5, "no"],  # row 6
        ]
    )
    response = client.post(url("inventory-import", contract.city), {"workbook": upload(data)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 rows need fixing; nothing was imported" in html
    for row, message in [
        (3, "as row 2"),
        (4, "Unknown sub-sector code"),
        (5, "“a lot” is not a number"),
        (6, "The year must be a whole number"),
    ]:
        assert re.search(rf'<th scope="row" class="num">{row}</th><td>[^<]*{message}', html), row
    assert not InventoryYear.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Year;Sector\n2020;x\n", "inventory.csv", "not one of the accepted types"),
        (b"%PDF-1.4 nothing", "inventory.xlsx", "not one of the accepted types"),
        (b"", "inventory.xlsx", "The submitted file is empty"),
    ],
)
def test_a_file_that_is_not_a_workbook_gets_a_message(
    client, contract, member, data, name, message
):
    client.force_login(member)
    response = client.post(url("inventory-import", contract.city), {"workbook": upload(data, name)})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_too_large_upload_is_refused(client, contract, member, monkeypatch):
    from netzerohub.contracts import forms

    monkeypatch.setattr(forms.ImportForm.base_fields["workbook"].validators[0], "max_bytes", 100)
    client.force_login(member)
    data = workbook([[2020, "", "residential", "", 1, 500, "no"]])
    response = client.post(url("inventory-import", contract.city), {"workbook": upload(data)})
    assert "files may be at most 100" in response.content.decode()
    assert not InventoryYear.objects.exists()


def test_an_import_without_a_file_says_so(client, contract, member):
    client.force_login(member)
    response = client.post(url("inventory-import", contract.city), {})
    assert response.status_code == 200 and "This field is required" in response.content.decode()


# --- the trajectory ---------------------------------------------------------------------------


def chart_of(html: str) -> dict:
    found = re.search(r'<script id="trajectory-data" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_the_trajectory_has_a_chart_and_tables_with_the_same_numbers(client, contract, member):
    with_inventory(contract)
    with_inventory(contract, 2022, scale=1)
    with_action(contract, "Retrofits", "stationary", 500)
    client.force_login(member)
    html = client.get(url("trajectory", contract.city)).content.decode()
    chart = chart_of(html)
    assert chart["years"] == list(range(2020, 2031))
    lines = {line["key"]: line["values"] for line in chart["lines"]}
    assert lines["inventory"][0] == 950 and lines["inventory"][1] is None
    assert lines["path"][0] == 1000 and lines["path"][-1] == 200  # 80 % down in 10 steps
    assert lines["path"][5] == 600
    assert lines["minimum"] == [200] * 11
    assert lines["bau"] == [1000] * 11
    assert lines["portfolio"][-1] == 500 and lines["portfolio"][5] == 750
    # the same numbers in the table
    table = html.split('class="ws-trajectory-table"')[1].split("</table>")[0]
    assert re.search(r"2025</th>\s*<td class=\"num\">—</td>(<td[^>]*>[^<]*</td>){2}\s*<td", table)
    assert '<td class="num">600</td>' in table and '<td class="num">750</td>' in table
    # the gap per sector, chart and table
    sectors = chart["sectors"]
    assert sectors["labels"] == ["Stationary energy", "Transportation"]
    bars = {bar["key"]: bar["values"] for bar in sectors["bars"]}
    assert bars == {"required": [480, 320], "expected": [500, 0], "gap": [-20, 320]}
    gaps = html.split('class="ws-sector-gaps"')[1].split("</table>")[0]
    assert re.search(r"Transportation</th><td class=\"num\">400</td>.*?320</td>", gaps)
    assert 'role="img"' in html and "vendor/chartjs/chart.umd.min.js" in html
    assert "Required reduction: business as usual" in html  # the definitions in words


def test_without_a_baseline_the_trajectory_explains_what_is_missing(client, city, member):
    client.force_login(member)
    html = client.get(url("trajectory", city)).content.decode()
    assert "trajectory-data" not in html
    assert "Choose the baseline year" in html and url("commitments", city) in html
    contract = Contract.objects.get(city=city)
    contract.baseline_year = 2020
    services.save_commitments(contract, actor=None)
    html = client.get(url("trajectory", city)).content.decode()
    assert "Enter or import the inventory of 2020" in html and url("inventory", city) in html


def test_the_trajectory_makes_the_same_queries_for_few_and_many_years_and_actions(
    client, contract, member, django_assert_num_queries
):
    with_inventory(contract)
    with_action(contract, "One", "stationary", 10)
    client.force_login(member)
    client.get(url("trajectory", contract.city))
    with django_assert_num_queries(4):  # from the cache
        client.get(url("trajectory", contract.city))
    caching.contract_changed(contract.pk)
    with django_assert_num_queries(8) as cold:
        client.get(url("trajectory", contract.city))
    for year in range(2021, 2026):
        with_inventory(contract, year)
    for n in range(10):
        with_action(contract, f"Action {n}", "waste", n)
    with django_assert_num_queries(len(cold.captured_queries)):
        client.get(url("trajectory", contract.city))
    with django_assert_num_queries(4):
        client.get(url("trajectory", contract.city))


def test_inventory_and_year_pages_make_the_same_queries_with_more_data(
    client, contract, member, django_assert_num_queries
):
    with_inventory(contract)
    client.force_login(member)
    pages = {url("inventory", contract.city): 9, url("inventory-year", contract.city, 2020): 6}
    for page, count in pages.items():
        client.get(page)
        with django_assert_num_queries(count):
            client.get(page)
    for year in range(2021, 2030):
        with_inventory(contract, year, scale=2)
    for page, count in pages.items():
        with django_assert_num_queries(count):
            client.get(page)


# --- the My city card -------------------------------------------------------------------------


def test_the_my_city_card_shows_the_state_and_links_in(client, contract, member, outsider):
    services.submit(contract, actor=None)
    client.force_login(member)
    html = client.get(reverse("cities:my-city", args=[contract.city.pk])).content.decode()
    assert "Open the contract workspace" in html and url("workspace", contract.city) in html
    assert "Version 1: Waiting for review" in html
    assert ContractVersion.objects.count() == 1


def test_a_second_city_of_a_member_is_its_own(client, contract, member):
    second = CityFactory()
    MembershipFactory(city=second, user=member)
    client.force_login(member)
    assert client.get(url("workspace", second)).status_code == 200
    assert Contract.objects.filter(city=second).exists()


# --- the demo's sample workspace ----------------------------------------------------------------


def test_every_page_shows_the_demos_sample_workspace(client):
    gent = CityFactory(
        name="Gent", country=CountryFactory(code="BE"), status=City.Status.PARTICIPATING
    )
    people = {"coordinator@example.org": CoordinatorFactory(email="coordinator@example.org")}
    add_totp(people["coordinator@example.org"])
    for email, role in [("lead@example.org", Membership.Role.LEAD), ("member@example.org", None)]:
        people[email] = UserFactory(email=email)
        MembershipFactory(user=people[email], city=gent, **({"role": role} if role else {}))
    demo.load_contract(people)
    contract = Contract.objects.get(city=gent)
    for user in (people["member@example.org"], people["coordinator@example.org"]):
        client.force_login(user)
        for name, args in PAGES + [("inventory-year", (contract.baseline_year,))]:
            response = client.get(url(name, gent, *args))
            assert response.status_code == 200, (user, name)
        html = client.get(url("trajectory", gent)).content.decode()
        assert "trajectory-data" in html and "Sample workspace" in html
    html = client.get(reverse("contracts:index")).content.decode()
    assert url("workspace", gent) in html


def test_without_the_portfolio_the_trajectory_data_shows_nothing_of_it(contract, member):
    with_inventory(contract)
    with_action(contract, "Secret retrofits", "stationary", 500)
    data = charts.trajectory_data(contract, figures_of(contract), portfolio=False)
    assert [line["key"] for line in data["chart"]["lines"]] == [
        "inventory",
        "path",
        "minimum",
        "bau",
    ]
    assert [bar["key"] for bar in data["chart"]["sectors"]["bars"]] == ["required"]
    assert data["overall"].expected == 0 and all(row.expected == 0 for row in data["sectors"])
    assert all(row.portfolio is None for row in data["rows"])
    html = render_to_string("contracts/_trajectory.html", {"data": data, "contract": contract})
    assert "500" not in html and "With the portfolio" not in html and "Expected" not in html
    assert "Required reduction" in html and "800" in html


@pytest.mark.parametrize(
    ("name", "args", "data"),
    [
        ("interim-targets", (), {"targets-0-year": "2025"}),  # no management form
        ("signatories", (), {"signatories-TOTAL_FORMS": "x", "signatories-INITIAL_FORMS": "0"}),
        ("commitments", (), {"target_year": "99999999999999999999", "residual_percent": "1e9"}),
        ("inventory-year", (2020,), {"e-residential-1": "1e400", "e-rail-1": "NaN"}),
        ("inventory-year", (2020,), {"e-residential-1": "9" * 30, "r-moon-9": "5"}),
        ("narrative", ("gap",), {"text": "x" * 50_001}),
    ],
)
def test_forged_and_absurd_input_is_never_a_500(client, contract, member, name, args, data):
    client.force_login(member)
    response = client.post(url(name, contract.city, *args), data)
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode() or "errorlist" in (
        response.content.decode()
    )
    assert not InventoryYear.objects.exists()

"""The cached bodies of the overview, the trajectory and the table of actions are never stale:
after every kind of write, each page shows what a rendering with an empty cache shows (and the
writes that change a page change it); a coordinator, a member and a lead never see each other's
rendering; the contract's version is bumped by every model's writes, bulk ones included."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import Workbook

from netzerohub.cities.tests.factories import MembershipFactory
from netzerohub.contracts import caching, commitments, inventory_io, portfolio, services
from netzerohub.contracts.models import (
    Action,
    ActionReduction,
    CapitalNeed,
    ContractVersion,
    Emission,
    Funding,
    Indicator,
    InterimTarget,
    InventoryYear,
    Measurement,
    ReviewComment,
    Signatory,
)
from netzerohub.contracts.services import Row

pytestmark = pytest.mark.django_db

PAGES = ("workspace", "trajectory", "actions")


def url(name: str, contract, *args) -> str:
    return reverse(f"contracts:{name}", args=[contract.city.pk, *args])


@pytest.fixture
def contract(city):
    contract = services.workspace(city)
    contract.baseline_year, contract.target_year = 2020, 2030
    return services.save_commitments(contract, actor=None)


def inventory(contract, year: int = 2020, scale: int = 1) -> None:
    services.save_inventory_year(
        contract,
        year,
        [
            Row("residential", 1, D(400) * scale),
            Row("on-road", 1, D(400) * scale),
            Row("afolu", 1, D(50), removal=True),
        ],
        actor=None,
    )


def new_action(contract, title: str, sector: str = "stationary", tonnes: int = 100) -> Action:
    action = Action(contract=contract, title=title, capital_cost=D(1000))
    return services.save_action(action, actor=None, reductions={sector: D(tonnes)})


@pytest.fixture
def filled(contract):
    inventory(contract)
    inventory(contract, 2022, scale=2)
    action = new_action(contract, "Heat pumps")
    CapitalNeed.objects.create(action=action, year=2026, amount=D(500))
    return contract


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


# --- the writes, each as the app makes it -----------------------------------------------------


def add_action(contract, lead):
    new_action(contract, "Bus lanes", "transportation", 250)


def edit_action(contract, lead):
    action = Action.objects.get(contract=contract, title="Heat pumps")
    action.title, action.status = "District heating", Action.Status.IN_PROGRESS
    action.starts = dt.date(2026, 3, 1)
    services.save_action(action, actor=None)


def delete_action(contract, lead):
    services.delete_action(Action.objects.get(contract=contract, title="Heat pumps"), actor=None)


def change_reduction(contract, lead):
    action = Action.objects.get(contract=contract, title="Heat pumps")
    services.save_action(action, actor=None, reductions={"stationary": D(300)})


def save_inventory_year(contract, lead):
    inventory(contract, 2022, scale=3)


def import_inventory(contract, lead):
    data = workbook([[2024, "", "residential", "", 1, 123, "no"]])
    inventory_io.import_inventory(contract, data, actor=None)


def save_commitments(contract, lead):
    contract.residual_share, contract.bau_annual_change = D("0.15"), D("0.01")
    services.save_commitments(contract, actor=None)


def save_narratives(contract, lead):
    services.save_narratives(contract, {"A-2": "Our policies.", "gap": "We buy time."}, actor=None)


def save_interim_targets(contract, lead):
    commitments.save_interim_targets(contract, [commitments.Target(2025, D("0.3"))], actor=None)


def save_signatories(contract, lead):
    commitments.save_signatories(contract, [commitments.Signer("City council")], actor=None)


def save_indicators(contract, lead):
    action = Action.objects.get(contract=contract, title="Heat pumps")
    values = {"name": "Homes", "unit": "", "target_2025": D(1), "target_2027": D(2)}
    portfolio.save_indicators(
        action, [portfolio.Change(None, values | {"target_2030": D(3)})], actor=None
    )


def save_funding(contract, lead):
    action = Action.objects.get(contract=contract, title="Heat pumps")
    values = {"year": 2026, "source": "eu", "status": "secured", "amount": D(400), "note": ""}
    portfolio.save_funding(action, [portfolio.Change(None, values)], actor=None)


def save_capital_needs(contract, lead):
    action = Action.objects.get(contract=contract, title="Heat pumps")
    need = CapitalNeed.objects.get(action=action)
    portfolio.save_capital_needs(
        action, [portfolio.Change(need.pk, {"year": 2026, "amount": D(900)})], actor=None
    )


def submit(contract, lead):
    services.submit(contract, actor=lead)


def review(contract, lead):
    version = services.submit(contract, actor=lead)
    services.review(version, accept=False, comments={"A-1": "More sectors."}, actor=None)


def publish(contract, lead):
    services.save_publishing(contract, {"publish_trajectory": True}, actor=None)


WRITES = {
    f.__name__: f
    for f in (
        add_action,
        edit_action,
        delete_action,
        change_reduction,
        save_inventory_year,
        import_inventory,
        save_commitments,
        save_narratives,
        save_interim_targets,
        save_signatories,
        save_indicators,
        save_funding,
        save_capital_needs,
        submit,
        review,
        publish,
    )
}

# What each page shows of each write (the rest must still not be stale, and is checked too).
SHOWN = {
    "workspace": set(WRITES) - {"edit_action", "publish", "save_interim_targets"},
    "trajectory": {
        "add_action",
        "delete_action",
        "change_reduction",
        "save_inventory_year",
        "import_inventory",
        "save_commitments",
    },
    "actions": {"add_action", "edit_action", "delete_action", "change_reduction"},
}


def main(response) -> str:
    """The page's main content, without what differs between two renderings of the same."""
    html = response.content.decode()
    html = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r'(nonce="|name="csrfmiddlewaretoken" value=")[^"]*"', "", html)


def fresh(client, path: str) -> str:
    """The page rendered with an empty cache."""
    cache.clear()
    return main(client.get(path))


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_shows_at_once_on_the_cached_pages(
    client, filled, lead, page, write, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    path = url(page, filled)
    before = main(client.get(path))
    assert main(client.get(path)) == before  # served from the cache from now on
    with django_capture_on_commit_callbacks(execute=True):
        WRITES[write](filled, lead)
    after = main(client.get(path))
    assert after == fresh(client, path), "stale"
    if write in SHOWN[page]:
        assert after != before, "the write should show on this page"


def test_a_rename_of_the_city_shows_on_the_overview(client, filled, member):
    client.force_login(member)
    client.get(url("workspace", filled))
    filled.city.name = "Newtown"
    filled.city.save()
    assert "Climate City Contract of Newtown" in main(client.get(url("workspace", filled)))


def test_the_version_is_bumped_again_when_the_write_commits(
    filled, django_capture_on_commit_callbacks
):
    """A rendering another process cached from the state before the commit (between the
    write and its commit) is dropped by the bump at the commit."""
    with django_capture_on_commit_callbacks() as callbacks:
        new_action(filled, "Bus lanes", "transportation", 250)
    during = caching.contract_version(filled.pk)
    assert callbacks, "a bump waits for the commit"
    for callback in callbacks:
        callback()
    assert caching.contract_version(filled.pk) != during


@pytest.mark.parametrize("page", PAGES)
def test_coordinators_members_and_leads_never_see_each_others_rendering(
    client, filled, member, lead, coordinator, page
):
    path = url(page, filled)
    renderings = {}
    for round_ in range(2):  # each order: the first one fills the cache
        users = (coordinator, member, lead) if round_ == 0 else (lead, member, coordinator)
        for user in users:
            client.force_login(user)
            renderings[(round_, user.pk)] = main(client.get(path))
    for user in (coordinator, member, lead):
        assert renderings[(0, user.pk)] == renderings[(1, user.pk)]
    edit_links = {
        "workspace": "You read this workspace",
        "trajectory": url("narrative", filled, "gap"),
        "actions": url("action-create", filled),
    }[page]
    coordinator_html, member_html = renderings[(0, coordinator.pk)], renderings[(0, member.pk)]
    if page == "workspace":  # the coordinator is told they read; members are not
        assert edit_links in coordinator_html and edit_links not in member_html
        submit_link = url("submit", filled)
        assert submit_link in renderings[(1, lead.pk)]
        assert submit_link not in member_html and submit_link not in coordinator_html
    else:
        assert edit_links in member_html and edit_links not in coordinator_html


def test_the_table_keeps_what_was_asked_and_drops_other_parameters(client, filled, member):
    client.force_login(member)
    base = url("actions", filled)
    plain = main(client.get(base))
    assert main(client.get(base + "?utm=x&other=1")) == plain  # unknown parameters: one entry
    searched = main(client.get(base + "?q=heat&utm=x"))
    assert 'value="heat"' in client.get(base + "?q=heat&utm=x").content.decode()
    assert "utm" not in searched  # links keep the table's parameters only
    wrong = client.get(base + "?field=moon").content.decode()
    assert "moon" in wrong and "not understood" in wrong
    assert "moon" not in main(client.get(base))  # a wrong choice is not cached for others
    sorted_ = client.get(base + "?sort=-title").content.decode()
    assert "sort=title" in sorted_  # the title heading now sorts ascending


# --- the version: every model, bulk writes included -----------------------------------------


def bumped(contract, write) -> bool:
    before = caching.contract_version(contract.pk)
    write()
    return caching.contract_version(contract.pk) != before


def test_every_model_of_the_app_bumps_its_contract_when_saved_or_deleted(filled, lead):
    action = Action.objects.get(contract=filled)
    year = InventoryYear.objects.filter(contract=filled).first()
    reduction = ActionReduction.objects.filter(action=action).first()
    emission = Emission.objects.filter(inventory_year=year).first()
    indicator = Indicator.objects.create(action=action, name="Homes")
    measurement = Measurement.objects.create(indicator=indicator, year=2025, value=D(1))
    funding = Funding.objects.create(
        action=action, year=2026, source="eu", status="secured", amount=D(1)
    )
    need = CapitalNeed.objects.get(action=action)
    target = InterimTarget.objects.create(contract=filled, year=2025, reduction_share=D("0.2"))
    signatory = Signatory.objects.create(contract=filled, organisation="Council")
    version = services.submit(filled, actor=lead)
    comment = ReviewComment.objects.create(version=version, section="A-1", body="More.")
    rows = [
        filled,
        target,
        signatory,
        year,
        emission,
        action,
        reduction,
        indicator,
        measurement,
        need,
        funding,
        version,
        comment,
    ]
    for row in rows:
        fetched = type(row).objects.get(pk=row.pk)  # no parent cached: the receiver looks it up
        save = fetched.save
        if isinstance(fetched, ContractVersion):  # only its review changes
            save = lambda fetched=fetched: fetched.save(update_fields=["status"])  # noqa: E731
        assert bumped(filled, save), type(row).__name__
    for row in reversed(rows[1:]):
        fetched = type(row).objects.get(pk=row.pk)
        assert bumped(filled, fetched.delete), type(row).__name__
    InterimTarget.objects.create(contract=filled, year=2026, reduction_share=D("0.3"))
    assert bumped(filled, lambda: InterimTarget.objects.filter(contract=filled).delete())


def test_a_deleted_action_bumps_without_a_query_per_child(filled, django_assert_max_num_queries):
    action = Action.objects.get(contract=filled)
    for n in range(5):
        Indicator.objects.create(action=action, name=f"I{n}")
    with django_assert_max_num_queries(14):  # the cascade's reads and deletes, no look-ups
        assert bumped(filled, action.delete)


def test_bulk_writes_bump(filled):
    assert bumped(filled, lambda: inventory(filled, 2023))
    assert bumped(
        filled,
        lambda: commitments.save_interim_targets(
            filled, [commitments.Target(2025, D("0.3"))], actor=None
        ),
    )
    action = Action.objects.get(contract=filled)
    values = {"year": 2027, "amount": D(5)}
    assert bumped(
        filled,
        lambda: portfolio.save_capital_needs(action, [portfolio.Change(None, values)], actor=None),
    )


def test_a_write_to_one_contract_leaves_the_others_cached(filled, other_city):
    other = services.workspace(other_city)
    before = caching.contract_version(other.pk)
    new_action(filled, "Bus lanes")
    inventory(filled, 2021)
    assert caching.contract_version(other.pk) == before


def test_the_overview_shows_the_latest_version_s_date_in_each_viewer_s_time_zone(
    client, filled, lead
):
    version = services.submit(filled, actor=lead)
    late = dt.datetime(2026, 1, 1, 23, 30, tzinfo=dt.UTC)  # 2 Jan in Brussels, 1 Jan in New York
    ContractVersion.objects.filter(pk=version.pk).update(submitted_at=late)
    caching.contract_changed(filled.pk)  # (the update above sends no signal)
    brussels = MembershipFactory(city=filled.city, user__time_zone="Europe/Brussels").user
    new_york = MembershipFactory(city=filled.city, user__time_zone="America/New_York").user
    client.force_login(brussels)
    assert "submitted on 2 Jan 2026" in main(client.get(url("workspace", filled)))
    client.force_login(new_york)
    assert "submitted on 1 Jan 2026" in main(client.get(url("workspace", filled)))

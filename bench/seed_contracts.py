"""Synthetic Climate City Contract workspaces for the benchmark (issue 10): 5,000 cities with a
workspace each, 10 inventory years and 40 actions per workspace.

- **Workspaces** of 5,000 synthetic cities spread over the directory (every n-th synthetic city
  by id): a baseline year 2015–2018, a target year 2040–2050 (2030 for a Mission City),
  residual share 10–20 %, business as usual −0.5 … +1 % a year, every sector and scope
  covered, short commitments and section texts, two interim targets and two signatories; a
  third publish their summary, trajectory and portfolio.
- **10 inventory years** per workspace from the baseline year on, each with 24 rows
  (sub-sector × scope: the 15 sub-sectors in scope 1, the buildings, industry, energy and rail
  in scope 2, on-road, aviation and waste in scope 3) falling 1–4 % a year with noise, and a
  removal line (AFOLU) in about a third of the years: ~1.3 million emission rows.
- **40 actions** per workspace (200,000): every field of action and lever in turn, every
  status, dates 2018–2040, capital and operating costs, 1–3 co-benefits; expected reductions
  in 1–3 sectors (about 400,000 rows) summing to 40–90 % of the required reduction; 1–2
  indicators (300,000) with 2025/2027/2030 targets and 2–4 measured years (about 900,000);
  capital needs over 3–5 consecutive years (800,000) and 2–3 funding rows (500,000) of every
  source and status.
- **Signed-in members**: for `members` of those cities (spread over them), a synthetic person
  (`seed.bench_users`) approved as a member — an existing approved membership when there is
  one, else a new one — whose session `run.py --pages contracts` requests the workspace,
  portfolio and trajectory pages with, each person their own city.

Rows whose children need their ids take ids reserved from the table's sequence up front
(`_reserve`), so that every table is written with PostgreSQL's `COPY` (`executemany` on SQLite,
for the tests), in batches of `BATCH` workspaces. One `random.Random(seed)` for all of it.
Idempotent: nothing is written when the bench workspaces and their actions are at the target;
otherwise the bench workspaces are deleted (with everything under them) and written again.
Then `VACUUM (ANALYZE)` of the contract tables on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import seed as base
from django.db import connection, transaction
from django.utils import timezone

from netzerohub.cities.models import City, Membership
from netzerohub.contracts import sectors
from netzerohub.contracts.models import (
    Action,
    ActionReduction,
    CapitalNeed,
    CoBenefit,
    Contract,
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
from netzerohub.core.models import Term

WORKSPACES = 5_000
YEARS = 10
ACTIONS = 40
MEMBERS = 500
BATCH = 250  # workspaces per batch
PUBLISHED_SHARE = 1 / 3
REMOVAL_SHARE = 1 / 3

# The inventory's rows: (sub-sector, scope, share of the city's baseline emissions).
ROWS: list[tuple[str, int, float]] = [
    ("residential", 1, 0.16), ("residential", 2, 0.06), ("commercial", 1, 0.08),
    ("commercial", 2, 0.05), ("manufacturing", 1, 0.10), ("manufacturing", 2, 0.04),
    ("energy-industries", 1, 0.06), ("energy-industries", 2, 0.01),
    ("agriculture-energy", 1, 0.01), ("non-specified", 1, 0.01), ("fugitive", 1, 0.01),
    ("on-road", 1, 0.18), ("on-road", 3, 0.02), ("rail", 1, 0.002), ("rail", 2, 0.008),
    ("waterborne", 1, 0.01), ("aviation", 1, 0.01), ("aviation", 3, 0.02),
    ("off-road", 1, 0.01), ("waste", 1, 0.04), ("waste", 3, 0.01), ("ippu", 1, 0.04),
    ("afolu", 1, 0.02), ("commercial", 3, 0.01),
]  # fmt: skip
SECTOR_CODES = [s.code for s in sectors.SECTORS]
# Where reductions go: stationary and transport most.
SECTOR_WEIGHTS = [50, 30, 8, 6, 6]
SOURCES = [value for value, _label in Funding.Source.choices]
FUNDING_STATUSES = [value for value, _label in Funding.Status.choices]
STATUSES = [value for value, _label in Action.Status.choices]
CO_BENEFITS = [value for value, _label in CoBenefit.choices]
TEXT = (
    "Synthetic benchmark text. The city's transition team prepared this section with the "
    "departments and the partners; it describes the approach, the responsibilities and the "
    "next steps in a few paragraphs.\n\n- a first point\n- a second point\n"
)


@dataclass(frozen=True)
class Targets:
    workspaces: int = WORKSPACES
    years: int = YEARS
    actions: int = ACTIONS
    members: int = MEMBERS


def bench_contracts():
    """The bench workspaces: those of synthetic cities."""
    return Contract.objects.filter(city__source=City.Source.SYNTHETIC)


def chosen_cities(count: int) -> list[tuple[int, str]]:
    """(id, status) of `count` synthetic cities spread over all of them by id."""
    cities = list(
        City.objects.filter(source=City.Source.SYNTHETIC).order_by("pk").values_list("pk", "status")
    )
    if len(cities) < count:
        raise RuntimeError(f"{count:,} workspaces need as many synthetic cities: {len(cities):,}.")
    step = len(cities) / count
    return [cities[int(n * step)] for n in range(count)]


# --- writing -----------------------------------------------------------------------------------


def _columns(model: type) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def _copy(model: type, columns: list[str], rows: Iterable[tuple]) -> int:
    """Insert rows (a value per column, in `columns` order): COPY on PostgreSQL, else
    `executemany`."""
    known = set(_columns(model))
    if not set(columns) <= known or known - set(columns) - {"id"}:
        raise RuntimeError(f"{model.__name__}'s columns changed ({sorted(known)}): update me")
    table = connection.ops.quote_name(model._meta.db_table)
    joined = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({joined}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        adapt = connection.ops.adapt_datetimefield_value

        def fix(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return adapt(value)
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, Decimal):
                return str(value)
            return value

        fixed = [tuple(fix(v) for v in row) for row in rows]
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({joined}) VALUES ({marks})", fixed)  # noqa: S608 - names from the model
        return len(fixed)


def _reserve(model: type, count: int) -> int:
    """The first of `count` consecutive ids taken for `model`'s rows (the sequence moved past
    them on PostgreSQL; on SQLite, after the largest id)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            first = cursor.fetchone()[0]
            if count > 1:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                    [table, first + count - 1],
                )
            return first
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return (cursor.fetchone()[0] or 0) + 1


def _tonnes(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high, 1_000))


def _workspace_rows(
    rng: random.Random,
    contract: Contract,
    targets: Targets,
    terms: dict[str, list[int]],
    ids: dict[str, int],
    out: dict[str, list[tuple]],
    now: dt.datetime,
) -> None:
    """Every row under one workspace, appended to `out` by table (ids taken from `ids`)."""
    contract_id, baseline = contract.pk, contract.baseline_year
    size = rng.uniform(50_000, 5_000_000)  # t CO2e of the baseline year
    for year, share in ((2025, "0.300"), (2030, "0.550")):
        out["targets"].append((contract_id, year, Decimal(share), "Synthetic interim target."))
    for position in (1, 2):
        out["signatories"].append(
            (contract_id, f"Synthetic partner {position}", TEXT, dt.date(2024, 1, 10), position)
        )
    for offset in range(targets.years):
        year_id = ids["year"]
        ids["year"] += 1
        year = baseline + offset
        out["years"].append((year_id, contract_id, year, "Synthetic inventory."))
        trend = (1 - rng.uniform(0.01, 0.04)) ** offset
        for subsector, scope, share in ROWS:
            value = size * share * trend * rng.uniform(0.9, 1.1)
            out["emissions"].append((year_id, subsector, scope, _tonnes(value), False))
        if rng.random() < REMOVAL_SHARE:
            removal = _tonnes(size * rng.uniform(0.002, 0.02))
            out["emissions"].append((year_id, "afolu", 1, removal, True))
    # the portfolio: reductions summing to 40-90 % of the baseline's 80 % required
    budget = size * 0.8 * rng.uniform(0.4, 0.9)
    weights = [rng.random() + 0.2 for _ in range(targets.actions)]
    total_weight = sum(weights)
    fields, levers = terms["field"], terms["lever"]
    for index in range(targets.actions):
        action_id = ids["action"]
        ids["action"] += 1
        starts = dt.date(rng.randint(2018, 2027), rng.randint(1, 12), 1)
        ends = starts + dt.timedelta(days=rng.randint(365, 12 * 365))
        co_benefits = rng.sample(CO_BENEFITS, rng.randint(1, 3))
        out["actions"].append(
            (
                action_id,
                contract_id,
                f"Synthetic action {index + 1:02d}",
                fields[index % len(fields)],
                levers[(index // len(fields) + index) % len(levers)],
                TEXT,
                "Synthetic department",
                "Residents, companies, partners",
                starts,
                ends,
                STATUSES[rng.randrange(len(STATUSES))],
                _money(rng, 100_000, 50_000_000),
                _money(rng, 0, 2_000_000),
                json.dumps(co_benefits),
                index + 1,
                now,
                now,
            )
        )
        amount = budget * weights[index] / total_weight
        chosen = set()
        while len(chosen) < rng.randint(1, 3):
            chosen.add(rng.choices(SECTOR_CODES, weights=SECTOR_WEIGHTS)[0])
        for sector in sorted(chosen):
            share = _tonnes(amount / len(chosen))
            out["reductions"].append((action_id, sector, share))
        for n in range(rng.randint(1, 2)):
            indicator_id = ids["indicator"]
            ids["indicator"] += 1
            goal = rng.randint(100, 100_000)
            out["indicators"].append(
                (
                    indicator_id,
                    action_id,
                    f"Synthetic indicator {n + 1}",
                    "units",
                    Decimal(goal // 4),
                    Decimal(goal // 2),
                    Decimal(goal),
                )
            )
            first = rng.randint(2020, 2022)
            for year in range(first, first + rng.randint(2, 4)):
                measured = Decimal(goal * (year - 2018) // 14)
                out["measurements"].append((indicator_id, year, measured))
        first_year = rng.randint(2024, 2030)
        span = rng.randint(3, 5)
        for year in range(first_year, first_year + span):
            out["needs"].append((action_id, year, _money(rng, 50_000, 10_000_000)))
        for _ in range(rng.randint(2, 3)):
            out["funding"].append(
                (
                    action_id,
                    rng.randint(first_year, first_year + span - 1),
                    SOURCES[rng.randrange(len(SOURCES))],
                    FUNDING_STATUSES[rng.randrange(len(FUNDING_STATUSES))],
                    _money(rng, 20_000, 5_000_000),
                    "",
                )
            )


TABLES: dict[str, tuple[type, list[str]]] = {
    "targets": (InterimTarget, ["contract_id", "year", "reduction_share", "note"]),
    "signatories": (
        Signatory,
        ["contract_id", "organisation", "commitment", "signed_on", "position"],
    ),
    "years": (InventoryYear, ["id", "contract_id", "year", "source"]),
    "emissions": (Emission, ["inventory_year_id", "subsector", "scope", "tco2e", "removal"]),
    "actions": (
        Action,
        [
            "id",
            "contract_id",
            "title",
            "field_id",
            "lever_id",
            "description",
            "responsible",
            "stakeholders",
            "starts",
            "ends",
            "status",
            "capital_cost",
            "operating_cost",
            "co_benefits",
            "position",
            "created",
            "updated",
        ],
    ),  # fmt: skip
    "reductions": (ActionReduction, ["action_id", "sector", "tco2e"]),
    "indicators": (
        Indicator,
        ["id", "action_id", "name", "unit", "target_2025", "target_2027", "target_2030"],
    ),
    "measurements": (Measurement, ["indicator_id", "year", "value"]),
    "needs": (CapitalNeed, ["action_id", "year", "amount"]),
    "funding": (Funding, ["action_id", "year", "source", "status", "amount", "note"]),
}


def delete_workspaces() -> int:
    """Delete the bench workspaces and every row under them (raw deletes, children first)."""
    contracts = bench_contracts()
    actions = Action.objects.filter(contract__in=contracts)
    indicators = Indicator.objects.filter(action__in=actions)
    years = InventoryYear.objects.filter(contract__in=contracts)
    versions = ContractVersion.objects.filter(contract__in=contracts)
    for queryset in (
        Measurement.objects.filter(indicator__in=indicators),
        indicators,
        ActionReduction.objects.filter(action__in=actions),
        CapitalNeed.objects.filter(action__in=actions),
        Funding.objects.filter(action__in=actions),
        actions,
        Emission.objects.filter(inventory_year__in=years),
        years,
        InterimTarget.objects.filter(contract__in=contracts),
        Signatory.objects.filter(contract__in=contracts),
        ReviewComment.objects.filter(version__in=versions),
        versions,
    ):
        queryset._raw_delete(connection.alias)
    return contracts._raw_delete(connection.alias)


def is_seeded(targets: Targets) -> bool:
    contracts = bench_contracts().count()
    return (
        contracts == targets.workspaces
        and Action.objects.filter(contract__in=bench_contracts()).count()
        == targets.workspaces * targets.actions
        and InventoryYear.objects.filter(contract__in=bench_contracts()).count()
        == targets.workspaces * targets.years
    )


@transaction.atomic
def seed_workspaces(
    targets: Targets, seed_value: int, log: Callable[..., None], rebuild: bool = False
) -> dict[str, int]:
    added = dict.fromkeys(TABLES, 0) | {"workspaces": 0}
    if is_seeded(targets) and not rebuild:
        return added
    deleted = delete_workspaces() if bench_contracts().exists() else 0
    rng = random.Random(seed_value)
    terms = {
        kind: list(Term.objects.filter(kind=kind).order_by("position").values_list("pk", flat=True))
        for kind in ("field", "lever")
    }
    if not terms["field"] or not terms["lever"]:
        raise RuntimeError("No fields of action or levers: the taxonomy migration is missing.")
    cities = chosen_cities(targets.workspaces)
    taken = set(Contract.objects.filter(city_id__in=[pk for pk, _s in cities]).values_list(
        "city_id", flat=True))  # fmt: skip
    if taken:  # a workspace opened on a chosen city outside the seed (not synthetic data)
        raise RuntimeError(f"{len(taken)} chosen cities already have a workspace.")
    started = time.monotonic()
    now = timezone.now()
    all_sectors = list(SECTOR_CODES)
    for start in range(0, len(cities), BATCH):
        batch = cities[start : start + BATCH]
        contracts = []
        for city_id, status in batch:
            published = rng.random() < PUBLISHED_SHARE
            contracts.append(
                Contract(
                    city_id=city_id,
                    baseline_year=rng.randint(2015, 2018),
                    target_year=2030
                    if status == City.Status.MISSION
                    else rng.choice([2040, 2045, 2050]),
                    residual_share=Decimal(rng.choice(["0.100", "0.150", "0.200"])),
                    bau_annual_change=Decimal(rng.choice(["-0.0050", "0", "0.0050", "0.0100"])),
                    covered_sectors=all_sectors,
                    covered_scopes=[1, 2, 3],
                    ambition=TEXT,
                    priorities=TEXT,
                    principles=TEXT,
                    narratives={"A-2": TEXT, "B-1": TEXT, "C-3": TEXT},
                    publish_summary=published,
                    publish_trajectory=published,
                    publish_portfolio=published,
                )
            )
        made = Contract.objects.bulk_create(contracts)
        if any(c.pk is None for c in made):
            made = list(Contract.objects.filter(city_id__in=[pk for pk, _s in batch]))
        ids = {
            "year": _reserve(InventoryYear, len(made) * targets.years),
            "action": _reserve(Action, len(made) * targets.actions),
            "indicator": _reserve(Indicator, len(made) * targets.actions * 2),
        }
        out: dict[str, list[tuple]] = {name: [] for name in TABLES}
        for contract in made:
            _workspace_rows(rng, contract, targets, terms, ids, out, now)
        for name, (model, columns) in TABLES.items():
            added[name] += _copy(model, columns, out[name])
        added["workspaces"] += len(made)
        log(
            f"    {added['workspaces']:,} workspaces, {added['emissions']:,} emission rows, "
            f"{added['actions']:,} actions ({time.monotonic() - started:.0f}s)"
        )
    added["workspaces_deleted"] = deleted
    return added


@transaction.atomic
def seed_members(count: int) -> int:
    """An approved synthetic member for `count` bench workspaces spread over them (their own
    approved membership when a synthetic person has one, else a new one); the new ones added."""
    chosen = sampled_cities(count)
    people = list(base.bench_users().order_by("pk").values_list("pk", flat=True))
    if not people:
        raise RuntimeError("Seed the synthetic people before the contract members.")
    have = set(
        Membership.objects.approved()
        .filter(city_id__in=chosen, user__in=base.bench_users())
        .values_list("city_id", flat=True)
    )
    existing = set(Membership.objects.filter(city_id__in=chosen).values_list("user_id", "city_id"))
    now = timezone.now()
    rows = []
    for index, city_id in enumerate(chosen):
        if city_id in have:
            continue
        for attempt in range(len(people)):
            user_id = people[(index * 97 + attempt) % len(people)]
            if (user_id, city_id) not in existing:
                break
        rows.append(
            Membership(
                user_id=user_id,
                city_id=city_id,
                status=Membership.Status.APPROVED,
                role=Membership.Role.MEMBER,
                decided_at=now,
            )
        )
    Membership.objects.bulk_create(rows)
    return len(rows)


def sampled_cities(count: int) -> list[int]:
    """The ids of `count` cities with a bench workspace, spread over all of them by id."""
    ids = list(bench_contracts().order_by("city_id").values_list("city_id", flat=True))
    if not ids:
        return []
    step = max(1, len(ids) // max(count, 1))
    return ids[::step][:count]


def members(count: int) -> list[tuple[int, Any]]:
    """(city id, an approved synthetic member of it) for `count` bench workspaces spread over
    them, a different person for each city where possible."""
    from django.contrib.auth import get_user_model

    chosen = sampled_cities(count)
    rows = (
        Membership.objects.approved()
        .filter(city_id__in=chosen, user__in=base.bench_users())
        .order_by("city_id", "user_id")
        .values_list("city_id", "user_id")
    )
    by_city: dict[int, list[int]] = {}
    for city_id, user_id in rows:
        by_city.setdefault(city_id, []).append(user_id)
    used: set[int] = set()
    pairs = []
    for city_id in chosen:
        candidates = by_city.get(city_id, [])
        if not candidates:
            continue
        user_id = next((u for u in candidates if u not in used), candidates[0])
        used.add(user_id)
        pairs.append((city_id, user_id))
    users = get_user_model().objects.in_bulk([u for _c, u in pairs])
    return [(city_id, users[user_id]) for city_id, user_id in pairs]


# --- all of it ---------------------------------------------------------------------------------


def seed(
    targets: Targets | None = None,
    *,
    seed_value: int = 2050,
    log: Callable[..., None] = print,
    rebuild: bool = False,
) -> dict[str, Any]:
    """The bench workspaces and the members run.py signs in as; what was added and timings."""
    targets = targets or Targets()
    report: dict[str, Any] = {}
    started = time.monotonic()
    with transaction.atomic():
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("workspaces", lambda: seed_workspaces(targets, seed_value, log, rebuild)),
            ("members", lambda: seed_members(targets.members)),
        ]
        base.run_steps(steps, report, label="contracts", log=log)
    if any(v for k, v in report.items() if not k.endswith("_s")):
        report["seed_s"] = round(time.monotonic() - started, 2)
        if connection.vendor == "postgresql":
            analyze_started = time.monotonic()
            vacuum(full=bool(report.get("workspaces_deleted")))
            report["analyze_s"] = round(time.monotonic() - analyze_started, 2)
    return report


CONTRACT_TABLES = tuple(
    model._meta.db_table
    for model in (
        Contract, InterimTarget, Signatory, InventoryYear, Emission, Action, ActionReduction,
        Indicator, Measurement, CapitalNeed, Funding,
    )
)  # fmt: skip


def vacuum(*, full: bool = False) -> None:
    """On PostgreSQL: `VACUUM (ANALYZE)` the contract tables (`FULL` after a deletion);
    inside a transaction (tests) only `ANALYZE`."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(CONTRACT_TABLES)
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:
            cursor.execute(f"VACUUM ({'FULL, ANALYZE' if full else 'ANALYZE'}) {tables}")
        else:
            cursor.execute(f"ANALYZE {tables}")


# --- for the report ----------------------------------------------------------------------------


def facts() -> dict[str, Any]:
    contracts = bench_contracts()
    actions = Action.objects.filter(contract__in=contracts)
    return {
        "workspaces": contracts.count(),
        "published": contracts.filter(publish_summary=True).count(),
        "inventory_years": InventoryYear.objects.filter(contract__in=contracts).count(),
        "emission_rows": Emission.objects.filter(inventory_year__contract__in=contracts).count(),
        "removal_rows": Emission.objects.filter(
            inventory_year__contract__in=contracts, removal=True
        ).count(),
        "actions": actions.count(),
        "reductions": ActionReduction.objects.filter(action__in=actions).count(),
        "indicators": Indicator.objects.filter(action__in=actions).count(),
        "measurements": Measurement.objects.filter(indicator__action__in=actions).count(),
        "capital_needs": CapitalNeed.objects.filter(action__in=actions).count(),
        "funding": Funding.objects.filter(action__in=actions).count(),
    }

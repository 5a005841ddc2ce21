"""The action portfolio and the investment plan: the reads behind their pages (the table of
actions with filters and sorting, the fields × levers matrix, the timeline, the investment plan
per year, field of action and source) and the writes `services.py` does not have (an action's
indicators and their measured values, its capital needs per year and its funding rows).

Reads group in the database and take a fixed number of queries whatever the number of actions.
Writes are atomic and audited, like `services.py`; they take the rows of a formset as `Change`s
and refuse (`services.ContractError`) rows of another action, impossible years, negative
amounts and a year twice where the model allows one a year. Actions themselves are saved by
`services.save_action` / `services.delete_action`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.models import Term

from . import caching, sectors, trajectory
from .models import (
    Action,
    ActionReduction,
    CapitalNeed,
    Contract,
    Funding,
    Indicator,
    Measurement,
)
from .services import ContractError

register_labels(
    {
        "contracts.indicators.saved": _l("Climate contract action indicators saved"),
        "contracts.measurements.saved": _l("Climate contract indicator values saved"),
        "contracts.capital_needs.saved": _l("Climate contract capital needs saved"),
        "contracts.funding.saved": _l("Climate contract funding saved"),
    }
)

ZERO = Decimal(0)
PER_PAGE = 50
TERMS_KEY = "contracts:portfolio-terms"


# --- the taxonomy ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TermRow:
    pk: int
    slug: str
    name: str


def terms() -> dict[str, list[TermRow]]:
    """{"field": [...], "lever": [...]} in their order (cached: terms rarely change)."""
    found = cache.get(TERMS_KEY)
    if found is None:
        found = {"field": [], "lever": []}
        rows = Term.objects.filter(kind__in=("field", "lever")).order_by("kind", "position", "name")
        for pk, kind, slug, name in rows.values_list("pk", "kind", "slug", "name"):
            found[kind].append(TermRow(pk, slug, name))
        cache.set(TERMS_KEY, found, 600)
    return found


# --- the table of actions --------------------------------------------------------------------

SORTS = {
    "title": ("title",),
    "field": ("field__position",),
    "lever": ("lever__position",),
    "status": ("status_rank",),  # in the order of a life: planned, in progress, delayed, done
    "starts": ("starts",),
    "ends": ("ends",),
    "expected": ("expected",),
    "capital": ("capital_cost",),
    "operating": ("operating_cost",),
}


@dataclass(frozen=True)
class Filters:
    """The table's choice, already checked (slugs and codes that exist; see the filter form)."""

    field: str = ""  # a field of action's slug, or "none"
    lever: str = ""  # a lever's slug, or "none"
    status: str = ""
    sector: str = ""  # actions with an expected reduction in this inventory sector
    q: str = ""
    sort: str = ""  # a key of SORTS, "-" first for descending


def expected_of_action() -> Subquery:
    """An action's expected reduction, t CO2e a year (the sum over its sectors)."""
    total = (
        ActionReduction.objects.filter(action=OuterRef("pk"))
        .order_by()
        .values("action")
        .annotate(total=Sum("tco2e"))
        .values("total")
    )
    return Coalesce(
        Subquery(total, output_field=DecimalField(max_digits=16, decimal_places=2)),
        Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def actions_of(contract: Contract) -> models.QuerySet[Action]:
    """The contract's actions with `expected` (t CO2e a year), field and lever."""
    return (
        Action.objects.filter(contract=contract)
        .select_related("field", "lever")
        .annotate(expected=expected_of_action())
    )


def _term_filter(name: str, slug: str) -> Q:
    if slug == "none":
        return Q(**{f"{name}__isnull": True})
    pk = next((t.pk for t in terms()[name] if t.slug == slug), None)
    return Q(**{f"{name}_id": pk}) if pk is not None else Q(pk__in=[])


def filtered(contract: Contract, filters: Filters) -> models.QuerySet[Action]:
    """The actions the table shows, in its order."""
    actions = actions_of(contract)
    if filters.field:
        actions = actions.filter(_term_filter("field", filters.field))
    if filters.lever:
        actions = actions.filter(_term_filter("lever", filters.lever))
    if filters.status:
        actions = actions.filter(status=filters.status)
    if filters.sector:
        actions = actions.filter(
            models.Exists(
                ActionReduction.objects.filter(
                    action=OuterRef("pk"), sector=filters.sector, tco2e__gt=0
                )
            )
        )
    if filters.q:
        actions = actions.filter(
            Q(title__icontains=filters.q)
            | Q(responsible__icontains=filters.q)
            | Q(description__icontains=filters.q)
        )
    key = filters.sort.lstrip("-")
    if key == "status":
        order = [Action.Status.PLANNED, Action.Status.IN_PROGRESS, Action.Status.DELAYED]
        actions = actions.annotate(
            status_rank=Case(
                *(When(status=code, then=Value(rank)) for rank, code in enumerate(order)),
                default=Value(len(order)),
            )
        )
    if key in SORTS:
        descending = filters.sort.startswith("-")
        order = [
            F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
            for name in SORTS[key]
        ]
        actions = actions.order_by(*order, "position", "id")
    else:
        actions = actions.order_by("position", "id")
    return actions


@dataclass
class Totals:
    count: int = 0
    expected: Decimal = ZERO
    capital: Decimal = ZERO
    operating: Decimal = ZERO


def totals_of(actions: models.QuerySet[Action]) -> Totals:
    """The totals row of the table, over all its pages (two queries)."""
    found = actions.order_by().aggregate(
        count=Count("pk"), capital=Sum("capital_cost"), operating=Sum("operating_cost")
    )
    expected = ActionReduction.objects.filter(action__in=actions.order_by().values("pk")).aggregate(
        total=Sum("tco2e")
    )["total"]
    return Totals(
        found["count"] or 0,
        expected or ZERO,
        found["capital"] or ZERO,
        found["operating"] or ZERO,
    )


@dataclass
class TablePage:
    actions: list[Action]
    totals: Totals
    number: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def table_page(contract: Contract, filters: Filters, page: object) -> TablePage:
    """One page of the table (50 actions) with the totals of all: three queries."""
    actions = filtered(contract, filters)
    totals = totals_of(actions)
    pages = max(1, -(-totals.count // PER_PAGE))
    try:
        number = min(max(1, int(str(page))), pages)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * PER_PAGE
    return TablePage(list(actions[start : start + PER_PAGE]), totals, number, pages)


# --- the matrix (B-1.1) ----------------------------------------------------------------------


@dataclass
class Cell:
    count: int = 0
    expected: Decimal = ZERO
    lever: TermRow | None = None  # the column's lever (None: no lever set)

    def add(self, count: int, expected: Decimal) -> None:
        self.count += count
        self.expected += expected


@dataclass
class MatrixRow:
    term: TermRow | None  # None: actions without a field of action
    cells: list[Cell]
    total: Cell


@dataclass
class Matrix:
    levers: list[TermRow | None]  # None: actions without a lever (a column only when some)
    rows: list[MatrixRow]
    column_totals: list[Cell]
    total: Cell


def matrix_of(contract: Contract) -> Matrix:
    """Fields of action × levers: the number of actions and their expected reduction (one
    query). Actions without a field or lever get a row or column of their own."""
    found: dict[tuple[int | None, int | None], Cell] = {}
    rows = (
        Action.objects.filter(contract=contract)
        .values("field_id", "lever_id")
        .annotate(count=Count("pk", distinct=True), expected=Sum("reductions__tco2e"))
        .order_by()
    )
    for row in rows:
        found[(row["field_id"], row["lever_id"])] = Cell(row["count"], row["expected"] or ZERO)
    taxonomy = terms()
    fields: list[TermRow | None] = list(taxonomy["field"])
    levers: list[TermRow | None] = list(taxonomy["lever"])
    known_fields = {t.pk for t in taxonomy["field"]}
    known_levers = {t.pk for t in taxonomy["lever"]}
    if any(f not in known_fields for f, _lever in found):
        fields.append(None)  # actions without a field of action
    if any(lv not in known_levers for _field, lv in found):
        levers.append(None)  # actions without a lever
    cells = {
        (f.pk if f else None, lv.pk if lv else None): Cell(lever=lv)
        for f in fields
        for lv in levers
    }
    for (f, lv), cell in found.items():
        key = (f if f in known_fields else None, lv if lv in known_levers else None)
        cells[key].add(cell.count, cell.expected)
    matrix_rows = []
    column_totals = [Cell(lever=lv) for lv in levers]
    total = Cell()
    for f in fields:
        row_cells = [cells[(f.pk if f else None, lv.pk if lv else None)] for lv in levers]
        row_total = Cell()
        for index, cell in enumerate(row_cells):
            row_total.add(cell.count, cell.expected)
            column_totals[index].add(cell.count, cell.expected)
        total.add(row_total.count, row_total.expected)
        matrix_rows.append(MatrixRow(f, row_cells, row_total))
    return Matrix(levers, matrix_rows, column_totals, total)


# --- the timeline ----------------------------------------------------------------------------

# The timeline is server-side SVG (x and width attributes; colours from CSS classes, since CSP
# forbids style attributes) beside a table of the same dates; each bar says its status in text.
LABEL_WIDTH, CHART_WIDTH, ROW_HEIGHT, AXIS_HEIGHT = 260, 620, 30, 30
STATUS_WIDTH = 120


def _n(value: float) -> str:
    """A coordinate for an SVG attribute, never localised ("12.5")."""
    return f"{value:.1f}".removesuffix(".0")


@dataclass
class Bar:
    action: Action
    label: str  # the title, shortened to fit
    x: str
    width: str
    y: str  # the bar's top
    text_y: str  # the baseline of the row's texts


@dataclass
class Timeline:
    bars: list[Bar]
    undated: list[Action]
    ticks: list[tuple[str, str]] = dataclass_field(default_factory=list)  # (year, x)
    width: str = _n(LABEL_WIDTH + CHART_WIDTH + STATUS_WIDTH)
    height: str = "0"
    state_x: str = _n(LABEL_WIDTH + CHART_WIDTH + 6)
    first: int | None = None
    last: int | None = None


def _fraction(day: dt.date) -> float:
    """A date as a year with its fraction (1 July 2027 → about 2027.5)."""
    return day.year + (day - dt.date(day.year, 1, 1)).days / 365.25


def timeline_of(contract: Contract) -> Timeline:
    """Actions with a start and an end on a scale of years (the end year's end included);
    the others listed apart (one query)."""
    actions = list(
        Action.objects.filter(contract=contract)
        .only("pk", "title", "status", "starts", "ends", "contract_id")
        .order_by(F("starts").asc(nulls_last=True), "ends", "position", "id")
    )
    dated = [a for a in actions if a.starts and a.ends]
    undated = [a for a in actions if not (a.starts and a.ends)]
    if not dated:
        return Timeline([], undated)
    first = min(a.starts.year for a in dated)
    last = max(a.ends.year for a in dated) + 1
    span = last - first
    scale = CHART_WIDTH / span

    def x_of(value: float) -> float:
        return LABEL_WIDTH + (value - first) * scale

    bars = []
    for index, action in enumerate(dated):
        x = x_of(_fraction(action.starts))
        end = x_of(_fraction(action.ends + dt.timedelta(days=1)))
        top = AXIS_HEIGHT + index * ROW_HEIGHT
        title = action.title if len(action.title) <= 34 else action.title[:33] + "…"
        bars.append(Bar(action, title, _n(x), _n(max(2.0, end - x)), _n(top + 6), _n(top + 19)))
    step = 1 if span <= 15 else 5 if span <= 50 else 10
    ticks = [
        (str(year), _n(x_of(year))) for year in range(first, last + 1) if (year - first) % step == 0
    ]
    height = _n(AXIS_HEIGHT + len(bars) * ROW_HEIGHT + 10)
    return Timeline(bars, undated, ticks, height=height, first=first, last=last - 1)


# --- the investment plan (C-3) ---------------------------------------------------------------


@dataclass
class Money:
    """Capital needs and funding of a year, a field of action or an action (EUR)."""

    needs: Decimal = ZERO
    secured: Decimal = ZERO
    expected: Decimal = ZERO
    named_gap: Decimal = ZERO  # funding rows marked "gap" (a source named, not found yet)

    @property
    def gap(self) -> Decimal:
        """Needs not covered by secured or expected funding; negative is a surplus."""
        return self.needs - self.secured - self.expected

    @property
    def surplus(self) -> Decimal:
        return -self.gap if self.gap < 0 else ZERO

    def add_funding(self, status: str, amount: Decimal) -> None:
        if status == Funding.Status.SECURED:
            self.secured += amount
        elif status == Funding.Status.EXPECTED:
            self.expected += amount
        else:
            self.named_gap += amount


@dataclass
class Plan:
    years: dict[int, Money]
    fields: list[tuple[TermRow | None, Money]]
    sources: list[tuple[str, list[Decimal], Decimal]]  # label, by status (in order), total
    actions: list[tuple[dict[str, Any], Money]]
    total: Money

    def chart(self) -> dict[str, Any]:
        """The chart's data (json_script): per year, needs and funding by status."""
        years = sorted(self.years)
        return {
            "labels": [str(y) for y in years],
            "needs": [float(self.years[y].needs) for y in years],
            "secured": [float(self.years[y].secured) for y in years],
            "expected": [float(self.years[y].expected) for y in years],
            "gap": [float(max(ZERO, self.years[y].gap)) for y in years],
            "names": {
                "needs": str(_("Capital needs")),
                "secured": str(_("Funding secured")),
                "expected": str(_("Funding expected")),
                "gap": str(_("Funding gap")),
            },
        }


def plan_of(contract: Contract) -> Plan:
    """The investment plan, grouped in the database: capital needs by year and action, funding
    by year, action, source and status, and the actions' titles (three queries)."""
    by_year: dict[int, Money] = defaultdict(Money)
    by_field: dict[int | None, Money] = defaultdict(Money)
    by_action: dict[int, Money] = defaultdict(Money)
    total = Money()
    sources: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    actions = list(
        Action.objects.filter(contract=contract)
        .order_by("position", "id")
        .values("pk", "title", "field_id")
    )
    field_of = {a["pk"]: a["field_id"] for a in actions}
    needs = (
        CapitalNeed.objects.filter(action__contract=contract)
        .values_list("year", "action_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for year, action_id, amount in needs:
        for money in (by_year[year], by_field[field_of.get(action_id)], by_action[action_id]):
            money.needs += amount
        total.needs += amount
    funding = (
        Funding.objects.filter(action__contract=contract)
        .values_list("year", "action_id", "source", "status")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for year, action_id, source, status, amount in funding:
        for money in (by_year[year], by_field[field_of.get(action_id)], by_action[action_id]):
            money.add_funding(status, amount)
        total.add_funding(status, amount)
        sources[source][status] += amount
    known = terms()["field"]
    fields: list[tuple[TermRow | None, Money]] = [(t, by_field[t.pk]) for t in known]
    if None in by_field or set(by_field) - {t.pk for t in known} - {None}:
        other = Money()
        for pk, money in by_field.items():
            if pk is None or pk not in {t.pk for t in known}:
                other.needs += money.needs
                other.secured += money.secured
                other.expected += money.expected
                other.named_gap += money.named_gap
        fields.append((None, other))
    source_rows = [
        (
            str(label),
            [sources[code][status] for status in Funding.Status.values],
            sum(sources[code].values(), ZERO),
        )
        for code, label in Funding.Source.choices
        if code in sources
    ]
    return Plan(
        dict(sorted(by_year.items())),
        fields,
        source_rows,
        [(a, by_action[a["pk"]]) for a in actions if a["pk"] in by_action],
        total,
    )


def money_of(
    needs: Iterable[CapitalNeed], funding: Iterable[Funding]
) -> tuple[dict[int, Money], Money]:
    """One action's capital needs and funding per year and in all, from its rows."""
    years: dict[int, Money] = defaultdict(Money)
    total = Money()
    for need in needs:
        years[need.year].needs += need.amount
        total.needs += need.amount
    for row in funding:
        years[row.year].add_funding(row.status, row.amount)
        total.add_funding(row.status, row.amount)
    return dict(sorted(years.items())), total


# --- an action's page ------------------------------------------------------------------------


def action_for(contract: Contract, pk: int) -> Action | None:
    """The contract's action `pk` (None for a missing one and another contract's alike)."""
    return (
        Action.objects.filter(contract=contract, pk=pk)
        .select_related("field", "lever")
        .annotate(expected=expected_of_action())
        .first()
    )


def indicators_of(action: Action) -> list[Indicator]:
    """The action's indicators with their measured values (two queries)."""
    return list(action.indicators.prefetch_related("measurements").order_by("id"))


def reductions_of(action: Action) -> dict[str, Decimal]:
    return dict(action.reductions.values_list("sector", "tco2e"))


# --- the public summary's part ---------------------------------------------------------------


def summary_context(contract: Contract) -> dict[str, Any]:
    """What `contracts/_portfolio_summary.html` shows (read-only, for the public summary):

    - `portfolio_matrix`: a `Matrix` (fields × levers, counts and expected reductions);
    - `portfolio_actions`: every action (title, field, lever, status, `expected` t CO2e a year),
      in the portfolio's order;
    - `portfolio_total`: the sum of the expected reductions.

    Three queries (two when the taxonomy is cached). No links into the workspace."""
    matrix = matrix_of(contract)
    actions = list(actions_of(contract).order_by("position", "id"))
    return {
        "portfolio_matrix": matrix,
        "portfolio_actions": actions,
        "portfolio_total": matrix.total.expected,
    }


# --- writes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One row of a formset: `pk` None for a new row; `delete` removes the row `pk`."""

    pk: int | None
    values: Mapping[str, Any]
    delete: bool = False


def _year(value: Any) -> None:
    if not isinstance(value, int) or not trajectory.FIRST_YEAR <= value <= trajectory.LAST_YEAR:
        raise ContractError(
            _("A year is between %(first)s and %(last)s.")
            % {"first": trajectory.FIRST_YEAR, "last": trajectory.LAST_YEAR}
        )


def _amount(value: Any, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise ContractError(_("Amounts are numbers, zero or more."))


def _apply(
    model: type[models.Model],
    existing: Iterable[models.Model],
    changes: Sequence[Change],
    *,
    parent: Mapping[str, Any],
    check: Callable[[Mapping[str, Any]], None],
    unique: Callable[[Mapping[str, Any]], Any] | None = None,
    duplicate: str = "",
) -> dict[str, int]:
    """Apply a formset's rows to `existing` (the rows of one parent): add, change, remove.
    Rows of another parent are refused; with `unique`, the rows left may not share a key."""
    rows = {obj.pk: obj for obj in existing}
    if any(c.pk is not None and c.pk not in rows for c in changes):
        raise ContractError(_("A row does not belong to this action; reload the page."))
    for change in changes:
        if not change.delete:  # a change is checked as the row it makes
            current = _current(rows[change.pk]) if change.pk is not None else {}
            check({**current, **change.values})
    removed = {c.pk for c in changes if c.delete and c.pk is not None}
    changed = {c.pk: c for c in changes if c.pk is not None and not c.delete}
    added = [c for c in changes if c.pk is None and not c.delete]
    if unique is not None:
        keys = [
            unique({**_current(obj), **(changed[pk].values if pk in changed else {})})
            for pk, obj in rows.items()
            if pk not in removed
        ]
        keys += [unique(c.values) for c in added]
        if len(keys) != len(set(keys)):
            raise ContractError(duplicate)
    if unique is not None:
        # Changed rows are written again under their ids (a key may move to another row).
        model.objects.filter(pk__in=removed | set(changed)).delete()
        model.objects.bulk_create(
            model(pk=pk, **{**_current(rows[pk]), **c.values, **parent})
            for pk, c in changed.items()
        )
    else:
        model.objects.filter(pk__in=removed).delete()
        updated = []
        for pk, change in changed.items():
            obj = rows[pk]
            for name, value in change.values.items():
                setattr(obj, name, value)
            updated.append(obj)
        fields = sorted({name for c in changed.values() for name in c.values})
        if updated and fields:
            model.objects.bulk_update(updated, fields)
    model.objects.bulk_create(model(**c.values, **parent) for c in added)
    return {"added": len(added), "changed": len(changed), "removed": len(removed)}


def _names(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def _current(obj: models.Model) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in _names(type(obj))}


def _locked(action: Action) -> Action:
    """The action's row locked for the write (writes of one action take turns)."""
    found = Action.objects.select_for_update().filter(pk=action.pk).first()
    if found is None:
        raise ContractError(_("This action has been deleted."))
    return found


def _log(code: str, action: Action, counts: dict[str, int], actor: Any) -> None:
    """Audit a write of the action's rows, and bump its contract's version (`_apply` writes
    with bulk_create and bulk_update, which send no signals)."""
    caching.contract_changed(action.contract_id)
    contract = action.contract
    log_action(
        code,
        actor=actor,
        target=contract,
        city=contract.city,
        data={"action": action.pk, "title": action.title, **counts},
    )


@transaction.atomic
def save_indicators(action: Action, changes: Sequence[Change], *, actor: Any) -> dict[str, int]:
    """Add, change and remove the action's indicators (name, unit, 2025/2027/2030 targets);
    removing one removes its measured values."""
    _locked(action)

    def check(values: Mapping[str, Any]) -> None:
        if not str(values.get("name") or "").strip():
            raise ContractError(_("An indicator needs a name."))
        for name in ("target_2025", "target_2027", "target_2030"):
            value = values.get(name)
            if value is not None and (not isinstance(value, Decimal) or not value.is_finite()):
                raise ContractError(_("Targets are numbers."))

    counts = _apply(
        Indicator,
        Indicator.objects.filter(action=action),
        changes,
        parent={"action_id": action.pk},
        check=check,
    )
    _log("contracts.indicators.saved", action, counts, actor)
    return counts


@transaction.atomic
def save_measurements(action: Action, changes: Sequence[Change], *, actor: Any) -> dict[str, int]:
    """Add, change and remove measured values (indicator, year, value) of the action's
    indicators; one value per indicator and year."""
    _locked(action)
    indicators = set(Indicator.objects.filter(action=action).values_list("pk", flat=True))

    def check(values: Mapping[str, Any]) -> None:
        if values.get("indicator_id") not in indicators:
            raise ContractError(_("Choose one of this action's indicators."))
        _year(values.get("year"))
        value = values.get("value")
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ContractError(_("A measured value is a number."))

    counts = _apply(
        Measurement,
        Measurement.objects.filter(indicator__action=action),
        changes,
        parent={},
        check=check,
        unique=lambda v: (v["indicator_id"], v["year"]),
        duplicate=_("An indicator has one measured value a year."),
    )
    _log("contracts.measurements.saved", action, counts, actor)
    return counts


@transaction.atomic
def save_capital_needs(action: Action, changes: Sequence[Change], *, actor: Any) -> dict[str, int]:
    """Add, change and remove the action's capital needs (year, amount in EUR); one a year."""
    _locked(action)

    def check(values: Mapping[str, Any]) -> None:
        _year(values.get("year"))
        _amount(values.get("amount"))

    counts = _apply(
        CapitalNeed,
        CapitalNeed.objects.filter(action=action),
        changes,
        parent={"action_id": action.pk},
        check=check,
        unique=lambda v: v["year"],
        duplicate=_("An action has one capital need a year: add the amounts up."),
    )
    _log("contracts.capital_needs.saved", action, counts, actor)
    return counts


@transaction.atomic
def save_funding(action: Action, changes: Sequence[Change], *, actor: Any) -> dict[str, int]:
    """Add, change and remove the action's funding rows (year, source, status, amount, note)."""
    _locked(action)

    def check(values: Mapping[str, Any]) -> None:
        _year(values.get("year"))
        _amount(values.get("amount"))
        if values.get("source") not in Funding.Source.values:
            raise ContractError(_("Choose a funding source from the list."))
        if values.get("status") not in Funding.Status.values:
            raise ContractError(_("Choose a funding status from the list."))

    counts = _apply(
        Funding,
        Funding.objects.filter(action=action),
        changes,
        parent={"action_id": action.pk},
        check=check,
    )
    _log("contracts.funding.saved", action, counts, actor)
    return counts


def sector_labels() -> list[tuple[str, str]]:
    return [(s.code, str(s.label)) for s in sectors.SECTORS]

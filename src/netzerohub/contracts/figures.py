"""The key figures of a workspace, read from the database in a fixed number of queries: the
inventory's totals per year and sector, the portfolio's expected reductions per sector, the gap
(`trajectory.gaps`), the capital needs and funding per year. A submitted version stores them, so
the history compares versions without recomputing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from . import sectors, trajectory
from .models import ActionReduction, CapitalNeed, Contract, Emission, Funding


@dataclass
class Figures:
    settings: trajectory.Settings | None
    years: dict[int, trajectory.Totals]  # inventory totals per year
    expected_by_sector: dict[str, Decimal]
    gap: trajectory.GapReport | None  # None without settings or a baseline inventory
    capital_by_year: dict[int, Decimal]
    funding_by_year: dict[int, dict[str, Decimal]]  # year → {status: amount}

    @property
    def baseline(self) -> trajectory.Totals | None:
        if self.settings is None:
            return None
        return self.years.get(self.settings.baseline_year)

    @property
    def expected(self) -> Decimal:
        return sum(self.expected_by_sector.values(), Decimal(0))

    def funding_gap_by_year(self) -> dict[int, Decimal]:
        """Capital needs not covered by secured or expected funding, per year (never below 0)."""
        years = sorted({*self.capital_by_year, *self.funding_by_year})
        gaps = {}
        for year in years:
            found = self.funding_by_year.get(year, {})
            covered = found.get("secured", Decimal(0)) + found.get("expected", Decimal(0))
            gaps[year] = max(Decimal(0), self.capital_by_year.get(year, Decimal(0)) - covered)
        return gaps

    def as_json(self) -> dict[str, Any]:
        """The figures a version keeps (amounts as strings, exact)."""
        gap = self.gap
        return {
            "baseline_year": self.settings.baseline_year if self.settings else None,
            "target_year": self.settings.target_year if self.settings else None,
            "years": {
                str(year): {
                    "gross": str(t.gross),
                    "removals": str(t.removals),
                    "by_sector": {k: str(v) for k, v in t.gross_by_sector.items()},
                }
                for year, t in sorted(self.years.items())
            },
            "expected": str(self.expected),
            "expected_by_sector": {k: str(v) for k, v in self.expected_by_sector.items()},
            "required": str(gap.overall.required) if gap else None,
            "gap": str(gap.overall.gap) if gap else None,
            "capital": str(sum(self.capital_by_year.values(), Decimal(0))),
            "funding_gap": str(sum(self.funding_gap_by_year().values(), Decimal(0))),
        }


def figures_of(contract: Contract) -> Figures:
    """Four queries, whatever the number of years, rows and actions."""
    years: dict[int, list[trajectory.Line]] = defaultdict(list)
    rows = (
        Emission.objects.filter(inventory_year__contract=contract)
        .values_list("inventory_year__year", "subsector", "scope", "tco2e", "removal")
        .order_by()
    )
    for year, subsector, scope, tco2e, removal in rows:
        years[year].append(trajectory.Line(sectors.sector_of(subsector), scope, tco2e, removal))
    totals = {year: trajectory.totals(lines) for year, lines in sorted(years.items())}
    expected = dict(
        ActionReduction.objects.filter(action__contract=contract)
        .values_list("sector")
        .annotate(total=Sum("tco2e"))
        .order_by()
    )
    capital = dict(
        CapitalNeed.objects.filter(action__contract=contract)
        .values_list("year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    funding: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for year, status, amount in (
        Funding.objects.filter(action__contract=contract)
        .values_list("year", "status")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        funding[year][status] = amount
    settings = contract.trajectory_settings()
    baseline = totals.get(settings.baseline_year) if settings else None
    gap = (
        trajectory.gaps(baseline.gross_by_sector, expected, settings)
        if settings is not None and baseline is not None
        else None
    )
    return Figures(settings, totals, expected, gap, capital, dict(funding))

"""The numbers of the trajectory page's charts and tables, built once from the key figures
(`figures.figures_of`, no query of its own) so that the chart (static/contracts/trajectory.js,
reading the `json_script` island) and the table beside it always show the same numbers. The
public summary includes the same partial (`contracts/_trajectory.html`) with the same context.

The lines, in t CO2e a year (definitions in `trajectory`'s docstring):

- **inventory**: the net emissions (gross − removals) of every inventory year;
- **straight path**: from the baseline's gross emissions down to the residual emissions in the
  target year, in equal steps;
- **minimum reduction**: the most residual emissions a city may offset (20 % of the baseline,
  i.e. a reduction of at least 80 %), flat over the years;
- **business as usual**: the baseline changed by the assumed yearly rate;
- **with the portfolio**: business as usual minus the portfolio's expected annual reductions,
  phased in evenly from the baseline year to the target year (never below zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from . import sectors, trajectory
from .figures import Figures
from .models import Contract


def tonnes(value: Decimal | None) -> float | None:
    """A JSON number for the chart: whole tonnes."""
    return None if value is None else float(round(value, 0))


@dataclass(frozen=True)
class Row:
    year: int
    gross: Decimal | None
    removals: Decimal | None
    net: Decimal | None
    path: Decimal | None
    minimum: Decimal | None
    bau: Decimal | None
    portfolio: Decimal | None


@dataclass(frozen=True)
class SectorRow:
    code: str
    label: str
    baseline: Decimal
    required: Decimal
    expected: Decimal
    gap: Decimal


def missing(contract: Contract, figures: Figures) -> list[str]:
    """What the trajectory still needs, in words (empty when it can be drawn)."""
    found = []
    if contract.baseline_year is None:
        found.append("baseline_year")
    if contract.target_year is None:
        found.append("target_year")
    if figures.settings is not None and figures.baseline is None:
        found.append("baseline_inventory")
    return found


def trajectory_data(contract: Contract, figures: Figures) -> dict[str, Any] | None:
    """The rows of the trajectory table, the per-sector gap rows and the chart's JSON (None when
    the baseline year, the target year or the baseline inventory is missing)."""
    settings = figures.settings
    baseline = figures.baseline
    if settings is None or baseline is None or figures.gap is None:
        return None
    base = baseline.gross
    expected = figures.expected
    first = min([settings.baseline_year, *figures.years])
    last = max([settings.target_year, *figures.years])
    path = dict(trajectory.straight_path(base, settings))
    span = settings.target_year - settings.baseline_year
    minimum = base * trajectory.MAX_RESIDUAL_SHARE
    rows = []
    for year in range(first, last + 1):
        totals = figures.years.get(year)
        in_plan = settings.baseline_year <= year <= settings.target_year
        bau = trajectory.bau(base, settings, year) if in_plan else None
        portfolio = None
        if bau is not None:
            share = Decimal(year - settings.baseline_year) / span
            portfolio = max(Decimal(0), bau - expected * share)
        rows.append(
            Row(
                year,
                totals.gross if totals else None,
                totals.removals if totals else None,
                totals.net if totals else None,
                path.get(year),
                minimum if in_plan else None,
                bau,
                portfolio,
            )
        )
    sector_rows = [
        SectorRow(s.code, str(s.label), g.baseline, g.required, g.expected, g.gap)
        for s in sectors.SECTORS
        if (g := figures.gap.sectors.get(s.code)) is not None
    ]
    overall = figures.gap.overall
    chart = {
        "years": [row.year for row in rows],
        "lines": [
            {"key": "inventory", "label": _("Inventory (net)"), "values": [], "points": True},
            {"key": "path", "label": _("Straight path to the target"), "values": []},
            {"key": "minimum", "label": _("At most 20 % residual emissions"), "values": []},
            {"key": "bau", "label": _("Business as usual"), "values": []},
            {"key": "portfolio", "label": _("With the portfolio"), "values": []},
        ],
        "sectors": {
            "labels": [row.label for row in sector_rows],
            "bars": [
                {
                    "key": "required",
                    "label": _("Required reduction"),
                    "values": [tonnes(r.required) for r in sector_rows],
                },
                {
                    "key": "expected",
                    "label": _("Expected reductions"),
                    "values": [tonnes(r.expected) for r in sector_rows],
                },
                {
                    "key": "gap",
                    "label": _("Gap"),
                    "values": [tonnes(r.gap) for r in sector_rows],
                },
            ],
        },
        "unit": _("t CO2e a year"),
    }
    for line in chart["lines"]:
        attribute = "net" if line["key"] == "inventory" else line["key"]
        line["values"] = [tonnes(getattr(row, attribute)) for row in rows]
    return {
        "rows": rows,
        "sectors": sector_rows,
        "overall": overall,
        "settings": settings,
        "minimum": minimum,
        "chart": chart,
        "summary": _(
            "Net emissions %(first)s–%(last)s against the straight path from %(base)s t in "
            "%(baseline)s to %(residual)s t in %(target)s; business as usual %(bau)s t and with "
            "the portfolio %(with)s t in %(target)s."
        )
        % {
            "first": first,
            "last": last,
            "base": f"{tonnes(base):,.0f}",
            "baseline": settings.baseline_year,
            "residual": f"{tonnes(overall.residual):,.0f}",
            "target": settings.target_year,
            "bau": f"{tonnes(overall.bau):,.0f}",
            "with": f"{tonnes(max(Decimal(0), overall.bau - expected)):,.0f}",
        },
    }

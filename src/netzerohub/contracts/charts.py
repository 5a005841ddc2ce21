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

from dataclasses import dataclass, replace
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


def trajectory_data(
    contract: Contract, figures: Figures, *, portfolio: bool = True
) -> dict[str, Any] | None:
    """The rows of the trajectory table, the per-sector gap rows and the chart's JSON (None when
    the baseline year, the target year or the baseline inventory is missing). With
    `portfolio=False` (a public summary whose portfolio is not published) nothing of the
    portfolio is in it: no "with the portfolio" line, no expected reductions, no gap."""
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
        with_portfolio = None
        if bau is not None:
            share = Decimal(year - settings.baseline_year) / span
            with_portfolio = max(Decimal(0), bau - expected * share)
        rows.append(
            Row(
                year,
                totals.gross if totals else None,
                totals.removals if totals else None,
                totals.net if totals else None,
                path.get(year),
                minimum if in_plan else None,
                bau,
                with_portfolio,
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
    if not portfolio:
        chart["lines"] = [line for line in chart["lines"] if line["key"] != "portfolio"]
        chart["sectors"]["bars"] = chart["sectors"]["bars"][:1]
        rows = [replace(row, portfolio=None) for row in rows]
        sector_rows = [replace(row, expected=Decimal(0), gap=row.required) for row in sector_rows]
        overall = replace(overall, expected=Decimal(0))
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
        "portfolio": portfolio,
        "summary": summary(settings, first, last, base, overall, expected if portfolio else None),
    }


def summary(
    settings: trajectory.Settings,
    first: int,
    last: int,
    base: Decimal,
    overall: trajectory.Gap,
    expected: Decimal | None,
) -> str:
    """The chart in one sentence (its accessible name and caption)."""
    numbers = {
        "first": first,
        "last": last,
        "base": f"{tonnes(base):,.0f}",
        "baseline": settings.baseline_year,
        "residual": f"{tonnes(overall.residual):,.0f}",
        "target": settings.target_year,
        "bau": f"{tonnes(overall.bau):,.0f}",
    }
    text = (
        _(
            "Net emissions %(first)s–%(last)s against the straight path from %(base)s t in "
            "%(baseline)s to %(residual)s t in %(target)s; business as usual %(bau)s t in "
            "%(target)s."
        )
        % numbers
    )
    if expected is not None:
        text += " " + _("With the portfolio: %(with)s t in %(target)s.") % {
            "with": f"{tonnes(max(Decimal(0), overall.bau - expected)):,.0f}",
            "target": settings.target_year,
        }
    return text

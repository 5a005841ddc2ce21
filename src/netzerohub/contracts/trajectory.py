"""The arithmetic of the trajectory and the emissions gap (the Climate City Contract template's
A-2.3), kept apart from storage so that every figure can be checked by hand.

Definitions (all emissions in t CO2e a year; "gross" leaves removals out):

- **Baseline**: the gross emissions of the baseline year, per sector.
- **Business as usual (BAU)** in year *y*: the baseline changed by the city's assumed annual
  rate, compounded: ``baseline × (1 + rate) ** (y − baseline year)``.
- **Residual emissions**: what the city plans to offset in the target year, a share of the
  baseline of at most 20 % (climate neutrality needs a reduction of at least 80 %).
- **Straight path**: from the baseline in the baseline year to the residual emissions in the
  target year, in equal yearly steps.
- **Required reduction** by the target year: ``BAU(target year) − residual``, never below zero.
- **Expected reduction**: the sum of the portfolio's expected annual reductions.
- **Gap**: ``required − expected``; zero or less means the portfolio closes it (a negative gap
  is a surplus).

Per sector the same rules apply with the sector's baseline, BAU and residual share; the overall
figures are computed from the totals (so the overall required reduction is that of the total,
not the sum of per-sector figures clipped at zero).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

MAX_RESIDUAL_SHARE = Decimal("0.20")
MIN_REDUCTION_SHARE = 1 - MAX_RESIDUAL_SHARE  # 80 %
FIRST_YEAR, LAST_YEAR = 1990, 2100  # inventories and targets outside these are refused
MISSION_TARGET_YEAR, LATEST_TARGET_YEAR = 2030, 2050


class TrajectoryError(ValueError):
    """Settings that make no trajectory; the message is shown as it is."""


@dataclass(frozen=True)
class Settings:
    baseline_year: int
    target_year: int
    residual_share: Decimal = MAX_RESIDUAL_SHARE
    bau_annual_change: Decimal = Decimal(0)  # 0.01 for +1 % a year, -0.005 for -0.5 %


def check(settings: Settings, *, mission_city: bool = False) -> None:
    """Refuse impossible settings with a message (the forms and the import show it)."""
    bounds = {"first": FIRST_YEAR, "last": LAST_YEAR}
    if not FIRST_YEAR <= settings.baseline_year <= LAST_YEAR:
        raise TrajectoryError(
            _("The baseline year must be between %(first)s and %(last)s.") % bounds
        )
    if not FIRST_YEAR <= settings.target_year <= LAST_YEAR:
        raise TrajectoryError(_("The target year must be between %(first)s and %(last)s.") % bounds)
    if settings.target_year <= settings.baseline_year:
        raise TrajectoryError(_("The target year must come after the baseline year."))
    latest = MISSION_TARGET_YEAR if mission_city else LATEST_TARGET_YEAR
    if settings.target_year > latest:
        raise TrajectoryError(
            _("The target year can be %(year)s at the latest.") % {"year": latest}
        )
    if not Decimal(0) <= settings.residual_share <= MAX_RESIDUAL_SHARE:
        raise TrajectoryError(
            _("Residual emissions offset can be at most 20 % of the baseline emissions.")
        )
    if settings.bau_annual_change <= Decimal(-1):
        raise TrajectoryError(
            _("A business-as-usual change of −100 % a year or less is impossible.")
        )


def bau(baseline: Decimal, settings: Settings, year: int) -> Decimal:
    return baseline * (1 + settings.bau_annual_change) ** (year - settings.baseline_year)


def residual(baseline: Decimal, settings: Settings) -> Decimal:
    return baseline * settings.residual_share


def straight_path(baseline: Decimal, settings: Settings) -> list[tuple[int, Decimal]]:
    """[(year, emissions)] from the baseline year to the target year, in equal steps down to the
    residual emissions."""
    end = residual(baseline, settings)
    span = settings.target_year - settings.baseline_year
    step = (baseline - end) / span
    return [(settings.baseline_year + n, baseline - step * n) for n in range(span + 1)]


def bau_path(baseline: Decimal, settings: Settings) -> list[tuple[int, Decimal]]:
    years = range(settings.baseline_year, settings.target_year + 1)
    return [(year, bau(baseline, settings, year)) for year in years]


@dataclass(frozen=True)
class Gap:
    baseline: Decimal
    bau: Decimal  # in the target year
    residual: Decimal
    required: Decimal
    expected: Decimal

    @property
    def gap(self) -> Decimal:
        return self.required - self.expected

    @property
    def closed(self) -> bool:
        return self.gap <= 0

    @property
    def share_covered(self) -> Decimal | None:
        """How much of the required reduction the portfolio covers (1 = all); None if nothing
        is required."""
        return self.expected / self.required if self.required else None


def gap_of(baseline: Decimal, expected: Decimal, settings: Settings) -> Gap:
    in_target_year = bau(baseline, settings, settings.target_year)
    rest = residual(baseline, settings)
    required = max(Decimal(0), in_target_year - rest)
    return Gap(baseline, in_target_year, rest, required, expected)


@dataclass(frozen=True)
class GapReport:
    overall: Gap
    sectors: dict[str, Gap]  # by sector code, every sector with a baseline or a reduction


def gaps(
    baseline_by_sector: Mapping[str, Decimal],
    expected_by_sector: Mapping[str, Decimal],
    settings: Settings,
) -> GapReport:
    """The gap overall and per sector, from the baseline's gross emissions per sector and the
    portfolio's expected annual reductions per sector."""
    codes = list(dict.fromkeys([*baseline_by_sector, *expected_by_sector]))
    sectors = {
        code: gap_of(
            Decimal(baseline_by_sector.get(code, 0)),
            Decimal(expected_by_sector.get(code, 0)),
            settings,
        )
        for code in codes
    }
    overall = gap_of(
        sum((Decimal(v) for v in baseline_by_sector.values()), Decimal(0)),
        sum((Decimal(v) for v in expected_by_sector.values()), Decimal(0)),
        settings,
    )
    return GapReport(overall, sectors)


@dataclass(frozen=True)
class Line:
    """One row of an inventory: a sub-sector's emissions of one scope (removals as positive
    amounts with `removal` set)."""

    sector: str
    scope: int
    tco2e: Decimal
    removal: bool = False


@dataclass(frozen=True)
class Totals:
    gross_by_sector: dict[str, Decimal]
    gross: Decimal
    removals: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.removals


def totals(lines: Iterable[Line]) -> Totals:
    """Gross emissions per sector and in all, and the removals, of one inventory year."""
    by_sector: dict[str, Decimal] = {}
    removals = Decimal(0)
    for line in lines:
        if line.removal:
            removals += line.tco2e
        else:
            by_sector[line.sector] = by_sector.get(line.sector, Decimal(0)) + line.tco2e
    return Totals(by_sector, sum(by_sector.values(), Decimal(0)), removals)

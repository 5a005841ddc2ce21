"""The trajectory and gap arithmetic against cases computed by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from netzerohub.contracts import sectors, trajectory
from netzerohub.contracts.trajectory import Line, Settings, TrajectoryError

BASE = Settings(baseline_year=2020, target_year=2030, residual_share=D("0.20"))


def test_the_straight_path_runs_in_equal_steps_down_to_the_residual():
    # 1,000 t in 2020 to 20 % (200 t) in 2030: 80 t less each year.
    path = trajectory.straight_path(D(1000), BASE)
    assert path[0] == (2020, D(1000))
    assert path[1] == (2021, D(920))
    assert path[5] == (2025, D(600))
    assert path[-1] == (2030, D(200))
    assert len(path) == 11


def test_business_as_usual_compounds_the_annual_change():
    grows = Settings(2020, 2030, D("0.20"), bau_annual_change=D("0.10"))
    # 1,000 × 1.1² = 1,210 in 2022.
    assert trajectory.bau(D(1000), grows, 2022) == D("1210.00")
    assert trajectory.bau_path(D(1000), grows)[0] == (2020, D(1000))


def test_the_gap_is_the_required_reduction_less_the_portfolio():
    # BAU flat: 1,000 t in 2030; residual 20 % = 200 t; required 800 t; portfolio 650 t: gap 150 t.
    gap = trajectory.gap_of(D(1000), D(650), BASE)
    assert (gap.bau, gap.residual, gap.required, gap.gap) == (D(1000), D(200), D(800), D(150))
    assert not gap.closed
    assert gap.share_covered == D("0.8125")


def test_a_growing_bau_and_a_smaller_residual_raise_what_is_required():
    settings = Settings(2020, 2030, D("0.10"), bau_annual_change=D("0.01"))
    gap = trajectory.gap_of(D(1000), D(900), settings)
    # BAU 2030 = 1,000 × 1.01^10 = 1,104.622…; residual 100; required 1,004.622…; gap 104.622…
    assert gap.bau.quantize(D("0.001")) == D("1104.622")
    assert gap.required.quantize(D("0.001")) == D("1004.622")
    assert gap.gap.quantize(D("0.001")) == D("104.622")


def test_a_portfolio_beyond_the_requirement_closes_the_gap_with_a_surplus():
    gap = trajectory.gap_of(D(1000), D(850), BASE)
    assert gap.gap == D(-50) and gap.closed


def test_nothing_is_required_when_bau_falls_below_the_residual():
    falling = Settings(2020, 2030, D("0.20"), bau_annual_change=D("-0.5"))
    gap = trajectory.gap_of(D(1000), D(0), falling)
    assert gap.required == 0 and gap.closed and gap.share_covered is None


def test_gaps_per_sector_and_overall():
    report = trajectory.gaps(
        {"stationary": D(600), "transportation": D(400)},
        {"stationary": D(500), "transportation": D(100), "waste": D(10)},
        BASE,
    )
    # Stationary: required 480, expected 500: surplus 20. Transport: required 320, expected
    # 100: gap 220. Waste: no baseline, required 0, 10 expected. Overall: 800 − 610 = 190.
    assert report.sectors["stationary"].gap == D(-20)
    assert report.sectors["transportation"].gap == D(220)
    assert report.sectors["waste"].required == 0
    assert report.overall.required == D(800)
    assert report.overall.gap == D(190)


def test_totals_keep_removals_apart():
    lines = [
        Line("stationary", 1, D(300)),
        Line("stationary", 2, D(200)),
        Line("transportation", 1, D(250)),
        Line("afolu", 1, D(40), removal=True),
    ]
    totals = trajectory.totals(lines)
    assert totals.gross_by_sector == {"stationary": D(500), "transportation": D(250)}
    assert (totals.gross, totals.removals, totals.net) == (D(750), D(40), D(710))


@pytest.mark.parametrize(
    ("settings", "mission", "message"),
    [
        (Settings(1980, 2030), False, "baseline year must be between 1990"),
        (Settings(2020, 2101), False, "target year must be between"),
        (Settings(2020, 2020), False, "after the baseline year"),
        (Settings(2020, 2031), True, "2030 at the latest"),
        (Settings(2020, 2051), False, "2050 at the latest"),
        (Settings(2020, 2030, D("0.21")), False, "at most 20 %"),
        (Settings(2020, 2030, D("-0.01")), False, "at most 20 %"),
        (Settings(2020, 2030, bau_annual_change=D(-1)), False, "impossible"),
    ],
)
def test_impossible_settings_are_refused_with_a_message(settings, mission, message):
    with pytest.raises(TrajectoryError, match=message):
        trajectory.check(settings, mission_city=mission)


def test_possible_settings_pass():
    trajectory.check(Settings(2019, 2030), mission_city=True)
    trajectory.check(Settings(2019, 2050, D("0.05"), D("0.02")))


def test_every_subsector_belongs_to_one_sector():
    assert sectors.sector_of("on-road") == "transportation"
    assert sectors.sector_of("waste") == "waste"
    assert len(sectors.SUBSECTOR_BY_CODE) == sum(len(s.subsectors) for s in sectors.SECTORS) == 15

"""Population bands: the keys the directory filter sends and the groups cities are compared in."""

from __future__ import annotations

import pytest

from netzerohub.cities.population import BANDS, band_of, bounds


@pytest.mark.parametrize(
    ("population", "band"),
    [
        (None, ""),
        (0, "0-50000"),
        (49_999, "0-50000"),
        (50_000, "50000-100000"),
        (999_999, "250000-1000000"),
        (1_000_000, "1000000-"),
        (24_000_000, "1000000-"),
    ],
)
def test_a_population_falls_in_exactly_one_band(population, band):
    assert band_of(population) == band


def test_every_band_key_parses_back_into_its_range():
    assert bounds("") == (None, None)
    assert [bounds(key) for key, _label in BANDS] == [
        (0, 50_000), (50_000, 100_000), (100_000, 250_000), (250_000, 1_000_000),
        (1_000_000, None),
    ]  # fmt: skip

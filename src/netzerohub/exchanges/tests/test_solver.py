"""Compatibility and the assignment: parts worked out by hand, the vectorised scores equal to the
one-pair formula, and the solver's optimality proven against brute force on small instances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netzerohub.exchanges.matching import (
    DEFAULT_WEIGHTS,
    PARTS,
    MatchingError,
    Side,
    breakdown,
    greedy,
    parts,
    score,
    score_matrix,
    solve,
    total,
    words_of,
)

GHENT = {"latitude": 51.05, "longitude": 3.72}
LILLE = {"latitude": 50.63, "longitude": 3.06}  # about 65 km from Ghent
SEVILLE = {"latitude": 37.39, "longitude": -5.98}  # about 1,700 km from Ghent


def test_parts_worked_by_hand():
    twin = Side(
        id=1,
        fields=frozenset({"energy-systems", "built-environment", "waste"}),
        levers=frozenset({"finance-funding"}),
        languages=frozenset({"nl", "en"}),
        population=260_000,
        country="BE",
        words=words_of("District heating for old housing; financing the heat network"),
        **GHENT,
    )
    host = Side(
        id=2,
        fields=frozenset({"energy-systems", "built-environment"}),
        levers=frozenset({"governance-policy"}),
        languages=frozenset({"fr", "en"}),
        population=230_000,
        country="FR",
        words=words_of("Heat network extension and district heating tariffs"),
        **LILLE,
    )
    found = parts(twin, host)
    assert found["fields"] == pytest.approx(2 / 3)  # 2 of the twin's 3 fields are offered
    assert found["levers"] == 0.0
    assert found["language"] == 1.0  # English
    assert found["population"] == 0.5  # 250,000 – 1 million and 100,000 – 250,000: neighbours
    assert found["distance"] == pytest.approx(1 - 65 / 2000, abs=0.01)
    # words: {district, heating, housing, financing, heat, network} (old/for/the too short or
    # common) and {heat, network, extension, district, heating, tariffs}: 4 shared of 8
    assert found["challenges"] == pytest.approx(4 / 8)


def test_population_bands_and_unknowns():
    def pop(a, b):
        return parts(Side(1, population=a), Side(2, population=b))["population"]

    assert pop(120_000, 240_000) == 1.0  # same band
    assert pop(120_000, 300_000) == 0.5  # neighbouring bands
    assert pop(20_000, 2_000_000) == 0.0
    assert pop(None, 300_000) == 0.0


def test_distance_same_country_far_and_unknown():
    assert parts(Side(1, country="ES", **SEVILLE), Side(2, country="ES", **GHENT))["distance"] == 1
    far = parts(Side(1, country="ES", **SEVILLE), Side(2, country="BE", **GHENT))["distance"]
    assert far == pytest.approx(1 - 1_700 / 2_000, abs=0.01)
    assert parts(Side(1, country="ES"), Side(2, country="BE"))["distance"] == 0.0


def test_score_is_the_weighted_mean_and_the_breakdown_adds_up():
    found = {"fields": 1.0, "levers": 0.5, "language": 1.0, "population": 0.0,
             "distance": 0.0, "challenges": 0.0}  # fmt: skip
    weights = {"fields": 3, "levers": 2, "language": 2, "population": 1, "distance": 1,
               "challenges": 1}  # fmt: skip
    # (3 × 1 + 2 × 0.5 + 2 × 1) / 10 = 0.6
    assert score(found, weights) == pytest.approx(60.0)
    rows = breakdown(found, weights)
    assert [r["part"] for r in rows] == list(PARTS)
    assert sum(r["points"] for r in rows) == pytest.approx(60.0)
    assert score(found, dict.fromkeys(PARTS, 0)) == 0.0  # every part switched off
    assert score(found, {**weights, "levers": 0}) == pytest.approx(100 * 5 / 8)


terms = st.frozensets(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=4)
sides = st.builds(
    Side,
    id=st.integers(0, 10**6),
    fields=terms,
    levers=terms,
    languages=st.frozensets(st.sampled_from(["en", "fr", "de"]), max_size=2),
    population=st.one_of(st.none(), st.integers(1_000, 3_000_000)),
    country=st.sampled_from(["", "BE", "FR"]),
    latitude=st.one_of(st.none(), st.floats(35, 70)),
    longitude=st.one_of(st.none(), st.floats(-10, 40)),
    words=st.frozensets(st.sampled_from(["heat", "waste", "grid", "tram", "trees"]), max_size=4),
)
weight_sets = st.fixed_dictionaries({p: st.integers(0, 5) for p in PARTS})


@settings(max_examples=60, deadline=None)
@given(
    st.lists(sides, min_size=1, max_size=6), st.lists(sides, min_size=1, max_size=4), weight_sets
)
def test_vectorised_scores_equal_the_one_pair_formula(applicants, hosts, weights):
    matrix = score_matrix(applicants, hosts, weights)
    for i, a in enumerate(applicants):
        for j, h in enumerate(hosts):
            assert matrix[i, j] == pytest.approx(score(parts(a, h), weights), abs=1e-9)


def brute_force(scores, capacities, locked=(), excluded=()):
    """The best total over every assignment (each applicant to one host or none)."""
    n, m = scores.shape
    best = 0.0
    for choice in itertools.product(range(-1, m), repeat=n):
        if any(choice[r] != c for r, c in locked):
            continue
        if any(choice[r] == c for r, c in excluded):
            continue
        if any(choice.count(c) > capacities[c] for c in range(m)):
            continue
        best = max(best, sum(scores[r, c] for r, c in enumerate(choice) if c >= 0))
    return best


instances = st.integers(1, 5).flatmap(
    lambda n: st.integers(1, 3).flatmap(
        lambda m: st.tuples(
            st.lists(st.lists(st.floats(0, 100), min_size=m, max_size=m), min_size=n, max_size=n),
            st.lists(st.integers(0, 3), min_size=m, max_size=m),
            st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, m - 1)), max_size=3),
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(instances)
def test_the_assignment_is_optimal_against_brute_force(instance):
    rows, capacities, excluded = instance
    scores = np.array(rows)
    pairs = solve(scores, capacities, excluded=excluded)
    assert all(pairs.count(p) == 1 for p in pairs)
    assert len({r for r, _c in pairs}) == len(pairs)  # an applicant at most once
    assert all(sum(1 for _r, c in pairs if c == col) <= cap for col, cap in enumerate(capacities))
    assert not set(pairs) & excluded
    assert total(scores, pairs) == pytest.approx(brute_force(scores, capacities, (), excluded))
    unconstrained = solve(scores, capacities)
    assert total(scores, greedy(scores, capacities)) <= total(scores, unconstrained) + 1e-9


@settings(max_examples=60, deadline=None)
@given(instances, st.data())
def test_locked_pairs_are_kept_and_the_rest_is_optimal(instance, data):
    rows, capacities, _excluded = instance
    scores = np.array(rows)
    n, m = scores.shape
    open_cols = [c for c in range(m) if capacities[c] > 0]
    if not open_cols:
        return
    lock = (data.draw(st.integers(0, n - 1)), data.draw(st.sampled_from(open_cols)))
    pairs = solve(scores, capacities, locked=[lock])
    assert lock in pairs
    assert total(scores, pairs) == pytest.approx(brute_force(scores, capacities, [lock]))


def test_more_locks_than_places_is_refused():
    with pytest.raises(MatchingError, match="More pairs are locked"):
        solve(np.ones((2, 1)), [1], locked=[(0, 0), (1, 0)])


def test_no_capacity_or_no_applicants_give_no_pairs():
    assert solve(np.ones((3, 2)), [0, 0]) == []
    assert solve(np.zeros((0, 2)), [1, 1]) == []


def test_default_weights_cover_every_part():
    assert set(DEFAULT_WEIGHTS) == set(PARTS)

"""Matching accepted applicants to hosts: how compatible a pair is, and the best assignment.

Compatibility of an applicant A and a host H, each part between 0 and 1:

- fields: the share of A's fields of action of interest that H offers (0 when A named none);
- levers: the same for levers of change;
- language: 1 when they share a working language;
- population: 1 in the same population band, ½ in neighbouring bands, else 0 (0 when unknown);
- distance: 1 in the same country, else 1 − km / 2,000 (0 from 2,000 km, or when unknown);
- challenges: the overlap (Jaccard) of the words of four letters or more of A's challenges and
  those H has worked on.

The score is 100 × Σ weightᵢ × partᵢ / Σ weightᵢ with the call's weights (0 switches a part off).

The assignment maximises the total score: each applicant gets at most one host, each host at
most its capacity. It is solved exactly as a rectangular assignment problem (scipy's
`linear_sum_assignment`) in which each host appears once per place. Locked pairs are placed
first; excluded pairs count as worth nothing and are dropped afterwards, as are pairs worth
nothing: leaving an applicant unmatched is worth nothing too, and there is always a free place
for a pair worth nothing when there are at least as many places as applicants, so dropping them
never costs a better pair (the proof is in the tests, against brute force).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _
from scipy.optimize import linear_sum_assignment

from netzerohub.cities.population import BANDS, band_of
from netzerohub.core.text import fold

PARTS = ("fields", "levers", "language", "population", "distance", "challenges")
DEFAULT_WEIGHTS = {
    "fields": 3,
    "levers": 2,
    "language": 2,
    "population": 1,
    "distance": 1,
    "challenges": 1,
}
FAR_KM = 2000.0
_BAND_INDEX = {key: position for position, (key, _label) in enumerate(BANDS)}
_WORD = re.compile(r"[a-z]{4,}")
# fmt: off
_COMMON = frozenset({
    "about", "also", "been", "city", "from", "have", "into", "more", "most", "need", "their",
    "them", "then", "there", "these", "they", "this", "what", "when", "where", "which", "will",
    "with", "would", "other", "such", "than", "that", "some", "like", "very", "much",
})
# fmt: on


class MatchingError(Exception):
    """A matching the coordinators asked for that cannot be made; the message says why."""


@dataclass(frozen=True)
class Side:
    """What matching knows of an applicant or a host (plain values, no database)."""

    id: int
    fields: frozenset[str] = frozenset()
    levers: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    population: int | None = None
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    words: frozenset[str] = frozenset()
    capacity: int = 0
    label: str = ""


def words_of(text: str) -> frozenset[str]:
    """The words that say something in a text (folded; four letters or more; not common)."""
    return frozenset(w for w in _WORD.findall(fold(text or "")) if w not in _COMMON)


def _share(wanted: frozenset[str], offered: frozenset[str]) -> float:
    return len(wanted & offered) / len(wanted) if wanted else 0.0


def _population(a: int | None, b: int | None) -> float:
    if a is None or b is None:
        return 0.0
    gap = abs(_BAND_INDEX[band_of(a)] - _BAND_INDEX[band_of(b)])
    return {0: 1.0, 1: 0.5}.get(gap, 0.0)


def distance_km(a: Side, b: Side) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(min(h, 1.0)))


def _distance(a: Side, b: Side) -> float:
    if a.country and a.country == b.country:
        return 1.0
    km = distance_km(a, b)
    return 0.0 if km is None else max(0.0, 1.0 - km / FAR_KM)


def _challenges(a: Side, b: Side) -> float:
    union = a.words | b.words
    return len(a.words & b.words) / len(union) if union else 0.0


def parts(applicant: Side, host: Side) -> dict[str, float]:
    """Each part of the compatibility of a pair, between 0 and 1."""
    return {
        "fields": _share(applicant.fields, host.fields),
        "levers": _share(applicant.levers, host.levers),
        "language": 1.0 if applicant.languages & host.languages else 0.0,
        "population": _population(applicant.population, host.population),
        "distance": _distance(applicant, host),
        "challenges": _challenges(applicant, host),
    }


def score(found: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """100 × the weighted mean of the parts (0 when every weight is 0)."""
    total = sum(max(float(weights.get(p, 0)), 0.0) for p in PARTS)
    if total == 0:
        return 0.0
    return 100.0 * sum(max(float(weights.get(p, 0)), 0.0) * found[p] for p in PARTS) / total


def breakdown(found: Mapping[str, float], weights: Mapping[str, float]) -> list[dict]:
    """ "Why this pair": each part with its value (0–1), its weight and the points it brings
    (the points add up to the score)."""
    total = sum(max(float(weights.get(p, 0)), 0.0) for p in PARTS)
    rows = []
    for p in PARTS:
        weight = max(float(weights.get(p, 0)), 0.0)
        points = 100.0 * weight * found[p] / total if total else 0.0
        rows.append({"part": p, "value": round(found[p], 4), "weight": weight, "points": points})
    return rows


@dataclass
class Result:
    """The pairs (applicant id, host id) of an assignment, with its total score."""

    pairs: list[tuple[int, int]] = field(default_factory=list)
    total: float = 0.0
    unmatched: list[int] = field(default_factory=list)


def solve(
    scores: np.ndarray,
    capacities: Iterable[int],
    *,
    locked: Iterable[tuple[int, int]] = (),
    excluded: Iterable[tuple[int, int]] = (),
) -> list[tuple[int, int]]:
    """The (row, column) pairs of an assignment of rows (applicants) to columns (hosts) that
    maximises the total of `scores[row, column]`, with at most `capacities[column]` rows per
    column, every `locked` pair in it and no `excluded` pair. Indexes, not ids."""
    scores = np.asarray(scores, dtype=float)
    n_rows, n_cols = scores.shape
    left = [int(c) for c in capacities]
    if len(left) != n_cols:
        raise ValueError("one capacity per column")
    chosen: list[tuple[int, int]] = []
    taken_rows: set[int] = set()
    for row, col in sorted(set(locked)):
        if row in taken_rows:
            raise MatchingError(_("An applicant is locked to two hosts."))
        if left[col] <= 0:
            raise MatchingError(_("More pairs are locked to a host than it has places."))
        left[col] -= 1
        taken_rows.add(row)
        chosen.append((row, col))
    rows = [r for r in range(n_rows) if r not in taken_rows]
    # Each host once per place it still has (never more places than there are applicants).
    slots = [c for c in range(n_cols) for _ in range(min(max(left[c], 0), len(rows)))]
    if not rows or not slots:
        return chosen
    worth = np.maximum(scores[np.ix_(rows, slots)], 0.0)
    blocked = set(excluded)
    row_at = {row: i for i, row in enumerate(rows)}
    slots_of: dict[int, list[int]] = {}
    for j, col in enumerate(slots):
        slots_of.setdefault(col, []).append(j)
    for row, col in blocked:
        if row in row_at and col in slots_of:
            worth[row_at[row], slots_of[col]] = 0.0
    picked_rows, picked_slots = linear_sum_assignment(worth, maximize=True)
    for i, j in zip(picked_rows, picked_slots, strict=True):
        row, col = rows[i], slots[j]
        if worth[i, j] > 0 and (row, col) not in blocked:
            chosen.append((row, col))
    return sorted(chosen)


def greedy(scores: np.ndarray, capacities: Iterable[int]) -> list[tuple[int, int]]:
    """The baseline: the best remaining pair first, while places last (for the benchmark)."""
    scores = np.asarray(scores, dtype=float)
    left = [int(c) for c in capacities]
    order = np.dstack(np.unravel_index(np.argsort(-scores, axis=None), scores.shape))[0]
    used: set[int] = set()
    chosen = []
    for row, col in order:
        if scores[row, col] <= 0:
            break
        if row in used or left[col] <= 0:
            continue
        used.add(int(row))
        left[col] -= 1
        chosen.append((int(row), int(col)))
    return sorted(chosen)


def total(scores: np.ndarray, pairs: Iterable[tuple[int, int]]) -> float:
    return float(sum(scores[r, c] for r, c in pairs))


def score_matrix(
    applicants: list[Side], hosts: list[Side], weights: Mapping[str, float]
) -> np.ndarray:
    """scores[i, j] of applicant i with host j: `score(parts(a, h), weights)` for every pair,
    computed with whole-array operations (2,000 × 200 pairs in well under a second)."""
    n, m = len(applicants), len(hosts)
    if n == 0 or m == 0:
        return np.zeros((n, m))
    weight = {p: max(float(weights.get(p, 0)), 0.0) for p in PARTS}
    total_weight = sum(weight.values())
    if total_weight == 0:
        return np.zeros((n, m))

    def share(wanted: list[frozenset[str]], offered: list[frozenset[str]]) -> np.ndarray:
        vocabulary = sorted(set().union(*wanted, *offered))
        if not vocabulary:
            return np.zeros((n, m))
        index = {v: k for k, v in enumerate(vocabulary)}
        a = np.zeros((n, len(vocabulary)))
        h = np.zeros((m, len(vocabulary)))
        for i, values in enumerate(wanted):
            a[i, [index[v] for v in values]] = 1.0
        for j, values in enumerate(offered):
            h[j, [index[v] for v in values]] = 1.0
        sizes = a.sum(axis=1, keepdims=True)
        return np.divide(a @ h.T, sizes, out=np.zeros((n, m)), where=sizes > 0)

    def incidence(sets: list[frozenset[str]], index: dict[str, int]) -> np.ndarray:
        matrix = np.zeros((len(sets), len(index)))
        for i, values in enumerate(sets):
            matrix[i, [index[v] for v in values]] = 1.0
        return matrix

    result = np.zeros((n, m))
    if weight["fields"]:
        result += weight["fields"] * share(
            [a.fields for a in applicants], [h.fields for h in hosts]
        )
    if weight["levers"]:
        result += weight["levers"] * share(
            [a.levers for a in applicants], [h.levers for h in hosts]
        )
    if weight["language"]:
        codes = {
            c: k
            for k, c in enumerate(
                sorted(
                    set().union(*(a.languages for a in applicants), *(h.languages for h in hosts))
                )
            )
        }
        if codes:
            shared = (
                incidence([a.languages for a in applicants], codes)
                @ incidence([h.languages for h in hosts], codes).T
            )
            result += weight["language"] * (shared > 0)
    if weight["population"]:

        def bands(sides: list[Side]) -> np.ndarray:
            return np.array(
                [
                    _BAND_INDEX[band_of(s.population)] if s.population is not None else -99
                    for s in sides
                ]
            )

        a_band, h_band = bands(applicants), bands(hosts)
        gap = np.abs(a_band[:, None] - h_band[None, :])
        known = (a_band[:, None] >= 0) & (h_band[None, :] >= 0)
        result += weight["population"] * np.where(
            known, np.select([gap == 0, gap == 1], [1.0, 0.5], 0.0), 0.0
        )
    if weight["distance"]:

        def coordinates(sides: list[Side]) -> tuple[np.ndarray, np.ndarray]:
            lat = np.array([s.latitude if s.latitude is not None else np.nan for s in sides])
            lon = np.array([s.longitude if s.longitude is not None else np.nan for s in sides])
            return np.radians(lat), np.radians(lon)

        lat1, lon1 = coordinates(applicants)
        lat2, lon2 = coordinates(hosts)
        h = (
            np.sin((lat2[None, :] - lat1[:, None]) / 2) ** 2
            + np.cos(lat1)[:, None]
            * np.cos(lat2)[None, :]
            * np.sin((lon2[None, :] - lon1[:, None]) / 2) ** 2
        )
        km = 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
        near = np.where(np.isnan(km), 0.0, np.maximum(0.0, 1.0 - km / FAR_KM))
        countries_a = np.array([a.country for a in applicants], dtype=object)
        countries_h = np.array([h_.country for h_ in hosts], dtype=object)
        same = (countries_a[:, None] == countries_h[None, :]) & (countries_a[:, None] != "")
        result += weight["distance"] * np.where(same, 1.0, near)
    if weight["challenges"]:
        vocabulary = sorted(set().union(*(a.words for a in applicants), *(h.words for h in hosts)))
        if vocabulary:
            index = {v: k for k, v in enumerate(vocabulary)}
            a = incidence([x.words for x in applicants], index)
            b = incidence([x.words for x in hosts], index)
            both = a @ b.T
            union = a.sum(axis=1)[:, None] + b.sum(axis=1)[None, :] - both
            result += weight["challenges"] * np.divide(
                both, union, out=np.zeros((n, m)), where=union > 0
            )
    return 100.0 * result / total_weight

"""The matching solver at the issue's scale, in-process: random instances of 2,000 applicants
and 200 hosts with 5–15 places each, and `services.run_matching` on the bench call.

**Instances** (`instance`): each seed draws 2,000 applicants and 200 hosts as `matching.Side`s,
the way `services._side` builds them from the database: fields of action and levers of change
among the real taxonomy slugs (`core.Term`; applicants 1–4 fields and 1–3 levers, hosts 2–5 and
2–4, popular themes more often), 1–3 working languages (the country's, English most often),
the place of a real city (country, coordinates with a little jitter, population; hosts among
the cities of 100,000 people or more), and the words (`matching.words_of`) of a challenges text
(applicants 8–20 challenge words, hosts 15–35; `seed_exchanges.challenge_text`). Hosts take
5–15 twins. The call's default weights (`matching.DEFAULT_WEIGHTS`).

**Solver run** (`solver`): per instance, `matching.score_matrix`, `matching.solve` and the
baseline `matching.greedy` are timed separately (`time.perf_counter`, one run each); reported
are min/median/max over the seeds of the score matrix, the solve, their sum and the greedy
baseline, the total compatibility of `solve` and of `greedy` (absolute, and how much higher the
optimum is), pairs made, and a check of every assignment: each applicant at most once, each host
within its capacity, no pair worth nothing.

**run_matching** (`run_matching`): on the bench call (`seed_exchanges.py`), inside a
transaction that is rolled back, every handed-in application is accepted (2,000) and
`services.run_matching` is timed end to end (`repeats` times, the median reported): loading the
applicants and offers with their themes, building the sides, `score_matrix`, `solve`, deleting
and writing the pairs with their breakdowns, the audit entry. The database's share is the time
spent in `cursor.execute` (`connection.execute_wrapper`), with the number of queries. The
rolled-back runs leave dead row versions behind; on PostgreSQL the touched tables are vacuumed
afterwards, so that the pages are not measured on bloated tables.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import seed_exchanges as sx

from netzerohub.exchanges import matching

APPLICANTS = sx.APPLICATIONS
HOSTS = sx.HOSTS
SEEDS = 5
TARGET_SOLVE_S = 2.0
HOST_POPULATION = 100_000  # hosts are drawn among cities at least this large (when there are)
JITTER = 0.1  # degrees


@dataclass(frozen=True)
class Place:
    country: str
    latitude: float
    longitude: float
    population: int


def places() -> list[Place]:
    """The real cities with coordinates and a population."""
    from netzerohub.cities.models import City

    rows = (
        City.objects.exclude(source=City.Source.SYNTHETIC)
        .filter(latitude__isnull=False, longitude__isnull=False, population__isnull=False)
        .order_by("pk")
        .values_list("country__code", "latitude", "longitude", "population")
    )
    return [Place(*row) for row in rows]


def taxonomy() -> tuple[list[str], list[str]]:
    """The slugs of the fields of action and of the levers of change."""
    from netzerohub.core.models import Term

    terms = Term.objects.filter(kind__in=["field", "lever"]).order_by("kind", "position", "pk")
    fields = [t.slug for t in terms if t.kind == "field"]
    levers = [t.slug for t in terms if t.kind == "lever"]
    return fields, levers


def _side(
    rng: random.Random,
    number: int,
    place: Place,
    fields: list[str],
    levers: list[str],
    host: bool,
) -> matching.Side:
    return matching.Side(
        id=number,
        fields=frozenset(sx.themes(rng, fields, *((2, 5) if host else (1, 4)))),
        levers=frozenset(sx.themes(rng, levers, *((2, 4) if host else (1, 3)))),
        languages=frozenset(sx.languages(rng, place.country)),
        population=place.population,
        country=place.country,
        latitude=place.latitude + rng.uniform(-JITTER, JITTER),
        longitude=place.longitude + rng.uniform(-JITTER, JITTER),
        words=matching.words_of(sx.challenge_text(rng, *((15, 35) if host else (8, 20)))),
        capacity=rng.randint(*sx.CAPACITY) if host else 0,
    )


def instance(
    seed_value: int,
    where: list[Place],
    fields: list[str],
    levers: list[str],
    applicants: int = APPLICANTS,
    hosts: int = HOSTS,
) -> tuple[list[matching.Side], list[matching.Side]]:
    """A random instance: `applicants` and `hosts` sides (see the module)."""
    if not where:
        raise RuntimeError(
            "No real city with coordinates and a population: load the reference data."
        )
    rng = random.Random(seed_value)
    large = [p for p in where if p.population >= HOST_POPULATION] or where
    return (
        [_side(rng, n, rng.choice(where), fields, levers, False) for n in range(applicants)],
        [_side(rng, n, rng.choice(large), fields, levers, True) for n in range(hosts)],
    )


def check(pairs: list[tuple[int, int]], scores: np.ndarray, capacities: list[int]) -> list[str]:
    """What is wrong with an assignment (nothing: an empty list)."""
    problems = []
    rows = Counter(r for r, _c in pairs)
    if rows and max(rows.values()) > 1:
        problems.append(f"{sum(1 for n in rows.values() if n > 1)} applicants placed twice")
    per_host = Counter(c for _r, c in pairs)
    over = [c for c, n in per_host.items() if n > capacities[c]]
    if over:
        problems.append(f"{len(over)} hosts over capacity")
    if any(scores[r, c] <= 0 for r, c in pairs):
        problems.append("a pair worth nothing")
    return problems


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "min": round(min(values), 4),
        "median": round(statistics.median(values), 4),
        "max": round(max(values), 4),
    }


def solver(
    seeds: int = SEEDS,
    applicants: int = APPLICANTS,
    hosts: int = HOSTS,
    log: Callable[..., None] = print,
    where: list[Place] | None = None,
    terms: tuple[list[str], list[str]] | None = None,
) -> dict[str, Any]:
    """Time `score_matrix`, `solve` and `greedy` on `seeds` random instances (see the module)."""
    where = places() if where is None else where
    fields, levers = taxonomy() if terms is None else terms
    weights = matching.DEFAULT_WEIGHTS
    runs = []
    for seed_value in range(1, seeds + 1):
        applicant_sides, host_sides = instance(seed_value, where, fields, levers, applicants, hosts)
        capacities = [h.capacity for h in host_sides]
        started = time.perf_counter()
        scores = matching.score_matrix(applicant_sides, host_sides, weights)
        scored = time.perf_counter()
        pairs = matching.solve(scores, capacities)
        solved = time.perf_counter()
        baseline = matching.greedy(scores, capacities)
        greedy_done = time.perf_counter()
        optimum, greedy_total = matching.total(scores, pairs), matching.total(scores, baseline)
        run = {
            "seed": seed_value,
            "places": sum(capacities),
            "score_matrix_s": round(scored - started, 4),
            "solve_s": round(solved - scored, 4),
            "score_and_solve_s": round(solved - started, 4),
            "greedy_s": round(greedy_done - solved, 4),
            "pairs": len(pairs),
            "greedy_pairs": len(baseline),
            "total": round(optimum, 2),
            "greedy_total": round(greedy_total, 2),
            "gain_pct": round(100 * (optimum - greedy_total) / greedy_total, 3)
            if greedy_total
            else None,
            "mean_score": round(optimum / len(pairs), 2) if pairs else None,
            "problems": check(pairs, scores, capacities) + check(baseline, scores, capacities),
        }
        if optimum + 1e-6 < greedy_total:
            run["problems"].append("the optimum is below the greedy baseline")
        runs.append(run)
        log(
            f"  seed {seed_value}: score matrix {run['score_matrix_s']:.3f} s, solve "
            f"{run['solve_s']:.3f} s; total {optimum:,.1f} vs greedy {greedy_total:,.1f} "
            f"(+{run['gain_pct']}%), {len(pairs):,} pairs of {sum(capacities):,} places"
        )
    return {
        "applicants": applicants,
        "hosts": hosts,
        "capacity": list(sx.CAPACITY),
        "seeds": seeds,
        "weights": dict(weights),
        "runs": runs,
        "score_matrix_s": _spread([r["score_matrix_s"] for r in runs]),
        "solve_s": _spread([r["solve_s"] for r in runs]),
        "score_and_solve_s": _spread([r["score_and_solve_s"] for r in runs]),
        "greedy_s": _spread([r["greedy_s"] for r in runs]),
        "gain_pct": _spread([r["gain_pct"] or 0.0 for r in runs]),
        "target_solve_s": TARGET_SOLVE_S,
        "meets_target": max(r["solve_s"] for r in runs) < TARGET_SOLVE_S,
        "all_valid": not any(r["problems"] for r in runs),
    }


# --- run_matching on the bench call ----------------------------------------------------------


@contextmanager
def _timed(module: Any, name: str, into: dict[str, float]) -> Iterator[None]:
    """Time every call of `module.name` into `into[name]` while inside."""
    original = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            into[name] = into.get(name, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


class QueryTimer:
    """An execute wrapper counting queries and the time spent in them."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


def run_matching(repeats: int = 3, log: Callable[..., None] = print) -> dict[str, Any]:
    """`services.run_matching` on the bench call with every handed-in application accepted, in a
    transaction rolled back afterwards; the median of `repeats` runs (see the module)."""
    import seed_assessment
    from django.db import connection, transaction

    from netzerohub.exchanges import services
    from netzerohub.exchanges.models import Application, Pair

    call = sx.bench_call()
    actor = seed_assessment.coordinator()
    if call is None or actor is None:
        raise RuntimeError("The exchanges data is missing: did seed_exchanges run?")
    runs = []
    for _ in range(repeats):
        parts: dict[str, float] = {}
        queries = QueryTimer()

        with transaction.atomic():
            accepted = Application.objects.for_call(call).submitted().update(status="accepted")
            with (
                _timed(matching, "score_matrix", parts),
                _timed(matching, "solve", parts),
                connection.execute_wrapper(queries),
            ):
                started = time.perf_counter()
                pairs = services.run_matching(call, actor=actor)
                elapsed = time.perf_counter() - started
            written = Pair.objects.for_call(call).count()
            total = sum(p.score for p in pairs)
            transaction.set_rollback(True)
        run = {
            "accepted": accepted,
            "pairs": len(pairs),
            "pairs_written": written,
            "total": round(total, 2),
            "run_matching_s": round(elapsed, 4),
            "queries": queries.count,
            "database_s": round(queries.seconds, 4),
            "score_matrix_s": round(parts.get("score_matrix", 0.0), 4),
            "solve_s": round(parts.get("solve", 0.0), 4),
        }
        run["rest_s"] = round(
            elapsed - run["database_s"] - run["score_matrix_s"] - run["solve_s"], 4
        )
        runs.append(run)
        log(
            f"  run_matching: {elapsed:.2f} s for {accepted:,} accepted applicants "
            f"({run['queries']} queries {run['database_s']:.2f} s, score matrix "
            f"{run['score_matrix_s']:.2f} s, solve {run['solve_s']:.2f} s), {len(pairs):,} pairs"
        )
    # The rolled-back runs leave dead row versions behind; clear them before pages are measured.
    sx.vacuum("exchanges_application", "exchanges_pair", "core_auditlog")
    middle = sorted(runs, key=lambda r: r["run_matching_s"])[len(runs) // 2]
    return {"repeats": repeats, "runs": runs, "median": middle}


def run(
    seeds: int = SEEDS,
    repeats: int = 3,
    *,
    applicants: int = APPLICANTS,
    hosts: int = HOSTS,
    log: Callable[..., None] = print,
) -> dict[str, Any]:
    """The solver on random instances (none when `seeds` is 0), then run_matching on the bench
    call (not when `repeats` is 0)."""
    return {
        "solver": solver(seeds, applicants, hosts, log=log) if seeds else None,
        "run_matching": run_matching(repeats, log=log) if repeats else None,
    }


def _solver_table(solved: dict[str, Any]) -> list[str]:
    lines = [
        f"| Matching, {solved['applicants']:,} applicants × {solved['hosts']} hosts "
        f"(capacity {solved['capacity'][0]}–{solved['capacity'][1]}), {solved['seeds']} "
        "instances | min | median | max |",
        "|---|---:|---:|---:|",
    ]
    for key, label in (
        ("score_matrix_s", "`score_matrix` (s)"),
        ("solve_s", "`solve` (s)"),
        ("score_and_solve_s", "both (s)"),
        ("greedy_s", "`greedy` baseline (s)"),
        ("gain_pct", "total compatibility, optimum over greedy (+%)"),
    ):
        spread = solved[key]
        lines.append(
            f"| {label} | {spread['min']:.3f} | {spread['median']:.3f} | {spread['max']:.3f} |"
        )
    totals = "; ".join(
        f"{r['total']:,.0f} vs {r['greedy_total']:,.0f} ({r['pairs']:,} vs "
        f"{r['greedy_pairs']:,} pairs)"
        for r in solved["runs"]
    )
    verdict = "met" if solved["meets_target"] else "**missed**"
    valid = (
        "every assignment within capacities, each applicant at most once"
        if solved["all_valid"]
        else "**INVALID ASSIGNMENTS: "
        + "; ".join(p for r in solved["runs"] for p in r["problems"])
        + "**"
    )
    return [
        *lines,
        "",
        f"Total compatibility, optimum vs greedy per instance: {totals}. {valid}. Solve under "
        f"{solved['target_solve_s']:.0f} s on every instance: {verdict}.",
    ]


def note(report: dict[str, Any]) -> str:
    """The report as Markdown: the solver's table, then run_matching's figures."""
    lines: list[str] = []
    if report.get("solver"):
        lines += _solver_table(report["solver"])
    matched = report.get("run_matching")
    if matched:
        m = matched["median"]
        lines += [
            "",
            f"`services.run_matching` on the bench call ({m['accepted']:,} accepted, median of "
            f"{matched['repeats']}): {m['run_matching_s']:.2f} s — database "
            f"{m['database_s']:.2f} s in {m['queries']} queries, score matrix "
            f"{m['score_matrix_s']:.2f} s, solve {m['solve_s']:.2f} s, the rest (sides, "
            f"breakdowns, pair objects) {m['rest_s']:.2f} s; {m['pairs']:,} pairs, total "
            f"{m['total']:,.0f}.",
        ]
    return "\n".join(lines).strip()

"""The knowledge search benchmark's questions, and its cold-cache measurement.

`knowledge_queries.txt` holds 50 fixed searches (URL query strings). wrk cycles through them
(`rotate.lua`) on the search page and on the API; `core.search` caches totals, facet counts and
result pages for 5 minutes, so once each worker has seen each URL those runs measure the warm
path. `cold()` measures the other one in-process: for each search it makes every cached search
answer stale (a new index generation, as a change of the index does) and times
`knowledge.search.search_resources()` for an anonymous visitor, split into the three database
questions `core.search` asks (total, facet counts, ranked page of ids) and the rest (validating,
loading the 20 resources, snippets, labels). The database's own buffers stay warm.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

QUERIES = Path(__file__).resolve().parent / "knowledge_queries.txt"
SEARCH_PAGE = "/knowledge/"
API = "/api/v1/resources"


def load_queries(path: Path = QUERIES) -> list[str]:
    """The searches as canonical URL query strings (`q=heat+pump&type=guide`)."""
    queries = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            queries.append(urlencode(parse_qsl(line, keep_blank_values=True)))
    return queries


def paths(prefix: str, queries: list[str]) -> list[str]:
    return [f"{prefix}?{query}" for query in queries]


@dataclass
class ColdTiming:
    query: str
    matches: int
    total_ms: float
    count_ms: float
    facets_ms: float
    page_ms: float
    rest_ms: float


def _forget_search_answers() -> None:
    """Make every cached search answer stale, as a change of the index does."""
    from django.core.cache import cache

    from netzerohub.core.search import engine

    for key in (engine._generation_key(None), "knowledge:facet-labels"):
        cache.delete(key)
    cache.set(engine._generation_key(None), time.monotonic_ns(), None)


def _time_once(query: str) -> ColdTiming:
    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict

    from netzerohub.core.search import engine
    from netzerohub.knowledge.search import SearchParams, search_resources

    parts: dict[str, float] = {}
    cached = engine._cached

    def timed(key: tuple, compute: Any) -> Any:
        started = time.perf_counter()
        value = cached(key, compute)
        parts[key[0]] = parts.get(key[0], 0.0) + time.perf_counter() - started
        return value

    _forget_search_answers()
    engine._cached = timed
    try:
        started = time.perf_counter()
        found = search_resources(AnonymousUser(), SearchParams.from_query(QueryDict(query)))
        total = time.perf_counter() - started
    finally:
        engine._cached = cached
    ms = {name: round(1000 * parts.get(name, 0.0), 2) for name in ("total", "facets", "page")}
    return ColdTiming(
        query=query,
        matches=found.results.total,
        total_ms=round(1000 * total, 2),
        count_ms=ms["total"],
        facets_ms=ms["facets"],
        page_ms=ms["page"],
        rest_ms=round(1000 * total - sum(ms.values()), 2),
    )


def cold(queries: list[str], repeats: int = 3, log: Any = print) -> dict[str, Any]:
    """Cold server time of each search (the median of `repeats`), and p50/p95/max over all."""
    _time_once(queries[0])  # open the connection, load the code
    rows = []
    for query in queries:
        runs = sorted((_time_once(query) for _ in range(repeats)), key=lambda t: t.total_ms)
        rows.append(runs[len(runs) // 2])
    summary = summarise([r.total_ms for r in rows])
    parts = {
        name: summarise([getattr(r, f"{name}_ms") for r in rows])
        for name in ("count", "facets", "page", "rest")
    }
    slowest = sorted(rows, key=lambda r: r.total_ms, reverse=True)[:5]
    log(
        f"  knowledge search, cold: p50 {summary['p50_ms']:.1f} ms, p95 {summary['p95_ms']:.1f} "
        f"ms, max {summary['max_ms']:.1f} ms over {len(rows)} searches"
    )
    for row in slowest:
        log(
            f"    {row.total_ms:7.1f} ms  (count {row.count_ms:.1f}, facets {row.facets_ms:.1f}, "
            f"page {row.page_ms:.1f}, rest {row.rest_ms:.1f}; {row.matches:,} matches)  "
            f"{row.query}"
        )
    return {
        "repeats": repeats,
        **summary,
        "parts": parts,
        "queries": [asdict(r) for r in rows],
    }


def summarise(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0}
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
    }

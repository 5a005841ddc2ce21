#!/usr/bin/env python
"""The survey benchmark's in-process timings: the analytics page cold (the first request after
a submission bumped the responses version), and the CSV and XLSX exports of every submitted
response of the bench survey (`seed_surveys.py`): wall time and peak memory.

    .venv/bin/python bench/surveys_export.py --format xlsx   # one export, JSON on stdout

`run.py --pages surveys` calls `cold()` in its own process and `exports()`, which runs every
export in a fresh subprocess of this script, so that the peak resident memory (`ru_maxrss`) is
the export's and not the benchmark's: the report gives that peak, its growth over the process
once Django is set up and the survey's structure read (the delta), and the peak of Python's own
allocations during the export (`tracemalloc`, which slows the export down: the wall time is
measured in a separate run without it). Every request goes through the Django test client as
the synthetic coordinator (staff MFA passed), exactly as the browser's download would, the body
read to its end and thrown away.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def _client() -> Any:
    """A test client signed in as the synthetic coordinator, with the staff MFA mark."""
    import seed_assessment
    from django.test import Client

    from netzerohub.accounts.middleware import StaffMFAMiddleware

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(seed_assessment.coordinator())
    session = client.session
    session[StaffMFAMiddleware.SESSION_KEY] = True
    session.save()
    return client


def _drain(response: Any) -> int:
    """Read a response's body to its end; its size in bytes."""
    if response.streaming:
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        return size
    return len(response.content)


def _export_once(client: Any, path: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    size = _drain(response)
    response.close()
    return time.perf_counter() - started, size, response.status_code


def export_in_process(fmt: str) -> dict[str, Any]:
    """One export as the coordinator: a timed run, then a run under tracemalloc (the peak of
    Python's allocations), with the process's peak RSS before and after."""
    import seed_surveys
    from django.urls import reverse

    from netzerohub.surveys import answering

    survey = seed_surveys.bench_survey()
    if survey is None:
        raise RuntimeError("The survey data is missing: did seed_surveys run?")
    client = _client()
    answering.structure(survey.pk)  # the structure cache, as any page has it
    client.get(reverse("surveys:survey", args=[survey.slug]))  # URLconf and templates loaded
    path = reverse("surveys:export", args=[survey.slug, fmt])
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds, size, _status = _export_once(client, path)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    traced_seconds, _size, _status = _export_once(client, path)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "format": fmt,
        "path": path,
        "seconds": round(seconds, 2),
        "bytes": size,
        "rss_peak_mb": round(rss_after / 1024, 1),
        "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "seconds_under_tracemalloc": round(traced_seconds, 2),
    }


def exports(formats: tuple[str, ...] = ("csv", "xlsx"), repeats: int = 1) -> list[dict[str, Any]]:
    """Every export in `repeats` fresh subprocesses; the median run of each format."""
    found = []
    for fmt in formats:
        runs = []
        for _ in range(repeats):
            done = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--format", fmt],
                capture_output=True,
                text=True,
                check=False,
                env=os.environ.copy(),
                cwd=ROOT,
                timeout=1800,
            )
            if done.returncode != 0:
                raise RuntimeError(f"the {fmt} export failed:\n{done.stderr[-3000:]}")
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        runs.sort(key=lambda r: r["seconds"])
        chosen = runs[len(runs) // 2]
        chosen["runs_s"] = [r["seconds"] for r in runs]
        found.append(chosen)
    return found


def cold(repeats: int = 5) -> dict[str, Any]:
    """The analytics page as the coordinator right after a submission: the responses version
    bumped before each request, so that every number is computed again (the page's other
    caches — the survey's structure, the response rate's ten-minute cache — as they are after
    one submission). Also `analytics._compute` alone, timed the same way, and the warm page."""
    import seed_surveys
    from django.core.cache import cache
    from django.urls import reverse

    from netzerohub.core import versions
    from netzerohub.surveys import analytics, answering, services

    survey = seed_surveys.bench_survey()
    if survey is None:
        raise RuntimeError("The survey data is missing: did seed_surveys run?")
    client = _client()
    path = reverse("surveys:analytics", args=[survey.slug])
    if client.get(path).status_code != 200:
        raise RuntimeError(f"{path} does not answer 200")
    page, computed, warm = [], [], []
    for _ in range(repeats):
        cache.set(services.responses_version(survey.pk), versions._new(), None)
        started = time.perf_counter()
        client.get(path)
        page.append(time.perf_counter() - started)
        started = time.perf_counter()
        client.get(path)
        warm.append(time.perf_counter() - started)
    structure = answering.structure(survey.pk)
    for _ in range(repeats):
        started = time.perf_counter()
        analytics._compute(structure, {})
        computed.append(time.perf_counter() - started)

    def summary(values: list[float]) -> dict[str, Any]:
        ms = sorted(round(1000 * v, 1) for v in values)
        return {"median_ms": statistics.median(ms), "max_ms": ms[-1], "runs_ms": ms}

    return {
        "repeats": repeats,
        "page_cold": summary(page),
        "compute": summary(computed),
        "page_warm": summary(warm),
    }


def note(timings: dict[str, Any] | None, exported: list[dict[str, Any]] | None) -> str:
    lines = []
    if timings:
        c, p, w = timings["compute"], timings["page_cold"], timings["page_warm"]
        lines += [
            "| Survey analytics, in-process | median (ms) | max (ms) |",
            "|---|---:|---:|",
            f"| page, cold (after a submission) | {p['median_ms']:.0f} | {p['max_ms']:.0f} |",
            f"| `analytics._compute` alone | {c['median_ms']:.0f} | {c['max_ms']:.0f} |",
            f"| page, warm | {w['median_ms']:.0f} | {w['max_ms']:.0f} |",
            "",
            f"{timings['repeats']} runs each, as the coordinator through the Django test client.",
        ]
    if exported:
        lines += [
            "",
            "| Export (all responses) | wall (s) | size (MB) | peak RSS (MiB) | RSS growth (MiB) "
            "| tracemalloc peak (MiB) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for e in exported:
            lines.append(
                f"| {e['format'].upper()} | {e['seconds']:.1f} | {e['bytes'] / 1e6:.1f} "
                f"| {e['rss_peak_mb']:.0f} | {e['rss_growth_mb']:.0f} "
                f"| {e['tracemalloc_peak_mb']:.0f} |"
            )
        lines.append(
            "\nEach export in a fresh process (the median of its runs: "
            + "; ".join(f"{e['format']} {e['runs_s']} s" for e in exported)
            + "); RSS growth: over the process once set up."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=["csv", "xlsx"], required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsettings")
    sys.path[:0] = [str(ROOT / "src"), str(BENCH)]
    import django

    django.setup()
    print(json.dumps(export_in_process(args.format)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""The Climate City Contract benchmark's exports: the PDF and the XLSX of one full bench
workspace (`seed_contracts.py`: 10 inventory years, 40 actions with their reductions,
indicators, capital needs and funding) — wall time and peak memory.

    .venv/bin/python bench/contracts_export.py --format pdf   # one export, JSON on stdout

`run.py --pages contracts` calls `exports()`, which runs every export in a fresh subprocess of
this script, so that the peak resident memory (`ru_maxrss`) is the export's and not the
benchmark's. Each export does what the export view does for the draft: `snapshot_of(contract)`
and `figures_of(contract).as_json()`, then `exports.render_pdf(snapshot, figures, site=...)`
(WeasyPrint) or `exports.write_xlsx(snapshot, figures, out)` into memory. The report gives the
wall time (and the snapshot's and figures' part of it), the output's size, the process's peak
RSS, its growth over the process once Django is set up and a first, small export has loaded
WeasyPrint's or openpyxl's code (the delta), and the peak of Python's own allocations during the
export (`tracemalloc`, a second run: it slows the export, so the wall time is the first run's).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SITE = "http://127.0.0.1/"


def workspace() -> Any:
    """The bench workspace exported: the first by city id (every bench workspace is full)."""
    import seed_contracts

    contract = (
        seed_contracts.bench_contracts().select_related("city", "city__country").order_by("city_id")
    ).first()
    if contract is None:
        raise RuntimeError("The contract data is missing: did seed_contracts run?")
    return contract


def _export_once(contract: Any, fmt: str) -> dict[str, Any]:
    from netzerohub.contracts import exports
    from netzerohub.contracts.figures import figures_of
    from netzerohub.contracts.snapshot import snapshot_of

    started = time.perf_counter()
    snapshot = {**snapshot_of(contract), "is_sample": contract.is_sample, "version": None}
    figures = figures_of(contract).as_json()
    read = time.perf_counter() - started
    if fmt == "pdf":
        data = exports.render_pdf(snapshot, figures, site=SITE)
        size = len(data)
    else:
        out = io.BytesIO()
        exports.write_xlsx(snapshot, figures, out)
        size = out.getbuffer().nbytes
    return {
        "seconds": time.perf_counter() - started,
        "read_seconds": read,
        "bytes": size,
        "actions": len(snapshot["actions"]),
        "inventory_years": len(snapshot["inventory"]),
    }


def _warm_up(fmt: str) -> None:
    """A tiny export first, so that the libraries' code and fonts are loaded before the peak
    RSS is read (what the delta measures is the workspace's export, not the imports)."""
    from netzerohub.contracts import exports

    snapshot = {
        "city": {"id": 0, "name": "Warm-up"},
        "commitments": {
            "target_year": None,
            "baseline_year": None,
            "residual_share": None,
            "bau_annual_change": None,
            "covered_sectors": [],
            "covered_scopes": [],
            "ambition": "",
            "priorities": "",
            "principles": "",
            "narratives": {},
            "interim_targets": [],
            "signatories": [],
        },
        "inventory": [],
        "actions": [],
    }
    figures: dict[str, Any] = {"years": {}, "expected_by_sector": {}}
    try:
        if fmt == "pdf":
            exports.render_pdf(snapshot, figures, site=SITE)
        else:
            exports.write_xlsx(snapshot, figures, io.BytesIO())
    except Exception as error:  # noqa: BLE001 - a warm-up only: the real export reports errors
        print(
            f"warm-up export failed ({error!r}); the RSS growth includes imports", file=sys.stderr
        )


def export_in_process(fmt: str) -> dict[str, Any]:
    """One export of the bench workspace: a timed run, then a run under tracemalloc, with the
    process's peak RSS before and after."""
    contract = workspace()
    _warm_up(fmt)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    timed = _export_once(contract, fmt)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    traced = _export_once(contract, fmt)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "format": fmt,
        "city_id": contract.city_id,
        "actions": timed["actions"],
        "inventory_years": timed["inventory_years"],
        "seconds": round(timed["seconds"], 2),
        "snapshot_and_figures_seconds": round(timed["read_seconds"], 3),
        "bytes": timed["bytes"],
        "rss_peak_mb": round(rss_after / 1024, 1),
        "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "seconds_under_tracemalloc": round(traced["seconds"], 2),
    }


def exports(formats: tuple[str, ...] = ("pdf", "xlsx"), repeats: int = 1) -> list[dict[str, Any]]:
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


def note(exported: list[dict[str, Any]] | None) -> str:
    if not exported:
        return ""
    first = exported[0]
    lines = [
        f"| Contract export ({first['actions']} actions, {first['inventory_years']} inventory "
        "years) | wall (s) | of it snapshot + figures (s) | size (MB) | peak RSS (MiB) "
        "| RSS growth (MiB) | tracemalloc peak (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for e in exported:
        lines.append(
            f"| {e['format'].upper()} | {e['seconds']:.2f} "
            f"| {e['snapshot_and_figures_seconds']:.2f} "
            f"| {e['bytes'] / 1e6:.2f} | {e['rss_peak_mb']:.0f} | {e['rss_growth_mb']:.0f} "
            f"| {e['tracemalloc_peak_mb']:.0f} |"
        )
    lines.append(
        "\nEach export in a fresh process (the median of its runs: "
        + "; ".join(f"{e['format']} {e['runs_s']} s" for e in exported)
        + "); RSS growth: over the process once set up and warmed up by a tiny export."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=["pdf", "xlsx"], required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsettings")
    sys.path[:0] = [str(ROOT / "src"), str(BENCH)]
    import django

    django.setup()
    print(json.dumps(export_in_process(args.format)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""The database questions of one events page on the benchmark's PostgreSQL, and their plans.

    .venv/bin/python bench/explain_events.py /events/?country=DE
    .venv/bin/python bench/explain_events.py --as-regular 3 /events/mine/
    .venv/bin/python bench/explain_events.py --explain 3 /events/12345/

Requests the page in-process (the test client, the benchmark's settings) twice, as a visitor
or signed in as the n-th of `seed_events.regulars()` (the people the benchmark's signed-in
pages are requested as): the first time with an empty cache, the second as the benchmark's
warm runs see it. For each request prints the time, the number of queries and each query's
time and SQL (shortened); then EXPLAIN (ANALYZE, BUFFERS) of the `--explain` slowest SELECTs of
the first request. Read-only apart from what a GET writes (a session's expiry).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent / "src"), str(BENCH)]


def main(argv: list[str]) -> int:
    import run

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--as-regular", type=int, help="sign in as the n-th regular (0, 1…)")
    parser.add_argument("--explain", type=int, default=2, help="plans of the N slowest (2)")
    parser.add_argument("--width", type=int, default=220, help="characters of SQL shown")
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", run.database_url("postgresql"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsettings")
    import django

    django.setup()
    import seed_events
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    if args.as_regular is not None:
        user = get_user_model().objects.get(pk=seed_events.regulars()[args.as_regular])
        client.force_login(user)
        print(f"signed in as {user.email}")
    cache.clear()
    first = None
    for label in ("first request (empty cache)", "second request (warm)"):
        with CaptureQueriesContext(connection) as captured:
            started = time.monotonic()
            response = client.get(args.path)
            elapsed = 1000 * (time.monotonic() - started)
        queries = captured.captured_queries
        total = sum(float(q["time"]) for q in queries) * 1000
        print(
            f"--- {label}: HTTP {response.status_code}, {elapsed:.1f} ms, {len(queries)} "
            f"queries taking {total:.1f} ms, {len(response.content):,} bytes"
        )
        for number, query in enumerate(queries, start=1):
            sql = " ".join(query["sql"].split())
            print(f"{number:3d} {1000 * float(query['time']):7.2f} ms  {sql[: args.width]}")
        first = first or queries
    slowest = sorted(
        (q for q in first or [] if q["sql"].lstrip().upper().startswith("SELECT")),
        key=lambda q: -float(q["time"]),
    )[: args.explain]
    for query in slowest:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"\n--- {1000 * float(query['time']):.2f} ms: {query['sql'][:2000]}\n{plan}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python
"""EXPLAIN ANALYZE the database questions of one knowledge search on the benchmark's PostgreSQL.

    .venv/bin/python bench/explain_knowledge.py 'q="public transport"'
    .venv/bin/python bench/explain_knowledge.py 'q=&field=energy-systems&year=2024'

Prints the plans of the queries `core.search` runs for an anonymous visitor on a cache miss:
the total (count), the facet counts (one query per group: the facets without a filter, then one
per filtered facet) and the ranked (or newest-first) page of ids. Read-only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent / "src"), str(BENCH)]


def main(argv: list[str]) -> int:
    import run

    if len(argv) != 1:
        print(__doc__)
        return 2
    os.environ.setdefault("DATABASE_URL", run.database_url("postgresql"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsettings")
    import django

    django.setup()
    from django.contrib.postgres.search import SearchRank
    from django.db import connection
    from django.db.models import Count, F
    from django.http import QueryDict

    from netzerohub.core.models import SearchDocument, SearchFacet
    from netzerohub.core.search import engine, parse
    from netzerohub.knowledge.search import FACETS, SearchParams

    if connection.vendor != "postgresql":
        print("PostgreSQL only")
        return 2
    params = SearchParams.from_query(QueryDict(argv[0]))
    parsed, filters = parse(params.q), params.filters
    scope = SearchDocument.objects.filter(kind="knowledge.resource", audience__in=["public"])
    base = engine._match(scope, parsed) if parsed else scope
    documents = engine._filtered(base, filters)
    queries = [("total", documents)]
    groups = [[n for n in FACETS if n not in filters]] + [[n] for n in FACETS if n in filters]
    for names in groups:
        others = {k: v for k, v in filters.items() if names != [k]}
        rows = SearchFacet.objects.filter(
            facet__in=names, document__in=engine._filtered(base, others)
        )
        counts = rows.values_list("facet", "value").annotate(n=Count("id")).order_by()
        queries.append((f"facet counts {', '.join(names)}", counts))
    if parsed and params.sort == "relevance":
        rank = SearchRank(F("vector"), engine._pg_query(parsed))
        page = documents.annotate(rank=rank).order_by("-rank", "-date", "-id")
    else:
        page = documents.order_by("-date", "-id")
    queries.append(("page of ids", page.values_list("object_id", flat=True)[:20]))
    for label, queryset in queries:
        sql, sql_params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, sql_params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"--- {label}\n{plan}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

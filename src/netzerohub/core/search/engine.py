"""The portal's full-text search: index objects, then ask ranked, faceted questions.

Apps index what may be found (`index_object` when a resource is published, `unindex_object`
when it is withdrawn) and call `search()`; they never touch the index tables. PostgreSQL answers
with `websearch_to_tsquery` on a GIN-indexed tsvector, SQLite with FTS5; `query.parse` makes the
two answer the same question. Totals, facet counts and result pages are cached under a
generation number that every change of a kind's index bumps, so a repeated search costs one
cache round trip and a changed index is never served stale.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from ..models import SearchDocument, SearchFacet
from ..querysets import make_key
from .query import ParsedQuery, fts5_all, fts5_any, index_text, parse

MAX_INDEX_CHARS = 200_000  # a tsvector holds at most 1 MB; the start of a document is enough
CACHE_SECONDS = 300
RELEVANCE, NEWEST = "relevance", "date"
_PG_CONFIG = "english"
_SQLITE_RANKED = (
    "SELECT d.object_id FROM core_searchdocument_fts "
    "JOIN core_searchdocument d ON d.id = core_searchdocument_fts.rowid "
    "WHERE core_searchdocument_fts MATCH %s AND d.id IN ({inner}) "
    "ORDER BY bm25(core_searchdocument_fts, 10.0, 1.0), d.date DESC NULLS FIRST, d.id DESC "
    "LIMIT %s OFFSET %s"
)
_FTS_IDS = "SELECT rowid FROM core_searchdocument_fts WHERE core_searchdocument_fts MATCH %s"


def _vector() -> Any:
    # `||` continues the text's positions right after the title's: a leading stop word leaves
    # a gap, so that a phrase cannot run from the title into the text (it cannot in FTS5).
    text = Concat(Value("the "), "text", output_field=TextField())
    return SearchVector("title", weight="A", config=_PG_CONFIG) + SearchVector(
        text, weight="D", config=_PG_CONFIG
    )


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def kind_of(model_or_obj: Any) -> str:
    return model_or_obj._meta.label_lower


# --- writing the index ---------------------------------------------------------------------


def index_object(
    obj: Any,
    *,
    title: str,
    text: str,
    audience: str,
    date: Date | None,
    facets: Mapping[str, Iterable[str]],
) -> SearchDocument:
    """Put `obj` in the index (or refresh it). Call inside the transaction that changed it."""
    kind = kind_of(obj)
    document, _ = SearchDocument.objects.update_or_create(
        kind=kind,
        object_id=obj.pk,
        defaults={
            "audience": audience,
            "title": index_text(title)[:300],
            "text": index_text(text[:MAX_INDEX_CHARS])[:MAX_INDEX_CHARS],
            "date": date,
        },
    )
    SearchFacet.objects.filter(document=document).delete()
    SearchFacet.objects.bulk_create(
        SearchFacet(document=document, facet=name, value=str(value)[:80])
        for name, values in facets.items()
        for value in set(values)
    )
    if _is_postgres():
        SearchDocument.objects.filter(pk=document.pk).update(vector=_vector())
    _bump_on_commit(kind)
    return document


def unindex_object(obj: Any) -> None:
    """Take `obj` out of the index: nobody finds it any more."""
    kind = kind_of(obj)
    SearchDocument.objects.filter(kind=kind, object_id=obj.pk).delete()
    _bump_on_commit(kind)


def build_vectors(kind: str | None = None) -> int:
    """Fill missing tsvectors in one statement (after a bulk load); SQLite needs nothing."""
    if not _is_postgres():
        return 0
    queryset = SearchDocument.objects.filter(vector__isnull=True)
    if kind:
        queryset = queryset.filter(kind=kind)
    count = queryset.update(vector=_vector())
    _bump_on_commit(kind)
    return count


def _generation_key(kind: str | None) -> str:
    return f"search:generation:{kind or '*'}"


def generation(kind: str) -> int:
    """A number that changes whenever the index of `kind` changes: callers that cache what
    they built from search results put it in their cache keys."""
    # A counter lost from the cache restarts from the clock, above any number it had before:
    # restarting it from 1 would bring back older numbers whose pages may still be cached.
    return int(cache.get_or_set(_generation_key(kind), time.time_ns, None)) + int(
        cache.get_or_set(_generation_key(None), time.time_ns, None)
    )


def _bump_on_commit(kind: str | None) -> None:
    def bump() -> None:
        key = _generation_key(kind)
        try:
            cache.incr(key)
        except ValueError:  # not cached (evicted): a number it never had (see `generation`)
            cache.set(key, time.time_ns(), None)

    transaction.on_commit(bump)


# --- asking the index ----------------------------------------------------------------------


@dataclass
class SearchResults:
    query: ParsedQuery
    total: int
    page: int
    per_page: int
    object_ids: list[int]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    sort: str = RELEVANCE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def end_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def search(
    kind: str,
    *,
    audiences: Sequence[str],
    query: str | ParsedQuery = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    facets: Sequence[str] = (),
    sort: str = RELEVANCE,
    page: int = 1,
    per_page: int = 20,
) -> SearchResults:
    """Ranked, filtered, faceted search over the documents of `kind` that `audiences` may find.

    `filters` maps a facet to the values wanted: values of one facet are alternatives (OR),
    facets combine (AND). Each facet's counts apply every filter but its own, so a list of
    checkboxes shows what ticking one more would add. `sort` is relevance (newest first when
    there is no text to rank by) or date. `page` beyond the last gives the last page.
    """
    parsed = query if isinstance(query, ParsedQuery) else parse(query)
    filters = {name: sorted(set(values)) for name, values in (filters or {}).items() if values}
    audiences = sorted(set(audiences))
    key_parts = (kind, audiences, parsed.clauses, parsed.only_stop_words, sorted(filters.items()))
    generation_now = generation(kind)

    scope = SearchDocument.objects.filter(kind=kind, audience__in=audiences)
    base = scope
    if parsed:
        base = _match(scope, parsed)
    elif parsed.only_stop_words:
        base = scope.none()

    total = _cached(("total", *key_parts, generation_now), lambda: _filtered(base, filters).count())
    facet_counts = _cached(
        ("facets", *key_parts, tuple(facets), generation_now),
        lambda: _facet_counts(base, filters, facets),
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    # An alternative of only excluded words has nothing to rank by: newest first, as on SQLite.
    ranked = sort == RELEVANCE and bool(parsed) and not parsed.has_negative_only_clause
    ids = _cached(
        ("page", *key_parts, ranked, page, per_page, generation_now),
        lambda: _page_ids(scope, base, filters, parsed, ranked, page, per_page),
    )
    return SearchResults(
        query=parsed,
        total=total,
        page=page,
        per_page=per_page,
        object_ids=ids,
        facets=facet_counts,
        sort=RELEVANCE if ranked or not parsed else NEWEST,
    )


def recent(
    kind: str, *, audiences: Sequence[str], filters: Mapping[str, Sequence[str]], limit: int
) -> list[int]:
    """Object ids of the `limit` most recently indexed documents of `kind` that `audiences` may
    find and that match `filters` (as in `search`): candidates without text, totals or facet
    counts, cached under the index generation. Ordered by the index row (a backward scan of two
    indexes, a few milliseconds at 100,000 documents; ordering by date sorts every match)."""
    filters = {name: sorted(set(values)) for name, values in filters.items() if values}
    audiences = sorted(set(audiences))
    parts = ("recent", kind, audiences, sorted(filters.items()), limit, generation(kind))
    scope = SearchDocument.objects.filter(kind=kind, audience__in=audiences)
    ids = _filtered(scope, filters).order_by("-id").values_list("object_id", flat=True)
    return _cached(parts, lambda: list(ids[:limit]))


def facets_of(
    kind: str, object_ids: Iterable[int], names: Sequence[str]
) -> dict[int, dict[str, list[str]]]:
    """{object id: {facet: values}} of the facets `names` under which these objects of `kind`
    are indexed, in one query (objects not in the index are missing)."""
    rows = SearchFacet.objects.filter(
        document__kind=kind, document__object_id__in=list(object_ids), facet__in=list(names)
    ).values_list("document__object_id", "facet", "value")
    found: dict[int, dict[str, list[str]]] = {}
    for object_id, facet, value in rows:
        found.setdefault(object_id, {}).setdefault(facet, []).append(value)
    return found


def _cached(parts: tuple, compute: Any) -> Any:
    key = make_key("search", *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _match(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    if _is_postgres():
        return queryset.filter(vector=_pg_query(parsed))
    condition = Q()
    for clause in parsed.clauses:
        if clause.positive:
            condition |= Q(id__in=RawSQL(_FTS_IDS, [_fts5_clause(clause)]))  # noqa: S611
        else:
            condition |= ~Q(id__in=RawSQL(_FTS_IDS, [fts5_any(clause.negative)]))  # noqa: S611
    return queryset.filter(condition)


def _pg_query(parsed: ParsedQuery) -> SearchQuery:
    return SearchQuery(parsed.websearch(), search_type="websearch", config=_PG_CONFIG)


def _fts5_clause(clause: Any) -> str:
    expression = fts5_all(clause.positive)
    if clause.negative:
        expression = f"({expression}) NOT ({fts5_any(clause.negative)})"
    return expression


def _filtered(queryset: QuerySet, filters: Mapping[str, Sequence[str]]) -> QuerySet:
    for name, values in filters.items():
        queryset = queryset.filter(
            id__in=SearchFacet.objects.filter(facet=name, value__in=values).values("document_id")
        )
    return queryset


def _facet_counts(
    base: QuerySet, filters: Mapping[str, Sequence[str]], facets: Sequence[str]
) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {name: {} for name in facets}
    plain = [name for name in facets if name not in filters]
    groups: list[tuple[list[str], QuerySet]] = []
    if plain:
        groups.append((plain, _filtered(base, filters)))
    for name in facets:
        if name in filters:
            others = {k: v for k, v in filters.items() if k != name}
            groups.append(([name], _filtered(base, others)))
    for names, documents in groups:
        rows = (
            SearchFacet.objects.filter(facet__in=names, document__in=documents)
            .values_list("facet", "value")
            .annotate(n=Count("id"))
            .order_by()
        )
        for name, value, n in rows:
            counts[name][value] = n
    return counts


def _page_ids(
    scope: QuerySet,
    base: QuerySet,
    filters: Mapping[str, Sequence[str]],
    parsed: ParsedQuery,
    ranked: bool,
    page: int,
    per_page: int,
) -> list[int]:
    offset = (page - 1) * per_page
    documents = _filtered(base, filters)
    # Undated documents first, as PostgreSQL orders `date DESC` and its index serves it.
    newest = F("date").desc(nulls_first=True)
    if ranked and _is_postgres():
        documents = documents.annotate(rank=SearchRank(F("vector"), _pg_query(parsed)))
        order = ("-rank", newest, "-id")
    elif ranked:
        # The FTS5 join applies the text match itself: filter the unmatched scope.
        return _sqlite_ranked_ids(_filtered(scope, filters), parsed, offset, per_page)
    else:
        order = (newest, "-id")
    ids = documents.order_by(*order).values_list("object_id", flat=True)
    return list(ids[offset : offset + per_page])


def _sqlite_ranked_ids(
    documents: QuerySet, parsed: ParsedQuery, offset: int, limit: int
) -> list[int]:
    # bm25 needs the MATCH in the same SELECT, so rank through a join with the FTS table.
    expression = " OR ".join(f"({_fts5_clause(c)})" for c in parsed.clauses)
    try:
        inner_sql, inner_params = documents.values("id").query.sql_with_params()
    except EmptyResultSet:  # no audience at all: Django has no SQL for "nothing"
        return []
    # Constant SQL around Django's own compiled subquery; the search text is a parameter.
    sql = _SQLITE_RANKED.format(inner=inner_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression, *inner_params, limit, offset])
        return [row[0] for row in cursor.fetchall()]

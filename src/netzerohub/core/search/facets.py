"""Faceted search pages: URL parameters in, labelled facet groups and page links out.

Each searchable kind declares its `Faceting` (facet names, their labels, the labels of their
values) and subclasses `SearchParams` with it. Unknown values are dropped, never an error, so a
shared or edited URL always works; the URL is the search.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlencode

from .engine import NEWEST, RELEVANCE, SearchResults
from .query import MAX_QUERY_CHARS


def is_number(value: str) -> bool:
    # ASCII digits only: "²".isdigit() is true, but int("²") raises.
    return value.isascii() and value.isdigit()


@dataclass(frozen=True)
class Faceting:
    """The facets of one kind of search result.

    `value_labels()` returns {facet: {value: label}}; a value without a label is unknown and
    dropped, except in `years` facets, which take any year from 1900 to 2100. Facets in
    `fixed_order` list their values in label order (a taxonomy); the others by count.
    """

    names: tuple[str, ...]
    labels: Mapping[str, Any]
    value_labels: Callable[[], dict[str, dict[str, str]]]
    fixed_order: frozenset[str] = frozenset()
    years: frozenset[str] = frozenset()
    sorts: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class SearchParams:
    """What was asked: words, chosen facet values, sort and page. Subclasses set `faceting`."""

    faceting: ClassVar[Faceting]

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = RELEVANCE
    page: int = 1

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> SearchParams:
        """Read `?q=&<facet>=…&sort=&page=` (a QueryDict or a plain dict of lists/values)."""
        faceting = cls.faceting
        labels = faceting.value_labels()

        def values(name: str) -> list[str]:
            raw = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
            raw = [raw] if isinstance(raw, str) else list(raw)
            if name in faceting.years:
                return sorted({v for v in raw if is_number(v) and 1900 <= int(v) <= 2100})
            return sorted({v for v in raw if v in labels.get(name, {})})

        page = str(data.get("page") or "1")
        sort = data.get("sort") or RELEVANCE
        return cls(
            q=str(data.get("q") or "")[:MAX_QUERY_CHARS],
            filters={name: v for name in faceting.names if (v := values(name))},
            sort=sort if sort in faceting.sorts else RELEVANCE,
            page=int(page) if is_number(page) and len(page) < 7 else 1,
        )

    def query_string(self, **changes: Any) -> str:
        """This search as a URL query (`changes` replace parts: `page=2`, `filters={...}`)."""
        q = changes.get("q", self.q)
        filters = changes.get("filters", self.filters)
        sort = changes.get("sort", self.sort)
        page = changes.get("page", 1)
        pairs: list[tuple[str, str]] = [("q", q)] if q else []
        for name in self.faceting.names:
            pairs.extend((name, value) for value in filters.get(name, []))
        if sort != RELEVANCE:
            pairs.append(("sort", sort))
        if page and page > 1:
            pairs.append(("page", str(page)))
        return urlencode(pairs)

    def toggled(self, name: str, value: str) -> str:
        current = self.filters.get(name, [])
        new = [v for v in current if v != value] if value in current else [*current, value]
        filters = {**self.filters, name: new}
        return self.query_string(filters={k: v for k, v in filters.items() if v})

    def without(self, name: str) -> str:
        return self.query_string(filters={k: v for k, v in self.filters.items() if k != name})


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class FacetGroup:
    name: str
    label: str
    values: list[FacetValue]
    selected: bool


def facet_groups(
    results: SearchResults, params: SearchParams, labels: dict[str, dict[str, str]]
) -> list[FacetGroup]:
    """The facets of `results`, labelled, ordered and linked for the page."""
    faceting = params.faceting
    groups = []
    for name in faceting.names:
        counts = results.facets.get(name, {})
        chosen = params.filters.get(name, [])
        names = labels.get(name, {})
        position = {v: i for i, v in enumerate(names)}
        if name in faceting.years:
            order = sorted(counts, reverse=True)
        elif name in faceting.fixed_order:
            order = sorted(counts, key=lambda v: position.get(v, len(position)))
        else:
            order = sorted(counts, key=lambda v: (-counts[v], position.get(v, 0), v))
        values = [
            FacetValue(v, names.get(v, v), counts[v], v in chosen, params.toggled(name, v))
            for v in order
        ]
        for v in chosen:  # a chosen value with no result still shows, so it can be unticked
            if v not in counts:
                values.append(FacetValue(v, names.get(v, v), 0, True, params.toggled(name, v)))
        if values:
            groups.append(FacetGroup(name, str(faceting.labels[name]), values, bool(chosen)))
    return groups


@dataclass
class SearchPage:
    """A page of results with its facets and the links a search page offers."""

    params: SearchParams
    results: SearchResults
    facets: list[FacetGroup]
    labels: dict[str, dict[str, str]]

    def _url(self, page: int) -> str:
        return "?" + self.params.query_string(page=page)

    @property
    def previous_url(self) -> str:
        return self._url(self.results.page - 1) if self.results.has_previous else ""

    @property
    def next_url(self) -> str:
        return self._url(self.results.page + 1) if self.results.has_next else ""

    @property
    def clear_url(self) -> str:
        """The same words without any filter (offered when nothing is found)."""
        return "?" + self.params.query_string(filters={})

    def facet_counts(self) -> dict[str, list[dict[str, Any]]]:
        """The facets as plain data for an API: every facet name, with [] when it has no value."""
        counts: dict[str, list[dict[str, Any]]] = {name: [] for name in self.params.faceting.names}
        for group in self.facets:
            counts[group.name] = [
                {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                for v in group.values
            ]
        return counts

    @property
    def active_filters(self) -> list[tuple[str, str, str]]:
        """(facet label, value label, URL without this value) for each chosen filter."""
        labels = self.params.faceting.labels
        return [
            (str(labels[name]), self.labels.get(name, {}).get(v, v), self.params.toggled(name, v))
            for name, values in self.params.filters.items()
            for v in values
        ]


__all__ = [
    "NEWEST",
    "FacetGroup",
    "FacetValue",
    "Faceting",
    "SearchPage",
    "SearchParams",
    "facet_groups",
    "is_number",
]

"""Searching resources: request parameters in, resources with snippets and facets out.

A thin layer over `core.search`: it validates the parameters (unknown values are dropped, never
an error, so a shared or edited URL always works), asks the index with the audiences the person
may see, loads the resources of one page in the index's order and labels the facet values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from netzerohub.cities.models import Country
from netzerohub.cities.policies import is_programme_member
from netzerohub.core import search
from netzerohub.core.languages import LANGUAGE_NAMES
from netzerohub.core.models import Term

from .models import Resource

FACETS = ("type", "field", "lever", "step", "country", "language", "year", "mission")
FACET_LABELS = {
    "type": _("Type"),
    "field": _("Field of action"),
    "lever": _("Lever of change"),
    "step": _("Transition Map step"),
    "country": _("Country"),
    "language": _("Language"),
    "year": _("Year"),
    "mission": _("Source"),
}
PER_PAGE = 20
SORTS = {search.RELEVANCE: _("Relevance"), search.NEWEST: _("Newest first")}


def audiences_for(user: Any) -> list[str]:
    if is_programme_member(user):
        return [Resource.Visibility.PUBLIC, Resource.Visibility.MEMBERS]
    return [Resource.Visibility.PUBLIC]


def value_labels() -> dict[str, dict[str, str]]:
    """Labels of every facet value, by facet (cached: terms and countries rarely change)."""
    labels = cache.get("knowledge:facet-labels")
    if labels is None:
        labels = {
            "field": {},
            "lever": {},
            "step": {},
            "country": dict(Country.objects.values_list("code", "name")),
        }
        for kind, slug, name in Term.objects.values_list("kind", "slug", "name"):
            labels[kind][slug] = name
        cache.set("knowledge:facet-labels", labels, 600)
    return {
        **labels,
        "type": {k: str(v) for k, v in Resource.Type.choices},
        "language": {k: str(v) for k, v in LANGUAGE_NAMES.items()},
        "mission": {"1": str(_("Mission Cities only"))},
    }


def _is_number(value: str) -> bool:
    # ASCII digits only: "²".isdigit() is true, but int("²") raises.
    return value.isascii() and value.isdigit()


@dataclass
class SearchParams:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = search.RELEVANCE
    page: int = 1

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> SearchParams:
        """Read `?q=&type=guide&field=…&page=` (a QueryDict or a plain dict of lists/values)."""
        labels = value_labels()

        def values(name: str) -> list[str]:
            raw = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
            raw = [raw] if isinstance(raw, str) else list(raw)
            if name == "year":
                return sorted({v for v in raw if _is_number(v) and 1900 <= int(v) <= 2100})
            return sorted({v for v in raw if v in labels[name]})

        page = str(data.get("page") or "1")
        sort = data.get("sort") or search.RELEVANCE
        return cls(
            q=str(data.get("q") or "")[: search.MAX_QUERY_CHARS],
            filters={name: v for name in FACETS if (v := values(name))},
            sort=sort if sort in SORTS else search.RELEVANCE,
            page=int(page) if _is_number(page) and len(page) < 7 else 1,
        )

    def query_string(self, **changes: Any) -> str:
        """This search as a URL query (`changes` replace parts: `page=2`, `filters={...}`)."""
        q = changes.get("q", self.q)
        filters = changes.get("filters", self.filters)
        sort = changes.get("sort", self.sort)
        page = changes.get("page", 1)
        pairs: list[tuple[str, str]] = [("q", q)] if q else []
        for name in FACETS:
            pairs.extend((name, value) for value in filters.get(name, []))
        if sort != search.RELEVANCE:
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
class Hit:
    resource: Resource
    snippet: SafeString
    in_file: bool = False  # the words were found only in an attached file's text


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


@dataclass
class ResourceSearch:
    params: SearchParams
    results: search.SearchResults
    hits: list[Hit]
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

    @property
    def active_filters(self) -> list[tuple[str, str, str]]:
        """(facet label, value label, URL without this value) for each chosen filter."""
        return [
            (
                str(FACET_LABELS[name]),
                self.labels.get(name, {}).get(v, v),
                self.params.toggled(name, v),
            )
            for name, values in self.params.filters.items()
            for v in values
        ]


def search_resources(
    user: Any, params: SearchParams, *, per_page: int = PER_PAGE, snippets: bool = True
) -> ResourceSearch:
    audiences = audiences_for(user)
    results = search.search(
        search.kind_of(Resource),
        audiences=audiences,
        query=params.q,
        filters=params.filters,
        facets=FACETS,
        sort=params.sort,
        page=params.page,
        per_page=per_page,
    )
    by_id = Resource.objects.for_listing().in_bulk(results.object_ids)
    # The index is updated in the same transaction as the resource; the status and visibility
    # checks are a second lock on the door (a hit is only shown if the person may still read it,
    # even when a change made outside the services left the index behind).
    hits = [
        _hit(resource, results.query) if snippets else Hit(resource, SafeString(""))
        for pk in results.object_ids
        if (resource := by_id.get(pk)) is not None
        and resource.is_published
        and resource.visibility in audiences
    ]
    labels = value_labels()
    return ResourceSearch(params, results, hits, _facet_groups(results, params, labels), labels)


def _hit(resource: Resource, query: search.ParsedQuery) -> Hit:
    snippet = search.highlight(f"{resource.summary} {resource.body_text}", query)
    if not query or "<mark>" in snippet:
        return Hit(resource, snippet)
    in_title = "<mark>" in search.highlight(resource.title, query)
    return Hit(resource, snippet, in_file=not in_title)


def _facet_groups(
    results: search.SearchResults, params: SearchParams, labels: dict[str, dict[str, str]]
) -> list[FacetGroup]:
    groups = []
    for name in FACETS:
        counts = results.facets.get(name, {})
        chosen = params.filters.get(name, [])
        names = labels.get(name, {})
        order = sorted(counts, reverse=True) if name == "year" else None
        if order is None:
            position = {v: i for i, v in enumerate(names)}
            order = sorted(counts, key=lambda v: (-counts[v], position.get(v, 0), v))
            if name in {"field", "lever", "step", "type"}:
                order = sorted(counts, key=lambda v: position.get(v, len(position)))
        values = [
            FacetValue(v, names.get(v, v), counts[v], v in chosen, params.toggled(name, v))
            for v in order
        ]
        for v in chosen:  # a chosen value with no result still shows, so it can be unticked
            if v not in counts:
                values.append(FacetValue(v, names.get(v, v), 0, True, params.toggled(name, v)))
        if values:
            groups.append(FacetGroup(name, str(FACET_LABELS[name]), values, bool(chosen)))
    return groups

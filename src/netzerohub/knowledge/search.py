"""Searching resources: request parameters in, resources with snippets and facets out.

A thin layer over `core.search`: it validates the parameters (unknown values are dropped, never
an error, so a shared or edited URL always works), asks the index with the audiences the person
may see, loads the resources of one page in the index's order and labels the facet values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from netzerohub.cities.models import Country
from netzerohub.cities.policies import is_programme_member
from netzerohub.core import search
from netzerohub.core.languages import LANGUAGE_NAMES
from netzerohub.core.models import Term
from netzerohub.core.search import facets
from netzerohub.core.search.facets import Faceting

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
    countries = cache.get("knowledge:country-labels")
    if countries is None:
        countries = dict(Country.objects.values_list("code", "name"))
        cache.set("knowledge:country-labels", countries, 600)
    labels = {**Term.objects.labels(), "country": countries}
    return {
        **labels,
        "type": {k: str(v) for k, v in Resource.Type.choices},
        "language": {k: str(v) for k, v in LANGUAGE_NAMES.items()},
        "mission": {"1": str(_("Mission Cities only"))},
    }


KNOWLEDGE_FACETING = Faceting(
    names=FACETS,
    labels=FACET_LABELS,
    value_labels=value_labels,
    fixed_order=frozenset({"field", "lever", "step", "type"}),
    years=frozenset({"year"}),
    sorts=SORTS,
)


class SearchParams(facets.SearchParams):
    faceting = KNOWLEDGE_FACETING


@dataclass
class Hit:
    resource: Resource
    snippet: SafeString
    in_file: bool = False  # the words were found only in an attached file's text


@dataclass
class ResourceSearch(facets.SearchPage):
    hits: list[Hit] = field(default_factory=list)


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
    groups = facets.facet_groups(results, params, labels)
    return ResourceSearch(params, results, groups, labels, hits=hits)


def _hit(resource: Resource, query: search.ParsedQuery) -> Hit:
    snippet = search.highlight(f"{resource.summary} {resource.body_text}", query)
    if not query or "<mark>" in snippet:
        return Hit(resource, snippet)
    in_title = "<mark>" in search.highlight(resource.title, query)
    return Hit(resource, snippet, in_file=not in_title)

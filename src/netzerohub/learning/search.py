"""The course catalogue's search: the knowledge repository's mechanism (`core.search` and its
facets) over the index of published courses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from netzerohub.core import search
from netzerohub.core.languages import LANGUAGE_NAMES
from netzerohub.core.models import Term
from netzerohub.core.search import facets

from .models import Course, Level

FACETS = ("field", "lever", "step", "level", "language", "duration")
FACET_LABELS = {
    "field": _("Field of action"),
    "lever": _("Lever of change"),
    "step": _("Transition Map step"),
    "level": _("Level"),
    "language": _("Language"),
    "duration": _("Duration"),
}
DURATION_LABELS = {
    "short": _("Up to an hour"),
    "medium": _("One to three hours"),
    "long": _("More than three hours"),
}
SORTS = {search.RELEVANCE: _("Relevance"), search.NEWEST: _("Newest first")}
PER_PAGE = 20


def value_labels() -> dict[str, dict[str, str]]:
    return {
        **Term.objects.labels(),
        "level": {k: str(v) for k, v in Level.choices},
        "language": {k: str(v) for k, v in LANGUAGE_NAMES.items()},
        "duration": {k: str(v) for k, v in DURATION_LABELS.items()},
    }


class CatalogueParams(facets.SearchParams):
    faceting = facets.Faceting(
        names=FACETS,
        labels=FACET_LABELS,
        value_labels=value_labels,
        fixed_order=frozenset({"field", "lever", "step", "level", "duration"}),
        sorts=SORTS,
    )


@dataclass
class CatalogueSearch(facets.SearchPage):
    courses: list[Course] = field(default_factory=list)


def search_courses(params: CatalogueParams, *, per_page: int = PER_PAGE) -> CatalogueSearch:
    """A page of published courses matching `params`, in the index's order, with facets."""
    results = search.search(
        search.kind_of(Course),
        audiences=["public"],
        query=params.q,
        filters=params.filters,
        facets=FACETS,
        sort=params.sort,
        page=params.page,
        per_page=per_page,
    )
    by_id = Course.objects.for_listing().in_bulk(results.object_ids)
    # A hit is shown only if the course is still published (a second lock on the door).
    courses = [
        course
        for pk in results.object_ids
        if (course := by_id.get(pk)) is not None and course.is_published
    ]
    labels = value_labels()
    groups = facets.facet_groups(results, params, labels)
    return CatalogueSearch(params, results, groups, labels, courses=courses)


def catalogue_key(params: CatalogueParams, *parts: Any) -> tuple:
    return (
        params.query_string(page=params.page),
        search.generation(search.kind_of(Course)),
        *parts,
    )

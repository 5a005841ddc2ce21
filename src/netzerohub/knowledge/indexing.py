"""Keeping the search index in step with resources: what a published resource is found by."""

from __future__ import annotations

from collections.abc import Iterable

from netzerohub.core import search

from .models import Resource

S = Resource.Status


def search_facets(resource: Resource) -> dict[str, list[str]]:
    """The facet values a resource is found under (see `knowledge.search.FACETS`)."""
    facets: dict[str, list[str]] = {
        "type": [resource.type],
        "field": [t.slug for t in resource.fields.all()],
        "lever": [t.slug for t in resource.levers.all()],
        "step": [resource.step.slug] if resource.step_id else [],
        "country": [c.code for c in resource.countries.all()],
        "language": list(resource.languages),
        "year": [str(resource.published_on.year)] if resource.published_on else [],
    }
    if resource.city_id and resource.city.is_mission_city:
        facets["mission"] = ["1"]
    return facets


def search_text(resource: Resource, attachment_texts: Iterable[str] = ()) -> str:
    return "\n".join([resource.summary, resource.body_text, *attachment_texts])


def reindex_resource(resource: Resource) -> None:
    """Index a published resource; take anything else out of the index."""
    if resource.status != S.PUBLISHED:
        search.unindex_object(resource)
        return
    texts = resource.attachments.exclude(text="").values_list("text", flat=True)
    search.index_object(
        resource,
        title=resource.title,
        text=search_text(resource, texts),
        audience=resource.visibility,
        date=resource.published_on,
        facets=search_facets(resource),
    )

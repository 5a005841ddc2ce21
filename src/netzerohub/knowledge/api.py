"""Knowledge repository API: search with facet counts, and one resource."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from netzerohub.accounts.auth import OPTIONAL_AUTH
from netzerohub.core import search
from netzerohub.core.api import ErrorOut, FacetCountOut, ValidationErrorOut
from netzerohub.core.markdown import render_markdown
from netzerohub.core.querysets import make_key

from .models import Resource
from .policies import get_resource_for_user
from .search import SearchParams, audiences_for, search_resources

router = Router(tags=["knowledge"])
PER_PAGE = 20
RESULTS_SECONDS = 300  # keys carry the index generation: a change is never served stale


class ResourceOut(Schema):
    id: int
    title: str
    summary: str
    type: str
    city: str | None = Field(None, description="Source city, if any")
    city_country: str | None = None
    mission_city: bool
    published_on: datetime.date | None
    visibility: str
    url: str


class LinkOut(Schema):
    url: str
    title: str


class AttachmentOut(Schema):
    name: str
    kind: str
    size: int
    url: str


class ResourceDetailOut(ResourceOut):
    body_markdown: str
    body_html: str
    fields: list[str]
    levers: list[str]
    step: str | None
    countries: list[str]
    languages: list[str]
    authors: str
    licence: str
    links: list[LinkOut]
    attachments: list[AttachmentOut]


class ResourcePageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[ResourceOut]
    facets: dict[str, list[FacetCountOut]]


class ResourceFilters(Schema):
    q: str = Field("", description='Search text: words, "a phrase", -exclude, OR.')
    type: list[str] = Field([], description="Resource types (repeat for several)")
    field: list[str] = Field([], description="Field of action slugs")
    lever: list[str] = Field([], description="Lever of change slugs")
    step: list[str] = Field([], description="Transition Map step slugs")
    country: list[str] = Field([], description="ISO 3166-1 alpha-2 codes")
    language: list[str] = Field([], description="ISO 639-1 codes")
    year: list[str] = Field([], description="Publication years")
    mission: list[str] = Field([], description='"1": from Mission Cities only')
    sort: str = Field("relevance", description="relevance or date")
    page: int = Field(1, ge=1, le=100000)


def _out(resource: Resource) -> dict:
    city = resource.city
    return {
        "id": resource.pk,
        "title": resource.title,
        "summary": resource.summary,
        "type": resource.type,
        "city": city.name if city else None,
        "city_country": city.country.code if city else None,
        "mission_city": bool(city and city.is_mission_city),
        "published_on": resource.published_on,
        "visibility": resource.visibility,
        "url": resource.get_absolute_url(),
    }


@router.get(
    "/resources",
    auth=OPTIONAL_AUTH,
    response={200: ResourcePageOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Search the knowledge repository",
)
def resources(request: HttpRequest, filters: Query[ResourceFilters]) -> HttpResponse:
    """Ranked results and facet counts; members-only resources only for programme members.

    Unknown filter values are ignored (as on the search page). The JSON is validated against
    the schema once and cached under the index generation: a repeated search costs no
    serialisation."""
    data = filters.dict()
    data["page"] = str(filters.page)
    params = SearchParams.from_query(data)
    key = make_key(
        "knowledge.api.results",
        audiences_for(request.user),
        params.query_string(page=params.page),
        search.generation(search.kind_of(Resource)),
    )
    body = cache.get_or_set(
        key,
        lambda: ResourcePageOut.model_validate(_page(request.user, params)).model_dump_json(),
        RESULTS_SECONDS,
    )
    return HttpResponse(body, content_type="application/json")


def _page(user, params: SearchParams) -> dict:
    found = search_resources(user, params, per_page=PER_PAGE, snippets=False)
    results = found.results
    return {
        "count": results.total,
        "page": results.page,
        "pages": results.pages,
        "results": [_out(hit.resource) for hit in found.hits],
        "facets": found.facet_counts(),
    }


@router.get(
    "/resources/{resource_id}",
    auth=OPTIONAL_AUTH,
    response={200: ResourceDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="One resource",
)
def resource(request: HttpRequest, resource_id: int) -> dict:
    r = get_resource_for_user(request.user, resource_id)
    return {
        **_out(r),
        "body_markdown": r.body,
        "body_html": str(render_markdown(r.body)),
        "fields": [t.slug for t in r.fields.all()],
        "levers": [t.slug for t in r.levers.all()],
        "step": r.step.slug if r.step_id else None,
        "countries": [c.code for c in r.countries.all()],
        "languages": r.languages,
        "authors": r.authors,
        "licence": r.licence,
        "links": r.links,
        "attachments": [
            {"name": a.name, "kind": a.kind, "size": a.size, "url": a.get_absolute_url()}
            for a in r.attachments.all()
        ],
    }

"""City directory API: countries, cities, eligibility, and a city's members (private)."""

from __future__ import annotations

from typing import Literal

from django.core.cache import cache
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from netzerohub.accounts.auth import API_AUTH
from netzerohub.core.api import ErrorOut, ValidationErrorOut
from netzerohub.core.paging import CachedCountPaginator
from netzerohub.core.querysets import make_key

from .eligibility import city_verdict, country_verdict
from .models import City, Country, Membership
from .policies import get_city_for_user
from .querysets import SEARCH_MAX_CHARS

router = Router(tags=["cities"])
PER_PAGE = 25
LIST_SECONDS = 60


class CountryOut(Schema):
    code: str
    name: str
    is_eu_member: bool
    is_associated: bool
    pillar_ii_only: bool
    eligible: bool


class CityOut(Schema):
    id: int
    name: str
    country: str = Field(..., description="ISO 3166-1 alpha-2 code")
    status: str
    population: int | None


class CityPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[CityOut]


class CityDetailOut(CityOut):
    country_name: str
    latitude: float | None
    longitude: float | None
    time_zone: str
    alternate_names: list[str]
    target_year: int | None
    com_signatory: bool
    com_year: int | None
    working_languages: list[str]
    website: str
    eligible: bool


class EligibilityOut(Schema):
    eligible: bool
    reasons: list[str]


class MemberOut(Schema):
    name: str
    role: str
    is_mentor: bool


class CityFilters(Schema):
    # Longer input is cut to the search limit (as on the directory page), not refused.
    search: str = Field(
        "", description=f"Name prefix; only the first {SEARCH_MAX_CHARS} characters count."
    )
    country: str = Field("", pattern="^[A-Za-z]{0,2}$", description="ISO 3166-1 alpha-2 code")
    status: Literal["", "mission", "pilot", "twin", "participating", "directory"] = ""
    page: int = Field(1, ge=1)


def _city_out(city: City) -> CityOut:
    return CityOut(
        id=city.pk,
        name=city.name,
        country=city.country.code,
        status=city.status,
        population=city.population,
    )


@router.get("/countries", response={200: list[CountryOut]}, summary="Countries of the directory")
def countries(request: HttpRequest) -> list[CountryOut]:
    return [
        CountryOut(
            code=c.code,
            name=c.name,
            is_eu_member=c.is_eu_member,
            is_associated=c.is_associated,
            pillar_ii_only=c.pillar_ii_only,
            eligible=country_verdict(c).eligible,
        )
        for c in Country.objects.all()
    ]


@router.get(
    "/cities",
    response={200: CityPageOut, 422: ValidationErrorOut},
    summary="Search the city directory",
)
def cities(request: HttpRequest, filters: Query[CityFilters]) -> dict:
    """A page of the directory; like the directory page, cached for a minute per question."""
    question = (filters.search, filters.country, filters.status)
    key = make_key("cities.api.list", question, filters.page)

    def answer() -> dict:
        rows = City.objects.directory(
            q=filters.search, country=filters.country, status=filters.status
        ).values_list("id", "name", "country__code", "status", "population")
        paginator = CachedCountPaginator(
            rows, PER_PAGE, count_key=make_key("cities.directory.api", question)
        )
        page = paginator.get_page(filters.page)
        # Plain dicts: the response schema validates them once.
        return {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "results": [
                {"id": i, "name": n, "country": c, "status": st, "population": p}
                for i, n, c, st, p in page.object_list
            ],
        }

    return cache.get_or_set(key, answer, LIST_SECONDS)


@router.get(
    "/cities/{city_id}",
    response={200: CityDetailOut, 404: ErrorOut},
    summary="One city's public profile",
)
def city(request: HttpRequest, city_id: int) -> CityDetailOut:
    c = get_city_for_user(request.user, city_id, "view")
    return CityDetailOut(
        **_city_out(c).dict(),
        country_name=c.country.name,
        latitude=c.latitude,
        longitude=c.longitude,
        time_zone=c.time_zone,
        alternate_names=c.alternate_names[:20],
        target_year=c.target_year,
        com_signatory=c.com_signatory,
        com_year=c.com_year,
        working_languages=c.working_languages,
        website=c.website,
        eligible=city_verdict(c).eligible,
    )


@router.get(
    "/cities/{city_id}/members",
    auth=API_AUTH,
    response={200: list[MemberOut], 401: ErrorOut, 404: ErrorOut},
    summary="A city's members (members of the city and coordinators only)",
)
def city_members(request: HttpRequest, city_id: int) -> list[MemberOut]:
    c = get_city_for_user(request.auth, city_id, "view_private")
    return [
        MemberOut(name=str(m.user), role=m.role, is_mentor=m.is_mentor)
        for m in Membership.objects.for_city(c).approved().select_related("user")
    ]


@router.get(
    "/eligibility",
    response={200: EligibilityOut, 404: ErrorOut, 422: ErrorOut},
    summary="Is a country or a city eligible for the programme?",
)
def eligibility(
    request: HttpRequest,
    country: str = Query("", pattern="^[A-Za-z]{0,2}$"),  # noqa: B008 - how ninja declares it
    city: int | None = None,
):
    if city is not None:
        c = City.objects.select_related("country").filter(pk=city).first()
        if c is None:
            raise HttpError(404, "No city has this id.")
        verdict = city_verdict(c)
    elif country:
        found = Country.objects.filter(code=country.upper()[:2]).first()
        if found is None:
            raise HttpError(404, "No country has this code in the directory.")
        verdict = country_verdict(found)
    else:
        raise HttpError(422, "Give either ?country=<ISO code> or ?city=<id>.")
    # Errors are raised (HttpError), not returned as tuples, which django-ninja deprecates.
    return EligibilityOut(eligible=verdict.eligible, reasons=verdict.reasons)

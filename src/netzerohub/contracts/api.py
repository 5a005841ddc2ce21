"""Climate City Contract API: a city's emission inventory and action portfolio (its members and
coordinators; anyone else gets the same 404 as for a city without a workspace), and the
published summaries (everyone; only the parts the city published — a part not published is
`null`, never its numbers).

Amounts are decimal strings (exact, as stored): t CO2e for emissions and reductions, EUR for
costs. Sub-sector and sector codes are those of the inventory's XLSX template; fields of action
and levers of change are taxonomy slugs.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from netzerohub.accounts.auth import API_AUTH, OPTIONAL_AUTH
from netzerohub.core.api import ErrorOut, ValidationErrorOut

from . import sectors
from .figures import figures_of
from .models import Action, Contract
from .policies import get_contract_for_user
from .public import public_gap, public_portfolio, public_trajectory

router = Router(tags=["contracts"])
PUBLIC_PAGE = 100


# --- schemas -----------------------------------------------------------------------------------


class EmissionOut(Schema):
    sector: str = Field(description="Sector code (stationary, transportation, waste, ippu, afolu)")
    subsector: str = Field(description="Sub-sector code")
    scope: int = Field(description="1, 2 or 3")
    tco2e: Decimal = Field(description="t CO2e (a removal is a positive amount)")
    removal: bool


class InventoryYearOut(Schema):
    year: int
    source: str
    gross: Decimal = Field(description="Emissions without removals, t CO2e")
    removals: Decimal
    net: Decimal
    rows: list[EmissionOut]


class InventoryOut(Schema):
    city_id: int
    baseline_year: int | None
    target_year: int | None
    years: list[InventoryYearOut]


class ActionOut(Schema):
    id: int
    title: str
    field: str | None = Field(None, description="Field of action (slug)")
    lever: str | None = Field(None, description="Lever of change (slug)")
    description: str = Field(description="Markdown")
    responsible: str
    stakeholders: str
    starts: datetime.date | None
    ends: datetime.date | None
    status: str = Field(description="planned, in_progress, done or delayed")
    capital_cost: Decimal | None = Field(None, description="EUR")
    operating_cost: Decimal | None = Field(None, description="EUR a year")
    co_benefits: list[str]
    reductions: dict[str, Decimal] = Field(
        description="Expected annual reduction per sector code, t CO2e a year"
    )


class InterimTargetOut(Schema):
    year: int
    reduction_share: Decimal = Field(description="Below the baseline: 0.5 for 50 %")
    note: str


class SignatoryOut(Schema):
    organisation: str
    commitment: str = Field(description="Markdown")
    signed_on: datetime.date | None


class YearTotalsOut(Schema):
    year: int
    gross: Decimal
    removals: Decimal
    net: Decimal


class TrajectoryOut(Schema):
    baseline_year: int
    target_year: int
    baseline: Decimal = Field(description="Gross emissions of the baseline year, t CO2e")
    years: list[YearTotalsOut]
    bau: Decimal | None = Field(None, description="Business as usual in the target year")
    residual: Decimal | None = Field(None, description="Residual emissions offset, at most 20 %")
    required: Decimal | None = Field(None, description="Required reduction by the target year")


class PublicActionOut(Schema):
    title: str
    field: str = Field(description="Field of action (name)")
    lever: str = Field(description="Lever of change (name)")
    status: str
    starts: datetime.date | None
    ends: datetime.date | None
    reduction: Decimal = Field(description="Expected annual reduction, t CO2e a year")


class PortfolioOut(Schema):
    actions: list[PublicActionOut]
    expected: Decimal = Field(description="The sum of the expected reductions")


class GapOut(Schema):
    required: Decimal
    expected: Decimal
    gap: Decimal = Field(description="required − expected; zero or less: closed")


class PublicListItemOut(Schema):
    city_id: int
    city: str
    country: str
    target_year: int | None
    trajectory_published: bool
    portfolio_published: bool
    is_sample: bool = Field(description="Invented demo content")


class PublicSummaryOut(PublicListItemOut):
    baseline_year: int | None
    ambition: str = Field(description="Markdown")
    priorities: str = Field(description="Markdown")
    interim_targets: list[InterimTargetOut]
    signatories: list[SignatoryOut]
    trajectory: TrajectoryOut | None = Field(None, description="null unless published")
    portfolio: PortfolioOut | None = Field(None, description="null unless published")
    gap: GapOut | None = Field(
        None, description="null unless both the trajectory and the portfolio are published"
    )


# --- members and coordinators ----------------------------------------------------------------


@router.get(
    "/contracts/{city_id}/inventory",
    auth=API_AUTH,
    response={200: InventoryOut, 401: ErrorOut, 404: ErrorOut},
    summary="A city's emission inventory, every year",
)
def inventory(request: HttpRequest, city_id: int) -> dict[str, Any]:
    """Every inventory year with its rows by sub-sector and scope and its totals (members and
    coordinators; 404 for others and for a city without a workspace). Two queries."""
    contract = get_contract_for_user(request.auth, city_id)
    years = []
    for year in contract.inventory.prefetch_related("emissions"):
        rows = [
            {
                "sector": sectors.SUBSECTOR_BY_CODE[e.subsector].sector
                if e.subsector in sectors.SUBSECTOR_BY_CODE
                else "",
                "subsector": e.subsector,
                "scope": e.scope,
                "tco2e": e.tco2e,
                "removal": e.removal,
            }
            for e in year.emissions.all()
        ]
        gross = sum((r["tco2e"] for r in rows if not r["removal"]), Decimal(0))
        removals = sum((r["tco2e"] for r in rows if r["removal"]), Decimal(0))
        years.append(
            {
                "year": year.year,
                "source": year.source,
                "gross": gross,
                "removals": removals,
                "net": gross - removals,
                "rows": rows,
            }
        )
    return {
        "city_id": contract.city_id,
        "baseline_year": contract.baseline_year,
        "target_year": contract.target_year,
        "years": years,
    }


@router.get(
    "/contracts/{city_id}/actions",
    auth=API_AUTH,
    response={200: list[ActionOut], 401: ErrorOut, 404: ErrorOut},
    summary="A city's action portfolio",
)
def actions(request: HttpRequest, city_id: int) -> list[dict[str, Any]]:
    """Every action in the portfolio's order with its expected reductions per sector (members
    and coordinators; 404 for others). Two queries."""
    contract = get_contract_for_user(request.auth, city_id)
    found = (
        Action.objects.filter(contract=contract)
        .select_related("field", "lever")
        .prefetch_related("reductions")
        .order_by("position", "pk")
    )
    return [
        {
            "id": a.pk,
            "title": a.title,
            "field": a.field.slug if a.field else None,
            "lever": a.lever.slug if a.lever else None,
            "description": a.description,
            "responsible": a.responsible,
            "stakeholders": a.stakeholders,
            "starts": a.starts,
            "ends": a.ends,
            "status": a.status,
            "capital_cost": a.capital_cost,
            "operating_cost": a.operating_cost,
            "co_benefits": list(a.co_benefits),
            "reductions": {r.sector: r.tco2e for r in a.reductions.all()},
        }
        for a in found
    ]


# --- published summaries -----------------------------------------------------------------------


def _listed(contract: Contract) -> dict[str, Any]:
    return {
        "city_id": contract.city_id,
        "city": contract.city.name,
        "country": contract.city.country.name,
        "target_year": contract.target_year,
        "trajectory_published": contract.publish_trajectory,
        "portfolio_published": contract.publish_portfolio,
        "is_sample": contract.is_sample,
    }


class PublicFilter(Schema):
    offset: int = Field(0, ge=0)
    limit: int = Field(PUBLIC_PAGE, ge=1, le=PUBLIC_PAGE)


@router.get(
    "/contracts/public",
    auth=OPTIONAL_AUTH,
    response={200: list[PublicListItemOut], 401: ErrorOut, 422: ValidationErrorOut},
    summary="The published contract summaries",
)
def public_list(request: HttpRequest, filters: Query[PublicFilter]) -> list[dict[str, Any]]:
    """Every contract whose city published its summary, by city name (`offset`, `limit` at
    most 100)."""
    contracts = (
        Contract.objects.filter(publish_summary=True)
        .select_related("city__country")
        .order_by("city__name", "pk")
    )
    return [_listed(c) for c in contracts[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/contracts/public/{city_id}",
    auth=OPTIONAL_AUTH,
    response={200: PublicSummaryOut, 401: ErrorOut, 404: ErrorOut},
    summary="A published contract summary",
)
def public_summary(request: HttpRequest, city_id: int) -> dict[str, Any]:
    """The published parts of a city's contract; 404 when its summary is not published (for
    everyone: the API answers what is public, not the team's preview)."""
    contract = (
        Contract.objects.select_related("city__country")
        .filter(city_id=city_id, publish_summary=True)
        .first()
    )
    if contract is None:
        raise Http404
    figures = figures_of(contract) if contract.publish_trajectory else None
    gap = public_gap(contract, figures) if figures else None
    return {
        **_listed(contract),
        "baseline_year": contract.baseline_year,
        "ambition": contract.ambition,
        "priorities": contract.priorities,
        "interim_targets": list(contract.interim_targets.all()),
        "signatories": list(contract.signatories.all()),
        "trajectory": public_trajectory(contract, figures) if figures else None,
        "portfolio": public_portfolio(contract),
        "gap": {"required": gap.required, "expected": gap.expected, "gap": gap.gap}
        if gap
        else None,
    }

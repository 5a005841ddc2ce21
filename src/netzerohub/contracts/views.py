"""The workspace's pages: the list of workspaces, a workspace's overview (key figures and the
readiness checklist), commitments with interim targets and signatories, the template sections'
texts, the emission inventory (years, a year's grid, the XLSX template and its import) and the
trajectory with the emissions gap.

Who may: the city's members edit, coordinators read every workspace (a coordinator's POST is
refused with a 403), anyone else gets the same 404 as for a missing city
(`policies.open_workspace_for_user`). Every write goes through `services` (or `commitments`
for the commitments' lists); a refusal (`ContractError`) is shown as a message with what was
typed kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.cities.models import Membership
from netzerohub.cities.policies import is_coordinator
from netzerohub.core.fragments import rendered
from netzerohub.core.paging import PER_PAGE
from netzerohub.core.ratelimit import rate_limited

from . import caching, charts, checklist, inventory_io, sectors, services
from . import commitments as lists
from . import trajectory as rules
from .figures import figures_of
from .forms import (
    CommitmentsForm,
    ImportForm,
    InterimTargetForms,
    InventoryGrid,
    NarrativeForm,
    SignatoryForms,
    YearForm,
)
from .models import NARRATIVES, Contract, ContractVersion, Emission, InventoryYear
from .policies import contract_policy, open_workspace_for_user
from .services import ContractError

MAX_PAGE = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A line of guidance per section, from the Climate City Contract template's description.
GUIDANCE = {
    "A-2": _l(
        "The policies, strategies and plans in place at every level of government, how "
        "relevant they are to climate neutrality, and where they fall short (the emissions gap "
        "is computed from the inventory and the portfolio)."
    ),
    "A-3": _l(
        "The systems and stakeholders that shape the city's emissions, the systemic barriers "
        "to climate neutrality and the opportunities, and how people take part."
    ),
    "B-1": _l(
        "The scenarios and impact pathways: for each field of action and lever of change, the "
        "early changes (1–2 years), later outcomes (3–4 years) and their direct and indirect "
        "impacts."
    ),
    "B-2": _l(
        "How the residual emissions (at most 20 % of the baseline) will be offset, and how the "
        "portfolio of actions was designed."
    ),
    "C-1": _l(
        "Organisational and governance innovation: the transition team, mandates and the ways "
        "departments and stakeholders work together."
    ),
    "C-2": _l(
        "Social and other innovation: how citizens, businesses and communities are engaged and "
        "what new ways of working the city tries."
    ),
    "C-3": _l(
        "How the action portfolio is financed: the interventions with costs, the sources of "
        "funding, and what the investment plan unpacks."
    ),
    "gap": _l(
        "If the portfolio's expected reductions do not yet close the emissions gap: how and "
        "when the rest will be closed."
    ),
}


def _open(request: HttpRequest, city_id: int) -> tuple[Contract, bool]:
    """The workspace and whether the person may edit it; a POST without that right is a 403
    (coordinators read, they never write here)."""
    contract = open_workspace_for_user(request.user, city_id, "view")
    can_edit = contract_policy.can(request.user, "edit", contract)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    return contract, can_edit


def _latest_version() -> Subquery:
    return ContractVersion.objects.filter(contract=OuterRef("pk")).order_by("-number")


# --- the list and the overview ----------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A page of a list without a count: the rows, its number, whether more follow."""

    rows: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def window(queryset: Any, page: object) -> Window:
    """A page of `queryset` read with one query (a row more tells whether a next page exists):
    no count, so a workspace just opened or a version just submitted shows at once, and the
    list of every city's workspace costs the same however long it is."""
    try:
        number = min(max(int(str(page)), 1), MAX_PAGE)
    except ValueError:
        number = 1
    start = (number - 1) * PER_PAGE
    rows = list(queryset[start : start + PER_PAGE + 1])
    return Window(rows[:PER_PAGE], number, len(rows) > PER_PAGE)


def index(request: HttpRequest) -> HttpResponse:
    """Members: their cities' workspaces; coordinators: every workspace with its state (filter
    `?waiting=1`); everyone: the published summaries. One query for a page of rows."""
    statuses = dict(ContractVersion.Status.choices)
    page = None
    coordinator = is_coordinator(request.user)
    waiting_only = request.GET.get("waiting") == "1"
    if coordinator:
        latest = _latest_version()
        rows = (
            Contract.objects.select_related("city", "city__country")
            .annotate(
                latest_status=Subquery(latest.values("status")[:1]),
                latest_number=Subquery(latest.values("number")[:1]),
                latest_id=Subquery(latest.values("pk")[:1]),
            )
            .order_by("city__name", "pk")
        )
        if waiting_only:
            rows = rows.filter(versions__status=ContractVersion.Status.SUBMITTED)
        page = window(rows, request.GET.get("page"))
    elif request.user.is_authenticated:
        latest = ContractVersion.objects.filter(contract__city=OuterRef("city")).order_by("-number")
        memberships = (
            Membership.objects.approved()
            .for_user(request.user)
            .select_related("city", "city__country")
            .annotate(
                latest_status=Subquery(latest.values("status")[:1]),
                latest_number=Subquery(latest.values("number")[:1]),
                latest_id=Subquery(latest.values("pk")[:1]),
            )
            .order_by("city__name", "pk")
        )
        page = window(memberships, request.GET.get("page"))
    found = []
    for item in page.rows if page else []:
        found.append(
            {
                "city": item.city,
                "status": statuses.get(item.latest_status) if item.latest_status else None,
                "waiting": item.latest_status == ContractVersion.Status.SUBMITTED,
                "number": item.latest_number,
                "version_id": item.latest_id,
                "target_year": getattr(item, "target_year", None),
            }
        )
    return render(
        request,
        "contracts/index.html",
        {
            "page": page,
            "rows": found,
            "coordinator": coordinator,
            "waiting_only": waiting_only,
        },
    )


def workspace(request: HttpRequest, city_id: int) -> HttpResponse:
    """The overview: key figures, the readiness checklist, the latest version's state. The body
    is cached under the contract's version, the viewer's rights, the city's name and the
    viewer's time zone (it holds no form)."""
    contract, can_edit = _open(request, city_id)
    can_submit = contract_policy.can(request.user, "submit", contract)

    def build() -> dict[str, Any]:
        figures = figures_of(contract)
        items = checklist.readiness(contract, figures)
        latest = contract.versions.order_by("-number").only(
            "pk", "number", "status", "submitted_at", "decided_at", "contract_id"
        )[:1]
        latest = latest[0] if latest else None
        gap = figures.gap.overall if figures.gap else None
        funding_gap = (
            sum(figures.funding_gap_by_year().values()) if figures.capital_by_year else None
        )
        latest_year = max(figures.years) if figures.years else None
        return {
            "contract": contract,
            "figures": figures,
            "gap": gap,
            "latest_year": latest_year,
            "latest_totals": figures.years.get(latest_year) if latest_year else None,
            "funding_gap": funding_gap,
            "items": items,
            "covered_percent": gap.share_covered * 100
            if gap and gap.share_covered is not None
            else None,
            "done": sum(1 for item in items if item.done),
            "ready": checklist.ready(items),
            "latest": latest,
            "sections": NARRATIVES,
            "can_edit": can_edit,
            "can_submit": can_submit,
        }

    parts = (
        "workspace",
        contract.pk,
        caching.contract_version(contract.pk),
        can_edit,
        can_submit,
        contract.city.name,
        timezone.get_current_timezone_name(),  # the latest version's date in the viewer's zone
    )
    body = rendered(
        request, "contracts/_ws_overview.html", parts, build, seconds=caching.FRAGMENT_SECONDS
    )
    return render(request, "contracts/workspace.html", {"contract": contract, "body": body})


# --- commitments ------------------------------------------------------------------------------


def _percent(share: Any) -> Any:
    return (share * 100).normalize()


def commitments(request: HttpRequest, city_id: int) -> HttpResponse:
    contract, can_edit = _open(request, city_id)
    form = None
    if can_edit:
        form = CommitmentsForm(request.POST or None, instance=contract)
        if request.method == "POST" and form.is_valid():
            try:
                services.save_commitments(contract, actor=request.user)
            except ContractError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The commitments are saved."))
                return redirect("contracts:commitments", city_id=contract.city_id)
    return render(
        request,
        "contracts/commitments.html",
        {
            "contract": contract,
            "form": form,
            "can_edit": can_edit,
            "residual_percent": _percent(contract.residual_share),
            "bau_percent": _percent(contract.bau_annual_change),
            "targets": list(contract.interim_targets.all()),
            "signatories": list(contract.signatories.all()),
            "sector_labels": [
                sectors.SECTOR_BY_CODE[c].label
                for c in contract.covered_sectors
                if c in sectors.SECTOR_BY_CODE
            ],
        },
    )


def interim_targets(request: HttpRequest, city_id: int) -> HttpResponse:
    contract, can_edit = _open(request, city_id)
    stored = list(contract.interim_targets.all())
    formset = None
    if can_edit:
        initial = [
            {"year": t.year, "reduction_percent": _percent(t.reduction_share), "note": t.note}
            for t in stored
        ]
        formset = InterimTargetForms(request.POST or None, initial=initial, prefix="targets")
        if request.method == "POST" and formset.is_valid():
            try:
                lists.save_interim_targets(contract, formset.targets(), actor=request.user)
            except ContractError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The interim targets are saved."))
                return redirect("contracts:interim-targets", city_id=contract.city_id)
    return render(
        request,
        "contracts/interim_targets.html",
        {"contract": contract, "formset": formset, "targets": stored, "can_edit": can_edit},
    )


def signatories(request: HttpRequest, city_id: int) -> HttpResponse:
    contract, can_edit = _open(request, city_id)
    stored = list(contract.signatories.all())
    formset = None
    if can_edit:
        initial = [
            {
                "organisation": s.organisation,
                "commitment": s.commitment,
                "signed_on": s.signed_on,
                "order": number,
            }
            for number, s in enumerate(stored, start=1)
        ]
        formset = SignatoryForms(request.POST or None, initial=initial, prefix="signatories")
        if request.method == "POST" and formset.is_valid():
            try:
                lists.save_signatories(contract, formset.signers(), actor=request.user)
            except ContractError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The signatories are saved."))
                return redirect("contracts:signatories", city_id=contract.city_id)
    return render(
        request,
        "contracts/signatories.html",
        {"contract": contract, "formset": formset, "signatories": stored, "can_edit": can_edit},
    )


def narrative(request: HttpRequest, city_id: int, code: str) -> HttpResponse:
    labels = dict(NARRATIVES)
    if code not in labels:
        raise Http404
    contract, can_edit = _open(request, city_id)
    text = (contract.narratives or {}).get(code, "")
    form = None
    if can_edit:
        form = NarrativeForm(request.POST or None, initial={"text": text})
        if request.method == "POST" and form.is_valid():
            try:
                services.save_narratives(
                    contract, {code: form.cleaned_data["text"]}, actor=request.user
                )
            except ContractError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("The text of %(section)s is saved.") % {"section": labels[code]}
                )
                return redirect("contracts:workspace", city_id=contract.city_id)
    return render(
        request,
        "contracts/narrative.html",
        {
            "contract": contract,
            "code": code,
            "label": labels[code],
            "guidance": GUIDANCE.get(code, ""),
            "text": text,
            "form": form,
            "can_edit": can_edit,
        },
    )


# --- the inventory ----------------------------------------------------------------------------


def inventory(request: HttpRequest, city_id: int) -> HttpResponse:
    """The inventory's years with their totals, and the form to open a year (GET `year`)."""
    contract, can_edit = _open(request, city_id)
    year_form = YearForm(request.GET if "year" in request.GET else None)
    if can_edit and year_form.is_bound and year_form.is_valid():
        year = year_form.cleaned_data["year"]
        return redirect("contracts:inventory-year", city_id=contract.city_id, year=year)
    figures = figures_of(contract)
    sources = dict(InventoryYear.objects.filter(contract=contract).values_list("year", "source"))
    years = [
        {
            "year": year,
            "totals": totals,
            "source": sources.get(year, ""),
            "baseline": year == contract.baseline_year,
        }
        for year, totals in sorted(figures.years.items(), reverse=True)
    ]
    return render(
        request,
        "contracts/inventory.html",
        {
            "contract": contract,
            "years": years,
            "year_form": year_form,
            "can_edit": can_edit,
            "baseline_missing": contract.baseline_year is not None
            and contract.baseline_year not in figures.years,
        },
    )


def inventory_year(request: HttpRequest, city_id: int, year: int) -> HttpResponse:
    """A year's grid: sub-sectors × scopes and removals; saved all or nothing."""
    if not rules.FIRST_YEAR <= year <= rules.LAST_YEAR:
        raise Http404
    contract, can_edit = _open(request, city_id)
    stored = {
        (subsector, scope, removal): tco2e
        for subsector, scope, removal, tco2e in Emission.objects.filter(
            inventory_year__contract=contract, inventory_year__year=year
        ).values_list("subsector", "scope", "removal", "tco2e")
    }
    record = InventoryYear.objects.filter(contract=contract, year=year).only("source").first()
    source = record.source if record else ""
    grid = InventoryGrid(data=request.POST if request.method == "POST" else None, stored=stored)
    problem = ""
    if request.method == "POST":
        source = request.POST.get("source", "").strip()[:300]
        if grid.is_valid() and not grid.rows:
            problem = _("Type at least one amount: an inventory year needs emissions.")
        elif grid.is_valid():
            try:
                services.save_inventory_year(
                    contract, year, grid.rows, actor=request.user, source=source
                )
            except ContractError as error:
                problem = str(error)
            else:
                messages.success(request, _("The inventory of %(year)s is saved.") % {"year": year})
                return redirect("contracts:inventory", city_id=contract.city_id)
        else:
            problem = _("%(n)s amounts need fixing (marked below); nothing was saved yet.") % {
                "n": grid.errors
            }
    return render(
        request,
        "contracts/inventory_year.html",
        {
            "contract": contract,
            "year": year,
            "grid": grid,
            "source": source,
            "exists": record is not None,
            "problem": problem,
            "can_edit": can_edit,
            "is_baseline": year == contract.baseline_year,
        },
    )


def inventory_template(request: HttpRequest, city_id: int) -> HttpResponse:
    """The XLSX template for a year (`?year=`, else the baseline year), amounts empty."""
    contract, _can_edit = _open(request, city_id)
    form = YearForm(request.GET if "year" in request.GET else None)
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else None
    year = year or contract.baseline_year
    response = HttpResponse(inventory_io.template(year), content_type=XLSX)
    name = f"inventory-{slugify(contract.city.name) or contract.city_id}-{year or 'template'}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@rate_limited("contracts-import", limit=60)
def inventory_import(request: HttpRequest, city_id: int) -> HttpResponse:
    """Upload a filled template: nothing is imported until every row is right."""
    contract, can_edit = _open(request, city_id)
    if not can_edit:
        raise PermissionDenied
    form = ImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["workbook"].read()
        try:
            imported = inventory_io.import_inventory(contract, data, actor=request.user)
        except inventory_io.ImportProblems as error:
            problems = error.problems
            form.add_error(None, str(error))
        except ContractError as error:
            form.add_error(None, str(error))
        else:
            years = ", ".join(str(y) for y in sorted(imported))
            messages.success(
                request,
                _("Imported %(rows)s rows for %(years)s.")
                % {"rows": sum(imported.values()), "years": years},
            )
            return redirect("contracts:inventory", city_id=contract.city_id)
    return render(
        request,
        "contracts/inventory_import.html",
        {
            "contract": contract,
            "form": form,
            "problems": problems,
            "template_url": reverse("contracts:inventory-template", args=[contract.city_id]),
        },
    )


# --- the trajectory ---------------------------------------------------------------------------


def trajectory(request: HttpRequest, city_id: int) -> HttpResponse:
    """The trajectory and the gap; the body is cached under the contract's version and whether
    the viewer edits (it holds no form)."""
    contract, can_edit = _open(request, city_id)

    def build() -> dict[str, Any]:
        figures = figures_of(contract)
        return {
            "contract": contract,
            "figures": figures,
            "data": charts.trajectory_data(contract, figures),
            "missing": charts.missing(contract, figures),
            "can_edit": can_edit,
        }

    parts = ("trajectory", contract.pk, caching.contract_version(contract.pk), can_edit)
    body = rendered(
        request, "contracts/_ws_trajectory.html", parts, build, seconds=caching.FRAGMENT_SECONDS
    )
    return render(request, "contracts/trajectory.html", {"contract": contract, "body": body})

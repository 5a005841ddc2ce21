"""The action portfolio and the investment plan: the table of actions (filters, sorting,
totals), the fields × levers matrix (B-1.1), the timeline, an action's page, form and deletion,
its indicators with targets and measured values (B-3), its capital needs and funding, and the
investment plan (C-3).

Every page opens the workspace with `policies.open_workspace_for_user`: the city's members and
coordinators; anyone else gets the same 404 as for a missing city. Members edit; coordinators
read (pages without forms, and a 403 for what they post); an action of another contract is a
404. Reads come from `portfolio`, writes go through `services` (actions) and `portfolio`
(indicators, measured values, capital needs, funding); what they refuse is shown with what was
typed kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_safe

from netzerohub.core.fragments import rendered
from netzerohub.core.markdown import render_markdown

from . import caching, portfolio, sectors, services
from .models import Action, CapitalNeed, CoBenefit, Contract, Funding
from .policies import contract_policy, open_workspace_for_user
from .portfolio_forms import (
    ActionFilterForm,
    ActionForm,
    CapitalNeedFormSet,
    FundingFormSet,
    IndicatorFormSet,
    MeasurementFormSet,
    changes_of,
    sort_links,
)


def _open(request: HttpRequest, city_id: int) -> tuple[Contract, bool]:
    """The workspace and whether the person may edit it; a POST needs that (403 otherwise)."""
    contract = open_workspace_for_user(request.user, city_id, "view")
    may_edit = contract_policy.can(request.user, "edit", contract)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    return contract, may_edit


def _editing(request: HttpRequest, city_id: int) -> Contract:
    """A page that is a form: members only (coordinators read elsewhere: 403)."""
    contract, may_edit = _open(request, city_id)
    if not may_edit:
        raise PermissionDenied
    return contract


def _action(contract: Contract, pk: int) -> Action:
    action = portfolio.action_for(contract, pk)
    if action is None:
        raise Http404
    action.contract = contract
    return action


# --- the table, the matrix, the timeline -----------------------------------------------------


TABLE_PARAMETERS = ("q", "field", "lever", "status", "sector", "sort", "page")


def _table_query(request: HttpRequest) -> QueryDict:
    """The table's parameters as asked (the last value of each known one; others left out):
    they decide what the page shows, the filter form's values and errors and its links."""
    query = QueryDict(mutable=True)
    for name in TABLE_PARAMETERS:
        if name in request.GET:
            query[name] = request.GET[name]
    return query


@require_safe
def actions(request: HttpRequest, city_id: int) -> HttpResponse:
    """The table of actions. Its body (it holds only the GET filter form) is cached under the
    contract's version, whether the viewer edits and the table's parameters as asked."""
    contract, may_edit = _open(request, city_id)
    query = _table_query(request)

    def build() -> dict[str, Any]:
        form = ActionFilterForm(query)
        filters = form.filters()
        table = portfolio.table_page(contract, filters, query.get("page"))
        filtered = any(getattr(filters, n) for n in ("field", "lever", "status", "sector", "q"))
        return {
            "contract": contract,
            "may_edit": may_edit,
            "form": form,
            "filters": filters,
            "filtered": filtered,
            "table": table,
            "rows": _rows(table.actions),
            "sorts": sort_links(filters),
            "query": query,
        }

    parts = (
        "actions",
        contract.pk,
        caching.contract_version(contract.pk),
        may_edit,
        tuple(sorted(query.items())),
    )
    body = rendered(
        request, "contracts/_pf_table_body.html", parts, build, seconds=caching.FRAGMENT_SECONDS
    )
    return render(request, "contracts/actions.html", {"contract": contract, "body": body})


def _rows(found: list[Action]) -> list[dict[str, Any]]:
    """The table's cells, formatted once here rather than by a filter per cell."""
    labels = dict(Action.Status.choices)
    rows = []
    for item in found:
        rows.append(
            {
                "pk": item.pk,
                "title": item.title,
                "field": item.field.name if item.field else "",
                "lever": item.lever.name if item.lever else "",
                "status": item.status,
                "status_label": labels.get(item.status, item.status),
                "starts": item.starts.isoformat() if item.starts else "",
                "starts_label": date_format(item.starts, "M Y") if item.starts else "",
                "ends": item.ends.isoformat() if item.ends else "",
                "ends_label": date_format(item.ends, "M Y") if item.ends else "",
                "expected": floatformat(item.expected, "-2g"),
                "capital": floatformat(item.capital_cost, "-2g")
                if item.capital_cost is not None
                else "",
                "operating": floatformat(item.operating_cost, "-2g")
                if item.operating_cost is not None
                else "",
            }
        )
    return rows


@require_safe
def matrix(request: HttpRequest, city_id: int) -> HttpResponse:
    contract, may_edit = _open(request, city_id)
    return render(
        request,
        "contracts/matrix.html",
        {"contract": contract, "may_edit": may_edit, "matrix": portfolio.matrix_of(contract)},
    )


@require_safe
def timeline(request: HttpRequest, city_id: int) -> HttpResponse:
    contract, may_edit = _open(request, city_id)
    return render(
        request,
        "contracts/timeline.html",
        {
            "contract": contract,
            "may_edit": may_edit,
            "timeline": portfolio.timeline_of(contract),
            "statuses": Action.Status.choices,
        },
    )


# --- an action -------------------------------------------------------------------------------


@require_safe
def action(request: HttpRequest, city_id: int, pk: int) -> HttpResponse:
    contract, may_edit = _open(request, city_id)
    found = _action(contract, pk)
    order = {s.code: index for index, s in enumerate(sectors.SECTORS)}
    labels = dict(portfolio.sector_labels())
    stored = portfolio.reductions_of(found)
    reductions = [(labels.get(code, code), stored[code]) for code in sorted(stored, key=order.get)]
    benefits = dict(CoBenefit.choices)
    needs = list(CapitalNeed.objects.filter(action=found).order_by("year"))
    funding = list(Funding.objects.filter(action=found).order_by("year", "id"))
    return render(
        request,
        "contracts/action.html",
        {
            "contract": contract,
            "may_edit": may_edit,
            "action": found,
            "description": render_markdown(found.description),
            "reductions": reductions,
            "co_benefits": [benefits.get(code, code) for code in found.co_benefits],
            "indicators": portfolio.indicators_of(found),
            "capital_needs": needs,
            "funding": funding,
            "money": portfolio.money_of(needs, funding),
        },
    )


def _save_action(
    request: HttpRequest, contract: Contract, form: ActionForm, *, new: bool
) -> HttpResponse | None:
    """Save a valid form through the service; None (and the form's error) when refused."""
    found = form.action(contract)
    try:
        services.save_action(found, actor=request.user, reductions=form.reductions())
    except services.ContractError as error:
        if new:
            found.pk = None  # the transaction was rolled back: the form stays a new action
        form.add_error(None, str(error))
        return None
    if new:
        messages.success(request, _("Action “%(title)s” added.") % {"title": found.title})
    else:
        messages.success(request, _("Action “%(title)s” saved.") % {"title": found.title})
    return redirect("contracts:action", contract.city.pk, found.pk)


@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, city_id: int) -> HttpResponse:
    contract = _editing(request, city_id)
    form = ActionForm(request.POST or None, instance=Action(contract=contract))
    if request.method == "POST" and form.is_valid():
        response = _save_action(request, contract, form, new=True)
        if response is not None:
            return response
    return render(
        request,
        "contracts/action_form.html",
        {"contract": contract, "form": form, "action": None},
    )


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, city_id: int, pk: int) -> HttpResponse:
    contract = _editing(request, city_id)
    found = _action(contract, pk)
    title = found.title  # the form's checks change the instance: the heading keeps the stored one
    form = ActionForm(
        request.POST or None, instance=found, reductions=portfolio.reductions_of(found)
    )
    if request.method == "POST" and form.is_valid():
        response = _save_action(request, contract, form, new=False)
        if response is not None:
            return response
    return render(
        request,
        "contracts/action_form.html",
        {"contract": contract, "form": form, "action": found, "title": title},
    )


@require_http_methods(["GET", "POST"])
def action_delete(request: HttpRequest, city_id: int, pk: int) -> HttpResponse:
    contract = _editing(request, city_id)
    found = _action(contract, pk)
    if request.method == "POST":
        title = found.title
        services.delete_action(found, actor=request.user)
        messages.success(request, _("Action “%(title)s” deleted.") % {"title": title})
        return redirect("contracts:actions", contract.city.pk)
    return render(request, "contracts/action_delete.html", {"contract": contract, "action": found})


# --- indicators and measured values (B-3) ----------------------------------------------------


SAVED = {
    "indicators": _l("The indicators are saved."),
    "measurements": _l("The measured values are saved."),
    "needs": _l("The capital needs are saved."),
    "funding": _l("The funding is saved."),
}


def _rows_page(
    request: HttpRequest,
    contract: Contract,
    found: Action,
    parts: dict[str, tuple[type, Any, list[dict[str, Any]], dict[str, Any]]],
) -> tuple[dict[str, Any], HttpResponse | None]:
    """Two formsets on one page (`parts`: name → formset class, write, initial rows, form
    kwargs); the one posted (its `part`) is saved, the other shown as stored."""
    posted = request.POST.get("part") if request.method == "POST" else None
    if posted is not None and posted not in parts:
        posted = None
    formsets, problem = {}, ""
    for name, (cls, write, initial, kwargs) in parts.items():
        if name == posted:
            formset = cls(request.POST, initial=initial, prefix=name, form_kwargs=kwargs)
            if formset.is_valid():
                try:
                    write(found, changes_of(formset), actor=request.user)
                except services.ContractError as error:
                    problem = str(error)
                else:
                    messages.success(request, str(SAVED[name]))
                    return {}, redirect(request.path + f"#{name}")
        else:
            formset = cls(initial=initial, prefix=name, form_kwargs=kwargs)
        formsets[name] = formset
    if request.method == "POST" and posted is None:
        problem = _("The form was not recognised; please try again.")
    return {"formsets": formsets, "problem": problem, "posted": posted}, None


@require_http_methods(["GET", "POST"])
def indicators(request: HttpRequest, city_id: int, pk: int) -> HttpResponse:
    contract, may_edit = _open(request, city_id)
    found = _action(contract, pk)
    stored = portfolio.indicators_of(found)
    context: dict[str, Any] = {"contract": contract, "may_edit": may_edit, "action": found}
    context["indicators"] = stored
    if may_edit:
        choices = [(i.pk, i.name) for i in stored]
        parts = {
            "indicators": (
                IndicatorFormSet,
                portfolio.save_indicators,
                [
                    {
                        "id": i.pk,
                        "name": i.name,
                        "unit": i.unit,
                        "target_2025": i.target_2025,
                        "target_2027": i.target_2027,
                        "target_2030": i.target_2030,
                    }
                    for i in stored
                ],
                {},
            ),
            "measurements": (
                MeasurementFormSet,
                portfolio.save_measurements,
                [
                    {"id": m.pk, "indicator": i.pk, "year": m.year, "value": m.value}
                    for i in stored
                    for m in i.measurements.all()
                ],
                {"indicators": choices},
            ),
        }
        extra, response = _rows_page(request, contract, found, parts)
        if response is not None:
            return response
        context.update(extra)
    return render(request, "contracts/indicators.html", context)


# --- an action's capital needs and funding ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def action_investment(request: HttpRequest, city_id: int, pk: int) -> HttpResponse:
    contract, may_edit = _open(request, city_id)
    found = _action(contract, pk)
    needs = list(CapitalNeed.objects.filter(action=found).order_by("year"))
    funding = list(Funding.objects.filter(action=found).order_by("year", "id"))
    context: dict[str, Any] = {
        "contract": contract,
        "may_edit": may_edit,
        "action": found,
        "capital_needs": needs,
        "funding": funding,
        "money": portfolio.money_of(needs, funding),
    }
    if may_edit:
        parts = {
            "needs": (
                CapitalNeedFormSet,
                portfolio.save_capital_needs,
                [{"id": n.pk, "year": n.year, "amount": n.amount} for n in needs],
                {},
            ),
            "funding": (
                FundingFormSet,
                portfolio.save_funding,
                [
                    {
                        "id": f.pk,
                        "year": f.year,
                        "source": f.source,
                        "status": f.status,
                        "amount": f.amount,
                        "note": f.note,
                    }
                    for f in funding
                ],
                {},
            ),
        }
        extra, response = _rows_page(request, contract, found, parts)
        if response is not None:
            return response
        context.update(extra)
    return render(request, "contracts/action_investment.html", context)


# --- the investment plan (C-3) ---------------------------------------------------------------


@require_safe
def investment(request: HttpRequest, city_id: int) -> HttpResponse:
    contract, may_edit = _open(request, city_id)
    plan = portfolio.plan_of(contract)
    return render(
        request,
        "contracts/investment.html",
        {
            "contract": contract,
            "may_edit": may_edit,
            "plan": plan,
            "chart": plan.chart(),
            "statuses": Funding.Status.choices,
        },
    )

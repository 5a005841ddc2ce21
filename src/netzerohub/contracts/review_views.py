"""Submission, versions, review, exports, publishing and the public summaries.

A lead submits the draft as a frozen version (`services.submit`); the history compares the
versions' stored key figures (`history`); coordinators comment per section and return or accept
a version (`services.review`); the draft and every version export as PDF and XLSX through one
code path (`exports`); members choose what to publish (`services.save_publishing`), and
everyone reads the published parts only — an unpublished contract is a 404.

Workspace pages fetch the contract through `policies.open_workspace_for_user` and versions
through `get_version_for_user`: another city's is the same 404 as a missing one.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from netzerohub.cities.models import Membership
from netzerohub.core.paging import PER_PAGE
from netzerohub.core.policies import coordinator_only
from netzerohub.core.ratelimit import hit, rate_limited

from . import charts, checklist, exports, history, portfolio, services
from .figures import figures_of
from .models import Contract, ContractVersion
from .policies import (
    contract_policy,
    get_contract_for_user,
    get_version_for_user,
    open_workspace_for_user,
)
from .review_forms import PublishingForm, ReviewForm
from .snapshot import snapshot_of

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPORTS_PER_HOUR = 30  # per person, PDF and XLSX, draft and versions together
SUBMITS_PER_HOUR = 20
REVIEWS_PER_HOUR = 120
PUBLISHING_PER_HOUR = 60
RECENTLY_DECIDED = 20


# --- submission --------------------------------------------------------------------------------


def _leads(contract: Contract) -> list[Any]:
    rows = Membership.objects.leads().for_city(contract.city).select_related("user")
    return [m.user for m in rows.order_by("user__name", "pk")]


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("contracts.submit", limit=SUBMITS_PER_HOUR)
def submit(request: HttpRequest, city_id: int) -> HttpResponse:
    """The readiness checklist and the key figures, then the lead's submission."""
    contract = open_workspace_for_user(request.user, city_id)
    can_submit = contract_policy.can(request.user, "submit", contract)
    if request.method == "POST":
        if not can_submit:
            raise Http404
        try:
            version = services.submit(contract, actor=request.user)
        except services.ContractError as error:
            messages.error(request, str(error))
            return redirect("contracts:submit", contract.city_id)
        messages.success(
            request,
            _("Version %(number)s is submitted and waits for review; the draft stays editable.")
            % {"number": version.number},
        )
        return redirect("contracts:version", version.pk)
    figures = figures_of(contract)
    readiness = checklist.readiness(contract, figures)
    versions = list(contract.versions.defer("snapshot", "figures").order_by("-number")[:1])
    return render(
        request,
        "contracts/submit.html",
        {
            "contract": contract,
            "figures": figures,
            "key": _labelled(
                history.key_figures(figures.as_json(), actions=contract.actions.count())
            ),
            "readiness": readiness,
            "ready": checklist.ready(readiness),
            "can_edit": contract_policy.can(request.user, "edit", contract),
            "waiting": services.waiting(contract),
            "latest": versions[0] if versions else None,
            "can_submit": can_submit,
            "leads": [] if can_submit else _leads(contract),
        },
    )


def _labelled(values: dict[str, Any]) -> list[tuple[str, Any, str]]:
    return [(str(label), values[key], unit) for key, label, unit in history.KEY_FIGURES]


# --- versions ----------------------------------------------------------------------------------


@login_required
def versions(request: HttpRequest, city_id: int) -> HttpResponse:
    """Every version with what changed in the key figures since the one before, and the draft
    against the latest version."""
    contract = open_workspace_for_user(request.user, city_id)
    rows = list(contract.versions.select_related("submitted_by", "decided_by"))
    draft = None
    if rows:
        latest = max(rows, key=lambda v: v.number)
        draft = history.compare(
            (latest.snapshot, latest.figures),
            (snapshot_of(contract), figures_of(contract).as_json()),
        )
    return render(
        request,
        "contracts/versions.html",
        {
            "contract": contract,
            "history": history.history(rows),
            "draft": draft,
            "can_submit": contract_policy.can(request.user, "submit", contract),
        },
    )


def _comments_by_section(version: ContractVersion) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for comment in version.comments.select_related("author"):
        found.setdefault(comment.section.replace("-", ""), []).append(comment)
    return found


def _version_page(
    request: HttpRequest, version: ContractVersion, form: ReviewForm | None = None, status=200
) -> HttpResponse:
    contract = version.contract
    can_review = contract_policy.can(request.user, "review", contract)
    may_decide = can_review and version.status == ContractVersion.Status.SUBMITTED
    return render(
        request,
        "contracts/version.html",
        {
            "contract": contract,
            "version": version,
            "doc": exports.document(version.snapshot, version.figures),
            "comments": _comments_by_section(version),
            "form": (form or ReviewForm()) if may_decide else None,
            "submit_again": version.status == ContractVersion.Status.RETURNED
            and contract_policy.can(request.user, "submit", contract),
        },
        status=status,
    )


@login_required
def version(request: HttpRequest, pk: int) -> HttpResponse:
    """A submitted version, read-only, by the template's sections, with the review comments
    per section; coordinators review a waiting version here."""
    return _version_page(request, get_version_for_user(request.user, pk))


@login_required
@require_POST
@rate_limited("contracts.review", limit=REVIEWS_PER_HOUR)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator returns the version with comments, or accepts it; what is refused is
    shown with the comments typed kept."""
    version = get_version_for_user(request.user, pk)
    if not contract_policy.can(request.user, "review", version.contract):
        raise Http404
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _version_page(request, version, form, status=400)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.review(version, accept=accept, comments=form.comments(), actor=request.user)
    except services.ContractError as error:
        messages.error(request, str(error))
        version.refresh_from_db()
        return _version_page(request, version, form, status=400)
    if accept:
        messages.success(request, _("Version accepted."))
    else:
        messages.success(request, _("Version returned with your comments."))
    return redirect("contracts:version", version.pk)


@coordinator_only
def review_queue(request: HttpRequest) -> HttpResponse:
    """Versions waiting for review, oldest first, and the ones decided lately."""
    base = ContractVersion.objects.select_related("contract__city__country", "submitted_by")
    base = base.defer("snapshot", "figures")
    waiting = base.filter(status=ContractVersion.Status.SUBMITTED).order_by("submitted_at", "pk")
    decided = (
        base.select_related("decided_by")
        .exclude(status=ContractVersion.Status.SUBMITTED)
        .order_by("-decided_at", "-pk")[:RECENTLY_DECIDED]
    )
    return render(
        request,
        "contracts/review_queue.html",
        {
            # exact counts (a few thousand rows at most): a cached one would hide a version
            # submitted since for minutes
            "page": Paginator(waiting, PER_PAGE).get_page(request.GET.get("page")),
            "decided": decided,
        },
    )


# --- exports -----------------------------------------------------------------------------------


def _export(
    request: HttpRequest, snapshot: dict, figures: dict, fmt: str, name: str, back: str
) -> HttpResponse:
    """The file, or past the person's hourly budget a message on the page `back`."""
    if not hit(f"contracts.export:user:{request.user.pk}", limit=EXPORTS_PER_HOUR, period=3600):
        messages.error(request, _("You have done this too often; please try again later."))
        return redirect(back)
    if fmt == "pdf":
        data = exports.render_pdf(snapshot, figures, site=request.build_absolute_uri("/"))
    else:
        out = io.BytesIO()
        exports.write_xlsx(snapshot, figures, out)
        data = out.getvalue()
    response = HttpResponse(data, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _file_name(contract: Contract, version: ContractVersion | None) -> str:
    city = slugify(contract.city.name) or f"city-{contract.city_id}"
    return f"climate-city-contract-{city}-" + (f"v{version.number}" if version else "draft")


@login_required
def export(request: HttpRequest, city_id: int, fmt: str) -> HttpResponse:
    """The draft as PDF or XLSX."""
    if fmt not in FORMATS:
        raise Http404
    contract = open_workspace_for_user(request.user, city_id)
    snapshot = {**snapshot_of(contract), "is_sample": contract.is_sample, "version": None}
    figures = figures_of(contract).as_json()
    back = reverse("contracts:versions", args=[contract.city_id])
    return _export(request, snapshot, figures, fmt, _file_name(contract, None), back)


@login_required
def version_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A submitted version as PDF or XLSX, from its frozen snapshot."""
    if fmt not in FORMATS:
        raise Http404
    version = get_version_for_user(request.user, pk)
    contract = version.contract
    snapshot = {**version.snapshot, "is_sample": contract.is_sample, "version": version.number}
    back = reverse("contracts:version", args=[version.pk])
    return _export(request, snapshot, version.figures, fmt, _file_name(contract, version), back)


# --- publishing and the public summaries --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("contracts.publishing", limit=PUBLISHING_PER_HOUR)
def publishing(request: HttpRequest, city_id: int) -> HttpResponse:
    """What others see: the summary, the trajectory, the portfolio (members choose)."""
    contract = open_workspace_for_user(request.user, city_id)
    can_edit = contract_policy.can(request.user, "edit", contract)
    form = PublishingForm(instance=contract)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        form = PublishingForm(request.POST, instance=contract)
        if form.is_valid():
            flags = {name: form.cleaned_data[name] for name in services.PUBLISH_FLAGS}
            try:
                services.save_publishing(contract, flags, actor=request.user)
            except services.ContractError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Publishing saved."))
                return redirect("contracts:publishing", contract.city_id)
    return render(
        request,
        "contracts/publishing.html",
        {"contract": contract, "form": form, "can_edit": can_edit},
    )


def public_list(request: HttpRequest) -> HttpResponse:
    """Every contract with a published summary, by city name."""
    contracts = (
        Contract.objects.filter(publish_summary=True)
        .select_related("city__country")
        .only(
            "city__name",
            "city__country__name",
            "target_year",
            "publish_trajectory",
            "publish_portfolio",
            "is_sample",
        )
        .order_by("city__name", "pk")
    )
    page = Paginator(contracts, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "contracts/public_list.html", {"page": page})


def public_summary(request: HttpRequest, city_id: int) -> HttpResponse:
    """The published summary; members and coordinators see it as a preview before it is.

    The trajectory is the trajectory page's charts and tables (`_trajectory.html`); without the
    portfolio published they leave out everything of the portfolio (its expected reductions,
    the gap, the path with the portfolio)."""
    contract = get_contract_for_user(request.user, city_id, "view_public")
    data = None
    if contract.publish_trajectory:
        data = charts.trajectory_data(
            contract, figures_of(contract), portfolio=contract.publish_portfolio
        )
    return render(
        request,
        "contracts/public_summary.html",
        {
            "contract": contract,
            "interim_targets": list(contract.interim_targets.all()),
            "signatories": list(contract.signatories.all()),
            "data": data,
            **(portfolio.summary_context(contract) if contract.publish_portfolio else {}),
            "preview": not contract.publish_summary,
            "workspace_url": reverse("contracts:workspace", args=[contract.city_id])
            if contract_policy.can(request.user, "view", contract)
            else "",
        },
    )

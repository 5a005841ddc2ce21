"""The pairs' shared pages and the coordinators' progress view.

A pair's page is for the members of both cities and coordinators once the pairs are published
(a proposed pair is the coordinators' only); everyone else gets the same 404 as for a missing
pair. It shows both cities with their contacts (only once published), the call, why the pair
was made, the shared timeline (with the host's study visits of the call) and the twin's
replication plan. The progress view lists every published pair across calls.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, CharField, Count, Max, Value, When, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from netzerohub.cities.models import Membership
from netzerohub.core.policies import coordinator_only
from netzerohub.core.ratelimit import rate_limited
from netzerohub.core.spreadsheets import neutralise
from netzerohub.events.models import Event

from . import services
from .explain import explain_pair
from .models import Call, Pair
from .pair_forms import ActivityForm, PlanForm, ProgressFilterForm
from .policies import get_pair_for_user, pair_policy

PROGRESS_PER_PAGE = 50
PLAN_STATUS = {"none": _l("None"), "draft": _l("Draft"), "submitted": _l("Submitted")}


@dataclass(frozen=True)
class Entry:
    """One line of a pair's timeline: an activity or a study visit of the host."""

    day: date
    kind: str
    item: Any


def _timeline(pair: Pair) -> list[Entry]:
    activities = pair.activities.select_related("author").order_by("date", "id")
    visits = (
        Event.objects.filter(offer_id=pair.offer_id, kind=Event.Kind.STUDY_VISIT)
        .published()
        .order_by("starts_at", "id")
    )
    entries = [Entry(a.date, "activity", a) for a in activities]
    entries += [Entry(timezone.localdate(v.starts_at), "visit", v) for v in visits]
    return sorted(entries, key=lambda e: (e.day, e.kind == "activity"))


def _render(
    request: HttpRequest,
    pair: Pair,
    *,
    activity_form: ActivityForm | None = None,
    plan_form: PlanForm | None = None,
) -> HttpResponse:
    twin, host = pair.application.city, pair.offer.city
    published = pair.status == Pair.Status.PUBLISHED
    leads: dict[int, list[Membership]] = {twin.pk: [], host.pk: []}
    if published:
        for membership in (
            Membership.objects.approved()
            .filter(city_id__in=[twin.pk, host.pk], role=Membership.Role.LEAD)
            .select_related("user")
            .order_by("user__name", "pk")
        ):
            leads[membership.city_id].append(membership)
    contribute = pair_policy.can(request.user, "contribute", pair)
    if contribute:
        activity_form = activity_form or ActivityForm()
        if pair.plan_submitted_at is None:  # a plan submitted as final is kept as it is
            plan_form = plan_form or PlanForm(initial={"replication_plan": pair.replication_plan})
    context = {
        "pair": pair,
        "call": pair.call,
        "published": published,
        "sides": [
            {"role": _("Twin city"), "city": twin, "leads": leads[twin.pk]},
            {"role": _("Host city"), "city": host, "leads": leads[host.pk]},
        ],
        "parts": explain_pair(pair),
        "timeline": _timeline(pair) if published else [],
        "can_contribute": contribute,
        "activity_form": activity_form,
        "plan_form": plan_form,
    }
    return render(request, "exchanges/pair.html", context)


def _pair(request: HttpRequest, pk: int, action: str = "view") -> Pair:
    pair = get_pair_for_user(request.user, pk, action)
    # the fields and levers of both sides, for "why this pair"
    prefetch_related_objects(
        [pair], "application__fields", "application__levers", "offer__fields", "offer__levers"
    )
    return pair


@login_required
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _pair(request, pk))


@login_required
@require_POST
@rate_limited("exchanges.activity", limit=120)
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    pair = _pair(request, pk, "contribute")
    form = ActivityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The activity is not added: see the marked fields."))
        return _render(request, pair, activity_form=form)
    try:
        services.add_activity(pair, form.instance, actor=request.user)
    except services.ExchangeError as error:
        messages.error(request, str(error))
        return _render(request, pair, activity_form=form)
    messages.success(request, _("Added to the timeline: %(title)s.") % {"title": form.instance})
    return redirect(pair.get_absolute_url() + "#timeline")


@login_required
@require_POST
@rate_limited("exchanges.plan", limit=240)
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    pair = _pair(request, pk, "contribute")
    form = PlanForm(request.POST)
    submit = request.POST.get("action") == "submit"
    if form.is_valid():
        text = form.cleaned_data["replication_plan"]
        try:
            services.save_replication_plan(pair, text, actor=request.user, submit=submit)
        except (services.ExchangeError, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            form.add_error("replication_plan", message)
        else:
            messages.success(
                request,
                _("The replication plan is submitted as final.")
                if submit
                else _("The replication plan is saved."),
            )
            return redirect(pair.get_absolute_url() + "#plan")
    messages.error(request, _("The plan is not saved: see the message by the field."))
    return _render(request, pair, plan_form=form)


def _progress_rows(slug: str):
    pairs = (
        Pair.objects.published()
        .select_related("call", "application__city", "offer__city")
        .defer("replication_plan", "breakdown")
        .annotate(
            activity_count=Count("activities"),
            last_activity=Max("activities__date"),
            plan_status=Case(
                When(plan_submitted_at__isnull=False, then=Value("submitted")),
                When(replication_plan="", then=Value("none")),
                default=Value("draft"),
                output_field=CharField(),
            ),
        )
        .order_by(
            Coalesce("call__matches_published_at", "call__created").desc(),
            "application__city__name",
            "pk",
        )
    )
    return pairs.filter(call__slug=slug) if slug else pairs


def _csv(pairs) -> StreamingHttpResponse:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    header = [
        _("Twin city"),
        _("Host city"),
        _("Call"),
        _("Activities"),
        _("Last activity"),
        _("Replication plan"),
        _("Pair page"),
    ]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for pair in pairs.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    neutralise(pair.application.city.name),
                    neutralise(pair.offer.city.name),
                    neutralise(pair.call.title),
                    pair.activity_count,
                    pair.last_activity.isoformat() if pair.last_activity else "",
                    str(PLAN_STATUS[pair.plan_status]),
                    pair.get_absolute_url(),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="exchange-pairs.csv"'
    return response


@coordinator_only
def progress(request: HttpRequest) -> HttpResponse:
    calls = list(
        Call.objects.filter(matches_published_at__isnull=False)
        .only("slug", "title")
        .order_by("-matches_published_at", "pk")
    )
    form = ProgressFilterForm(request.GET or None, calls=calls)
    slug = form.chosen_call()
    pairs = _progress_rows(slug)
    if request.GET.get("format") == "csv":
        return _csv(pairs)
    page = Paginator(pairs, PROGRESS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "pairs": page.object_list,
        "plan_status": PLAN_STATUS,
        "slug": slug,
    }
    return render(request, "exchanges/progress.html", context)

"""The coordinators' matching of a call: what there is to match (accepted applicants, hosts,
places), the weights, running the matching, the proposed pairs by host with “why this pair”,
locking and excluding pairs, the applicants left without a host with their best possible
hosts, and publishing the pairs (after which the page is read-only).

Everyone but coordinators is asked to sign in, then gets a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netzerohub.core.policies import coordinator_only

from . import services
from .explain import PART_NAMES, Part, Suggestion, best_hosts, explain
from .matching import DEFAULT_WEIGHTS, PARTS
from .models import Application, Call, HostOffer, Pair, PairRule
from .pair_forms import PairRuleForm
from .policies import get_call_for_user


@dataclass
class ProposedPair:
    pair: Pair
    parts: list[Part]
    rule: str | None


@dataclass
class HostRow:
    offer: HostOffer
    pairs: list[ProposedPair] = field(default_factory=list)

    @property
    def used(self) -> int:
        return len(self.pairs)


@dataclass
class Unmatched:
    application: Application
    suggestions: list[Suggestion]


def _call(request: HttpRequest, slug: str) -> Call:
    return get_call_for_user(request.user, slug, "manage")


def _back(call: Call) -> HttpResponse:
    return redirect("exchanges:matching", call.slug)


def matching_context(call: Call) -> dict[str, Any]:
    """Everything the matching page shows, in a fixed number of queries whatever the size."""
    applications = list(
        Application.objects.for_call(call)
        .accepted()
        .select_related("city__country")
        .prefetch_related("fields", "levers")
        .order_by("city__name", "pk")
    )
    offers = list(
        HostOffer.objects.for_call(call)
        .select_related("city__country")
        .prefetch_related("fields", "levers")
        .order_by("city__name", "pk")
    )
    application_of = {a.pk: a for a in applications}
    offer_of = {o.pk: o for o in offers}
    rules = list(
        PairRule.objects.filter(call=call)
        .select_related("application__city", "offer__city")
        .order_by("application__city__name", "offer__city__name", "pk")
    )
    rule_of = {(r.application_id, r.offer_id): r.kind for r in rules}
    weights = call.match_weights or DEFAULT_WEIGHTS
    hosts = {o.pk: HostRow(offer=o) for o in offers}
    paired: set[int] = set()
    total = 0.0
    for pair in Pair.objects.for_call(call).order_by("-score", "pk"):
        application = application_of.get(pair.application_id)
        offer = offer_of.get(pair.offer_id)
        if application is None or offer is None:  # decided otherwise since the run
            continue
        pair.call, pair.application, pair.offer = call, application, offer
        parts = explain(application, offer, weights, pair.breakdown)
        rule = rule_of.get((application.pk, offer.pk))
        hosts[offer.pk].pairs.append(ProposedPair(pair=pair, parts=parts, rule=rule))
        paired.add(application.pk)
        total += pair.score
    left_out = [a for a in applications if a.pk not in paired]
    excluded = {key for key, kind in rule_of.items() if kind == PairRule.Kind.EXCLUDE}
    suggestions = best_hosts(
        left_out,
        [o for o in offers if o.capacity > 0],
        weights,
        used={pk: row.used for pk, row in hosts.items()},
        excluded=excluded,
    )
    return {
        "call": call,
        "published": call.matches_published_at is not None,
        "accepted": len(applications),
        "hosts": list(hosts.values()),
        "places": sum(o.capacity for o in offers),
        "pair_count": len(paired),
        "total": total,
        "weights": [(PART_NAMES[p], weights.get(p, 0)) for p in PARTS],
        "rules": rules,
        "unmatched": [Unmatched(a, suggestions.get(a.pk, [])) for a in left_out],
    }


@coordinator_only
def matching(request: HttpRequest, slug: str) -> HttpResponse:
    call = _call(request, slug)
    return render(request, "exchanges/matching.html", matching_context(call))


@coordinator_only
@require_POST
def run(request: HttpRequest, slug: str) -> HttpResponse:
    call = _call(request, slug)
    try:
        pairs = services.run_matching(call, actor=request.user)
    except services.ExchangeError as error:
        messages.error(request, _("The matching was not run: %(reason)s") % {"reason": error})
    else:
        accepted = Application.objects.for_call(call).accepted().count()
        messages.success(
            request,
            _(
                "Pairs proposed: %(pairs)s, with a total compatibility of %(total).1f. Accepted "
                "applicants without a host: %(left)s."
            )
            % {
                "pairs": len(pairs),
                "total": sum(p.score for p in pairs),
                "left": accepted - len(pairs),
            },
        )
    return _back(call)


@coordinator_only
@require_POST
def pair_rule(request: HttpRequest, slug: str) -> HttpResponse:
    call = _call(request, slug)
    form = PairRuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a pair and what to do with it."))
        return _back(call)
    application = (
        Application.objects.for_call(call)
        .select_related("city")
        .filter(pk=form.cleaned_data["application"])
        .first()
    )
    offer = (
        HostOffer.objects.for_call(call)
        .select_related("city")
        .filter(pk=form.cleaned_data["offer"])
        .first()
    )
    if application is None or offer is None:
        raise Http404
    kind = form.kind()
    try:
        services.set_pair_rule(call, application, offer, kind, actor=request.user)
    except services.ExchangeError as error:
        messages.error(request, str(error))
    else:
        names = {"twin": application.city.name, "host": offer.city.name}
        done = {
            "lock": _("Locked: %(twin)s with %(host)s. Run the matching again to apply it."),
            "exclude": _("Excluded: %(twin)s with %(host)s. Run the matching again to apply it."),
            None: _("The rule on %(twin)s with %(host)s is cleared."),
        }[kind]
        messages.success(request, done % names)
    return _back(call)


@coordinator_only
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    call = _call(request, slug)
    try:
        count = services.publish_matches(call, actor=request.user)
    except services.ExchangeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Pairs published: %(count)s. Both cities of every pair are told.") % {"count": count},
        )
    return _back(call)

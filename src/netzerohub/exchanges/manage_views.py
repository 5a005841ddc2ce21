"""Coordinators' pages for running calls: the list of every call with its applications and
host offers counted, and the one form that sets up a call (window, rules, questions, review
criteria, reviewers, matching weights). Everyone else is asked to sign in, then gets a 404."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from netzerohub.community.models import Group
from netzerohub.core.forms import rows_in_order
from netzerohub.core.paging import PER_PAGE
from netzerohub.core.policies import coordinator_only

from . import matching, services
from .manage_forms import (
    CallForm,
    CriterionFormSet,
    QuestionFormSet,
    RuleFormSet,
    standard_questions,
)
from .models import Application, Call, HostOffer
from .policies import get_call_for_user

STATUSES = Application.Status


@coordinator_only
def overview(request: HttpRequest) -> HttpResponse:
    """Every call, newest window first, with its applications counted by status and its host
    offers (two grouped counts for the page's calls, whatever their number)."""
    page = Paginator(Call.objects.order_by("-opens_at", "-id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    calls = list(page.object_list)
    counts: dict[int, Counter] = {call.pk: Counter() for call in calls}
    rows = (
        Application.objects.filter(call__in=calls)
        .values_list("call_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for call_id, status, n in rows:
        counts[call_id][status] = n
    offers = dict(
        HostOffer.objects.filter(call__in=calls)
        .values_list("call_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for call in calls:
        found = counts[call.pk]
        call.counts = [found[status] for status in STATUSES.values]
        call.handed_in = sum(found[status] for status in ("submitted", *Application.DECIDED))
        call.offer_count = offers.get(call.pk, 0)
    context = {"page": page, "calls": calls, "statuses": STATUSES.choices}
    return render(request, "exchanges/manage.html", context)


def _new_call(user) -> Call:
    return Call(
        time_zone=user.time_zone or "Europe/Brussels",
        match_weights=dict(matching.DEFAULT_WEIGHTS),
    )


@coordinator_only
def call_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    call = get_call_for_user(request.user, slug, "manage") if slug else _new_call(request.user)
    # The page's title and links name the call as saved, not as typed (a refused form keeps
    # what was typed in its instance).
    saved_as = (
        {"title": call.title, "url": call.get_absolute_url(), "slug": call.slug}
        if call.pk
        else None
    )
    data = request.POST if request.method == "POST" else None
    groups = list(Group.objects.order_by("title").only("pk", "title"))
    form = CallForm(data, instance=call)
    rules = RuleFormSet(data, instance=call, prefix="rules", form_kwargs={"groups": groups})
    questions = QuestionFormSet(data, instance=call, prefix="questions")
    criteria = CriterionFormSet(data, instance=call, prefix="criteria")
    valid = [f.is_valid() for f in (form, rules, questions, criteria)]  # every error at once
    if data is not None and all(valid):
        asked = rows_in_order(questions)
        if "standard" in data:
            asked += standard_questions(asked)
        try:
            saved = services.save_call(
                form.instance,
                actor=request.user,
                rules=rows_in_order(rules),
                questions=asked,
                criteria=rows_in_order(criteria),
                reviewers=form.cleaned_data["reviewer_emails"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        except services.ExchangeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Call saved: %(title)s.") % {"title": saved.title})
            return redirect(reverse("exchanges:call-edit", args=[saved.slug]))
    context = {
        "form": form,
        "rules": rules,
        "questions": questions,
        "criteria": criteria,
        "call": saved_as,
    }
    return render(request, "exchanges/call_form.html", context)

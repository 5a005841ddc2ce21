"""Reviewing applications: the list of a call's handed-in applications with their scores, the
review page of one application (answers, eligibility, reviews, my scores) and the coordinators'
decisions.

Coordinators and the call's invited reviewers review; a reviewer never sees an application of
a city they belong to (the policy answers 404, as for a missing one). An invited reviewer sees
the other reviewers' scores only once they have scored the application themselves, so the
list shows them a score only on the applications they reviewed, and only coordinators sort by
score. The score shown is `services.weighted_score`, computed for a page from the reviews and
criteria loaded once; a list sorted by score is sorted in the database by the same formula
(`ApplicationQuerySet.with_score`).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netzerohub.cities.models import Country
from netzerohub.cities.policies import approved_memberships, is_coordinator
from netzerohub.core.fragments import rendered
from netzerohub.core.languages import LANGUAGE_NAMES
from netzerohub.core.models import AuditLog, Term
from netzerohub.core.paging import PER_PAGE
from netzerohub.core.spreadsheets import neutralise

from . import eligibility, services
from .models import Application, Call, Question, Review
from .policies import get_application_for_user, get_call_for_user
from .review_forms import ReviewFilterForm, ScoreForm

LIST_SECONDS = 600
DECISION_ACTIONS = [f"exchanges.application.{status}" for status in Application.DECIDED]


def _filtered(call: Call, user: Any, chosen: dict[str, str]):
    applications = Application.objects.for_call(call).submitted()
    own = list(approved_memberships(user))
    if own:  # never an application of a city the reviewer belongs to (as the policy says)
        applications = applications.exclude(city_id__in=own)
    if chosen["status"]:
        applications = applications.filter(status=chosen["status"])
    if chosen["country"]:
        # By the country's id: a join on the code makes PostgreSQL walk every city of it.
        country = Country.objects.filter(code=chosen["country"]).values_list("pk", flat=True)
        applications = applications.filter(city__country_id=country.first())
    if chosen["mine"]:
        mine = Exists(Review.objects.filter(application=OuterRef("pk"), reviewer=user))
        applications = applications.filter(mine if chosen["mine"] == "yes" else ~mine)
    return applications


def _ordered(applications, call: Call, sort: str):
    """By score (best first, unscored last; computed in the database from the call's weights),
    or by the time of submission."""
    if sort == "score":
        weights = {str(c.pk): c.weight for c in call.criteria.all()}
        best = F("score").desc(nulls_last=True)
        return applications.with_score(weights).order_by(best, "submitted_at", "pk")
    order = "-submitted_at" if sort == "-submitted" else "submitted_at"
    return applications.order_by(order, "pk")


class _Ids:
    """The ids of an ordered list for the paginator: a page fetches its 25 ids only (the index
    on the call and the time of submission answers it), counted on the list without the score,
    so that neither the count nor the order drags every row along."""

    ordered = True  # what the paginator asks before it trusts the order

    def __init__(self, ordered, unordered) -> None:
        self.in_order, self.unordered = ordered, unordered

    def count(self) -> int:
        return self.unordered.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, part):
        return list(self.in_order.values_list("pk", flat=True)[part])


def _rows(ids: list[int]) -> list[Application]:
    """The applications `ids`, in that order, with what a row shows (not their answers)."""
    found = _with_reviews(Application.objects.filter(pk__in=ids)).defer(
        "answers", "challenges", "representatives", "languages"
    )
    by_id = {application.pk: application for application in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def _with_reviews(queryset):
    return queryset.select_related("city__country").prefetch_related(
        Prefetch("reviews", queryset=Review.objects.order_by("created", "id"))
    )


def _annotate(rows: list[Application], call: Call, user: Any, coordinator: bool) -> None:
    """What a row shows: the number of reviews, my review, the score (see the module)."""
    for application in rows:
        application.call = call  # its criteria are loaded once, on the call
        reviews = list(application.reviews.all())
        application.review_count = len(reviews)
        application.my_review = next((r for r in reviews if r.reviewer_id == user.pk), None)
        visible = coordinator or application.my_review is not None
        application.score = services.weighted_score(application, reviews) if visible else None
        application.score_hidden = not visible


@login_required
def review_list(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    call = get_call_for_user(user, slug, "review")
    coordinator = is_coordinator(user)
    export = request.GET.get("export") == "csv"
    if export and not coordinator:
        raise Http404
    form = ReviewFilterForm(request.GET or None, by_score=coordinator)
    chosen = form.filters()
    applications = _filtered(call, user, chosen)
    prefetch_related_objects([call], "criteria")
    ordered = _ordered(applications, call, chosen["sort"])
    if export:
        return _export(call, ordered, user)

    def build() -> dict:
        page = Paginator(_Ids(ordered, applications), PER_PAGE).get_page(request.GET.get("page"))
        rows = _rows(list(page.object_list))
        _annotate(rows, call, user, coordinator)
        return {"page": page, "applications": rows, "coordinator": coordinator}

    # Rendered once per version of the call's reviews (every review, decision, submission and
    # change of the call bumps it), filters, page and viewer (reviewers see their own scores).
    parts = (
        call.pk,
        services.reviews_version(call),
        "all" if coordinator else user.pk,
        sorted((k, v) for k, v in request.GET.items() if k != "export"),
        timezone.get_current_timezone_name(),
    )
    rows = rendered(request, "exchanges/_review_rows.html", parts, build, seconds=LIST_SECONDS)
    # The filter form's selects cost more to render than the rows: rendered once per filters
    # (the form has no CSRF token: a GET form).
    filters = rendered(
        request,
        "exchanges/_review_filters.html",
        (coordinator, parts[3]),
        lambda: {"form": form},
        seconds=LIST_SECONDS,
    )
    context = {"call": call, "filters": filters, "rows": rows, "coordinator": coordinator}
    return render(request, "exchanges/review_list.html", context)


def _export(call: Call, ordered, user: Any) -> HttpResponse:
    """The list (every page, in its order) as CSV; every text cell neutralised."""
    rows = list(_with_reviews(ordered))
    _annotate(rows, call, user, coordinator=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("City"),
            _("Country"),
            _("Status"),
            _("Submitted (UTC)"),
            _("Reviews"),
            _("Score (0–5)"),
            _("Decided (UTC)"),
        ]
    )
    for application in rows:
        city = application.city
        writer.writerow(
            [
                neutralise(city.name),
                neutralise(city.country.name),
                str(application.get_status_display()),
                _utc(application.submitted_at),
                application.review_count,
                "" if application.score is None else f"{application.score:.2f}",
                _utc(application.decided_at),
            ]
        )
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="applications-{call.slug}.csv"'
    return response


def _utc(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


# --- one application -------------------------------------------------------------------------


def answers_of(application: Application, questions: list[Question]) -> list[dict[str, Any]]:
    """Each question with the application's answer as it reads: the names of fields, levers
    and languages (not their codes), the representatives as people, numbers and texts."""
    labels = Term.objects.labels()
    shown = []
    for question in questions:
        value = application.answers.get(str(question.pk))
        kind, answer = "text", value
        if question.kind in (Question.Kind.FIELDS, Question.Kind.LEVERS):
            names = labels["field" if question.kind == Question.Kind.FIELDS else "lever"]
            kind, answer = "list", [names.get(slug, slug) for slug in value or []]
        elif question.kind == Question.Kind.LANGUAGES:
            kind, answer = "list", [str(LANGUAGE_NAMES.get(code, code)) for code in value or []]
        elif question.kind == Question.Kind.REPRESENTATIVES:
            kind, answer = "people", [p for p in value or [] if isinstance(p, dict)]
        elif question.kind == Question.Kind.HOURS:
            kind = "number"
        answered = answer not in (None, "", [])
        shown.append({"question": question, "kind": kind, "answer": answer, "answered": answered})
    return shown


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    application = get_application_for_user(user, pk, "review")
    call = application.call
    prefetch_related_objects([call], "criteria")
    criteria = list(call.criteria.all())
    reviews = list(application.reviews.select_related("reviewer").order_by("created", "id"))
    mine = next((r for r in reviews if r.reviewer_id == user.pk), None)
    form = ScoreForm(request.POST or None, criteria=criteria, review=mine)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_review(
                application,
                reviewer=user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.ExchangeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your review is saved."))
            return redirect(reverse("exchanges:review", args=[application.pk]))
    coordinator = is_coordinator(user)
    sees_all = coordinator or mine is not None
    shown = reviews if sees_all else []
    names = {str(c.pk): c.title for c in criteria}
    for r in shown:
        r.rows = [(names[key], value) for key, value in r.scores.items() if key in names]
    history = []
    if coordinator:
        history = list(
            AuditLog.objects.for_object(application)
            .filter(action__in=DECISION_ACTIONS)
            .select_related("actor")
            .order_by("created", "id")
        )
    questions = list(call.questions.order_by("position", "id"))
    context = {
        "application": application,
        "call": call,
        "city": application.city,
        "answers": answers_of(application, questions),
        "checks": eligibility.check(eligibility.rules_of(call), application.city, application),
        "reviews": shown,
        "hidden_reviews": len(reviews) - len(shown),
        "mine": mine,
        "score": services.weighted_score(application, reviews) if sees_all else None,
        "form": form,
        "coordinator": coordinator,
        "can_decide": coordinator and not call.matches_published_at,
        "decisions": [
            ("accept", _("Accept"), Application.Status.ACCEPTED),
            ("waitlist", _("Put on the waiting list"), Application.Status.WAITLISTED),
            ("reject", _("Reject"), Application.Status.REJECTED),
        ],
        "history": history,
    }
    return render(request, "exchanges/review.html", context)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for_user(request.user, pk, "decide")
    try:
        decided = services.decide_application(
            application, request.POST.get("decision", ""), actor=request.user
        )
    except services.ExchangeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Decision saved: %(status)s. The city's leads are told.")
            % {"status": decided.get_status_display()},
        )
    return redirect(reverse("exchanges:review", args=[application.pk]))

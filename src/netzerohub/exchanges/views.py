"""The city side of city-to-city exchanges: the calls, what a city needs to be eligible in plain
words, applying (answers saved as they are given), submitting and withdrawing, and My
applications.

The application window is the service's to enforce (in UTC, on the server); these pages show it
in the viewer's zone and in the call's own zone, each named, with the time left. An application
is fetched through its policy: the city's members read it, its leads write it, and everyone else
gets the same 404 as for a missing one.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from netzerohub.cities.models import City, Membership
from netzerohub.cities.policies import approved_memberships, get_city_for_user
from netzerohub.core.ratelimit import rate_limited
from netzerohub.events.models import Event

from . import eligibility, services
from .forms import ApplicationForm, ApplyForm
from .models import Application, Call, EligibilityRule, Pair
from .policies import (
    application_policy,
    call_policy,
    can_apply_for,
    can_host_for,
    get_application_for_user,
    get_call_for_user,
)

CALLS_PER_PAGE = 20  # open calls first: each with its eligibility checks per city led
PHASES = ("open", "upcoming", "closed")  # as `Call.objects.listed()` numbers them
MINE_PER_PAGE = 25
VISITS_MAX = 20
PAIRS_MAX = 50
WRITABLE = (Application.Status.DRAFT, Application.Status.SUBMITTED)


# --- times as people read them -----------------------------------------------------------------


def _span(start: dt.datetime, end: dt.datetime, zone: dt.tzinfo) -> str:
    """'8 April 00:00 – 31 May 2027 23:59 CEST' (the zone's abbreviation at each end when they
    differ: '1 March 00:00 CET – 31 May 2027 23:59 CEST')."""
    start, end = timezone.localtime(start, zone), timezone.localtime(end, zone)
    first = "j F H:i" if start.year == end.year else "j F Y H:i"
    opens = dateformat.format(start, first)
    closes = dateformat.format(end, "j F Y H:i")
    start_abbr, end_abbr = dateformat.format(start, "T"), dateformat.format(end, "T")
    if start_abbr == end_abbr:
        return f"{opens} – {closes} {end_abbr}"
    return f"{opens} {start_abbr} – {closes} {end_abbr}"


def time_left(closes_at: dt.datetime, now: dt.datetime) -> str:
    """'12 days 4 hours left', '3 hours 20 minutes left', 'less than a minute left'; '' once
    closed."""
    seconds = int((closes_at - now).total_seconds())
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    day_part = ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    hour_part = ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    minute_part = ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    if days:
        parts = [day_part, hour_part] if hours else [day_part]
    elif hours:
        parts = [hour_part, minute_part] if minutes else [hour_part]
    elif minutes:
        parts = [minute_part]
    else:
        return _("less than a minute left")
    return _("%(time)s left") % {"time": " ".join(parts)}


@dataclass(frozen=True)
class Times:
    """A call's window as a page shows it."""

    phase: str  # upcoming | open | closed
    here: str  # the window in the viewer's zone
    here_zone: str
    own: str  # the window in the call's zone
    own_zone: str
    left: str  # time left while open
    closes: str  # the closing time in the viewer's zone, with its abbreviation
    opens: str  # the opening time in the viewer's zone, with its abbreviation

    @property
    def same_zone(self) -> bool:
        return self.here_zone == self.own_zone


def times_of(call: Call, now: dt.datetime) -> Times:
    here = timezone.get_current_timezone()
    try:
        own = call.zone
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        own = zoneinfo.ZoneInfo("UTC")
    return Times(
        phase=call.phase(now),
        here=_span(call.opens_at, call.closes_at, here),
        here_zone=timezone.get_current_timezone_name(),
        own=_span(call.opens_at, call.closes_at, own),
        own_zone=call.time_zone,
        left=time_left(call.closes_at, now) if call.opens_at <= now else "",
        closes=dateformat.format(timezone.localtime(call.closes_at, here), "j F Y H:i T"),
        opens=dateformat.format(timezone.localtime(call.opens_at, here), "j F Y H:i T"),
    )


# --- the viewer's cities -----------------------------------------------------------------------


@dataclass
class CityRow:
    """One of the viewer's cities on a call: its role there, its application, and (for a lead)
    the call's rules checked for it."""

    city: City
    is_lead: bool
    can_host: bool
    application: Application | None = None
    checks: list[eligibility.Check] | None = None

    @property
    def eligible(self) -> bool:
        return self.checks is not None and eligibility.is_eligible(self.checks)

    @property
    def failures(self) -> list[eligibility.Check]:
        return eligibility.failures(self.checks or [])

    @property
    def continues(self) -> bool:
        """The application is there to be continued (not withdrawn)."""
        return (
            self.application is not None and self.application.status != Application.Status.WITHDRAWN
        )


def _my_cities(user: Any) -> list[tuple[City, Membership]]:
    """The viewer's cities (approved memberships), by name, with their countries."""
    memberships = approved_memberships(user)
    if not memberships:
        return []
    cities = City.objects.filter(pk__in=list(memberships)).select_related("country")
    return [(city, memberships[city.pk]) for city in cities.order_by("name", "pk")]


def _city_rows(
    user: Any, call: Call, rules: list[EligibilityRule], cities, applications
) -> list[CityRow]:
    rows = []
    for city, membership in cities:
        is_lead = membership.role == Membership.Role.LEAD
        application = applications.get((call.pk, city.pk))
        rows.append(
            CityRow(
                city=city,
                is_lead=is_lead,
                can_host=can_host_for(user, city),
                application=application,
                checks=eligibility.check(rules, city, application) if is_lead else None,
            )
        )
    return rows


# --- the calls -----------------------------------------------------------------------------------


def calls(request: HttpRequest) -> HttpResponse:
    """The published calls by pages: open now (for a lead, per city they lead: eligible or why
    not, and the application), then upcoming, then closed. The eligibility checks run for the
    open calls of the page shown only (open calls come first), so their cost is bounded."""
    now = timezone.now()
    ordered_rules = Prefetch(
        "rules", queryset=EligibilityRule.objects.select_related("group").order_by("position", "id")
    )
    page = Paginator(
        Call.objects.listed(now).prefetch_related(ordered_rules), CALLS_PER_PAGE
    ).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    sections = {
        phase: [c for c in listed if c.listing_phase == n] for n, phase in enumerate(PHASES)
    }
    cities = [(c, m) for c, m in _my_cities(request.user) if m.role == Membership.Role.LEAD]
    applications = {}
    if cities and sections["open"]:
        found = Application.objects.for_cities([c.pk for c, _m in cities]).for_calls(
            sections["open"]
        )
        applications = {(a.call_id, a.city_id): a for a in found}
    for call in listed:
        call.times = times_of(call, now)
    for call in sections["open"]:
        call.city_rows = _city_rows(
            request.user, call, list(call.rules.all()), cities, applications
        )
    # A section empty on this page is said to be empty only when it really is: on the first
    # page, when a later section starts here or nothing follows.
    latest = max((c.listing_phase for c in listed), default=-1)
    empty = {
        phase: page.number == 1 and (latest > n or not page.has_next())
        for n, phase in enumerate(PHASES)
    }
    context = {"page": page, "sections": sections, "empty": empty, "leads": bool(cities)}
    return render(request, "exchanges/calls.html", context)


def call_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A call's information page: the window, who may apply (each rule, and for the viewer's
    cities whether they meet it), the questions, the review criteria with their weights, the
    study visits, and the ways in (apply, continue, offer to host, run the call)."""
    call = get_call_for_user(request.user, slug)
    now = timezone.now()
    rules = eligibility.rules_of(call)
    cities = _my_cities(request.user)
    applications = {}
    if cities:
        found = Application.objects.for_call(call).for_cities([c.pk for c, _m in cities])
        applications = {(a.call_id, a.city_id): a for a in found}
    visits = (
        Event.objects.study_visits_of(call)
        .published()
        .upcoming(now)
        .select_related("offer__city")
        .order_by("starts_at", "id")[:VISITS_MAX]
    )
    user = request.user
    context = {
        "call": call,
        "times": times_of(call, now),
        "is_open": call.is_open(now),
        "deadline": _deadline_state(call, call.is_open(now), now),
        "rules": [(rule, eligibility.describe(rule)) for rule in rules],
        "questions": list(call.questions.all()),
        "criteria": list(call.criteria.all()),
        "city_rows": _city_rows(user, call, rules, cities, applications),
        "visits": list(visits),
        "can_manage": call_policy.can(user, "manage", call),
        "can_review": user.is_authenticated and call_policy.can(user, "review", call),
    }
    return render(request, "exchanges/call_detail.html", context)


@login_required
@require_POST
@rate_limited("exchanges.apply", limit=60)
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    """Start (or open) the application of a city the person leads. A city they do not lead is
    answered like a missing one (404); the service checks the window and the rules again."""
    call = get_call_for_user(request.user, slug)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        raise Http404
    city = get_city_for_user(request.user, form.cleaned_data["city"], "view")
    if not can_apply_for(request.user, city):
        raise Http404
    started = timezone.now()
    try:
        application = services.start_application(call, city=city, actor=request.user)
    except services.ExchangeError as error:
        messages.error(request, str(error))
        return redirect(call)
    if application.created < started:
        messages.info(
            request,
            _("%(city)s already has an application to this call: here it is.")
            % {"city": city.name},
        )
    else:
        messages.success(
            request,
            _("The application of %(city)s is started. Answers are saved as you give them.")
            % {"city": city.name},
        )
    return redirect(application)


# --- the application -----------------------------------------------------------------------------


def _application_page(
    request: HttpRequest,
    application: Application,
    *,
    form: ApplicationForm | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    call = application.call
    now = timezone.now()
    questions = form.questions if form is not None else list(call.questions.all())
    if form is None:
        form = ApplicationForm(questions=questions, answers=application.answers)
    can_edit = application_policy.can(request.user, "edit", application)
    is_open = call.is_open(now)
    editable = can_edit and is_open and application.status in WRITABLE
    missing = services.missing_answers(application)
    context = {
        "application": application,
        "call": call,
        "city": application.city,
        "times": times_of(call, now),
        "is_open": is_open,
        "deadline": _deadline_state(call, is_open, now),
        "can_edit": can_edit,
        "editable": editable,
        # A refused request shows what was typed (to copy), even where nothing can be saved.
        "typed": form.is_bound and not editable,
        "can_submit": application.status == Application.Status.DRAFT,
        "rows": form.rows(errors),
        "checks": eligibility.check(eligibility.rules_of(call), application.city, application),
        "missing": missing,
        "readonly_reason": _readonly_reason(application, can_edit, is_open),
    }
    return render(request, "exchanges/application.html", context, status=status)


def _deadline_state(call: Call, is_open: bool, now: dt.datetime) -> str:
    """open | upcoming | closed | unpublished (a call taken back: nothing is taken)."""
    if is_open:
        return "open"
    if call.status != Call.Status.PUBLISHED:
        return "unpublished"
    return call.phase(now)


def _readonly_reason(application: Application, can_edit: bool, is_open: bool) -> str:
    if not can_edit:
        return _("You can read this application; the city's leads write and submit it.")
    if application.status not in WRITABLE:
        return _("This application is %(status)s; it can no longer be changed.") % {
            "status": application.get_status_display().lower()
        }
    if not is_open:
        if application.call.status != Call.Status.PUBLISHED:
            return _("The call is not open for applications; nothing can be changed now.")
        if application.call.phase() == "upcoming":
            return _("The call is not open yet; the answers can be written once it opens.")
        return _("The call closed; the application can no longer be changed.")
    return ""


@login_required
def application(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_page(request, get_application_for_user(request.user, pk))


def _error_messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {key: [str(m) for m in value] for key, value in error.message_dict.items()}
    return {"": [str(m) for m in error.messages]}


@require_POST
@rate_limited("exchanges.answer", limit=600)
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Save answers: one question sent by htmx as it is answered (its save line comes back),
    or the whole form without JavaScript (only the answers that changed since the page was
    loaded are saved, so that a colleague's newer answer to another question stays)."""
    if not request.user.is_authenticated:
        if request.htmx:
            return HttpResponse(status=401)
        return redirect_to_login(request.get_full_path())
    application = get_application_for_user(request.user, pk, "edit")
    questions = list(application.call.questions.all())
    form = ApplicationForm(request.POST, questions=questions, answers=application.answers)
    if request.htmx:
        return _answer_one(request, application, form)
    answers = form.changed_answers()
    invalid = [q for q in form.sent() if form.has_errors_for(q)]
    if not answers and not invalid:
        messages.info(request, _("No answer changed: there was nothing to save."))
        return redirect(application)
    saved = False
    errors = None
    if answers:
        try:
            application = services.save_answers(application, answers, actor=request.user)
            saved = True
        except services.ExchangeError as error:
            messages.error(request, str(error))
            return _application_page(request, application, form=form, status=409)
        except ValidationError as error:
            errors = _error_messages(error)
    if invalid or errors:
        form.saved = application.answers
        if saved:
            messages.info(request, _("The other answers are saved."))
        messages.error(request, _("Some answers are not saved: correct them below."))
        return _application_page(request, application, form=form, errors=errors, status=400)
    messages.success(request, _("Your answers are saved."))
    return redirect(application)


def _answer_one(request: HttpRequest, application: Application, form: ApplicationForm):
    """One question saved by htmx: its save line (with the answer now saved) comes back, and
    the list of missing answers follows out of band. Always 200, so that htmx shows the line."""
    sent = form.sent()
    if len(sent) != 1:
        return HttpResponse(_("Send one question at a time."), status=400)
    question = sent[0]
    form.is_valid()
    error = ""
    saved_at = None
    if form.has_errors_for(question):
        error = " ".join(
            str(e) for name in form.names_of(question) for e in form.errors.get(name, [])
        )
    else:
        try:
            application = services.save_answers(
                application, {question.pk: form.value_of(question)}, actor=request.user
            )
            saved_at = application.updated
        except services.ExchangeError as refused:
            error = str(refused)
        except ValidationError as invalid:
            error = " ".join(
                m for messages_ in _error_messages(invalid).values() for m in messages_
            )
    form.saved = application.answers
    row = next(r for r in form.rows() if r.question.pk == question.pk)
    context = {
        "row": row,
        "error": error,
        "saved_at": saved_at,
        "missing": services.missing_answers(application),
        "application": application,
    }
    return render(request, "exchanges/_question_saved.html", context)


@login_required
@require_POST
@rate_limited("exchanges.submit", limit=60)
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand in the application. The form's answers that changed are saved first (a person
    without JavaScript presses Submit after typing); the service then checks the window, the
    required answers and every rule again, and tells the city's leads."""
    application = get_application_for_user(request.user, pk, "edit")
    questions = list(application.call.questions.all())
    form = ApplicationForm(request.POST, questions=questions, answers=application.answers)
    answers = form.changed_answers()
    if any(form.has_errors_for(q) for q in form.sent()):
        messages.error(request, _("Some answers are not valid: correct them, then submit."))
        return _application_page(request, application, form=form, status=400)
    saved = False
    try:
        if answers:
            application = services.save_answers(application, answers, actor=request.user)
            saved = True
        application = services.submit_application(application, actor=request.user)
    except services.ExchangeError as error:
        messages.error(request, str(error))
        if answers and not saved:  # refused: what was typed is shown back
            return _application_page(request, application, form=form, status=409)
        return redirect(application)
    except ValidationError as error:
        messages.error(request, _("Some answers are not valid: correct them, then submit."))
        return _application_page(
            request, application, form=form, errors=_error_messages(error), status=400
        )
    messages.success(
        request,
        _(
            "The application is submitted; the city's leads get a confirmation. It can be "
            "changed until the call closes on %(when)s."
        )
        % {"when": times_of(application.call, timezone.now()).closes},
    )
    return redirect(application)


@login_required
@require_POST
@rate_limited("exchanges.withdraw", limit=60)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for_user(request.user, pk, "edit")
    try:
        services.withdraw_application(application, actor=request.user)
    except services.ExchangeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "The application is withdrawn. While the call is open, the city can apply "
                "again: its answers are kept."
            ),
        )
    return redirect(application)


# --- my applications -----------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The applications of the viewer's cities across calls, and their published pairs."""
    city_ids = list(approved_memberships(request.user))
    applications = (
        Application.objects.for_cities(city_ids)
        .select_related("call", "city")
        .order_by("-call__closes_at", "call_id", "city__name", "pk")
    )
    page = Paginator(applications, MINE_PER_PAGE).get_page(request.GET.get("page"))
    pairs = list(
        Pair.objects.published()
        .of_cities(city_ids)
        .select_related("call", "application__city", "offer__city")
        .order_by("-call__closes_at", "pk")[:PAIRS_MAX]
    )
    leads = {
        pk for pk, m in approved_memberships(request.user).items() if m.role == Membership.Role.LEAD
    }
    now = timezone.now()
    for item in page.object_list:
        item.is_open = item.call.is_open(now)
        item.left = time_left(item.call.closes_at, now) if item.is_open else ""
        item.led = item.city_id in leads
    context = {"page": page, "pairs": pairs, "has_cities": bool(city_ids), "my_city_ids": city_ids}
    return render(request, "exchanges/mine.html", context)

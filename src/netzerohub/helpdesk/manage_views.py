"""Pages that run the helpdesk.

For experts and coordinators: the queues with their backlog, a queue's tickets with filters,
the overdue list, the FAQ, canned replies and absences. For coordinators only: the metrics
(with a CSV export), the settings (working time, service levels, holidays), the queues' own
settings and the routing rules. Everyone else is asked to sign in, then gets a 404.

Counts on the hot pages are cached under `caching.tickets_version()` (and, where they depend on
the time, a one-minute bucket), so no exact count runs over the tickets table on every visit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, Q, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.core import versions
from netzerohub.core.fragments import rendered
from netzerohub.core.paging import PER_PAGE, paginate
from netzerohub.core.querysets import make_key
from netzerohub.core.spreadsheets import neutralise

from . import clock, services
from . import metrics as figures_of
from .caching import tickets_version
from .manage_forms import (
    AbsenceForm,
    CannedReplyForm,
    FaqForm,
    HolidayForm,
    QueueFilterForm,
    QueueForm,
    RulesForm,
    ServiceLevelForm,
    WorkingTimeForm,
    routes,
)
from .models import (
    Absence,
    CannedReply,
    FaqEntry,
    Holiday,
    Priority,
    Queue,
    ServiceLevel,
    Ticket,
    WorkingTime,
)
from .policies import can_answer_faq, can_configure, is_expert, queue_ids

S = Ticket.Status
ACTIVE = (S.NEW, S.OPEN, S.WAITING)
COUNTS_SECONDS = 60

# The time a ticket is next due: its first response while none was sent, else its resolution.
NEXT_DUE = Case(
    When(first_response_at__isnull=True, first_response_due__isnull=False,
         then=F("first_response_due")),
    default=F("resolution_due"),
)  # fmt: skip


# --- who may -------------------------------------------------------------------------------


def helpdesk_side(view: Callable) -> Callable:
    """A page of experts and coordinators: others sign in, then get a 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not is_expert(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def configuration(view: Callable) -> Callable:
    """A page of coordinators (`policies.can_configure`): others sign in, then get a 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not can_configure(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render a page of the helpdesk side, with what its sub-navigation needs."""
    context.setdefault("configure", can_configure(request.user))
    return render(request, f"helpdesk/manage/{template}", context)


def _minute() -> int:
    return int(time.time() // 60)


def _working_queues(user: Any):
    """The queues the person works in; coordinators: every queue."""
    if user.is_coordinator:
        return Queue.objects.order_by("name", "id")
    return Queue.objects.filter(pk__in=queue_ids(user), is_active=True).order_by("name", "id")


def _mark_due(tickets: list[Ticket], now: dt.datetime, horizon: dt.datetime | None = None):
    """Set, on each row: `due` (the next due time), `due_what` and `late` / `soon` (as
    `TicketQuerySet.overdue` and the warning window decide)."""
    for ticket in tickets:
        first_pending = ticket.first_response_at is None and ticket.first_response_due is not None
        ticket.due = ticket.first_response_due if first_pending else ticket.resolution_due
        ticket.due_what = _("first response") if first_pending else _("resolution")
        running = ticket.status in (S.NEW, S.OPEN)
        ticket.late = running and (
            (first_pending and ticket.first_response_due < now)
            or (ticket.resolution_due is not None and ticket.resolution_due < now)
        )
        ticket.soon = (
            running and not ticket.late and horizon is not None and ticket.due is not None
            and ticket.due < horizon
        )  # fmt: skip
    return tickets


# --- queues --------------------------------------------------------------------------------


def _queue_counts(user: Any, pks: list[int]) -> dict[int, dict[str, int]]:
    """{queue: {new, open, waiting, mine, unassigned, overdue}} for the active tickets of the
    queues: two grouped queries, cached under the tickets' version and the minute (overdue
    depends on the time)."""
    key = make_key("helpdesk-queue-counts", tickets_version(), _minute(), user.pk, pks)
    found = cache.get(key)
    if found is not None:
        return found
    found = {pk: dict.fromkeys(("new", "open", "waiting", "mine", "unassigned", "overdue"), 0)
             for pk in pks}  # fmt: skip
    rows = (
        Ticket.objects.filter(queue__in=pks, status__in=ACTIVE)
        .values_list("queue_id", "status")
        .annotate(
            n=Count("id"),
            mine=Count("id", filter=Q(assignee=user)),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
        )
        .order_by()
    )
    for queue, status, n, mine, unassigned in rows:
        counts = found[queue]
        counts[status] = n
        counts["mine"] += mine
        counts["unassigned"] += unassigned
    overdue = (
        Ticket.objects.overdue(timezone.now())
        .filter(queue__in=pks)
        .values_list("queue_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for queue, n in overdue:
        found[queue]["overdue"] = n
    cache.set(key, found, COUNTS_SECONDS)
    return found


@helpdesk_side
def queues(request: HttpRequest) -> HttpResponse:
    """The queues the person works in, each with its backlog by status and overdue count."""
    user = request.user
    rows = list(_working_queues(user).only("pk", "name", "slug", "is_active", "is_default"))
    counts = _queue_counts(user, [q.pk for q in rows]) if rows else {}
    for row in rows:
        row.counts = counts[row.pk]
        row.backlog = sum(row.counts[s] for s in ("new", "open", "waiting"))
    return _page(request, "queues.html", {"queues": rows})


@helpdesk_side
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """A queue's tickets: active by default, filtered and ordered as asked, 25 a page."""
    user = request.user
    found = Queue.objects.filter(slug=slug).first()
    if found is None or not (user.is_coordinator or found.pk in queue_ids(user)):
        raise Http404
    experts = list(found.experts.filter(is_active=True).order_by("name", "email"))
    form = QueueFilterForm(request.GET or None, experts=experts)
    chosen = form.filters()
    now = timezone.now()

    def build() -> dict[str, Any]:
        tickets = Ticket.objects.filter(queue=found)
        tickets = tickets.filter(status=chosen["status"]) if chosen["status"] else tickets.active()
        if chosen["assignee"] == "me":
            tickets = tickets.filter(assignee=user)
        elif chosen["assignee"] == "unassigned":
            tickets = tickets.filter(assignee__isnull=True)
        elif chosen["assignee"]:
            tickets = tickets.filter(assignee_id=int(chosen["assignee"]))
        if chosen["priority"]:
            tickets = tickets.filter(priority=chosen["priority"])
        if chosen["overdue"]:
            tickets = tickets.overdue(now)
        if chosen["order"] == "newest":
            tickets = tickets.order_by("-created", "-id")
        else:
            tickets = tickets.order_by(NEXT_DUE.asc(nulls_last=True), "id")
        page = paginate(tickets.select_related("city", "assignee"), request.GET.get("page"))
        page.object_list = _mark_due(list(page.object_list), now)
        return {"form": form, "page": page, "tickets": page.object_list}

    # The filters and the table, rendered once per version of the tickets (every ticket write
    # bumps it), of the settings (a queue's experts), filters, page, zone and minute (the
    # overdue marks move with the time); "me" names the person.
    parts = (
        found.pk,
        tickets_version(),
        versions.current(clock.VERSION),
        sorted((k, v) for k, v in request.GET.items()),
        user.pk if chosen["assignee"] == "me" else "",
        timezone.get_current_timezone_name(),
        _minute(),
    )
    body = rendered(
        request, "helpdesk/manage/_queue_body.html", parts, build, seconds=COUNTS_SECONDS
    )
    return _page(request, "queue.html", {"queue": found, "body": body})


@helpdesk_side
def overdue(request: HttpRequest) -> HttpResponse:
    """Tickets past a due time, and those due within the warning window, in the person's
    queues (coordinators: all), the soonest due first."""
    user = request.user
    now = timezone.now()
    warn_hours = clock.warn_hours()
    horizon = now
    if warn_hours:
        try:
            horizon = clock.calendar().add(now, warn_hours * 3600)
        except ValueError:  # no working hours configured: nothing is "due soon"
            horizon = now
    tickets = Ticket.objects.due_before(horizon)
    scope: Any = "all"
    if not user.is_coordinator:
        scope = sorted(queue_ids(user))
        tickets = tickets.filter(queue__in=scope)
    tickets = tickets.order_by(NEXT_DUE.asc(nulls_last=True), "id")
    count_key = f"helpdesk-overdue:{tickets_version()}:{_minute()}:{warn_hours}:{scope}"
    page = paginate(
        tickets.select_related("city", "assignee", "queue"),
        request.GET.get("page"),
        count_key=count_key,
    )
    page.object_list = _mark_due(list(page.object_list), now, horizon)
    context = {
        "page": page,
        "tickets": page.object_list,
        "warn_hours": warn_hours,
        "show_queue": True,
    }
    return _page(request, "overdue.html", context)


# --- metrics -------------------------------------------------------------------------------


CSV_HEADER = [
    _l("Queue"),
    _l("Month"),
    _l("Tickets received"),
    _l("Median first response (working hours)"),
    _l("Median resolution (working hours)"),
    _l("First response within target (%)"),
    _l("Resolution within target (%)"),
    _l("Average rating (1-5)"),
    _l("Ratings"),
]


def _blank(value: Any) -> Any:
    return "" if value is None else value


def metrics_rows(figures: figures_of.Figures, queue_name: str) -> list[list[Any]]:
    """The monthly table as the CSV has it (text cells neutralised)."""
    return [
        [
            neutralise(queue_name),
            month.month.strftime("%Y-%m"),
            month.received,
            _blank(month.median_first_response),
            _blank(month.median_resolution),
            _blank(month.first_response_compliance),
            _blank(month.resolution_compliance),
            _blank(month.rating_average),
            month.ratings,
        ]
        for month in figures.months
    ]


def _metrics_csv(figures: figures_of.Figures, queue_name: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(label) for label in CSV_HEADER])
    writer.writerows(metrics_rows(figures, queue_name))
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="helpdesk-metrics.csv"'
    return response


@configuration
def metrics(request: HttpRequest) -> HttpResponse:
    all_queues = list(Queue.objects.order_by("name", "id").only("pk", "name"))
    asked = request.GET.get("queue", "")
    chosen = next((q for q in all_queues if str(q.pk) == asked), None)
    figures = figures_of.figures(chosen.pk if chosen else None)
    queue_name = chosen.name if chosen else _("All queues")
    if request.GET.get("format") == "csv":
        return _metrics_csv(figures, queue_name)
    context = {
        "figures": figures,
        "all_queues": all_queues,
        "chosen": chosen,
        "queue_name": queue_name,
    }
    return _page(request, "metrics.html", context)


# --- FAQ -----------------------------------------------------------------------------------


def faq_side(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not can_answer_faq(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@faq_side
def faq_list(request: HttpRequest) -> HttpResponse:
    entries = FaqEntry.objects.order_by("category", "position", "question", "id")
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return _page(request, "faq_list.html", {"page": page, "entries": page.object_list})


@faq_side
def faq_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    entry = get_object_or_404(FaqEntry, pk=pk) if pk else FaqEntry()
    saved_as = entry.question if entry.pk else ""
    form = FaqForm(request.POST if request.method == "POST" else None, instance=entry)
    if form.is_bound and form.is_valid():
        saved = services.save_faq_entry(form.instance, actor=request.user)
        messages.success(request, _("FAQ entry saved: %(question)s") % {"question": saved})
        return redirect("helpdesk:faq-manage")
    return _page(request, "faq_form.html", {"form": form, "entry": entry, "saved_as": saved_as})


@faq_side
def faq_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(FaqEntry, pk=pk)
    if request.method == "POST":
        services.delete_faq_entry(entry, actor=request.user)
        messages.success(request, _("FAQ entry deleted: %(question)s") % {"question": entry})
        return redirect("helpdesk:faq-manage")
    context = {
        "what": entry.question,
        "kind": _("FAQ entry"),
        "back": "helpdesk:faq-manage",
        "explain": _(
            "It disappears from the help page and from the suggestions at once. "
            "This cannot be undone."
        ),
    }
    return _page(request, "confirm_delete.html", context)


# --- canned replies ------------------------------------------------------------------------


@faq_side
def canned_list(request: HttpRequest) -> HttpResponse:
    replies = CannedReply.objects.select_related("queue").order_by("title", "id")
    page = Paginator(replies, PER_PAGE).get_page(request.GET.get("page"))
    return _page(request, "canned_list.html", {"page": page, "replies": page.object_list})


@faq_side
def canned_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    reply = get_object_or_404(CannedReply, pk=pk) if pk else CannedReply()
    saved_as = reply.title if reply.pk else ""
    form = CannedReplyForm(request.POST if request.method == "POST" else None, instance=reply)
    if form.is_bound and form.is_valid():
        if form.instance.created_by_id is None:
            form.instance.created_by = request.user
        services.save_settings([form.instance], actor=request.user, what="canned reply")
        messages.success(request, _("Canned reply saved: %(title)s") % {"title": reply.title})
        return redirect("helpdesk:canned-manage")
    return _page(request, "canned_form.html", {"form": form, "reply": reply, "saved_as": saved_as})


@faq_side
def canned_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(CannedReply, pk=pk)
    if request.method == "POST":
        services.delete_settings([reply], actor=request.user, what="canned reply")
        messages.success(request, _("Canned reply deleted: %(title)s") % {"title": reply.title})
        return redirect("helpdesk:canned-manage")
    context = {
        "what": reply.title,
        "kind": _("canned reply"),
        "back": "helpdesk:canned-manage",
        "explain": _("Replies already sent with it stay as they are. This cannot be undone."),
    }
    return _page(request, "confirm_delete.html", context)


# --- absences ------------------------------------------------------------------------------


@helpdesk_side
def absences(request: HttpRequest) -> HttpResponse:
    """Declared absences from today on: one's own (coordinators: everyone's); add and delete."""
    user = request.user
    everyone = user.is_coordinator
    upcoming = Absence.objects.filter(ends_on__gte=timezone.localdate())
    if not everyone:
        upcoming = upcoming.filter(expert=user)
    data = request.POST if request.method == "POST" else None
    if data is not None and "delete" in data:
        pk = data["delete"]
        absence = upcoming.filter(pk=pk).first() if pk.isdigit() and len(pk) < 12 else None
        if absence is None:
            raise Http404
        services.delete_settings([absence], actor=user, what="absence")
        messages.success(request, _("Absence deleted."))
        return redirect("helpdesk:absences")
    form = AbsenceForm(data, instance=Absence(expert=user), choose_expert=everyone)
    if data is not None and form.is_valid():
        services.save_settings([form.instance], actor=user, what="absence")
        messages.success(
            request,
            _("Absence saved: %(start)s to %(end)s.")
            % {"start": form.instance.starts_on, "end": form.instance.ends_on},
        )
        return redirect("helpdesk:absences")
    rows = upcoming.select_related("expert").order_by("starts_on", "id")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "absences": page.object_list, "everyone": everyone}
    return _page(request, "absences.html", context)


# --- settings ------------------------------------------------------------------------------


def _hours(seconds: float) -> float | int:
    hours = round(seconds / 3600, 2)
    return int(hours) if float(hours).is_integer() else hours


def _level_forms(data: Any) -> list[ServiceLevelForm]:
    levels = {level.priority: level for level in ServiceLevel.objects.all()}
    return [
        ServiceLevelForm(data, priority=value, level=levels.get(value))
        for value, _label in Priority.choices
    ]


@configuration
def settings_page(request: HttpRequest) -> HttpResponse:
    """Working time, service levels per priority and holidays: three forms, each saved on its
    own (`part` says which)."""
    user = request.user
    working = WorkingTime.objects.first() or WorkingTime()
    data = request.POST if request.method == "POST" else None
    part = data.get("part", "") if data is not None else ""
    time_form = WorkingTimeForm(data if part == "working" else None, instance=working)
    level_forms = _level_forms(data if part == "levels" else None)
    holiday_form = HolidayForm(data if part == "holiday" else None)
    if part == "working" and time_form.is_valid():
        services.save_settings([time_form.instance], actor=user, what="working time")
        messages.success(request, _("Working time saved."))
        return redirect("helpdesk:settings")
    levels_valid = [f.is_valid() for f in level_forms]  # every priority's errors at once
    if part == "levels" and all(levels_valid):
        changes = [f.change() for f in level_forms]
        with transaction.atomic():
            removed = [old for _new, old in changes if old is not None]
            if removed:
                services.delete_settings(removed, actor=user, what="service levels")
            services.save_settings(
                [new for new, _old in changes if new is not None],
                actor=user,
                what="service levels",
            )
        messages.success(
            request, _("Service levels saved. They apply to tickets received from now on.")
        )
        return redirect("helpdesk:settings")
    if part == "holiday" and holiday_form.is_valid():
        services.save_settings([holiday_form.instance], actor=user, what="holiday")
        messages.success(request, _("Holiday added."))
        return redirect("helpdesk:settings")
    if part == "holiday-remove":
        pk = data.get("holiday", "")
        holiday = Holiday.objects.filter(pk=pk).first() if pk.isdigit() and len(pk) < 12 else None
        if holiday is None:
            raise Http404
        services.delete_settings([holiday], actor=user, what="holiday")
        messages.success(request, _("Holiday removed."))
        return redirect("helpdesk:settings")
    today = timezone.localdate()
    holidays = Holiday.objects.filter(date__gte=today.replace(month=1, day=1)).order_by("date")
    day = dt.datetime.combine(today, working.day_ends) - dt.datetime.combine(
        today, working.day_starts
    )
    context = {
        "time_form": time_form,
        "level_forms": level_forms,
        "holiday_form": holiday_form,
        "holidays": list(holidays[:200]),
        "day_hours": _hours(day.total_seconds()),
    }
    return _page(request, "settings.html", context)


# --- queues' settings and routing ----------------------------------------------------------


@configuration
def queue_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    found = get_object_or_404(Queue, pk=pk) if pk else Queue()
    saved_as = {"name": found.name, "url": found.get_absolute_url()} if found.pk else None
    form = QueueForm(request.POST if request.method == "POST" else None, instance=found)
    if form.is_bound and form.is_valid():
        try:
            services.save_settings(form.rows(), actor=request.user, what="queue")
        except IntegrityError:  # another coordinator made a queue the default meanwhile
            form.add_error(
                "is_default", _("Another queue just became the default queue: reload and check.")
            )
        else:
            messages.success(request, _("Queue saved: %(name)s") % {"name": form.instance.name})
            return redirect("helpdesk:queue-edit", pk=form.instance.pk)
    return _page(request, "queue_form.html", {"form": form, "saved_as": saved_as})


@configuration
def rules(request: HttpRequest) -> HttpResponse:
    """The routing table: which queue each kind of ticket goes to, and where it goes now."""
    table = routes()
    all_queues = list(Queue.objects.order_by("name", "id"))
    data = request.POST if request.method == "POST" else None
    form = RulesForm(data, table=table, queues=all_queues)
    if data is not None and form.is_valid():
        save, delete = form.changes()
        with transaction.atomic():
            if delete:
                services.delete_settings(delete, actor=request.user, what="routing rules")
            services.save_settings(save, actor=request.user, what="routing rules")
        messages.success(request, _("Routing rules saved."))
        return redirect("helpdesk:rules")
    for route in table:
        route.now = services.route(route.category, route.term.pk if route.term else None)
    return _page(request, "rules.html", {"form": form, "table": table})

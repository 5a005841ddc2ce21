"""Pages of the people who run events: coordinators (every event), a national event's organisers
and a meeting's group facilitators (their group's meetings). They create, edit and cancel
events, see and export registrations, record attendance and print a check-in list.

Everyone else is asked to sign in, then gets the same 404 for a missing and a forbidden event.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from netzerohub.cities.policies import is_coordinator
from netzerohub.community.models import Group
from netzerohub.community.policies import facilitates
from netzerohub.core.paging import PER_PAGE
from netzerohub.exchanges.models import HostOffer
from netzerohub.exchanges.policies import can_host_for

from . import services
from .exports import FORMATS, registrations_file, registrations_of
from .manage_forms import AttendanceForm, CancelForm, EventForm, ManageFilterForm
from .models import Event, Registration
from .policies import get_event_for_user
from .registration import RegistrationError

Status = Registration.Status
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def _running(request: HttpRequest, pk: int) -> Event:
    """The event `pk` if the signed-in person runs it; 404 otherwise."""
    return get_event_for_user(request.user, pk, "manage")


def _groups_for(user) -> list[Group]:
    """The groups whose meetings `user` may create: all for coordinators, else their own."""
    groups = Group.objects.all() if is_coordinator(user) else Group.objects.facilitated_by(user)
    return list(groups.order_by("title").only("slug", "title"))


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    coordinator = is_coordinator(user)
    events = Event.objects.managed_by(user)
    groups = _groups_for(user)
    if not coordinator and not groups and not events.exists():
        raise Http404
    form = ManageFilterForm(request.GET or None, groups=groups)
    chosen = form.filters()
    if chosen["kind"]:
        events = events.filter(kind=chosen["kind"])
    if chosen["status"]:
        events = events.filter(status=chosen["status"])
    if chosen["group"]:
        events = events.filter(group__slug=chosen["group"])
    if chosen["country"]:
        events = events.filter(country__code=chosen["country"])
    if chosen["when"] == "past":
        events = events.past().order_by("-starts_at", "-id")
    else:
        events = events.upcoming().order_by("starts_at", "id")
    # Counted and sliced without the registrations, then the counts of the page's events only
    # (one query): the aggregate never runs over every event. An exact count, not a cached
    # one: the people running events expect the one they just created to be listed.
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    window = page.object_list.values("pk")
    page.object_list = list(
        events.filter(pk__in=window).select_related("group", "country").with_counts()
    )
    context = {
        "form": form,
        "page": page,
        "events": page.object_list,
        "groups": groups,
        "can_create_national": coordinator,
        "past": chosen["when"] == "past",
    }
    return render(request, "events/manage.html", context)


def _new_event(request: HttpRequest) -> Event:
    """A new, unsaved meeting of `?group=<slug>`, study visit of the host offer `?offer=<id>`
    (in person, open to the cities accepted in the offer's call) or national event, or 404 for
    a person who may not create it."""
    user = request.user
    zone = user.time_zone or "Europe/Brussels"
    offer_id = request.GET.get("offer", "")
    if offer_id:
        offer = None
        if offer_id.isdigit() and len(offer_id) <= 10:
            offer = HostOffer.objects.select_related("call", "city").filter(pk=offer_id).first()
        if offer is None or not can_host_for(user, offer.city):
            raise Http404
        return Event(
            kind=Event.Kind.STUDY_VISIT,
            offer=offer,
            audience=Event.Audience.CALL,
            format=Event.Format.IN_PERSON,
            country_id=offer.city.country_id,
            time_zone=offer.city.time_zone or zone,
            languages=list(offer.languages or []),
        )
    slug = request.GET.get("group", "")
    if slug:
        group = Group.objects.filter(slug=slug).first() if _SLUG.fullmatch(slug) else None
        if group is None or not (is_coordinator(user) or facilitates(user, group)):
            raise Http404
        return Event(
            kind=Event.Kind.MEETING,
            group=group,
            audience=Event.Audience.GROUP,
            time_zone=zone,
            languages=[group.language],
        )
    if not is_coordinator(user):
        raise Http404
    return Event(kind=Event.Kind.NATIONAL, time_zone=zone)


@login_required
def event_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    event = _running(request, pk) if pk is not None else _new_event(request)
    form = None
    if not event.is_cancelled:
        form = EventForm(request.POST or None, instance=event)
        if request.method == "POST" and form.is_valid():
            try:
                saved = services.save_event(form.instance, actor=request.user, m2m=form.related())
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Saved: %(title)s.") % {"title": saved.title})
                return redirect(saved.get_absolute_url())
    context = {"form": form, "event": event, "creating": event.pk is None}
    return render(request, "events/event_form.html", context)


@login_required
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _running(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST":
        if event.is_cancelled:
            messages.error(request, _("This event is already cancelled."))
            return redirect("events:manage")
        if form.is_valid():
            try:
                services.cancel_event(event, actor=request.user, reason=form.cleaned_data["reason"])
            except RegistrationError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("“%(title)s” is cancelled; everyone registered is told.")
                    % {"title": event.title},
                )
                return redirect("events:manage")
    registered = Registration.objects.for_event(event).active().count()
    context = {"event": event, "form": form, "registered": registered}
    return render(request, "events/event_cancel.html", context)


@login_required
def registrations(request: HttpRequest, pk: int) -> HttpResponse:
    event = _running(request, pk)
    rows = list(registrations_of(event))
    confirmed = [r for r in rows if r.status == Status.CONFIRMED]
    form = AttendanceForm(request.POST or None, registrations=confirmed)
    if request.method == "POST":
        if form.is_valid():
            changed = services.record_attendance(event, form.attendance(), actor=request.user)
            messages.success(
                request, _("Attendance saved (%(count)s changed).") % {"count": changed}
            )
            return redirect("events:registrations", event.pk)
        messages.error(request, _("Some answers could not be read: see the marked rows."))
    waitlist = [r for r in rows if r.status == Status.WAITLISTED]
    for position, registration in enumerate(waitlist, start=1):
        registration.position = position
    context = {
        "event": event,
        "form": form,
        "confirmed": [(r, form[f"r{r.pk}"]) for r in confirmed],
        "offered": [r for r in rows if r.status == Status.OFFERED],
        "waitlist": waitlist,
        "ended": [r for r in rows if not r.is_active],
        "attended": sum(1 for r in confirmed if r.attended),
    }
    return render(request, "events/registrations.html", context)


@login_required
def registrations_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    event = _running(request, pk)
    return registrations_file(event, fmt)


@login_required
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    event = _running(request, pk)
    people = sorted(
        Registration.objects.for_event(event).confirmed().select_related("user", "city"),
        key=lambda r: (str(r.user).casefold(), r.pk),
    )
    return render(request, "events/check_in.html", {"event": event, "people": people})

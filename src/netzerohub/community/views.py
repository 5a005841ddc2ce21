"""Peer-group pages: the list of groups, a group's page (phases, meeting series, joining and
leaving), its members and applications (facilitators), and a city's attendance across the
series. The discussions are in `discussion_views.py`; coordinators' forms in `manage_views.py`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netzerohub.cities.models import City, Membership
from netzerohub.cities.policies import approved_memberships
from netzerohub.core.ratelimit import rate_limited
from netzerohub.events.models import Event, Registration

from . import services
from .attendance import attendance_table, member_cities
from .forms import GroupFilterForm, JoinForm
from .models import Group, GroupMembership
from .policies import get_group_for_user, group_policy, is_group_member, membership_of


def group_list(request: HttpRequest) -> HttpResponse:
    """The groups a person may see, filtered by theme kind and language."""
    user = request.user
    visible = Group.objects.visible_to(user)
    languages = list(visible.order_by().values_list("language", flat=True).distinct())
    form = GroupFilterForm(request.GET or None, languages=languages)
    filters = form.filters()
    groups = (
        visible.about(**filters)
        .with_next_meeting()
        .select_related("theme")
        .prefetch_related(
            Prefetch("facilitators", queryset=get_user_model().objects.order_by("name", "pk"))
        )
        .order_by("title", "pk")
    )
    mine: dict[int, str] = {}
    if user.is_authenticated:
        mine = dict(
            GroupMembership.objects.for_user(user).active().values_list("group_id", "status")
        )
    groups = list(groups)
    for group in groups:
        group.my_status = mine.get(group.pk)
    context = {
        "form": form,
        "filters": filters,
        "groups": groups,
        "can_create": group_policy.can(user, "manage", None),
    }
    return render(request, "community/group_list.html", context)


def _facilitators(group: Group) -> list:
    """The group's facilitators by name, each with `cities`: their approved cities."""
    cities = Membership.objects.approved().select_related("city").order_by("city__name")
    return list(
        group.facilitators.order_by("name", "pk").prefetch_related(
            Prefetch("memberships", queryset=cities, to_attr="approved_cities")
        )
    )


def _user_cities(user) -> list[City]:
    return list(City.objects.filter(pk__in=list(approved_memberships(user))).order_by("name"))


def _join_options(group: Group, user) -> tuple[list[City], list[dict]]:
    """The user's cities that may still take a seat in `group`, and those whose seats are used
    (with the count), both by name."""
    cities = _user_cities(user)
    if group.seats_per_city is None or not cities:
        return cities, []
    used = dict(
        GroupMembership.objects.for_group(group)
        .active()
        .filter(city__in=cities)
        .values_list("city")
        .annotate(n=Count("id"))
    )
    free = [c for c in cities if used.get(c.pk, 0) < group.seats_per_city]
    full = [{"city": c, "used": used[c.pk]} for c in cities if c not in free]
    return free, full


def _group_page(request: HttpRequest, group: Group, join_form: JoinForm | None = None):
    user = request.user
    now = timezone.now()
    meetings = list(Event.objects.for_group(group).visible_to(user).order_by("starts_at", "pk"))
    registered: dict[int, str] = {}
    if user.is_authenticated and meetings:
        registered = dict(
            Registration.objects.for_group(group)
            .for_user(user)
            .active()
            .values_list("event_id", "status")
        )
    for meeting in meetings:
        meeting.my_status = registered.get(meeting.pk)
    membership = membership_of(user, group)
    can = {
        action: group_policy.can(user, action, group)
        for action in ("join", "discuss", "admit", "manage")
    }
    free_cities, full_cities = [], []
    if membership is None and can["join"]:
        free_cities, full_cities = _join_options(group, user)
        if join_form is None and free_cities:
            join_form = JoinForm(group=group, cities=free_cities)
    members = GroupMembership.objects.for_group(group).approved()
    counts = members.aggregate(people=Count("id"), cities=Count("city", distinct=True))
    context = {
        "group": group,
        "facilitators": _facilitators(group),
        "phases": list(group.phases.order_by("position", "starts_on", "pk")),
        "upcoming": [m for m in meetings if m.ends_at > now],
        "past": [m for m in meetings if m.ends_at <= now][::-1],
        "membership": membership,
        "is_member": membership is not None
        and membership.status == GroupMembership.Status.APPROVED,
        "can": can,
        "join_form": join_form,
        "full_cities": full_cities,
        "counts": counts,
        "pending": (
            GroupMembership.objects.for_group(group).pending().count() if can["admit"] else 0
        ),
        "has_cities": bool(approved_memberships(user)),
    }
    return render(request, "community/group_detail.html", context)


def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group_for_user(request.user, slug)
    return _group_page(request, group)


@login_required
@require_POST
@rate_limited("community.join", limit=30)
def join(request: HttpRequest, slug: str) -> HttpResponse:
    """Join (or apply to) a group; a refusal shows the group page again with what was typed."""
    group = get_group_for_user(request.user, slug)
    if not group_policy.can(request.user, "join", group):
        if not approved_memberships(request.user):
            messages.error(request, _("Join your city first: groups take members of cities."))
        else:
            messages.error(request, _("This group does not take new members at the moment."))
        return redirect(group)
    # Any of the person's cities: a city without a free seat gets the service's own refusal.
    cities = _user_cities(request.user)
    form = JoinForm(request.POST, group=group, cities=cities)
    if not form.is_valid():
        return _group_page(request, group, join_form=form)
    try:
        membership = services.join_group(
            group,
            user=request.user,
            city=form.cleaned_data["city"],
            motivation=form.cleaned_data.get("motivation", ""),
        )
    except services.CommunityError as error:
        messages.error(request, str(error))
        return _group_page(request, group, join_form=form)
    if membership.status == GroupMembership.Status.APPROVED:
        messages.success(request, _("Welcome to the group."))
    else:
        messages.success(
            request, _("Your application is sent; the facilitators will let you know.")
        )
    return redirect(group)


@login_required
@require_POST
@rate_limited("community.leave", limit=30)
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group_for_user(request.user, slug)
    membership = membership_of(request.user, group)
    if membership is None:
        messages.error(request, _("You are not in this group."))
        return redirect(group)
    pending = membership.status == GroupMembership.Status.PENDING
    try:
        services.leave_group(membership, actor=request.user)
    except services.CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Your application is withdrawn.") if pending else _("You have left the group."),
        )
    return redirect(group)


def members(request: HttpRequest, slug: str) -> HttpResponse:
    """Members by city and pending applications: facilitators and coordinators."""
    group = get_group_for_user(request.user, slug, "admit")
    people = GroupMembership.objects.for_group(group).select_related("user", "city")
    context = {
        "group": group,
        "members": people.approved().order_by("city__name", "city_id", "created", "pk"),
        "pending": people.pending().order_by("created", "pk"),
    }
    return render(request, "community/group_members.html", context)


DECISIONS = {"admit": True, "decline": False}


@login_required
@require_POST
@rate_limited("community.decide", limit=600)
def decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = get_group_for_user(request.user, slug, "admit")
    membership = (
        GroupMembership.objects.for_group(group).filter(pk=pk).select_related("user").first()
    )
    decision = request.POST.get("decision")
    if membership is None or decision not in DECISIONS:
        raise Http404
    membership.group = group
    try:
        services.decide_membership(membership, approve=DECISIONS[decision], actor=request.user)
    except services.CommunityError as error:
        messages.error(request, str(error))
    else:
        text = (
            _("%(person)s is now a member.")
            if DECISIONS[decision]
            else _("%(person)s was not admitted.")
        )
        messages.success(request, text % {"person": membership.user})
    return redirect("community:members", group.slug)


def attendance(request: HttpRequest, slug: str) -> HttpResponse:
    """The member cities × the past meetings; a member sees their own city's row only."""
    group = get_group_for_user(request.user, slug)
    if group_policy.can(request.user, "admit", group):
        cities = member_cities(group)
        own_city = False
    elif is_group_member(request.user, group):
        city = membership_of(request.user, group).city
        cities, own_city = [(city.pk, city.name)], True
    else:
        raise Http404
    context = {"group": group, "table": attendance_table(group, cities), "own_city": own_city}
    return render(request, "community/group_attendance.html", context)

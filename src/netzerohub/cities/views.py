"""Pages about cities: the directory, profiles, eligibility, joining and the city's own space."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netzerohub.core.models import AuditLog
from netzerohub.core.paging import paginate
from netzerohub.core.querysets import make_key
from netzerohub.core.ratelimit import rate_limited

from . import services
from .caching import PROFILE_SECONDS, profile_key
from .eligibility import city_verdict, country_verdict
from .forms import (
    CityProfileForm,
    CityStatusForm,
    DecisionForm,
    DirectoryFilterForm,
    EligibilityForm,
    JoinForm,
    ProposalForm,
)
from .models import City, Country, Membership
from .panels import panels_for
from .policies import (
    approved_memberships,
    city_policy,
    get_city_for_user,
    get_membership_for_user,
    membership_policy,
)
from .querysets import SEARCH_MAX_CHARS

AUTOCOMPLETE_LIMIT = 10
DIRECTORY_RESULTS_SECONDS = 60
# A search matching more cities than this says "more than 1,000" instead of counting them all.
SEARCH_COUNT_CAP = 1000


def directory(request: HttpRequest) -> HttpResponse:
    """The directory. Its results are a fragment cached for a minute per filters and page: the
    list changes rarely and is the most requested page of the portal."""
    form = DirectoryFilterForm(request.GET or None)
    filters = form.filters()
    page_number = request.GET.get("page", "")[:12]
    question = sorted(filters.items())
    key = make_key(
        "cities.directory", get_language(), request.user.is_authenticated, question, page_number
    )

    def render_results() -> str:
        page: Page = paginate(
            City.objects.for_listing().directory(**filters),
            page_number,
            count_key=make_key("cities.directory", question),
            cap=SEARCH_COUNT_CAP if filters["q"] else None,
        )
        return render_to_string(
            "cities/_directory_results.html", {"page": page, "filters": filters}, request
        )

    results = cache.get_or_set(key, render_results, DIRECTORY_RESULTS_SECONDS)
    results = mark_safe(results)  # noqa: S308 - our own template's output, escaped when rendered
    if request.htmx:
        return HttpResponse(results)
    return render(
        request, "cities/directory.html", {"form": form, "filters": filters, "results": results}
    )


def city_search(request: HttpRequest) -> HttpResponse:
    """Autocomplete fragment: the best-matching cities for what has been typed so far."""
    query = request.GET.get("q", "")[:SEARCH_MAX_CHARS].strip()
    cities = (
        list(City.objects.for_listing().directory(q=query)[:AUTOCOMPLETE_LIMIT]) if query else []
    )
    return render(
        request,
        "cities/_search_results.html",
        {
            "cities": cities,
            "query": query,
            "memberships": approved_memberships(request.user),
            "purpose": "eligibility" if request.GET.get("for") == "eligibility" else "",
        },
    )


def city_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Public profile. Its facts are cached HTML (the same for every visitor); only signed-in
    people need the city itself, for what they may do with it."""
    authenticated = request.user.is_authenticated
    key = profile_key(pk, get_language(), authenticated)
    public = cache.get(key)
    city = get_city_for_user(request.user, pk, "view") if public is None or authenticated else None
    if public is None:
        verdict = city_verdict(city)
        public = {
            "name": city.name,
            "eligible": verdict.eligible,
            # Rendered without the request: no context processors run twice for one page.
            "html": render_to_string(
                "cities/_profile_public.html",
                {"city": city, "verdict": verdict, "show_contact": authenticated},
            ),
        }
        cache.set(key, public, PROFILE_SECONDS)
    context = {
        "city_id": pk,
        "name": public["name"],
        "eligible": public["eligible"],
        "public_html": mark_safe(public["html"]),  # noqa: S308 - our template's escaped output
    }
    if city is not None and authenticated:
        context["membership"] = Membership.objects.open_between(request.user, city).first()
        context["join_form"] = JoinForm()
        context["can_edit"] = city_policy.can(request.user, "edit_profile", city)
        if city_policy.can(request.user, "set_status", city):
            context["can_set_status"] = True
            context["status_form"] = CityStatusForm(initial={"status": city.status})
    return render(request, "cities/city_detail.html", context)


def eligibility(request: HttpRequest) -> HttpResponse:
    form = EligibilityForm(request.GET or None)
    verdict = subject = None
    if form.is_valid():
        if form.cleaned_data.get("city"):
            city = (
                City.objects.select_related("country").filter(pk=form.cleaned_data["city"]).first()
            )
            if city is not None:
                verdict, subject = city_verdict(city), city
        elif form.cleaned_data.get("country"):
            country = Country.objects.filter(code=form.cleaned_data["country"]).first()
            if country is not None:
                verdict, subject = country_verdict(country), country
    return render(
        request, "cities/eligibility.html", {"form": form, "verdict": verdict, "subject": subject}
    )


@login_required
def join(request: HttpRequest) -> HttpResponse:
    """Onboarding: find your city and ask to join it."""
    memberships = Membership.objects.open().for_user(request.user).select_related("city__country")
    return render(
        request, "cities/join.html", {"memberships": memberships, "join_form": JoinForm()}
    )


@login_required
@require_POST
@rate_limited("cities.join", limit=20)
def request_join(request: HttpRequest, pk: int) -> HttpResponse:
    city = get_city_for_user(request.user, pk, "request_membership")
    form = JoinForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        membership = services.request_membership(city, actor=request.user, message=message)
    except services.CityError as error:
        messages.error(request, str(error))
        return redirect("cities:detail", pk=city.pk)
    if membership.needs_coordinator:
        messages.success(
            request,
            _(
                "%(city)s has no lead yet: a programme coordinator will confirm you "
                "as its first lead."
            )
            % {"city": city.name},
        )
    else:
        messages.success(
            request, _("Your request to join %(city)s is sent to its leads.") % {"city": city.name}
        )
    return redirect("cities:my-cities")


@login_required
def my_cities(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.for_user(request.user)
        .exclude(status=Membership.Status.LEFT)
        .select_related("city__country")
    )
    approved = [m for m in memberships if m.status == Membership.Status.APPROVED]
    if (
        len(approved) == 1
        and not any(m.status == Membership.Status.PENDING for m in memberships)
        and "list" not in request.GET
    ):
        return redirect("cities:my-city", pk=approved[0].city_id)
    return render(request, "cities/my_cities.html", {"memberships": memberships})


@login_required
def my_city(request: HttpRequest, pk: int) -> HttpResponse:
    """The city's private space: members, requests to decide, recent activity."""
    city = get_city_for_user(request.user, pk, "view_private")
    members = (
        Membership.objects.for_city(city)
        .approved()
        .select_related("user")
        .order_by("role", "user__name")
    )
    pending = Membership.objects.for_city(city).pending().select_related("user", "city")
    pending = [m for m in pending if membership_policy.can(request.user, "decide", m)]
    activity = AuditLog.objects.filter(city=city).select_related("actor")[:15]
    return render(
        request,
        "cities/my_city.html",
        {
            "city": city,
            "members": members,
            "pending": pending,
            "activity": activity,
            "verdict": city_verdict(city),
            "can_edit": city_policy.can(request.user, "edit_profile", city),
            "is_coordinator": request.user.is_coordinator,
            "my_membership": approved_memberships(request.user).get(city.pk),
            "decision_form": DecisionForm(),
            "panels": panels_for(city, request.user),
        },
    )


@login_required
def edit_profile(request: HttpRequest, pk: int) -> HttpResponse:
    city = get_city_for_user(request.user, pk, "edit_profile")
    form = CityProfileForm(request.POST or None, instance=City.objects.get(pk=city.pk))
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in services.PROFILE_FIELDS}
        services.update_city_profile(city, actor=request.user, **changes)
        messages.success(request, _("The profile of %(city)s is saved.") % {"city": city.name})
        return redirect("cities:my-city", pk=city.pk)
    return render(request, "cities/edit_profile.html", {"city": city, "form": form})


@login_required
@require_POST
def set_status(request: HttpRequest, pk: int) -> HttpResponse:
    city = get_city_for_user(request.user, pk, "set_status")
    form = CityStatusForm(request.POST)
    if form.is_valid():
        services.set_city_status(city, status=form.cleaned_data["status"], actor=request.user)
        messages.success(
            request,
            _("Status of %(city)s: %(status)s.")
            % {"city": city.name, "status": city.get_status_display()},
        )
    else:
        messages.error(request, _("Choose one of the listed statuses."))
    return redirect("cities:detail", pk=city.pk)


@login_required
def requests(request: HttpRequest) -> HttpResponse:
    """Every pending request the signed-in person can decide."""
    pending = Membership.objects.awaiting_lead_of(request.user).select_related("user", "city")
    if request.user.is_coordinator:
        pending = Membership.objects.pending().select_related("user", "city")
    return render(
        request, "cities/requests.html", {"pending": pending, "decision_form": DecisionForm()}
    )


def _back(request: HttpRequest, membership: Membership) -> HttpResponse:
    target = request.POST.get("next", "")
    if target in {"requests", "coordinator"}:
        return redirect("cities:requests" if target == "requests" else "dashboard:coordinator")
    return redirect("cities:my-city", pk=membership.city_id)


@login_required
@require_POST
def decide_membership(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    membership = get_membership_for_user(request.user, pk, "decide")
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if decision == "approve":
            services.approve_membership(membership, actor=request.user)
            messages.success(
                request,
                _("%(person)s is now a member of %(city)s.")
                % {"person": membership.user, "city": membership.city},
            )
        else:
            services.reject_membership(membership, actor=request.user, reason=reason)
            messages.success(
                request, _("The request of %(person)s is rejected.") % {"person": membership.user}
            )
    except services.CityError as error:
        messages.error(request, str(error))
    return _back(request, membership)


@login_required
@require_POST
def change_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_membership_for_user(request.user, pk, "view")
    if not city_policy.can(request.user, "edit_profile", membership.city):
        raise Http404
    role = request.POST.get("role", "")
    if role not in Membership.Role.values:
        messages.error(request, _("Choose member or lead."))
        return _back(request, membership)
    try:
        services.set_membership_role(membership, role=role, actor=request.user)
    except services.CityError as error:
        messages.error(request, str(error))
    return _back(request, membership)


@login_required
@require_POST
def toggle_mentor(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_membership_for_user(request.user, pk, "set_mentor")
    try:
        services.set_mentor(membership, is_mentor=not membership.is_mentor, actor=request.user)
    except services.CityError as error:
        messages.error(request, str(error))
    return _back(request, membership)


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_membership_for_user(request.user, pk, "withdraw")
    services.leave_city(membership, actor=request.user)
    messages.success(request, _("You are no longer part of %(city)s.") % {"city": membership.city})
    return redirect("cities:my-cities")


@login_required
@rate_limited("cities.propose", limit=10)
def propose(request: HttpRequest) -> HttpResponse:
    form = ProposalForm(request.POST or None, initial={"name": request.GET.get("name", "")[:200]})
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_city(actor=request.user, **form.cleaned_data)
        except services.CityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Thank you: a coordinator will add %(city)s to the directory.")
                % {"city": form.cleaned_data["name"]},
            )
            return redirect("cities:join")
    return render(request, "cities/propose.html", {"form": form})

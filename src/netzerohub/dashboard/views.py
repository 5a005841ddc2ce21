"""The home page and the coordinator area."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netzerohub.cities import services as city_services
from netzerohub.cities.forms import DecisionForm, MergeForm
from netzerohub.cities.models import City, CityProposal, Membership
from netzerohub.cities.policies import approved_memberships, get_proposal_for_user
from netzerohub.core.paging import paginate
from netzerohub.knowledge.models import Resource

User = get_user_model()


def home(request: HttpRequest) -> HttpResponse:
    memberships = approved_memberships(request.user)
    mission_count = cache.get_or_set(
        "dashboard.mission_count", lambda: City.objects.mission_cities().count(), 600
    )
    return render(
        request,
        "dashboard/home.html",
        {
            "has_city": bool(memberships),
            "mission_count": mission_count,
            "inspiring": inspiring_examples(),
        },
    )


def inspiring_examples(count: int = 3) -> list[Resource]:
    """The newest public resources from Mission Cities (cached: the home page is the busiest)."""
    return cache.get_or_set(
        "dashboard.inspiring",
        lambda: list(Resource.objects.inspiring_examples().for_listing()[:count]),
        600,
    )


def _require_coordinator(request: HttpRequest) -> None:
    if not request.user.is_coordinator:
        raise Http404


@login_required
def coordinator(request: HttpRequest) -> HttpResponse:
    _require_coordinator(request)
    return render(
        request,
        "dashboard/coordinator.html",
        {
            "lead_requests": Membership.objects.awaiting_coordinator().select_related(
                "user", "city__country"
            ),
            "proposals": CityProposal.objects.pending().select_related("country", "proposed_by"),
            "resources_to_review": Resource.objects.awaiting_review_by(request.user).count(),
            "decision_form": DecisionForm(),
            "merge_form": MergeForm(),
        },
    )


@login_required
def people(request: HttpRequest) -> HttpResponse:
    _require_coordinator(request)
    query = request.GET.get("q", "").strip()[:100]
    users = User.objects.order_by("email").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.open().select_related("city"),
            to_attr="open_memberships",
        )
    )
    if query:
        users = users.filter(Q(email__icontains=query) | Q(name__icontains=query))
    page = paginate(users, request.GET.get("page"))
    return render(request, "dashboard/people.html", {"page": page, "query": query})


@login_required
@require_POST
def decide_proposal(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk)
    try:
        if decision == "approve":
            city = city_services.approve_proposal(proposal, actor=request.user)
            messages.success(request, _("%(city)s is added to the directory.") % {"city": city})
        elif decision == "merge":
            form = MergeForm(request.POST)
            if not form.is_valid():
                messages.error(
                    request,
                    " ".join(form.errors.get("city", [_("Give the id of an existing city.")])),
                )
                return redirect("dashboard:coordinator")
            city = city_services.merge_proposal(
                proposal, city=form.cleaned_data["city"], actor=request.user
            )
            messages.success(request, _("The proposal now points to %(city)s.") % {"city": city})
        else:
            form = DecisionForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            city_services.reject_proposal(proposal, actor=request.user, reason=reason)
            messages.success(request, _("The proposal is rejected."))
    except city_services.CityError as error:
        messages.error(request, str(error))
    return redirect("dashboard:coordinator")

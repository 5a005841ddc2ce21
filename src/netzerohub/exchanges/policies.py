"""Who may do what in city-to-city exchanges.

- Calls: published (and archived) calls are public; drafts are the coordinators'. Coordinators
  run calls (settings, decisions, matching); invited reviewers score applications.
- An application belongs to its city: the city's members read it, its leads write, submit and
  withdraw it. Coordinators read every application; invited reviewers read and score the
  submitted ones of the calls they review, never one of a city they belong to. Everyone else
  gets the same 404 as for a missing application.
- A host offer is written by the leads and mentors of the Mission or Pilot City (coordinators
  too).
- A published pair's page (contacts, timeline, replication plan) is for the members of both
  cities and coordinators; proposed pairs are the coordinators' only.
"""

from __future__ import annotations

from typing import Any

from netzerohub.cities.models import City
from netzerohub.cities.policies import is_coordinator, is_lead, is_member, is_mentor
from netzerohub.core.policies import Policy, fetch_or_404

from .models import Application, Call, HostOffer, Pair


def reviews(user: Any, call: Call) -> bool:
    """Coordinators and the call's invited reviewers."""
    if is_coordinator(user):
        return True
    if not user.is_authenticated:
        return False
    ids = getattr(call, "_reviewer_ids", None)
    if ids is None:
        ids = set(call.reviewers.values_list("pk", flat=True))
        call._reviewer_ids = ids
    return user.pk in ids


class CallPolicy(Policy):
    actions = ("view", "manage", "review")

    def can_view(self, user: Any, call: Call) -> bool:
        return call.status != Call.Status.DRAFT or is_coordinator(user)

    def can_manage(self, user: Any, call: Call | None) -> bool:
        return is_coordinator(user)

    def can_review(self, user: Any, call: Call) -> bool:
        return call.status != Call.Status.DRAFT and reviews(user, call)


class ApplicationPolicy(Policy):
    actions = ("view", "edit", "review", "decide")

    def can_view(self, user: Any, application: Application) -> bool:
        if is_coordinator(user) or is_member(user, application.city):
            return True
        return self.can_review(user, application)

    def can_edit(self, user: Any, application: Application) -> bool:
        """Write, submit and withdraw (the window is the service's to check)."""
        return is_lead(user, application.city)

    def can_review(self, user: Any, application: Application) -> bool:
        if application.status in (Application.Status.DRAFT, Application.Status.WITHDRAWN):
            return False
        if application.call.status == Call.Status.DRAFT:
            return False
        if is_member(user, application.city):
            return False
        return reviews(user, application.call)

    def can_decide(self, user: Any, application: Application) -> bool:
        return is_coordinator(user)


class OfferPolicy(Policy):
    actions = ("edit",)

    def can_edit(self, user: Any, offer: HostOffer) -> bool:
        return can_host_for(user, offer.city)


class PairPolicy(Policy):
    actions = ("view", "contribute")

    def can_view(self, user: Any, pair: Pair) -> bool:
        if is_coordinator(user):
            return True
        if pair.status != Pair.Status.PUBLISHED:
            return False
        return is_member(user, pair.application.city) or is_member(user, pair.offer.city)

    def can_contribute(self, user: Any, pair: Pair) -> bool:
        if pair.status != Pair.Status.PUBLISHED:
            return False
        return (
            is_coordinator(user)
            or is_member(user, pair.application.city)
            or is_member(user, pair.offer.city)
        )


call_policy = CallPolicy()
application_policy = ApplicationPolicy()
offer_policy = OfferPolicy()
pair_policy = PairPolicy()


def can_apply_for(user: Any, city: City) -> bool:
    """Leads apply on behalf of their city."""
    return is_lead(user, city)


def can_host_for(user: Any, city: City) -> bool:
    """Leads and mentors of a Mission or Pilot City declare its offer (coordinators too)."""
    if city.status not in (City.Status.MISSION, City.Status.PILOT):
        return False
    return is_coordinator(user) or is_lead(user, city) or is_mentor(user, city)


def get_call_for_user(user: Any, slug: str, action: str = "view") -> Call:
    return fetch_or_404(Call.objects.all(), call_policy, user, action, slug=slug)


def get_application_for_user(user: Any, pk: int, action: str = "view") -> Application:
    """An application `user` may `action`; 404 for a missing and a forbidden one alike."""
    queryset = Application.objects.select_related("call", "city__country", "created_by")
    return fetch_or_404(queryset, application_policy, user, action, pk=pk)


def get_offer_for_user(user: Any, pk: int) -> HostOffer:
    queryset = HostOffer.objects.select_related("call", "city__country")
    return fetch_or_404(queryset, offer_policy, user, "edit", pk=pk)


def get_pair_for_user(user: Any, pk: int, action: str = "view") -> Pair:
    queryset = Pair.objects.select_related(
        "call", "application__city__country", "offer__city__country"
    )
    return fetch_or_404(queryset, pair_policy, user, action, pk=pk)

"""Who may do what with cities and memberships.

Roles: visitor, member (approved membership), lead (approved membership with role lead),
mentor (membership flag), helpdesk expert and coordinator (flags on the person).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from netzerohub.core.policies import Policy, fetch_or_404

from .models import City, CityProposal, Membership

_CACHE_ATTR = "_approved_memberships"


def approved_memberships(user: Any) -> dict[int, Membership]:
    """The user's approved memberships by city id, loaded once per request (cached on the user)."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = {m.city_id: m for m in Membership.objects.approved().for_user(user)}
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user: Any) -> None:
    """Drop the per-request cache after a membership of `user` changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_member(user: Any, city: City) -> bool:
    return city.pk in approved_memberships(user)


def is_lead(user: Any, city: City) -> bool:
    membership = approved_memberships(user).get(city.pk)
    return membership is not None and membership.role == Membership.Role.LEAD


def is_coordinator(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_coordinator)


def is_mentor(user: Any, city: City) -> bool:
    membership = approved_memberships(user).get(city.pk)
    return membership is not None and membership.is_mentor


def is_programme_member(user: Any) -> bool:
    """Members of any city, helpdesk experts and coordinators: who may read members-only content."""
    if not user.is_authenticated:
        return False
    return bool(user.is_coordinator or user.is_helpdesk_expert or approved_memberships(user))


class CityPolicy(Policy):
    actions = ("view", "view_private", "edit_profile", "set_status", "request_membership")

    def can_view(self, user: Any, city: City) -> bool:
        return True

    def can_view_private(self, user: Any, city: City) -> bool:
        return is_coordinator(user) or is_member(user, city)

    def can_edit_profile(self, user: Any, city: City) -> bool:
        return is_coordinator(user) or is_lead(user, city)

    def can_set_status(self, user: Any, city: City) -> bool:
        return is_coordinator(user)

    def can_request_membership(self, user: Any, city: City) -> bool:
        return bool(user.is_authenticated)


class MembershipPolicy(Policy):
    actions = ("view", "decide", "withdraw", "set_mentor")

    def can_view(self, user: Any, membership: Membership) -> bool:
        return (
            membership.user_id == user.pk
            or is_coordinator(user)
            or is_member(user, membership.city)
        )

    def can_decide(self, user: Any, membership: Membership) -> bool:
        if membership.status != Membership.Status.PENDING:
            return False
        if is_coordinator(user):
            return True
        return not membership.needs_coordinator and is_lead(user, membership.city)

    def can_withdraw(self, user: Any, membership: Membership) -> bool:
        return membership.user_id == user.pk and membership.status in {
            Membership.Status.PENDING,
            Membership.Status.APPROVED,
        }

    def can_set_mentor(self, user: Any, membership: Membership) -> bool:
        return is_coordinator(user)


class ProposalPolicy(Policy):
    actions = ("decide",)

    def can_decide(self, user: Any, proposal: CityProposal) -> bool:
        return is_coordinator(user) and proposal.status == CityProposal.Status.PENDING


city_policy = CityPolicy()
membership_policy = MembershipPolicy()
proposal_policy = ProposalPolicy()


def get_city_for_user(user: Any, city_id: int, action: str = "view_private") -> City:
    """A city the user may act on; 404 for a missing city and a forbidden one alike."""
    return fetch_or_404(
        City.objects.select_related("country"), city_policy, user, action, pk=city_id
    )


def get_membership_for_user(user: Any, membership_id: int, action: str) -> Membership:
    queryset: QuerySet[Membership] = Membership.objects.select_related("city", "user")
    return fetch_or_404(queryset, membership_policy, user, action, pk=membership_id)


def get_proposal_for_user(user: Any, proposal_id: int) -> CityProposal:
    return fetch_or_404(
        CityProposal.objects.select_related("country"),
        proposal_policy,
        user,
        "decide",
        pk=proposal_id,
    )

"""Who may do what with a city's Climate City Contract workspace.

Its approved members edit the draft, its leads submit versions, coordinators read every city's
and review submitted versions. Anyone else gets the same 404 as for a city without a workspace,
and sees only what the city chose to publish (a public summary, the trajectory, the portfolio).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from netzerohub.cities.models import City
from netzerohub.cities.policies import is_coordinator, is_lead, is_member
from netzerohub.core.policies import Policy

from .models import Contract, ContractVersion
from .services import workspace


class ContractPolicy(Policy):
    actions = ("view", "edit", "submit", "review", "view_public")

    def can_view(self, user: Any, contract: Contract) -> bool:
        return is_coordinator(user) or is_member(user, contract.city)

    def can_edit(self, user: Any, contract: Contract) -> bool:
        return is_member(user, contract.city)

    def can_submit(self, user: Any, contract: Contract) -> bool:
        return is_lead(user, contract.city)

    def can_review(self, user: Any, contract: Contract) -> bool:
        return is_coordinator(user)

    def can_view_public(self, user: Any, contract: Contract) -> bool:
        return contract.publish_summary or self.can_view(user, contract)


contract_policy = ContractPolicy()


def get_contract_for_user(user: Any, city_id: int, action: str = "view") -> Contract:
    """The workspace of city `city_id` if `user` may `action` it; 404 alike for a city without
    one and a workspace not theirs."""
    contract = (
        Contract.objects.select_related("city", "city__country").filter(city_id=city_id).first()
    )
    if contract is None or not contract_policy.can(user, action, contract):
        raise Http404
    return contract


def open_workspace_for_user(user: Any, city_id: int, action: str = "view") -> Contract:
    """The workspace of city `city_id` for its members and coordinators, created empty on the
    first visit (`services.workspace`); 404 alike for a missing city and one not theirs."""
    city = City.objects.select_related("country").filter(pk=city_id).first()
    if city is None or not (is_coordinator(user) or is_member(user, city)):
        raise Http404
    contract = workspace(city)
    contract.city = city
    if not contract_policy.can(user, action, contract):
        raise Http404
    return contract


def get_version_for_user(user: Any, pk: int) -> ContractVersion:
    version = ContractVersion.objects.select_related("contract__city").filter(pk=pk).first()
    if version is None or not contract_policy.can(user, "view", version.contract):
        raise Http404
    return version

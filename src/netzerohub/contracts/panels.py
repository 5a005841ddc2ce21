"""The "Climate City Contract" card of My city (a card of `cities.panels`): the workspace's
commitments in brief and the state of its latest version, with a link in. One query (the
workspace with its latest version's state); none is created here: the first visit of the
workspace creates it."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery

from netzerohub.cities.policies import is_coordinator, is_member

from .models import Contract, ContractVersion


def city_panel(city: Any, user: Any) -> dict[str, Any]:
    if not (is_coordinator(user) or is_member(user, city)):
        return {"city": city, "shown": False}
    latest = ContractVersion.objects.filter(contract=OuterRef("pk")).order_by("-number")
    contract = (
        Contract.objects.filter(city_id=city.pk)
        .only("pk", "city_id", "target_year", "baseline_year")
        .annotate(
            latest_status=Subquery(latest.values("status")[:1]),
            latest_number=Subquery(latest.values("number")[:1]),
        )
        .first()
    )
    statuses = dict(ContractVersion.Status.choices)
    return {
        "city": city,
        "shown": True,
        "contract": contract,
        "status": statuses.get(contract.latest_status) if contract else None,
        "number": contract.latest_number if contract else None,
    }

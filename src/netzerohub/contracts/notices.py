"""Notifications of the contract's review: the city's leads (and whoever submitted) hear of a
coordinator's decision, with a link to the version and its comments."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from netzerohub.cities.models import Membership
from netzerohub.core.notifications import notify

from .models import ContractVersion


def version_reviewed(version: ContractVersion) -> None:
    """Tell the city's leads and the submitter that `version` was returned or accepted."""
    city = version.contract.city
    people = {
        m.user_id: m.user for m in Membership.objects.leads().for_city(city).select_related("user")
    }
    if version.submitted_by_id is not None and version.submitted_by_id not in people:
        people[version.submitted_by_id] = version.submitted_by
    accepted = version.status == ContractVersion.Status.ACCEPTED
    values = {"number": version.number, "city": city.name}
    notify(
        people.values(),
        kind="contracts.version.accepted" if accepted else "contracts.version.returned",
        title=(
            _("Climate City Contract version %(number)s accepted") % values
            if accepted
            else _("Climate City Contract version %(number)s returned with comments") % values
        ),
        body=(
            _("The coordinators accepted version %(number)s of the contract of %(city)s.") % values
            if accepted
            else _(
                "The coordinators returned version %(number)s of the contract of %(city)s with "
                "comments per section; submit again once the draft is changed."
            )
            % values
        ),
        url=reverse("contracts:version", args=[version.pk]),
    )

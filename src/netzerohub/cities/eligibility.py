"""Who may take part: the programme's basic rule, stated in plain words.

A city is eligible when its country is an EU member state or is associated with Horizon Europe
(a Pillar-II-only association does not count). The same functions answer the public eligibility
page, the API, onboarding and, later, each call's first criterion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import City, Country


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reasons: list[str] = field(default_factory=list)


def association_phrase(country: Country) -> str:
    """'since 1 January 2025' or 'since 2021', as precisely as the source allows."""
    if country.associated_since:
        return _("since %(date)s") % {"date": date_format(country.associated_since, "j F Y")}
    if country.association_year:
        return _("since %(year)s") % {"year": country.association_year}
    return ""


def country_verdict(country: Country) -> Verdict:
    if country.is_eu_member:
        return Verdict(
            True,
            [_("%(country)s is a member state of the European Union.") % {"country": country.name}],
        )
    if country.is_associated and country.pillar_ii_only:
        return Verdict(
            False,
            [
                _(
                    "%(country)s is associated with Horizon Europe for Pillar II only, which does "
                    "not include the Cities Mission, so its cities are not eligible."
                )
                % {"country": country.name}
            ],
        )
    if country.is_associated:
        return Verdict(
            True,
            [
                _("%(country)s has been associated with Horizon Europe %(since)s.")
                % {"country": country.name, "since": association_phrase(country)}
            ],
        )
    return Verdict(
        False,
        [
            _("%(country)s is neither an EU member state nor associated with Horizon Europe.")
            % {"country": country.name}
        ],
    )


def city_verdict(city: City) -> Verdict:
    verdict = country_verdict(city.country)
    located = _("%(city)s is in %(country)s.") % {"city": city.name, "country": city.country.name}
    return Verdict(verdict.eligible, [located, *verdict.reasons])

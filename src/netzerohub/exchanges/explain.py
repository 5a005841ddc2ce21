"""“Why this pair”: a pair's compatibility told part by part in plain words, for the matching
page, the pair page and the coordinators' suggestions of hosts for an unmatched applicant.

The numbers (value, weight, points) are those the matching stored with the pair, so that the
points add up to its score; the words are read from the applicant's and the host's current
answers (the fields both name, the language they share, how far apart they are).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext

from netzerohub.cities.population import LABELS, band_of
from netzerohub.core.languages import LANGUAGE_NAMES

from . import matching
from .models import Application, HostOffer, Pair
from .services import _side as side_of  # what matching knows of an applicant or a host

PART_NAMES = {
    "fields": _l("Fields of action"),
    "levers": _l("Levers of change"),
    "language": _l("Working language"),
    "population": _l("Population"),
    "distance": _l("Distance"),
    "challenges": _l("Shared challenges"),
}
SHOWN_WORDS = 8


@dataclass(frozen=True)
class Part:
    """One line of a breakdown: the part's name, what it found, and its numbers."""

    part: str
    name: str
    says: str
    value: float
    weight: float
    points: float

    @property
    def percent(self) -> int:
        return round(100 * self.value)


@dataclass(frozen=True)
class Suggestion:
    """A host an unmatched applicant could be locked to, with the pair's score."""

    offer: HostOffer
    score: float
    places_left: int


def _names(terms: Iterable[Any]) -> str:
    return ", ".join(t.name for t in terms)


def _languages(codes: Iterable[str]) -> str:
    return ", ".join(str(LANGUAGE_NAMES.get(c, c)) for c in sorted(codes))


def _share(kind: str, wanted: list[Any], offered: list[Any]) -> str:
    if not wanted:
        return (
            _("The applicant named no field of action.")
            if kind == "fields"
            else _("The applicant named no lever of change.")
        )
    offered_slugs = {t.slug for t in offered}
    shared = [t for t in wanted if t.slug in offered_slugs]
    values = {"shared": len(shared), "wanted": len(wanted), "names": _names(shared)}
    if kind == "fields":
        text = ngettext(
            "%(shared)s of the applicant's %(wanted)s field of action is offered",
            "%(shared)s of the applicant's %(wanted)s fields of action are offered",
            len(wanted),
        )
    else:
        text = ngettext(
            "%(shared)s of the applicant's %(wanted)s lever of change is offered",
            "%(shared)s of the applicant's %(wanted)s levers of change are offered",
            len(wanted),
        )
    text = text % values
    return f"{text}: {values['names']}." if shared else f"{text}."


def _language(application: Application, offer: HostOffer) -> str:
    mine, theirs = set(application.languages or []), set(offer.languages or [])
    shared = mine & theirs
    if shared:
        return _("Both work in %(languages)s.") % {"languages": _languages(shared)}
    if not mine or not theirs:
        return _("A working language is missing on one side.")
    return _("No shared working language (applicant: %(mine)s; host: %(theirs)s).") % {
        "mine": _languages(mine),
        "theirs": _languages(theirs),
    }


def _population(application: Application, offer: HostOffer) -> str:
    a, b = application.city.population, offer.city.population
    if a is None or b is None:
        return _("The population of a city is not known.")
    band_a, band_b = LABELS[band_of(a)], LABELS[band_of(b)]
    if band_a == band_b:
        return _("Same population band (%(band)s).") % {"band": band_a}
    return _("Applicant: %(a)s; host: %(b)s.") % {"a": band_a, "b": band_b}


def _distance(applicant: matching.Side, host: matching.Side, application: Application) -> str:
    if applicant.country and applicant.country == host.country:
        return _("Same country (%(country)s).") % {"country": application.city.country.name}
    km = matching.distance_km(applicant, host)
    if km is None:
        return _("The location of a city is not known.")
    return _("%(km)s km apart (no part from %(far)s km).") % {
        "km": f"{round(km):,}",
        "far": f"{round(matching.FAR_KM):,}",
    }


def _challenges(applicant: matching.Side, host: matching.Side) -> str:
    if not applicant.words or not host.words:
        return _("Challenges are not described on both sides.")
    shared = sorted(applicant.words & host.words)
    if not shared:
        return _("No word of the challenges in common.")
    shown = ", ".join(shared[:SHOWN_WORDS]) + (" …" if len(shared) > SHOWN_WORDS else "")
    return ngettext(
        "%(count)s word in common: %(words)s.",
        "%(count)s words in common: %(words)s.",
        len(shared),
    ) % {"count": len(shared), "words": shown}


def explain(
    application: Application,
    offer: HostOffer,
    weights: Mapping[str, float],
    stored: Mapping[str, Any] | None = None,
) -> list[Part]:
    """The parts of the pair `application`–`offer`, in the order of `matching.PARTS`.

    `stored` is a pair's `breakdown` (its numbers are used as they are); without it, or for a
    breakdown of an older shape, the numbers are computed from the current answers with
    `weights`. Fields and levers of both sides should be prefetched."""
    applicant, host = side_of(application), side_of(offer)
    rows = {row["part"]: row for row in (stored or {}).get("parts", []) if "part" in row}
    if set(rows) != set(matching.PARTS):
        found = matching.parts(applicant, host)
        rows = {row["part"]: row for row in matching.breakdown(found, weights)}
    says = {
        "fields": _share("fields", list(application.fields.all()), list(offer.fields.all())),
        "levers": _share("levers", list(application.levers.all()), list(offer.levers.all())),
        "language": _language(application, offer),
        "population": _population(application, offer),
        "distance": _distance(applicant, host, application),
        "challenges": _challenges(applicant, host),
    }
    return [
        Part(
            part=part,
            name=str(PART_NAMES[part]),
            says=says[part],
            value=float(rows[part]["value"]),
            weight=float(rows[part]["weight"]),
            points=float(rows[part]["points"]),
        )
        for part in matching.PARTS
    ]


def explain_pair(pair: Pair) -> list[Part]:
    return explain(pair.application, pair.offer, pair.call.match_weights, pair.breakdown)


def best_hosts(
    applications: Sequence[Application],
    offers: Sequence[HostOffer],
    weights: Mapping[str, float],
    *,
    used: Mapping[int, int],
    excluded: set[tuple[int, int]],
    count: int = 3,
) -> dict[int, list[Suggestion]]:
    """For each application (by id), the `count` hosts it scores best with, leaving out its
    excluded pairs and pairs worth nothing. `used` is the number of places taken per offer id."""
    if not applications or not offers:
        return {}
    scores = matching.score_matrix(
        [side_of(a) for a in applications], [side_of(o) for o in offers], weights
    )
    result: dict[int, list[Suggestion]] = {}
    for i, application in enumerate(applications):
        picks: list[Suggestion] = []
        for j in np.argsort(-scores[i], kind="stable"):
            offer = offers[int(j)]
            value = float(scores[i, j])
            if value <= 0 or len(picks) == count:
                break
            if (application.pk, offer.pk) in excluded:
                continue
            left = offer.capacity - used.get(offer.pk, 0)
            picks.append(Suggestion(offer=offer, score=value, places_left=left))
        result[application.pk] = picks
    return result

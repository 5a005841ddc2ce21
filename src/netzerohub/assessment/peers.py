"""Peer groups: how a city's result compares with the median of other cities.

Each city counts once, with its latest submitted result on the questionnaire (any version of
the same key: dimension keys keep their meaning across versions). The groups are all cities,
the cities of one country and the cities of one population band, as recorded when each city
submitted. `refresh` rebuilds every group's statistics in one pass (after each submission, in
the background); pages read the stored rows. A group's median is shown to the cities in it only
when at least `MIN_GROUP` cities form it, so that no figure comes close to being one city's.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netzerohub.cities.population import LABELS as BAND_LABELS

from .models import Assessment, PeerStatistic, Questionnaire
from .scoring import shown as shown_score

MIN_GROUP = 5
ALL = "all"
OVERALL = ""


def country_group(code: str) -> str:
    return f"country:{code}"


def band_group(band: str) -> str:
    return f"band:{band}"


def _quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


@transaction.atomic
def refresh(questionnaire_key: str) -> int:
    """Recompute the statistics of every group of `questionnaire_key`; answers the rows written.

    Two refreshes of one questionnaire run one after the other (its versions' rows are locked),
    so the second one sees every submission the first may have missed."""
    list(Questionnaire.objects.select_for_update().filter(key=questionnaire_key).values("pk"))
    rows = (
        Assessment.objects.latest_results()
        .of_questionnaire(questionnaire_key)
        .order_by()  # no sort: the default ordering would sort every row with its JSON
        .values_list("country__code", "population_band", "overall_score", "stage__key", "scores")
    )
    # {group: {dimension or OVERALL: [scores]}}, and {group: {stage: cities}}
    scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    stages: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for country, band, overall, stage, by_dimension in rows.iterator(chunk_size=5000):
        groups = [ALL]
        if country:
            groups.append(country_group(country))
        if band:
            groups.append(band_group(band))
        for group in groups:
            if overall is not None:
                scores[group][OVERALL].append(overall)
            if stage:
                stages[group][stage] += 1
            for dimension, value in (by_dimension or {}).items():
                if value is not None:
                    scores[group][dimension].append(value)
    now = timezone.now()
    statistics_rows = []
    for group, dimensions in scores.items():
        for dimension, values in dimensions.items():
            values.sort()
            q1, median, q3 = _quartiles(values)
            statistics_rows.append(
                PeerStatistic(
                    questionnaire_key=questionnaire_key,
                    group=group,
                    dimension=dimension,
                    cities=len(values),
                    median=median,
                    lower_quartile=q1,
                    upper_quartile=q3,
                    stages=dict(stages[group]) if dimension == OVERALL else {},
                    computed_at=now,
                )
            )
    PeerStatistic.objects.filter(questionnaire_key=questionnaire_key).delete()
    PeerStatistic.objects.bulk_create(statistics_rows, batch_size=1000)
    return len(statistics_rows)


@dataclass
class PeerGroup:
    """One comparison group of a result: its median per dimension, or why none is shown."""

    group: str
    label: str
    cities: int = 0
    medians: dict[str, float] = field(default_factory=dict)  # dimension key or OVERALL
    reason: str = ""  # why no median is shown (empty when shown)

    @property
    def shown(self) -> bool:
        return not self.reason

    def as_displayed(self) -> tuple:
        """What a page shows of the group (medians rounded as displayed): a page cached under
        it stays right until one of these figures changes, not at every submission."""
        medians = tuple(sorted((d, shown_score(m)) for d, m in self.medians.items()))
        return (self.group, self.reason, medians)


def _groups_of(assessment: Assessment) -> list[tuple[str, str, str]]:
    """(group, label, reason when the city has no such group) of an assessment."""
    groups = [(ALL, _("All cities"), "")]
    if assessment.country_id:
        groups.append(
            (
                country_group(assessment.country.code),
                _("Cities in %(country)s") % {"country": assessment.country.name},
                "",
            )
        )
    if assessment.population_band:
        label = BAND_LABELS.get(assessment.population_band, assessment.population_band)
        groups.append(
            (
                band_group(assessment.population_band),
                _("Cities of %(band)s people") % {"band": str(label).lower()},
                "",
            )
        )
    else:
        groups.append(
            (
                "",
                _("Cities of the same size"),
                _(
                    "Your city's population was not on its profile when the assessment was "
                    "submitted, so it has no population band to compare with."
                ),
            )
        )
    return groups


def comparison(assessment: Assessment) -> tuple[list[PeerGroup], Any]:
    """The peer groups of a submitted assessment (in one query) and when they were computed."""
    groups = _groups_of(assessment)
    wanted = [g for g, _label, _reason in groups if g]
    rows = list(
        PeerStatistic.objects.for_groups(assessment.questionnaire.key, wanted).values_list(
            "group", "dimension", "cities", "median", "computed_at"
        )
    )
    by_group: dict[str, dict[str, tuple[int, float]]] = defaultdict(dict)
    computed = None
    for group, dimension, cities, median, when in rows:
        by_group[group][dimension] = (cities, median)
        computed = when if computed is None or when > computed else computed
    result = []
    for group, label, reason in groups:
        found = by_group.get(group, {})
        cities = found.get(OVERALL, (0, 0.0))[0]
        peer = PeerGroup(group=group, label=label, cities=cities, reason=reason)
        if not reason and cities < MIN_GROUP:
            peer.reason = _(
                "%(label)s: %(n)s with a result so far. A median is shown from %(min)s cities "
                "on, so that it never comes close to one city's scores."
            ) % {"label": label, "n": cities, "min": MIN_GROUP}
        if peer.shown:
            # A dimension that fewer cities answered stays hidden on its own.
            peer.medians = {d: m for d, (n, m) in found.items() if n >= MIN_GROUP}
        result.append(peer)
    return result, computed


def distribution(questionnaire_key: str, groups: Iterable[str] | None = None) -> list[Any]:
    """The stored rows of every group (or of `groups`), for the coordinators' pages."""
    queryset = PeerStatistic.objects.filter(questionnaire_key=questionnaire_key)
    if groups is not None:
        queryset = queryset.filter(group__in=list(groups))
    return list(queryset.order_by("group", "dimension"))

"""The coordinators' view of results across cities: stages and dimension scores per group
(all cities, each country, each population band), read from the peer statistics that every
submission refreshes (`peers.refresh`), so the page costs the same whatever the number of
assessments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from netzerohub.cities.forms import country_choices
from netzerohub.cities.population import BANDS

from . import peers
from .answering import structure
from .models import PeerStatistic, Questionnaire
from .scoring import shown


@dataclass
class GroupRow:
    group: str
    label: str
    cities: int
    stages: list[int]  # cities per stage, in stage order
    median: float
    lower_quartile: float
    upper_quartile: float

    @property
    def stage_cells(self) -> list[tuple[int, int]]:
        """(cities, share in %) per stage."""
        return [(n, round(100 * n / self.cities) if self.cities else 0) for n in self.stages]


@dataclass
class DimensionRow:
    key: str
    title: str
    cities: int
    lower_quartile: float | None
    median: float | None
    upper_quartile: float | None

    @property
    def shown(self) -> tuple[int | None, int | None, int | None]:
        return shown(self.lower_quartile), shown(self.median), shown(self.upper_quartile)


@dataclass
class Distribution:
    questionnaire: Questionnaire
    stages: list[Any]
    overall: GroupRow | None
    countries: list[GroupRow]
    bands: list[GroupRow]
    group: str
    group_label: str
    dimensions: list[DimensionRow]
    computed_at: Any

    @classmethod
    def of(cls, questionnaire: Questionnaire, group: str = peers.ALL) -> Distribution:
        """Every group's stage counts, and the dimension scores of `group` (three queries)."""
        full = structure(questionnaire.pk)
        stages = list(full.stages.all())
        names = dict(country_choices("")[1:])
        bands = {f"band:{key}": str(label) for key, label in BANDS}
        rows = list(PeerStatistic.objects.filter(questionnaire_key=questionnaire.key))

        def label(name: str) -> str:
            if name == peers.ALL:
                return _("All cities")
            if name.startswith("country:"):
                return names.get(name.removeprefix("country:"), name)
            return bands.get(name, name)

        groups = {}
        for row in rows:
            if row.dimension == peers.OVERALL:
                groups[row.group] = GroupRow(
                    group=row.group,
                    label=label(row.group),
                    cities=row.cities,
                    stages=[row.stages.get(s.key, 0) for s in stages],
                    median=row.median,
                    lower_quartile=row.lower_quartile,
                    upper_quartile=row.upper_quartile,
                )
        in_group = {r.dimension: r for r in rows if r.group == group}
        dimensions = [
            DimensionRow(
                key=d.key,
                title=d.title,
                cities=in_group[d.key].cities if d.key in in_group else 0,
                lower_quartile=in_group[d.key].lower_quartile if d.key in in_group else None,
                median=in_group[d.key].median if d.key in in_group else None,
                upper_quartile=in_group[d.key].upper_quartile if d.key in in_group else None,
            )
            for d in full.dimensions.all()
        ]
        return cls(
            questionnaire=questionnaire,
            stages=stages,
            overall=groups.get(peers.ALL),
            countries=sorted(
                (g for g in groups.values() if g.group.startswith("country:")),
                key=lambda g: g.label,
            ),
            bands=[groups[b] for b in bands if b in groups],
            group=group,
            group_label=label(group),
            dimensions=dimensions,
            computed_at=max((r.computed_at for r in rows), default=None),
        )

    @property
    def rows(self) -> list[GroupRow]:
        return [g for g in [self.overall, *self.bands, *self.countries] if g is not None]

    @property
    def selected(self) -> GroupRow | None:
        return next((g for g in self.rows if g.group == self.group), None)

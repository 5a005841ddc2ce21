"""What a submitted assessment says, in numbers and in plain words.

Built from what was stored at submission (scores, stage) and the questionnaire version it was
taken on, so a result always reads as it did the day the city submitted it. A dimension is a
*strength* when its score reaches the threshold of the top stage (75 in the default
questionnaire) and a *gap* when it is below the threshold of the stage before that (50): the
sentences the questionnaire gives for each then say what it means and what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from . import peers
from .answering import structure
from .models import Answer, Assessment, Dimension, Question, Questionnaire
from .scoring import shown

WEAKEST = 3


@dataclass
class DimensionResult:
    dimension: Dimension
    score: float | None
    previous: float | None = None
    medians: dict[str, int | None] = field(default_factory=dict)  # by peer group
    kind: str = ""  # "strength", "gap" or ""

    @property
    def shown(self) -> int | None:
        return shown(self.score)

    @property
    def change(self) -> int | None:
        if self.score is None or self.previous is None:
            return None
        return shown(self.score) - shown(self.previous)

    @property
    def words(self) -> str:
        return {"strength": self.dimension.strength, "gap": self.dimension.gap}.get(self.kind, "")


@dataclass
class FieldReadiness:
    """The answer to a question about one field of action (the "readiness per field" part)."""

    question: Question
    level: int | None
    answered: bool

    @property
    def label(self) -> str:
        if not self.answered:
            return _("Not answered")
        if self.level is None:
            return _("Does not apply")
        return self.question.level_label(self.level)


@dataclass
class AnswerRow:
    question: Question
    answer: Answer | None

    @property
    def level_label(self) -> str:
        if self.answer is None:
            return _("Not answered")
        if self.answer.level is None:
            return _("Does not apply (skipped)")
        return self.question.level_label(self.answer.level)


@dataclass
class TableRow:
    title: str
    score: int | None
    change: int | None
    medians: list[int | None]
    is_overall: bool = False


@dataclass
class Result:
    assessment: Assessment
    questionnaire: Questionnaire
    dimensions: list[DimensionResult]
    fields: list[FieldReadiness]
    answers: list[tuple[Dimension, list[AnswerRow]]]
    groups: list[peers.PeerGroup]
    peers_computed: Any
    previous: Assessment | None
    strength_from: int
    gap_below: int

    @property
    def overall(self) -> int | None:
        return shown(self.assessment.overall_score)

    @property
    def overall_previous(self) -> int | None:
        return shown(self.previous.overall_score) if self.previous else None

    @property
    def overall_change(self) -> int | None:
        if self.overall is None or self.overall_previous is None:
            return None
        return self.overall - self.overall_previous

    def table(self) -> list[TableRow]:
        """The overall score, then each dimension, with the medians of the groups shown."""
        groups = self.shown_groups
        rows = [
            TableRow(
                _("Overall"),
                self.overall,
                self.overall_change,
                [shown(g.medians.get(peers.OVERALL)) for g in groups],
                is_overall=True,
            )
        ]
        rows += [
            TableRow(d.dimension.title, d.shown, d.change, [d.medians.get(g.group) for g in groups])
            for d in self.dimensions
        ]
        return rows

    @property
    def shown_groups(self) -> list[peers.PeerGroup]:
        return [g for g in self.groups if g.shown]

    @property
    def hidden_groups(self) -> list[peers.PeerGroup]:
        return [g for g in self.groups if not g.shown]

    @property
    def scored(self) -> list[DimensionResult]:
        return [d for d in self.dimensions if d.score is not None]

    @property
    def strengths(self) -> list[DimensionResult]:
        found = [d for d in self.scored if d.kind == "strength"]
        return sorted(found, key=lambda d: (-d.score, d.dimension.position))

    @property
    def gaps(self) -> list[DimensionResult]:
        found = [d for d in self.scored if d.kind == "gap"]
        return sorted(found, key=lambda d: (d.score, d.dimension.position))

    @property
    def strongest(self) -> DimensionResult | None:
        return min(self.scored, key=lambda d: (-d.score, d.dimension.position), default=None)

    @property
    def weakest(self) -> list[DimensionResult]:
        """The lowest-scoring dimensions (ties in questionnaire order)."""
        return sorted(self.scored, key=lambda d: (d.score, d.dimension.position))[:WEAKEST]

    def score_of(self, key: str) -> float | None:
        return next((d.score for d in self.dimensions if d.dimension.key == key), None)


def thresholds(stages: list[Any]) -> tuple[int, int]:
    """(strength from, gap below): the top stage's minimum and the one before it."""
    mins = sorted(s.min_score for s in stages)
    if len(mins) < 2:
        return 75, 50
    return mins[-1], mins[-2]


def previous_of(assessment: Assessment) -> Assessment | None:
    """The city's submitted assessment before this one (for the change over time)."""
    return (
        Assessment.objects.for_city(assessment.city_id)
        .submitted()
        .filter(submitted_at__lt=assessment.submitted_at)
        .order_by("-submitted_at", "-id")
        .first()
    )


def build(assessment: Assessment, comparison: tuple | None = None) -> Result:
    """The result of a submitted assessment, with peer medians (`peers.comparison`, read here
    unless given) and the previous result, in a fixed number of queries."""
    questionnaire = structure(assessment.questionnaire_id)
    strength_from, gap_below = thresholds(list(questionnaire.stages.all()))
    answers = Answer.objects.filter(assessment=assessment).select_related("answered_by")
    stored = {  # who answered is shown by name
        a.question_id: a
        for a in answers.only("question", "level", "answered_by__name", "answered_by__email")
    }
    groups, computed = comparison or peers.comparison(assessment)
    previous = previous_of(assessment)
    questions = list(questionnaire.questions.all())
    dimensions = []
    answers = []
    for dimension in questionnaire.dimensions.all():
        score = assessment.scores.get(dimension.key)
        row = DimensionResult(
            dimension=dimension,
            score=score,
            previous=previous.scores.get(dimension.key) if previous else None,
            medians={g.group: shown(g.medians.get(dimension.key)) for g in groups if g.shown},
        )
        if score is not None:
            row.kind = "strength" if score >= strength_from else "gap" if score < gap_below else ""
        dimensions.append(row)
        answers.append(
            (
                dimension,
                [
                    AnswerRow(q, stored.get(q.pk))
                    for q in questions
                    if q.dimension_id == dimension.pk
                ],
            )
        )
    fields = [
        FieldReadiness(
            question=q,
            level=stored[q.pk].level if q.pk in stored else None,
            answered=q.pk in stored,
        )
        for q in questions
        if q.field_id
    ]
    return Result(
        assessment=assessment,
        questionnaire=questionnaire,
        dimensions=dimensions,
        fields=fields,
        answers=answers,
        groups=groups,
        peers_computed=computed,
        previous=previous,
        strength_from=strength_from,
        gap_below=gap_below,
    )


@dataclass
class Readiness:
    """Where a city stands, in short: its latest result and the assessment in progress."""

    latest: Assessment | None
    in_progress: Assessment | None
    weakest: list[tuple[str, int | None]]  # (dimension title, score), lowest first

    @property
    def overall(self) -> int | None:
        return shown(self.latest.overall_score) if self.latest else None


def readiness_of(cities: list[Any]) -> dict[int, Readiness]:
    """{city id: where it stands} for `cities` (for "My city", the landing page and, later,
    the helpdesk): one query and the cached questionnaire structure."""
    found = {c.pk: Readiness(latest=None, in_progress=None, weakest=[]) for c in cities}
    rows = (
        Assessment.objects.filter(city__in=[c.pk for c in cities])
        .filter(Q(status=Assessment.Status.IN_PROGRESS) | Q(is_latest=True))
        .select_related("stage")
    )
    for row in rows:
        if row.is_latest:
            found[row.city_id].latest = row
            found[row.city_id].weakest = _weakest(row)
        else:
            found[row.city_id].in_progress = row
    return found


def _weakest(latest: Assessment) -> list[tuple[str, int | None]]:
    dimensions = list(structure(latest.questionnaire_id).dimensions.all())
    scored = [(d, latest.scores.get(d.key)) for d in dimensions]
    ranked = sorted(
        ((d, s) for d, s in scored if s is not None), key=lambda pair: (pair[1], pair[0].position)
    )
    return [(d.title, shown(s)) for d, s in ranked[:WEAKEST]]

"""The scoring rule of the self-assessment, as `data/README.md` documents it.

1. Dimension score = 100 × Σ(weight × level) / Σ(weight × 4) over the answered questions of the
   dimension; a skipped optional question is left out of both sums; a dimension with no answered
   question has no score and does not count in the overall score.
2. Overall score = the mean of the dimension scores weighted by the dimension weights.
3. Stage = the highest stage whose minimum the overall score reaches.
4. Scores are rounded half up to whole numbers for display only; the stage and comparisons use
   the exact value (74.6 shows as 75 and is still below a stage that starts at 75).

Arithmetic is exact (fractions of the decimal weights), so a score is the same on every machine
and database; it is stored as a float only once computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from .models import HIGHEST


@dataclass(frozen=True)
class Score:
    """A computed result: exact dimension scores (None: nothing answered), overall and stage."""

    dimensions: dict[str, Fraction | None]
    overall: Fraction | None
    stage: Any  # the Stage row reached, or None when no dimension has a score


def dimension_score(questions: Sequence[Any], answers: Mapping[str, int | None]) -> Fraction | None:
    """Rule 1 for the questions of one dimension (answers by question key; None = skipped)."""
    earned = possible = Fraction(0)
    for question in questions:
        level = answers.get(question.key)
        if level is None:
            continue
        weight = Fraction(question.weight)
        earned += weight * level
        possible += weight * HIGHEST
    if not possible:
        return None
    return 100 * earned / possible


def overall_score(
    dimensions: Sequence[Any], scores: Mapping[str, Fraction | None]
) -> Fraction | None:
    """Rule 2: the weighted mean of the dimensions that have a score."""
    total = weights = Fraction(0)
    for dimension in dimensions:
        value = scores.get(dimension.key)
        if value is None:
            continue
        weight = Fraction(dimension.weight)
        total += weight * value
        weights += weight
    return total / weights if weights else None


def stage_for(stages: Sequence[Any], overall: Fraction | None) -> Any:
    """Rule 3: the highest stage whose minimum `overall` reaches (exact comparison)."""
    if overall is None:
        return None
    reached = [s for s in stages if overall >= s.min_score]
    return max(reached, key=lambda s: s.min_score) if reached else None


def score(questionnaire: Any, answers: Mapping[str, int | None]) -> Score:
    """Score `answers` ({question key: level or None}) on a questionnaire whose stages,
    dimensions and questions are prefetched (`Questionnaire.objects.with_structure()`)."""
    by_dimension: dict[int, list[Any]] = {}
    for question in questionnaire.questions.all():
        by_dimension.setdefault(question.dimension_id, []).append(question)
    dimensions = list(questionnaire.dimensions.all())
    scores = {d.key: dimension_score(by_dimension.get(d.pk, []), answers) for d in dimensions}
    overall = overall_score(dimensions, scores)
    return Score(scores, overall, stage_for(list(questionnaire.stages.all()), overall))


def missing_required(questionnaire: Any, answers: Mapping[str, int | None]) -> list[Any]:
    """The required questions without a level, in questionnaire order."""
    order = {d.pk: d.position for d in questionnaire.dimensions.all()}
    questions = sorted(
        questionnaire.questions.all(), key=lambda q: (order.get(q.dimension_id, 0), q.position)
    )
    return [q for q in questions if q.required and answers.get(q.key) is None]


def shown(value: float | Fraction | None) -> int | None:
    """Rule 4: a score as displayed, rounded half up (62.5 → 63); None stays None."""
    if value is None:
        return None
    exact = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if isinstance(value, Fraction)
        else Decimal(repr(value))
    )
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

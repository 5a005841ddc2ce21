"""Where a city stands while answering: what is answered, per dimension and in all, what is
still missing, and where to resume. Read from the stored answers, never from the session, so
every member and every tab sees the same state."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.core.cache import cache

from .models import Answer, Assessment, Dimension, Question, Questionnaire

SECONDS_PER_QUESTION = 20  # a level to pick among five short descriptions
STRUCTURE_SECONDS = 3600


def structure(questionnaire_id: int) -> Questionnaire:
    """A questionnaire with its stages, dimensions and questions loaded. A published or retired
    version never changes, so it is cached; a draft is read afresh."""
    key = f"assessment:structure:{questionnaire_id}"
    found = cache.get(key)
    if found is None:
        found = Questionnaire.objects.with_structure().get(pk=questionnaire_id)
        if not found.is_draft:
            cache.set(key, found, STRUCTURE_SECONDS)
    return found


def estimated_minutes(questionnaire: Questionnaire) -> int:
    return math.ceil(len(questionnaire.questions.all()) * SECONDS_PER_QUESTION / 60)


@dataclass
class DimensionState:
    dimension: Dimension
    questions: list[Question]
    answered: int = 0
    missing: list[Question] = field(default_factory=list)  # required, unanswered

    @property
    def complete(self) -> bool:
        return self.answered == len(self.questions)


@dataclass
class State:
    assessment: Assessment
    questionnaire: Questionnaire
    answers: dict[int, Answer]  # by question id
    dimensions: list[DimensionState]

    @property
    def total(self) -> int:
        return sum(len(d.questions) for d in self.dimensions)

    @property
    def answered(self) -> int:
        return sum(d.answered for d in self.dimensions)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def missing(self) -> list[tuple[Dimension, Question]]:
        return [(d.dimension, q) for d in self.dimensions for q in d.missing]

    @property
    def ready(self) -> bool:
        return not self.missing

    def of(self, dimension_id: int) -> DimensionState:
        return next(d for d in self.dimensions if d.dimension.pk == dimension_id)

    def resume(self) -> DimensionState:
        """The first dimension with an unanswered question (the first one when all are)."""
        return next((d for d in self.dimensions if not d.complete), self.dimensions[0])

    def after(self, dimension: Dimension) -> DimensionState | None:
        keys = [d.dimension.pk for d in self.dimensions]
        index = keys.index(dimension.pk)
        return self.dimensions[index + 1] if index + 1 < len(keys) else None

    def before(self, dimension: Dimension) -> DimensionState | None:
        keys = [d.dimension.pk for d in self.dimensions]
        index = keys.index(dimension.pk)
        return self.dimensions[index - 1] if index > 0 else None

    def number(self, dimension: Dimension) -> int:
        return [d.dimension.pk for d in self.dimensions].index(dimension.pk) + 1


def state_of(assessment: Assessment) -> State:
    """The answering state of an assessment: the cached structure and one query of answers."""
    questionnaire = structure(assessment.questionnaire_id)
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(assessment=assessment).select_related("answered_by")
    }
    by_dimension: dict[int, list[Question]] = {}
    for question in questionnaire.questions.all():
        by_dimension.setdefault(question.dimension_id, []).append(question)
    dimensions = []
    for dimension in questionnaire.dimensions.all():
        questions = by_dimension.get(dimension.pk, [])
        row = DimensionState(dimension=dimension, questions=questions)
        for question in questions:
            answer = answers.get(question.pk)
            if answer is not None:
                row.answered += 1
            if question.required and (answer is None or answer.level is None):
                row.missing.append(question)
        dimensions.append(row)
    return State(assessment, questionnaire, answers, dimensions)

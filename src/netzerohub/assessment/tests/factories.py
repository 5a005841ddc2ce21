"""Test data of the self-assessment: the default questionnaire, answer sets, submitted results.

`default_questionnaire()` loads the questionnaire NetZero Hub ships (published). Answers are
given by question key; `answer_all(assessment, level)` answers every question alike.
"""

from __future__ import annotations

from typing import Any

from netzerohub.assessment import authoring, services
from netzerohub.assessment.models import Assessment, Question, Questionnaire


def default_questionnaire() -> Questionnaire:
    questionnaire, _created = authoring.load_default()
    return questionnaire


def questions_of(assessment_or_questionnaire: Any) -> list[Question]:
    questionnaire = getattr(
        assessment_or_questionnaire, "questionnaire", assessment_or_questionnaire
    )
    return list(
        Question.objects.filter(questionnaire=questionnaire).order_by(
            "dimension__position", "position"
        )
    )


def answer(assessment: Assessment, levels: dict[str, int | None], *, user: Any) -> None:
    """Save the answers {question key: level} through the service, as the pages do."""
    by_key = {q.key: q for q in questions_of(assessment)}
    for key, level in levels.items():
        services.save_answer(assessment, by_key[key], level, actor=user)


def uniform(questionnaire: Questionnaire, level: int | None, *, skip_optional: bool = False):
    """{key: level} for every question (optional ones skipped when asked)."""
    return {
        q.key: (None if skip_optional and not q.required else level)
        for q in questions_of(questionnaire)
    }


def submitted(
    city: Any, lead: Any, level: int = 2, overrides: dict[str, int | None] | None = None
) -> Assessment:
    """A city's assessment, every question at `level` except `overrides`, submitted by `lead`."""
    assessment = services.start_assessment(city, actor=lead)
    levels = {**uniform(assessment.questionnaire, level), **(overrides or {})}
    answer(assessment, levels, user=lead)
    return services.submit_assessment(assessment, actor=lead)

"""Reads of the self-assessment, named for the question they answer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Prefetch

from netzerohub.core.querysets import CityScopedQuerySet


class QuestionnaireQuerySet(models.QuerySet):
    def published(self) -> QuestionnaireQuerySet:
        return self.filter(status="published")

    def current(self) -> Any:
        """The version new assessments are taken on (the newest published), or None."""
        return self.published().order_by("-published_at", "-id").first()

    def with_structure(self) -> QuestionnaireQuerySet:
        """Stages, dimensions (with their tags) and questions, each in order, in four queries."""
        dimension = self.model._meta.get_field("dimensions").related_model
        question = self.model._meta.get_field("questions").related_model
        dimensions = dimension.objects.select_related("step").prefetch_related("fields", "levers")
        return self.prefetch_related(
            "stages",
            Prefetch("dimensions", queryset=dimensions.order_by("position", "id")),
            Prefetch(
                "questions",
                queryset=question.objects.select_related("field").order_by("position", "id"),
            ),
        )


class AssessmentQuerySet(CityScopedQuerySet):
    def in_progress(self) -> AssessmentQuerySet:
        return self.filter(status="in_progress")

    def submitted(self) -> AssessmentQuerySet:
        return self.filter(status="submitted")

    def latest_results(self) -> AssessmentQuerySet:
        """Each city's newest submitted assessment (what peers and coordinators compare)."""
        return self.filter(is_latest=True)

    def of_questionnaire(self, key: str) -> AssessmentQuerySet:
        return self.filter(questionnaire__key=key)

    def history(self) -> AssessmentQuerySet:
        """Submitted assessments, oldest first (a city's change over time)."""
        return self.submitted().order_by("submitted_at", "id")


class PeerStatisticQuerySet(models.QuerySet):
    def for_groups(self, questionnaire_key: str, groups: Iterable[str]) -> PeerStatisticQuerySet:
        return self.filter(questionnaire_key=questionnaire_key, group__in=list(groups))

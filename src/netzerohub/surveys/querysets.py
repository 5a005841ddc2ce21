"""Reads of surveys and responses."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone


class SurveyQuerySet(models.QuerySet):
    def published(self) -> SurveyQuerySet:
        return self.filter(status="published")

    def open(self, now=None) -> SurveyQuerySet:
        now = now or timezone.now()
        return self.published().filter(opens_at__lte=now, closes_at__gt=now)

    def listed(self) -> SurveyQuerySet:
        """Published surveys, open ones first, then the closed ones (newest first)."""
        return self.published().order_by("-closes_at", "-id")

    def with_structure(self) -> SurveyQuerySet:
        from .models import Option, Question

        return self.prefetch_related(
            "sections",
            Prefetch(
                "questions",
                queryset=Question.objects.select_related("condition_question").prefetch_related(
                    Prefetch("options", queryset=Option.objects.select_related("term")),
                    "condition_options",
                ),
            ),
        )


class QuestionQuerySet(models.QuerySet):
    def asked(self) -> QuestionQuerySet:
        return self.filter(hidden=False)


class ResponseQuerySet(models.QuerySet):
    def submitted(self) -> ResponseQuerySet:
        return self.filter(status="submitted")

    def in_progress(self) -> ResponseQuerySet:
        return self.filter(status="in_progress")

    def of(self, user: Any) -> ResponseQuerySet:
        """Responses the user shares: their own, and those of the cities they are a member of."""
        from netzerohub.cities.policies import approved_memberships

        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(person=user) | Q(city_id__in=list(approved_memberships(user))))

"""Reads of the capability-building programme, named for the question they answer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Count, Prefetch


def _is_coordinator(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_coordinator)


class CourseQuerySet(models.QuerySet):
    def published(self) -> CourseQuerySet:
        return self.filter(status="published")

    def visible_to(self, user: Any) -> CourseQuerySet:
        """Published courses; coordinators also see drafts and archived ones."""
        return self if _is_coordinator(user) else self.published()

    def for_listing(self) -> CourseQuerySet:
        return (
            self.select_related("step")
            .prefetch_related("fields", "levers")
            .annotate(lesson_count=Count("lessons", distinct=True))
        )

    def lesson_counts(self, course_ids: Iterable[int]) -> dict[int, int]:
        """{course id: number of lessons} in one query."""
        rows = (
            self.filter(pk__in=list(course_ids)).annotate(n=Count("lessons")).values_list("pk", "n")
        )
        return dict(rows)


class PathwayQuerySet(models.QuerySet):
    def published(self) -> PathwayQuerySet:
        return self.filter(status="published")

    def visible_to(self, user: Any) -> PathwayQuerySet:
        return self if _is_coordinator(user) else self.published()

    def with_steps(self) -> PathwayQuerySet:
        step_model = self.model._meta.get_field("steps").related_model
        steps = step_model.objects.select_related("course", "resource").order_by("position", "id")
        return self.prefetch_related(Prefetch("steps", queryset=steps))


class EnrolmentQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> EnrolmentQuerySet:
        return self.filter(user=user) if user.is_authenticated else self.none()

    def in_courses(self) -> EnrolmentQuerySet:
        return self.filter(course__isnull=False)

    def in_pathways(self) -> EnrolmentQuerySet:
        return self.filter(pathway__isnull=False)

    def completed_courses(self) -> EnrolmentQuerySet:
        return self.filter(course__isnull=False, completed__isnull=False)

    def of_members(self, city: Any) -> EnrolmentQuerySet:
        """Enrolments of the approved members of `city` (a lead's view of the team)."""
        return self.filter(user__memberships__city=city, user__memberships__status="approved")


class LessonProgressQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> LessonProgressQuerySet:
        return self.filter(user=user) if user.is_authenticated else self.none()

    def done_by_course(self, course_ids: Iterable[int]) -> dict[tuple[int, int], int]:
        """{(user id, course id): lessons done} for the rows of this queryset, in one query."""
        rows = (
            self.filter(lesson__course__in=list(course_ids))
            .values_list("user_id", "lesson__course_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {(user_id, course_id): n for user_id, course_id, n in rows}


class CertificateQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> CertificateQuerySet:
        return self.filter(user=user) if user.is_authenticated else self.none()

"""Background jobs of the surveys. Tasks take ids, never model instances."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from netzerohub.core.tasks import enqueue_at

REFRESH_DELAY = dt.timedelta(seconds=30)  # submissions in a burst share one refresh


@task()
def refresh_analytics(survey_id: int) -> None:
    """Compute a survey's analytics into the cache, so the coordinators' next view is warm."""
    from . import analytics

    analytics.refresh(survey_id)


def schedule_analytics_refresh(survey_id: int) -> None:
    """After a submission: one refresh per survey at most every REFRESH_DELAY (the numbers of
    10,000 responses take about a second to compute; a burst of submissions shares one)."""
    seconds = int(REFRESH_DELAY.total_seconds())
    if cache.add(f"surveys:refresh-pending:{survey_id}", 1, seconds):
        enqueue_at(refresh_analytics, timezone.now() + REFRESH_DELAY, survey_id)

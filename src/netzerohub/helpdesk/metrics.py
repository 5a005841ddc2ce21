"""The helpdesk's figures for coordinators: the backlog per queue, and by month (of creation,
the last twelve): tickets received, median first-response and resolution times (working hours),
service-level compliance and satisfaction.

A few grouped queries, never one per ticket or per month:
- one grouped by month (`TruncMonth` in the helpdesk's time zone) for the counts, the
  compliance and the ratings;
- the medians: on PostgreSQL `percentile_cont(0.5) WITHIN GROUP (ORDER BY …)` inside that same
  grouped query; on SQLite (which has no ordered-set aggregate) the per-month values fetched
  ordered with `values_list`, one query per measure, and the median taken in Python. SQLite is
  the development database; PostgreSQL serves the 100,000-ticket installations;
- the backlog: active tickets grouped by queue and status, and the overdue ones by queue.

Only ticket columns are read: no message (so no internal note) ever reaches these figures.

The result is cached for five minutes by a time bucket (and the queue filter and time zone),
deliberately *not* by `tickets_version()`: the version changes on every ticket write, so on a
busy helpdesk a key with it would be recomputed on almost every visit. The page says "figures
up to 5 minutes old".
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Aggregate, Avg, Count, F, FloatField, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from netzerohub.core.querysets import make_key

from . import clock
from .models import Queue, Ticket

MONTHS = 12
CACHE_SECONDS = 300
ACTIVE = ("new", "open", "waiting")


class Median(Aggregate):
    """PostgreSQL's continuous median of a column (NULLs ignored)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


@dataclass
class Month:
    month: dt.date
    received: int = 0
    median_first_response: float | None = None  # working hours
    median_resolution: float | None = None  # working hours
    first_response_measured: int = 0
    first_response_met: int = 0
    resolution_measured: int = 0
    resolution_met: int = 0
    rating_average: float | None = None
    ratings: int = 0

    @property
    def first_response_compliance(self) -> float | None:
        return _share(self.first_response_met, self.first_response_measured)

    @property
    def resolution_compliance(self) -> float | None:
        return _share(self.resolution_met, self.resolution_measured)


@dataclass
class Backlog:
    queue_id: int | None
    name: str
    new: int = 0
    open: int = 0
    waiting: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.new + self.open + self.waiting


@dataclass
class Figures:
    months: list[Month]
    backlog: list[Backlog]
    computed_at: dt.datetime
    queue_id: int | None = None
    zone: str = ""
    totals: dict[str, Any] = field(default_factory=dict)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def month_starts(today: dt.date, count: int = MONTHS) -> list[dt.date]:
    """The first days of the last `count` months, oldest first, ending with `today`'s."""
    year, month = today.year, today.month
    starts = []
    for _ in range(count):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _tickets(queue_id: int | None):
    tickets = Ticket.objects.received()
    return tickets.filter(queue_id=queue_id) if queue_id else tickets


def _monthly(queue_id: int | None, zone: Any, now: dt.datetime) -> list[Month]:
    starts = month_starts(now.astimezone(zone).date())
    since = dt.datetime.combine(starts[0], dt.time(), tzinfo=zone)
    tickets = _tickets(queue_id).filter(created__gte=since)
    by_month = tickets.annotate(month=TruncMonth("created", tzinfo=zone)).values("month")
    measures: dict[str, Any] = {
        "received": Count("id"),
        "fr_measured": Count(
            "id", filter=Q(first_response_at__isnull=False, first_response_due__isnull=False)
        ),
        "fr_met": Count("id", filter=Q(first_response_at__lte=F("first_response_due"))),
        "res_measured": Count(
            "id", filter=Q(resolved_at__isnull=False, resolution_due__isnull=False)
        ),
        "res_met": Count("id", filter=Q(resolved_at__lte=F("resolution_due"))),
        "rating_average": Avg("rating"),
        "ratings": Count("rating"),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        measures["fr_median"] = Median("first_response_seconds")
        measures["res_median"] = Median("resolution_seconds")
    months = {start: Month(month=start) for start in starts}
    for row in by_month.annotate(**measures).order_by("month"):
        found = months.get(_local_date(row["month"], zone))
        if found is None:
            continue
        found.received = row["received"]
        found.first_response_measured = row["fr_measured"]
        found.first_response_met = row["fr_met"]
        found.resolution_measured = row["res_measured"]
        found.resolution_met = row["res_met"]
        found.ratings = row["ratings"]
        if row["rating_average"] is not None:
            found.rating_average = round(float(row["rating_average"]), 2)
        if postgres:
            found.median_first_response = _hours(row["fr_median"])
            found.median_resolution = _hours(row["res_median"])
    if not postgres:
        for column, attribute in (
            ("first_response_seconds", "median_first_response"),
            ("resolution_seconds", "median_resolution"),
        ):
            for start, median in _python_medians(by_month, column, zone).items():
                if start in months:
                    setattr(months[start], attribute, _hours(median))
    return list(months.values())


def _local_date(moment: dt.datetime | dt.date, zone: Any) -> dt.date:
    if isinstance(moment, dt.datetime):
        if timezone.is_aware(moment):
            moment = moment.astimezone(zone)
        return moment.date()
    return moment


def _python_medians(by_month, column: str, zone: Any) -> dict[dt.date, float]:
    """{month: median of `column`} from the values fetched ordered (SQLite)."""
    values: dict[dt.date, list[int]] = {}
    rows = (
        by_month.filter(**{f"{column}__isnull": False})
        .values_list("month", column)
        .order_by("month", column)
    )
    for month, seconds in rows:
        values.setdefault(_local_date(month, zone), []).append(seconds)
    return {month: float(statistics.median(found)) for month, found in values.items()}


def _backlog(queue_id: int | None, now: dt.datetime) -> list[Backlog]:
    queues = Queue.objects.order_by("name", "id")
    if queue_id:
        queues = queues.filter(pk=queue_id)
    rows = {q.pk: Backlog(queue_id=q.pk, name=q.name) for q in queues.only("pk", "name")}
    counts = (
        _tickets(queue_id)
        .filter(status__in=ACTIVE)
        .values_list("queue_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    unqueued = Backlog(queue_id=None, name="")
    for queue, status, n in counts:
        setattr(rows.get(queue, unqueued), status, n)
    overdue = (
        _tickets(queue_id).overdue(now).values_list("queue_id").annotate(n=Count("id")).order_by()
    )
    for queue, n in overdue:
        rows.get(queue, unqueued).overdue = n
    result = list(rows.values())
    if unqueued.total:
        result.append(unqueued)
    return result


def _totals(months: list[Month]) -> dict[str, Any]:
    fr_met = sum(m.first_response_met for m in months)
    fr_all = sum(m.first_response_measured for m in months)
    res_met = sum(m.resolution_met for m in months)
    res_all = sum(m.resolution_measured for m in months)
    ratings = sum(m.ratings for m in months)
    rated = sum((m.rating_average or 0) * m.ratings for m in months)
    return {
        "received": sum(m.received for m in months),
        "first_response_compliance": _share(fr_met, fr_all),
        "resolution_compliance": _share(res_met, res_all),
        "rating_average": round(rated / ratings, 2) if ratings else None,
        "ratings": ratings,
    }


def compute(queue_id: int | None = None, *, now: dt.datetime | None = None) -> Figures:
    """The figures, computed now (uncached: `figures` caches them)."""
    now = now or timezone.now()
    zone = clock.calendar().zone
    months = _monthly(queue_id, zone, now)
    return Figures(
        months=months,
        backlog=_backlog(queue_id, now),
        computed_at=now,
        queue_id=queue_id,
        zone=str(zone),
        totals=_totals(months),
    )


def figures(queue_id: int | None = None) -> Figures:
    """The figures, at most five minutes old (cached by a five-minute time bucket)."""
    bucket = int(time.time() // CACHE_SECONDS)
    key = make_key("helpdesk-metrics", bucket, queue_id, str(clock.calendar().zone))
    found = cache.get(key)
    if found is None:
        found = compute(queue_id)
        cache.set(key, found, CACHE_SECONDS)
    return found

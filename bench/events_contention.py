"""Registrations per second on one event under contention, and whether it was overbooked.

A fresh national event (capacity 500, open to all cities, in 60 days) is created; `workers`
processes (16 by default), each with its own database connection, wait at a barrier and then
call the product's registration engine, `events.registration.register`, as fast as they can,
each for its share of `attempts` distinct synthetic people (2,000 by default, each for one of
their cities). Before the barrier each process registers one of its people for a second event
(not measured), so that its one-time costs (translations, the ORM's first queries) are behind
it, as in a server that has run. An attempt is everything a registration does, in one
transaction: the row lock on the event, the audience check, the counts, the insert, the audit
entry, the notification, and after the commit its queued email. Reported: registrations per
second (attempts over the wall time from the barrier to the last one done), the latency of one
attempt (p50/p95/max), how many were confirmed, waitlisted or refused, whether confirmed +
offered stayed within the capacity and whether the waitlist kept the order of arrival.
Afterwards the events, their registrations, audit entries, notifications and queued emails are
deleted, so runs are repeatable (events left by an interrupted run are deleted before the next
one).

With `workers=1` the attempts run in this process, one after the other (the SQLite tests).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import statistics
import time
from collections import Counter
from typing import Any

import seed as base
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from netzerohub.cities.models import City, Membership
from netzerohub.core.models import AuditLog, Notification
from netzerohub.events.models import Event, Registration
from netzerohub.events.registration import RegistrationError, register

CAPACITY = 500
WORKERS = 16
ATTEMPTS = 2_000
TITLE = "Bench contention event"
EMAIL_TASK = "netzerohub.core.tasks.email_notification"


def people(count: int) -> list[tuple[int, int]]:
    """(user id, city id) of `count` synthetic people with an approved city, spread over all
    of them, each for their first city."""
    first: dict[int, int] = {}
    rows = (
        Membership.objects.approved()
        .filter(user__in=base.bench_users())
        .order_by("user_id", "city_id")
        .values_list("user_id", "city_id")
    )
    for user_id, city_id in rows:
        first.setdefault(user_id, city_id)
    users = sorted(first)
    step = max(1, len(users) // count) if count else 1
    return [(u, first[u]) for u in users[::step][:count]]


def make_event(capacity: int) -> Event:
    """A new contention event (the ones of earlier runs are removed first)."""
    remove_events()
    return _new_event(capacity)


def _new_event(capacity: int | None) -> Event:
    starts = (timezone.now() + dt.timedelta(days=60)).replace(minute=0, second=0, microsecond=0)
    return Event.objects.create(
        kind=Event.Kind.NATIONAL,
        title=TITLE,
        summary="Registrations under contention (bench/events_contention.py).",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=capacity,
        audience=Event.Audience.ALL,
        status=Event.Status.PUBLISHED,
        languages=["en"],
    )


def remove_events() -> int:
    """Delete the contention events (with what registering left behind); returns how many."""
    removed = 0
    for event in Event.objects.filter(title=TITLE, created_by__isnull=True, kind="national"):
        registrations = [
            str(pk) for pk in Registration.objects.for_event(event).values_list("pk", flat=True)
        ]
        notifications = list(
            Notification.objects.filter(url=event.get_absolute_url()).values_list("pk", flat=True)
        )
        for start in range(0, len(notifications), 1_000):
            _tasks().filter(args_kwargs__args__0__in=notifications[start : start + 1_000]).delete()
        Notification.objects.filter(pk__in=notifications).delete()
        for start in range(0, len(registrations), 1_000):
            AuditLog.objects.filter(
                target_type="events.registration",
                target_id__in=registrations[start : start + 1_000],
            ).delete()
        event.delete()
        removed += 1
    return removed


def _tasks():
    return DBTaskResult.objects.filter(task_path=EMAIL_TASK)


def _attempt_all(
    event_id: int, warm_up_id: int, share: list[tuple[int, int]], barrier: Any
) -> dict[str, Any]:
    """Register each person of `share` for the event; the timings and outcomes. First the
    first of them for the warm-up event (not measured): what a process does once (loading
    translations, compiling the ORM's queries) is then done, as in a server that has run."""
    event = Event.objects.get(pk=event_id)
    users = get_user_model().objects.in_bulk([u for u, _c in share])
    cities = City.objects.in_bulk([c for _u, c in share])
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    if share:
        first_user, first_city = share[0]
        warm_up = Event.objects.get(pk=warm_up_id)
        register(warm_up, user=users[first_user], city=cities[first_city])
    if barrier is not None:
        barrier.wait()
    started = time.monotonic()
    for user_id, city_id in share:
        before = time.monotonic()
        try:
            registration = register(event, user=users[user_id], city=cities[city_id])
            outcomes[str(registration.status)] += 1
        except RegistrationError:
            outcomes["refused"] += 1
        except Exception as error:  # noqa: BLE001 - reported: a deadlock, a constraint…
            outcomes[f"error: {type(error).__name__}"] += 1
        latencies.append(time.monotonic() - before)
    return {
        "started": started,
        "ended": time.monotonic(),
        "outcomes": dict(outcomes),
        "latencies": latencies,
    }


def _worker(
    event_id: int, warm_up_id: int, share: list[tuple[int, int]], barrier: Any, results: Any
) -> None:
    connections.close_all()  # never share the parent's connection: open our own
    try:
        results.put(_attempt_all(event_id, warm_up_id, share, barrier))
    except Exception as error:  # noqa: BLE001 - the parent reports it
        results.put({"failed": repr(error)})
    finally:
        connections.close_all()


def run(
    workers: int = WORKERS,
    attempts: int = ATTEMPTS,
    capacity: int = CAPACITY,
    *,
    keep: bool = False,
) -> dict[str, Any]:
    """Measure registrations on one event by `workers` concurrent clients; returns the figures
    (`overbooked` True is a failure of the engine, reported by the caller)."""
    chosen = people(attempts)
    if len(chosen) < attempts:
        raise RuntimeError(f"Only {len(chosen)} synthetic people with a city: seed them first")
    event = make_event(capacity)
    warm_up = _new_event(capacity=None)
    shares = [chosen[i::workers] for i in range(workers)]
    if workers == 1:
        parts = [_attempt_all(event.pk, warm_up.pk, chosen, None)]
    else:
        connections.close_all()  # forked children must not inherit an open connection
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(workers)
        queue = context.Queue()
        processes = [
            context.Process(target=_worker, args=(event.pk, warm_up.pk, share, barrier, queue))
            for share in shares
        ]
        for process in processes:
            process.start()
        parts = [queue.get(timeout=600) for _ in processes]
        for process in processes:
            process.join(timeout=60)
    failed = [p["failed"] for p in parts if "failed" in p]
    parts = [p for p in parts if "failed" not in p]
    outcomes: Counter[str] = Counter()
    for part in parts:
        outcomes.update(part["outcomes"])
    latencies = sorted(s for part in parts for s in part["latencies"])
    wall = max(p["ended"] for p in parts) - min(p["started"] for p in parts) if parts else 0.0
    rows = list(
        Registration.objects.for_event(event)
        .order_by("created", "id")
        .values_list("status", flat=True)
    )
    counts = Counter(rows)
    holding = counts["confirmed"] + counts["offered"]
    waiting = [i for i, status in enumerate(rows) if status == "waitlisted"]
    seated = [i for i, status in enumerate(rows) if status in ("confirmed", "offered")]
    done = sum(outcomes.values())
    report = {
        "workers": workers,
        "attempts": attempts,
        "capacity": capacity,
        "wall_s": round(wall, 3),
        "registrations_per_second": round(done / wall, 1) if wall else None,
        "latency_ms": {
            "p50": round(1000 * statistics.median(latencies), 1) if latencies else None,
            "p95": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1)
            if latencies
            else None,
            "max": round(1000 * latencies[-1], 1) if latencies else None,
        },
        "outcomes": dict(outcomes),
        "confirmed": counts["confirmed"],
        "offered": counts["offered"],
        "waitlisted": counts["waitlisted"],
        "overbooked": holding > capacity,
        "full": holding == capacity,
        "arrival_order_kept": not waiting or not seated or max(seated) < min(waiting),
        "worker_failures": failed,
    }
    if not keep:
        remove_events()
    return report


def note(report: dict[str, Any]) -> str:
    """The report's lines for the benchmark's summary."""
    latency = report["latency_ms"]
    lines = [
        f"Registrations under contention: {report['workers']} processes (each its own "
        f"connection) registering {report['attempts']:,} distinct people for one event of "
        f"{report['capacity']} seats: **{report['registrations_per_second']:,.0f} "
        f"registrations/s** ({report['wall_s']:.1f} s), one attempt p50 {latency['p50']} ms, "
        f"p95 {latency['p95']} ms, max {latency['max']} ms; {report['confirmed']} confirmed, "
        f"{report['waitlisted']} waitlisted, {report['offered']} offered; outcomes "
        f"{report['outcomes']}.",
    ]
    if report["overbooked"]:
        lines.append(
            f"FAIL: OVERBOOKED: {report['confirmed'] + report['offered']} seats held for a "
            f"capacity of {report['capacity']}."
        )
    else:
        lines.append(
            f"No overbooking: confirmed + offered = {report['confirmed'] + report['offered']} "
            f"<= {report['capacity']}"
            + (
                " (full)."
                if report["full"]
                else " (fewer attempts than seats)."
                if report["attempts"] < report["capacity"]
                else " (NOT full: some attempts failed)."
            )
        )
    if not report["arrival_order_kept"]:
        lines.append("FAIL: someone was waitlisted before someone confirmed (arrival order).")
    errors = {k: v for k, v in report["outcomes"].items() if k.startswith("error")}
    if errors or report["worker_failures"]:
        lines.append(f"FAIL: errors {errors} {report['worker_failures']}")
    return "\n".join(lines)

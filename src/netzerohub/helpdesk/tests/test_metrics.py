"""The coordinators' metrics: medians, compliance and satisfaction computed by hand for a small
set of tickets over two months (the fields set directly on the rows), the backlog per queue,
the queue filter, the CSV (the same figures as the table, cells neutralised, never a note's
text), the five-minute cache, and a pinned query count."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from netzerohub.helpdesk import metrics
from netzerohub.helpdesk.manage_views import metrics_rows
from netzerohub.helpdesk.models import Message, Ticket

from .factories import MessageFactory, QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db
S = Ticket.Status
BRUSSELS = ZoneInfo("Europe/Brussels")  # the helpdesk's default zone: months are counted there
NOTE = "Internal: the mayor's private number is 0123"


def month_start(months_back: int) -> dt.datetime:
    """Noon on the first day of the month `months_back` before this one, in Brussels."""
    today = timezone.now().astimezone(BRUSSELS).date()
    year, month = today.year, today.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    return dt.datetime(year, month, 1, 12, tzinfo=BRUSSELS)


def made(queue, created, *, fr=None, fr_met=None, res=None, res_met=None, rating=None, **more):
    """A ticket opened at `created` with a first response after `fr` working seconds (on time
    or not) and a resolution after `res` (on time or not)."""
    fields = {"status": S.OPEN, **more}
    if fr is not None:
        answered = created + dt.timedelta(seconds=fr)
        due = answered + dt.timedelta(hours=1 if fr_met else -1)
        fields.update(first_response_at=answered, first_response_seconds=fr,
                      first_response_due=due)  # fmt: skip
    if res is not None:
        resolved = created + dt.timedelta(seconds=res)
        due = resolved + dt.timedelta(hours=1 if res_met else -1)
        fields.update(status=S.RESOLVED, resolved_at=resolved, resolution_seconds=res,
                      resolution_due=due)  # fmt: skip
    if rating is not None:
        fields.update(rating=rating, rating_comment="A comment")
    found = TicketFactory(queue=queue, **fields)
    Ticket.objects.filter(pk=found.pk).update(created=created)
    return found


@pytest.fixture
def queue(db):
    return QueueFactory(name="Energy systems")


@pytest.fixture
def tickets(queue):
    """Last month: four tickets; this month: two; and two that must not count."""
    last, this = month_start(1), month_start(0)
    first = made(queue, last, fr=3600, fr_met=True, res=7200, res_met=True, rating=5)
    made(queue, last, fr=10800, fr_met=False, res=36000, res_met=False, rating=3)
    made(queue, last, fr=7200, fr_met=True)
    made(queue, last, status=S.NEW)  # no response yet, no due time: measured nowhere
    made(queue, this, fr=1800, fr_met=True, res=14400, res_met=True, rating=4)
    made(queue, this, fr=5400, fr_met=True, status=S.WAITING)
    # Not counted: a visitor who never confirmed; a ticket older than twelve months.
    made(queue, this, fr=99999, fr_met=False, status=S.UNVERIFIED, requester=None,
         contact_email="v@example.org")  # fmt: skip
    made(queue, month_start(12), fr=99999, fr_met=False, rating=1, status=S.CLOSED)
    MessageFactory(ticket=first, kind=Message.Kind.NOTE, from_city=False, body=NOTE)
    return first


def by_month(figures) -> dict[dt.date, metrics.Month]:
    return {m.month: m for m in figures.months}


def test_figures_are_computed_by_hand(tickets):
    figures = metrics.compute()
    assert len(figures.months) == 12
    months = by_month(figures)
    last = months[month_start(1).date()]
    this = months[month_start(0).date()]
    # Last month: first responses 1 h, 3 h, 2 h → median 2 h; resolutions 2 h, 10 h → 6 h.
    assert (last.received, last.median_first_response, last.median_resolution) == (4, 2.0, 6.0)
    assert (last.first_response_met, last.first_response_measured) == (2, 3)
    assert last.first_response_compliance == 66.7
    assert (last.resolution_met, last.resolution_measured, last.resolution_compliance) == (
        1,
        2,
        50.0,
    )
    assert (last.rating_average, last.ratings) == (4.0, 2)
    # This month: 0.5 h and 1.5 h → 1 h; one resolution of 4 h; all on time; one rating of 4.
    assert (this.received, this.median_first_response, this.median_resolution) == (2, 1.0, 4.0)
    assert (this.first_response_compliance, this.resolution_compliance) == (100.0, 100.0)
    assert (this.rating_average, this.ratings) == (4.0, 1)
    # The other months are empty, not missing.
    others = [m for m in figures.months if m not in (last, this)]
    assert all(m.received == 0 and m.median_first_response is None for m in others)
    assert figures.totals == {
        "received": 6,
        "first_response_compliance": 80.0,
        "resolution_compliance": 66.7,
        "rating_average": 4.0,
        "ratings": 3,
    }


def test_the_backlog_per_queue_and_the_queue_filter(tickets, queue):
    other = QueueFactory(name="Events desk")
    made(other, month_start(0), status=S.NEW)
    made(
        other, month_start(0), status=S.OPEN, resolution_due=timezone.now() - dt.timedelta(hours=1)
    )
    backlog = {row.name: row for row in metrics.compute().backlog}
    energy, events = backlog["Energy systems"], backlog["Events desk"]
    assert (energy.new, energy.open, energy.waiting, energy.total) == (1, 1, 1, 3)
    assert (events.new, events.open, events.total, events.overdue) == (1, 1, 2, 1)
    only = metrics.compute(other.pk)
    assert [row.name for row in only.backlog] == ["Events desk"]
    assert sum(m.received for m in only.months) == 2


def test_the_month_month_starts_wrap_the_year():
    starts = metrics.month_starts(dt.date(2027, 2, 14), 4)
    assert starts == [dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1),
                      dt.date(2027, 2, 1)]  # fmt: skip


def test_the_page_shows_the_table_and_the_csv_matches_it(client, coordinator, tickets):
    client.force_login(coordinator)
    response = client.get(reverse("helpdesk:metrics"))
    page = response.content.decode()
    assert "Figures up to 5 minutes old" in page
    assert "66.7 %" in page and "50.0 %" in page and "Energy systems" in page
    assert '<th scope="col"' in page and "<caption>" in page
    figures = response.context["figures"]

    export = client.get(reverse("helpdesk:metrics"), {"format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    body = export.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Queue", "Month", "Tickets received"]
    expected = [[str(cell) for cell in row] for row in metrics_rows(figures, "All queues")]
    assert rows[1:] == expected
    last = month_start(1).strftime("%Y-%m")
    assert [last, "4", "2.0", "6.0", "66.7", "50.0", "4.0", "2"] in [r[1:] for r in rows]
    assert NOTE not in body and "0123" not in body and NOTE not in page


def test_the_csv_neutralises_the_queue_name(client, coordinator):
    queue = QueueFactory(name='=HYPERLINK("http://evil.example")')
    client.force_login(coordinator)
    export = client.get(reverse("helpdesk:metrics"), {"queue": queue.pk, "format": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert {row[0] for row in rows[1:]} == {'\'=HYPERLINK("http://evil.example")'}


def test_an_unknown_queue_shows_every_queue(client, coordinator, tickets):
    client.force_login(coordinator)
    response = client.get(reverse("helpdesk:metrics"), {"queue": "nonsense"})
    assert response.status_code == 200 and response.context["chosen"] is None


def test_figures_are_cached_for_five_minutes(tickets, queue, monkeypatch):
    monkeypatch.setattr(metrics.time, "time", lambda: 1_000_000.0)
    before = sum(m.received for m in metrics.figures().months)
    made(queue, month_start(0))
    assert sum(m.received for m in metrics.figures().months) == before  # the same bucket
    monkeypatch.setattr(metrics.time, "time", lambda: 1_000_000.0 + metrics.CACHE_SECONDS)
    assert sum(m.received for m in metrics.figures().months) == before + 1


# The user, the staff MFA check and its session save (3), the header's notifications, the
# queues for the filter; then, on a cache miss only: the calendar (working time, holidays), the
# monthly query, on SQLite the two median queries (PostgreSQL computes the medians in the
# monthly query), the backlog's queue names, the backlog and the overdue counts.
QUERIES = {"postgresql": 13, "sqlite": 15}


@pytest.mark.parametrize("size", [2, 30])
def test_the_metrics_page_query_count(client, coordinator, queue, size, django_assert_num_queries):
    for n in range(size):
        made(queue, month_start(n % 3), fr=600 * (n + 1), fr_met=bool(n % 2), rating=1 + n % 5)
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES[connection.vendor]):
        response = client.get(reverse("helpdesk:metrics"))
    assert response.status_code == 200

"""The iCalendar files: UTC times right on both sides of a daylight-saving change, the fields
calendar apps read, cancelled and tentative events, and the video link only when allowed."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar
import pytest

from netzerohub.events import calendars
from netzerohub.events.models import Event

from .factories import EventFactory

pytestmark = pytest.mark.django_db

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
NOW = dt.datetime(2027, 1, 2, 12, 0, tzinfo=dt.UTC)


def at_ten_in_brussels(day: dt.date, **extra) -> Event:
    starts = dt.datetime.combine(day, dt.time(10, 0), tzinfo=BRUSSELS)
    return EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **extra)


def vevents(body: bytes) -> list[icalendar.Event]:
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def test_ten_oclock_in_brussels_is_one_hour_apart_in_utc_in_summer_and_winter():
    summer = at_ten_in_brussels(dt.date(2027, 7, 1))  # CEST, UTC+2
    winter = at_ten_in_brussels(dt.date(2027, 1, 14))  # CET, UTC+1
    entries = [calendars.Entry(event=e, url="https://hub.example/e/") for e in (summer, winter)]
    body = calendars.build_calendar(entries, name="Mine", now=NOW)
    assert b"DTSTART:20270701T080000Z" in body
    assert b"DTSTART:20270114T090000Z" in body
    parsed = {str(v["UID"]): v for v in vevents(body)}
    summer_start = parsed[f"event-{summer.pk}@netzerohub"].decoded("DTSTART")
    winter_start = parsed[f"event-{winter.pk}@netzerohub"].decoded("DTSTART")
    assert summer_start == dt.datetime(2027, 7, 1, 8, 0, tzinfo=dt.UTC)
    assert winter_start == dt.datetime(2027, 1, 14, 9, 0, tzinfo=dt.UTC)
    assert summer_start.astimezone(BRUSSELS).hour == winter_start.astimezone(BRUSSELS).hour == 10
    assert parsed[f"event-{summer.pk}@netzerohub"].decoded("DTEND") == dt.datetime(
        2027, 7, 1, 10, 0, tzinfo=dt.UTC
    )


def test_an_event_across_the_change_keeps_its_length():
    """The night the clocks go back (31 October 2027): 02:00–04:00 local is three real hours."""
    starts = dt.datetime(2027, 10, 31, 2, 0, tzinfo=BRUSSELS)  # first 02:00, still CEST
    ends = dt.datetime(2027, 10, 31, 4, 0, tzinfo=BRUSSELS)  # CET
    event = EventFactory(starts_at=starts, ends_at=ends)
    (vevent,) = vevents(calendars.event_calendar(event, url="https://hub.example/", video=False))
    assert vevent.decoded("DTSTART") == dt.datetime(2027, 10, 31, 0, 0, tzinfo=dt.UTC)
    assert vevent.decoded("DTEND") - vevent.decoded("DTSTART") == dt.timedelta(hours=3)


def test_event_calendar_fields():
    event = EventFactory(
        title="Heat planning, step 1; the basics",
        summary="How cities plan heat networks.",
        format=Event.Format.IN_PERSON,
        venue="Stadthaus, Vienna",
        video_url="https://video.example.org/secret",
    )
    body = calendars.event_calendar(
        event, url="https://hub.example/events/7/", video=False, now=NOW
    )
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == event.title
    assert str(calendar["VERSION"]) == "2.0" and "NetZero Hub" in str(calendar["PRODID"])
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Heat planning, step 1; the basics"
    assert vevent.decoded("DTSTAMP") == NOW
    assert str(vevent["LOCATION"]) == "Stadthaus, Vienna"
    assert str(vevent["URL"]) == "https://hub.example/events/7/"
    description = str(vevent["DESCRIPTION"])
    assert "How cities plan heat networks." in description
    assert "https://hub.example/events/7/" in description
    assert b"video.example.org" not in body.replace(b"\r\n ", b"")
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_video_link_only_when_allowed():
    event = EventFactory(video_url="https://video.example.org/secret")
    allowed = calendars.event_calendar(event, url="https://hub.example/", video=True)
    (vevent,) = vevents(allowed)
    assert "https://video.example.org/secret" in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == "Online"


def test_cancelled_and_tentative_statuses():
    cancelled = EventFactory(status=Event.Status.CANCELLED, cancel_reason="No speakers")
    waiting = EventFactory()
    body = calendars.build_calendar(
        [
            calendars.Entry(event=cancelled, url="https://hub.example/1/"),
            calendars.Entry(
                event=waiting, url="https://hub.example/2/", tentative=True, note="On the list."
            ),
        ],
        name="Feed",
    )
    statuses = {str(v["UID"]): (str(v["STATUS"]), str(v["DESCRIPTION"])) for v in vevents(body)}
    assert statuses[f"event-{cancelled.pk}@netzerohub"][0] == "CANCELLED"
    assert "No speakers" in statuses[f"event-{cancelled.pk}@netzerohub"][1]
    assert statuses[f"event-{waiting.pk}@netzerohub"][0] == "TENTATIVE"
    assert statuses[f"event-{waiting.pk}@netzerohub"][1].startswith("On the list.")


def test_an_empty_feed_is_still_a_calendar():
    calendar = icalendar.Calendar.from_ical(calendars.build_calendar([], name="Nothing yet"))
    assert str(calendar["X-WR-CALNAME"]) == "Nothing yet"
    assert calendar.walk("VEVENT") == []

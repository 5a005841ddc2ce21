"""iCalendar files (RFC 5545): one event's `.ics` and a person's calendar feed.

Times are written in UTC (`DTSTART:20270314T090000Z`), which every calendar application reads
and shows in its own zone: no VTIMEZONE to get wrong, and an event stays at the same instant
across a daylight-saving change. The functions take events and return bytes; who may see a
video link is decided by the caller (the policy) and passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Event

PRODID = "-//NetZero Hub//Events//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class Entry:
    """One event as it goes into a calendar file.

    `url` is the absolute address of the event's page; `video` says whether the reader may see
    the video link; `tentative` marks a place not (yet) held, e.g. on the waitlist; `note` is a
    line put before the description (the reader's registration, say).
    """

    event: Event
    url: str
    video: bool = False
    tentative: bool = False
    note: str = ""


def uid(event: Event) -> str:
    return f"event-{event.pk}@netzerohub"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _description(entry: Entry) -> str:
    event = entry.event
    parts = []
    if event.is_cancelled:
        cancelled = _("This event has been cancelled.")
        if event.cancel_reason:
            cancelled += " " + event.cancel_reason
        parts.append(cancelled)
    if entry.note:
        parts.append(entry.note)
    if event.summary:
        parts.append(event.summary)
    if entry.video and event.video_url:
        parts.append(_("Video link: %(url)s") % {"url": event.video_url})
    parts.append(_("Event page: %(url)s") % {"url": entry.url})
    return "\n\n".join(parts)


def _location(event: Event) -> str:
    if event.venue.strip() and event.format != Event.Format.ONLINE:
        return event.venue.strip()
    return str(_("Online"))


def vevent(entry: Entry, *, stamp: dt.datetime) -> icalendar.Event:
    event = entry.event
    component = icalendar.Event()
    component.add("uid", uid(event))
    component.add("dtstamp", _utc(stamp))
    component.add("dtstart", _utc(event.starts_at))
    component.add("dtend", _utc(event.ends_at))
    component.add("summary", event.title)
    component.add("description", _description(entry))
    component.add("location", _location(event))
    component.add("url", entry.url)
    if event.updated:
        component.add("last-modified", _utc(event.updated))
    if event.is_cancelled:
        status = "CANCELLED"
    elif entry.tentative:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    component.add("status", status)
    return component


def build_calendar(entries: Iterable[Entry], *, name: str, now: dt.datetime | None = None) -> bytes:
    """A VCALENDAR named `name` (X-WR-CALNAME) holding one VEVENT per entry."""
    stamp = now or timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        calendar.add_component(vevent(entry, stamp=stamp))
    return calendar.to_ical()


def event_calendar(event: Event, *, url: str, video: bool, now: dt.datetime | None = None) -> bytes:
    """The `.ics` of one event; its video link only when `video` (the reader may see it)."""
    return build_calendar([Entry(event=event, url=url, video=video)], name=event.title, now=now)

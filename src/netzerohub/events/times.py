"""Times as people read them: in their own time zone, with the zone named."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.utils import dateformat, timezone


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def describe_time(moment: datetime, zone_name: str) -> str:
    """'Tuesday 12 January 2027, 14:00 CET (Europe/Brussels)' for `moment` in `zone_name`."""
    local = timezone.localtime(moment, zone_of(zone_name))
    return f"{dateformat.format(local, 'l j F Y, H:i T')} ({zone_name})"

"""The version of the groups-and-events catalogue (groups, their meetings and national events:
titles, dates, status), for cache keys. Saving a group or an event, or cancelling one, bumps it
after commit. Registrations do not: what shows places left reads them fresh."""

from netzerohub.core import versions

CONTENT = "events:version:content"


def content_version() -> str:
    return versions.current(CONTENT)


def content_changed() -> None:
    versions.bump(CONTENT)

"""The version of the helpdesk's tickets, for cache keys: every write to a ticket or its
conversation bumps it after commit, so counts and metrics cached under it are never stale."""

from netzerohub.core import versions

TICKETS = "helpdesk:version:tickets"


def tickets_version() -> str:
    return versions.current(TICKETS)


def tickets_changed() -> None:
    versions.bump(TICKETS)

"""Versions for cache keys.

The *catalogue* version names groups, their meetings and national events (titles, dates,
status): saving a group or an event, or cancelling one, bumps it after commit. Registrations do
not: what shows places left reads them fresh.

A *person's* version names their own registrations (My registrations is cached under it): every
save or deletion of a registration bumps its person's version after commit (a signal, so the
engine, the running pages and the Django admin all do), and so does the attendance form's bulk
update. Writes that bypass both (a shell, SQL) are seen when the renderings expire.
"""

from collections.abc import Iterable

from netzerohub.core import versions

CONTENT = "events:version:content"
FRAGMENT_SECONDS = 600


def _person(user_id: int) -> str:
    return f"events:version:person:{user_id}"


def content_version() -> str:
    return versions.current(CONTENT)


def content_changed() -> None:
    versions.bump(CONTENT)


def person_version(user_id: int) -> str:
    return versions.current(_person(user_id))


def registrations_changed(user_ids: Iterable[int]) -> None:
    """The registrations of these people changed (bumped once each, after commit)."""
    for user_id in set(user_ids):
        versions.bump(_person(user_id))


def registration_saved_or_deleted(sender, instance, **kwargs) -> None:
    """Signal receiver (post_save, post_delete of Registration; connected in the app config)."""
    registrations_changed([instance.user_id])

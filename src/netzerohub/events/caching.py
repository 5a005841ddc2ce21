"""Versions for cache keys.

The *catalogue* version names groups, their meetings and national events (titles, dates,
status): saving a group or an event, or cancelling one, bumps it after commit. Registrations do
not: what shows places left reads them fresh.

A *person's* version names their own registrations (My registrations is cached under it): every
save or deletion of a registration bumps its person's version after commit (a signal, so the
engine, the running pages and the Django admin all do), and so does the attendance form's bulk
update. Writes that bypass both (a shell, SQL) are seen when the renderings expire.

An *event's* version names its registrations' counts (the event page keeps the event, its
counts and its rendered parts under the catalogue version and this one): the same signal bumps
it after commit for every save or deletion of one of its registrations.
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


def _event(event_id: int) -> str:
    return f"events:version:event:{event_id}"


def event_versions(event_id: int) -> tuple[str, str]:
    """The catalogue version and the version of `event_id`'s registrations (one round trip)."""
    found = versions.current_many([CONTENT, _event(event_id)])
    return found[CONTENT], found[_event(event_id)]


def event_registrations_changed(event_ids: Iterable[int]) -> None:
    """The registrations of these events changed (bumped once each, after commit)."""
    for event_id in set(event_ids):
        versions.bump(_event(event_id))


def registrations_changed(user_ids: Iterable[int]) -> None:
    """The registrations of these people changed (bumped once each, after commit)."""
    for user_id in set(user_ids):
        versions.bump(_person(user_id))


def registration_saved_or_deleted(sender, instance, **kwargs) -> None:
    """Signal receiver (post_save, post_delete of Registration; connected in the app config)."""
    registrations_changed([instance.user_id])
    event_registrations_changed([instance.event_id])

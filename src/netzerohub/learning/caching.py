"""Versions that name the cached renderings of learning pages.

A person's learning pages (My learning, a course page, their row on the team page) are cached
under the person's *version*, and every page under the *content version*. Every service that
changes a person's learning bumps their version; every authoring change bumps the content
version (after the transaction commits), and so do saves and deletions in the Django admin: a
cached page is never shown after a change. Writes that bypass both (a shell, SQL) are seen when
the renderings expire (`FRAGMENT_SECONDS`).
"""

from __future__ import annotations

from collections.abc import Iterable

from netzerohub.core import versions

FRAGMENT_SECONDS = 600
_CONTENT = "learning:version:content"


def _person(user_id: int) -> str:
    return f"learning:version:person:{user_id}"


def content_version() -> str:
    return versions.current(_CONTENT)


def person_versions(user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: version} in one cache round trip (missing versions are created)."""
    names = {_person(pk): pk for pk in user_ids}
    found = versions.current_many(names)
    return {pk: found[name] for name, pk in names.items()}


def content_changed() -> None:
    versions.bump(_CONTENT)


def person_changed(user_id: int) -> None:
    versions.bump(_person(user_id))

"""Versions that name the cached renderings of learning pages.

A person's learning pages (My learning, a course page, their row on the team page) are cached
under the person's *version*, and every page under the *content version*. Every service that
changes a person's learning bumps their version; every authoring change bumps the content
version (after the transaction commits), and so do saves and deletions in the Django admin: a
cached page is never shown after a change. Writes that bypass both (a shell, SQL) are seen when
the renderings expire (`FRAGMENT_SECONDS`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

FRAGMENT_SECONDS = 600
_CONTENT = "learning:version:content"


def _person(user_id: int) -> str:
    return f"learning:version:person:{user_id}"


def _new() -> str:
    return uuid.uuid4().hex[:12]


def content_version() -> str:
    version = cache.get(_CONTENT)
    if version is None:  # never reuse an old name: a missing version gets a new one
        version = _new()
        cache.set(_CONTENT, version, None)
    return version


def person_versions(user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: version} in one cache round trip (missing versions are created)."""
    keys = {_person(pk): pk for pk in user_ids}
    found = cache.get_many(list(keys))
    missing = {key: _new() for key in keys if key not in found}
    if missing:
        cache.set_many(missing, None)
    return {pk: found.get(key) or missing[key] for key, pk in keys.items()}


def content_changed() -> None:
    transaction.on_commit(lambda: cache.set(_CONTENT, _new(), None))


def person_changed(user_id: int) -> None:
    transaction.on_commit(lambda: cache.set(_person(user_id), _new(), None))

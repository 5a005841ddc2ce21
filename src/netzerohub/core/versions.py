"""Named versions of content, for cache keys: a cached rendering or answer is stored under the
versions of what it shows, and every write that changes that content bumps the version once
its transaction commits, so nothing stale is ever served. A version missing from the cache
(evicted, a fresh cache) gets a new random name, never an old one."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction


def _new() -> str:
    return uuid.uuid4().hex[:12]


def current(name: str) -> str:
    """The version called `name` (created when missing)."""
    version = cache.get(name)
    if version is None:
        version = _new()
        cache.set(name, version, None)
    return version


def current_many(names: Iterable[str]) -> dict[str, str]:
    """{name: version} in one cache round trip (missing versions are created)."""
    names = list(names)
    found = cache.get_many(names)
    missing = {name: _new() for name in names if name not in found}
    if missing:
        cache.set_many(missing, None)
    return {name: found.get(name) or missing[name] for name in names}


def bump(name: str, *, now: bool = False) -> None:
    """Give `name` a new version once the current transaction commits (at once outside one).

    `now` also gives it one at once, so that the rest of the transaction reads afresh what it
    changed; the version given at the commit then drops whatever another process cached from
    the database in between (it still read the state before the commit)."""
    if now:
        cache.set(name, _new(), None)
    transaction.on_commit(lambda: cache.set(name, _new(), None))

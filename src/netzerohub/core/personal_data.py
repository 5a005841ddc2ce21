"""Personal-data export: each app registers what it holds about a person.

An app calls `register("memberships", collect)` in its `AppConfig.ready()`; `collect(user)`
returns JSON-serialisable data. The export view joins all sections into one document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_collectors: dict[str, Callable[[Any], Any]] = {}


def register(section: str, collect: Callable[[Any], Any]) -> None:
    _collectors[section] = collect


def collect_all(user: Any) -> dict[str, Any]:
    return {section: collect(user) for section, collect in sorted(_collectors.items())}

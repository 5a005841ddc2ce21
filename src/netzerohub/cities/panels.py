"""Cards that capabilities add to a city's private page ("My city"): each app registers a
template and a function that builds its context, in its `AppConfig.ready()`, so that the city
page shows where the city stands in every capability without depending on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    template: str
    build: Callable[[Any, Any], dict[str, Any]]  # (city, user) -> the template's context
    order: int


_panels: list[Panel] = []


def register(template: str, build: Callable[[Any, Any], dict[str, Any]], *, order: int) -> None:
    if all(p.template != template for p in _panels):
        _panels.append(Panel(template, build, order))
        _panels.sort(key=lambda p: p.order)


def panels_for(city: Any, user: Any) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of every registered card for `city` as `user` sees it."""
    return [(p.template, p.build(city, user)) for p in _panels]

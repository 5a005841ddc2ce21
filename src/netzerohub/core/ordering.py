"""Ordered rows (a `position` field among siblings): move one up or down."""

from __future__ import annotations

from django.db import models


def move_among(obj: models.Model, siblings: models.QuerySet, offset: int) -> bool:
    """Swap `obj` with its neighbour `offset` places away (-1 up, +1 down) among `siblings`,
    locked and numbered 1, 2, 3… afterwards. False when it is already first or last.

    Call inside a transaction (the rows are locked for update)."""
    items = list(siblings.select_for_update().order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == obj.pk)
    target = index + offset
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        if other.position != position:
            type(other).objects.filter(pk=other.pk).update(position=position)
    return True

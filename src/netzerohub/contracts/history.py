"""What changed between two versions of a contract, read from their stored JSON: the key
figures (`figures`) and the actions added or removed (`snapshot`), so the history never
recomputes a frozen version."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from .exports import number

# (key, label, unit): the key figures compared, in the order the history lists them.
KEY_FIGURES = (
    ("baseline_year", _("Baseline year"), ""),
    ("target_year", _("Climate neutrality by"), ""),
    ("baseline", _("Baseline emissions"), "t CO2e"),
    ("latest_year", _("Latest inventory year"), ""),
    ("latest", _("Latest inventory total"), "t CO2e"),
    ("required", _("Required reduction"), "t CO2e"),
    ("expected", _("Expected reductions of the portfolio"), "t CO2e"),
    ("gap", _("Emissions gap"), "t CO2e"),
    ("actions", _("Number of actions"), ""),
    ("capital", _("Capital needs"), "EUR"),
    ("funding_gap", _("Funding gap"), "EUR"),
)


def key_figures(figures: dict[str, Any], *, actions: int) -> dict[str, Any]:
    """The compared figures of one version (or of the draft) from its figures' JSON and its
    number of actions (None where missing)."""
    years = figures.get("years", {})
    baseline_year = figures.get("baseline_year")
    latest_year = max((int(y) for y in years), default=None)
    baseline = years.get(str(baseline_year)) if baseline_year is not None else None
    latest = years.get(str(latest_year)) if latest_year is not None else None
    return {
        "baseline_year": baseline_year,
        "target_year": figures.get("target_year"),
        "baseline": number(baseline["gross"]) if baseline else None,
        "latest_year": latest_year,
        "latest": number(latest["gross"]) if latest else None,
        "required": number(figures.get("required")),
        "expected": number(figures.get("expected")),
        "gap": number(figures.get("gap")),
        "actions": actions,
        "capital": number(figures.get("capital")),
        "funding_gap": number(figures.get("funding_gap")),
    }


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    unit: str
    before: Any
    after: Any

    @property
    def delta(self) -> Any:
        """after − before when both are numbers (None otherwise)."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class Comparison:
    changes: list[Change] = field(default_factory=list)  # only the figures that changed
    added: list[str] = field(default_factory=list)  # titles of actions new in `after`
    removed: list[str] = field(default_factory=list)  # titles of actions gone from `after`
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (before, after)

    @property
    def empty(self) -> bool:
        return not (self.changes or self.added or self.removed or self.renamed)


def _titles(snapshot: dict[str, Any]) -> dict[Any, str]:
    """Actions by id (a stable key across versions), or by title for a snapshot without ids."""
    return {a.get("id") or a.get("title"): a.get("title", "") for a in snapshot.get("actions", [])}


def compare(
    before: tuple[dict[str, Any], dict[str, Any]], after: tuple[dict[str, Any], dict[str, Any]]
) -> Comparison:
    """What changed from `before` to `after`, each a (snapshot, figures) pair."""
    old = key_figures(before[1], actions=len(before[0].get("actions", [])))
    new = key_figures(after[1], actions=len(after[0].get("actions", [])))
    result = Comparison()
    for key, label, unit in KEY_FIGURES:
        if old[key] != new[key]:
            result.changes.append(Change(key, str(label), unit, old[key], new[key]))
    old_actions, new_actions = _titles(before[0]), _titles(after[0])
    result.added = [t for k, t in new_actions.items() if k not in old_actions]
    result.removed = [t for k, t in old_actions.items() if k not in new_actions]
    result.renamed = [
        (old_actions[k], t)
        for k, t in new_actions.items()
        if k in old_actions and old_actions[k] != t
    ]
    return result


def history(versions: list[Any]) -> list[tuple[Any, Comparison | None]]:
    """Each version (newest first) with what changed since the one before it (None for the
    first). `versions` are ContractVersions in any order."""
    ordered = sorted(versions, key=lambda v: v.number)
    found = []
    previous = None
    for version in ordered:
        comparison = None
        if previous is not None:
            comparison = compare(
                (previous.snapshot, previous.figures), (version.snapshot, version.figures)
            )
        found.append((version, comparison))
        previous = version
    return list(reversed(found))

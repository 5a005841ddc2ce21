"""Search keys for city names (see `CityName`)."""

from __future__ import annotations

from collections.abc import Iterable

from netzerohub.core.text import fold, is_latin

MAX_KEY_LENGTH = 200
MAX_ALTERNATES = 40


def search_keys(name: str, alternates: Iterable[str] = ()) -> set[str]:
    """Folded keys for a city: each (Latin-script) name and every suffix starting at a word."""
    keys: set[str] = set()
    names = [name, *list(alternates)[:MAX_ALTERNATES]]
    for raw in names:
        folded = fold(raw)[:MAX_KEY_LENGTH]
        if not is_latin(folded):
            continue
        words = folded.split(" ")
        for start in range(len(words)):
            suffix = " ".join(words[start:])
            if len(suffix) >= 2:
                keys.add(suffix)
    return keys


def latin_alternates(alternates: Iterable[str]) -> list[str]:
    """Alternate names worth showing and searching: Latin script, distinct once folded."""
    seen: set[str] = set()
    kept: list[str] = []
    for alternate in alternates:
        folded = fold(alternate)
        if is_latin(folded) and folded not in seen and not alternate.startswith("http"):
            seen.add(folded)
            kept.append(alternate)
    return kept

"""Cells that user text reaches in an exported spreadsheet (CSV, XLSX) must never run as
formulas: `neutralise` makes such a value plain text, `restore_cell` undoes it on import."""

from __future__ import annotations

# What a spreadsheet reads as the start of a formula, and the quote that makes it plain text.
FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})
QUOTE = "'"


def neutralise(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: make it plain text. A value
    # that starts with the quote gets one more, so `restore_cell` takes exactly one off.
    return QUOTE + value if value[:1] in FORMULA_STARTS | {QUOTE} else value


def restore_cell(value: str) -> str:
    """A cell of an exported file as it was before `neutralise` (so a round trip is exact)."""
    if value[:1] == QUOTE and value[1:2] in FORMULA_STARTS | {QUOTE}:
        return value[1:]
    return value

"""Population bands: the directory's filter and the groups that cities are compared in.

A band's key is `low-high` (people, `high` excluded; an open upper end is empty), so that it
reads in a URL and parses back into the range it names.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

BANDS = [
    ("0-50000", _("Under 50,000")),
    ("50000-100000", _("50,000 – 100,000")),
    ("100000-250000", _("100,000 – 250,000")),
    ("250000-1000000", _("250,000 – 1 million")),
    ("1000000-", _("Over 1 million")),
]
LABELS = dict(BANDS)


def bounds(key: str) -> tuple[int | None, int | None]:
    """(low, high) of a band key; (None, None) for the empty key ("any population")."""
    low, _sep, high = key.partition("-")
    return (int(low) if low else None, int(high) if high else None)


def band_of(population: int | None) -> str:
    """The key of the band `population` falls in; "" when the population is not known."""
    if population is None:
        return ""
    for key, _label in BANDS:
        low, high = bounds(key)
        if (low is None or population >= low) and (high is None or population < high):
            return key
    return ""

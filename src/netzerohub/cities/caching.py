"""Cached HTML of public city pages: what every visitor sees the same way.

Services that change what these fragments show call `forget_profile`; everything else expires
after a minute.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from netzerohub.core.querysets import make_key

PROFILE_SECONDS = 60


def profile_key(city_id: int, language: str, authenticated: bool) -> str:
    return make_key("cities.profile", city_id, language, authenticated)


def forget_profile(city_id: int) -> None:
    cache.delete_many(
        [
            profile_key(city_id, code, authenticated)
            for code, _name in settings.LANGUAGES
            for authenticated in (False, True)
        ]
    )

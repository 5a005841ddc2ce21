"""Page parts rendered once and then served from the cache, under a key that names everything
they depend on (the apps put their content versions and the viewer in `parts`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import get_language

from .querysets import make_key


def rendered(
    request: HttpRequest, template: str, parts: tuple, build: Callable[[], dict], *, seconds: int
) -> str:
    """`template` rendered with `build()` (called only on a miss), cached under `parts` and the
    language for `seconds`."""
    key = make_key("fragment", template, get_language(), *parts)
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, build(), request=request)
        cache.set(key, html, seconds)
    return html


def viewer(request: HttpRequest) -> tuple[Any, ...]:
    """What names a signed-in person's rendering of a part that holds forms: who, their role
    and the CSRF secret of this browser (visitors share one rendering)."""
    user = request.user
    if not user.is_authenticated:
        return (None,)
    get_token(request)
    return (user.pk, user.is_coordinator, request.META.get("CSRF_COOKIE"))

"""A small fixed-window rate limit for forms, kept in the cache (shared by all web processes
when the cache is Redis). Logins have their own limits (allauth, django-axes)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def hit(key: str, *, limit: int, period: int) -> bool:
    """Count one attempt for `key`; False once more than `limit` fall in the current window."""
    window = int(time.time() // period)
    cache_key = f"ratelimit:{key}:{window}"
    cache.add(cache_key, 0, period)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, period)
        count = 1
    return count <= limit


def _back(request: HttpRequest) -> str:
    """Where the refused form came from (its own page keeps what was typed in the browser)."""
    referer = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return "/"


def rate_limited(action: str, *, limit: int, period: int = 3600) -> Callable:
    """Decorate a view: POSTs beyond `limit` per person (or address) and `period` seconds are
    refused with a message and a redirect back to the referring page (HTTP 429 for htmx)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                who = (
                    f"user:{request.user.pk}"
                    if request.user.is_authenticated
                    else f"ip:{request.META.get('REMOTE_ADDR', '')}"
                )
                if not hit(f"{action}:{who}", limit=limit, period=period):
                    messages.error(
                        request, _("You have done this too often; please try again later.")
                    )
                    if request.htmx:
                        return HttpResponse(status=429)
                    return redirect(_back(request))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

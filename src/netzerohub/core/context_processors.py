from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token

from .notifications import unread_count
from .querysets import make_key


def portal(request: HttpRequest) -> dict[str, Any]:
    """Navigation facts every page needs (from the cache for signed-in people).

    `header_key` names the signed-in header's cached rendering: it holds the sign-out form's
    CSRF token, so it is kept per person *and* per CSRF secret (another browser, or a new
    sign-in, which rotates the secret, renders its own)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0, "DEV_MAIL": settings.DEBUG}
    get_token(request)  # makes sure the secret exists before it names the key
    return {
        "unread_notifications": unread_count(user),
        "header_key": make_key("header", user.pk, request.META.get("CSRF_COOKIE", "")),
        "DEV_MAIL": settings.DEBUG,
    }

"""API authentication: the browser's session (with CSRF) or a personal token."""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .services import user_for_api_token


class TokenAuth(HttpBearer):
    """Personal API tokens: `Authorization: Bearer nzh_…`."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


API_AUTH = [TokenAuth(), SessionAuth()]


def _anyone(request: HttpRequest):
    """Last resort of `OPTIONAL_AUTH`: the visitor (public data only)."""
    return request.user


# For reads open to everyone that show more to members: a token or a session if given.
OPTIONAL_AUTH = [TokenAuth(), SessionAuth(), _anyone]

"""API authentication: the browser's session (with CSRF) or a personal token."""

from django.http import HttpRequest
from ninja.errors import AuthenticationError
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


class StrictTokenAuth(TokenAuth):
    """A token that is sent must be valid (401), even where a visitor may read without one."""

    def authenticate(self, request: HttpRequest, token: str):
        user = super().authenticate(request, token)
        if user is None:
            raise AuthenticationError(message="This API token is not valid.")
        return user


def _anyone(request: HttpRequest):
    """Last resort of `OPTIONAL_AUTH`: the session's user or the visitor (public data only)."""
    return request.user


# For reads open to everyone that show more to members: a token or a session if given, and a
# 401 for a wrong token rather than silently answering as a visitor.
OPTIONAL_AUTH = [StrictTokenAuth(), SessionAuth(), _anyone]

"""/api/v1/me: who the API sees, by session or by personal token."""

from __future__ import annotations

import pytest

from netzerohub.accounts.services import create_api_token

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def test_me_needs_authentication(client):
    response = client.get(ME)

    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_me_with_a_session(client, member):
    client.force_login(member)

    response = client.get(ME)

    assert response.json() == {
        "id": member.pk,
        "email": member.email,
        "name": "Mia Member",
        "is_coordinator": False,
    }


def test_me_with_a_personal_token(client, coordinator):
    _token, secret = create_api_token(coordinator, name="script", actor=coordinator)

    response = client.get(ME, headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 200
    assert response.json()["is_coordinator"] is True


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nzh_not-a-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "nzh_no-scheme",
        "Bearer " + "x" * 10_000,
    ],
)
def test_me_with_a_wrong_authorization_header_is_401(client, header):
    assert client.get(ME, headers={"Authorization": header}).status_code == 401

"""Account pages: sign-up, email confirmation, sign-in limits, profile, personal data, tokens."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from netzerohub.accounts.models import ApiToken, User
from netzerohub.accounts.services import create_api_token
from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.tests.factories import MembershipFactory
from netzerohub.core.models import AuditLog, Notification
from netzerohub.core.notifications import notify

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"


def text(response) -> str:
    return response.content.decode()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def signup_data(**overrides: str) -> dict[str, str]:
    return {
        "name": "Tina Newcomer",
        "email": "tina@city.example",
        "password1": "a-long-test-password-2050",
        "password2": "a-long-test-password-2050",
    } | overrides


# --- sign-up -------------------------------------------------------------------------------------


def test_signup_creates_an_unverified_person_with_a_name_and_sends_a_confirmation(
    client, mailoutbox
):
    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 302
    person = User.objects.get(email="tina@city.example")
    assert person.name == "Tina Newcomer"
    assert not EmailAddress.objects.get(user=person).verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["tina@city.example"]
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    # Links point at the host the person used, not at a placeholder site domain.
    assert "http://testserver/accounts/confirm-email/" in mailoutbox[0].body
    assert "example.com" not in mailoutbox[0].body
    assert AuditLog.objects.filter(
        action="accounts.user.signed_up", target_id=str(person.pk)
    ).exists()


def test_signup_email_is_case_insensitive(client):
    client.post(SIGNUP, signup_data(email="Tina@City.Example"))

    assert User.objects.filter(email="tina@city.example").exists()


def test_confirming_the_email_signs_the_person_in(client, mailoutbox):
    client.post(SIGNUP, signup_data())
    link = next(word for word in mailoutbox[0].body.split() if "/accounts/confirm-email/" in word)
    path = link[link.index("/accounts/") :]

    response = client.post(path)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="tina@city.example").verified
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": "tina@"}, "Enter a valid email address."),
        ({"password1": "12345", "password2": "12345"}, "This password is too short."),
        ({"password1": "password123", "password2": "password123"}, "This password is too common."),
        (
            {"password1": "tina@city.example", "password2": "tina@city.example"},
            "The password is too similar to the email address.",
        ),
        ({"password2": "a-different-password-2050"}, "You must type the same password each time."),
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 151}, "Ensure this value has at most 150 characters"),
    ],
    ids=[
        "malformed",
        "no-domain",
        "short",
        "common",
        "similar",
        "mismatch",
        "no-name",
        "long-name",
    ],
)
def test_signup_with_bad_input_explains_and_keeps_what_was_typed(client, overrides, message):
    data = signup_data(**overrides)

    response = client.post(SIGNUP, data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert message in text(response)
    if data["email"]:
        assert f'value="{data["email"]}"' in text(response)
    if data["name"] and len(data["name"]) <= 150:
        assert f'value="{data["name"]}"' in text(response)
    assert not User.objects.exists()


def test_signup_with_an_existing_email_reveals_nothing_and_warns_the_owner(client, mailoutbox):
    """Enumeration prevention: the page answers as for a new address; the owner gets an email."""
    UserFactory(email="taken@city.example", name="Owner")

    response = client.post(SIGNUP, signup_data(email="taken@city.example"))

    assert response.status_code == 302
    assert User.objects.filter(email="taken@city.example").count() == 1
    assert User.objects.get(email="taken@city.example").name == "Owner"
    assert [m.to for m in mailoutbox] == [["taken@city.example"]]
    assert "already exists" in mailoutbox[0].subject.lower()
    assert response["Location"] == reverse("account_email_verification_sent")


@pytest.mark.parametrize("key", ["wrongkey", "x" * 500, "MTIz:1tZ:abc"])
def test_a_wrong_email_confirmation_key_explains(client, key):
    response = client.get(f"/accounts/confirm-email/{key}/")

    assert response.status_code == 200
    assert "This email confirmation link expired or is invalid." in text(response)


def test_posting_a_wrong_email_confirmation_key_confirms_nothing(client):
    UserFactory(email="tina@city.example", verified_email=False)
    EmailAddress.objects.create(user=User.objects.get(), email="tina@city.example", verified=False)

    response = client.post("/accounts/confirm-email/wrongkey/")

    assert response.status_code in {200, 404}
    assert not EmailAddress.objects.get().verified


# --- sign-in -------------------------------------------------------------------------------------


def test_signing_in(client, password):
    UserFactory(email="lena@city.example")

    response = client.post(LOGIN, {"login": "lena@city.example", "password": password})

    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_a_wrong_password_explains_and_keeps_the_address(client):
    UserFactory(email="lena@city.example")

    response = client.post(LOGIN, {"login": "lena@city.example", "password": "not-it"})

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in text(response)
    assert 'value="lena@city.example"' in text(response)


def test_too_many_sign_in_attempts_lock_the_account_out(client, password):
    UserFactory(email="lena@city.example")
    for login in [
        "lena@city.example",
        "LENA@city.example",
        " Lena@City.Example",
        "lena@city.example",
    ]:
        response = client.post(LOGIN, {"login": login, "password": "wrong"})
        assert response.status_code == 200

    locked = client.post(LOGIN, {"login": "lena@city.example", "password": "wrong"})
    with_the_right_password = client.post(
        LOGIN, {"login": "lena@city.example", "password": password}
    )

    assert locked.status_code == 429
    assert "Too many sign-in attempts" in text(locked)
    assert with_the_right_password.status_code == 429
    assert "Too many sign-in attempts" in text(with_the_right_password)
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_a_lockout_is_for_that_address_from_that_place_only(client, password):
    UserFactory(email="lena@city.example")
    UserFactory(email="omar@city.example")
    for _ in range(5):
        client.post(LOGIN, {"login": "lena@city.example", "password": "wrong"})

    other_person = client.post(LOGIN, {"login": "omar@city.example", "password": password})
    other_place = client.post(
        LOGIN, {"login": "lena@city.example", "password": password}, REMOTE_ADDR="192.0.2.44"
    )

    assert other_person.status_code == 302
    assert other_place.status_code == 302


# --- profile -------------------------------------------------------------------------------------


def test_profile_edit_is_saved_and_audited(client, outsider):
    client.force_login(outsider)

    response = client.post(
        reverse("accounts:profile"),
        {
            "name": "Olga Climate",
            "job_title": "Energy planner",
            "languages": ["sv", "en"],
            "preferred_language": "en",
            "time_zone": "Europe/Stockholm",
        },
    )

    assert response["Location"] == reverse("accounts:profile")
    outsider.refresh_from_db()
    assert (outsider.name, outsider.job_title, outsider.languages, outsider.time_zone) == (
        "Olga Climate",
        "Energy planner",
        ["sv", "en"],
        "Europe/Stockholm",
    )
    log = AuditLog.objects.get(action="accounts.profile.updated")
    assert set(log.data["fields"]) == {"name", "job_title", "languages", "time_zone"}


def test_profile_with_bad_values_keeps_what_was_typed(client, outsider):
    client.force_login(outsider)

    response = client.post(
        reverse("accounts:profile"),
        {
            "name": "Olga Climate",
            "job_title": "Planner",
            "preferred_language": "en",
            "time_zone": "Mars/Olympus",
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice." in text(response)
    assert 'value="Olga Climate"' in text(response)
    outsider.refresh_from_db()
    assert outsider.name == "Olga Outsider"
    assert not AuditLog.objects.exists()


def test_profile_pages_ask_visitors_to_sign_in(client):
    for name in ["accounts:profile", "accounts:export", "accounts:delete", "accounts:api-tokens"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_pages_show_times_in_the_persons_time_zone(client, outsider):
    (notification,) = notify([outsider], kind="k", title="Hello")
    noon_utc = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)
    Notification.objects.filter(pk=notification.pk).update(created=noon_utc)
    User.objects.filter(pk=outsider.pk).update(time_zone="Asia/Tokyo")
    client.force_login(outsider)

    response = client.get(reverse("core:notifications"))

    assert "15 Jan 2025 21:00" in text(response)


# --- personal data -------------------------------------------------------------------------------


def test_personal_data_export_is_a_json_download_with_memberships(client):
    membership = MembershipFactory(city__name="Malmö")
    client.force_login(membership.user)

    response = client.get(reverse("accounts:export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="netzerohub-personal-data.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == membership.user.email
    assert [(m["city"], m["status"]) for m in data["memberships"]] == [("Malmö", "approved")]


# --- deleting the account ------------------------------------------------------------------------


def test_deleting_the_account_with_the_right_password(client, outsider, password):
    client.force_login(outsider)

    response = client.post(
        reverse("accounts:delete"), {"password": password, "confirm": "on"}, follow=True
    )

    assert not User.objects.filter(pk=outsider.pk).exists()
    assert "Your account has been deleted." in text(response)
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_a_wrong_password_keeps_the_account_and_the_form(client, outsider):
    client.force_login(outsider)

    response = client.post(
        reverse("accounts:delete"), {"password": "not-my-password", "confirm": "on"}
    )

    assert response.status_code == 200
    assert "This is not your current password." in text(response)
    assert "checked" in text(response)
    assert User.objects.filter(pk=outsider.pk).exists()


def test_deleting_needs_the_confirmation_ticked(client, outsider, password):
    client.force_login(outsider)

    response = client.post(reverse("accounts:delete"), {"password": password})

    assert response.status_code == 200
    assert "This field is required." in text(response)
    assert User.objects.filter(pk=outsider.pk).exists()


# --- API tokens ----------------------------------------------------------------------------------


def test_creating_a_token_shows_its_secret_once(client, outsider):
    client.force_login(outsider)

    created = client.post(reverse("accounts:api-tokens"), {"name": "reporting script"})

    secret = created.context["secret"]
    assert secret.startswith("nzh_")
    assert secret in text(created)
    token = ApiToken.objects.get(user=outsider)
    assert token.name == "reporting script"
    later = client.get(reverse("accounts:api-tokens"))
    assert secret not in text(later)
    assert "reporting script" in text(later)
    script = Client()  # no session: the token alone
    assert script.get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_a_token_needs_a_name(client, outsider):
    client.force_login(outsider)

    response = client.post(reverse("accounts:api-tokens"), {"name": ""})

    assert response.context["secret"] is None
    assert "This field is required." in text(response)
    assert not ApiToken.objects.exists()


def test_revoking_a_token(client, outsider):
    token, secret = create_api_token(outsider, name="old", actor=outsider)
    client.force_login(outsider)

    response = client.post(reverse("accounts:api-token-revoke", args=[token.pk]), follow=True)

    assert "The token is revoked." in text(response)
    token.refresh_from_db()
    assert token.revoked_at is not None
    script = Client()  # no session: the token alone
    assert script.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_nobody_revokes_another_persons_token(client, outsider):
    token, _secret = create_api_token(UserFactory(), name="theirs", actor=outsider)
    client.force_login(outsider)

    response = client.post(reverse("accounts:api-token-revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_is_posted_not_fetched(client, outsider):
    token, _secret = create_api_token(outsider, name="old", actor=outsider)
    client.force_login(outsider)

    assert client.get(reverse("accounts:api-token-revoke", args=[token.pk])).status_code == 405

"""Writes about people: profile, API tokens, personal data export and account deletion."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from netzerohub.accounts import services
from netzerohub.accounts.models import ApiToken, User
from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.models import Membership
from netzerohub.cities.tests.factories import LeadFactory, MembershipFactory
from netzerohub.core.models import AuditLog
from netzerohub.core.notifications import notify

pytestmark = pytest.mark.django_db


# --- profile -------------------------------------------------------------------------------------


def test_profile_update_audits_the_changed_field_names_only():
    person = UserFactory(name="Ana", job_title="")

    services.update_profile(
        person, actor=person, name="Ana Lima", job_title="", time_zone="Europe/Lisbon"
    )

    person.refresh_from_db()
    assert (person.name, person.time_zone) == ("Ana Lima", "Europe/Lisbon")
    log = AuditLog.objects.get(action="accounts.profile.updated")
    assert log.actor == person
    assert log.data == {"fields": ["name", "time_zone"]}


def test_profile_update_without_change_writes_no_log():
    person = UserFactory(name="Ana")

    services.update_profile(person, actor=person, name="Ana")

    assert not AuditLog.objects.exists()


@pytest.mark.parametrize("field", ["email", "is_staff", "is_superuser", "password"])
def test_profile_update_refuses_what_is_not_the_profile(field):
    person = UserFactory()

    with pytest.raises(ValueError, match=field):
        services.update_profile(person, actor=person, **{field: True})
    person.refresh_from_db()
    assert not person.is_staff


# --- API tokens ----------------------------------------------------------------------------------


def test_a_new_token_stores_only_a_digest_of_its_secret():
    person = UserFactory()

    token, secret = services.create_api_token(person, name="reporting", actor=person)

    assert secret.startswith("nzh_")
    assert len(secret) > 40
    token.refresh_from_db()
    assert secret not in (token.digest, token.hint, token.name)
    assert token.digest == ApiToken.digest_of(secret)
    assert secret.startswith(token.hint)
    assert AuditLog.objects.get(action="accounts.api_token.created").data == {"name": "reporting"}
    assert secret not in json.dumps(list(AuditLog.objects.values("data")))


def test_two_tokens_have_different_secrets():
    person = UserFactory()

    _first, one = services.create_api_token(person, name="a", actor=person)
    _second, two = services.create_api_token(person, name="b", actor=person)

    assert one != two


def test_a_token_finds_its_active_person():
    person = UserFactory()
    _token, secret = services.create_api_token(person, name="a", actor=person)

    assert services.user_for_api_token(secret) == person
    assert services.user_for_api_token(secret + "x") is None
    assert services.user_for_api_token("") is None


def test_a_revoked_token_finds_nobody_and_revoking_twice_logs_once():
    person = UserFactory()
    token, secret = services.create_api_token(person, name="a", actor=person)

    services.revoke_api_token(token, actor=person)
    services.revoke_api_token(token, actor=person)

    assert services.user_for_api_token(secret) is None
    assert AuditLog.objects.filter(action="accounts.api_token.revoked").count() == 1


def test_a_token_of_a_deactivated_person_finds_nobody():
    person = UserFactory()
    _token, secret = services.create_api_token(person, name="a", actor=person)
    User.objects.filter(pk=person.pk).update(is_active=False)

    assert services.user_for_api_token(secret) is None


def test_token_use_is_recorded_at_most_once_a_minute(django_assert_num_queries):
    person = UserFactory()
    token, secret = services.create_api_token(person, name="a", actor=person)

    with django_assert_num_queries(2):  # find, record the use
        services.user_for_api_token(secret)
    token.refresh_from_db()
    first_use = token.last_used
    assert first_use is not None
    with django_assert_num_queries(1):  # find only
        services.user_for_api_token(secret)

    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now() - dt.timedelta(minutes=2))
    services.user_for_api_token(secret)
    token.refresh_from_db()
    assert token.last_used > first_use


# --- personal data -------------------------------------------------------------------------------


def test_personal_data_export_holds_account_memberships_and_activity():
    membership = MembershipFactory(city__name="Malmö", user__name="Pia", is_mentor=True)
    person = membership.user
    services.create_api_token(person, name="reporting", actor=person)
    notify([person], kind="k", title="Welcome")

    data = services.export_personal_data(person, actor=person)

    json.dumps(data)  # one JSON document
    assert data["account"]["email"] == person.email
    assert data["account"]["name"] == "Pia"
    assert data["account"]["api_tokens"] == [
        {
            "name": "reporting",
            "created": data["account"]["api_tokens"][0]["created"],
            "revoked": False,
        }
    ]
    assert data["memberships"] == [
        {
            "city": "Malmö",
            "country": membership.city.country.code,
            "role": "member",
            "status": "approved",
            "mentor": True,
            "requested": membership.created.isoformat(),
            "message": "",
        }
    ]
    assert [n["title"] for n in data["activity"]["notifications"]] == ["Welcome"]
    assert "accounts.api_token.created" in [a["action"] for a in data["activity"]["actions"]]
    assert AuditLog.objects.filter(action="accounts.personal_data.exported").exists()


def test_personal_data_export_holds_nothing_of_other_people():
    person = UserFactory()
    MembershipFactory(user__name="Somebody Else")

    data = services.export_personal_data(person, actor=person)

    assert data["memberships"] == []
    assert "Somebody Else" not in json.dumps(data)


# --- deleting an account -------------------------------------------------------------------------


def test_deleting_an_account_removes_the_person_and_keeps_an_anonymous_history():
    lead = LeadFactory()
    person = lead.user
    services.update_profile(person, actor=person, job_title="Energy officer")
    person_id = person.pk

    services.delete_account(person, actor=person)

    assert not User.objects.filter(pk=person_id).exists()
    assert not Membership.objects.filter(user_id=person_id).exists()
    deleted = AuditLog.objects.get(action="accounts.user.deleted")
    assert deleted.actor is None
    assert deleted.data == {"user_id": person_id}
    assert AuditLog.objects.get(action="accounts.profile.updated").actor is None


@pytest.mark.django_db
def test_password_similar_to_the_persons_name_is_refused():
    user = UserFactory(name="Wilhelmina Vandersteen")
    with pytest.raises(ValidationError):
        validate_password("wilhelminavandersteen", user)

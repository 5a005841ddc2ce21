"""Factories for people. Every person gets a verified primary email address, as after sign-up."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from allauth.mfa.utils import encrypt

from netzerohub.accounts.models import User

# The same value as the `password` fixture in the root conftest.
PASSWORD = "a-long-test-password-2050"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@city.example")
    name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class CoordinatorFactory(UserFactory):
    """Programme staff who run the programme (`is_staff`)."""

    name = factory.Sequence(lambda n: f"Coordinator {n}")
    is_staff = True


class HelpdeskExpertFactory(UserFactory):
    name = factory.Sequence(lambda n: f"Expert {n}")
    is_helpdesk_expert = True


def add_totp(user: User) -> Authenticator:
    """Give `user` an authenticator app, as staff must have before they use the portal."""
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(generate_totp_secret())}
    )

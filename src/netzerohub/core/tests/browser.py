"""Helpers for the Playwright tests: minimal data, signing in, and page checks.

Not a test module (no `test_` prefix): imported by the browser tests of several apps.
"""

from __future__ import annotations

import re
import time
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from netzerohub.accounts.models import User
from netzerohub.cities.models import City, Country, Membership
from netzerohub.cities.services import index_city_names

PASSWORD = "a-long-test-password-2050"


def sweden() -> Country:
    country, _created = Country.objects.get_or_create(
        code="SE", defaults={"name": "Sweden", "is_eu_member": True}
    )
    return country


def switzerland() -> Country:
    country, _created = Country.objects.get_or_create(
        code="CH",
        defaults={"name": "Switzerland", "is_associated": True, "association_year": 2025},
    )
    return country


def malmo() -> City:
    """Malmö, searchable by its folded and alternate names."""
    city = City.objects.create(
        name="Malmö",
        country=sweden(),
        population=347949,
        alternate_names=["Malmo", "Malmoe", "Malmø"],
        status=City.Status.MISSION,
    )
    index_city_names([city])
    return city


def person(email: str, *, name: str = "", password: str = PASSWORD, **extra: Any) -> User:
    """A person who can sign in: a verified, primary email address."""
    user = User.objects.create_user(email=email, password=password, name=name, **extra)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def member_of(
    city: City, user: User, *, role: str = Membership.Role.MEMBER, status: str = "approved"
) -> Membership:
    return Membership.objects.create(user=user, city=city, role=role, status=status)


def sign_in(context: Any, live_server: Any, user: User) -> None:
    """Give a Playwright browser context the session of `user` (no login form round trip)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def collect_console_errors(page: Any) -> list[str]:
    """Console errors of `page` (CSP violations, failed scripts) appended as they happen."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def wait_for_htmx(page: Any) -> None:
    """htmx is loaded (a deferred static script: proves static files are served) and has wired
    the page. `window.htmx` exists as soon as the script has run, but htmx binds the page's
    hx- attributes on DOMContentLoaded, a moment later: a change made in between sends nothing.
    The document is "complete" only after every DOMContentLoaded listener has run."""
    page.wait_for_function(
        "() => typeof window.htmx !== 'undefined' && document.readyState === 'complete'"
    )


def totp_code(user: Any) -> str:
    """The code the person's authenticator app shows now."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in_with_password_and_code(page: Any, base: str, user: Any) -> None:
    """The sign-in form, then the authenticator code that staff are asked for."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.get_by_label(re.compile("code", re.IGNORECASE)).fill(totp_code(user))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

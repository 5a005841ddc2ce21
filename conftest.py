"""Shared test fixtures: one fixture per role, and Playwright on Debian's Chromium."""

from __future__ import annotations

import importlib
import os
import shutil
import threading

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from netzerohub.accounts.tests.factories import (
    CoordinatorFactory,
    HelpdeskExpertFactory,
    UserFactory,
    add_totp,
)
from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, LeadFactory, MembershipFactory
from netzerohub.core.models import Term

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

# live_server runs Django in a thread beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    for item in browser_items:
        # Tags the test in the JUnit XML report, so that CI can count the browser tests that ran.
        item.user_properties.append(("browser", "chromium"))
    if not browser_items or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI_REQUIRE_BROWSER") == "1":
        # CI must run the browser tests, never skip them quietly.
        raise pytest.UsageError(
            f"CI_REQUIRE_BROWSER=1 but Chromium is not found at {CHROMIUM}: "
            "install it (`apt-get install chromium`) or set CHROMIUM_PATH."
        )
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM}: browser tests skipped "
        "(install it with `apt-get install chromium`; CI does)."
    )
    for item in browser_items:
        item.add_marker(skip)


class _OneRequestAtATimeOnSharedSQLite(ThreadedWSGIServer):
    """On SQLite the test database lives in memory, and the live server hands every request
    thread the test's one connection. Two requests at once (two browser pages answering at the
    same moment) would then open a transaction inside the other's: "cannot start a transaction
    within a transaction". With a shared connection, requests take turns; the connection is not
    shared on PostgreSQL or on a file database, and those keep serving requests in parallel."""

    _turn = threading.Lock()

    def set_app(self, application):
        if not self.connections_override:
            return super().set_app(application)

        def one_at_a_time(environ, start_response):
            with self._turn:
                response = application(environ, start_response)
                try:
                    body = b"".join(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()
            return [body]

        return super().set_app(one_at_a_time)


@pytest.fixture(scope="session", autouse=True)
def _live_server_takes_turns_on_shared_sqlite():
    original = LiveServerThread.server_class
    LiveServerThread.server_class = _OneRequestAtATimeOnSharedSQLite
    yield
    LiveServerThread.server_class = original


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def _close_db_connections_before_playwright():
    from django.db import connections

    connections.close_all()


@pytest.fixture(scope="session")
def playwright(_close_db_connections_before_playwright, playwright):
    """While Playwright runs, Django's per-context connection handles point at other connections
    than before it started (Playwright runs an asyncio loop). A connection left open on either
    side outlives the tests and PostgreSQL refuses to drop the test database; close both."""
    from django.db import connections

    yield playwright
    connections.close_all()


@pytest.fixture(scope="session")
def base_url() -> None:
    """Replaces pytest-playwright's fallback fixture, an instance method that pytest 9 warns
    about (and warnings are errors here). Tests build URLs from `live_server.url`."""
    return None


@pytest.fixture
def password() -> str:
    return "a-long-test-password-2050"


@pytest.fixture(autouse=True)
def _taxonomy(request):
    """The fields, levers and steps come from a data migration, and a test on a transactional
    database (the browser tests) flushes them for the tests that follow it in the same process:
    load them again when they are gone, for every test that uses the database."""
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "db" not in names and "transactional_db" not in names:
        return
    transactional = "transactional_db" in names or "live_server" in names
    if marker is not None and marker.kwargs.get("transaction"):
        transactional = True
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not Term.objects.exists():
        migration = importlib.import_module("netzerohub.core.migrations.0002_taxonomy_terms")
        migration.load_terms(apps, None)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached counts and sessions must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


# --- one fixture per role ------------------------------------------------------------------------
# `city` is a Mission City in an EU member state; its people are the member, lead and mentor.
# `other_city` has a lead of its own. Staff (coordinator, helpdesk expert) have an authenticator
# app, as the staff MFA requirement demands; `coordinator_without_mfa` does not.


@pytest.fixture
def city(db):
    return CityFactory(status=City.Status.MISSION)


@pytest.fixture
def other_city(db):
    return CityFactory(status=City.Status.PARTICIPATING)


@pytest.fixture
def visitor():
    return AnonymousUser()


@pytest.fixture
def outsider(db):
    return UserFactory(name="Olga Outsider")


@pytest.fixture
def member(city):
    return MembershipFactory(city=city, user__name="Mia Member").user


@pytest.fixture
def lead(city):
    return LeadFactory(city=city, user__name="Lea Lead").user


@pytest.fixture
def other_lead(other_city):
    return LeadFactory(city=other_city, user__name="Otto Otherlead").user


@pytest.fixture
def mentor(city):
    return MembershipFactory(city=city, is_mentor=True, user__name="Max Mentor").user


@pytest.fixture
def helpdesk_expert(db):
    user = HelpdeskExpertFactory(name="Hana Helpdesk")
    add_totp(user)
    return user


@pytest.fixture
def coordinator(db):
    user = CoordinatorFactory(name="Cora Coordinator")
    add_totp(user)
    return user


@pytest.fixture
def superuser(db):
    """A coordinator who may change everything in the Django admin."""
    user = CoordinatorFactory(is_superuser=True, name="Sue Superuser")
    add_totp(user)
    return user


@pytest.fixture
def coordinator_without_mfa(db):
    return CoordinatorFactory(name="Nico Nomfa")

"""Shared test fixtures: one fixture per role, and Playwright on Debian's Chromium."""

from __future__ import annotations

import os
import shutil

import pytest

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
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI_REQUIRE_BROWSER") == "1" and any("browser" in i.keywords for i in items):
        # CI must run the browser tests, never skip them quietly.
        raise pytest.UsageError(
            f"CI_REQUIRE_BROWSER=1 but Chromium is not found at {CHROMIUM}: "
            "install it (`apt-get install chromium`) or set CHROMIUM_PATH."
        )
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM}: browser tests skipped "
        "(install it with `apt-get install chromium`; CI does)."
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def base_url() -> None:
    """Replaces pytest-playwright's fallback fixture, an instance method that pytest 9 warns
    about (and warnings are errors here). Tests build URLs from `live_server.url`."""
    return None


@pytest.fixture
def password() -> str:
    return "a-long-test-password-2050"

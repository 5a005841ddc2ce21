"""Fixtures of the knowledge tests: roles beyond the root conftest's and an emptied file storage."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from netzerohub.cities.tests.factories import MembershipFactory
from netzerohub.knowledge.tests.factories import stored_files


@pytest.fixture
def contributor(city):
    """A member of `city` who shares resources for it (`member` is a colleague of theirs)."""
    return MembershipFactory(city=city, user__name="Carl Contributor").user


@pytest.fixture
def other_member(other_city):
    return MembershipFactory(city=other_city, user__name="Omar Othermember").user


@pytest.fixture
def other_mentor(other_city):
    return MembershipFactory(city=other_city, is_mentor=True, user__name="Oona Othermentor").user


@pytest.fixture
def user_for(request):
    """The user of a role fixture, by its name."""

    def get(role: str):
        return request.getfixturevalue(role)

    return get


@pytest.fixture(autouse=True)
def _empty_storage():
    """Attachments are kept in an in-memory storage that lives as long as the test process:
    empty it after each test, so that a file never shows up in the next one."""
    yield
    for name in stored_files("knowledge"):
        default_storage.delete(name)

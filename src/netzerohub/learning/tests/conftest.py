"""Fixtures of the learning tests: a course with a quiz and a member enrolled in it."""

from __future__ import annotations

import pytest

from netzerohub.learning import services
from netzerohub.learning.tests.factories import course_with_lessons


@pytest.fixture
def course(db):
    """Published: one module of three lessons, the second with a two-question quiz."""
    return course_with_lessons(title="Baseline emission inventory", quiz_on=(1,))


@pytest.fixture
def enrolled(course, member):
    services.enrol_in_course(course, user=member)
    return member

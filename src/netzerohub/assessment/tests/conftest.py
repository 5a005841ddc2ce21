"""Fixtures of the self-assessment tests: the default questionnaire, published."""

from __future__ import annotations

import pytest

from netzerohub.assessment.tests.factories import default_questionnaire


@pytest.fixture
def questionnaire(db):
    return default_questionnaire()

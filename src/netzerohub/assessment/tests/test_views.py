"""Pages of the self-assessment for the city: answering, submitting, the result."""

from __future__ import annotations

import pytest
from django.urls import reverse

from netzerohub.assessment import services
from netzerohub.assessment.tests.factories import submitted

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def assessment(questionnaire, city, member):
    return services.start_assessment(city, actor=member)


def test_smoke_every_page(client, assessment, city, member, lead, coordinator):
    client.force_login(member)
    for url in [
        reverse("assessment:landing"),
        reverse("assessment:questionnaire"),
        reverse("assessment:city", args=[city.pk]),
        reverse("assessment:overview", args=[assessment.pk]),
        reverse("assessment:dimension", args=[assessment.pk, "mandate"]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    done = submitted(city, lead)
    for url in [
        reverse("assessment:result", args=[done.pk]),
        reverse("assessment:result-pdf", args=[done.pk]),
        reverse("assessment:city", args=[city.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    client.force_login(coordinator)
    for url in [
        reverse("assessment:manage"),
        reverse("assessment:version", args=[done.questionnaire_id]),
        reverse("assessment:distribution"),
        reverse("assessment:weights"),
        reverse("assessment:distribution-export", args=["csv"]),
        reverse("assessment:distribution-export", args=["xlsx"]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_smoke_api(client, assessment, city, member, lead):
    client.force_login(member)
    assert client.get("/api/v1/assessment/questionnaire").status_code == 200
    assert client.get(f"/api/v1/cities/{city.pk}/assessments").status_code == 200
    assert client.get(f"/api/v1/assessments/{assessment.pk}").status_code == 200
    done = submitted(city, lead)
    assert client.get(f"/api/v1/assessments/{done.pk}").status_code == 200
    response = client.get(f"/api/v1/assessments/{done.pk}/recommendations")
    assert response.status_code == 200, response.content

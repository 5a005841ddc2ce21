"""The surveys' admin: every list and record opens, and nothing is added, changed or deleted
there (surveys are built in the builder, through the services)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from netzerohub.surveys import services
from netzerohub.surveys.models import Question, Survey

from .factories import sample_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(city, member):
    survey = sample_survey()
    response = services.start_response(survey, actor=member, city=city)
    staff = Question.objects.get(survey=survey, key="staff")
    services.save_answer(response, staff, {"value": "12"}, actor=member)
    return survey


@pytest.mark.parametrize("name", ["survey", "question", "response"])
def test_every_list_and_record_opens_read_only(client, superuser, survey, name):
    client.force_login(superuser)
    response = client.get(reverse(f"admin:surveys_{name}_changelist"))
    assert response.status_code == 200
    first = response.context["cl"].result_list[0]
    url = reverse(f"admin:surveys_{name}_change", args=[first.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse(f"admin:surveys_{name}_add")).status_code == 403
    assert client.post(reverse(f"admin:surveys_{name}_delete", args=[first.pk])).status_code == 403


def test_the_survey_list_links_to_the_builder(client, superuser, survey):
    client.force_login(superuser)
    page = client.get(reverse("admin:surveys_survey_changelist")).content.decode()
    assert reverse("surveys:survey-edit", args=[survey.slug]) in page
    client.post(reverse("admin:surveys_survey_change", args=[survey.pk]), {"title": "Changed here"})
    assert Survey.objects.get(pk=survey.pk).title == survey.title

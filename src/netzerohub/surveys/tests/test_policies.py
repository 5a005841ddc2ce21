"""Who may answer, submit and read a response; who is in a survey's audience."""

from __future__ import annotations

import pytest
from django.http import Http404

from netzerohub.cities.models import City
from netzerohub.surveys import policies, services
from netzerohub.surveys.models import Survey

from .factories import sample_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def response(city, member):
    return services.start_response(sample_survey(), actor=member, city=city)


def test_a_city_response_is_answered_by_its_members_and_submitted_by_its_leads(
    response, member, lead, other_lead, coordinator
):
    policy = policies.response_policy
    assert policy.can(member, "answer", response) and not policy.can(member, "submit", response)
    assert policy.can(lead, "answer", response) and policy.can(lead, "submit", response)
    assert not policy.can(other_lead, "view", response)
    assert policy.can(coordinator, "view", response)
    assert not policy.can(coordinator, "answer", response)


def test_another_citys_response_is_the_same_404_as_a_missing_one(response, other_lead):
    with pytest.raises(Http404):
        policies.get_response_for_user(other_lead, response.pk)
    with pytest.raises(Http404):
        policies.get_response_for_user(other_lead, response.pk + 1000)


def test_a_persons_response_is_theirs_alone(member, lead):
    survey = sample_survey(respondent=Survey.Respondent.PERSON)
    mine = services.start_response(survey, actor=member)
    policy = policies.response_policy
    assert policy.can(member, "submit", mine)
    assert not policy.can(lead, "view", mine)


def test_the_audience_decides_which_cities_answer(city, other_city, member, outsider):
    everyone_registered = sample_survey()
    assert policies.answering_cities(everyone_registered, member) == [city]
    pilots_only = sample_survey(
        audience=Survey.Audience.STATUSES, city_statuses=[City.Status.PILOT]
    )
    assert policies.answering_cities(pilots_only, member) == []
    City.objects.filter(pk=city.pk).update(status=City.Status.DIRECTORY)
    member = type(member).objects.get(pk=member.pk)  # a new request
    assert policies.answering_cities(everyone_registered, member) == []
    assert policies.answering_cities(everyone_registered, outsider) == []
    per_person = sample_survey(
        audience=Survey.Audience.EVERYONE, respondent=Survey.Respondent.PERSON
    )
    assert policies.may_answer_as_person(per_person, outsider)


def test_drafts_are_the_coordinators(member, coordinator):
    draft = sample_survey(status=Survey.Status.DRAFT)
    with pytest.raises(Http404):
        policies.get_survey_for_user(member, draft.slug)
    assert policies.get_survey_for_user(coordinator, draft.slug) == draft

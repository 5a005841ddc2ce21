"""Service rules that the pages rely on: what is final once pairs are published or a plan is
submitted, and who may review in a call taken back to draft."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.tests.factories import LeadFactory
from netzerohub.exchanges import services
from netzerohub.exchanges.models import Call, PairRule
from netzerohub.exchanges.policies import application_policy

from .factories import ApplicationFactory, CallFactory, OfferFactory, PairFactory

pytestmark = pytest.mark.django_db


def test_pair_rules_are_refused_once_the_pairs_are_published():
    call = CallFactory(matches_published_at=timezone.now())
    application = ApplicationFactory(call=call, status="accepted")
    offer = OfferFactory(call=call)
    with pytest.raises(services.ExchangeError, match="published"):
        services.set_pair_rule(call, application, offer, "lock", actor=None)
    assert not PairRule.objects.exists()


def test_a_plan_submitted_as_final_is_kept_as_it_is():
    pair = PairFactory()
    services.save_replication_plan(pair, "Our plan", actor=None, submit=True)
    with pytest.raises(services.ExchangeError, match="submitted as final"):
        services.save_replication_plan(pair, "Changed", actor=None)
    pair.refresh_from_db()
    assert pair.replication_plan == "Our plan"


def test_no_review_in_a_call_taken_back_to_draft():
    reviewer = UserFactory()
    call = CallFactory()
    call.reviewers.add(reviewer)
    application = ApplicationFactory(call=call)
    assert application_policy.can(reviewer, "review", application)
    Call.objects.filter(pk=call.pk).update(status=Call.Status.DRAFT)
    application.call.refresh_from_db()
    assert not application_policy.can(reviewer, "review", application)


def test_my_city_shows_the_citys_applications_and_partners(client):
    pair = PairFactory()
    twin = pair.application.city
    other = ApplicationFactory(city=twin, status="draft")
    lead = LeadFactory(city=twin).user
    client.force_login(lead)
    html = client.get(reverse("cities:my-city", args=[twin.pk])).content.decode()
    assert pair.offer.city.name in html and pair.get_absolute_url() in html
    assert other.call.title in html

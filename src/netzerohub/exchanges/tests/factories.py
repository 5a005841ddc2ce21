"""Factories for calls, their rules, questions and criteria, applications, offers and pairs."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory
from netzerohub.exchanges.models import (
    Application,
    Call,
    EligibilityRule,
    HostOffer,
    Pair,
    Question,
    ReviewCriterion,
)


class CallFactory(factory.django.DjangoModelFactory):
    """A published twinning call, open from yesterday for 30 days."""

    class Meta:
        model = Call
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"call-{n}")
    title = factory.Sequence(lambda n: f"Twinning call {n}")
    kind = Call.Kind.TWINNING_PROGRAMME
    summary = "Twin cities learn from Mission and Pilot Cities."
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyAttribute(lambda o: o.opens_at + dt.timedelta(days=30))
    status = Call.Status.PUBLISHED


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityRule

    call = factory.SubFactory(CallFactory)
    kind = EligibilityRule.Kind.COUNTRY_ELIGIBLE


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    call = factory.SubFactory(CallFactory)
    kind = Question.Kind.MOTIVATION
    label = factory.Sequence(lambda n: f"Question {n}")
    required = True
    position = factory.Sequence(lambda n: n)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewCriterion

    call = factory.SubFactory(CallFactory)
    title = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1
    position = factory.Sequence(lambda n: n)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application of a participating city."""

    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    city = factory.SubFactory(CityFactory, status=City.Status.PARTICIPATING)
    status = Application.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    languages = factory.LazyFunction(lambda: ["en"])


class OfferFactory(factory.django.DjangoModelFactory):
    """A Pilot City's offer of two places."""

    class Meta:
        model = HostOffer

    call = factory.SubFactory(CallFactory)
    city = factory.SubFactory(CityFactory, status=City.Status.PILOT)
    capacity = 2
    languages = factory.LazyFunction(lambda: ["en"])


class PairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pair

    call = factory.SubFactory(CallFactory)
    application = factory.SubFactory(
        ApplicationFactory, call=factory.SelfAttribute("..call"), status="accepted"
    )
    offer = factory.SubFactory(OfferFactory, call=factory.SelfAttribute("..call"))
    score = 50.0
    status = Pair.Status.PUBLISHED

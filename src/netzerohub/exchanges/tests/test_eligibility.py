"""Each eligibility rule on its own, then combined: met, failed (with why and how to fix) or,
for what the application declares, still to declare."""

from __future__ import annotations

import pytest
from django.urls import reverse

from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import (
    CityFactory,
    IneligibleCountryFactory,
    PillarTwoCountryFactory,
)
from netzerohub.community.tests.factories import GroupFactory
from netzerohub.events.models import Registration
from netzerohub.events.tests.factories import MeetingFactory, RegistrationFactory
from netzerohub.exchanges import eligibility
from netzerohub.exchanges.eligibility import FAILED, MET, TO_DECLARE
from netzerohub.exchanges.models import Application, EligibilityRule

from .factories import ApplicationFactory, CallFactory, RuleFactory

pytestmark = pytest.mark.django_db
Kind = EligibilityRule.Kind


def outcome(rule, city, application=None):
    [check] = eligibility.check([rule], city, application)
    return check


def test_country_rule():
    rule = RuleFactory(kind=Kind.COUNTRY_ELIGIBLE)
    assert outcome(rule, CityFactory()).outcome == MET
    refused = outcome(rule, CityFactory(country=IneligibleCountryFactory()))
    assert refused.outcome == FAILED and "neither an EU member state" in refused.why
    pillar_two = outcome(rule, CityFactory(country=PillarTwoCountryFactory()))
    assert pillar_two.outcome == FAILED and "Pillar II only" in pillar_two.why


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (City.Status.PARTICIPATING, MET),
        (City.Status.DIRECTORY, MET),
        (City.Status.MISSION, FAILED),
        (City.Status.PILOT, FAILED),
        (City.Status.TWIN, FAILED),
    ],
)
def test_not_already_mission_pilot_or_twin(status, expected):
    rule = RuleFactory(kind=Kind.NOT_PARTICIPATING)
    assert outcome(rule, CityFactory(status=status)).outcome == expected


def test_target_year_rule_names_the_fix_on_the_profile():
    rule = RuleFactory(kind=Kind.TARGET_YEAR, year=2050)
    unset = CityFactory(target_year=None)
    check = outcome(rule, unset)
    assert check.outcome == FAILED
    assert check.fix == "Set your target year on the city profile."
    assert check.fix_url == reverse("cities:edit-profile", args=[unset.pk])
    assert outcome(rule, CityFactory(target_year=2050)).outcome == MET
    assert outcome(rule, CityFactory(target_year=2040)).outcome == MET
    late = outcome(rule, CityFactory(target_year=2055))
    assert late.outcome == FAILED and "2055" in late.why
    assert "2050 or earlier" in late.says


def test_pledge_rule():
    rule = RuleFactory(kind=Kind.PLEDGE)
    assert outcome(rule, CityFactory(com_signatory=True)).outcome == MET
    assert outcome(rule, CityFactory(com_signatory=False)).outcome == FAILED


@pytest.mark.parametrize(
    ("minimum", "maximum", "population", "expected"),
    [
        (50_000, None, 50_000, MET),
        (50_000, None, 49_999, FAILED),
        (None, 500_000, 500_000, MET),
        (None, 500_000, 500_001, FAILED),
        (50_000, 500_000, 120_000, MET),
        (50_000, 500_000, None, FAILED),
    ],
)
def test_population_rule(minimum, maximum, population, expected):
    rule = RuleFactory(kind=Kind.POPULATION, minimum=minimum, maximum=maximum)
    assert outcome(rule, CityFactory(population=population)).outcome == expected


def test_meetings_rule_counts_meetings_attended_by_the_citys_people():
    group = GroupFactory()
    rule = RuleFactory(kind=Kind.MEETINGS, group=group, minimum=2)
    city = CityFactory()
    first, second, elsewhere = (
        MeetingFactory(group=group),
        MeetingFactory(group=group),
        (MeetingFactory()),
    )
    RegistrationFactory(event=first, city=city, attended=True)
    RegistrationFactory(event=first, city=city, attended=True)  # the same meeting twice
    RegistrationFactory(event=second, city=city, attended=False)
    RegistrationFactory(event=elsewhere, city=city, attended=True)  # another group
    check = outcome(rule, city)
    assert check.outcome == FAILED and "attended 1" in check.why
    assert check.fix_url == group.get_absolute_url()
    Registration.objects.filter(event=second).update(attended=True)
    assert outcome(rule, city).outcome == MET


def test_hours_are_declared_in_the_application():
    rule = RuleFactory(kind=Kind.HOURS, minimum=12)
    city = CityFactory()
    assert outcome(rule, city).outcome == TO_DECLARE
    application = ApplicationFactory(call=rule.call, city=city, hours_per_month=None)
    assert outcome(rule, city, application).outcome == TO_DECLARE
    application.hours_per_month = 8
    assert outcome(rule, city, application).outcome == FAILED
    application.hours_per_month = 12
    assert outcome(rule, city, application).outcome == MET


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        ([], TO_DECLARE),
        ([{"name": "A", "english": "B2"}], MET),
        ([{"name": "A", "english": "C1"}, {"name": "B", "english": "b2"}], MET),
        ([{"name": "A", "english": "B1"}], FAILED),
        ([{"name": n, "english": "C2"} for n in "ABC"], FAILED),
    ],
)
def test_representatives_with_b2_english(people, expected):
    rule = RuleFactory(kind=Kind.REPRESENTATIVES)
    application = ApplicationFactory(call=rule.call, representatives=people)
    assert outcome(rule, application.city, application).outcome == expected


def test_rules_combined():
    call = CallFactory()
    for kind, extra in (
        (Kind.COUNTRY_ELIGIBLE, {}),
        (Kind.NOT_PARTICIPATING, {}),
        (Kind.TARGET_YEAR, {"year": 2050}),
        (Kind.HOURS, {"minimum": 12}),
    ):
        RuleFactory(call=call, kind=kind, **extra)
    rules = eligibility.rules_of(call)
    good = CityFactory(status=City.Status.PARTICIPATING, target_year=2045)
    checks = eligibility.check(rules, good)
    assert [c.outcome for c in checks] == [MET, MET, MET, TO_DECLARE]
    assert eligibility.is_eligible(checks)
    bad = CityFactory(status=City.Status.MISSION, target_year=None)
    checks = eligibility.check(rules, bad)
    assert not eligibility.is_eligible(checks)
    assert [c.rule.kind for c in eligibility.failures(checks)] == [
        Kind.NOT_PARTICIPATING,
        Kind.TARGET_YEAR,
    ]
    application = Application(call=call, city=good, hours_per_month=20)
    assert all(c.outcome == MET for c in eligibility.check(rules, good, application))

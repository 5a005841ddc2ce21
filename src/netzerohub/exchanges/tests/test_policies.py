"""Who may do what in city-to-city exchanges, as tables of roles × actions: calls (per status),
applications (per status), host offers and pairs (proposed and published).

The applicant city is a participating city with a member and a lead; the host is the Mission
City of the root fixtures (`lead` and `mentor` are its people); `reviewer` is invited to the
call and belongs to no city, `city_reviewer` is invited too but is a member of the applicant
city; `other_lead` leads a third city; `coordinator` runs the programme."""

from __future__ import annotations

import pytest
from django.http import Http404

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, LeadFactory, MembershipFactory
from netzerohub.exchanges.models import Call, Pair
from netzerohub.exchanges.policies import (
    application_policy,
    call_policy,
    can_apply_for,
    can_host_for,
    get_application_for_user,
    get_call_for_user,
    get_offer_for_user,
    get_pair_for_user,
    offer_policy,
    pair_policy,
)

from .factories import ApplicationFactory, CallFactory, OfferFactory, PairFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "visitor",
    "outsider",
    "applicant_member",
    "applicant_lead",
    "host_lead",
    "host_mentor",
    "other_lead",
    "reviewer",
    "city_reviewer",
    "coordinator",
]
EVERYONE = set(ROLES)
APPLICANT = {"applicant_member", "applicant_lead", "city_reviewer"}  # its approved members
HOST = {"host_lead", "host_mentor"}


@pytest.fixture
def call(db):
    return CallFactory()


@pytest.fixture
def applicant_city(db):
    return CityFactory(status=City.Status.PARTICIPATING)


@pytest.fixture
def people(call, applicant_city, lead, mentor, other_lead, outsider, visitor, coordinator):
    found = {
        "visitor": visitor,
        "outsider": outsider,
        "applicant_member": MembershipFactory(city=applicant_city).user,
        "applicant_lead": LeadFactory(city=applicant_city).user,
        "host_lead": lead,
        "host_mentor": mentor,
        "other_lead": other_lead,
        "reviewer": UserFactory(name="Rita Reviewer"),
        "city_reviewer": MembershipFactory(city=applicant_city).user,
        "coordinator": coordinator,
    }
    call.reviewers.add(found["reviewer"], found["city_reviewer"])
    return found


def allowed(policy, people: dict, action: str, obj) -> set[str]:
    return {role for role, user in people.items() if policy.can(user, action, obj)}


# --- calls -----------------------------------------------------------------------------------

CALLS = {
    # status: {action: roles}
    "published": {
        "view": EVERYONE,
        "manage": {"coordinator"},
        "review": {"coordinator", "reviewer", "city_reviewer"},  # each application says more
    },
    "archived": {
        "view": EVERYONE,
        "manage": {"coordinator"},
        "review": {"coordinator", "reviewer", "city_reviewer"},
    },
    "draft": {"view": {"coordinator"}, "manage": {"coordinator"}, "review": set()},
}


@pytest.mark.parametrize("status", list(CALLS))
@pytest.mark.parametrize("action", ["view", "manage", "review"])
def test_call_policy(people, call, status, action):
    Call.objects.filter(pk=call.pk).update(status=status)
    call = Call.objects.get(pk=call.pk)
    assert allowed(call_policy, people, action, call) == CALLS[status][action]


# --- applications ----------------------------------------------------------------------------

HANDED_IN = {
    "view": {*APPLICANT, "reviewer", "coordinator"},
    "edit": {"applicant_lead"},  # the window is the service's to check
    "review": {"reviewer", "coordinator"},  # never someone of the applicant city
    "decide": {"coordinator"},
}
NOT_HANDED_IN = {
    "view": {*APPLICANT, "coordinator"},
    "edit": {"applicant_lead"},
    "review": set(),
    "decide": {"coordinator"},  # the service refuses to decide a draft
}
APPLICATIONS = {
    "submitted": HANDED_IN,
    "accepted": HANDED_IN,
    "waitlisted": HANDED_IN,
    "rejected": HANDED_IN,
    "draft": NOT_HANDED_IN,
    "withdrawn": NOT_HANDED_IN,
}


@pytest.mark.parametrize("status", list(APPLICATIONS))
@pytest.mark.parametrize("action", ["view", "edit", "review", "decide"])
def test_application_policy(people, call, applicant_city, status, action):
    application = ApplicationFactory(call=call, city=applicant_city, status=status)
    assert (
        allowed(application_policy, people, action, application) == (APPLICATIONS[status][action])
    )


def test_a_reviewer_of_another_call_reviews_nothing_here(people, applicant_city):
    application = ApplicationFactory(city=applicant_city)  # of another call
    assert allowed(application_policy, people, "review", application) == {"coordinator"}
    assert allowed(application_policy, people, "view", application) == {*APPLICANT, "coordinator"}


def test_a_lead_of_city_a_never_reaches_city_bs_application(people, call, applicant_city):
    application = ApplicationFactory(call=call, city=applicant_city)
    for action in ("view", "edit", "review", "decide"):
        with pytest.raises(Http404):
            get_application_for_user(people["other_lead"], application.pk, action)
    assert get_application_for_user(people["applicant_lead"], application.pk, "edit") == application


def test_a_missing_and_a_forbidden_application_are_the_same_404(people, call, applicant_city):
    application = ApplicationFactory(call=call, city=applicant_city)
    for pk in (application.pk, 999_999):
        with pytest.raises(Http404):
            get_application_for_user(people["city_reviewer"], pk, "review")
    with pytest.raises(Http404):
        get_call_for_user(people["reviewer"], "no-such-call", "review")
    with pytest.raises(Http404):
        get_call_for_user(people["reviewer"], call.slug, "manage")


def test_who_applies_and_who_hosts(people, city, applicant_city):
    appliers = {role for role, user in people.items() if can_apply_for(user, applicant_city)}
    assert appliers == {"applicant_lead"}
    hosts = {role for role, user in people.items() if can_host_for(user, city)}
    assert hosts == {*HOST, "coordinator"}
    # a participating city hosts nobody's twins, whoever asks
    assert not any(can_host_for(user, applicant_city) for user in people.values())


# --- host offers -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [City.Status.MISSION, City.Status.PILOT])
def test_offer_policy(people, call, city, status):
    City.objects.filter(pk=city.pk).update(status=status)
    city.refresh_from_db()
    offer = OfferFactory(call=call, city=city)
    assert allowed(offer_policy, people, "edit", offer) == {*HOST, "coordinator"}
    assert get_offer_for_user(people["host_mentor"], offer.pk) == offer
    with pytest.raises(Http404):
        get_offer_for_user(people["applicant_lead"], offer.pk)


def test_an_offer_of_a_city_that_no_longer_hosts_is_nobodys_to_edit(people, call, city):
    offer = OfferFactory(call=call, city=city)
    City.objects.filter(pk=city.pk).update(status=City.Status.TWIN)
    offer = type(offer).objects.select_related("city").get(pk=offer.pk)
    assert allowed(offer_policy, people, "edit", offer) == set()


# --- pairs -----------------------------------------------------------------------------------

PAIRS = {
    Pair.Status.PUBLISHED: {
        "view": {*APPLICANT, *HOST, "coordinator"},
        "contribute": {*APPLICANT, *HOST, "coordinator"},
    },
    Pair.Status.PROPOSED: {"view": {"coordinator"}, "contribute": set()},
}


@pytest.mark.parametrize("status", list(PAIRS))
@pytest.mark.parametrize("action", ["view", "contribute"])
def test_pair_policy(people, call, city, applicant_city, status, action):
    pair = PairFactory(
        call=call,
        application__city=applicant_city,
        offer__city=city,
        status=status,
    )
    assert allowed(pair_policy, people, action, pair) == PAIRS[status][action]


def test_a_proposed_pair_is_the_same_404_as_a_missing_one(people, call, city, applicant_city):
    pair = PairFactory(
        call=call, application__city=applicant_city, offer__city=city, status="proposed"
    )
    for pk in (pair.pk, 999_999):
        with pytest.raises(Http404):
            get_pair_for_user(people["applicant_lead"], pk)
    assert get_pair_for_user(people["coordinator"], pair.pk) == pair

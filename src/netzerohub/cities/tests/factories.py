"""Factories for countries, cities, memberships and proposed cities."""

from __future__ import annotations

import datetime as dt
import string

import factory

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.models import City, CityProposal, Country, Membership

# ISO 3166 user-assigned codes, so that a generated country never clashes with a real one a test
# creates on purpose (SE, CH, BY ...). XK is Kosovo and is left out.
_FREE_CODES = [
    "AA",
    *(f"Q{c}" for c in string.ascii_uppercase[12:]),
    *(f"X{c}" for c in string.ascii_uppercase if c != "K"),
    "ZZ",
]


class CountryFactory(factory.django.DjangoModelFactory):
    """An EU member state unless told otherwise (see the subclasses for the other cases)."""

    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: _FREE_CODES[n % len(_FREE_CODES)])
    name = factory.Sequence(lambda n: f"Country {n}")
    is_european = True
    is_eu_member = True


class AssociatedCountryFactory(CountryFactory):
    """Associated with Horizon Europe (all pillars): its cities are eligible."""

    is_eu_member = False
    is_associated = True
    associated_since = dt.date(2021, 12, 1)
    association_year = 2021


class PillarTwoCountryFactory(AssociatedCountryFactory):
    """Associated for Pillar II only: its cities are not eligible."""

    is_european = False
    pillar_ii_only = True
    associated_since = None
    association_year = 2024


class IneligibleCountryFactory(CountryFactory):
    """European but neither in the EU nor associated (Belarus, Russia)."""

    is_eu_member = False
    is_associated = False


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"City {n}")
    country = factory.SubFactory(CountryFactory)
    population = factory.Sequence(lambda n: 100_000 + n)
    status = City.Status.DIRECTORY
    source = City.Source.GEONAMES


class MembershipFactory(factory.django.DjangoModelFactory):
    """An approved member; `role=Membership.Role.LEAD` for a lead, `status=...` for a request."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    city = factory.SubFactory(CityFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.APPROVED


class LeadFactory(MembershipFactory):
    role = Membership.Role.LEAD


class RequestFactory(MembershipFactory):
    """A pending request to join a city that has a lead."""

    status = Membership.Status.PENDING


class CityProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityProposal

    proposed_by = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Proposed Town {n}")
    country = factory.SubFactory(CountryFactory)
    population = 12_000

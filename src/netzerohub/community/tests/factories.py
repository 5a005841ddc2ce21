"""Factories for peer groups, their phases, members and discussions."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.tests.factories import CityFactory
from netzerohub.community.models import Group, GroupMembership, Phase, Post, Thread
from netzerohub.core.models import Term


class GroupFactory(factory.django.DjangoModelFactory):
    """An open group on the first field of action, two seats per city."""

    class Meta:
        model = Group
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"group-{n}")
    title = factory.Sequence(lambda n: f"Peer group {n}")
    summary = "Cities compare notes on a shared challenge."
    theme = factory.LazyFunction(lambda: Term.objects.fields().first())
    status = Group.Status.OPEN
    admission = Group.Admission.OPEN
    seats_per_city = 2

    @factory.post_generation
    def facilitators(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.facilitators.set(extracted)


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    group = factory.SubFactory(GroupFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Phase {n}")
    starts_on = dt.date(2027, 1, 1)
    ends_on = dt.date(2027, 2, 15)


class GroupMembershipFactory(factory.django.DjangoModelFactory):
    """An approved member of a group for a city (the person should be a member of the city)."""

    class Meta:
        model = GroupMembership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    city = factory.SubFactory(CityFactory)
    status = GroupMembership.Status.APPROVED


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thread

    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Discussion {n}")
    author = factory.SubFactory(UserFactory)
    last_activity = factory.LazyFunction(timezone.now)
    post_count = 0


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = "A sample post."

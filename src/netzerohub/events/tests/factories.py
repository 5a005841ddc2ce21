"""Factories for events (meetings and national events) and registrations."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.tests.factories import CityFactory
from netzerohub.community.tests.factories import GroupFactory
from netzerohub.events.models import Event, Registration


def in_days(days: float, hour: int = 10) -> dt.datetime:
    """An aware time `days` from now at `hour`:00 UTC."""
    moment = timezone.now() + dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


class EventFactory(factory.django.DjangoModelFactory):
    """A published national event open to all cities, in 30 days, 20 seats."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    kind = Event.Kind.NATIONAL
    title = factory.Sequence(lambda n: f"Event {n}")
    summary = "A sample event."
    starts_at = factory.LazyFunction(lambda: in_days(30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    time_zone = "Europe/Brussels"
    capacity = 20
    status = Event.Status.PUBLISHED
    audience = Event.Audience.ALL
    languages = factory.LazyFunction(lambda: ["en"])


class MeetingFactory(EventFactory):
    """A published online meeting of a peer group, open to the group's members."""

    kind = Event.Kind.MEETING
    group = factory.SubFactory(GroupFactory)
    audience = Event.Audience.GROUP
    video_url = "https://video.example.org/room/123"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    city = factory.SubFactory(CityFactory)
    status = Registration.Status.CONFIRMED

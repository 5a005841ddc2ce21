"""The registration engine: seats, waitlist order, offers that pass on, per-city limits,
deadlines and audiences, and (on PostgreSQL) its row lock under real concurrency."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from netzerohub.cities.tests.factories import CityFactory, CountryFactory, MembershipFactory
from netzerohub.community.tests.factories import GroupMembershipFactory
from netzerohub.core.models import AuditLog
from netzerohub.events import registration as engine
from netzerohub.events.models import Event, Registration
from netzerohub.events.registration import RegistrationError

from .factories import EventFactory, MeetingFactory, in_days

pytestmark = pytest.mark.django_db

Status = Registration.Status


def person_of(city, **extra):
    return MembershipFactory(city=city, **extra).user


def register(event, city=None):
    city = city or CityFactory()
    return engine.register(event, user=person_of(city), city=city)


def test_confirmed_while_places_are_left_then_waitlisted_in_order():
    event = EventFactory(capacity=2)
    first, second = register(event), register(event)
    third, fourth = register(event), register(event)
    assert [r.status for r in (first, second)] == [Status.CONFIRMED, Status.CONFIRMED]
    assert [r.status for r in (third, fourth)] == [Status.WAITLISTED, Status.WAITLISTED]
    assert engine.places_left(event) == 0
    assert list(Registration.objects.for_event(event).waitlisted().waitlist_order()) == [
        third,
        fourth,
    ]
    assert AuditLog.objects.filter(action="events.registration.waitlisted").count() == 2


def test_unlimited_event_confirms_everyone():
    event = EventFactory(capacity=None)
    assert all(register(event).status == Status.CONFIRMED for _ in range(5))
    assert engine.places_left(event) is None


def test_cancelling_a_seat_offers_it_to_the_first_waiting_who_may_accept(
    django_capture_on_commit_callbacks,
):
    event = EventFactory(capacity=1, offer_hours=48)
    holder = register(event)
    waiting_first, waiting_second = register(event), register(event)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        engine.cancel_registration(holder, actor=holder.user)
    waiting_first.refresh_from_db()
    waiting_second.refresh_from_db()
    assert waiting_first.status == Status.OFFERED
    assert waiting_second.status == Status.WAITLISTED
    expected = waiting_first.offered_at + dt.timedelta(hours=48)
    assert waiting_first.offer_expires_at == expected
    assert any("A seat is free" in m.subject for m in mail.outbox)
    engine.accept_offer(waiting_first, actor=waiting_first.user)
    waiting_first.refresh_from_db()
    assert waiting_first.status == Status.CONFIRMED
    assert engine.places_left(event) == 0


def test_an_expired_offer_passes_to_the_next_person_and_cannot_be_accepted():
    event = EventFactory(capacity=1, offer_hours=2)
    holder = register(event)
    first, second = register(event), register(event)
    engine.cancel_registration(holder, actor=holder.user)
    first.refresh_from_db()
    later = first.offer_expires_at + dt.timedelta(seconds=1)
    assert engine.expire_offer(first.pk, now=later) is True
    assert engine.expire_offer(first.pk, now=later) is False  # twice is harmless
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.EXPIRED
    assert second.status == Status.OFFERED
    with pytest.raises(RegistrationError, match="no seat offer"):
        engine.accept_offer(first, actor=first.user)


def test_accepting_after_expiry_is_refused_and_the_seat_moves_on(monkeypatch):
    event = EventFactory(capacity=1, offer_hours=1)
    holder = register(event)
    first, second = register(event), register(event)
    engine.cancel_registration(holder, actor=holder.user)
    first.refresh_from_db()
    monkeypatch.setattr(timezone, "now", lambda: first.offer_expires_at + dt.timedelta(minutes=1))
    with pytest.raises(RegistrationError, match="expired"):
        engine.accept_offer(first, actor=first.user)
    second.refresh_from_db()
    assert second.status == Status.OFFERED


def test_an_offer_never_outlives_the_start():
    event = EventFactory(capacity=1, offer_hours=48, starts_at=in_days(1))
    holder = register(event)
    waiting = register(event)
    engine.cancel_registration(holder, actor=holder.user)
    waiting.refresh_from_db()
    assert waiting.offer_expires_at == event.starts_at


def test_sweep_expires_due_offers():
    event = EventFactory(capacity=1)
    holder = register(event)
    first = register(event)
    engine.cancel_registration(holder, actor=holder.user)
    first.refresh_from_db()
    assert engine.expire_due_offers(now=first.offer_expires_at - dt.timedelta(1)) == 0
    assert engine.expire_due_offers(now=first.offer_expires_at) == 1


def test_waiting_person_cancelling_frees_no_seat():
    event = EventFactory(capacity=1)
    register(event)
    first, second = register(event), register(event)
    engine.cancel_registration(first, actor=first.user)
    second.refresh_from_db()
    assert second.status == Status.WAITLISTED


def test_registering_twice_is_refused():
    event = EventFactory()
    city = CityFactory()
    user = person_of(city)
    engine.register(event, user=user, city=city)
    with pytest.raises(RegistrationError, match="already registered"):
        engine.register(event, user=user, city=city)
    assert Registration.objects.for_event(event).count() == 1


def test_the_city_seat_limit_counts_waiting_people_too():
    event = EventFactory(capacity=1, seats_per_city=2)
    city = CityFactory()
    register(event, city)
    register(event, city)  # waitlisted, still one of the city's two
    with pytest.raises(RegistrationError, match="most this event takes from one city"):
        register(event, city)


def test_after_a_cancellation_the_city_may_register_again():
    event = EventFactory(seats_per_city=1)
    city = CityFactory()
    first = register(event, city)
    engine.cancel_registration(first, actor=first.user)
    assert register(event, city).status == Status.CONFIRMED


def test_registration_closes_at_the_deadline():
    event = EventFactory(registration_deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(RegistrationError, match="Registration closed"):
        register(event)


def test_no_registration_for_drafts_cancelled_or_started_events():
    for event in (
        EventFactory(status=Event.Status.DRAFT),
        EventFactory(status=Event.Status.CANCELLED),
        EventFactory(starts_at=timezone.now() - dt.timedelta(minutes=5)),
    ):
        with pytest.raises(RegistrationError):
            register(event)
    assert not Registration.objects.exists()


def test_country_audience():
    home = CountryFactory()
    event = EventFactory(audience=Event.Audience.COUNTRY, country=home)
    assert register(event, CityFactory(country=home)).status == Status.CONFIRMED
    with pytest.raises(RegistrationError, match="open to cities of"):
        register(event, CityFactory())


def test_invited_audience():
    invited = CityFactory()
    event = EventFactory(audience=Event.Audience.INVITED)
    event.invited_cities.add(invited)
    assert register(event, invited).status == Status.CONFIRMED
    with pytest.raises(RegistrationError, match="invited cities only"):
        register(event, CityFactory())


def test_meetings_are_for_group_members():
    meeting = MeetingFactory()
    city = CityFactory()
    outsider = person_of(city)
    with pytest.raises(RegistrationError, match="join the group"):
        engine.register(meeting, user=outsider, city=city)
    member = person_of(city)
    GroupMembershipFactory(group=meeting.group, user=member, city=city)
    assert engine.register(meeting, user=member, city=city).status == Status.CONFIRMED


def test_only_for_ones_own_city():
    event = EventFactory()
    user = person_of(CityFactory())
    with pytest.raises(RegistrationError, match="city you are a member of"):
        engine.register(event, user=user, city=CityFactory())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_one_hundred_concurrent_registrations_for_twenty_seats():
    event = EventFactory(capacity=20)
    people = []
    for _ in range(100):
        city = CityFactory()
        people.append((person_of(city), city))
    # 40 connections at once (PostgreSQL allows 100 in all), each sending its share of the
    # 100 registrations as fast as it can.
    workers = 40
    barrier = threading.Barrier(workers)
    errors: list[Exception] = []

    def attempt(share):
        try:
            barrier.wait()
            for user, city in share:
                engine.register(event, user=user, city=city)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(people[i::workers],)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = list(Registration.objects.for_event(event).order_by("created", "id"))
    assert [r.status for r in rows].count(Status.CONFIRMED) == 20
    assert [r.status for r in rows].count(Status.WAITLISTED) == 80
    # Arrival order: everyone confirmed registered before everyone waiting.
    assert {r.status for r in rows[:20]} == {Status.CONFIRMED}
    assert {r.status for r in rows[20:]} == {Status.WAITLISTED}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_never_give_a_seat_twice():
    event = EventFactory(capacity=10)
    holders = [register(event) for _ in range(10)]
    waiting = [register(event) for _ in range(15)]
    barrier = threading.Barrier(len(holders) + len(waiting))
    errors: list[Exception] = []

    def cancel(registration):
        try:
            barrier.wait()
            engine.cancel_registration(registration, actor=registration.user)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    def sign_up():
        try:
            barrier.wait()
            register(event)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cancel, args=(r,)) for r in holders[:5]]
    threads += [threading.Thread(target=sign_up) for _ in range(len(holders) + len(waiting) - 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Registration.objects.for_event(event).holding_seat().count() == 10
    offered = Registration.objects.for_event(event).offered()
    assert {r.pk for r in offered} == {r.pk for r in waiting[:5]}


def test_counts_are_not_multiplied_by_the_visibility_joins():
    organisers = [MembershipFactory().user for _ in range(3)]
    event = EventFactory(capacity=5)
    event.organisers.set(organisers)
    register(event)
    register(event)
    viewer = organisers[0]
    found = Event.objects.visible_to(viewer).with_counts().get(pk=event.pk)
    assert (found.confirmed_count, found.offered_count, found.waitlisted_count) == (2, 0, 0)

"""Peer-group writes: joining within the city's seats, applications and decisions, leaving,
and saving a group with its facilitators and phases. (The discussions' services are tested in
test_discussions.py.)"""

from __future__ import annotations

import datetime as dt

import pytest

from netzerohub.cities.tests.factories import CityFactory, MembershipFactory
from netzerohub.community import services
from netzerohub.community.models import Group, GroupMembership, Phase
from netzerohub.community.tests.factories import GroupFactory, PhaseFactory
from netzerohub.core.models import AuditLog, Notification, Term

pytestmark = pytest.mark.django_db


def colleague(city):
    return MembershipFactory(city=city).user


# --- membership ------------------------------------------------------------------------------


def test_joining_an_open_group_makes_a_member_at_once(member, city):
    group = GroupFactory()
    membership = services.join_group(group, user=member, city=city)
    assert membership.status == GroupMembership.Status.APPROVED
    assert membership.decided_at is not None
    assert AuditLog.objects.filter(action="community.membership.joined").count() == 1


def test_applying_waits_for_the_facilitators_who_are_told(member, city, mentor):
    group = GroupFactory(admission=Group.Admission.APPLICATION, facilitators=[mentor])
    membership = services.join_group(group, user=member, city=city, motivation="  We plan.  ")
    assert membership.status == GroupMembership.Status.PENDING
    assert membership.motivation == "We plan."
    assert Notification.objects.filter(user=mentor, kind="community.membership.applied").exists()


def test_the_third_person_of_a_city_is_refused_and_nothing_is_created(city):
    group = GroupFactory(seats_per_city=2)
    first, second, third = colleague(city), colleague(city), colleague(city)
    services.join_group(group, user=first, city=city)
    services.join_group(group, user=second, city=city)
    with pytest.raises(services.CommunityError, match="already has 2 representatives"):
        services.join_group(group, user=third, city=city)
    assert not GroupMembership.objects.filter(user=third).exists()


def test_a_pending_application_holds_a_seat(city):
    group = GroupFactory(seats_per_city=1, admission=Group.Admission.APPLICATION)
    services.join_group(group, user=colleague(city), city=city, motivation="First")
    with pytest.raises(services.CommunityError):
        services.join_group(group, user=colleague(city), city=city, motivation="Second")


def test_another_city_has_its_own_seats(city, other_city):
    group = GroupFactory(seats_per_city=1)
    services.join_group(group, user=colleague(city), city=city)
    joined = services.join_group(group, user=colleague(other_city), city=other_city)
    assert joined.status == GroupMembership.Status.APPROVED


def test_no_seat_limit_takes_everyone(city):
    group = GroupFactory(seats_per_city=None)
    for _ in range(4):
        services.join_group(group, user=colleague(city), city=city)
    assert GroupMembership.objects.for_group(group).approved().count() == 4


def test_leaving_frees_the_seat(city):
    group = GroupFactory(seats_per_city=1)
    first, second = colleague(city), colleague(city)
    membership = services.join_group(group, user=first, city=city)
    services.leave_group(membership, actor=first)
    assert services.join_group(group, user=second, city=city).status == "approved"
    with pytest.raises(services.CommunityError, match="not in this group"):
        services.leave_group(membership, actor=first)


def test_joining_twice_is_refused(member, city):
    group = GroupFactory()
    services.join_group(group, user=member, city=city)
    with pytest.raises(services.CommunityError, match="already in this group"):
        services.join_group(group, user=member, city=city)


def test_one_can_join_again_after_leaving(member, city):
    group = GroupFactory()
    services.leave_group(services.join_group(group, user=member, city=city), actor=member)
    assert services.join_group(group, user=member, city=city).status == "approved"


def test_joining_for_a_city_one_is_not_a_member_of_is_refused(member, other_city):
    with pytest.raises(services.CommunityError, match="city you are a member of"):
        services.join_group(GroupFactory(), user=member, city=other_city)


@pytest.mark.parametrize("status", ["draft", "closed", "archived"])
def test_a_group_that_is_not_open_takes_nobody(member, city, status):
    with pytest.raises(services.CommunityError, match="does not take new members"):
        services.join_group(GroupFactory(status=status), user=member, city=city)
    assert not GroupMembership.objects.exists()


@pytest.mark.parametrize("approve, status", [(True, "approved"), (False, "rejected")])
def test_deciding_an_application(member, city, mentor, approve, status):
    group = GroupFactory(admission=Group.Admission.APPLICATION, facilitators=[mentor])
    application = services.join_group(group, user=member, city=city, motivation="Please")
    decided = services.decide_membership(application, approve=approve, actor=mentor)
    assert decided.status == status and decided.decided_by == mentor
    assert Notification.objects.filter(user=member, kind=f"community.membership.{status}")
    with pytest.raises(services.CommunityError, match="already been decided"):
        services.decide_membership(application, approve=True, actor=mentor)


def test_a_turned_down_application_frees_the_seat(city, mentor):
    group = GroupFactory(
        admission=Group.Admission.APPLICATION, seats_per_city=1, facilitators=[mentor]
    )
    application = services.join_group(group, user=colleague(city), city=city, motivation="A")
    services.decide_membership(application, approve=False, actor=mentor)
    assert services.join_group(group, user=colleague(city), city=city, motivation="B")


# --- saving a group --------------------------------------------------------------------------


def new_group(**values) -> Group:
    defaults = {
        "slug": "district-heating",
        "title": "District heating",
        "summary": "Heat networks.",
        "theme": Term.objects.fields().first(),
    }
    return Group(**{**defaults, **values})


def phase(title: str, start: dt.date, **values) -> Phase:
    return Phase(title=title, starts_on=start, ends_on=start + dt.timedelta(days=30), **values)


def test_saving_a_new_group_with_facilitators_and_phases(coordinator, mentor):
    phases = [phase("Second", dt.date(2027, 3, 1)), phase("First", dt.date(2027, 1, 1))]
    group = services.save_group(
        new_group(), actor=coordinator, facilitators=[mentor], phases=phases
    )
    assert group.created_by == coordinator
    assert list(group.facilitators.all()) == [mentor]
    # the order given is the order kept, whatever the dates
    assert [(p.title, p.position) for p in group.phases.all()] == [("Second", 0), ("First", 1)]
    entry = AuditLog.objects.get(action="community.group.created")
    assert entry.data == {"status": "draft", "phases": 2}


def test_saving_phases_updates_reorders_and_deletes(coordinator):
    group = GroupFactory()
    kept, dropped, moved = (PhaseFactory(group=group, position=n) for n in range(3))
    kept.title = "Renamed"
    services.save_group(
        group, actor=coordinator, phases=[moved, kept, phase("New", kept.starts_on)]
    )
    assert [(p.pk, p.title) for p in group.phases.all()][:2] == [
        (moved.pk, moved.title),
        (kept.pk, "Renamed"),
    ]
    assert group.phases.count() == 3
    assert not Phase.objects.filter(pk=dropped.pk).exists()


def test_saving_without_phases_leaves_them(coordinator):
    group = GroupFactory()
    PhaseFactory(group=group)
    services.save_group(group, actor=coordinator)
    assert group.phases.count() == 1


def test_a_phase_of_another_group_is_refused(coordinator):
    other = PhaseFactory()
    group = GroupFactory()
    with pytest.raises(services.CommunityError):
        services.save_group(group, actor=coordinator, phases=[other])
    assert Phase.objects.get(pk=other.pk).group_id == other.group_id


def test_another_city_of_the_same_person_is_counted_separately(member, city):
    second_city = CityFactory()
    MembershipFactory(user=member, city=second_city)
    group = GroupFactory(seats_per_city=1)
    services.join_group(group, user=colleague(second_city), city=second_city)
    assert services.join_group(group, user=member, city=city).city == city

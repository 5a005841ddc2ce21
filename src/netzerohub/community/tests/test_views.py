"""Peer-group pages, endpoint-level: the list and its filters, a group's page per role, joining
and leaving (seats, applications), members and applications, attendance, the coordinators'
group form, and pinned query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, MembershipFactory
from netzerohub.community.attendance import meetings_attended
from netzerohub.community.models import Group, GroupMembership, Phase
from netzerohub.community.tests.factories import (
    GroupFactory,
    GroupMembershipFactory,
    PhaseFactory,
)
from netzerohub.core.models import AuditLog, Term
from netzerohub.events.models import Event
from netzerohub.events.tests.factories import MeetingFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "outsider", "member", "group_member", "facilitator", "coordinator"]


def text(response) -> str:
    return response.content.decode()


def url(name: str, group: Group, *args) -> str:
    return reverse(f"community:{name}", args=[group.slug, *args])


def login(client, request, role: str):
    user = request.getfixturevalue(role)
    if role != "visitor":
        client.force_login(user)
    return user


def colleague(city: City, **kwargs):
    return MembershipFactory(city=city, **kwargs).user


@pytest.fixture
def group(mentor):
    return GroupFactory(
        slug="district-heating",
        title="District heating networks",
        summary="Heat networks for dense cities.",
        description="We compare **heat tariffs**.",
        facilitators=[mentor],
    )


@pytest.fixture
def facilitator(mentor):
    return mentor


@pytest.fixture
def group_member(group, city):
    user = colleague(city, user__name="Gus Groupmember")
    GroupMembershipFactory(group=group, user=user, city=city)
    return user


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_listed_groups_to_a_visitor(client, group, mentor):
    GroupFactory(title="Hidden draft", status=Group.Status.DRAFT)
    GroupFactory(title="Old archived", status=Group.Status.ARCHIVED)
    GroupFactory(title="Closed circle", status=Group.Status.CLOSED)
    MeetingFactory(group=group, starts_at=dt.datetime(2031, 3, 4, 13, tzinfo=dt.UTC))
    body = text(client.get(reverse("community:groups")))
    assert "District heating networks" in body and "Closed circle" in body
    assert "Hidden draft" not in body and "Old archived" not in body
    assert "Max Mentor" in body  # facilitator
    assert group.theme.name in body and "English" in body and "Open" in body
    assert "4 March 2031, 14:00 CET" in body  # next meeting, in Brussels time for a visitor
    assert "New group" not in body


def test_the_next_meeting_is_the_next_published_one(client, group):
    MeetingFactory(group=group, starts_at=in_days(-20))  # past
    MeetingFactory(group=group, starts_at=in_days(5), status=Event.Status.DRAFT)
    MeetingFactory(group=group, starts_at=in_days(6), status=Event.Status.CANCELLED)
    shown = MeetingFactory(group=group, starts_at=in_days(9))
    body = text(client.get(reverse("community:groups")))
    local = timezone.localtime(shown.starts_at)
    assert local.strftime("%-d %B %Y, %H:%M") in body
    assert timezone.localtime(in_days(5)).strftime("%-d %B %Y, %H:%M") not in body


def test_coordinators_see_drafts_and_the_new_group_link(client, group, coordinator):
    GroupFactory(title="Hidden draft", status=Group.Status.DRAFT)
    client.force_login(coordinator)
    body = text(client.get(reverse("community:groups")))
    assert "Hidden draft" in body
    assert reverse("community:group-create") in body


def test_a_facilitator_sees_the_draft_they_facilitate(client, mentor):
    GroupFactory(title="My own draft", status=Group.Status.DRAFT, facilitators=[mentor])
    GroupFactory(title="Someone's draft", status=Group.Status.DRAFT)
    client.force_login(mentor)
    body = text(client.get(reverse("community:groups")))
    assert "My own draft" in body and "Someone&#x27;s draft" not in body


def test_the_list_filters_by_theme_kind_and_language(client):
    lever = Term.objects.levers().first()
    GroupFactory(title="Finance circle", theme=lever, language="fr")
    GroupFactory(title="Energy circle", language="en")
    groups = reverse("community:groups")
    body = text(client.get(groups, {"kind": "lever"}))
    assert "Finance circle" in body and "Energy circle" not in body
    body = text(client.get(groups, {"kind": "field"}))
    assert "Energy circle" in body and "Finance circle" not in body
    body = text(client.get(groups, {"language": "fr"}))
    assert "Finance circle" in body and "Energy circle" not in body
    assert '<option value="fr" selected>French</option>' in body


def test_unknown_filter_values_are_ignored(client, group):
    response = client.get(reverse("community:groups"), {"kind": "<x>", "language": "zz"})
    assert response.status_code == 200
    assert "District heating networks" in text(response)


def test_the_list_marks_my_groups(client, group, group_member):
    client.force_login(group_member)
    assert "You are a member" in text(client.get(reverse("community:groups")))


# --- a group's page per role -----------------------------------------------------------------

JOIN, LEAVE = "Join the group", "Leave the group"
LINKS = {
    "discussions": lambda g: url("threads", g),
    "members": lambda g: url("members", g),
    "attendance": lambda g: url("attendance", g),
    "schedule": lambda g: reverse("events:event-create") + f"?group={g.slug}",
    "edit": lambda g: url("group-edit", g),
}
SEES = {
    "visitor": {"Sign in to join"},
    "outsider": {"join your city first"},
    "member": {JOIN},
    "group_member": {LEAVE, "discussions", "attendance", "You are a member for"},
    "facilitator": {JOIN, "discussions", "members", "attendance", "schedule"},
    "coordinator": {"discussions", "members", "attendance", "schedule", "edit"},
}
EVERYTHING = set().union(*SEES.values())


@pytest.mark.parametrize("role", ROLES)
def test_the_group_page_per_role(client, request, group, role):
    login(client, request, role)
    response = client.get(group.get_absolute_url())
    assert response.status_code == 200
    body = text(response)
    assert "<strong>heat tariffs</strong>" in body  # the description, in Markdown
    assert "At most 2 representatives per city" in body
    assert "Max Mentor" in body
    shown = {item for item in EVERYTHING if (LINKS[item](group) if item in LINKS else item) in body}
    assert shown == SEES[role]


def test_the_group_page_shows_facilitators_cities_and_phases_in_order(client, group, city):
    PhaseFactory(
        group=group,
        position=1,
        title="Act",
        starts_on=dt.date(2027, 3, 1),
        ends_on=dt.date(2027, 5, 31),
    )
    PhaseFactory(
        group=group,
        position=0,
        title="Understand",
        starts_on=dt.date(2027, 1, 4),
        ends_on=dt.date(2027, 2, 26),
        description="Map the _heat_ demand.",
    )
    body = text(client.get(group.get_absolute_url()))
    assert f'Max Mentor <span class="help">({city.name})</span>' in body
    assert body.index("Understand") < body.index("Act")
    assert "4 January 2027 – 26 February 2027" in body
    assert "<em>heat</em>" in body


def test_meetings_in_the_viewers_zone_with_the_zone_named(client, group, group_member, city):
    group_member.time_zone = "Europe/Helsinki"
    group_member.save()
    upcoming = MeetingFactory(
        group=group,
        title="Tariff models",
        starts_at=dt.datetime(2031, 1, 14, 13, tzinfo=dt.UTC),
        ends_at=dt.datetime(2031, 1, 14, 15, tzinfo=dt.UTC),
    )
    MeetingFactory(group=group, title="Kick-off", starts_at=in_days(-30))
    MeetingFactory(group=group, title="Secret draft", status=Event.Status.DRAFT)
    RegistrationFactory(event=upcoming, user=group_member, city=city)
    client.force_login(group_member)
    body = text(client.get(group.get_absolute_url()))
    assert "Tuesday 14 January 2031, 15:00 EET" in body
    assert "Europe/Helsinki" in body
    assert reverse("events:event", args=[upcoming.pk]) in body
    assert "Registered" in body
    assert body.index("Upcoming meetings") < body.index("Tariff models")
    assert body.index("Past meetings") < body.index("Kick-off")
    assert "Secret draft" not in body


def test_the_facilitator_sees_draft_meetings(client, group, mentor):
    MeetingFactory(group=group, title="Planned draft", status=Event.Status.DRAFT)
    client.force_login(mentor)
    assert "Planned draft" in text(client.get(group.get_absolute_url()))


def test_a_sample_group_says_so(client, group):
    Group.objects.filter(pk=group.pk).update(is_sample=True)
    assert "This is a sample group" in text(client.get(group.get_absolute_url()))


@pytest.mark.parametrize("status", [Group.Status.DRAFT, Group.Status.ARCHIVED])
@pytest.mark.parametrize("role", ROLES)
def test_a_draft_group_is_404_to_all_but_coordinators_and_facilitators(
    client, request, group, status, role
):
    Group.objects.filter(pk=group.pk).update(status=status)
    login(client, request, role)
    expected = 200 if role in ("facilitator", "coordinator") else 404
    assert client.get(group.get_absolute_url()).status_code == expected


def test_a_missing_group_is_404(client, member):
    client.force_login(member)
    assert client.get(reverse("community:group", args=["no-such-group"])).status_code == 404


# --- joining and leaving ---------------------------------------------------------------------


def test_joining_an_open_group(client, group, member, city):
    client.force_login(member)
    assert f"On behalf of {city.name}" in text(client.get(group.get_absolute_url()))
    response = client.post(url("join", group), {"city": city.pk}, follow=True)
    assert response.redirect_chain == [(group.get_absolute_url(), 302)]
    membership = GroupMembership.objects.get(user=member)
    assert membership.status == "approved" and membership.city == city
    body = text(response)
    assert "Welcome to the group." in body and LEAVE in body


def test_a_member_of_several_cities_chooses_one(client, group, member, city):
    second = CityFactory(name="Second town")
    MembershipFactory(user=member, city=second)
    client.force_login(member)
    body = text(client.get(group.get_absolute_url()))
    assert '<select name="city"' in body and "Second town" in body
    client.post(url("join", group), {"city": second.pk})
    assert GroupMembership.objects.get(user=member).city == second


def test_joining_for_someone_elses_city_is_refused(client, group, member, other_city):
    client.force_login(member)
    response = client.post(url("join", group), {"city": other_city.pk})
    assert "Choose one of your cities." in text(response)
    assert not GroupMembership.objects.exists()


def test_applying_needs_a_motivation_and_keeps_what_was_typed(client, group, member, city):
    Group.objects.filter(pk=group.pk).update(admission=Group.Admission.APPLICATION)
    client.force_login(member)
    body = text(client.get(group.get_absolute_url()))
    assert "Apply to join" in body and 'name="motivation"' in body
    response = client.post(url("join", group), {"city": city.pk, "motivation": "   "})
    assert "Tell the facilitators why your city would like to join." in text(response)
    assert not GroupMembership.objects.exists()
    response = client.post(
        url("join", group), {"city": city.pk, "motivation": "We run a heat network."}
    )
    assert response.status_code == 302
    membership = GroupMembership.objects.get(user=member)
    assert membership.status == "pending" and membership.motivation == "We run a heat network."
    body = text(client.get(group.get_absolute_url()))
    assert "is waiting for the facilitators" in body and "Withdraw my application" in body


def test_the_third_person_of_a_city_is_refused_with_the_message(client, group, city):
    for _ in range(2):
        GroupMembershipFactory(group=group, user=colleague(city), city=city)
    third = colleague(city)
    client.force_login(third)
    body = text(client.get(group.get_absolute_url()))
    assert "already has 2 representatives in this group" in body
    assert JOIN not in body  # no form: the only city has no seat left
    response = client.post(url("join", group), {"city": city.pk})
    assert response.status_code == 200
    assert f"{city.name} already has 2 representatives in this group" in text(response)
    assert not GroupMembership.objects.filter(user=third).exists()
    assert not AuditLog.objects.filter(action="community.membership.joined").exists()


def test_a_refused_application_keeps_the_motivation(client, group, city):
    Group.objects.filter(pk=group.pk).update(
        admission=Group.Admission.APPLICATION, seats_per_city=1
    )
    GroupMembershipFactory(group=group, user=colleague(city), city=city)
    client.force_login(colleague(city))
    response = client.post(url("join", group), {"city": city.pk, "motivation": "Long story"})
    body = text(response)
    assert "already has 1 representatives" in body or "already has 1 representative" in body
    assert "Long story</textarea>" in body


def test_leaving_frees_the_seat(client, group, city, group_member):
    GroupMembershipFactory(group=group, user=colleague(city), city=city)
    waiting = colleague(city)
    client.force_login(waiting)
    client.post(url("join", group), {"city": city.pk})
    assert not GroupMembership.objects.filter(user=waiting).exists()
    client.force_login(group_member)
    response = client.post(url("leave", group), follow=True)
    assert "You have left the group." in text(response)
    assert GroupMembership.objects.get(user=group_member).status == "left"
    client.force_login(waiting)
    client.post(url("join", group), {"city": city.pk})
    assert GroupMembership.objects.get(user=waiting).status == "approved"


def test_leaving_when_not_in_the_group_says_so(client, group, member):
    client.force_login(member)
    response = client.post(url("leave", group), follow=True)
    assert "You are not in this group." in text(response)


def test_an_outsider_cannot_join(client, group, outsider):
    client.force_login(outsider)
    response = client.post(url("join", group), {"city": "1"}, follow=True)
    assert "Join your city first" in text(response)
    assert not GroupMembership.objects.exists()


def test_a_closed_group_takes_nobody(client, group, member, city):
    Group.objects.filter(pk=group.pk).update(status=Group.Status.CLOSED)
    client.force_login(member)
    response = client.post(url("join", group), {"city": city.pk}, follow=True)
    assert "does not take new members" in text(response)
    assert not GroupMembership.objects.exists()


def test_join_and_leave_need_sign_in_and_post(client, group, member):
    response = client.post(url("join", group))
    assert response.status_code == 302 and "login" in response.url
    client.force_login(member)
    assert client.get(url("join", group)).status_code == 405
    assert client.get(url("leave", group)).status_code == 405


def test_joining_a_draft_is_404(client, member, city):
    draft = GroupFactory(status=Group.Status.DRAFT)
    client.force_login(member)
    assert client.post(url("join", draft), {"city": city.pk}).status_code == 404


def test_joining_is_rate_limited(client, group, member, city, settings):
    client.force_login(member)
    for _ in range(30):
        client.post(url("join", group), {"city": city.pk})
    response = client.post(url("join", group), {"city": city.pk}, follow=True)
    assert "too often" in text(response)


# --- members and applications ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_members_page_is_for_facilitators_and_coordinators(client, request, group, role):
    login(client, request, role)
    expected = 200 if role in ("facilitator", "coordinator") else 404
    assert client.get(url("members", group)).status_code == expected


def test_the_members_page_lists_members_by_city_and_applications(
    client, group, mentor, group_member, city
):
    other = CityFactory(name="Aardam")
    GroupMembershipFactory(group=group, user=colleague(other, user__name="Ann Aardam"), city=other)
    applicant = colleague(city, user__name="Abe Applicant")
    GroupMembershipFactory(
        group=group,
        user=applicant,
        city=city,
        status=GroupMembership.Status.PENDING,
        motivation="We <b>want</b> in.",
    )
    client.force_login(mentor)
    body = text(client.get(url("members", group)))
    assert body.index("Ann Aardam") < body.index("Gus Groupmember")  # by city name
    assert "Abe Applicant" in body and "We &lt;b&gt;want&lt;/b&gt; in." in body
    assert "Admit" in body and "Turn down" in body


@pytest.mark.parametrize("decision, status", [("admit", "approved"), ("decline", "rejected")])
def test_deciding_an_application(client, group, mentor, city, decision, status):
    applicant = colleague(city)
    application = GroupMembershipFactory(
        group=group, user=applicant, city=city, status=GroupMembership.Status.PENDING
    )
    client.force_login(mentor)
    response = client.post(url("decide", group, application.pk), {"decision": decision})
    assert response.status_code == 302 and response.url == url("members", group)
    application.refresh_from_db()
    assert application.status == status and application.decided_by == mentor
    response = client.post(
        url("decide", group, application.pk), {"decision": decision}, follow=True
    )
    assert "already been decided" in text(response)


def test_deciding_needs_the_right_to_admit(client, group, member, city):
    application = GroupMembershipFactory(
        group=group, user=colleague(city), city=city, status=GroupMembership.Status.PENDING
    )
    client.force_login(member)
    response = client.post(url("decide", group, application.pk), {"decision": "admit"})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == "pending"


def test_deciding_an_application_of_another_group_or_a_forged_decision_is_404(
    client, group, mentor, city
):
    elsewhere = GroupMembershipFactory(
        user=colleague(city), city=city, status=GroupMembership.Status.PENDING
    )
    mine = GroupMembershipFactory(
        group=group, user=colleague(city), city=city, status=GroupMembership.Status.PENDING
    )
    client.force_login(mentor)
    assert client.post(url("decide", group, elsewhere.pk), {"decision": "admit"}).status_code == 404
    assert client.post(url("decide", group, mine.pk), {"decision": "maybe"}).status_code == 404


# --- attendance ------------------------------------------------------------------------------


@pytest.fixture
def series(group, city, group_member):
    """Three past meetings; `city` (group_member) attended the first and the third, `other`
    (a member city too) the second; a city outside the group attended one."""
    other = CityFactory(name="Otherburg")
    other_person = colleague(other)
    GroupMembershipFactory(group=group, user=other_person, city=other)
    meetings = [
        MeetingFactory(group=group, title=f"Session {n}", starts_at=in_days(-30 + n * 7))
        for n in range(3)
    ]
    MeetingFactory(group=group, title="Session upcoming", starts_at=in_days(10))
    RegistrationFactory(event=meetings[0], user=group_member, city=city, attended=True)
    RegistrationFactory(event=meetings[1], user=group_member, city=city, attended=False)
    RegistrationFactory(event=meetings[2], user=group_member, city=city, attended=True)
    RegistrationFactory(event=meetings[1], user=other_person, city=other, attended=True)
    stranger = CityFactory(name="Strangeville")
    RegistrationFactory(event=meetings[0], user=colleague(stranger), city=stranger, attended=True)
    return {"meetings": meetings, "other": other}


def test_attendance_for_a_facilitator_shows_every_member_city(client, group, mentor, series):
    client.force_login(mentor)
    body = text(client.get(url("attendance", group)))
    assert "Session 0" in body and "Session 2" in body and "Session upcoming" not in body
    assert "Otherburg" in body and "Strangeville" not in body
    rows = {row.split("</th>")[0]: row for row in body.split('<th scope="row">')[1:]}
    city_row = next(row for name, row in rows.items() if name.startswith("City"))
    assert city_row.count("✓") == 2 and '<td class="num">2</td>' in city_row
    assert rows["Otherburg"].count("✓") == 1 and '<td class="num">1</td>' in rows["Otherburg"]


def test_a_member_sees_their_own_citys_row_only(client, group, group_member, series, city):
    client.force_login(group_member)
    body = text(client.get(url("attendance", group)))
    assert city.name in body and "Otherburg" not in body


@pytest.mark.parametrize("role", ["visitor", "outsider", "member"])
def test_attendance_is_404_to_others(client, request, group, role):
    login(client, request, role)
    assert client.get(url("attendance", group)).status_code == 404


def test_meetings_attended_per_city(group, city, series):
    assert meetings_attended(group, city) == 2
    assert meetings_attended(group, series["other"]) == 1


# --- the coordinators' group form ------------------------------------------------------------


def form_data(**values) -> dict:
    data = {
        "title": "Innovative financing",
        "slug": "innovative-financing",
        "summary": "Blended finance for climate investments.",
        "description": "",
        "theme": str(Term.objects.levers().get(slug="finance-funding").pk),
        "language": "en",
        "admission": "application",
        "seats_per_city": "2",
        "status": "open",
        "facilitator_emails": "",
        "phases-TOTAL_FORMS": "2",
        "phases-INITIAL_FORMS": "0",
        "phases-MIN_NUM_FORMS": "0",
        "phases-MAX_NUM_FORMS": "1000",
    }
    return {**data, **values}


def test_the_group_form_is_for_coordinators(client, request, group, member, mentor):
    for user in (member, mentor):
        client.force_login(user)
        assert client.get(reverse("community:group-create")).status_code == 404
        assert client.get(url("group-edit", group)).status_code == 404
    client.logout()
    response = client.get(reverse("community:group-create"))
    assert response.status_code == 302 and "login" in response.url


def test_creating_a_group_with_phases_and_facilitators(client, coordinator, mentor):
    client.force_login(coordinator)
    page = text(client.get(reverse("community:group-create")))
    assert '<optgroup label="Fields of action">' in page
    assert '<optgroup label="Levers of change">' in page
    data = form_data(
        facilitator_emails=mentor.email.upper(),
        **{
            "phases-0-title": "Understand",
            "phases-0-starts_on": "2027-01-04",
            "phases-0-ends_on": "2027-02-26",
            "phases-1-title": "Act",
            "phases-1-starts_on": "2027-03-01",
            "phases-1-ends_on": "2027-05-31",
        },
    )
    response = client.post(reverse("community:group-create"), data, follow=True)
    group = Group.objects.get(slug="innovative-financing")
    assert response.redirect_chain[-1][0] == group.get_absolute_url()
    assert list(group.facilitators.all()) == [mentor]
    assert [p.title for p in group.phases.all()] == ["Understand", "Act"]
    assert group.created_by == coordinator
    body = text(response)
    assert "Group saved." in body and "Not a mentor" not in body


def test_a_phase_ending_before_it_starts_keeps_what_was_typed(client, coordinator):
    client.force_login(coordinator)
    data = form_data(
        title="Typed title",
        **{
            "phases-0-title": "Backwards",
            "phases-0-starts_on": "2027-03-01",
            "phases-0-ends_on": "2027-02-01",
            "phases-0-description": "Typed description",
        },
    )
    response = client.post(reverse("community:group-create"), data)
    assert response.status_code == 200
    body = text(response)
    assert "A phase cannot end before it starts." in body
    assert 'value="Typed title"' in body and 'value="Backwards"' in body
    assert "Typed description</textarea>" in body and 'value="2027-02-01"' in body
    assert not Group.objects.filter(title="Typed title").exists()
    assert not Phase.objects.exists()


def test_unknown_facilitator_addresses_are_named(client, coordinator):
    client.force_login(coordinator)
    data = form_data(facilitator_emails="nobody@nowhere.example")
    body = text(client.post(reverse("community:group-create"), data))
    assert "Nobody has an account with the address: nobody@nowhere.example." in body
    assert "nobody@nowhere.example</textarea>" in body
    assert not Group.objects.exists()


def test_a_facilitator_who_is_not_a_mentor_gets_a_warning(client, coordinator, member, city):
    other = colleague(CityFactory(status=City.Status.PARTICIPATING), is_mentor=True)
    client.force_login(coordinator)
    data = form_data(facilitator_emails=f"{member.email}\n{other.email}")
    body = text(client.post(reverse("community:group-create"), data, follow=True))
    assert "Not a mentor of a Mission or Pilot City" in body
    assert "Mia Member" in body and str(other) in body
    assert Group.objects.get().facilitators.count() == 2


def test_editing_a_group_changes_and_removes_phases(client, coordinator, group, mentor):
    first = PhaseFactory(group=group, position=0, title="First")
    second = PhaseFactory(group=group, position=1, title="Second")
    client.force_login(coordinator)
    page = text(client.get(url("group-edit", group)))
    assert mentor.email in page and 'value="First"' in page
    data = form_data(
        slug=group.slug,
        title="Renamed group",
        facilitator_emails=mentor.email,
        **{
            "phases-TOTAL_FORMS": "4",
            "phases-INITIAL_FORMS": "2",
            "phases-0-id": str(first.pk),
            "phases-0-title": "First, renamed",
            "phases-0-starts_on": "2027-01-01",
            "phases-0-ends_on": "2027-01-31",
            "phases-1-id": str(second.pk),
            "phases-1-title": "Second",
            "phases-1-starts_on": "2027-02-01",
            "phases-1-ends_on": "2027-02-28",
            "phases-1-DELETE": "on",
        },
    )
    response = client.post(url("group-edit", group), data)
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.title == "Renamed group"
    assert [p.title for p in group.phases.all()] == ["First, renamed"]
    assert AuditLog.objects.filter(action="community.group.updated").count() == 1


def test_a_taken_address_is_refused(client, coordinator, group):
    client.force_login(coordinator)
    body = text(client.post(reverse("community:group-create"), form_data(slug=group.slug)))
    assert "already exists" in body
    assert Group.objects.count() == 1


def test_editing_a_missing_group_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("community:group-edit", args=["nope"])).status_code == 404


# --- query counts ----------------------------------------------------------------------------


@pytest.fixture(params=["small", "large"])
def data_size(request):
    return request.param


@pytest.fixture
def groups_data(data_size, group, city, mentor, group_member):
    """Groups with facilitators, phases, members of several cities, applications, meetings and
    registrations: 3 groups (small) or 12 (large)."""
    n, people, meetings = (2, 2, 2) if data_size == "small" else (11, 12, 8)
    groups = [group] + [GroupFactory(facilitators=[mentor, colleague(city)]) for _ in range(n)]
    for g in groups:
        for position in range(2 if data_size == "small" else 4):
            PhaseFactory(group=g, position=position)
        for _ in range(people):
            town = CityFactory()
            GroupMembershipFactory(group=g, user=colleague(town), city=town)
            GroupMembershipFactory(
                group=g, user=colleague(town), city=town, status=GroupMembership.Status.PENDING
            )
        for days in range(meetings):
            meeting = MeetingFactory(group=g, starts_at=in_days(days * 7 - 20))
            RegistrationFactory(event=meeting, user=group_member, city=city, attended=True)
    return groups


# Per page and role: the session, the person (and a coordinator's MFA check and session save)
# come first; then the page's own reads, the same whatever the data's size.
QUERIES = {
    "list": {"visitor": 3, "group_member": 6, "coordinator": 10},
    "group": {"visitor": 6, "group_member": 12, "facilitator": 15, "coordinator": 16},
    "members": {"facilitator": 6, "coordinator": 9},
    "attendance": {"group_member": 8, "facilitator": 8},
}


@pytest.mark.parametrize("name, role", [(n, r) for n, roles in QUERIES.items() for r in roles])
def test_query_count(client, request, groups_data, name, role, django_assert_num_queries):
    login(client, request, role)
    target = reverse("community:groups") if name == "list" else url(name, groups_data[0])
    if name == "group":
        target = groups_data[0].get_absolute_url()
    with django_assert_num_queries(QUERIES[name][role]):
        assert client.get(target).status_code == 200

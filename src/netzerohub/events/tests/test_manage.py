"""Running events, endpoint-level: who may open which page (coordinators, the group's
facilitators, organisers; the same 404 for everyone else), the event form (local times in the
chosen zone, across daylight-saving changes; bad input kept with a message), cancelling,
attendance, the check-in list, the admin, and pinned query counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

import netzerohub
from netzerohub.accounts.tests.factories import CoordinatorFactory, UserFactory
from netzerohub.cities.tests.factories import CityFactory, CountryFactory
from netzerohub.community.tests.factories import GroupFactory, PhaseFactory
from netzerohub.core.models import AuditLog
from netzerohub.core.tests.admin_forms import admin_form_data
from netzerohub.core.tests.browser import collect_console_errors, sign_in
from netzerohub.core.tests.test_accessibility import assert_accessible
from netzerohub.events.models import Event, Registration

from .factories import EventFactory, MeetingFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status
UTC = dt.UTC


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def group(mentor):
    """A group that the `mentor` facilitates."""
    return GroupFactory(title="Heat networks", facilitators=[mentor])


@pytest.fixture
def meeting(group):
    return MeetingFactory(group=group, title="Heat pumps at district scale")


@pytest.fixture
def organiser(db):
    return UserFactory(name="Orla Organiser")


@pytest.fixture
def national(organiser):
    event = EventFactory(title="Climate contracts in Portugal")
    event.organisers.add(organiser)
    return event


@pytest.fixture
def other_facilitator(db):
    user = UserFactory(name="Fern Otherfacilitator")
    GroupFactory(title="Circular construction", facilitators=[user])
    return user


# --- who may open what -----------------------------------------------------------------------

ROLES = ["coordinator", "mentor", "other_facilitator", "organiser", "member", "visitor"]
PAGES = {
    # page: (url builder, expected status per role in the order of ROLES)
    "manage": (lambda m, n, g: reverse("events:manage"), [200, 200, 200, 200, 404, 302]),
    "new national": (
        lambda m, n, g: reverse("events:event-create"),
        [200, 404, 404, 404, 404, 302],
    ),
    "new meeting": (
        lambda m, n, g: reverse("events:event-create") + f"?group={g.slug}",
        [200, 200, 404, 404, 404, 302],
    ),
    **{
        f"meeting {name}": (
            lambda m, n, g, name=name, args=args: reverse(name, args=[m.pk, *args]),
            [200, 200, 404, 404, 404, 302],
        )
        for name, args in [
            ("events:event-edit", []),
            ("events:event-cancel", []),
            ("events:registrations", []),
            ("events:registrations-export", ["csv"]),
            ("events:check-in", []),
        ]
    },
    **{
        f"national {name}": (
            lambda m, n, g, name=name, args=args: reverse(name, args=[n.pk, *args]),
            [200, 404, 404, 200, 404, 302],
        )
        for name, args in [
            ("events:event-edit", []),
            ("events:event-cancel", []),
            ("events:registrations", []),
            ("events:registrations-export", ["xlsx"]),
            ("events:check-in", []),
        ]
    },
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_each_page(client, request, role, page, meeting, national, group):
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)
    build, expected = PAGES[page]
    response = client.get(build(meeting, national, group))
    assert response.status_code == expected[ROLES.index(role)]
    if response.status_code == 302:  # visitors are asked to sign in first
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["event-edit", "registrations", "check-in", "event-cancel"])
def test_a_missing_event_is_the_same_404(client, coordinator, name):
    client.force_login(coordinator)
    assert client.get(reverse(f"events:{name}", args=[999_999])).status_code == 404


def test_an_unknown_export_format_is_404(client, coordinator, meeting):
    client.force_login(coordinator)
    for fmt in ("pdf", "CSV", "xls"):
        url = reverse("events:registrations-export", args=[meeting.pk, fmt])
        assert client.get(url).status_code == 404


def test_a_forged_group_address_is_404(client, coordinator):
    client.force_login(coordinator)
    for slug in ("no-such-group", "a\x00b", "x" * 300):
        assert client.get(reverse("events:event-create"), {"group": slug}).status_code == 404


def test_the_overview_lists_what_each_person_runs(client, mentor, meeting, national, group):
    client.force_login(mentor)
    body = text(client.get(reverse("events:manage")))
    assert meeting.title in body and national.title not in body
    assert "New national event" not in body
    assert f'value="{group.slug}"' in body  # "New meeting of" their group


def test_the_overview_counts_and_filters(client, coordinator, meeting, national):
    RegistrationFactory(event=national)
    RegistrationFactory(event=national, status=Status.WAITLISTED)
    RegistrationFactory(event=national, status=Status.OFFERED)
    past = EventFactory(
        title="Forum of last year",
        starts_at=timezone.now() - dt.timedelta(days=30),
        ends_at=timezone.now() - dt.timedelta(days=30, hours=-2),
    )
    client.force_login(coordinator)
    response = client.get(reverse("events:manage"))
    row = next(e for e in response.context["events"] if e.pk == national.pk)
    assert (row.confirmed_count, row.offered_count, row.waitlisted_count) == (1, 1, 1)
    assert past.title not in text(response)
    body = text(client.get(reverse("events:manage"), {"kind": "meeting"}))
    assert meeting.title in body and national.title not in body
    body = text(client.get(reverse("events:manage"), {"when": "past"}))
    assert past.title in body and meeting.title not in body
    body = text(client.get(reverse("events:manage"), {"group": meeting.group.slug}))
    assert meeting.title in body and national.title not in body


def test_the_overview_ignores_bad_filters(client, coordinator, meeting):
    client.force_login(coordinator)
    response = client.get(
        reverse("events:manage"), {"kind": "<script>", "country": "\x00", "page": "²"}
    )
    assert response.status_code == 200
    assert meeting.title in text(response) and "<script>" not in text(response)


# --- the event form --------------------------------------------------------------------------


def form_data(**changes) -> dict:
    data = {
        "title": "Heat networks in practice",
        "summary": "Cities compare their first district heating tenders.",
        "agenda": "1. Welcome\n2. Three cities present",
        "status": "published",
        "format": "online",
        "venue": "",
        "video_url": "https://video.example.org/room/9",
        "time_zone": "Europe/Brussels",
        "starts_at": "2030-03-30T10:00",
        "ends_at": "2030-03-30T12:00",
        "registration_deadline": "",
        "country": "",
        "languages": ["en", "fr"],
        "audience": "all",
        "invited_cities": "",
        "capacity": "30",
        "seats_per_city": "2",
        "offer_hours": "48",
        "materials": "",
        "recording_url": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_a_facilitator_creates_a_meeting_of_their_group(client, mentor, group):
    phase = PhaseFactory(group=group)
    client.force_login(mentor)
    url = reverse("events:event-create") + f"?group={group.slug}"
    page = text(client.get(url))
    assert 'name="audience"' not in page and 'name="invited_cities"' not in page
    response = client.post(url, form_data(phase=str(phase.pk), audience="invited"))
    event = Event.objects.get(title="Heat networks in practice")
    assert response.status_code == 302 and response.url == event.get_absolute_url()
    assert (event.kind, event.group, event.audience) == ("meeting", group, "group")
    assert event.phase == phase and event.created_by == mentor
    assert event.starts_at == utc(2030, 3, 30, 9) and event.ends_at == utc(2030, 3, 30, 11)
    assert event.languages == ["en", "fr"]
    assert AuditLog.objects.filter(action="events.event.created", target_id=str(event.pk))


def test_a_meeting_takes_only_a_phase_of_its_own_group(client, mentor, group):
    foreign = PhaseFactory()  # of another group
    client.force_login(mentor)
    url = reverse("events:event-create") + f"?group={group.slug}"
    response = client.post(url, form_data(phase=str(foreign.pk)))
    assert response.status_code == 200
    assert response.context["form"].errors["phase"]
    assert not Event.objects.filter(title="Heat networks in practice").exists()


@pytest.mark.parametrize(
    ("zone", "local", "expected"),
    [
        ("Europe/Brussels", "2030-03-30T10:00", utc(2030, 3, 30, 9)),  # winter time, UTC+1
        ("Europe/Brussels", "2030-04-01T10:00", utc(2030, 4, 1, 8)),  # after the change, UTC+2
        ("America/New_York", "2030-03-09T10:00", utc(2030, 3, 9, 15)),  # EST, UTC−5
        ("America/New_York", "2030-03-11T10:00", utc(2030, 3, 11, 14)),  # EDT, UTC−4
        ("Europe/Lisbon", "2030-10-28T10:00", utc(2030, 10, 28, 10)),  # back to UTC+0
    ],
)
def test_a_national_event_reads_its_times_in_the_chosen_zone(
    client, coordinator, zone, local, expected
):
    client.force_login(coordinator)
    end = (dt.datetime.fromisoformat(local) + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    deadline = (dt.datetime.fromisoformat(local) - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = form_data(time_zone=zone, starts_at=local, ends_at=end, registration_deadline=deadline)
    response = client.post(reverse("events:event-create"), data)
    assert response.status_code == 302, response.context["form"].errors
    event = Event.objects.get(title="Heat networks in practice")
    assert event.kind == "national" and event.time_zone == zone
    assert event.starts_at == expected
    assert event.ends_at == expected + dt.timedelta(hours=3)
    assert event.registration_deadline.astimezone(event.zone).strftime("%H:%M") == local[-5:]
    # the edit page shows the times back in the event's zone
    page = text(client.get(reverse("events:event-edit", args=[event.pk])))
    assert f'value="{local}"' in page and f'value="{end}"' in page


def test_a_new_event_starts_in_the_creators_time_zone(client, coordinator):
    coordinator.time_zone = "Europe/Helsinki"
    coordinator.save()
    client.force_login(coordinator)
    response = client.get(reverse("events:event-create"))
    assert response.context["form"]["time_zone"].value() == "Europe/Helsinki"


def test_a_national_event_for_invited_cities(client, coordinator):
    spain, france = CountryFactory(code="ES"), CountryFactory(code="FR")
    valencia = CityFactory(name="Valencia", country=spain, population=800_000)
    CityFactory(name="Valence", country=france)
    lyon = CityFactory(name="Lyon", country=france)
    ghent = CityFactory(name="Gent")
    client.force_login(coordinator)
    invited = f"Valencia, ES\nLyon (FR)\n#{ghent.pk}\n\n  lyon  "
    response = client.post(
        reverse("events:event-create"), form_data(audience="invited", invited_cities=invited)
    )
    assert response.status_code == 302
    event = Event.objects.get(title="Heat networks in practice")
    assert set(event.invited_cities.all()) == {valencia, lyon, ghent}
    page = text(client.get(reverse("events:event-edit", args=[event.pk])))
    assert f"Valencia (ES) #{valencia.pk}" in page


def test_unknown_or_ambiguous_invited_cities_are_named(client, coordinator):
    CityFactory(name="Valencia", country=CountryFactory(code="ES"))
    CityFactory(name="Valencia", country=CountryFactory(code="VE"))
    client.force_login(coordinator)
    invited = "Valencia\nAtlantis\n#99999999"
    response = client.post(
        reverse("events:event-create"), form_data(audience="invited", invited_cities=invited)
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["invited_cities"])
    assert "several countries" in errors and "Atlantis" in errors and "99999999" in errors
    assert "Atlantis" in text(response)  # what was typed is kept
    assert not Event.objects.exists()


BAD_INPUT = {
    "end before start": ({"ends_at": "2030-03-30T09:00"}, "ends_at", "after the start"),
    "deadline after start": (
        {"registration_deadline": "2030-03-31T09:00"},
        "registration_deadline",
        "before the start",
    ),
    "in person without venue": ({"format": "in-person"}, "venue", "venue"),
    "country audience without country": ({"audience": "country"}, "country", "country"),
    "a time that does not exist": (
        {"starts_at": "2030-03-31T02:30", "ends_at": "2030-03-31T05:00"},
        "starts_at",
        "does not exist",
    ),
    "a time that happens twice": (
        {"starts_at": "2030-10-27T02:30", "ends_at": "2030-10-27T05:00"},
        "starts_at",
        "happens twice",
    ),
    "not a date": ({"starts_at": "next tuesday"}, "starts_at", "valid date"),
    "a date beyond reach": ({"ends_at": "9999-12-31T23:59"}, "ends_at", "between 2000"),
    "an unknown zone": ({"time_zone": "Mars/Olympus"}, "time_zone", "valid choice"),
    "a capacity of letters": ({"capacity": "many"}, "capacity", "whole number"),
    "a video link that is not one": (
        {"video_url": "javascript:alert(1)"},
        "video_url",
        "valid URL",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_keeps_what_was_typed_and_says_why(client, coordinator, case):
    changes, field, message = BAD_INPUT[case]
    client.force_login(coordinator)
    data = form_data(title="Kept title ✓", **changes)
    response = client.post(reverse("events:event-create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors.get(field, [])), form.errors
    body = text(response)
    assert 'value="Kept title ✓"' in body
    for name, value in changes.items():
        if name not in ("format", "audience", "time_zone"):
            assert f'value="{value}"' in body  # the bad value itself is shown back
    assert not Event.objects.exists()


def test_every_mistake_is_shown_at_once(client, coordinator):
    client.force_login(coordinator)
    data = form_data(title="", ends_at="2030-03-30T08:00", format="hybrid")
    errors = client.post(reverse("events:event-create"), data).context["form"].errors
    assert {"title", "ends_at", "venue"} <= set(errors)


def test_a_national_event_cannot_be_opened_to_a_group(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("events:event-create"), form_data(audience="group"))
    assert response.status_code == 200 and "audience" in response.context["form"].errors


def test_editing_keeps_the_kind_and_group(client, mentor, meeting):
    client.force_login(mentor)
    url = reverse("events:event-edit", args=[meeting.pk])
    assert client.post(url, form_data(title="Renamed")).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title, meeting.kind, meeting.audience) == ("Renamed", "meeting", "group")
    assert AuditLog.objects.filter(action="events.event.updated", target_id=str(meeting.pk))


def test_more_seats_are_offered_to_the_waitlist(
    client, coordinator, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    first = RegistrationFactory(event=event, status=Status.WAITLISTED)
    second = RegistrationFactory(event=event, status=Status.WAITLISTED)
    third = RegistrationFactory(event=event, status=Status.WAITLISTED)
    client.force_login(coordinator)
    url = reverse("events:event-edit", args=[event.pk])
    data = unchanged_form_data(client.get(url))
    data["capacity"] = "3"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    statuses = [
        r.status
        for r in Registration.objects.filter(pk__in=[first.pk, second.pk, third.pk]).order_by(
            "created", "id"
        )
    ]
    assert statuses == [Status.OFFERED, Status.OFFERED, Status.WAITLISTED]
    offered_to = {m.to[0] for m in mail.outbox if "A seat is free" in m.subject}
    assert offered_to == {first.user.email, second.user.email}


def unchanged_form_data(response) -> dict:
    """What the event form would send back unchanged."""
    data = {}
    for field in response.context["form"]:
        value = field.value()
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            value = value.strftime("%Y-%m-%dT%H:%M")
        data[field.html_name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def test_a_cancelled_event_cannot_be_edited(client, coordinator, national):
    national.status = Event.Status.CANCELLED
    national.save()
    client.force_login(coordinator)
    url = reverse("events:event-edit", args=[national.pk])
    response = client.get(url)
    assert "can no longer be changed" in text(response) and response.context["form"] is None
    client.post(url, form_data(title="Changed after all"))
    national.refresh_from_db()
    assert national.title != "Changed after all"


# --- cancelling ------------------------------------------------------------------------------


def test_cancelling_tells_everyone_registered(
    client, mentor, meeting, django_capture_on_commit_callbacks
):
    confirmed = RegistrationFactory(event=meeting)
    waiting = RegistrationFactory(event=meeting, status=Status.WAITLISTED)
    gone = RegistrationFactory(event=meeting, status=Status.CANCELLED)
    client.force_login(mentor)
    url = reverse("events:event-cancel", args=[meeting.pk])
    assert "2 people registered or waiting" in text(client.get(url))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "The speakers fell ill."})
    assert response.status_code == 302 and response.url == reverse("events:manage")
    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.cancel_reason == "The speakers fell ill."
    told = {m.to[0]: m for m in mail.outbox if "Cancelled" in m.subject}
    assert set(told) == {confirmed.user.email, waiting.user.email}
    assert gone.user.email not in told
    assert "The speakers fell ill." in told[confirmed.user.email].body
    assert AuditLog.objects.filter(action="events.event.cancelled", target_id=str(meeting.pk))


def test_cancelling_twice_says_so(client, coordinator, national):
    client.force_login(coordinator)
    url = reverse("events:event-cancel", args=[national.pk])
    client.post(url, {"reason": ""})
    response = client.post(url, {"reason": ""}, follow=True)
    assert "already cancelled" in text(response)
    assert AuditLog.objects.filter(action="events.event.cancelled").count() == 1


# --- registrations and attendance ------------------------------------------------------------


def test_the_registrations_page_lists_them_in_order(client, coordinator):
    event = EventFactory(capacity=2)
    confirmed = RegistrationFactory(event=event, user__name="Ada Confirmed")
    offered = RegistrationFactory(
        event=event,
        status=Status.OFFERED,
        user__name="Ben Offered",
        offer_expires_at=timezone.now() + dt.timedelta(hours=5),
    )
    second = RegistrationFactory(event=event, status=Status.WAITLISTED, user__name="Cy Second")
    first = RegistrationFactory(
        event=event, status=Status.WAITLISTED, priority=1, user__name="Di First"
    )
    RegistrationFactory(event=event, status=Status.CANCELLED, user__name="Ed Cancelled")
    client.force_login(coordinator)
    response = client.get(reverse("events:registrations", args=[event.pk]))
    body = text(response)
    order = ["Ada Confirmed", "Ben Offered", "Di First", "Cy Second", "Ed Cancelled"]
    assert [body.index(name) for name in order] == sorted(body.index(name) for name in order)
    assert [(r.pk, r.position) for r in response.context["waitlist"]] == [
        (first.pk, 1),
        (second.pk, 2),
    ]
    assert response.context["offered"] == [offered]
    assert [r for r, _field in response.context["confirmed"]] == [confirmed]
    assert confirmed.city.name in body


def test_attendance_is_recorded_and_audited(client, mentor, meeting):
    present = RegistrationFactory(event=meeting)
    absent = RegistrationFactory(event=meeting)
    unknown = RegistrationFactory(event=meeting, attended=True)
    waiting = RegistrationFactory(event=meeting, status=Status.WAITLISTED)
    elsewhere = RegistrationFactory()
    client.force_login(mentor)
    url = reverse("events:registrations", args=[meeting.pk])
    data = {
        f"r{present.pk}": "yes",
        f"r{absent.pk}": "no",
        f"r{unknown.pk}": "",
        f"r{waiting.pk}": "yes",
        f"r{elsewhere.pk}": "yes",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    attended = dict(Registration.objects.values_list("pk", "attended"))
    assert attended[present.pk] is True and attended[absent.pk] is False
    assert attended[unknown.pk] is None
    assert attended[waiting.pk] is None and attended[elsewhere.pk] is None
    entry = AuditLog.objects.get(action="events.attendance.recorded")
    assert entry.actor == mentor and entry.target_id == str(meeting.pk)
    assert entry.data == {"attended": 1, "changed": 3}
    page = text(client.get(url))
    assert f'value="yes" id="id_r{present.pk}_0" checked' in page
    assert f'value="no" id="id_r{absent.pk}_1" checked' in page


def test_a_forged_attendance_value_changes_nothing(client, coordinator, national):
    registration = RegistrationFactory(event=national)
    client.force_login(coordinator)
    url = reverse("events:registrations", args=[national.pk])
    response = client.post(url, {f"r{registration.pk}": "maybe"})
    assert response.status_code == 200
    assert "could not be read" in text(response)
    registration.refresh_from_db()
    assert registration.attended is None
    assert not AuditLog.objects.filter(action="events.attendance.recorded").exists()


def test_attendance_of_rows_not_sent_is_left_alone(client, coordinator, national):
    kept = RegistrationFactory(event=national, attended=True)
    changed = RegistrationFactory(event=national)
    client.force_login(coordinator)
    url = reverse("events:registrations", args=[national.pk])
    client.post(url, {f"r{changed.pk}": "no"})
    kept.refresh_from_db()
    changed.refresh_from_db()
    assert kept.attended is True and changed.attended is False


# --- the check-in list -----------------------------------------------------------------------


def test_the_check_in_list_has_confirmed_people_by_name(client, coordinator):
    event = EventFactory(
        title="Forum Lisboa",
        time_zone="Europe/Lisbon",
        starts_at=dt.datetime(2030, 7, 1, 8, 30, tzinfo=UTC),
        ends_at=dt.datetime(2030, 7, 1, 12, 0, tzinfo=UTC),
    )
    zoe = RegistrationFactory(event=event, user__name="Zoë Zed")
    anna = RegistrationFactory(event=event, user__name="anna Alpha")
    RegistrationFactory(event=event, status=Status.WAITLISTED, user__name="Wanda Waiting")
    RegistrationFactory(event=event, status=Status.CANCELLED, user__name="Carl Cancelled")
    client.force_login(coordinator)
    response = client.get(reverse("events:check-in", args=[event.pk]))
    body = text(response)
    assert [r.pk for r in response.context["people"]] == [anna.pk, zoe.pk]
    assert "Wanda Waiting" not in body and "Carl Cancelled" not in body
    assert zoe.city.name in body and "tick-box" in body
    assert "Monday 1 July 2030, 09:30" in body and "(Europe/Lisbon)" in body  # WEST, UTC+1


def test_printing_leaves_out_the_site_chrome():
    css = (Path(netzerohub.__file__).parent / "static/css/portal.css").read_text()
    printed = css[css.index("@media print") :]
    assert ".site-header" in printed and ".site-footer" in printed


# --- the admin -------------------------------------------------------------------------------


def test_registration_status_is_read_only_in_the_admin(client, superuser):
    registration = RegistrationFactory(status=Status.WAITLISTED)
    client.force_login(superuser)
    url = reverse("admin:events_registration_change", args=[registration.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = admin_form_data(response)
    assert "status" not in data
    data.update(status="confirmed", priority="5")
    assert client.post(url, data).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.WAITLISTED and registration.priority == 5
    assert client.get(reverse("admin:events_registration_add")).status_code == 403


def test_the_admin_saves_events_through_the_service(
    client, superuser, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=Status.WAITLISTED)
    client.force_login(superuser)
    url = reverse("admin:events_event_change", args=[event.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = admin_form_data(response)
    for name in ("starts_at", "ends_at"):  # the admin splits a date-time into two inputs
        local = timezone.localtime(data.pop(name))
        data[f"{name}_0"], data[f"{name}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
    data["capacity"] = "2"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED  # the engine ran
    # and the portal's rules hold there too
    data["venue"], data["format"] = "", "in-person"
    response = client.post(url, data)
    assert response.status_code == 200 and "venue" in response.context["adminform"].form.errors


def test_the_admin_lists_load(client, superuser, national):
    RegistrationFactory(event=national)
    client.force_login(superuser)
    for name in ("event", "registration", "calendarfeed"):
        assert client.get(reverse(f"admin:events_{name}_changelist")).status_code == 200


# --- query counts ----------------------------------------------------------------------------
# The same number of queries with few and with many rows: nothing runs per event or per person.

QUERIES = {
    "manage coordinator": 10,
    "manage facilitator": 6,
    "registrations": 8,
    "registrations facilitator": 6,
    "check-in": 8,
    "csv": 7,
    "xlsx": 7,
    "edit": 13,
}


def events_with_registrations(group, count: int) -> list[Event]:
    events = []
    for n in range(count):
        event = MeetingFactory(group=group) if n % 2 else EventFactory()
        for status in (Status.CONFIRMED, Status.WAITLISTED):
            RegistrationFactory(event=event, status=status)
        events.append(event)
    return events


def registrations_of_all_kinds(event, count: int) -> None:
    statuses = [Status.CONFIRMED, Status.WAITLISTED, Status.OFFERED, Status.CANCELLED]
    for n in range(count):
        RegistrationFactory(event=event, status=statuses[n % len(statuses)])


@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize("role", ["coordinator", "mentor"])
def test_overview_query_count(client, request, group, role, size, django_assert_num_queries):
    events_with_registrations(group, size)
    client.force_login(request.getfixturevalue(role))
    expected = QUERIES["manage coordinator" if role == "coordinator" else "manage facilitator"]
    with django_assert_num_queries(expected):
        response = client.get(reverse("events:manage"))
    assert response.status_code == 200 and len(response.context["events"]) >= size // 2


@pytest.mark.parametrize("size", [3, 16])
@pytest.mark.parametrize(
    ("page", "args"),
    [
        ("registrations", []),
        ("check-in", []),
        ("csv", ["csv"]),
        ("xlsx", ["xlsx"]),
    ],
)
def test_running_pages_query_count(
    client, coordinator, page, args, size, django_assert_num_queries
):
    event = EventFactory(capacity=size)
    registrations_of_all_kinds(event, size)
    client.force_login(coordinator)
    name = "events:registrations-export" if args else f"events:{page}"
    with django_assert_num_queries(QUERIES[page]):
        assert client.get(reverse(name, args=[event.pk, *args])).status_code == 200


@pytest.mark.parametrize("invited", [1, 8])
def test_edit_page_query_count(client, coordinator, invited, django_assert_num_queries):
    event = EventFactory(audience="invited")
    event.invited_cities.set([CityFactory() for _ in range(invited)])
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES["edit"]):
        assert client.get(reverse("events:event-edit", args=[event.pk])).status_code == 200


def test_registrations_page_query_count_for_a_facilitator(
    client, mentor, meeting, django_assert_num_queries
):
    registrations_of_all_kinds(meeting, 8)
    client.force_login(mentor)
    with django_assert_num_queries(QUERIES["registrations facilitator"]):
        assert client.get(reverse("events:registrations", args=[meeting.pk])).status_code == 200


# --- in a real browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_running_an_event_in_the_browser(live_server, page, settings):
    """A coordinator creates an event through the form (a mistake first), opens the overview,
    the registrations and the check-in list, which prints without the site's header; every page
    passes the axe scan and raises no console error (no CSP violation)."""
    settings.REQUIRE_STAFF_MFA = False
    coordinator = CoordinatorFactory(name="Cora Coordinator")
    errors = collect_console_errors(page)
    sign_in(page.context, live_server, coordinator)
    page.goto(live_server.url + reverse("events:event-create"))
    page.get_by_label("Title").fill("Forum on renovation waves")
    page.get_by_label("Time zone").select_option("Europe/Lisbon")
    page.get_by_label("Starts").fill("2030-10-28T10:00")
    page.get_by_label("Ends:", exact=True).fill("2030-10-28T09:00")
    page.get_by_role("radio", name="In person").check()
    page.get_by_label("Venue").fill("Câmara Municipal, Lisboa")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("The end must be after the start.")
    expect(page.get_by_label("Title")).to_have_value("Forum on renovation waves")
    assert_accessible(page)
    page.get_by_label("Ends:", exact=True).fill("2030-10-28T12:30")
    page.get_by_role("button", name="Save").click()
    event = Event.objects.get(title="Forum on renovation waves")
    assert event.starts_at == utc(2030, 10, 28, 10)  # Lisbon in winter: UTC+0
    for _n in range(3):
        RegistrationFactory(event=event)
    for name in ("events:manage", "events:registrations", "events:check-in", "events:event-cancel"):
        args = [] if name == "events:manage" else [event.pk]
        page.goto(live_server.url + reverse(name, args=args))
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
    expect(page.locator(".site-header")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    page.goto(live_server.url + reverse("events:check-in", args=[event.pk]))
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("table.check-in-list tbody tr")).to_have_count(3)
    assert errors == []

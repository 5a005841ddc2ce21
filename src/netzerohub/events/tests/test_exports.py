"""Registrations and attendance as CSV and XLSX: one row per registration, in the registrations
page's order, times in the event's zone, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.tests.factories import CityFactory, CountryFactory
from netzerohub.core.spreadsheets import restore_cell
from netzerohub.events.models import Registration

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status
HEADER = ["Event", "Name", "Email", "City", "Country", "Status", "Registered", "Attended"]


@pytest.fixture
def event():
    """Three registrations, one of them by a person whose name is a formula."""
    event = EventFactory(title='=HYPERLINK("http://evil.example")', time_zone="Europe/Athens")
    city = CityFactory(name="+Piraeus", country=CountryFactory(name="Greece"))
    RegistrationFactory(event=event, user__name="=cmd|' /C calc'!A0", city=city, attended=True)
    RegistrationFactory(event=event, user__name="Wendy Waiting", status=Status.WAITLISTED)
    RegistrationFactory(event=event, user__name="Carl Cancelled", status=Status.CANCELLED)
    return event


def download(client, user, event, fmt):
    client.force_login(user)
    response = client.get(reverse("events:registrations-export", args=[event.pk, fmt]))
    assert response.status_code == 200
    return response


def test_csv_has_one_row_per_registration_with_cells_neutralised(client, coordinator, event):
    response = download(client, coordinator, event, "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.csv"')
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:6] == HEADER[:6] and rows[0][6] == "Registered (Europe/Athens)"
    body = rows[1:]
    assert [row[1] for row in body] == ["'=cmd|' /C calc'!A0", "Wendy Waiting", "Carl Cancelled"]
    assert [row[5] for row in body] == ["Confirmed", "On the waitlist", "Cancelled"]
    assert [row[7] for row in body] == ["yes", "", ""]
    first = body[0]
    assert first[0] == "'" + event.title and restore_cell(first[0]) == event.title
    assert first[3] == "'+Piraeus" and first[4] == "Greece"
    # no cell starts with what a spreadsheet reads as a formula
    assert not any(cell[:1] in "=+-@" for row in body for cell in row if cell)


def test_csv_times_are_in_the_events_zone(client, coordinator, event):
    registration = Registration.objects.for_event(event).confirmed().get()
    created = dt.datetime(2030, 7, 1, 9, 15, 30, tzinfo=dt.UTC)
    Registration.objects.filter(pk=registration.pk).update(created=created)
    rows = list(
        csv.reader(
            io.StringIO(download(client, coordinator, event, "csv").content.decode("utf-8-sig"))
        )
    )
    assert rows[1][6] == "2030-07-01 12:15:30"  # Athens in summer: UTC+3


def test_xlsx_has_the_same_rows_neutralised(client, coordinator, event):
    response = download(client, coordinator, event, "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:6] == HEADER[:6]
    assert [row[1] for row in rows[1:]] == [
        "'=cmd|' /C calc'!A0",
        "Wendy Waiting",
        "Carl Cancelled",
    ]
    assert rows[1][0] == "'" + event.title and rows[1][3] == "'+Piraeus"
    assert isinstance(rows[1][6], dt.datetime)  # a real date cell, in the event's zone
    assert rows[1][7] == "yes"
    # openpyxl stores a text starting with "=" as a formula: none may be one
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_exports_of_an_empty_event_have_the_header_only(client, coordinator):
    event = EventFactory(title="Nobody yet")
    rows = list(
        csv.reader(
            io.StringIO(download(client, coordinator, event, "csv").content.decode("utf-8-sig"))
        )
    )
    assert len(rows) == 1
    sheet = load_workbook(io.BytesIO(download(client, coordinator, event, "xlsx").content)).active
    assert sheet.max_row == 1


def test_an_organiser_exports_their_event_only(client, event):
    organiser = UserFactory()
    event.organisers.add(organiser)
    other = EventFactory()
    client.force_login(organiser)
    assert (
        client.get(reverse("events:registrations-export", args=[event.pk, "csv"])).status_code
        == 200
    )
    assert (
        client.get(reverse("events:registrations-export", args=[other.pk, "csv"])).status_code
        == 404
    )

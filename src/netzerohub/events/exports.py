"""An event's registrations and attendance as files: CSV and XLSX, one row per registration in
the order the registrations page shows them. Every text cell goes through
`core.spreadsheets.neutralise`, so nothing a person typed runs as a formula."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook

from netzerohub.core.spreadsheets import neutralise

from .models import Event, Registration

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def registrations_of(event: Event):
    """The event's registrations with what a row shows, in the running order."""
    return (
        Registration.objects.for_event(event)
        .running_order()
        .select_related("user", "city__country")
    )


def _attended(value: bool | None) -> str:
    return {True: _("yes"), False: _("no"), None: ""}[value]


def header(event: Event) -> list[str]:
    return [
        _("Event"),
        _("Name"),
        _("Email"),
        _("City"),
        _("Country"),
        _("Status"),
        _("Registered (%(zone)s)") % {"zone": event.time_zone},
        _("Attended"),
    ]


def rows(event: Event) -> list[list[Any]]:
    """The rows of the file: texts neutralised, the registration time in the event's zone."""
    zone = event.zone
    result = []
    for registration in registrations_of(event):
        user, city = registration.user, registration.city
        result.append(
            [
                neutralise(event.title),
                neutralise(user.name),
                neutralise(user.email),
                neutralise(city.name),
                neutralise(city.country.name),
                str(registration.get_status_display()),
                registration.created.astimezone(zone).replace(tzinfo=None, microsecond=0),
                str(_attended(registration.attended)),
            ]
        )
    return result


def registrations_file(event: Event, file_format: str) -> HttpResponse:
    """The registrations of `event` as a CSV or XLSX download."""
    name = f"registrations-{event.pk}-{slugify(event.title)[:50] or 'event'}.{file_format}"
    lines = rows(event)
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header(event))
        for line in lines:
            line[6] = line[6].strftime("%Y-%m-%d %H:%M:%S")
            writer.writerow(line)
        body: bytes = buffer.getvalue().encode("utf-8-sig")  # the BOM: spreadsheets read UTF-8
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Registrations"))
        sheet.append(header(event))
        for line in lines:
            sheet.append(line)
        output = io.BytesIO()
        workbook.save(output)
        body = output.getvalue()
    response = HttpResponse(body, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

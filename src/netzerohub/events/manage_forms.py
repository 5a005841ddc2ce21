"""Forms of the people who run events: the event form (meetings and national events), the
filters of the overview, cancelling, and attendance.

Times are typed as local date-times in the event's own time zone and stored in UTC: the form
converts both ways, and refuses a local time that does not exist on that day (the clocks jump
forward) or that happens twice (the clocks go back) rather than guessing.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from netzerohub.cities.forms import country_choices
from netzerohub.cities.models import City, Country
from netzerohub.core.languages import LANGUAGE_CHOICES
from netzerohub.core.models import Term
from netzerohub.core.text import fold

from . import services
from .models import Event, Registration

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_INVITED_LINES = 500
_ID_AT_END = re.compile(r"(?:^|#)\s*(\d{1,9})\s*$")
_NAME_AND_COUNTRY = re.compile(r"^(?P<name>.*?)\s*(?:[,(]\s*(?P<code>[A-Za-z]{2})\s*\)?)?$")


class LocalDateTimeField(forms.DateTimeField):
    """A date and time as typed (`2027-03-28T10:00`), without a time zone: the form reads it in
    the zone the event is announced in."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            result = parse_datetime(text)
        except ValueError:
            result = None
        if result is None:
            # the formats of the locale ("2027-03-28 10:00"), tried by the base temporal field
            result = super(forms.DateTimeField, self).to_python(text)
        if not FIRST_YEAR <= result.year <= LAST_YEAR:
            raise ValidationError(
                gettext("Give a date between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
                code="out_of_range",
            )
        return result


def to_utc(local: datetime, zone_name: str) -> datetime:
    """`local` (a wall-clock time in `zone_name`) as an aware UTC time; ValidationError when that
    wall-clock time does not exist or is ambiguous there. An aware `local` is taken as is."""
    if timezone.is_aware(local):
        return local.astimezone(UTC)
    zone = zoneinfo.ZoneInfo(zone_name)
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    values = {"time": local.strftime("%H:%M"), "day": local.strftime("%Y-%m-%d"), "zone": zone_name}
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if back != local:
            raise ValidationError(
                gettext(
                    "%(time)s does not exist on %(day)s in %(zone)s: the clocks move forward "
                    "then. Choose another time."
                )
                % values,
                code="nonexistent",
            )
        raise ValidationError(
            gettext(
                "%(time)s happens twice on %(day)s in %(zone)s: the clocks go back then. "
                "Choose a time outside that hour."
            )
            % values,
            code="ambiguous",
        )
    return first.astimezone(UTC)


def to_local(moment: datetime | None, zone_name: str) -> datetime | None:
    """An aware `moment` as the wall-clock time of `zone_name`, for the form to show back."""
    if moment is None:
        return None
    return moment.astimezone(zoneinfo.ZoneInfo(zone_name)).replace(tzinfo=None)


class InvitedCitiesField(forms.CharField):
    """Cities named one per line: by name (`Ghent`), by name and country (`Valencia, ES` or
    `Valencia (ES)`), or by their number in the directory (`#1234` or `1234`)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def clean(self, value: Any) -> list[City]:
        text = super().clean(value) or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_INVITED_LINES:
            raise ValidationError(
                gettext("Invite at most %(count)s cities.") % {"count": MAX_INVITED_LINES}
            )
        found: dict[int, City] = {}
        problems: list[str] = []
        for line in lines:
            city, problem = _find_city(line)
            if city is None:
                problems.append(problem)
            else:
                found.setdefault(city.pk, city)
        if problems:
            raise ValidationError(problems[:10])
        return list(found.values())


def _find_city(line: str) -> tuple[City | None, str]:
    by_id = _ID_AT_END.search(line)
    if by_id:
        city = City.objects.filter(pk=int(by_id.group(1))).first()
        if city is not None:
            return city, ""
        if line.lstrip("#").strip().isdigit():
            return None, gettext("No city has the number %(id)s.") % {"id": by_id.group(1)}
    match = _NAME_AND_COUNTRY.match(line)
    name, code = (match.group("name"), match.group("code")) if match else (line, None)
    key = fold(name[:200])
    if not key:
        return None, gettext("“%(line)s” is not a city name.") % {"line": line[:100]}
    cities = City.objects.filter(name_folded=key).select_related("country")
    if code:
        cities = cities.filter(country__code=code.upper())
    matches = list(cities.order_by("-population", "id")[:20])
    countries = {city.country_id for city in matches}
    if not matches:
        return None, gettext("No city is called “%(line)s”.") % {"line": line[:100]}
    if len(countries) > 1:
        return None, gettext(
            "“%(line)s” names cities in several countries: add the country code, e.g. "
            "“%(name)s, %(code)s”, or give the city's number."
        ) % {"line": line[:100], "name": matches[0].name, "code": matches[0].country.code}
    return matches[0], ""  # one country: the most populous city of that name


def describe_city(city: City) -> str:
    """How the invited-cities box shows a city back: `Ghent (BE) #1234`."""
    return f"{city.name} ({city.country.code}) #{city.pk}"


class EventForm(forms.ModelForm):
    """One form for a group's meeting, a national event and a study visit.

    Build it with an `Event` whose `kind` (and, for a meeting, `group`) is already set. The local
    start, end and deadline are read in the chosen time zone; `services.validate_event` runs on
    the result, and its errors land on the fields they name.
    """

    starts_at = LocalDateTimeField(label=_("Starts"), help_text=_("In the event's time zone."))
    ends_at = LocalDateTimeField(label=_("Ends"), help_text=_("In the event's time zone."))
    registration_deadline = LocalDateTimeField(
        label=_("Registration closes"),
        required=False,
        help_text=_("In the event's time zone. Empty: registration closes at the start."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("The languages spoken at the event. Hold Ctrl (or ⌘) for several."),
    )
    video_url = forms.URLField(
        label=_("Video link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Shown only to registered participants."),
    )
    recording_url = forms.URLField(
        label=_("Recording"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Added after the event."),
    )
    invited_cities = InvitedCitiesField(
        label=_("Invited cities"),
        required=False,
        help_text=_(
            "For an event open to invited cities: one city per line, by name (add the country "
            "code when the name is not unique, e.g. “Valencia, ES”) or by its number (#1234)."
        ),
    )

    class Meta:
        model = Event
        fields = [
            "title", "summary", "agenda", "phase", "country", "languages", "fields", "levers",
            "format", "venue", "video_url", "time_zone", "capacity", "seats_per_city",
            "offer_hours", "audience", "materials", "recording_url", "status",
        ]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
            "agenda": forms.Textarea(attrs={"rows": 8}),
            "materials": forms.Textarea(attrs={"rows": 4}),
            "fields": forms.CheckboxSelectMultiple,
            "levers": forms.CheckboxSelectMultiple,
            "format": forms.RadioSelect,
            "audience": forms.RadioSelect,
        }

    # The order of the page (the local times after the format and venue).
    ORDER = [
        "title", "summary", "agenda", "phase", "status", "format", "venue", "video_url",
        "time_zone", "starts_at", "ends_at", "registration_deadline", "country", "languages",
        "fields", "levers", "audience", "invited_cities", "capacity", "seats_per_city",
        "offer_hours", "materials", "recording_url",
    ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        event: Event = self.instance
        self.fields["fields"].queryset = Term.objects.fields()
        self.fields["levers"].queryset = Term.objects.levers()
        self.fields["country"].queryset = Country.objects.in_directory().order_by("name")
        self.fields["country"].empty_label = _("No particular country")
        self.fields["status"].choices = [
            (value, label) for value, label in Event.Status.choices if value != "cancelled"
        ]
        self.fields["status"].help_text = _(
            "A draft is seen only by the people who run it; publishing opens registration."
        )
        if event.is_meeting:
            self.fields["phase"].queryset = event.group.phases.all()
            self.fields["phase"].empty_label = _("No particular phase")
            del self.fields["audience"], self.fields["invited_cities"]
        elif event.kind == Event.Kind.STUDY_VISIT:
            # Open to the cities accepted in the offer's call: the audience is fixed.
            del self.fields["phase"], self.fields["audience"], self.fields["invited_cities"]
            self.fields["venue"].help_text = _("Where the visit takes place: the address.")
        else:
            del self.fields["phase"]
            self.fields["audience"].choices = [
                (value, label)
                for value, label in Event.Audience.choices
                if value not in ("group", "call")
            ]
        zone = event.time_zone
        for name in ("starts_at", "ends_at", "registration_deadline"):
            self.initial[name] = to_local(getattr(event, name), zone)
        if "invited_cities" in self.fields and event.pk:
            cities = event.invited_cities.select_related("country").order_by("name")
            self.initial["invited_cities"] = "\n".join(describe_city(c) for c in cities)
        self.order_fields(self.ORDER)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        zone = data.get("time_zone")
        for name in ("starts_at", "ends_at", "registration_deadline"):
            local = data.get(name)
            if name in self.errors or zone is None:
                continue
            try:
                setattr(self.instance, name, to_utc(local, zone) if local else None)
            except ValidationError as error:
                self.add_error(name, error)
        return data

    def _post_clean(self) -> None:
        super()._post_clean()
        # The service's rules run even when other fields have errors, so that every mistake is
        # shown at once; a rule about a field that already has an error (or that compares with
        # a start that could not be read) waits for that one to be fixed.
        try:
            services.validate_event(self.instance)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                blocked = set(self.errors)
                if "starts_at" in blocked:
                    blocked |= {"ends_at", "registration_deadline"}
                kept = {f: e for f, e in error.error_dict.items() if f not in blocked}
                if kept:
                    self.add_service_error(ValidationError(kept))
            else:
                self.add_service_error(error)

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the fields it names (others above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)

    def related(self) -> dict[str, list[Any]]:
        """The many-to-many values, for `services.save_event(..., m2m=...)`."""
        names = ("fields", "levers", "invited_cities")
        return {name: self.cleaned_data[name] for name in names if name in self.fields}


class ManageFilterForm(forms.Form):
    """The overview's filters. Invalid values are dropped, never an error page."""

    WHEN = [("upcoming", _("Upcoming")), ("past", _("Past"))]

    when = forms.ChoiceField(label=_("When"), choices=WHEN, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Event.Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Event.Status.choices], required=False
    )
    group = forms.ChoiceField(label=_("Peer group"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args: Any, groups: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All groups")), *((g.slug, g.title) for g in groups)]
        self.fields["country"].choices = country_choices(str(_("All countries")))

    def filters(self) -> dict[str, str]:
        """The valid filters only (an invalid field is ignored rather than failing the page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: "" if name in self.errors else data.get(name) or "" for name in self.fields}


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to everyone registered)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


ATTENDED_CHOICES = [("yes", _("Attended")), ("no", _("Absent")), ("", _("Not recorded"))]
ATTENDED_VALUES = {"yes": True, "no": False, "": None}


class AttendanceForm(forms.Form):
    """One radio group (`r<id>`) per confirmed registration."""

    def __init__(self, *args: Any, registrations: list[Registration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            initial = {True: "yes", False: "no", None: ""}[registration.attended]
            self.fields[f"r{registration.pk}"] = forms.ChoiceField(
                label=str(registration.user),
                choices=ATTENDED_CHOICES,
                required=False,
                initial=initial,
                widget=forms.RadioSelect,
            )

    def attendance(self) -> dict[int, bool | None]:
        """{registration id: attended} for the rows the form sent (absent rows are left alone)."""
        return {
            registration.pk: ATTENDED_VALUES[self.cleaned_data[f"r{registration.pk}"]]
            for registration in self.registrations
            if f"r{registration.pk}" in self.data
        }

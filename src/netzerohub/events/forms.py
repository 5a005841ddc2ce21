"""Forms of the public side of events: the calendar's filters and registering for an event.

(The forms of the people who run events are in `manage_forms`.)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netzerohub.cities.forms import country_choices
from netzerohub.cities.models import City
from netzerohub.cities.policies import approved_memberships
from netzerohub.core.languages import LANGUAGE_CHOICES
from netzerohub.core.models import Term

from .filters import LIST_VIEW, MONTH_VIEW, CalendarFilters
from .models import Event
from .policies import registration_cities, registration_refusal

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
# Months outside these years are refused: nobody plans events there, and the date arithmetic of
# the grid must not reach the limits of `datetime`.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (what `<input type="month">` sends); cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2027-03", "size": 8})
    default_error_messages = {"invalid": _("Enter a month as year-month, for example 2027-03.")}

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value).strip()
        if not text:
            return None
        match = _MONTH.match(text)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match[1]), int(match[2])
        if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return dt.date(year, month, 1)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.strftime("%Y-%m")
        return value


class CalendarFilterForm(forms.Form):
    """The calendar's filters, read from the address. An invalid value is shown with its error
    next to the field and ignored (the calendar still answers)."""

    view = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[(LIST_VIEW, _("List")), (MONTH_VIEW, _("Month"))],
    )
    # A code checked against the cached list of countries (as the city directory does).
    country = forms.CharField(
        label=_("Country"),
        required=False,
        max_length=2,
        error_messages={"max_length": _("Choose one of the listed countries.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("All languages")), *LANGUAGE_CHOICES],
        error_messages={"invalid_choice": _("Choose one of the listed languages.")},
    )
    field = forms.ChoiceField(
        label=_("Field of action"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the listed fields of action.")},
    )
    lever = forms.ChoiceField(
        label=_("Lever of change"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the listed levers of change.")},
    )
    month = MonthField(label=_("Month"), required=False, help_text=_("Year-month, e.g. 2027-03."))
    day = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = Term.objects.labels()  # cached
        self.fields["field"].choices = [
            ("", _("All fields of action")),
            *labels.get("field", {}).items(),
        ]
        self.fields["lever"].choices = [
            ("", _("All levers of change")),
            *labels.get("lever", {}).items(),
        ]

    def country_options(self) -> list[tuple[str, str]]:
        return country_choices(str(_("All countries")))

    def clean_country(self) -> str:
        code = self.cleaned_data["country"].upper()
        if code and code not in {value for value, _label in self.country_options()}:
            raise forms.ValidationError(_("Choose one of the listed countries."))
        return code

    def clean_day(self) -> dt.date | None:
        day = self.cleaned_data.get("day")
        if day is not None and not (FIRST_YEAR <= day.year <= LAST_YEAR):
            raise forms.ValidationError(_("Enter a valid date."))
        return day

    def filters(self) -> CalendarFilters:
        """The valid filters only (an invalid field is ignored rather than failing the page)."""
        if not self.is_bound:
            return CalendarFilters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return CalendarFilters(
            view=data.get("view") or LIST_VIEW,
            country=data.get("country", ""),
            language=data.get("language", ""),
            field=data.get("field", ""),
            lever=data.get("lever", ""),
            month=data.get("month"),
            day=data.get("day"),
        )


class RegistrationForm(forms.Form):
    """Register for an event on behalf of one of one's cities.

    `cities` are those the person may register for (`registration_cities`); with exactly one,
    the page sends it as a hidden field and an empty value means that city. A forged id, a city
    of someone else or a city outside the event's audience is refused with the reason.
    """

    city = forms.IntegerField(
        label=_("Register for the city"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "invalid": _("Choose one of your cities."),
            "min_value": _("Choose one of your cities."),
            "max_value": _("Choose one of your cities."),
        },
    )

    def __init__(self, *args: Any, user: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.event = event
        self.cities = registration_cities(user, event)

    def refusal(self) -> str:
        """Why the person cannot register for any of their cities."""
        member_of = list(approved_memberships(self.user))
        city = City.objects.filter(pk__in=member_of).select_related("country").first()
        return registration_refusal(self.event, self.user, city) or str(
            _("You can register only for a city you are a member of.")
        )

    def clean_city(self) -> City:
        value = self.cleaned_data.get("city")
        by_id = {city.pk: city for city in self.cities}
        if value is None:
            if len(self.cities) == 1:
                return self.cities[0]
            if not self.cities:
                raise forms.ValidationError(self.refusal())
            raise forms.ValidationError(_("Choose the city you register for."))
        if value in by_id:
            return by_id[value]
        if value in approved_memberships(self.user):
            city = City.objects.select_related("country").get(pk=value)
            reason = registration_refusal(self.event, self.user, city)
            if reason:
                raise forms.ValidationError(reason)
        raise forms.ValidationError(_("Choose one of your cities."))

    def first_error(self) -> str:
        return next(iter(self.errors.get("city", [])), str(_("Choose one of your cities.")))

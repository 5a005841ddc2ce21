from django import forms
from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from netzerohub.core.languages import LANGUAGE_CHOICES

from .models import City, CityProposal, Country
from .population import BANDS, bounds
from .querysets import SEARCH_MAX_CHARS

POPULATION_BANDS = [("", _("Any population")), *BANDS]


COUNTRY_CHOICES_SECONDS = 600


def country_choices(empty_label: str) -> list[tuple[str, str]]:
    """The directory's countries for a filter; cached (countries change only with the loader)."""
    countries = cache.get_or_set(
        "cities.directory_countries",
        lambda: list(Country.objects.in_directory().values_list("code", "name")),
        COUNTRY_CHOICES_SECONDS,
    )
    return [("", empty_label), *countries]


class SearchField(forms.CharField):
    """Search text cut to the search limit rather than refused: an over-long query (or one with
    a NUL byte) still searches, instead of being dropped and listing every city."""

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "")[:SEARCH_MAX_CHARS]


class DirectoryFilterForm(forms.Form):
    """The directory's filters. Invalid values are dropped, never an error page."""

    q = SearchField(label=_("Search by name"), required=False, max_length=SEARCH_MAX_CHARS)
    # A code checked against the cached list, not a ChoiceField: building 60-odd choices on every
    # request was the most expensive part of the directory page.
    country = forms.CharField(label=_("Country"), required=False, max_length=2)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *City.Status.choices]
    )
    population = forms.ChoiceField(label=_("Population"), required=False, choices=POPULATION_BANDS)

    def clean_country(self) -> str:
        code = self.cleaned_data["country"].upper()
        if code and code not in {value for value, _label in self.country_options()}:
            raise forms.ValidationError(_("Choose one of the listed countries."))
        return code

    def country_options(self) -> list[tuple[str, str]]:
        return country_choices(str(_("All countries")))

    def filters(self) -> dict[str, object]:
        """The valid filters only (an invalid field is ignored rather than failing the page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        low, high = bounds(data.get("population") or "")
        return {
            "q": data.get("q", ""),
            "country": data.get("country", ""),
            "status": data.get("status", ""),
            "population_low": low,
            "population_high": high,
        }


def _https_url_fields(field, **kwargs):
    """Model form fields, with URLs typed without a scheme read as https (Django 6's default)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class CityProfileForm(forms.ModelForm):
    working_languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to pick several."),
    )

    class Meta:
        model = City
        formfield_callback = _https_url_fields
        fields = [
            "population",
            "target_year",
            "com_signatory",
            "com_year",
            "national_initiatives",
            "pledges_other",
            "working_languages",
            "website",
            "contact_name",
            "contact_email",
        ]
        widgets = {
            "national_initiatives": forms.Textarea(attrs={"rows": 3}),
            "pledges_other": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "target_year": _("The year your city aims to be climate neutral (e.g. 2030 or 2050)."),
            "national_initiatives": _(
                "National climate-neutrality initiatives your city takes part in."
            ),
        }

    def clean(self):
        data = super().clean()
        if data.get("com_year") and not data.get("com_signatory"):
            self.add_error(
                "com_signatory", _("Tick this if your city signed the Covenant of Mayors.")
            )
        return data


class CityStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=City.Status.choices)


class JoinForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the city's lead (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the person)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposalForm(forms.ModelForm):
    class Meta:
        model = CityProposal
        formfield_callback = _https_url_fields
        fields = ["name", "country", "population", "website", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = Country.objects.in_directory()


class MergeForm(forms.Form):
    city = forms.IntegerField(label=_("Directory id of the existing city"), min_value=1)

    def clean_city(self) -> City:
        city = City.objects.filter(pk=self.cleaned_data["city"]).first()
        if city is None:
            raise forms.ValidationError(_("No city has this id."))
        return city


class EligibilityForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    city = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [
            ("", _("Choose a country")),
            *Country.objects.values_list("code", "name"),
        ]

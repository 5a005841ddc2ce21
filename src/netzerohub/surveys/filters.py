"""The groups a survey's submitted responses are read in: country, population band, city status
and readiness stage (stored on each response when it is submitted). One form serves the analytics
page, its cross-tabs and the exports, so that a download holds exactly what the page shows."""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from netzerohub.assessment.models import Stage
from netzerohub.cities.models import City, Country
from netzerohub.cities.population import BANDS
from netzerohub.core import versions

from .models import Response, Survey

# The dimensions a question can be cross-tabulated by: {key: (response field, label)}.
DIMENSIONS = {
    "country": ("country_id", _("Country")),
    "band": ("population_band", _("Population band")),
    "status": ("city_status", _("City status")),
    "stage": ("readiness_stage", _("Readiness stage")),
}


def stage_choices() -> list[tuple[str, str]]:
    """Readiness stages by key (the label of the newest questionnaire version that has it)."""
    labels: dict[str, str] = {}
    for key, label in Stage.objects.order_by("-questionnaire_id", "position").values_list(
        "key", "label"
    ):
        labels.setdefault(key, label)
    return list(labels.items())


def dimension_labels(dimension: str) -> dict[str, str]:
    """{stored value: label} of a dimension's values ("" is "not known")."""
    if dimension == "country":
        return {str(pk): name for pk, name in Country.objects.values_list("pk", "name")}
    if dimension == "band":
        return {key: str(label) for key, label in BANDS}
    if dimension == "status":
        return {key: str(label) for key, label in City.Status.choices}
    if dimension == "stage":
        return dict(stage_choices())
    raise ValueError(dimension)


def country_choices(survey: Survey) -> list[tuple[str, str]]:
    """(code, name) of the countries the survey's responses come from, cached per version of
    its responses (a distinct over them costs a scan)."""
    from .services import responses_version

    key = f"surveys:filter-countries:{survey.pk}:{versions.current(responses_version(survey.pk))}"
    choices = cache.get(key)
    if choices is None:
        countries = Country.objects.filter(
            pk__in=Response.objects.filter(survey=survey)
            .exclude(country=None)
            .values("country_id")
            .distinct()
        ).order_by("name")
        choices = [(c.code, c.name) for c in countries]
        cache.set(key, choices, 3600)
    return choices


class ResponseFilter(forms.Form):
    """GET parameters `country` (a country code), `band`, `status`, `stage`; each optional."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    band = forms.ChoiceField(
        label=_("Population band"), required=False, choices=[("", _("Any size")), *BANDS]
    )
    status = forms.ChoiceField(
        label=_("City status"),
        required=False,
        choices=[("", _("Any status")), *City.Status.choices],
    )
    stage = forms.ChoiceField(label=_("Readiness stage"), required=False)

    def __init__(self, data=None, *, survey: Survey, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.survey = survey
        self.fields["country"].choices = [("", _("Any country")), *country_choices(survey)]
        self.fields["stage"].choices = [("", _("Any stage")), *stage_choices()]

    def lookups(self) -> dict[str, str]:
        """The response lookups of the valid, non-empty filters (none when the form is invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        lookups = {}
        if data.get("country"):
            lookups["country__code"] = data["country"]
        if data.get("band"):
            lookups["population_band"] = data["band"]
        if data.get("status"):
            lookups["city_status"] = data["status"]
        if data.get("stage"):
            lookups["readiness_stage"] = data["stage"]
        return lookups

    def apply(self, responses: QuerySet[Response]) -> QuerySet[Response]:
        return responses.filter(**self.lookups())

    def key(self) -> tuple[tuple[str, str], ...]:
        """The filters as a cache-key part."""
        return tuple(sorted(self.lookups().items()))

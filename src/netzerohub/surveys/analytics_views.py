"""The coordinators' analytics page of a survey, and the route of its exports (written in
`exports.py`).

One GET form filters the responses (country, population band, city status, readiness stage) and
chooses a cross-tab (a question by a dimension); it works without JavaScript, and with htmx only
the results are fetched again. Every question has a bar chart (Chart.js, drawn by
`static/surveys/charts.js` from one JSON island) and a table with the same numbers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.core.policies import coordinator_only

from . import analytics, answering
from .filters import DIMENSIONS, ResponseFilter
from .models import Question, Survey
from .policies import get_survey_for_user


@coordinator_only
def export(request: HttpRequest, slug: str, fmt: str) -> Any:
    """The CSV or XLSX export with the page's filters (`exports.export_view`)."""
    from . import exports  # noqa: PLC0415 — exports.py is written by its own owner

    return exports.export_view(request, slug, fmt)


class CrossTabForm(forms.Form):
    """`question` (a choice or a scale of the survey) by `by` (a dimension); both or neither."""

    question = forms.TypedChoiceField(label=_l("Question"), required=False, coerce=int)
    by = forms.ChoiceField(label=_l("By"), required=False)

    def __init__(self, data=None, *, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.questions = {q.pk: q for q in questions}
        self.fields["question"].choices = [
            ("", _l("Choose a question")),
            *((q.pk, _short(q.text)) for q in questions),
        ]
        self.fields["by"].choices = [
            ("", _l("Choose a group")),
            *((key, label) for key, (_field, label) in DIMENSIONS.items()),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("question")) != bool(data.get("by")):
            raise forms.ValidationError(_("Choose both a question and a group to compare."))
        return data

    def chosen(self) -> tuple[Question, str] | None:
        if not self.is_bound or not self.is_valid() or not self.cleaned_data.get("question"):
            return None
        return self.questions[self.cleaned_data["question"]], self.cleaned_data["by"]


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


MEASURES = {
    "count": _l("Responses"),
    "mean": _l("Mean"),
    "first": _l("Ranked first"),
}


def _summary(question: Question, chart: dict[str, Any]) -> str:
    """The chart's text alternative, for its aria-label."""
    pairs = "; ".join(
        f"{label}: {value:g}" if isinstance(value, float) else f"{label}: {value}"
        for label, value in zip(chart["labels"], chart["values"], strict=True)
    )
    return _("Bar chart of “%(question)s” (%(measure)s). %(pairs)s") % {
        "question": _short(question.text),
        "measure": MEASURES[chart["measure"]],
        "pairs": pairs,
    }


def _items(survey: Survey, numbers: analytics.Analytics) -> dict[str, Any]:
    """Per section, its questions with their numbers, rows paired with options (`sections`),
    and the charts' data by canvas key (`charts`)."""
    charts: dict[str, Any] = {}
    sections: dict[int, dict[str, Any]] = {}
    for section in survey.sections.all():
        sections[section.pk] = {"section": section, "questions": []}
    for question in survey.questions.all():
        stats = numbers.questions[question.pk]
        options = {o.pk: o for o in question.options.all()}
        item: dict[str, Any] = {
            "question": question,
            "stats": stats,
            "rows": [(row, options.get(row.option_id)) for row in stats.rows],
        }
        chart = stats.chart if stats.answered else None
        if chart is not None:
            key = f"q{question.pk}"
            chart["label"] = str(MEASURES[chart["measure"]])
            if chart["measure"] == "mean":
                chart["min"], chart["max"] = question.scale_min, question.scale_max
            charts[key] = chart
            item["chart_key"] = key
            item["summary"] = _summary(question, chart)
        sections[question.section_id]["questions"].append(item)
    return {"sections": [s for s in sections.values() if s["questions"]], "charts": charts}


def _filter_query(filters: ResponseFilter) -> str:
    """The valid filters as a query string, for the download links."""
    if not filters.is_bound or not filters.is_valid():
        return ""
    return urlencode({name: value for name, value in filters.cleaned_data.items() if value})


def _fragment_key(request: HttpRequest, survey: Survey, filters: ResponseFilter) -> str:
    get_token(request)  # the CSRF secret, made if the person has none yet
    return analytics.cache_key(
        "page",
        survey.pk,
        sorted(filters.lookups().items()),
        request.META.get("CSRF_COOKIE", ""),
        get_language(),
    )


@coordinator_only
def analytics_page(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_survey_for_user(request.user, slug, "analyse")
    structure = answering.structure(survey.pk)
    data = request.GET or None
    filters = ResponseFilter(data, survey=survey)
    crossable = [q for q in structure.questions.all() if q.kind in analytics.CROSSTAB_KINDS]
    cross = CrossTabForm(data, questions=crossable)
    numbers = analytics.survey_analytics(survey, filters)
    chosen = cross.chosen()
    crosstab = None
    if chosen is not None:
        crosstab = analytics.crosstab(survey, chosen[0], chosen[1], filters)
    context = {
        "survey": survey,
        "filters": filters,
        "cross": cross,
        "crosstab": crosstab,
        "crosstab_question": chosen[0] if chosen else None,
        "crosstab_dimension": DIMENSIONS[chosen[1]][1] if chosen else "",
        "numbers": numbers,
        "rates": analytics.response_rates(survey),
        "heat": analytics.heat_map(survey, filters),
        # The questions' part is a cached fragment (rendering 60 questions is most of a warm
        # request): read only when it is rendered. Its forms (the insights' draft buttons)
        # carry a CSRF token, so it is cached per person's CSRF secret as well.
        "items": SimpleLazyObject(lambda: _items(structure, numbers)),
        "fragment": _fragment_key(request, survey, filters),
        "filter_query": _filter_query(filters),
        "filter_errors": filters.is_bound and not filters.is_valid(),
        "words_sample": analytics.WORDS_SAMPLE,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "surveys/analytics/_results.html" if partial else "surveys/analytics/page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


urlpatterns = [
    path("manage/<slug:slug>/analytics/", analytics_page, name="analytics"),
    path("manage/<slug:slug>/export.<str:fmt>", export, name="export"),
]

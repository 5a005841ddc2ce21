"""A survey's submitted responses as a file: CSV or XLSX, one row per response, one column per
question — or per option where a question has several values — headed by the question's text
and the option's label, never by codes.

Columns, after the response's id, city and groups (country, population band, city status,
readiness stage) and its submission time in the survey's zone:
- single choice: the chosen option's label, or the "other" text;
- multiple choice and the pickers of fields and levers: one column per option ("Yes" or empty),
  and an "Other" column with the text when the question allows it;
- matrix: one column per row, with the scale value; ranking: one column per item, with its rank;
- Likert scale and number: the value; short and long text: the text.
Hidden questions are included, their headers marked "(hidden)". Every text cell is neutralised
(a spreadsheet never runs it as a formula).

The export takes the analytics page's filters (`filters.ResponseFilter`), so that a download holds
what the page shows. Responses are read in batches of `BATCH` (their answers and selections in
two more queries per batch), so a survey of 10,000 responses and 600,000 answers is never in
memory at once: the CSV is streamed as it is written, the XLSX is written row by row
(openpyxl's write-only mode) into a temporary file that is then sent.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from netzerohub.cities.models import City
from netzerohub.cities.population import LABELS as BAND_LABELS
from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.policies import coordinator_only
from netzerohub.core.spreadsheets import neutralise

from . import answering
from .filters import ResponseFilter
from .models import Answer, Question, Response, Selection, Survey
from .policies import get_survey_for_user

register_labels({"surveys.exported": _l("Survey responses exported")})

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BATCH = 500  # responses read at a time (with their answers and selections)

# One response's answers as the cells read them: {question id: (number, text)} and
# {option id: value (a rank, a scale value, or None for a chosen option)}.
Answers = dict[int, tuple[Decimal | None, str]]
Chosen = dict[int, int | None]


@dataclass(frozen=True)
class Column:
    header: str
    cell: Callable[[Answers, Chosen], Any]


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# A cell without an answer is None: an empty cell of the XLSX (which openpyxl then skips
# writing) and an empty field of the CSV.


def _single(
    question_id: int, labels: dict[int, str], answers: Answers, chosen: Chosen
) -> str | None:
    for option_id, label in labels.items():
        if option_id in chosen:
            return label
    return _text(question_id, answers, chosen)


def _ticked(option_id: int, yes: str, answers: Answers, chosen: Chosen) -> str | None:
    return yes if option_id in chosen else None


def _option_value(option_id: int, answers: Answers, chosen: Chosen) -> int | None:
    return chosen.get(option_id)


def _value(question_id: int, answers: Answers, chosen: Chosen) -> int | float | None:
    found = answers.get(question_id)
    return _number(found[0]) if found else None


def _text(question_id: int, answers: Answers, chosen: Chosen) -> str | None:
    found = answers.get(question_id)
    return neutralise(found[1]) if found and found[1] else None


def question_columns(survey: Survey) -> list[Column]:
    """The columns of the survey's questions (all of them, hidden ones marked), in order.
    `survey` has its structure loaded (`answering.structure`)."""
    columns: list[Column] = []
    yes, other, hidden = _("Yes"), _("Other"), _("(hidden)")
    for number, question in enumerate(survey.questions.all(), start=1):
        title = f"Q{number} {question.text}" + (f" {hidden}" if question.hidden else "")
        options = list(question.options.all())
        kind = question.kind
        if kind == Question.Kind.SINGLE:
            labels = {o.pk: neutralise(o.label) for o in options}
            columns.append(Column(title, partial(_single, question.pk, labels)))
        elif question.is_multiple:
            for option in options:
                columns.append(
                    Column(f"{title} — {option.label}", partial(_ticked, option.pk, yes))
                )
        elif kind in (Question.Kind.MATRIX, Question.Kind.RANKING):
            for option in options:
                columns.append(
                    Column(f"{title} — {option.label}", partial(_option_value, option.pk))
                )
        elif kind in (Question.Kind.LIKERT, Question.Kind.NUMBER):
            columns.append(Column(title, partial(_value, question.pk)))
        else:
            columns.append(Column(title, partial(_text, question.pk)))
        if question.allow_other and question.is_multiple:
            columns.append(Column(f"{title} — {other}", partial(_text, question.pk)))
    return [Column(neutralise(c.header), c.cell) for c in columns]


def header(survey: Survey, columns: list[Column]) -> list[str]:
    return [
        _("Response"),
        _("City"),
        _("Country"),
        _("Population band"),
        _("City status"),
        _("Readiness stage"),
        _("Submitted (%(zone)s)") % {"zone": survey.zone.key},
        *(c.header for c in columns),
    ]


def rows(
    survey: Survey,
    responses: QuerySet[Response],
    columns: list[Column],
    stages: dict[str, str],
    *,
    batch: int | None = None,
) -> Iterator[list[Any]]:
    """The rows of `responses` (submitted ones of `survey`, filtered), in the order of their ids;
    the submission time a naive date-time in the survey's zone. Three queries per batch."""
    size = batch or BATCH
    zone = survey.zone
    statuses = {key: str(label) for key, label in City.Status.choices}
    bands = {key: str(label) for key, label in BAND_LABELS.items()}
    last = 0
    while True:
        found = list(
            responses.filter(pk__gt=last)
            .order_by("pk")
            .values_list(
                "pk",
                "city__name",
                "country__name",
                "population_band",
                "city_status",
                "readiness_stage",
                "submitted_at",
            )[:size]
        )
        if not found:
            return
        ids = [row[0] for row in found]
        answers: dict[int, Answers] = {pk: {} for pk in ids}
        chosen: dict[int, Chosen] = {pk: {} for pk in ids}
        for response_id, question_id, number, text in (
            Answer.objects.filter(response_id__in=ids)
            .values_list("response_id", "question_id", "number", "text")
            .iterator(chunk_size=2000)
        ):
            answers[response_id][question_id] = (number, text)
        for response_id, option_id, value in (
            Selection.objects.filter(response_id__in=ids)
            .values_list("response_id", "option_id", "value")
            .iterator(chunk_size=2000)
        ):
            chosen[response_id][option_id] = value
        for pk, city, country, band, status, stage, submitted in found:
            mine, picked = answers[pk], chosen[pk]
            yield [
                pk,
                neutralise(city) if city else None,
                neutralise(country) if country else None,
                bands.get(band, band) or None,
                statuses.get(status, status) or None,
                neutralise(stages.get(stage, stage)) if stage else None,
                timezone.localtime(submitted, zone).replace(tzinfo=None) if submitted else None,
                *(column.cell(mine, picked) for column in columns),
            ]
        if len(found) < size:
            return
        last = ids[-1]


class _Echo:
    """The file-like object `csv.writer` writes a row to: the row's text is handed back."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def csv_lines(head: list[str], body: Iterator[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(head)  # the mark tells spreadsheets the file is UTF-8
    for row in body:
        yield writer.writerow([_csv_cell(v) for v in row])


def _xlsx_cell(value: Any) -> Any:
    # Characters XML cannot hold (control characters typed or pasted into a text) are dropped:
    # openpyxl refuses them.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def xlsx_file(head: list[str], body: Iterator[list[Any]]) -> Any:
    """A temporary file (at its start) holding the workbook; deleted when closed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Responses"))
    sheet.freeze_panes = "B2"
    sheet.append([_xlsx_cell(v) for v in head])
    for row in body:
        sheet.append([_xlsx_cell(v) for v in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes (and so deletes) it
    workbook.save(handle)
    handle.seek(0)
    return handle


@coordinator_only
def export_view(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    """The survey's submitted responses as `fmt` (csv or xlsx), with the analytics page's
    filters; filters that are not valid send the coordinator back to the page to see why."""
    if fmt not in FORMATS:
        raise Http404
    survey = get_survey_for_user(request.user, slug, "analyse")
    form = ResponseFilter(request.GET, survey=survey)
    if not form.is_valid():
        messages.error(request, _("Those filters are not valid; nothing was exported."))
        query = request.GET.urlencode()
        url = reverse("surveys:analytics", args=[survey.slug])
        return redirect(f"{url}?{query}" if query else url)
    structure = answering.structure(survey.pk)
    columns = question_columns(structure)
    stages = {str(key): str(label) for key, label in form.fields["stage"].choices if key}
    responses = form.apply(Response.objects.filter(survey=survey).submitted())
    log_action(
        "surveys.exported",
        actor=request.user,
        target=survey,
        data={"format": fmt, "filters": dict(form.key())},
    )
    name = f"survey-{survey.slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    head = header(structure, columns)
    body = rows(structure, responses, columns, stages)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(head, body), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(
        xlsx_file(head, body),
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES["xlsx"],
    )

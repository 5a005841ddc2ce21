"""The distribution as files: CSV (one row per group and dimension) and XLSX (a sheet of
stages per group and a sheet of dimension scores). Every group is in them, with its size, so a
reader can judge small groups."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from netzerohub.core.spreadsheets import neutralise

from .distribution import Distribution
from .models import PeerStatistic

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _kind(group: str) -> str:
    return group.partition(":")[0]


def _dimension_rows(found: Distribution) -> list[list]:
    titles = {d.key: d.title for d in found.dimensions}
    labels = {g.group: g.label for g in found.rows}
    rows = []
    stats = PeerStatistic.objects.filter(questionnaire_key=found.questionnaire.key).order_by(
        "group", "dimension"
    )
    for s in stats:
        rows.append(
            [
                _kind(s.group),
                neutralise(labels.get(s.group, s.group)),
                neutralise(titles.get(s.dimension, s.dimension) if s.dimension else _("Overall")),
                s.cities,
                round(s.lower_quartile, 1),
                round(s.median, 1),
                round(s.upper_quartile, 1),
            ]
        )
    return rows


def _stage_rows(found: Distribution) -> list[list]:
    return [
        [_kind(g.group), neutralise(g.label), g.cities, *g.stages, round(g.median, 1)]
        for g in found.rows
    ]


def distribution_file(found: Distribution, file_format: str) -> HttpResponse:
    stage_header = [_("Group type"), _("Group"), _("Cities")]
    stage_header += [neutralise(s.label) for s in found.stages] + [_("Median overall score")]
    score_header = [_("Group type"), _("Group"), _("Dimension"), _("Cities")]
    score_header += [_("Lower quartile"), _("Median"), _("Upper quartile")]
    name = f"self-assessment-distribution-{timezone.localdate():%Y-%m-%d}.{file_format}"
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(score_header)
        writer.writerows(_dimension_rows(found))
        body: bytes = buffer.getvalue().encode("utf-8-sig")
    else:
        workbook = Workbook(write_only=True)
        stages = workbook.create_sheet(_("Stages"))
        stages.append(stage_header)
        for row in _stage_rows(found):
            stages.append(row)
        scores = workbook.create_sheet(_("Dimension scores"))
        scores.append(score_header)
        for row in _dimension_rows(found):
            scores.append(row)
        output = io.BytesIO()
        workbook.save(output)
        body = output.getvalue()
    response = HttpResponse(body, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

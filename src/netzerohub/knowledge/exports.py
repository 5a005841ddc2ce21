"""The catalogue as CSV, in the columns `import_resources` reads back (a round trip works)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import QuerySet

from netzerohub.core.spreadsheets import neutralise

COLUMNS = [
    "key", "title", "summary", "body", "type", "fields", "levers", "step", "countries",
    "languages", "city", "city_country", "authors", "published_on", "licence", "links",
    "visibility", "status", "attachments", "is_sample", "url",
]  # fmt: skip
LIST_SEPARATOR = ";"


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_rows(resources: QuerySet, *, chunk: int = 500) -> Iterator[str]:
    """CSV lines for `resources`, streamed: memory stays flat whatever the catalogue's size."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)  # the BOM makes spreadsheets read UTF-8
    queryset = (
        resources.select_related("city__country", "step")
        .prefetch_related("fields", "levers", "countries", "attachments")
        .order_by("pk")
    )
    for resource in queryset.iterator(chunk_size=chunk):
        row = {
            "key": resource.key,
            "title": resource.title,
            "summary": resource.summary,
            "body": resource.body,
            "type": resource.type,
            "fields": LIST_SEPARATOR.join(t.slug for t in resource.fields.all()),
            "levers": LIST_SEPARATOR.join(t.slug for t in resource.levers.all()),
            "step": resource.step.slug if resource.step_id else "",
            "countries": LIST_SEPARATOR.join(c.code for c in resource.countries.all()),
            "languages": LIST_SEPARATOR.join(resource.languages),
            "city": resource.city.name if resource.city_id else "",
            "city_country": resource.city.country.code if resource.city_id else "",
            "authors": resource.authors,
            "published_on": resource.published_on.isoformat() if resource.published_on else "",
            "licence": resource.licence,
            "links": "\n".join(f"{x['url']} {x.get('title', '')}".strip() for x in resource.links),
            "visibility": resource.visibility,
            "status": resource.status,
            "attachments": LIST_SEPARATOR.join(a.name for a in resource.attachments.all()),
            "is_sample": "yes" if resource.is_sample else "no",
            "url": resource.get_absolute_url(),
        }
        yield writer.writerow([neutralise(str(row[c])) for c in COLUMNS])

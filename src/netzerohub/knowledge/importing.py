"""Loading many resources from a CSV or JSON file, idempotent on each row's `key`.

Every row is checked before anything is written; a dry run reports the problems row by row and
writes nothing. A real run creates or updates each resource through the services (so versions,
the audit log and the search index stay right) and publishes rows whose status says so.
Attachments are files named relative to the imported file.
"""

from __future__ import annotations

import csv
import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.text import slugify

from netzerohub.cities.models import City, Country
from netzerohub.core.languages import LANGUAGE_NAMES
from netzerohub.core.models import Term
from netzerohub.core.spreadsheets import restore_cell

from . import services
from .exports import LIST_SEPARATOR
from .models import ATTACHMENT_MAX_BYTES, Attachment, Resource

REQUIRED = ("key", "title", "summary", "type")


@dataclass
class RowResult:
    number: int
    key: str
    values: dict[str, Any] = field(default_factory=dict)
    attachments: list[Path] = field(default_factory=list)
    status: str = Resource.Status.PUBLISHED
    is_sample: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowResult]
    created: int = 0
    updated: int = 0

    @property
    def errors(self) -> list[RowResult]:
        return [row for row in self.rows if row.errors]


def read_file(path: Path) -> list[dict[str, Any]]:
    """Rows of a `.json` (a list of objects) or `.csv` (a header row) file."""
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValueError("A JSON import is a list of objects, one per resource.")
        return data
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [
                {k: restore_cell(v) if isinstance(v, str) else v for k, v in row.items()}
                for row in csv.DictReader(handle)
            ]
    raise ValueError("Import a .csv or .json file.")


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(LIST_SEPARATOR) if v.strip()]


def _links(value: Any) -> list[dict[str, str]]:
    """Links as lines ("url title") or, in JSON, a list of objects or of such lines."""
    lines = value if isinstance(value, list) else str(value or "").splitlines()
    links = []
    for line in lines:
        if isinstance(line, dict):
            links.append({"url": str(line.get("url", "")), "title": str(line.get("title", ""))})
            continue
        url, _sep, title = str(line).strip().partition(" ")
        if url:
            links.append({"url": url, "title": title.strip()})
    return links


class _Lookups:
    def __init__(self) -> None:
        self.terms = {(t.kind, t.slug): t for t in Term.objects.all()}
        self.countries = {c.code: c for c in Country.objects.all()}
        self.cities: dict[tuple[str, str], City | None] = {}

    def is_attached(self, key: str, name: str) -> bool:
        """Whether the resource `key` already has a file `name` (an export read back)."""
        return bool(key) and Attachment.objects.filter(resource__key=key, name=name).exists()

    def city(self, name: str, country: str) -> City | None:
        key = (name, country.upper())
        if key not in self.cities:
            self.cities[key] = (
                City.objects.filter(name=name, country__code=country.upper())
                .order_by("-status", "-population")
                .first()
            )
        return self.cities[key]


def check_row(number: int, row: dict[str, Any], base: Path, lookups: _Lookups) -> RowResult:
    result = RowResult(number=number, key=str(row.get("key") or "").strip())
    errors = result.errors
    for name in REQUIRED:
        if not str(row.get(name) or "").strip():
            errors.append(f"'{name}' is empty")
    if result.key and slugify(result.key) != result.key:
        errors.append(f"key '{result.key}' may only hold lower-case letters, digits and hyphens")
    kind = str(row.get("type") or "")
    if kind and kind not in Resource.Type.values:
        errors.append(f"type '{kind}' is not one of {', '.join(Resource.Type.values)}")

    def terms(term_kind: str, column: str) -> list[Any]:
        found = []
        for slug in _list(row.get(column)):
            term = lookups.terms.get((term_kind, slug))
            if term is None:
                errors.append(f"{column}: unknown '{slug}'")
            else:
                found.append(term)
        return found

    step_slug = str(row.get("step") or "").strip()
    step = lookups.terms.get(("step", step_slug)) if step_slug else None
    if step_slug and step is None:
        errors.append(f"step: unknown '{step_slug}'")
    countries = []
    for code in _list(row.get("countries")):
        if code.upper() not in lookups.countries:
            errors.append(f"countries: unknown code '{code}'")
        else:
            countries.append(lookups.countries[code.upper()])
    languages = _list(row.get("languages"))
    errors.extend(f"languages: unknown code '{c}'" for c in languages if c not in LANGUAGE_NAMES)
    city = None
    city_value = row.get("city")
    if isinstance(city_value, dict):
        city_name, city_country = city_value.get("name", ""), city_value.get("country", "")
    else:
        city_name, city_country = str(city_value or ""), str(row.get("city_country") or "")
    if city_name:
        city = lookups.city(city_name.strip(), city_country.strip())
        if city is None:
            errors.append(
                f"city '{city_name}' ({city_country or 'no country'}) is not in the directory"
            )
    published_on = None
    if row.get("published_on"):
        try:
            published_on = datetime.date.fromisoformat(str(row["published_on"]))
        except ValueError:
            errors.append(f"published_on '{row['published_on']}' is not a date (YYYY-MM-DD)")
    licence = str(row.get("licence") or Resource.Licence.CC_BY)
    if licence not in Resource.Licence.values:
        errors.append(f"licence '{licence}' is not one of {', '.join(Resource.Licence.values)}")
    visibility = str(row.get("visibility") or Resource.Visibility.PUBLIC)
    if visibility not in Resource.Visibility.values:
        errors.append(f"visibility '{visibility}' is not public or members")
    status = str(row.get("status") or Resource.Status.PUBLISHED)
    if status not in {Resource.Status.DRAFT, Resource.Status.PUBLISHED, Resource.Status.ARCHIVED}:
        errors.append(f"status '{status}' is not draft, published or archived")
    links = _links(row.get("links"))
    for link in links:
        try:
            URLValidator(schemes=["http", "https"])(link["url"])
        except ValidationError:
            errors.append(f"link '{link['url'][:80]}' is not an http(s) address")
    for name in _list(row.get("attachments")):
        path = (base / name).resolve()
        if base.resolve() not in path.parents or not path.is_file():
            if lookups.is_attached(result.key, Path(name).name):
                continue  # attached before: the file need not be next to the import again
            errors.append(f"attachment '{name}' is not a file next to the imported file")
        elif path.stat().st_size > ATTACHMENT_MAX_BYTES:
            errors.append(f"attachment '{name}' is larger than 25 MB")
        else:
            result.attachments.append(path)
    result.values = {
        "title": str(row.get("title") or "").strip(),
        "summary": str(row.get("summary") or "").strip(),
        "body": str(row.get("body") or ""),
        "type": kind,
        "fields": terms("field", "fields"),
        "levers": terms("lever", "levers"),
        "step": step,
        "countries": countries,
        "languages": languages,
        "city": city,
        "authors": str(row.get("authors") or "").strip(),
        "published_on": published_on,
        "licence": licence,
        "links": links,
        "visibility": visibility,
    }
    result.status = status
    sample = row.get("is_sample")
    result.is_sample = sample is True or str(sample).lower() in {"yes", "true", "1"}
    if not errors:
        errors.extend(_model_errors(result))
    return result


def _model_errors(result: RowResult) -> list[str]:
    probe = Resource(key=result.key)
    for name, value in result.values.items():
        if name not in services.M2M_FIELDS:
            setattr(probe, name, value)
    try:
        probe.full_clean(exclude=["key", "fields", "levers", "countries"], validate_unique=False)
    except ValidationError as error:
        return [f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()]
    return []


def import_file(path: Path, *, dry_run: bool = False) -> ImportReport:
    rows = read_file(path)
    lookups = _Lookups()
    report = ImportReport(
        [check_row(n, row, path.parent, lookups) for n, row in enumerate(rows, 1)]
    )
    keys = [r.key for r in report.rows]
    for row in report.rows:
        if row.key and keys.count(row.key) > 1:
            row.errors.append(f"key '{row.key}' appears more than once in the file")
    if dry_run or report.errors:
        return report
    with transaction.atomic():
        for row in report.rows:
            _save(row, report)
    return report


def _save(row: RowResult, report: ImportReport) -> None:
    existing = Resource.objects.filter(key=row.key).first()
    if existing is None:
        resource = services.create_resource(
            actor=None, values=row.values, key=row.key, is_sample=row.is_sample
        )
        report.created += 1
    else:
        resource = existing
        current = services.snapshot(existing)
        if any(current[name] != value for name, value in _comparable(row).items()):
            resource = services.update_resource(existing, actor=None, values=row.values)
        report.updated += 1
    attached = set(resource.attachments.values_list("name", flat=True))
    for path in row.attachments:
        if path.name not in attached:
            with path.open("rb") as handle:
                services.add_attachment(resource, File(handle, name=path.name), actor=None)
    resource.refresh_from_db()
    published, archived = Resource.Status.PUBLISHED, Resource.Status.ARCHIVED
    if row.status == published and resource.status != published:
        services.publish_resource(resource, actor=None)
    elif row.status == archived and resource.status != archived:
        if resource.status != published:  # never published: publish it, then withdraw it
            resource = services.publish_resource(resource, actor=None)
        services.archive_resource(resource, actor=None)


def _comparable(row: RowResult) -> dict[str, Any]:
    """The row in `services.snapshot` form, to skip updates (and versions) that change nothing."""
    v = row.values
    return {
        "title": v["title"], "summary": v["summary"], "body": v["body"], "type": v["type"],
        "fields": sorted(t.slug for t in v["fields"]),
        "levers": sorted(t.slug for t in v["levers"]),
        "step": v["step"].slug if v["step"] else None,
        "countries": sorted(c.code for c in v["countries"]),
        "languages": v["languages"],
        "city": str(v["city"]) if v["city"] else None,
        "authors": v["authors"],
        "published_on": v["published_on"].isoformat() if v["published_on"] else None,
        "licence": v["licence"], "links": v["links"], "visibility": v["visibility"],
    }  # fmt: skip

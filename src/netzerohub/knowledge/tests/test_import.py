"""`manage.py import_resources`: CSV and JSON in, idempotent on the key, a dry run that reports
every problem row by row and writes nothing, and a round trip with the CSV export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from netzerohub.cities.tests.factories import CityFactory, CountryFactory
from netzerohub.core.models import AuditLog, SearchDocument
from netzerohub.knowledge import services
from netzerohub.knowledge.exports import COLUMNS
from netzerohub.knowledge.models import Attachment, Resource, ResourceVersion
from netzerohub.knowledge.search import SearchParams, search_resources
from netzerohub.knowledge.tests.factories import (
    AttachmentFactory,
    ResourceFactory,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db

S = Resource.Status


@pytest.fixture
def malmo(db):
    sweden = CountryFactory(code="SE", name="Sweden")
    return CityFactory(name="Malmö", country=sweden, status="mission")


def row(**values) -> dict[str, str]:
    return {
        "key": "transition-team",
        "title": "Setting up a transition team",
        "summary": "Who sits on the team and how it decides.",
        "body": "## Mandate\n\nThe mayor signs it.",
        "type": "guide",
        "fields": "energy-systems;built-environment",
        "levers": "governance-policy",
        "step": "build-a-strong-mandate",
        "countries": "SE",
        "languages": "en;sv",
        "city": "Malmö",
        "city_country": "SE",
        "authors": "Energy office",
        "published_on": "2024-03-01",
        "licence": "cc-by-4.0",
        "links": "https://example.org/terms Terms of reference",
        "visibility": "public",
        "status": "published",
        **values,
    }


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(name for r in rows for name in r))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_json(path: Path, rows: list) -> Path:
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_resources", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def found(q: str, user=None) -> list[str]:
    from django.contrib.auth.models import AnonymousUser

    hits = search_resources(user or AnonymousUser(), SearchParams(q=q)).hits
    return [hit.resource.key for hit in hits]


def nothing_written() -> bool:
    return not (
        Resource.objects.exists()
        or ResourceVersion.objects.exists()
        or Attachment.objects.exists()
        or SearchDocument.objects.exists()
        or AuditLog.objects.filter(action__startswith="knowledge.").exists()
    )


# --- creating ------------------------------------------------------------------------------------


def test_a_csv_creates_published_resources_with_their_terms_city_and_files(
    tmp_path, malmo, django_capture_on_commit_callbacks
):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "terms.pdf").write_bytes(pdf_bytes("<p>heliostat</p>"))
    path = write_csv(
        tmp_path / "resources.csv",
        [
            row(attachments="files/terms.pdf"),
            row(
                key="members-budget",
                title="A budget template",
                type="template",
                visibility="members",
                status="draft",
                city="",
                city_country="",
                fields="",
                published_on="",
            ),
        ],
    )

    with django_capture_on_commit_callbacks(execute=True):
        out, err = run(path)

    assert out.strip() == "2 rows: 2 created, 0 updated."
    assert err == ""
    team = Resource.objects.get(key="transition-team")
    assert (team.status, team.city, team.submitted_by, team.is_sample) == (
        S.PUBLISHED,
        malmo,
        None,
        False,
    )
    assert sorted(t.slug for t in team.fields.all()) == ["built-environment", "energy-systems"]
    assert [t.slug for t in team.levers.all()] == ["governance-policy"]
    assert team.step.slug == "build-a-strong-mandate"
    assert [c.code for c in team.countries.all()] == ["SE"]
    assert team.languages == ["en", "sv"]
    assert team.links == [{"url": "https://example.org/terms", "title": "Terms of reference"}]
    assert str(team.published_on) == "2024-03-01"
    attachment = team.attachments.get()
    assert (attachment.name, attachment.kind, attachment.extraction) == ("terms.pdf", "pdf", "done")
    assert [v.action for v in team.versions.order_by("number")] == [
        "created",
        "file-added",
        "published",
    ]
    assert all(v.actor is None for v in team.versions.all())
    assert found("heliostat") == ["transition-team"]
    budget = Resource.objects.get(key="members-budget")
    assert (budget.status, budget.visibility, budget.city) == (S.DRAFT, "members", None)
    assert found("budget") == []


def test_a_json_file_creates_resources_too(tmp_path, malmo):
    path = write_json(
        tmp_path / "resources.json",
        [
            {
                **row(),
                "fields": ["energy-systems"],
                "languages": ["en"],
                "city": {"name": "Malmö", "country": "SE"},
                "links": [{"url": "https://example.org", "title": "Example"}],
                "is_sample": True,
            }
        ],
    )

    out, _err = run(path)

    resource = Resource.objects.get()
    assert out.strip() == "1 rows: 1 created, 0 updated."
    assert (resource.city, resource.is_sample, resource.languages) == (malmo, True, ["en"])
    assert resource.links == [{"url": "https://example.org", "title": "Example"}]


def test_an_archived_row_is_imported_archived(tmp_path, malmo):
    path = write_csv(tmp_path / "old.csv", [row(status="archived")])

    run(path)

    resource = Resource.objects.get()
    assert resource.status == S.ARCHIVED
    assert found("transition") == []


# --- idempotent ----------------------------------------------------------------------------------


def test_a_second_run_changes_nothing_and_a_changed_row_is_updated(
    tmp_path, malmo, django_capture_on_commit_callbacks
):
    (tmp_path / "terms.pdf").write_bytes(pdf_bytes("<p>heliostat</p>"))
    rows = [row(attachments="terms.pdf"), row(key="second", title="A second guide")]
    path = write_csv(tmp_path / "resources.csv", rows)
    with django_capture_on_commit_callbacks(execute=True):
        run(path)
    versions = ResourceVersion.objects.count()
    audit = AuditLog.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        out, _err = run(path)

    assert out.strip() == "2 rows: 0 created, 2 updated."
    assert Resource.objects.count() == 2
    assert Attachment.objects.count() == 1
    assert ResourceVersion.objects.count() == versions
    assert AuditLog.objects.count() == audit

    rows[0]["title"] = "Setting up a climate transition team"
    write_csv(path, rows)
    with django_capture_on_commit_callbacks(execute=True):
        run(path)

    resource = Resource.objects.get(key="transition-team")
    assert resource.title == "Setting up a climate transition team"
    latest = resource.versions.order_by("-number").first()
    assert (latest.action, latest.changed, latest.actor) == ("edited", ["title"], None)
    assert ResourceVersion.objects.count() == versions + 1
    assert found("climate") == ["transition-team"]


# --- checking: dry run and refusals --------------------------------------------------------------


def test_a_dry_run_reports_every_problem_row_by_row_and_writes_nothing(tmp_path, malmo):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            row(key="ok"),
            row(key="unknown-type", type="novel"),
            row(key="unknown-field", fields="energy-systems;space-travel"),
            row(key="bad-date", published_on="2024-02-30"),
            row(key=""),
            row(key="twice"),
            row(key="twice"),
            row(key="unknown-city", city="Atlantis", city_country="SE"),
            row(key="bad-link", links="javascript:alert(1) click"),
            row(key="Not A Slug"),
            row(key="escape", attachments="../../etc/passwd"),
        ],
    )

    with pytest.raises(CommandError, match="10 of 11 rows have problems; nothing imported"):
        run(path, "--dry-run")

    assert nothing_written()


def dry_run_errors(path: Path) -> list[str]:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_resources", str(path), "--dry-run", stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines()


def test_the_problems_name_the_row_the_key_and_the_value(tmp_path, malmo):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            row(key="ok"),
            row(key="unknown-type", type="novel"),
            row(key="unknown-field", fields="energy-systems;space-travel"),
            row(key="bad-date", published_on="2024-02-30"),
            row(key=""),
            row(key="twice"),
            row(key="twice"),
            row(key="unknown-city", city="Atlantis", city_country="SE"),
        ],
    )

    errors = dry_run_errors(path)

    assert errors == [
        "row 2 (unknown-type): type 'novel' is not one of case-study, guide, tool, template, "
        "report, fact-sheet, webinar, dataset, contract-example",
        "row 3 (unknown-field): fields: unknown 'space-travel'",
        "row 4 (bad-date): published_on '2024-02-30' is not a date (YYYY-MM-DD)",
        "row 5 (no key): 'key' is empty",
        "row 6 (twice): key 'twice' appears more than once in the file",
        "row 7 (twice): key 'twice' appears more than once in the file",
        "row 8 (unknown-city): city 'Atlantis' (SE) is not in the directory",
    ]
    assert nothing_written()


def test_a_real_run_with_one_bad_row_imports_nothing(tmp_path, malmo):
    path = write_csv(tmp_path / "bad.csv", [row(key="fine"), row(key="broken", type="novel")])

    with pytest.raises(CommandError, match="1 of 2 rows have problems"):
        run(path)

    assert nothing_written()


def test_a_dry_run_of_a_good_file_says_so_and_writes_nothing(tmp_path, malmo):
    path = write_csv(tmp_path / "good.csv", [row(), row(key="second")])

    out, _err = run(path, "--dry-run")

    assert out.strip() == "2 rows checked: no problems. Nothing written."
    assert nothing_written()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("resources.txt", "key,title\n", "Import a .csv or .json file"),
        ("resources.json", '{"key": "x"}', "a list of objects"),
        ("resources.json", "[1, 2]", "a list of objects"),
        ("resources.json", "{not json", "resources.json"),
    ],
)
def test_a_file_that_is_not_an_import_is_refused(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        run(path)

    assert nothing_written()


def test_a_missing_or_undecodable_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        run(tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("key,title\nmalmo,Malm\xf6\n".encode("latin-1"))
    with pytest.raises(CommandError, match="latin.csv"):
        run(latin)


def test_json_values_of_the_wrong_shape_are_reported_not_crashed_on(tmp_path, malmo):
    path = write_json(
        tmp_path / "odd.json",
        [
            {**row(key="links-as-strings"), "links": ["https://example.org"]},
            {**row(key="number-date"), "published_on": 2024},
        ],
    )

    errors = dry_run_errors(path)

    assert errors == ["row 2 (number-date): published_on '2024' is not a date (YYYY-MM-DD)"]


# --- round trip with the export ------------------------------------------------------------------


def export_csv(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("knowledge:export"))
    return b"".join(response.streaming_content).decode("utf-8-sig")


def snapshots() -> dict[str, dict]:
    return {
        r.key: {**services.snapshot(r), "status": r.status, "is_sample": r.is_sample}
        for r in Resource.objects.all()
    }


@pytest.fixture
def catalogue(malmo):
    sweden = malmo.country
    return [
        ResourceFactory(
            key="heat-pumps",
            title="Heat pumps",
            body="- a list\n- of steps\n\n| a | b |\n|---|---|\n| 1 | 2 |",
            fields=["energy-systems"],
            levers=["finance-funding", "governance-policy"],
            step="act",
            countries=[sweden],
            languages=["sv", "en"],
            city=malmo,
            links=[{"url": "https://example.org/a", "title": "A, with a comma"}],
            authors='Energy office, "the team"',
            is_sample=True,
        ),
        ResourceFactory(key="members", title="Members only", members_only=True),
        ResourceFactory(key="old", title="Old one", archived=True),
        ResourceFactory(key="draft", title="Draft one", draft=True, summary="Ünïcödé 🌍 text"),
    ]


def test_export_then_import_into_the_same_catalogue_changes_nothing(
    client, tmp_path, catalogue, coordinator
):
    AttachmentFactory(resource=catalogue[0], name="plan.pdf")
    path = tmp_path / "export.csv"
    path.write_text(export_csv(client, coordinator), encoding="utf-8")
    before = snapshots()
    versions = ResourceVersion.objects.count()

    out, _err = run(path)

    assert out.strip() == "4 rows: 0 created, 4 updated."
    assert snapshots() == before
    assert ResourceVersion.objects.count() == versions


def test_export_then_import_into_an_empty_catalogue_restores_it(
    client, tmp_path, catalogue, coordinator
):
    path = tmp_path / "export.csv"
    path.write_text(export_csv(client, coordinator), encoding="utf-8")
    with path.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == COLUMNS
    before = snapshots()
    Resource.objects.all().delete()

    out, _err = run(path)

    assert out.strip() == "4 rows: 4 created, 0 updated."
    assert snapshots() == before


def test_formulas_are_neutralised_in_the_export_and_restored_by_the_import(
    client, tmp_path, coordinator
):
    ResourceFactory(
        key="formulas",
        title='=HYPERLINK("https://evil.example","click")',
        summary="+SUM(A1:A9)",
        authors="@evil",
        body="-2+3\n\n'quoted",
    )
    exported = export_csv(client, coordinator)
    row_out = next(csv.DictReader(io.StringIO(exported)))

    assert row_out["title"] == '\'=HYPERLINK("https://evil.example","click")'
    assert row_out["summary"] == "'+SUM(A1:A9)"
    assert row_out["authors"] == "'@evil"
    assert row_out["body"].startswith("'-2+3")
    assert all(not value.startswith(("=", "+", "-", "@")) for value in row_out.values())

    before = snapshots()
    Resource.objects.all().delete()
    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8")
    run(path)

    assert snapshots() == before

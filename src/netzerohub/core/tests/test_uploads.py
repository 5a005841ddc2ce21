"""Uploads are judged by their first bytes, not their names; size is capped."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from netzerohub.core.uploads import UploadValidator, sniff_kind

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def ooxml(part: str) -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", f"{part}/document.xml": b"<x/>"})


def odf(mimetype: str) -> bytes:
    return zipped({"mimetype": mimetype.encode(), "content.xml": b"<x/>"})


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


KNOWN = [
    ("plan.pdf", PDF, "pdf"),
    ("map.png", PNG, "png"),
    ("photo.jpg", JPEG, "jpeg"),
    ("photo.jpeg", JPEG, "jpeg"),
    ("contract.docx", ooxml("word"), "docx"),
    ("inventory.xlsx", ooxml("xl"), "xlsx"),
    ("slides.pptx", ooxml("ppt"), "pptx"),
    ("notes.odt", odf("application/vnd.oasis.opendocument.text"), "odt"),
    ("budget.ods", odf("application/vnd.oasis.opendocument.spreadsheet"), "ods"),
]


@pytest.mark.parametrize(("name", "content", "kind"), KNOWN, ids=[k[0] for k in KNOWN])
def test_known_files_are_recognised_by_content(name, content, kind):
    file = upload(name, content)

    assert sniff_kind(file) == kind
    assert file.tell() == 0  # the file can still be saved from its start


UNKNOWN = [
    ("page.html", b"<!DOCTYPE html><script>alert(1)</script>"),
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
    ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
    ("empty.pdf", b""),
    ("archive.zip", zipped({"readme.txt": b"hello"})),
    ("broken.docx", b"PK\x03\x04 this is not a zip"),
    ("odd.odt", odf("application/x-unknown")),
    ("text.txt", "Köln, Malmö".encode()),
]


@pytest.mark.parametrize(("name", "content"), UNKNOWN, ids=[u[0] for u in UNKNOWN])
def test_other_content_is_not_recognised(name, content):
    assert sniff_kind(upload(name, content)) is None


@pytest.mark.parametrize(
    ("name", "content"),
    [(name, content) for name, content, kind in KNOWN if kind != "ods"],
)
def test_documents_pass_the_default_validator(name, content):
    UploadValidator()(upload(name, content))


@pytest.mark.parametrize(("name", "content"), UNKNOWN, ids=[u[0] for u in UNKNOWN])
def test_other_files_are_refused_with_the_accepted_types(name, content):
    with pytest.raises(ValidationError) as refused:
        UploadValidator()(upload(name, content))

    assert refused.value.code == "bad_type"
    assert "PDF" in refused.value.messages[0]
    assert "Word (DOCX)" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("report.png", PDF, "PDF"),
        ("invoice.pdf", PNG, "PNG"),
        ("plan.docx", ooxml("xl"), "Excel (XLSX)"),
        ("no-extension", PDF, "PDF"),
    ],
)
def test_a_name_that_does_not_match_the_content_is_refused(name, content, kind):
    with pytest.raises(ValidationError) as refused:
        UploadValidator()(upload(name, content))

    assert refused.value.code == "name_mismatch"
    assert kind in refused.value.messages[0]


def test_names_are_compared_without_regard_to_case():
    UploadValidator()(upload("PLAN.PDF", PDF))


def test_a_file_over_the_limit_is_refused_with_both_sizes():
    validator = UploadValidator(max_bytes=1024)

    with pytest.raises(ValidationError) as refused:
        validator(upload("plan.pdf", PDF + b"0" * 2048))

    assert refused.value.code == "too_large"
    assert "1.0\xa0KB" in refused.value.messages[0]


def test_a_validator_accepts_only_its_kinds():
    images = UploadValidator(kinds=frozenset({"png", "jpeg"}))
    images(upload("map.png", PNG))

    with pytest.raises(ValidationError) as refused:
        images(upload("plan.pdf", PDF))
    assert refused.value.messages == ["This file is not one of the accepted types (JPEG, PNG)."]


def test_spreadsheets_are_not_documents_by_default():
    with pytest.raises(ValidationError):
        UploadValidator()(
            upload("budget.ods", odf("application/vnd.oasis.opendocument.spreadsheet"))
        )


def test_the_validator_can_sit_on_a_model_field():
    """Migrations serialise validators: it must deconstruct and compare by value."""
    validator = UploadValidator(kinds=frozenset({"pdf"}), max_bytes=10)

    path, args, kwargs = validator.deconstruct()

    assert path == "netzerohub.core.uploads.UploadValidator"
    assert (args, kwargs) == ((), {"kinds": frozenset({"pdf"}), "max_bytes": 10})
    assert validator == UploadValidator(kinds=frozenset({"pdf"}), max_bytes=10)
    assert validator != UploadValidator(kinds=frozenset({"pdf"}), max_bytes=11)

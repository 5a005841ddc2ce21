"""Text extraction: real sample documents in, known words out; hostile documents refused.

The samples are built here (WeasyPrint, openpyxl, or zipfile with minimal XML), so each test shows
exactly what its document contains. No database is needed.
"""

from __future__ import annotations

import random
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader, PdfWriter

from netzerohub.knowledge import extraction
from netzerohub.knowledge.extraction import EXTRACTABLE_KINDS, ExtractionError, extract_text

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
ODF = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
CONTENT_TYPES = b'<?xml version="1.0"?><Types/>'


def write_zip(path: Path, members: dict[str, str | bytes], *, stored: bool = False) -> Path:
    compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return path


def docx(path: Path, body: str, extra: dict[str, str] | None = None) -> Path:
    document = f"<?xml version='1.0'?><w:document {W}><w:body>{body}</w:body></w:document>"
    members = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": document}
    return write_zip(path, members | (extra or {}))


def paragraph(*runs: str) -> str:
    return (
        "<w:p>"
        + "".join(f"<w:r><w:t xml:space='preserve'>{r}</w:t></w:r>" for r in runs)
        + "</w:p>"
    )


def pdf(path: Path, html: str = "<p>Heat pumps in Växjö</p>") -> Path:
    with warnings.catch_warnings():
        # WeasyPrint warns at import when the system lacks HarfBuzz-Subset; irrelevant here.
        warnings.simplefilter("ignore", DeprecationWarning)
        import weasyprint

    weasyprint.HTML(string=html).write_pdf(path)
    return path


# ---- Known words come back ----------------------------------------------------------------------


def test_pdf_text_including_accented_words(tmp_path):
    path = pdf(tmp_path / "plan.pdf", "<p>Heat pumps in Växjö</p><p>District heating in Århus</p>")
    text = extract_text(str(path), "pdf")
    assert "Heat pumps in Växjö" in text
    assert "District heating in Århus" in text


def test_pdf_pages_in_order(tmp_path):
    html = "<p>first page</p><p style='break-before: page'>second page</p>"
    text = extract_text(str(pdf(tmp_path / "two.pdf", html)), "pdf")
    assert text.index("first page") < text.index("second page")


def test_pdf_encrypted_with_empty_password_is_read(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(pdf(tmp_path / "plain.pdf")))
    writer.encrypt(user_password="", owner_password="owner-only", algorithm="AES-128")
    writer.write(tmp_path / "locked.pdf")
    assert "Växjö" in extract_text(str(tmp_path / "locked.pdf"), "pdf")


def test_pdf_with_a_password_is_refused(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(pdf(tmp_path / "plain.pdf")))
    writer.encrypt(user_password="secret", algorithm="AES-128")
    writer.write(tmp_path / "locked.pdf")
    with pytest.raises(ExtractionError, match="password"):
        extract_text(str(tmp_path / "locked.pdf"), "pdf")


def test_docx_paragraphs_runs_text_boxes_and_headers(tmp_path):
    text_box = "<w:txbxContent><w:p><w:r><w:t>In a text box</w:t></w:r></w:p></w:txbxContent>"
    body = (
        '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
        "<w:r><w:t>Heat pumps </w:t></w:r><w:r><w:t>in Växjö</w:t></w:r></w:p>"
        # Word stores a text box twice; the legacy fallback copy must not double its text.
        + f"<w:p><w:r><mc:AlternateContent {MC}><mc:Choice Requires='wps'>{text_box}"
        + f"</mc:Choice><mc:Fallback><w:pict>{text_box}</w:pict></mc:Fallback>"
        + "</mc:AlternateContent></w:r></w:p>"
        # A tab in a run is a blank.
        + "<w:p><w:r><w:t>Second</w:t><w:tab/><w:t>paragraph</w:t></w:r></w:p>"
        + "<w:p><w:r><w:t>kept</w:t></w:r>"
        + "<w:del><w:r><w:delText>deleted</w:delText></w:r></w:del></w:p>"
    )
    header = f"<w:hdr {W}>{paragraph('Header of the plan')}</w:hdr>"
    path = docx(tmp_path / "plan.docx", body, {"word/header1.xml": header})
    text = extract_text(str(path), "docx")
    assert text.splitlines() == [
        "Heat pumps in Växjö",
        "In a text box",
        "Second paragraph",
        "kept",
        "Header of the plan",
    ]


def test_docx_without_a_document_part_is_refused(tmp_path):
    path = write_zip(tmp_path / "empty.docx", {"[Content_Types].xml": CONTENT_TYPES, "word/x": b""})
    with pytest.raises(ExtractionError, match="incomplete"):
        extract_text(str(path), "docx")


def test_pptx_slides_in_numeric_order(tmp_path):
    def slide(words: str) -> str:
        return (
            f"<p:sld {P} {A}><p:cSld><p:spTree><p:sp><p:txBody>"
            f"<a:p><a:r><a:rPr lang='sv-SE'/><a:t>{words}</a:t></a:r></a:p>"
            "</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )

    members = {
        "[Content_Types].xml": CONTENT_TYPES,
        "ppt/slides/slide10.xml": slide("tenth slide"),
        "ppt/slides/slide2.xml": slide("second slide"),
        "ppt/slides/slide1.xml": slide("Solceller i Växjö"),
    }
    text = extract_text(str(write_zip(tmp_path / "deck.pptx", members)), "pptx")
    assert text.splitlines() == ["Solceller i Växjö", "second slide", "tenth slide"]


def test_xlsx_shared_strings_from_openpyxl(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Measure", "Tonnes CO2e"])
    sheet.append(["Fjärrvärme in Växjö", 1234.5])
    workbook.create_sheet("Second").append(["Cykelbanor"])
    workbook.save(tmp_path / "inventory.xlsx")
    text = extract_text(str(tmp_path / "inventory.xlsx"), "xlsx")
    assert set(text.splitlines()) >= {"Measure", "Tonnes CO2e", "Fjärrvärme in Växjö", "Cykelbanor"}


def test_xlsx_inline_strings_without_phonetic_guides(tmp_path):
    sheet = (
        f'<worksheet {S}><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>Inline Malmö</t></is></c>'
        '<c r="B1"><v>42</v></c>'
        '<c r="C1" t="inlineStr"><is><r><t>Rich </t></r><r><t>text</t></r>'
        "<rPh sb='0' eb='1'><t>PHONETIC</t></rPh></is></c>"
        "</row></sheetData></worksheet>"
    )
    members = {"[Content_Types].xml": CONTENT_TYPES, "xl/worksheets/sheet1.xml": sheet}
    text = extract_text(str(write_zip(tmp_path / "inline.xlsx", members)), "xlsx")
    assert text.splitlines() == ["Inline Malmö", "Rich text"]


def test_odt_paragraphs_headings_spans_and_spaces(tmp_path):
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF}>'
        "<office:body><office:text>"
        "<text:tracked-changes><text:changed-region><text:deletion>"
        "<text:p>removed words</text:p>"
        "</text:deletion></text:changed-region></text:tracked-changes>"
        "<text:h>Klimatplan för Växjö</text:h>"
        "<text:p>Heat<text:s text:c='3'/><text:span>pumps</text:span> and"
        "<text:tab/>solar<text:line-break/>panels"
        "<office:annotation><dc:creator>Reviewer</dc:creator><text:p>a comment</text:p>"
        "</office:annotation></text:p>"
        "</office:text></office:body></office:document-content>"
    )
    members = {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": content}
    text = extract_text(str(write_zip(tmp_path / "plan.odt", members)), "odt")
    assert text.splitlines() == ["Klimatplan för Växjö", "Heat pumps and solar", "panels"]


def test_images_have_no_text_and_start_no_process(tmp_path, monkeypatch):
    def no_process(*args, **kwargs):
        raise AssertionError("no child process should be started for an image")

    monkeypatch.setattr(subprocess, "run", no_process)
    assert extract_text(str(tmp_path / "photo.png"), "png") == ""
    assert extract_text(str(tmp_path / "photo.jpg"), "jpeg") == ""


def test_unknown_kind_is_refused(tmp_path):
    assert "ods" not in EXTRACTABLE_KINDS
    with pytest.raises(ExtractionError, match="ods"):
        extract_text(str(tmp_path / "sheet.ods"), "ods")


# ---- Limits on the result -----------------------------------------------------------------------


def test_max_chars_truncates_instead_of_failing(tmp_path):
    body = "".join(paragraph(f"Paragraph {n} about district heating") for n in range(2000))
    path = docx(tmp_path / "long.docx", body)
    assert len(extract_text(str(path), "docx")) > 50_000
    text = extract_text(str(path), "docx", max_chars=50)
    assert len(text) == 50
    assert text.startswith("Paragraph 0 about district heating\nParagraph 1")


def test_max_chars_truncates_pdf(tmp_path):
    path = pdf(tmp_path / "plan.pdf", "<p>Heat pumps in Växjö</p>" * 50)
    assert extract_text(str(path), "pdf", max_chars=10) == "Heat pumps"


def test_normalise_strips_control_characters_and_collapses_blanks():
    raw = "Heat\x00 pumps\x07 \t in\u00a0 Växjö  \r\n\n\n\n  second\ud800 line\x0c"
    assert extraction.normalise(raw) == "Heat pumps in Växjö\n\nsecond line"


# ---- Damaged and hostile input ------------------------------------------------------------------


def test_corrupt_pdf_is_refused(tmp_path):
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.7\n" + random.Random(0).randbytes(20_000))
    with pytest.raises(ExtractionError, match="damaged"):
        extract_text(str(path), "pdf")


def test_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_bytes(b"PK\x03\x04" + random.Random(0).randbytes(2_000))
    with pytest.raises(ExtractionError, match="damaged"):
        extract_text(str(path), "docx")


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ExtractionError, match="does not exist"):
        extract_text(str(tmp_path / "gone.pdf"), "pdf")


def zip_bomb(path: Path, member: str, megabytes: int, prefix: bytes = b"", suffix: bytes = b""):
    """A valid-looking package whose one member inflates to `megabytes` of padding."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open(member, "w") as stream:
            stream.write(prefix)
            chunk = b"\x00" * (1024 * 1024) if not prefix else b" " * (1024 * 1024)
            for _ in range(megabytes):
                stream.write(chunk)
            stream.write(suffix)
    return path


def test_zip_bomb_is_refused_from_its_declared_size_without_inflating_it(tmp_path, monkeypatch):
    path = zip_bomb(tmp_path / "bomb.docx", "word/document.xml", 200)
    assert path.stat().st_size < 1024 * 1024  # 200 MB of zeros in a few hundred KB
    with pytest.raises(ExtractionError, match="zip bomb"):
        extract_text(str(path), "docx")

    # In this process, opening any member is an error: the refusal must come from the central
    # directory alone, before a single byte is inflated.
    def no_open(*args, **kwargs):
        raise AssertionError("the bomb was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_open)
    with pytest.raises(extraction._Unreadable, match="more than 100 MB"):
        extraction._extract("docx", str(path), 1000)


def test_suspiciously_compressed_member_is_refused(tmp_path):
    # 20 MB (under the 100 MB total) of well-formed XML whose padding compresses ~1000:1.
    path = zip_bomb(
        tmp_path / "padded.docx",
        "word/document.xml",
        20,
        prefix=f"<w:document {W}><w:body>".encode(),
        suffix=(paragraph("hidden") + "</w:body></w:document>").encode(),
    )
    with pytest.raises(ExtractionError, match="compressed suspiciously well"):
        extract_text(str(path), "docx")


def test_uncompressed_total_is_capped_across_members(tmp_path, monkeypatch):
    # Each part is small and plain, but together they exceed the (lowered) total budget.
    monkeypatch.setattr(extraction, "MAX_UNCOMPRESSED_TOTAL", 3000)
    body = "".join(paragraph(f"word{n}") for n in range(30))
    path = docx(tmp_path / "parts.docx", body, {"word/header1.xml": f"<w:hdr {W}>{body}</w:hdr>"})
    assert sum(i.file_size for i in zipfile.ZipFile(path).infolist()) > 3000
    with pytest.raises(extraction._Unreadable, match="zip bomb"):
        extraction._extract("docx", str(path), 1_000_000)


def test_bounded_reader_counts_actual_bytes_not_declared_sizes():
    import io

    reader = extraction._BoundedReader(io.BytesIO(b"x" * 100), extraction._Budget(60))
    assert reader.read(50) == b"x" * 50
    with pytest.raises(extraction._Unreadable, match="zip bomb"):
        reader.read(50)


def test_billion_laughs_in_a_docx_is_refused(tmp_path):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'
            for n in range(1, 10)
        )
        + f"]><w:document {W}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    path = write_zip(
        tmp_path / "laughs.docx",
        {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": laughs},
    )
    with pytest.raises(ExtractionError, match="not allowed"):
        extract_text(str(path), "docx")


def test_external_entity_in_a_docx_is_refused(tmp_path):
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f"<w:document {W}><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"
    )
    path = write_zip(
        tmp_path / "xxe.docx", {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": xxe}
    )
    with pytest.raises(ExtractionError, match="not allowed"):
        extract_text(str(path), "docx")


def test_malformed_xml_is_refused(tmp_path):
    path = docx(tmp_path / "broken.docx", "<w:p><w:r><w:t>unclosed")
    with pytest.raises(ExtractionError, match="not well-formed"):
        extract_text(str(path), "docx")


# ---- Process limits -----------------------------------------------------------------------------


def test_timeout_is_reported_in_seconds(tmp_path):
    path = pdf(tmp_path / "plan.pdf")
    with pytest.raises(ExtractionError, match=r"longer than 0\.001 seconds"):
        extract_text(str(path), "pdf", timeout=0.001)


def test_memory_limit_applies_to_the_child(tmp_path):
    # One 30 MB paragraph of incompressible-ish text: fine under the default limit, impossible in
    # 64 MB of address space (the interpreter and its parsers already take most of that).
    letters = bytes(b"abcdefghij "[i % 11] for i in range(256))
    words = random.Random(0).randbytes(30_000_000).translate(letters).decode()
    path = tmp_path / "big.docx"
    document = f"<w:document {W}><w:body>{paragraph(words)}</w:body></w:document>"
    members = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": document}
    write_zip(path, members, stored=True)
    assert extract_text(str(path), "docx", max_chars=20) == extraction.normalise(words[:100])[:20]
    with pytest.raises(ExtractionError, match="64 MB of memory"):
        extract_text(str(path), "docx", memory_bytes=64 * 1024 * 1024)


def test_child_limits_are_set_on_itself():
    # The child calls _apply_limits before parsing; check what it sets, in a throwaway process.
    script = (
        "import resource\n"
        "from netzerohub.knowledge.extraction import _apply_limits\n"
        "_apply_limits(300 * 1024 * 1024, 7)\n"
        "print(resource.getrlimit(resource.RLIMIT_AS), resource.getrlimit(resource.RLIMIT_CPU))\n"
    )
    result = subprocess.run(  # noqa: S603  (this interpreter, fixed script)
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env=extraction._child_env(),
    )
    assert result.stdout.split() == ["(314572800,", "314572800)", "(7,", "8)"]

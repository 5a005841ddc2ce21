"""Upload validation: size and a type sniffed from the file's first bytes, never its name."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# kind -> (human label, expected extensions)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("PDF", (".pdf",)),
    "png": ("PNG", (".png",)),
    "jpeg": ("JPEG", (".jpg", ".jpeg")),
    "docx": ("Word (DOCX)", (".docx",)),
    "xlsx": ("Excel (XLSX)", (".xlsx",)),
    "pptx": ("PowerPoint (PPTX)", (".pptx",)),
    "odt": ("OpenDocument text (ODT)", (".odt",)),
    "ods": ("OpenDocument spreadsheet (ODS)", (".ods",)),
}
DOCUMENT_KINDS = frozenset({"pdf", "png", "jpeg", "docx", "xlsx", "pptx", "odt"})

_OOXML_PARTS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def sniff_kind(upload: UploadedFile) -> str | None:
    """Return the detected kind of an uploaded file, or None when it is none we accept."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
                if "mimetype" in names:
                    return _ODF_MIMETYPES.get(archive.read("mimetype").strip())
                if "[Content_Types].xml" in names:
                    for prefix, kind in _OOXML_PARTS.items():
                        if any(name.startswith(prefix) for name in names):
                            return kind
        except (zipfile.BadZipFile, OSError, KeyError):
            return None
        finally:
            upload.seek(0)
    return None


@deconstructible
@dataclass  # not frozen: @deconstructible records the constructor arguments on the instance
class UploadValidator:
    """Form/model field validator: `UploadValidator(kinds={"pdf", "png"}, max_bytes=25 * MB)`."""

    kinds: frozenset[str] = field(default=DOCUMENT_KINDS)
    max_bytes: int = 25 * 1024 * 1024

    def __call__(self, upload: UploadedFile) -> None:
        if upload.size is not None and upload.size > self.max_bytes:
            raise ValidationError(
                _("The file is %(size)s; files may be at most %(limit)s."),
                code="too_large",
                params={
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(self.max_bytes),
                },
            )
        kind = sniff_kind(upload)
        if kind not in self.kinds:
            allowed = ", ".join(sorted(KINDS[k][0] for k in self.kinds))
            raise ValidationError(
                _("This file is not one of the accepted types (%(allowed)s)."),
                code="bad_type",
                params={"allowed": allowed},
            )
        name = (upload.name or "").lower()
        if not name.endswith(KINDS[kind][1]):
            raise ValidationError(
                _("The file's name does not match its content (it is a %(kind)s file)."),
                code="name_mismatch",
                params={"kind": KINDS[kind][0]},
            )

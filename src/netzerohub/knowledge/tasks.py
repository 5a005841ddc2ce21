"""Background jobs of the knowledge repository. Tasks take ids, never model instances."""

from __future__ import annotations

import shutil
import tempfile

from django.db import transaction
from django_tasks import task

from .extraction import EXTRACTABLE_KINDS, ExtractionError, extract_text
from .indexing import reindex_resource
from .models import Attachment


@task()
def extract_attachment_text(attachment_id: int) -> str:
    """Extract the text of one attachment for search, then refresh its resource in the index.

    The file is copied to a local temporary file first (storage may be remote); the extractor
    runs in a child process with time and memory limits. Returns the resulting state.
    """
    attachment = Attachment.objects.select_related("resource").filter(pk=attachment_id).first()
    if attachment is None:
        return "missing"
    if attachment.kind not in EXTRACTABLE_KINDS:
        state, text, error = Attachment.Extraction.NONE, "", ""
    else:
        with tempfile.NamedTemporaryFile(suffix=f".{attachment.kind}") as local:
            with attachment.file.open("rb") as source:
                shutil.copyfileobj(source, local)
            local.flush()
            try:
                text, state, error = extract_text(local.name, attachment.kind), "done", ""
            except ExtractionError as problem:
                text, state, error = "", Attachment.Extraction.FAILED, str(problem)[:300]
    with transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk).update(
            text=text, extraction=state, extraction_error=error
        )
        reindex_resource(attachment.resource)
    return str(state)

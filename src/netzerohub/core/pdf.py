"""PDFs drawn by WeasyPrint from a template that loads nothing from outside: every style and
image is inline, and a URL in the document never reaches the network or the disk."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML


def no_fetching(url: str, *args: Any, **kwargs: Any) -> dict:
    """WeasyPrint's url_fetcher for self-contained documents: refuses every URL (a link in user
    Markdown or a stray stylesheet must not make the server fetch anything)."""
    raise ValueError(f"this PDF loads no resources ({url[:60]})")


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """The template rendered with `context`, as a PDF."""
    html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=no_fetching).write_pdf()

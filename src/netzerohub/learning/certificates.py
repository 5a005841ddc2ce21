"""Certificate PDFs, drawn by WeasyPrint from an HTML template that loads nothing from outside."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML

from .models import Certificate


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict:
    # The template is self-contained; never let a URL in it reach the network or the disk.
    raise ValueError(f"certificates load no resources ({url[:60]})")


def render_pdf(certificate: Certificate, verify_url: str) -> bytes:
    html = render_to_string(
        "learning/certificate_pdf.html", {"certificate": certificate, "verify_url": verify_url}
    )
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf()

"""Certificate PDFs, drawn by WeasyPrint from an HTML template that loads nothing from outside."""

from __future__ import annotations

from netzerohub.core import pdf

from .models import Certificate


def render_pdf(certificate: Certificate, verify_url: str) -> bytes:
    return pdf.render_pdf(
        "learning/certificate_pdf.html", {"certificate": certificate, "verify_url": verify_url}
    )

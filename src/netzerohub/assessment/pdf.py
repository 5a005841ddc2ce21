"""The PDF of a result, drawn by WeasyPrint from a template that loads nothing from outside
(the radar chart is inline SVG)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML

from .results import Result


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict:
    # The template is self-contained; never let a URL in it reach the network or the disk.
    raise ValueError(f"the result PDF loads no resources ({url[:60]})")


def render_result(result: Result, chart: str, recommended: dict, site: str) -> bytes:
    """The result as a PDF; `site` (the portal's address) makes the links absolute."""
    html = render_to_string(
        "assessment/result_pdf.html",
        {"result": result, "chart": chart, "recommended": recommended, "site": site.rstrip("/")},
    )
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf()

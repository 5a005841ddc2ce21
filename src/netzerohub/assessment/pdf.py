"""The PDF of a result, drawn by WeasyPrint from a template that loads nothing from outside
(the radar chart is inline SVG)."""

from __future__ import annotations

from netzerohub.core.pdf import render_pdf

from .results import Result


def render_result(result: Result, chart: str, recommended: dict, site: str) -> bytes:
    """The result as a PDF; `site` (the portal's address) makes the links absolute."""
    return render_pdf(
        "assessment/result_pdf.html",
        {"result": result, "chart": chart, "recommended": recommended, "site": site.rstrip("/")},
    )

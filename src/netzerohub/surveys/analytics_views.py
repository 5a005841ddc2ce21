"""The coordinators' analytics page of a survey, and the route of its exports (written in
`exports.py`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path

from netzerohub.core.policies import coordinator_only


@coordinator_only
def export(request: HttpRequest, slug: str, fmt: str) -> Any:
    """The CSV or XLSX export with the page's filters (`exports.export_view`)."""
    from . import exports  # noqa: PLC0415 — exports.py is written by its own owner

    return exports.export_view(request, slug, fmt)


@coordinator_only
def analytics(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError


urlpatterns = [
    path("manage/<slug:slug>/analytics/", analytics, name="analytics"),
    path("manage/<slug:slug>/export.<str:fmt>", export, name="export"),
]

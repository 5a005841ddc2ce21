"""The workspace, commitments, inventory and trajectory pages (being written)."""

from django.http import Http404


def index(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def workspace(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def commitments(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def interim_targets(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def signatories(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def inventory(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def inventory_year(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def inventory_template(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def inventory_import(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def trajectory(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def narrative(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written

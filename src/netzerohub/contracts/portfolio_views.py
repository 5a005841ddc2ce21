"""The action portfolio and investment plan pages (being written)."""

from django.http import Http404


def actions(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def matrix(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def timeline(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def action_create(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def action(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def action_edit(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def action_delete(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def indicators(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def action_investment(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def investment(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written

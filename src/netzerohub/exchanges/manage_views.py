"""PLACEHOLDER: being built; every view answers 404 until it is written."""

from django.http import Http404


def overview(request, *args, **kwargs):
    raise Http404


def call_edit(request, *args, **kwargs):
    raise Http404

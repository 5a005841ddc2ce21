"""PLACEHOLDER: being built; every view answers 404 until it is written."""

from django.http import Http404


def overview(request, *args, **kwargs):
    raise Http404


def event_edit(request, *args, **kwargs):
    raise Http404


def event_cancel(request, *args, **kwargs):
    raise Http404


def registrations(request, *args, **kwargs):
    raise Http404


def registrations_export(request, *args, **kwargs):
    raise Http404


def check_in(request, *args, **kwargs):
    raise Http404

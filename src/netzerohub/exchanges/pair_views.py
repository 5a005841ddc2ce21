"""PLACEHOLDER: being built; every view answers 404 until it is written."""

from django.http import Http404


def pair(request, *args, **kwargs):
    raise Http404


def activity(request, *args, **kwargs):
    raise Http404


def plan(request, *args, **kwargs):
    raise Http404


def progress(request, *args, **kwargs):
    raise Http404

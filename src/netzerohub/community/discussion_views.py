"""PLACEHOLDER: being built; every view answers 404 until it is written."""

from django.http import Http404


def threads(request, *args, **kwargs):
    raise Http404


def thread_create(request, *args, **kwargs):
    raise Http404


def thread(request, *args, **kwargs):
    raise Http404


def thread_moderate(request, *args, **kwargs):
    raise Http404


def post_moderate(request, *args, **kwargs):
    raise Http404


def attachment(request, *args, **kwargs):
    raise Http404

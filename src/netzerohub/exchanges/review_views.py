"""PLACEHOLDER: being built; every view answers 404 until it is written."""

from django.http import Http404


def review_list(request, *args, **kwargs):
    raise Http404


def review(request, *args, **kwargs):
    raise Http404


def decide(request, *args, **kwargs):
    raise Http404

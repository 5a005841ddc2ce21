"""PLACEHOLDER: being built; every view answers 404 until it is written."""

from django.http import Http404


def matching(request, *args, **kwargs):
    raise Http404


def run(request, *args, **kwargs):
    raise Http404


def pair_rule(request, *args, **kwargs):
    raise Http404


def publish(request, *args, **kwargs):
    raise Http404

"""PLACEHOLDER: being built; every view answers 404 until it is written."""

from django.http import Http404


def group_list(request, *args, **kwargs):
    raise Http404


def group_detail(request, *args, **kwargs):
    raise Http404


def join(request, *args, **kwargs):
    raise Http404


def leave(request, *args, **kwargs):
    raise Http404


def members(request, *args, **kwargs):
    raise Http404


def decide(request, *args, **kwargs):
    raise Http404


def attendance(request, *args, **kwargs):
    raise Http404

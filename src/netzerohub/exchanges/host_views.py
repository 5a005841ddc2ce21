"""PLACEHOLDER: being built; every view answers 404 until it is written."""

from django.http import Http404


def offer_edit(request, *args, **kwargs):
    raise Http404

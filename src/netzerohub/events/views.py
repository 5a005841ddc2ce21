"""PLACEHOLDER: being built; every view answers 404 until it is written."""

from django.http import Http404


def calendar(request, *args, **kwargs):
    raise Http404


def mine(request, *args, **kwargs):
    raise Http404


def feed_create(request, *args, **kwargs):
    raise Http404


def feed_revoke(request, *args, **kwargs):
    raise Http404


def feed(request, *args, **kwargs):
    raise Http404


def event_detail(request, *args, **kwargs):
    raise Http404


def event_ics(request, *args, **kwargs):
    raise Http404


def register(request, *args, **kwargs):
    raise Http404


def registration_cancel(request, *args, **kwargs):
    raise Http404


def registration_accept(request, *args, **kwargs):
    raise Http404

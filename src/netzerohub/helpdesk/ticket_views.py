"""Placeholder: being written (helpdesk issue 8)."""

from django.http import Http404


def answer(request, *args, **kwargs):
    raise Http404


def attachment(request, *args, **kwargs):
    raise Http404


def change(request, *args, **kwargs):
    raise Http404


def py(request, *args, **kwargs):
    raise Http404


def rate(request, *args, **kwargs):
    raise Http404


def reply(request, *args, **kwargs):
    raise Http404


def ticket(request, *args, **kwargs):
    raise Http404


def visitor_attachment(request, *args, **kwargs):
    raise Http404


def visitor_reply(request, *args, **kwargs):
    raise Http404


def visitor_ticket(request, *args, **kwargs):
    raise Http404

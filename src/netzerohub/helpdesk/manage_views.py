"""Placeholder: being written (helpdesk issue 8)."""

from django.http import Http404


def absences(request, *args, **kwargs):
    raise Http404


def canned_delete(request, *args, **kwargs):
    raise Http404


def canned_edit(request, *args, **kwargs):
    raise Http404


def canned_list(request, *args, **kwargs):
    raise Http404


def faq_delete(request, *args, **kwargs):
    raise Http404


def faq_edit(request, *args, **kwargs):
    raise Http404


def faq_list(request, *args, **kwargs):
    raise Http404


def metrics(request, *args, **kwargs):
    raise Http404


def overdue(request, *args, **kwargs):
    raise Http404


def py(request, *args, **kwargs):
    raise Http404


def queue(request, *args, **kwargs):
    raise Http404


def queue_edit(request, *args, **kwargs):
    raise Http404


def queues(request, *args, **kwargs):
    raise Http404


def rules(request, *args, **kwargs):
    raise Http404


def settings_page(request, *args, **kwargs):
    raise Http404

"""Placeholder: being written (helpdesk issue 8)."""

from django.http import Http404


def contact(request, *args, **kwargs):
    raise Http404


def contact_sent(request, *args, **kwargs):
    raise Http404


def faq_entry(request, *args, **kwargs):
    raise Http404


def help_page(request, *args, **kwargs):
    raise Http404


def my_tickets(request, *args, **kwargs):
    raise Http404


def new_ticket(request, *args, **kwargs):
    raise Http404


def py(request, *args, **kwargs):
    raise Http404


def suggest(request, *args, **kwargs):
    raise Http404

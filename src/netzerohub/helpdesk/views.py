"""Placeholder: being written (helpdesk issue 8)."""

from django.http import Http404


def absences(request, *args, **kwargs):
    raise Http404


def answer(request, *args, **kwargs):
    raise Http404


def attachment(request, *args, **kwargs):
    raise Http404


def canned_delete(request, *args, **kwargs):
    raise Http404


def canned_edit(request, *args, **kwargs):
    raise Http404


def canned_list(request, *args, **kwargs):
    raise Http404


def change(request, *args, **kwargs):
    raise Http404


def contact(request, *args, **kwargs):
    raise Http404


def contact_sent(request, *args, **kwargs):
    raise Http404


def faq_delete(request, *args, **kwargs):
    raise Http404


def faq_edit(request, *args, **kwargs):
    raise Http404


def faq_entry(request, *args, **kwargs):
    raise Http404


def faq_list(request, *args, **kwargs):
    raise Http404


def help_page(request, *args, **kwargs):
    raise Http404


def metrics(request, *args, **kwargs):
    raise Http404


def my_tickets(request, *args, **kwargs):
    raise Http404


def new_ticket(request, *args, **kwargs):
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


def rate(request, *args, **kwargs):
    raise Http404


def reply(request, *args, **kwargs):
    raise Http404


def rules(request, *args, **kwargs):
    raise Http404


def settings_page(request, *args, **kwargs):
    raise Http404


def suggest(request, *args, **kwargs):
    raise Http404


def ticket(request, *args, **kwargs):
    raise Http404


def visitor_attachment(request, *args, **kwargs):
    raise Http404


def visitor_reply(request, *args, **kwargs):
    raise Http404


def visitor_ticket(request, *args, **kwargs):
    raise Http404

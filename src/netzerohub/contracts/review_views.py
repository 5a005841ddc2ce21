"""Submission, versions, review, exports, publishing and public summaries (being written)."""

from django.http import Http404


def submit(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def versions(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def export(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def publishing(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def version(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def review(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def version_export(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def review_queue(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def public_list(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written


def public_summary(request, *args, **kwargs):
    raise Http404  # placeholder until the page is written

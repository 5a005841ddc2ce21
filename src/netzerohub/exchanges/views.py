"""PLACEHOLDER: being built; every view answers 404 until it is written."""

from django.http import Http404


def calls(request, *args, **kwargs):
    raise Http404


def mine(request, *args, **kwargs):
    raise Http404


def call_detail(request, *args, **kwargs):
    raise Http404


def apply(request, *args, **kwargs):
    raise Http404


def application(request, *args, **kwargs):
    raise Http404


def answer(request, *args, **kwargs):
    raise Http404


def submit(request, *args, **kwargs):
    raise Http404


def withdraw(request, *args, **kwargs):
    raise Http404

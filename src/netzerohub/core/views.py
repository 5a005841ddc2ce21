from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import devmail
from .models import Notification
from .notifications import mark_all_read, mark_read


def dev_mail(request: HttpRequest, message_id: str | None = None) -> HttpResponse:
    """The demo's outbox; exists only when DEBUG is on."""
    if not settings.DEBUG:
        raise Http404
    messages = devmail.list_messages()
    current = devmail.get_message(message_id) if message_id else None
    if message_id and current is None:
        raise Http404
    return render(request, "core/dev_mail.html", {"mail": messages, "current": current})


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.for_user(request.user)[:50]
    return render(request, "core/notifications.html", {"notifications": notifications})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    mark_read(notification)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("core:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    mark_all_read(request.user)
    return redirect("core:notifications")


def api_docs(request: HttpRequest) -> HttpResponse:
    return render(request, "core/api_docs.html")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers (and Chromium's PDF viewer) ask for /favicon.ico whatever the page links."""
    return redirect(static("img/favicon.svg"), permanent=True)

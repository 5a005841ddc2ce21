"""A ticket's page and its conversation, for both sides, and the visitor's private page.

- The *city side* (the asker, the city's leads) reads the public replies only — notes are left
  out by the query, never by the template — replies (a waiting or resolved ticket opens again)
  and, the asker, rates the answer once the ticket is resolved.
- The *helpdesk side* (`ticket_policy.can_manage`: the queue's experts, the assignee,
  coordinators) reads everything, answers with a public reply or an internal note, inserts
  canned replies, changes status, priority, queue and assignee, and sees the city's context.
- A *visitor* reaches their ticket through the private link emailed to them: they confirm
  their question there, then read the public replies and answer.

Everyone else gets the same 404 as for a ticket that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from netzerohub.core import versions
from netzerohub.core.fragments import rendered
from netzerohub.core.markdown import render_markdown
from netzerohub.core.paging import paginate
from netzerohub.core.ratelimit import hit, rate_limited

from . import clock, services
from .context import ticket_context
from .limits import REPLIES_PER_HOUR, VISITOR_REPLIES_PER_ADDRESS, VISITOR_REPLIES_PER_LINK
from .models import Attachment, CannedReply, Message, Queue, Ticket
from .policies import get_ticket_for_user, ticket_policy
from .ticket_forms import AnswerForm, ChangeForm, MessageForm, RatingForm

S = Ticket.Status
MESSAGES_PER_PAGE = 100
CANNED_SHOWN = 50
CONTEXT_SECONDS = 60
FORM_SECONDS = 600  # cached forms and conversations (their keys change with what they show)


def _closed_text() -> str:
    return _(
        "This ticket is closed and takes no more replies. Open a follow-up ticket: it links "
        "back to this one."
    )


# --- reading ---------------------------------------------------------------------------------


def _conversation(request: HttpRequest, ticket: Ticket, *, helpdesk: bool) -> Any:
    """The ticket's messages, oldest first, a page at a time; the city side's query holds
    public replies only."""
    found = Message.objects.for_ticket(ticket)
    if not helpdesk:
        found = found.public()
    side = "helpdesk" if helpdesk else "city"
    page = paginate(
        found.select_related("author").prefetch_related("attachments"),
        request.GET.get("page"),
        MESSAGES_PER_PAGE,
        # Every message (notes too) changes `message_count`: a count stored under it is current.
        count_key=f"helpdesk.conversation:{ticket.pk}:{side}:{ticket.message_count}",
    )
    page.object_list = _with_html(page.object_list)
    return page


def _with_html(items: Any) -> list[Any]:
    """Messages with their Markdown rendered as `html` (the conversation
    is a cached fragment: its messages are rendered when it is)."""
    items = list(items)
    for item in items:
        item.html = render_markdown(item.body)
    return items


def _working_time(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    return _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": rest // 60}


def _due_times(ticket: Ticket, now: dt.datetime) -> list[dict[str, Any]]:
    """The due times still ahead of the ticket, each marked overdue, due soon (within the
    warning window) or paused (waiting for the city, resolved)."""
    pending = []
    if ticket.first_response_at is None and ticket.first_response_due is not None:
        pending.append((_("First response due"), ticket.first_response_due))
    if ticket.resolved_at is None and ticket.resolution_due is not None:
        pending.append((_("Resolution due"), ticket.resolution_due))
    if not pending or ticket.status == S.CLOSED:
        return []
    running = ticket.status in (S.NEW, S.OPEN)
    soon = now
    if running:
        hours = clock.warn_hours()
        try:
            soon = clock.calendar().add(now, hours * 3600) if hours else now
        except ValueError:  # no working hours configured: only "overdue" can be told
            soon = now
    due_times = []
    for label, due in pending:
        if not running:
            state = "paused"
        elif due < now:
            state = "overdue"
        elif due < soon:
            state = "soon"
        else:
            state = ""
        due_times.append({"label": label, "due": due, "state": state})
    return due_times


def _experts_for(ticket: Ticket) -> Any:
    """Who the ticket can be assigned to: its queue's experts, and whoever has it now (two
    indexed lookups: one query with OR across the join scanned every person)."""
    ids = [ticket.assignee_id] if ticket.assignee_id else []
    if ticket.queue_id:
        ids += Queue.experts.through.objects.filter(
            queue_id=ticket.queue_id, user__is_active=True
        ).values_list("user_id", flat=True)
    return get_user_model().objects.filter(pk__in=ids).order_by("name", "email")


def _queues_for(ticket: Ticket) -> Any:
    return Queue.objects.filter(Q(is_active=True) | Q(pk=ticket.queue_id)).order_by("name", "id")


def _canned_for(ticket: Ticket) -> Any:
    """Canned replies of the ticket's queue and of every queue."""
    mine = Q(queue__isnull=True)
    if ticket.queue_id:
        mine |= Q(queue=ticket.queue_id)
    return CannedReply.objects.filter(mine).order_by("title", "id")


def _form_fields(
    request: HttpRequest,
    template: str,
    name: str,
    form: Any,
    empty: Callable[[], Any],
    *,
    parts: tuple,
    **extra: Any,
) -> str:
    """A form's fields as HTML (the CSRF token stays outside, in the page): a form sent back
    with errors (or filled by the view) is rendered as it is; an empty one, `empty()`, is
    rendered once per `parts` (many tickets share them), since rendering form widgets costs
    more than the rest of the page."""
    if form is not None:
        return render_to_string(template, {name: form, **extra}, request=request)
    return rendered(
        request, template, parts, lambda: {name: empty(), **extra}, seconds=FORM_SECONDS
    )


def _change_form(ticket: Ticket, data: Any = None) -> ChangeForm:
    return ChangeForm(data, ticket=ticket, queues=_queues_for(ticket), experts=_experts_for(ticket))


def _ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: MessageForm | None = None,
    answer_form: AnswerForm | None = None,
    change_form: ChangeForm | None = None,
    rating_form: RatingForm | None = None,
    unsent: str = "",
) -> HttpResponse:
    user = request.user
    helpdesk = ticket_policy.can(user, "manage", ticket)
    context: dict[str, Any] = {
        "ticket": ticket,
        "helpdesk": helpdesk,
        # Messages never change once written (a new one changes `message_count`): the
        # conversation is rendered once per ticket, count, side, page and zone.
        "conversation": rendered(
            request,
            "helpdesk/_conversation.html",
            (
                ticket.pk,
                ticket.message_count,
                helpdesk,
                sorted(request.GET.items()),
                timezone.get_current_timezone_name(),
            ),
            lambda: {
                "page": _conversation(request, ticket, helpdesk=helpdesk),
                "ticket": ticket,
                "helpdesk": helpdesk,
            },
            seconds=FORM_SECONDS,
        ),
        "closed": ticket.status == S.CLOSED,
        "unsent": unsent,
    }
    if helpdesk:
        context.update(
            answer_fields=_form_fields(
                request,
                "helpdesk/_answer_fields.html",
                "answer_form",
                answer_form,
                AnswerForm,
                parts=(ticket.status == S.CLOSED,),
                closed=ticket.status == S.CLOSED,
            ),
            change_fields=_form_fields(
                request,
                "helpdesk/_change_fields.html",
                "change_form",
                change_form,
                lambda: _change_form(ticket),
                # What the unbound form shows: the ticket's values and the choices (queues and
                # their experts change only through the settings, which bump their version).
                parts=(
                    ticket.status,
                    ticket.priority,
                    ticket.queue_id,
                    ticket.assignee_id,
                    versions.current(clock.VERSION),
                ),
            ),
            canned=list(_canned_for(ticket)[:CANNED_SHOWN]),
            # Context, not actions: rendered at most once a minute per ticket.
            context_panel=rendered(
                request,
                "helpdesk/_context.html",
                (ticket.pk, timezone.get_current_timezone_name()),
                lambda: {"panel": ticket_context(ticket)},
                seconds=CONTEXT_SECONDS,
            ),
            due_times=_due_times(ticket, timezone.now()),
            figures={
                "first_response": _working_time(ticket.first_response_seconds),
                "resolution": _working_time(ticket.resolution_seconds),
                "paused": _working_time(ticket.paused_seconds) if ticket.paused_seconds else "",
            },
            can_take=ticket.assignee_id != user.pk,
        )
    else:
        can_rate = ticket_policy.can(user, "rate", ticket)
        context.update(
            reply_form=(reply_form or MessageForm()) if ticket.status != S.CLOSED else None,
            rating_form=(rating_form or RatingForm()) if can_rate else None,
        )
    response = render(request, "helpdesk/ticket.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """A ticket's page: the header, the conversation and, by side, the forms."""
    return _ticket_page(request, get_ticket_for_user(request.user, pk))


def _message_url(ticket: Ticket, message: Message) -> str:
    return f"{ticket.get_absolute_url()}#message-{message.pk}"


# --- the city side ---------------------------------------------------------------------------


@login_required
@require_POST
@rate_limited("helpdesk.reply", limit=REPLIES_PER_HOUR)
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The asker's or a lead's reply; a waiting or resolved ticket opens again; a closed one
    takes none (the page says so and gives the text back)."""
    found = get_ticket_for_user(request.user, pk)
    if not ticket_policy.on_city_side(request.user, found):
        raise Http404
    if found.status == S.CLOSED:
        messages.error(request, _closed_text())
        return _ticket_page(request, found, unsent=request.POST.get("body", ""))
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _ticket_page(request, found, reply_form=form)
    was = found.status
    try:
        message = services.reply_as_city(
            found,
            actor=request.user,
            body=form.cleaned_data["body"],
            files=form.cleaned_data["files"],
        )
    except services.HelpdeskError as error:  # closed meanwhile
        messages.error(request, str(error))
        found = get_ticket_for_user(request.user, pk)
        return _ticket_page(request, found, unsent=form.cleaned_data["body"])
    if was in (S.WAITING, S.RESOLVED):
        messages.success(
            request, _("Your reply is sent. The ticket is open again: the helpdesk will answer.")
        )
    else:
        messages.success(request, _("Your reply is sent to the helpdesk."))
    return redirect(_message_url(found, message))


@login_required
@require_POST
@rate_limited("helpdesk.rate", limit=REPLIES_PER_HOUR)
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    """The asker rates the answer, once, after the ticket is resolved."""
    found = get_ticket_for_user(request.user, pk)
    if not ticket_policy.can(request.user, "rate", found):
        if found.requester_id != request.user.pk:
            messages.error(request, _("Only the person who asked can rate the answer."))
        elif found.rating is not None:
            messages.error(request, _("You have already rated this ticket. Thank you!"))
        else:
            messages.error(request, _("You can rate the answer once the ticket is resolved."))
        return redirect(found)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _ticket_page(request, found, rating_form=form)
    try:
        services.rate(
            found,
            actor=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except services.HelpdeskError as error:  # rated meanwhile (another tab)
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you for rating the answer."))
    return redirect(found)


# --- the helpdesk side -----------------------------------------------------------------------


def _with_canned(request: HttpRequest, found: Ticket) -> HttpResponse:
    """ "Insert" a canned reply without JavaScript: the answer form comes back with the reply's
    text after what was typed."""
    typed = request.POST.get("body", "").rstrip()
    canned = None
    chosen = request.POST.get("canned", "")
    if chosen.isdigit():
        canned = _canned_for(found).filter(pk=int(chosen)).first()
    if canned is None:
        messages.error(request, _("Choose a canned reply to insert."))
        body = typed
    else:
        body = f"{typed}\n\n{canned.body}" if typed else canned.body
    form = AnswerForm(
        initial={
            "body": body,
            "kind": request.POST.get("kind") or "reply",
            "status": request.POST.get("status") or S.OPEN,
        }
    )
    form.inserted = canned  # type: ignore[attr-defined]
    return _ticket_page(request, found, answer_form=form)


@login_required
@require_POST
@rate_limited("helpdesk.reply", limit=REPLIES_PER_HOUR)
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """An expert's public reply (with the status that follows) or internal note; "Insert" puts
    a canned reply into the text instead of sending."""
    found = get_ticket_for_user(request.user, pk, "manage")
    if "insert" in request.POST:
        return _with_canned(request, found)
    form = AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        return _ticket_page(request, found, answer_form=form)
    data = form.cleaned_data
    try:
        message = services.reply_as_helpdesk(
            found,
            actor=request.user,
            body=data["body"],
            note=form.is_note,
            status=data.get("status") or S.OPEN,
            files=data["files"],
        )
    except services.HelpdeskError as error:
        form.add_error(None, str(error))
        return _ticket_page(request, found, answer_form=form)
    if form.is_note:
        messages.success(request, _("Your internal note is saved. The city does not see it."))
    else:
        done = {
            S.WAITING: _("Your reply is sent. The ticket waits for the city."),
            S.RESOLVED: _("Your reply is sent and the ticket is resolved."),
        }
        messages.success(request, done.get(data.get("status"), _("Your reply is sent.")))
    return redirect(_message_url(found, message))


@login_required
@require_POST
def change(request: HttpRequest, pk: int) -> HttpResponse:
    """Status, priority, queue and assignee; `take` assigns the ticket to oneself."""
    found = get_ticket_for_user(request.user, pk, "manage")
    try:
        if "take" in request.POST:
            services.change_ticket(found, actor=request.user, assignee=request.user)
            messages.success(request, _("The ticket is assigned to you."))
            return redirect(found)
        form = _change_form(found, request.POST)
        if not form.is_valid():
            return _ticket_page(request, found, change_form=form)
        data = form.cleaned_data
        assignee = data["assignee"]
        chosen = {}
        if (assignee.pk if assignee else None) != found.assignee_id:
            chosen = {"assignee": assignee} if assignee else {"unassign": True}
        found = services.change_ticket(
            found,
            actor=request.user,
            # Only what changed: the current status may be one a change cannot set (new).
            status=data["status"] if data["status"] != found.status else None,
            priority=data["priority"],
            queue=data["queue"],
            **chosen,
        )
    except services.HelpdeskError as error:
        messages.error(request, str(error))
        return redirect(found)
    messages.success(request, _("The ticket is updated."))
    if not ticket_policy.can(request.user, "view", found):
        # Moved to a queue one does not work in: the ticket is no longer theirs to open.
        return redirect("helpdesk:queues")
    return redirect(found)


# --- files -----------------------------------------------------------------------------------


def _serve(found: Attachment) -> FileResponse:
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(handle, as_attachment=True, filename=found.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def attachment(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A file of a message the viewer may read (a note's file: the helpdesk side only)."""
    found = get_ticket_for_user(request.user, pk)
    files = Attachment.objects.filter(pk=file_pk, message__ticket=found)
    if not ticket_policy.can(request.user, "view_notes", found):
        files = files.filter(message__kind=Message.Kind.REPLY)
    file = files.first()
    if file is None:
        raise Http404
    return _serve(file)


# --- the visitor's private page --------------------------------------------------------------


def _visitor_ticket(token: str) -> Ticket:
    if len(token) < 20:
        raise Http404
    # Only a visitor's ticket has a private link (a member's is behind their sign-in).
    found = (
        Ticket.objects.filter(access_token=token, requester__isnull=True)
        .select_related("term")
        .first()
    )
    if found is None:
        raise Http404
    return found


def _private(response: HttpResponse) -> HttpResponse:
    """The page behind a secret link: not cached, not indexed, the link never sent to another
    site. (Not "no-referrer": with it browsers send `Origin: null` with the page's own forms,
    and the CSRF check refuses them; "same-origin" sends neither Referer nor Origin away.)"""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


def _visitor_page(
    request: HttpRequest, found: Ticket, form: MessageForm | None = None, unsent: str = ""
) -> HttpResponse:
    conversation = (
        Message.objects.for_ticket(found)
        .public()
        .select_related("author")
        .prefetch_related("attachments")
    )
    unverified = found.status == S.UNVERIFIED
    page = paginate(
        conversation,
        request.GET.get("page"),
        MESSAGES_PER_PAGE,
        count_key=f"helpdesk.conversation:{found.pk}:city:{found.message_count}",
    )
    page.object_list = _with_html(page.object_list)
    context = {
        "ticket": found,
        "token": found.access_token,
        "page": page,
        "unverified": unverified,
        "closed": found.status == S.CLOSED,
        "form": (form or MessageForm()) if found.status not in (S.CLOSED, S.UNVERIFIED) else None,
        "unsent": unsent,
    }
    return _private(render(request, "helpdesk/visitor_ticket.html", context))


@require_http_methods(["GET", "POST"])
def visitor_ticket(request: HttpRequest, token: str) -> HttpResponse:
    """The visitor's ticket. A POST confirms the address: the question reaches the helpdesk."""
    found = _visitor_ticket(token)
    if request.method == "POST":
        if services.confirm_visitor_ticket(found):
            messages.success(
                request,
                _(
                    "Thank you: your question is sent to the helpdesk. We will email you "
                    "when there is a reply."
                ),
            )
        return _private(redirect(found.get_visitor_url()))
    return _visitor_page(request, found)


def _visitor_may_post(request: HttpRequest, token: str) -> bool:
    address = request.META.get("REMOTE_ADDR", "")
    return hit(
        f"helpdesk.visitor-reply:token:{token}", limit=VISITOR_REPLIES_PER_LINK, period=3600
    ) and hit(
        f"helpdesk.visitor-reply:ip:{address}", limit=VISITOR_REPLIES_PER_ADDRESS, period=3600
    )


@require_POST
def visitor_reply(request: HttpRequest, token: str) -> HttpResponse:
    """The visitor's reply, through their link (rate-limited per link and per address)."""
    found = _visitor_ticket(token)
    if not _visitor_may_post(request, token):
        messages.error(
            request, _("You have sent many replies in a short time; please try again later.")
        )
        return _visitor_page(request, found, unsent=request.POST.get("body", ""))
    if found.status == S.CLOSED:
        messages.error(request, _closed_text())
        return _visitor_page(request, found, unsent=request.POST.get("body", ""))
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _visitor_page(request, found, form)
    try:
        message = services.reply_as_city(
            found, actor=None, body=form.cleaned_data["body"], files=form.cleaned_data["files"]
        )
    except services.HelpdeskError as error:
        messages.error(request, str(error))
        found = _visitor_ticket(token)
        return _visitor_page(request, found, unsent=form.cleaned_data["body"])
    messages.success(request, _("Your reply is sent to the helpdesk."))
    return _private(redirect(f"{found.get_visitor_url()}#message-{message.pk}"))


def visitor_attachment(request: HttpRequest, token: str, file_pk: int) -> FileResponse:
    """A file of a public message of the visitor's ticket."""
    found = _visitor_ticket(token)
    file = Attachment.objects.filter(
        pk=file_pk, message__ticket=found, message__kind=Message.Kind.REPLY
    ).first()
    if file is None:
        raise Http404
    response = _serve(file)
    response["Referrer-Policy"] = "no-referrer"
    return response

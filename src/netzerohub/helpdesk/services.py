"""Writes of the helpdesk: opening tickets (members, visitors), routing and assignment, the
conversation (replies and internal notes), status changes with the service-level clock, rating,
the sweeps (auto-close, breach warnings), the FAQ and the configuration.

Every function is atomic and audited; notifications and emails go out after commit. Internal
notes are never part of anything sent to the city side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.core import personal_data
from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.markdown import plain_text
from netzerohub.core.notifications import notify
from netzerohub.core.search.engine import index_object, unindex_object

from . import clock
from .caching import tickets_changed
from .models import (
    Absence,
    Attachment,
    Category,
    FaqEntry,
    Message,
    Priority,
    Queue,
    RoutingRule,
    ServiceLevel,
    Ticket,
    WorkingTime,
)
from .tasks import email_visitor

register_labels(
    {
        "helpdesk.ticket.opened": _l("Helpdesk ticket opened"),
        "helpdesk.ticket.confirmed": _l("Helpdesk ticket confirmed by its visitor"),
        "helpdesk.ticket.replied": _l("Helpdesk reply"),
        "helpdesk.ticket.noted": _l("Helpdesk internal note"),
        "helpdesk.ticket.changed": _l("Helpdesk ticket changed"),
        "helpdesk.ticket.rated": _l("Helpdesk ticket rated"),
        "helpdesk.ticket.closed": _l("Helpdesk ticket closed automatically"),
        "helpdesk.faq.saved": _l("FAQ entry saved"),
        "helpdesk.faq.deleted": _l("FAQ entry deleted"),
        "helpdesk.settings.changed": _l("Helpdesk settings changed"),
    }
)

S = Ticket.Status
FAQ_KIND = "helpdesk.faqentry"
REPLY_STATUSES = (S.OPEN, S.WAITING, S.RESOLVED)  # what a public reply may leave a ticket in
CHANGE_STATUSES = (S.OPEN, S.WAITING, S.RESOLVED, S.CLOSED)  # what change_ticket may set


class HelpdeskError(Exception):
    """A request the helpdesk refuses, with a message for the person."""


# --- routing and assignment ------------------------------------------------------------------


def route(category: str, term_id: int | None) -> Queue | None:
    """The queue for a category (and theme): the rule with the theme, else the category's
    rule, else the default queue; inactive queues are skipped."""
    rules = {
        (rule.term_id): rule.queue
        for rule in RoutingRule.objects.filter(category=category, queue__is_active=True)
        .filter(Q(term__isnull=True) | Q(term_id=term_id))
        .select_related("queue")
    }
    found = rules.get(term_id) if term_id is not None else None
    return found or rules.get(None) or Queue.objects.filter(is_default=True, is_active=True).first()


def available_expert(queue: Queue, *, today: dt.date) -> Any | None:
    """The queue's expert with the fewest active tickets who is not away today (ties: who has
    waited longest since their last assignment is not tracked; the lowest id wins, stable)."""
    away = Absence.objects.filter(starts_on__lte=today, ends_on__gte=today).values("expert")
    experts = (
        queue.experts.filter(is_active=True)
        .exclude(pk__in=away)
        .annotate(
            load=Count(
                "helpdesk_assigned",
                filter=Q(helpdesk_assigned__status__in=Ticket.ACTIVE),
            )
        )
        .order_by("load", "pk")
    )
    return experts.first()


def _assign_automatically(ticket: Ticket) -> None:
    ticket.queue = route(ticket.category, ticket.term_id)
    if ticket.queue is not None and ticket.queue.auto_assign:
        ticket.assignee = available_expert(ticket.queue, today=timezone.localdate())


# --- the clock -------------------------------------------------------------------------------


def _targets(priority: str) -> ServiceLevel | None:
    return ServiceLevel.objects.filter(priority=priority).first()


def _start_clock(ticket: Ticket, now: dt.datetime) -> None:
    ticket.received_at = now
    _set_due_times(ticket)


def _add(calendar: clock.WorkingCalendar, start: dt.datetime, seconds: int) -> dt.datetime | None:
    """`calendar.add`, or None when the settings leave no working time (the settings form
    prevents it; a ticket then has no due times rather than an error)."""
    try:
        return calendar.add(start, seconds)
    except ValueError:
        return None


def _set_due_times(ticket: Ticket) -> None:
    """Due times from the moment received, the priority's targets and the time paused."""
    level = _targets(ticket.priority)
    if level is None or ticket.received_at is None:
        ticket.first_response_due = ticket.resolution_due = None
        return
    calendar = clock.calendar()
    ticket.first_response_due = _add(
        calendar, ticket.received_at, level.first_response_hours * 3600
    )
    ticket.resolution_due = _add(
        calendar, ticket.received_at, level.resolution_hours * 3600 + ticket.paused_seconds
    )


def _pause(ticket: Ticket, now: dt.datetime) -> None:
    if ticket.waiting_since is None:
        ticket.waiting_since = now


def _resume(ticket: Ticket, now: dt.datetime) -> None:
    """The clock runs again: the working time spent paused moves the resolution due time (and
    re-arms its warning, the due time being another one)."""
    if ticket.waiting_since is None:
        return
    calendar = clock.calendar()
    paused = calendar.seconds_between(ticket.waiting_since, now)
    ticket.paused_seconds += paused
    ticket.waiting_since = None
    if ticket.resolution_due is not None and paused:
        ticket.resolution_due = _add(calendar, ticket.resolution_due, paused)
        ticket.resolution_warned = False


def _set_status(ticket: Ticket, status: str, now: dt.datetime) -> None:
    """Move to `status`, keeping the clock right: waiting, resolved and closed pause it, new
    and open resume it. Resolving (or closing a ticket that was not resolved) counts the
    pause so far first, so `resolution_seconds` leaves out the time spent waiting for the
    city and `resolved_at <= resolution_due` tells compliance."""
    if status == ticket.status:
        return
    done = status == S.RESOLVED or (status == S.CLOSED and ticket.status != S.RESOLVED)
    if done:
        _resume(ticket, now)  # the pause so far moves the due time and is counted
        _pause(ticket, now)
        ticket.resolved_at = now
        if ticket.received_at is not None:
            worked = clock.calendar().seconds_between(ticket.received_at, now)
            ticket.resolution_seconds = max(0, worked - ticket.paused_seconds)
    elif status == S.WAITING:
        _pause(ticket, now)
    elif status in (S.NEW, S.OPEN):
        _resume(ticket, now)
    if status not in (S.RESOLVED, S.CLOSED):
        ticket.resolved_at = None
        ticket.resolution_seconds = None
    ticket.closed_at = now if status == S.CLOSED else None
    ticket.status = status


# --- opening ---------------------------------------------------------------------------------


def _attach(message: Message, files: Sequence[UploadedFile]) -> None:
    for upload in files:
        Attachment.objects.create(
            message=message, file=upload, name=upload.name[:200], size=upload.size or 0
        )


def _tell_helpdesk(ticket: Ticket, title: str, body: str, *, exclude: Any = None) -> None:
    """The assignee, or the queue's experts when nobody is assigned."""
    if ticket.assignee_id:
        people = [ticket.assignee]
    elif ticket.queue_id:
        people = list(ticket.queue.experts.filter(is_active=True))
    else:
        people = []
    people = [p for p in people if exclude is None or p.pk != exclude.pk]
    if people:
        notify(people, kind="helpdesk", title=title, body=body, url=ticket.get_absolute_url())


def _tell_city(ticket: Ticket, title: str, body: str) -> None:
    """The person who asked (a notification and its email), or the visitor (an email with
    their private link). Only ever called with public content."""
    if ticket.requester_id:
        notify(
            [ticket.requester],
            kind="helpdesk",
            title=title,
            body=body,
            url=ticket.get_absolute_url(),
        )
    elif ticket.contact_email:
        transaction.on_commit(partial(email_visitor.enqueue, ticket.pk, "reply"))


@transaction.atomic
def open_ticket(
    *,
    actor: Any,
    city: Any | None,
    category: str,
    subject: str,
    description: str,
    term: Any | None = None,
    files: Sequence[UploadedFile] = (),
    priority: str = Priority.NORMAL,
    follow_up_of: Ticket | None = None,
) -> Ticket:
    """A member's ticket (for one of their cities, or none): routed, assigned, clock started."""
    now = timezone.now()
    ticket = Ticket(
        requester=actor,
        city=city,
        category=category,
        term=term if category == Category.EXPERT else None,
        subject=subject.strip(),
        priority=priority,
        status=S.NEW,
        follow_up_of=follow_up_of,
    )
    _receive(ticket, description, files, author=actor, now=now)
    log_action("helpdesk.ticket.opened", actor=actor, target=ticket, data={"category": category})
    return ticket


def _receive(
    ticket: Ticket, description: str, files: Sequence[UploadedFile], *, author: Any, now
) -> None:
    _assign_automatically(ticket)
    _start_clock(ticket, now)
    ticket.message_count = 1
    ticket.save()
    message = Message.objects.create(
        ticket=ticket, kind=Message.Kind.REPLY, author=author, from_city=True, body=description
    )
    _attach(message, files)
    _tell_helpdesk(
        ticket,
        _("New ticket #%(number)s: %(subject)s") % {"number": ticket.pk, "subject": ticket.subject},
        plain_text(description)[:500],
    )
    tickets_changed()


@transaction.atomic
def open_visitor_ticket(
    *,
    name: str,
    email: str,
    category: str,
    subject: str,
    description: str,
    term: Any | None = None,
    files: Sequence[UploadedFile] = (),
) -> Ticket:
    """A visitor's ticket: kept aside until they follow the link emailed to them."""
    ticket = Ticket.objects.create(
        contact_name=name.strip(),
        contact_email=email.strip(),
        category=category,
        term=term if category == Category.EXPERT else None,
        subject=subject.strip(),
        status=S.UNVERIFIED,
        message_count=1,
    )
    message = Message.objects.create(
        ticket=ticket, kind=Message.Kind.REPLY, from_city=True, body=description
    )
    _attach(message, files)
    log_action("helpdesk.ticket.opened", actor=None, target=ticket, data={"visitor": True})
    transaction.on_commit(partial(email_visitor.enqueue, ticket.pk, "confirm"))
    tickets_changed()
    return ticket


@transaction.atomic
def confirm_visitor_ticket(ticket: Ticket) -> bool:
    """The visitor followed their link: the ticket reaches the helpdesk (once)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != S.UNVERIFIED:
        return False
    now = timezone.now()
    ticket.status = S.NEW
    _assign_automatically(ticket)
    _start_clock(ticket, now)
    ticket.save()
    first = ticket.messages.order_by("created", "pk").first()
    _tell_helpdesk(
        ticket,
        _("New ticket #%(number)s: %(subject)s") % {"number": ticket.pk, "subject": ticket.subject},
        plain_text(first.body)[:500] if first else "",
    )
    log_action("helpdesk.ticket.confirmed", actor=None, target=ticket)
    tickets_changed()
    return True


# --- the conversation ------------------------------------------------------------------------


def _locked(ticket: Ticket) -> Ticket:
    """The ticket again, its row locked until the transaction ends (two experts replying at
    once write one after the other). Only the ticket's own row: PostgreSQL refuses FOR UPDATE
    on the nullable side of the outer joins that select_related makes."""
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("queue", "assignee", "requester")
        .get(pk=ticket.pk)
    )


@transaction.atomic
def reply_as_city(
    ticket: Ticket, *, actor: Any | None, body: str, files: Sequence[UploadedFile] = ()
) -> Message:
    """A reply from the city side (the asker, a lead, or the visitor through their link): a
    ticket waiting for the city or resolved opens again; a closed one takes no reply."""
    ticket = _locked(ticket)
    if ticket.status == S.CLOSED:
        raise HelpdeskError(
            _(
                "This ticket is closed and takes no more replies. "
                "Open a new ticket that follows it up."
            )
        )
    if ticket.status == S.UNVERIFIED:
        raise HelpdeskError(_("Confirm your email address first: follow the link we sent you."))
    now = timezone.now()
    reopened = ticket.status in (S.WAITING, S.RESOLVED)
    if reopened:
        _set_status(ticket, S.OPEN, now)
    message = Message.objects.create(
        ticket=ticket, kind=Message.Kind.REPLY, author=actor, from_city=True, body=body
    )
    _attach(message, files)
    ticket.message_count += 1
    ticket.save()
    _tell_helpdesk(
        ticket,
        _("Reply from the city on #%(number)s: %(subject)s")
        % {"number": ticket.pk, "subject": ticket.subject},
        plain_text(body)[:500],
    )
    log_action(
        "helpdesk.ticket.replied",
        actor=actor,
        target=ticket,
        data={"city": True, "reopened": reopened},
    )
    tickets_changed()
    return message


@transaction.atomic
def reply_as_helpdesk(
    ticket: Ticket,
    *,
    actor: Any,
    body: str,
    note: bool = False,
    status: str | None = None,
    files: Sequence[UploadedFile] = (),
) -> Message:
    """An expert's public reply (the city is told; the first one stops the first-response
    clock; `status` — open, waiting for the city or resolved — follows it) or internal note
    (only the helpdesk side is told; the status does not change)."""
    if status and not note and status not in REPLY_STATUSES:
        raise HelpdeskError(_("After a reply a ticket is open, waiting for the city or resolved."))
    ticket = _locked(ticket)
    if ticket.status == S.CLOSED and not note:
        raise HelpdeskError(_("This ticket is closed: the city can no longer read replies here."))
    if ticket.status == S.UNVERIFIED and not note:
        raise HelpdeskError(
            _(
                "The visitor has not confirmed their email address yet: a reply could reach "
                "someone who did not ask. It can be answered once they confirm."
            )
        )
    now = timezone.now()
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.NOTE if note else Message.Kind.REPLY,
        author=actor,
        from_city=False,
        body=body,
    )
    _attach(message, files)
    ticket.message_count += 1
    if note:
        ticket.save()
        _tell_helpdesk(
            ticket,
            _("Internal note on #%(number)s") % {"number": ticket.pk},
            plain_text(body)[:500],
            exclude=actor,
        )
        log_action("helpdesk.ticket.noted", actor=actor, target=ticket)
        tickets_changed()
        return message
    if ticket.first_response_at is None and ticket.received_at is not None:
        ticket.first_response_at = now
        ticket.first_response_seconds = clock.calendar().seconds_between(ticket.received_at, now)
    if ticket.assignee_id is None:
        ticket.assignee = actor
    next_status = status or S.OPEN
    _set_status(ticket, next_status, now)
    ticket.save()
    if next_status == S.RESOLVED:
        title = _("Your ticket #%(number)s is resolved: please rate the answer")
    else:
        title = _("New reply to your ticket #%(number)s")
    _tell_city(ticket, title % {"number": ticket.pk}, plain_text(body)[:2000])
    log_action("helpdesk.ticket.replied", actor=actor, target=ticket, data={"status": next_status})
    tickets_changed()
    return message


def _tell_assignee(ticket: Ticket) -> None:
    notify(
        [ticket.assignee],
        kind="helpdesk",
        title=_("Ticket #%(number)s is assigned to you: %(subject)s")
        % {"number": ticket.pk, "subject": ticket.subject},
        url=ticket.get_absolute_url(),
    )


@transaction.atomic
def change_ticket(
    ticket: Ticket,
    *,
    actor: Any,
    status: str | None = None,
    priority: str | None = None,
    queue: Queue | None = None,
    assignee: Any | None = None,
    unassign: bool = False,
) -> Ticket:
    """What the helpdesk side changes on a ticket; each change is audited.

    - `status`: open, waiting for the city, resolved or closed (a ticket is new only until it
      is taken on, and a visitor's is unverified only until they confirm; neither is set).
    - `priority`: the due times are computed again from `received_at` with the new targets,
      keeping the time paused so far, and the breach warnings are re-armed.
    - `queue`: the ticket goes to that queue's team. Unless `assignee` or `unassign` is given
      too, it is assigned anew there: to the queue's least-loaded available expert when the
      queue assigns automatically (who is told), otherwise nobody (it waits in the queue).
    - `assignee`: an active helpdesk expert or coordinator (told, unless it is the actor);
      `unassign` takes the ticket off whoever has it.
    """
    if status and status not in CHANGE_STATUSES:
        raise HelpdeskError(
            _("A visitor's ticket starts when they confirm their address.")
            if status == S.UNVERIFIED
            else _("A ticket can be set open, waiting for the city, resolved or closed.")
        )
    if assignee is not None and not (
        assignee.is_active and (assignee.is_helpdesk_expert or assignee.is_coordinator)
    ):
        raise HelpdeskError(_("Tickets can only be assigned to an active helpdesk expert."))
    ticket = _locked(ticket)
    now = timezone.now()
    changed: dict[str, str] = {}
    if status and status != ticket.status:
        if ticket.status == S.UNVERIFIED:
            raise HelpdeskError(_("A visitor's ticket starts when they confirm their address."))
        _set_status(ticket, status, now)
        changed["status"] = status
    if priority and priority != ticket.priority:
        ticket.priority = priority
        _set_due_times(ticket)
        ticket.first_response_warned = ticket.resolution_warned = False
        changed["priority"] = priority
    if queue is not None and queue.pk != ticket.queue_id:
        ticket.queue = queue
        changed["queue"] = queue.slug
        if assignee is None and not unassign:
            previous = ticket.assignee_id
            ticket.assignee = (
                available_expert(queue, today=timezone.localdate()) if queue.auto_assign else None
            )
            if ticket.assignee_id != previous:
                changed["assignee"] = str(ticket.assignee_id or "")
                if ticket.assignee is not None and ticket.assignee.pk != actor.pk:
                    _tell_assignee(ticket)
    if unassign and ticket.assignee_id is not None:
        ticket.assignee = None
        changed["assignee"] = ""
    elif assignee is not None and assignee.pk != ticket.assignee_id:
        ticket.assignee = assignee
        changed["assignee"] = str(assignee.pk)
        if assignee.pk != actor.pk:
            _tell_assignee(ticket)
    if not changed:
        return ticket
    ticket.save()
    if changed.get("status") == S.RESOLVED:
        _tell_city(
            ticket,
            _("Your ticket #%(number)s is resolved: please rate the answer")
            % {"number": ticket.pk},
            "",
        )
    log_action("helpdesk.ticket.changed", actor=actor, target=ticket, data=changed)
    tickets_changed()
    return ticket


@transaction.atomic
def rate(ticket: Ticket, *, actor: Any, rating: int, comment: str = "") -> Ticket:
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    ticket = _locked(ticket)
    if ticket.rating is not None:
        raise HelpdeskError(_("You have already rated this ticket. Thank you!"))
    if ticket.status not in (S.RESOLVED, S.CLOSED):
        raise HelpdeskError(_("You can rate the answer once the ticket is resolved."))
    if not 1 <= rating <= 5:
        raise HelpdeskError(_("Choose a rating from 1 to 5."))
    ticket.rating = rating
    ticket.rating_comment = comment.strip()
    ticket.rated_at = timezone.now()
    ticket.save(update_fields=["rating", "rating_comment", "rated_at", "updated"])
    log_action("helpdesk.ticket.rated", actor=actor, target=ticket, data={"rating": ticket.rating})
    tickets_changed()
    return ticket


# --- sweeps ----------------------------------------------------------------------------------


def close_resolved(*, now: dt.datetime | None = None) -> int:
    """Close tickets resolved more than the configured number of days ago."""
    now = now or timezone.now()
    days = (WorkingTime.objects.first() or WorkingTime()).auto_close_days
    ids = list(
        Ticket.objects.resolved_before(now - dt.timedelta(days=days)).values_list("pk", flat=True)
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=pk)
            if ticket.status != S.RESOLVED:
                continue
            _set_status(ticket, S.CLOSED, now)
            ticket.save()
            log_action("helpdesk.ticket.closed", actor=None, target=ticket, data={"days": days})
            closed += 1
    if closed:
        tickets_changed()
    return closed


def warn_before_breach(*, now: dt.datetime | None = None) -> int:
    """Tell the assignee (or the queue's experts) once per due time when a ticket will be late
    within the warning window, or already is: for the first response (until it is given) and
    for the resolution, each warned on its own. A ticket waiting for the city is never warned
    (its clock is stopped); a new due time (priority changed, clock resumed) is warned again."""
    now = now or timezone.now()
    setting = WorkingTime.objects.first() or WorkingTime()
    horizon = now
    if setting.warn_hours:
        horizon = _add(clock.calendar(), now, setting.warn_hours * 3600) or now
    candidates = (
        Ticket.objects.due_before(horizon)
        .filter(Q(first_response_warned=False) | Q(resolution_warned=False))
        .select_related("queue", "assignee")
    )
    warned = 0
    for ticket in candidates:
        due_times = []
        if (
            not ticket.first_response_warned
            and ticket.first_response_at is None
            and ticket.first_response_due is not None
            and ticket.first_response_due < horizon
        ):
            due_times.append(
                ("first_response_warned", _("first response"), ticket.first_response_due)
            )
        if (
            not ticket.resolution_warned
            and ticket.resolution_due is not None
            and ticket.resolution_due < horizon
        ):
            due_times.append(("resolution_warned", _("resolution"), ticket.resolution_due))
        for flag, what, due in due_times:
            with transaction.atomic():
                # Claim the warning: another sweep running at once warns nobody twice.
                claimed = Ticket.objects.filter(
                    pk=ticket.pk, status__in=(S.NEW, S.OPEN), **{flag: False}
                ).update(**{flag: True})
                if not claimed:
                    continue
                late = due <= now
                title = (
                    _("Ticket #%(number)s is late: %(what)s was due")
                    if late
                    else _("Ticket #%(number)s: %(what)s due soon")
                ) % {"number": ticket.pk, "what": what}
                _tell_helpdesk(ticket, title, ticket.subject)
                warned += 1
    return warned


# --- the FAQ, canned replies and configuration -----------------------------------------------


def _unique_slug(question: str, exclude: int | None) -> str:
    base = slugify(question)[:70] or "entry"
    slug, n = base, 2
    while FaqEntry.objects.filter(slug=slug).exclude(pk=exclude).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def save_faq_entry(entry: FaqEntry, *, actor: Any) -> FaqEntry:
    """Create or change an entry; a published one is in the search (help page, suggestions)."""
    created = entry.pk is None
    if not entry.slug:
        entry.slug = _unique_slug(entry.question, entry.pk)
    if created:
        entry.author = actor
    entry.save()
    if entry.status == FaqEntry.Status.PUBLISHED:
        index_object(
            entry,
            title=entry.question,
            text=plain_text(entry.answer),
            audience="public",
            date=entry.updated.date(),
            facets={"category": [entry.category]},
        )
    else:
        unindex_object(entry)
    log_action(
        "helpdesk.faq.saved",
        actor=actor,
        target=entry,
        data={"created": created, "status": entry.status},
    )
    return entry


@transaction.atomic
def delete_faq_entry(entry: FaqEntry, *, actor: Any) -> None:
    unindex_object(entry)
    log_action("helpdesk.faq.deleted", actor=actor, target=entry, data={"question": entry.question})
    entry.delete()


@transaction.atomic
def save_settings(objects: Iterable[Any], *, actor: Any, what: str) -> None:
    """Save configuration rows (queues, rules, service levels, working time, holidays,
    canned replies, absences) from the coordinators' and experts' forms: the clock and the
    routing see the change at once."""
    for obj in objects:
        obj.save()
    clock.settings_changed()
    log_action("helpdesk.settings.changed", actor=actor, data={"what": what})


# --- personal data ---------------------------------------------------------------------------


def _personal_data(user: Any) -> list[dict[str, Any]]:
    tickets = Ticket.objects.asked_by(user).prefetch_related("messages")
    return [
        {
            "number": t.pk,
            "subject": t.subject,
            "status": t.status,
            "opened": t.created.isoformat(),
            "rating": t.rating,
            "messages": [
                {"written": m.created.isoformat(), "from_city": m.from_city, "text": m.body}
                for m in t.messages.all()
                if m.kind == Message.Kind.REPLY  # internal notes are the helpdesk's
            ],
        }
        for t in tickets
    ]


personal_data.register("helpdesk_tickets", _personal_data)


# --- deletions of configuration rows (engineer B) --------------------------------------------


@transaction.atomic
def delete_settings(objects: Iterable[Any], *, actor: Any, what: str) -> None:
    """Delete configuration rows (canned replies, absences, routing rules, service levels,
    holidays) from the coordinators' and experts' pages: the counterpart of `save_settings`,
    audited with what was deleted; the clock and the routing see the change at once."""
    deleted = []
    for obj in objects:
        deleted.append(f"{obj._meta.model_name}:{obj.pk}")
        obj.delete()
    clock.settings_changed()
    log_action("helpdesk.settings.changed", actor=actor, data={"what": what, "deleted": deleted})

"""Helpdesk API: my tickets (the ones I asked and, for a lead, those of my cities), one ticket
with its conversation, opening a ticket and replying.

The *city side* of a ticket (the person who asked, the leads of its city) reads the public
replies only: an internal note is never in any answer to them, nor counted. The *helpdesk side*
(the experts of the ticket's queue, its assignee, coordinators) reads the notes too, each
message with its `kind`, and may write a note or set the status with a reply. A ticket one may
not see answers the same 404 as a missing one (`policies.get_ticket_for_user`).

Times are answered in UTC (ISO 8601, `Z`).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import field_validator

from netzerohub.accounts.auth import API_AUTH
from netzerohub.cities.models import City
from netzerohub.cities.policies import approved_memberships
from netzerohub.core.api import ErrorOut, ValidationErrorOut
from netzerohub.core.markdown import render_markdown
from netzerohub.core.models import Term
from netzerohub.core.paging import paginate
from netzerohub.core.querysets import make_key
from netzerohub.core.ratelimit import hit
from netzerohub.events.api import utc

from . import services
from .caching import tickets_version
from .limits import MEMBER_TICKETS_PER_HOUR, REPLIES_PER_HOUR
from .models import MESSAGE_MAX_CHARS, Attachment, Category, Message, Ticket
from .policies import get_ticket_for_user, lead_city_ids, ticket_policy
from .querysets import TicketQuerySet

router = Router(tags=["helpdesk"])
PER_PAGE = 25
# The budgets of the portal's forms, under the same keys: a person cannot double them by
# switching between the pages and the API.
OPEN_ACTION, OPEN_LIMIT, OPEN_PERIOD = "helpdesk.ticket", MEMBER_TICKETS_PER_HOUR, 3600
REPLY_ACTION, REPLY_LIMIT, REPLY_PERIOD = "helpdesk.reply", REPLIES_PER_HOUR, 3600
STATUSES = "|".join(s for s in Ticket.Status.values if s != Ticket.Status.UNVERIFIED)
LISTED = (
    "subject",
    "category",
    "status",
    "priority",
    "created",
    "updated",
    "resolved_at",
    "closed_at",
    "rating",
    "requester_id",
    "city__name",
    "term__slug",
)


# --- schemas ---------------------------------------------------------------------------------


class CityRefOut(Schema):
    id: int
    name: str


class TicketOut(Schema):
    id: int
    subject: str
    category: str = Field(description="portal, events, applications, expert or other")
    term: str | None = Field(
        None, description="Expert guidance: the field of action or lever of change (its slug)"
    )
    status: str = Field(description="new, open, waiting (for the city), resolved or closed")
    priority: str = Field(description="low, normal, high or urgent")
    city: CityRefOut | None = Field(None, description="The city the ticket was asked for")
    mine: bool = Field(description="Asked by you (otherwise by someone of a city you lead)")
    created: datetime.datetime = Field(description="Opened (UTC)")
    updated: datetime.datetime = Field(description="Last activity (UTC)")
    resolved_at: datetime.datetime | None = Field(None, description="UTC")
    closed_at: datetime.datetime | None = Field(None, description="UTC")
    rating: int | None = Field(None, description="1–5, given by the person who asked")
    url: str = Field(description="The ticket's page")


class TicketPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[TicketOut]


class AttachmentOut(Schema):
    name: str
    size: int = Field(description="Bytes")
    url: str = Field(description="Downloaded through the portal, with the same permission check")


class MessageOut(Schema):
    id: int
    kind: str = Field(
        description="reply (public) or note (internal: only ever answered to the helpdesk side)"
    )
    from_city: bool = Field(description="Written by the city side (or the visitor who asked)")
    author: str | None = Field(None, description="Who wrote it: their name (null when unknown)")
    body: str = Field(description="Markdown")
    body_html: str = Field(description="The text rendered and sanitised")
    created: datetime.datetime = Field(description="UTC")
    attachments: list[AttachmentOut]


class TicketDetailOut(TicketOut):
    side: str = Field(description="city or helpdesk: which side of the ticket you are on")
    can_reply: bool = Field(
        description="False for a closed ticket: open a new ticket with `follow_up_of` instead"
    )
    follow_up_of: int | None = Field(None, description="The ticket this one follows up")
    queue: str | None = Field(None, description="Helpdesk side only: the queue (its address)")
    assignee: str | None = Field(None, description="Helpdesk side only: who answers it")
    first_response_due: datetime.datetime | None = Field(
        None, description="Helpdesk side only (UTC)"
    )
    resolution_due: datetime.datetime | None = Field(None, description="Helpdesk side only (UTC)")
    messages: list[MessageOut] = Field(
        description="The conversation, oldest first: public replies for the city side; "
        "replies and internal notes for the helpdesk side"
    )


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


class TicketIn(Schema):
    """A new ticket. Attachments are not taken here: add them on the ticket's page (the API
    takes text only)."""

    city: int | None = Field(
        None,
        description="The id of one of your cities (an approved membership); null for a "
        "question that concerns no city",
    )
    category: Literal["portal", "events", "applications", "expert", "other"]
    term: str = Field(
        "",
        max_length=60,
        description="For expert guidance: the slug of a field of action or lever of change "
        "(ignored for other categories)",
    )
    subject: str = Field(max_length=200)
    description: str = Field(
        max_length=MESSAGE_MAX_CHARS,
        description="Markdown. Attachments are not taken by the API: add them on the ticket's "
        "page in the portal.",
    )
    follow_up_of: int | None = Field(
        None, description="The id of a ticket of yours this one follows up (e.g. a closed one)"
    )

    _subject = field_validator("subject", "description")(_not_blank)


class ReplyIn(Schema):
    """A reply. Attachments are not taken here: add them on the ticket's page."""

    body: str = Field(max_length=MESSAGE_MAX_CHARS, description="Markdown")
    kind: Literal["reply", "note"] | None = Field(
        None,
        description="Helpdesk side only: `note` writes an internal note the city never reads; "
        "`reply` (the default) a public reply",
    )
    status: Literal["open", "waiting", "resolved"] | None = Field(
        None,
        description="Helpdesk side only, with a public reply: the status that follows it "
        "(open by default)",
    )

    _body = field_validator("body")(_not_blank)


# --- reading ---------------------------------------------------------------------------------


def _mine(user: Any) -> TicketQuerySet:
    """Tickets on the city side of `user`: the ones they asked and those of cities they lead."""
    received = Ticket.objects.received()
    leads = lead_city_ids(user)
    if not leads:
        return received.asked_by(user)
    return received.filter(Q(requester=user) | Q(city__in=leads))


def _ticket(ticket: Ticket, user: Any) -> dict:
    """A ticket with its city and term loaded."""
    return {
        "id": ticket.pk,
        "subject": ticket.subject,
        "category": ticket.category,
        "term": ticket.term.slug if ticket.term_id else None,
        "status": ticket.status,
        "priority": ticket.priority,
        "city": {"id": ticket.city_id, "name": ticket.city.name} if ticket.city_id else None,
        "mine": ticket.requester_id is not None and ticket.requester_id == user.pk,
        "created": utc(ticket.created),
        "updated": utc(ticket.updated),
        "resolved_at": utc(ticket.resolved_at),
        "closed_at": utc(ticket.closed_at),
        "rating": ticket.rating,
        "url": ticket.get_absolute_url(),
    }


def _message(message: Message, ticket: Ticket) -> dict:
    return {
        "id": message.pk,
        "kind": message.kind,
        "from_city": message.from_city,
        # The name only: an expert's address is not the city's to read.
        "author": (message.author.name or None) if message.author_id else None,
        "body": message.body,
        "body_html": str(render_markdown(message.body)),
        "created": utc(message.created),
        "attachments": [
            {
                "name": a.name,
                "size": a.size,
                "url": reverse("helpdesk:attachment", args=[ticket.pk, a.pk]),
            }
            for a in message.attachments.all()
        ],
    }


def _detail(ticket: Ticket, user: Any) -> dict:
    """The ticket as `user` may read it: notes only for the helpdesk side."""
    helpdesk = ticket_policy.can(user, "view_notes", ticket)
    messages = Message.objects.for_ticket(ticket)
    if not helpdesk:
        messages = messages.public()
    messages = messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.only("name", "size", "message_id"))
    )
    return {
        **_ticket(ticket, user),
        "side": "helpdesk" if helpdesk else "city",
        "can_reply": ticket.status != Ticket.Status.CLOSED,
        "follow_up_of": ticket.follow_up_of_id,
        "queue": ticket.queue.slug if helpdesk and ticket.queue_id else None,
        "assignee": str(ticket.assignee) if helpdesk and ticket.assignee_id else None,
        "first_response_due": utc(ticket.first_response_due) if helpdesk else None,
        "resolution_due": utc(ticket.resolution_due) if helpdesk else None,
        "messages": [_message(m, ticket) for m in messages],
    }


@router.get(
    "/helpdesk/tickets",
    auth=API_AUTH,
    response={200: TicketPageOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="My helpdesk tickets (and, for a lead, those of my cities)",
)
def my_tickets(
    request: HttpRequest,
    status: str = Query("", pattern=f"^({STATUSES})?$", description="Only tickets in this status"),  # noqa: B008 - how ninja declares it
    page: int = Query(1, ge=1, le=100000),  # noqa: B008
) -> dict:
    """The tickets you asked and, for the cities you lead, every ticket asked for them, the
    latest first. Experts read their queues on the portal's queue pages."""
    user = request.auth
    mine = _mine(user)
    if status:
        mine = mine.filter(status=status)
    found = paginate(
        mine.select_related("city", "term").only(*LISTED).order_by("-created", "-id"),
        page,
        PER_PAGE,
        # Counted once per version of the tickets (every ticket write bumps it).
        count_key=make_key("helpdesk.api.mine", user.pk, status, tickets_version()),
    )
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "results": [_ticket(t, user) for t in found.object_list],
    }


@router.get(
    "/helpdesk/tickets/{ticket_id}",
    auth=API_AUTH,
    response={200: TicketDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="One ticket with its conversation",
)
def ticket_detail(request: HttpRequest, ticket_id: int) -> dict:
    """For the city side, the public replies; for the helpdesk side, the internal notes too
    (see each message's `kind`). 404 for a ticket that is not yours, as for a missing one."""
    found = get_ticket_for_user(request.auth, ticket_id)
    return _detail(found, request.auth)


# --- writing ---------------------------------------------------------------------------------


def _too_often(action: str, user: Any, *, limit: int, period: int) -> None:
    if not hit(f"{action}:user:{user.pk}", limit=limit, period=period):
        raise HttpError(429, _("You have done this too often; please try again later."))


def _own_city(user: Any, city_id: int | None) -> City | None:
    """One of the person's approved cities; a forged id answers 404, as a missing one."""
    if city_id is None:
        return None
    if city_id not in approved_memberships(user):
        raise Http404
    return City.objects.get(pk=city_id)


def _term(category: str, slug: str) -> Term | None:
    if category != Category.EXPERT or not slug:
        return None
    term = Term.objects.filter(kind__in=[Term.Kind.FIELD, Term.Kind.LEVER], slug=slug).first()
    if term is None:
        raise HttpError(422, _("No field of action or lever of change has this slug."))
    return term


@router.post(
    "/helpdesk/tickets",
    auth=API_AUTH,
    response={
        201: TicketDetailOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut | ErrorOut,
        429: ErrorOut,
    },
    summary="Open a helpdesk ticket",
)
def create_ticket(request: HttpRequest, data: TicketIn):
    """The ticket is routed to its queue, assigned and its service-level clock started, as
    from the portal's form. 404 for a city you are not an approved member of (or a ticket to
    follow up that is not yours); 422 for an unknown term; 429 when you have opened too many
    tickets in the last hour. Attachments are not taken: add them on the ticket's page."""
    user = request.auth
    city = _own_city(user, data.city)
    term = _term(data.category, data.term)
    follow_up = get_ticket_for_user(user, data.follow_up_of) if data.follow_up_of else None
    _too_often(OPEN_ACTION, user, limit=OPEN_LIMIT, period=OPEN_PERIOD)
    try:
        ticket = services.open_ticket(
            actor=user,
            city=city,
            category=data.category,
            term=term,
            subject=data.subject,
            description=data.description,
            follow_up_of=follow_up,
        )
    except services.HelpdeskError as error:
        raise HttpError(409, str(error)) from error
    return Status(201, _detail(get_ticket_for_user(user, ticket.pk), user))


@router.post(
    "/helpdesk/tickets/{ticket_id}/replies",
    auth=API_AUTH,
    response={
        201: MessageOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut | ErrorOut,
        429: ErrorOut,
    },
    summary="Reply to a ticket (the helpdesk side: or write an internal note)",
)
def create_reply(request: HttpRequest, ticket_id: int, data: ReplyIn):
    """From the city side, a public reply: a ticket waiting for the city or resolved opens
    again. From the helpdesk side, a public reply (with the status that follows it) or, with
    `kind: note`, an internal note. 409 with the reason when the ticket takes no reply (a
    closed ticket: open a new one with `follow_up_of`); 422 when the city side asks for a note
    or a status."""
    user = request.auth
    ticket = get_ticket_for_user(user, ticket_id)
    helpdesk = ticket_policy.can(user, "note", ticket) and (
        not ticket_policy.on_city_side(user, ticket)
        or data.kind is not None
        or data.status is not None
    )
    if not helpdesk and (data.kind == Message.Kind.NOTE or data.status is not None):
        raise HttpError(422, _("Only the helpdesk writes internal notes or sets a status."))
    _too_often(REPLY_ACTION, user, limit=REPLY_LIMIT, period=REPLY_PERIOD)
    try:
        if helpdesk:
            message = services.reply_as_helpdesk(
                ticket,
                actor=user,
                body=data.body,
                note=data.kind == Message.Kind.NOTE,
                status=data.status,
            )
        else:
            message = services.reply_as_city(ticket, actor=user, body=data.body)
    except services.HelpdeskError as error:
        raise HttpError(409, str(error)) from error
    return Status(201, _message(message, ticket))

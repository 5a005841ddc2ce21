"""The helpdesk: tickets from members and visitors, routed to queues of experts, answered in a
conversation of public replies and internal notes, measured against service levels, and an FAQ
whose published entries form the public help page and feed the suggestions.

Who may see what is in `policies.py`; every write is in `services.py`; working-time arithmetic
(service levels) in `clock.py`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from netzerohub.core.uploads import DOCUMENT_KINDS, UploadValidator

from .querysets import FaqEntryQuerySet, MessageQuerySet, TicketQuerySet

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MESSAGE_MAX_CHARS = 20_000


class Category(models.TextChoices):
    PORTAL = "portal", _("Using the portal")
    EVENTS = "events", _("Events and registrations")
    APPLICATIONS = "applications", _("Applications and calls")
    EXPERT = "expert", _("Expert guidance on a field of action or lever of change")
    OTHER = "other", _("Something else")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Queue(models.Model):
    """A team of experts answering one kind of question. Routing rules send tickets here."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    experts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="helpdesk_queues",
        verbose_name=_("experts"),
        limit_choices_to=Q(is_helpdesk_expert=True) | Q(is_staff=True),
    )
    auto_assign = models.BooleanField(
        _("assign automatically"),
        default=True,
        help_text=_(
            "New tickets go to the expert with the fewest open tickets who is not away; "
            "otherwise they wait in the queue for an expert to take them."
        ),
    )
    is_default = models.BooleanField(
        _("default queue"),
        default=False,
        help_text=_("Tickets that no routing rule matches come here (one queue at most)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="helpdesk_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("helpdesk:queue", args=[self.slug])


class RoutingRule(models.Model):
    """Category (and, for expert guidance, a field of action or lever) → queue. A rule with a
    theme wins over the category's rule without one."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    term = models.ForeignKey(
        "core.Term",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("field of action or lever"),
        help_text=_("Only for expert guidance; empty for the whole category."),
    )
    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, related_name="rules", verbose_name=_("queue")
    )

    class Meta:
        ordering = ["category", "term__position", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "term"], name="helpdesk_rule_unique_category_term"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(term__isnull=True),
                name="helpdesk_rule_unique_category",
            ),
        ]

    def __str__(self) -> str:
        theme = f" · {self.term}" if self.term_id else ""
        return f"{self.get_category_display()}{theme} → {self.queue}"


class Absence(models.Model):
    """An expert away (holiday, leave): no automatic assignment on these days."""

    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="helpdesk_absences",
        verbose_name=_("expert"),
    )
    starts_on = models.DateField(_("first day away"))
    ends_on = models.DateField(_("last day away"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="helpdesk_absence_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert} {self.starts_on}–{self.ends_on}"


class WorkingTime(models.Model):
    """When the helpdesk works (one row): the service-level clock runs only then."""

    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Brussels")
    work_days = models.CharField(
        _("working days"),
        max_length=20,
        default="0,1,2,3,4",
        help_text=_("Days of the week, 0 = Monday … 6 = Sunday, separated by commas."),
    )
    day_starts = models.TimeField(_("working day starts"), default=dt.time(9))
    day_ends = models.TimeField(_("working day ends"), default=dt.time(17))
    warn_hours = models.PositiveSmallIntegerField(
        _("warn before a breach (working hours)"),
        default=4,
        validators=[MaxValueValidator(80)],
    )
    auto_close_days = models.PositiveSmallIntegerField(
        _("close resolved tickets after (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )

    class Meta:
        verbose_name = _("working time")
        verbose_name_plural = _("working time")
        constraints = [
            models.CheckConstraint(
                condition=Q(day_ends__gt=models.F("day_starts")),
                name="helpdesk_working_day_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return str(_("Working time"))

    @property
    def days(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.work_days.split(",") if d.strip().isdigit())


class Holiday(models.Model):
    """A day the helpdesk does not work (the clock stops)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ServiceLevel(models.Model):
    """Targets per priority, in working hours (a working day is the configured day's length)."""

    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, unique=True)
    first_response_hours = models.PositiveSmallIntegerField(
        _("first response within (working hours)"), validators=[MinValueValidator(1)]
    )
    resolution_hours = models.PositiveSmallIntegerField(
        _("resolution within (working hours)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["first_response_hours", "id"]
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")

    def __str__(self) -> str:
        return self.get_priority_display()


def new_access_token() -> str:
    return secrets.token_urlsafe(32)


class Ticket(models.Model):
    """A question to the helpdesk, from a member (for one of their cities) or a visitor."""

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("Waiting for the email address to be confirmed")
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting for the city")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    ACTIVE = (Status.NEW, Status.OPEN, Status.WAITING)

    city = models.ForeignKey(
        "cities.City",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="helpdesk_tickets",
        verbose_name=_("city"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="helpdesk_tickets",
        verbose_name=_("asked by"),
    )
    # Visitors: their name and address (confirmed by a link before the ticket reaches anyone).
    contact_name = models.CharField(_("name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("email address"), blank=True)
    # Every ticket gets one (a column unique across rows needs distinct values); only a
    # visitor's ticket (no requester) is ever served by it.
    access_token = models.CharField(max_length=64, unique=True, default=new_access_token)

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    term = models.ForeignKey(
        "core.Term",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("field of action or lever"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("queue"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="helpdesk_assigned",
        verbose_name=_("assigned to"),
    )
    follow_up_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        verbose_name=_("follows up"),
    )

    created = models.DateTimeField(_("opened"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("last activity"), auto_now=True)
    # The service-level clock (see clock.py): due times in real time, pushed back by the working
    # time a ticket spent waiting for the city; the working seconds it took, once it did.
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    first_response_warned = models.BooleanField(default=False)
    resolution_warned = models.BooleanField(default=False)

    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("comment"), blank=True, max_length=2000)
    rated_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["queue", "status", "-created"], name="helpdesk_ticket_queue_idx"),
            models.Index(
                fields=["assignee", "status", "-created"], name="helpdesk_ticket_assignee_idx"
            ),
            models.Index(fields=["requester", "-created"], name="helpdesk_ticket_requester_idx"),
            models.Index(fields=["city", "-created"], name="helpdesk_ticket_city_idx"),
            models.Index(
                fields=["resolution_due"],
                condition=Q(status__in=["new", "open", "waiting"]),
                name="helpdesk_ticket_due_idx",
            ),
            models.Index(
                fields=["first_response_due"],
                condition=Q(status__in=["new", "open"], first_response_at__isnull=True),
                name="helpdesk_ticket_first_due_idx",
            ),
            models.Index(
                fields=["resolved_at"],
                condition=Q(status="resolved"),
                name="helpdesk_ticket_resolved_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(requester__isnull=False) | ~Q(contact_email=""),
                name="helpdesk_ticket_has_someone_to_answer",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("helpdesk:ticket", args=[self.pk])

    def get_visitor_url(self) -> str:
        return reverse("helpdesk:visitor-ticket", args=[self.access_token])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def asker_name(self) -> str:
        if self.requester_id:
            return str(self.requester)
        return self.contact_name or self.contact_email

    @staticmethod
    def new_token() -> str:
        return new_access_token()


class Message(models.Model):
    """One turn of a ticket's conversation: a public reply (the city reads it) or an internal
    note (experts and coordinators only — never in the city's pages, emails, API or exports)."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket")
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.REPLY)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    from_city = models.BooleanField(
        _("from the city"),
        default=False,
        help_text=_("Written by the asker's side (the person who asked, a lead, a visitor)."),
    )
    body = models.TextField(_("text"), max_length=MESSAGE_MAX_CHARS, help_text=_("Markdown."))
    created = models.DateTimeField(_("written"), auto_now_add=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["ticket", "created"], name="helpdesk_message_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.pk} {self.kind}"

    @property
    def is_note(self) -> bool:
        return self.kind == self.Kind.NOTE


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random folder: names never collide and cannot be guessed (files are served by a view).
    return f"helpdesk/{secrets.token_hex(8)}/{PurePosixPath(filename).name}"


class Attachment(models.Model):
    """A file attached to a message; downloaded through a view that checks the ticket (and,
    for a note's file, that the viewer may read notes)."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    file = models.FileField(
        _("file"),
        upload_to=attachment_path,
        max_length=300,
        validators=[UploadValidator(kinds=DOCUMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)],
    )
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class CannedReply(models.Model):
    """A prepared answer an expert inserts and adapts (for one queue, or for all)."""

    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=MESSAGE_MAX_CHARS, help_text=_("Markdown."))
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        verbose_name=_("queue"),
        help_text=_("Empty: offered in every queue."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title


class FaqEntry(models.Model):
    """A question and its answer, written by experts; published entries form the public help
    page and are suggested while someone types a ticket's subject."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    question = models.CharField(_("question"), max_length=250)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    answer = models.TextField(_("answer"), max_length=MESSAGE_MAX_CHARS, help_text=_("Markdown."))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = FaqEntryQuerySet.as_manager()

    class Meta:
        ordering = ["category", "position", "question", "id"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("helpdesk:faq-entry", args=[self.slug])

"""Everything with a date and seats: a peer group's meetings, national engagement events and
the study visits of city-to-city exchanges, their registrations, and personal calendar feeds.

One model, one registration engine (`events.registration`): places left are computed from the
registrations' counts under a row lock on the event; a full event puts people on a waitlist in
order; a seat freed by a cancellation is offered to the first person waiting for `offer_hours`.
Times are stored in UTC; `time_zone` is the zone the organisers enter and announce them in, and
each viewer sees them in their own.
"""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from netzerohub.accounts.models import TIME_ZONE_CHOICES

from .querysets import CalendarFeedQuerySet, EventQuerySet, RegistrationQuerySet

DEFAULT_OFFER_HOURS = 48


def _terms(kind: str, label: str) -> models.ManyToManyField:
    return models.ManyToManyField(
        "core.Term",
        verbose_name=label,
        related_name="+",
        limit_choices_to={"kind": kind},
        blank=True,
    )


class Event(models.Model):
    """A meeting of a peer group or a national engagement event."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Peer group meeting")
        NATIONAL = "national", _("National engagement event")
        STUDY_VISIT = "study-visit", _("Study visit")

    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in-person", _("In person")
        HYBRID = "hybrid", _("Hybrid")

    class Audience(models.TextChoices):
        ALL = "all", _("All registered cities")
        COUNTRY = "country", _("Cities of the event's country")
        INVITED = "invited", _("Invited cities only")
        GROUP = "group", _("Members of the peer group")
        CALL = "call", _("Accepted applicants of the exchange call")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("Markdown."))
    group = models.ForeignKey(
        "community.Group",
        verbose_name=_("peer group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    phase = models.ForeignKey(
        "community.Phase",
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    offer = models.ForeignKey(
        "exchanges.HostOffer",
        verbose_name=_("host offer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="visits",
        help_text=_("A study visit is hosted by a city that offers exchanges in a call."),
    )
    country = models.ForeignKey(
        "cities.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    fields = _terms("field", _("fields of action"))
    levers = _terms("lever", _("levers of change"))
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.ONLINE
    )
    venue = models.CharField(
        _("venue"), max_length=300, blank=True, help_text=_("Address, for in-person and hybrid.")
    )
    video_url = models.URLField(
        _("video link"),
        blank=True,
        max_length=500,
        help_text=_("Shown only to registered participants."),
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Brussels"
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100_000)],
        help_text=_("Seats; empty for no limit."),
    )
    seats_per_city = models.PositiveSmallIntegerField(
        _("seats per city"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("At most this many people of one city; empty for no limit."),
    )
    offer_hours = models.PositiveSmallIntegerField(
        _("seat offer valid for (hours)"),
        default=DEFAULT_OFFER_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        help_text=_("How long the first person waiting may take a freed seat."),
    )
    registration_deadline = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: at the start.")
    )
    audience = models.CharField(
        _("open to"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    invited_cities = models.ManyToManyField(
        "cities.City", verbose_name=_("invited cities"), related_name="+", blank=True
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisers"),
        related_name="organised_events",
        blank=True,
    )
    materials = models.TextField(
        _("materials"), blank=True, help_text=_("Markdown: slides, links, documents.")
    )
    recording_url = models.URLField(_("recording"), blank=True, max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    is_sample = models.BooleanField(_("sample content"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="events_event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(kind="meeting") | Q(group__isnull=False),
                name="events_meeting_has_group",
            ),
            models.CheckConstraint(
                condition=~Q(kind="study-visit") | Q(offer__isnull=False),
                name="events_study_visit_has_offer",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status", "starts_at"], name="events_event_calendar_idx"),
            models.Index(fields=["group", "starts_at"], name="events_event_group_idx"),
            models.Index(
                fields=["country", "status", "starts_at"], name="events_event_country_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event", args=[self.pk])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def closes_at(self):
        """When registration closes: the deadline, and never later than the start."""
        if self.registration_deadline is None:
            return self.starts_at
        return min(self.registration_deadline, self.starts_at)

    @property
    def is_meeting(self) -> bool:
        return self.kind == self.Kind.MEETING

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


class Registration(models.Model):
    """One person's place at an event, for one of their cities.

    Confirmed and offered registrations hold seats; waitlisted ones wait in the order
    (-priority, created, id); cancelled and expired ones are history.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        OFFERED = "offered", _("Seat offered")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Offer expired")

    ACTIVE = ("confirmed", "waitlisted", "offered")
    HOLDING_SEAT = ("confirmed", "offered")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("person"),
    )
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("city"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    priority = models.SmallIntegerField(
        _("waitlist priority"), default=0, help_text=_("Higher goes first on the waitlist.")
    )
    created = models.DateTimeField(_("registered"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    offered_at = models.DateTimeField(_("seat offered"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    reminded_day_at = models.DateTimeField(_("24-hour reminder sent"), null=True, blank=True)
    reminded_hour_at = models.DateTimeField(_("1-hour reminder sent"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=["confirmed", "waitlisted", "offered"]),
                name="events_registration_one_active_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["event", "status", "city"], name="events_reg_event_status_idx"),
            models.Index(
                fields=["event", "status", "-priority", "created", "id"],
                name="events_reg_waitlist_idx",
            ),
            models.Index(fields=["user", "status"], name="events_reg_user_idx"),
            models.Index(fields=["city", "attended"], name="events_reg_city_attended_idx"),
            models.Index(fields=["status", "offer_expires_at"], name="events_reg_offer_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.event}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def holds_seat(self) -> bool:
        return self.status in self.HOLDING_SEAT


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A personal calendar feed: a secret address that calendar apps subscribe to. Revoking it
    (or making a new one) makes the old address answer 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("person"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} ({self.token[:6]}…)"

    def get_absolute_url(self) -> str:
        return reverse("events:feed", args=[self.token])

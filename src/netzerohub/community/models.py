"""Peer discussion groups: a group by field of action or lever of change, its learning phases,
its members (per city, within a seat limit), and the discussions inside it.

A group's meetings are events (`events.Event` with `kind=meeting` and this group): the one
registration engine serves them, and the events app owns their pages.
"""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from netzerohub.core.languages import LANGUAGE_CHOICES
from netzerohub.core.uploads import DOCUMENT_KINDS, UploadValidator

from .querysets import GroupMembershipQuerySet, GroupQuerySet, PostQuerySet, ThreadQuerySet

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
POST_MAX_CHARS = 20_000


class Group(models.Model):
    """A peer discussion group on one theme: a field of action or a lever of change."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed to new members")
        ARCHIVED = "archived", _("Archived")

    class Admission(models.TextChoices):
        OPEN = "open", _("Open: members join at once")
        APPLICATION = "application", _("By application: facilitators admit members")

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    theme = models.ForeignKey(
        "core.Term",
        verbose_name=_("theme"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": ["field", "lever"]},
        help_text=_("The field of action or lever of change the group works on."),
    )
    language = models.CharField(
        _("working language"), max_length=5, choices=LANGUAGE_CHOICES, default="en"
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        related_name="facilitated_groups",
        blank=True,
        help_text=_("Mentors of Mission and Pilot Cities who lead the group."),
    )
    admission = models.CharField(
        _("membership"), max_length=12, choices=Admission.choices, default=Admission.OPEN
    )
    seats_per_city = models.PositiveSmallIntegerField(
        _("seats per city"),
        null=True,
        blank=True,
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("At most this many representatives of one city; empty for no limit."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
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

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("peer group")
        verbose_name_plural = _("peer groups")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:group", args=[self.slug])

    @property
    def is_joinable(self) -> bool:
        return self.status == self.Status.OPEN


class Phase(models.Model):
    """A learning phase of a group (e.g. four phases over five months)."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="phases", verbose_name=_("group")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["group", "position", "starts_on"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="community_phase_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class GroupMembership(models.Model):
    """A person's place in a group, for one of their cities (the city's seats are counted)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Application pending")
        APPROVED = "approved", _("Member")
        REJECTED = "rejected", _("Not admitted")
        LEFT = "left", _("Left")

    ACTIVE = (Status.PENDING, Status.APPROVED)

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("group")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="group_memberships",
        verbose_name=_("person"),
    )
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.CASCADE,
        related_name="group_memberships",
        verbose_name=_("city"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    motivation = models.TextField(_("motivation"), blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created = models.DateTimeField(_("joined or applied"), auto_now_add=True)

    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(status__in=["pending", "approved"]),
                name="community_membership_one_active_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["group", "city", "status"], name="community_member_city_idx"),
            models.Index(fields=["user", "status"], name="community_member_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"


class Thread(models.Model):
    """A discussion in a group: a title and its posts (the first post opens it)."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="threads", verbose_name=_("group")
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(
        _("locked"), default=False, help_text=_("No new replies are accepted.")
    )
    is_hidden = models.BooleanField(
        _("hidden"), default=False, help_text=_("Only facilitators and coordinators see it.")
    )
    post_count = models.PositiveIntegerField(_("posts"), default=0)
    last_activity = models.DateTimeField(_("last activity"), db_index=True)
    created = models.DateTimeField(_("started"), auto_now_add=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-is_pinned", "-last_activity", "-id"]
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        indexes = [
            models.Index(
                fields=["group", "-is_pinned", "-last_activity"], name="community_thread_list_idx"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:thread", args=[self.group.slug, self.pk])


class Post(models.Model):
    """A contribution to a discussion, in Markdown (rendered and sanitised when shown)."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="posts", verbose_name=_("discussion")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("text"), max_length=POST_MAX_CHARS, help_text=_("Markdown."))
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("posted"), auto_now_add=True)
    edited = models.DateTimeField(_("edited"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["thread", "created"], name="community_post_thread_idx")]

    def __str__(self) -> str:
        return f"{self.thread} #{self.pk}"


def attachment_path(instance: PostAttachment, filename: str) -> str:
    # A random folder: names never collide and cannot be guessed (files are served by a view).
    return f"community/{secrets.token_hex(8)}/{PurePosixPath(filename).name}"


class PostAttachment(models.Model):
    """A file attached to a post; downloaded through a view that checks group membership."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("post")
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

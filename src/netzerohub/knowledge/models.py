"""The knowledge repository: resources, their attachments, versions, bookmarks and collections."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from netzerohub.core.markdown import plain_text
from netzerohub.core.uploads import UploadValidator

from .querysets import CollectionQuerySet, ResourceQuerySet

MB = 1024 * 1024
ATTACHMENT_MAX_BYTES = 25 * MB
ATTACHMENT_KINDS = frozenset({"pdf", "docx", "xlsx", "pptx", "odt", "png", "jpeg"})


class Resource(models.Model):
    """A piece of knowledge a city or the programme shares: a guide, a case study, a template…"""

    class Type(models.TextChoices):
        CASE_STUDY = "case-study", _("Case study")
        GUIDE = "guide", _("Guide")
        TOOL = "tool", _("Tool")
        TEMPLATE = "template", _("Template")
        REPORT = "report", _("Report")
        FACT_SHEET = "fact-sheet", _("Fact sheet")
        WEBINAR = "webinar", _("Webinar recording")
        DATASET = "dataset", _("Dataset")
        CONTRACT_EXAMPLE = "contract-example", _("Climate City Contract example")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("In review")
        CHANGES_REQUESTED = "changes-requested", _("Changes requested")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        MEMBERS = "members", _("Members of the programme only")

    class Licence(models.TextChoices):
        CC_BY = "cc-by-4.0", _("Creative Commons Attribution 4.0 (CC BY 4.0)")
        CC_BY_SA = "cc-by-sa-4.0", _("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)")
        CC0 = "cc0-1.0", _("Public domain dedication (CC0 1.0)")
        RESERVED = "all-rights-reserved", _("All rights reserved")

    key = models.SlugField(
        _("key"),
        max_length=120,
        unique=True,
        help_text=_("A stable identifier, used by imports to update the same resource."),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary"),
        validators=[MaxLengthValidator(600)],
        help_text=_("One or two sentences shown in search results (at most 600 characters)."),
    )
    body = models.TextField(
        _("text"), blank=True, help_text=_("Markdown: ## headings, lists, links, tables.")
    )
    # The body's words without markup, kept for search snippets (rendering Markdown for every
    # hit of every search page was the largest cost of the page).
    body_text = models.TextField(editable=False, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    fields = models.ManyToManyField(
        "core.Term",
        verbose_name=_("fields of action"),
        related_name="+",
        limit_choices_to={"kind": "field"},
        blank=True,
    )
    levers = models.ManyToManyField(
        "core.Term",
        verbose_name=_("levers of change"),
        related_name="+",
        limit_choices_to={"kind": "lever"},
        blank=True,
    )
    step = models.ForeignKey(
        "core.Term",
        verbose_name=_("Transition Map step"),
        related_name="+",
        limit_choices_to={"kind": "step"},
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    countries = models.ManyToManyField(
        "cities.Country", verbose_name=_("countries"), related_name="+", blank=True
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    city = models.ForeignKey(
        "cities.City",
        verbose_name=_("source city"),
        on_delete=models.PROTECT,
        related_name="resources",
        null=True,
        blank=True,
    )
    authors = models.CharField(_("authors"), max_length=300, blank=True)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    licence = models.CharField(
        _("licence"), max_length=30, choices=Licence.choices, default=Licence.CC_BY
    )
    links = models.JSONField(_("external links"), default=list, blank=True)
    visibility = models.CharField(
        _("who may read it"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contributor"),
        on_delete=models.SET_NULL,
        related_name="contributed_resources",
        null=True,
        blank=True,
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    is_sample = models.BooleanField(
        _("sample content"), default=False, help_text=_("Demo content, shown with a notice.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_on"], name="knowledge_res_status_idx"),
            models.Index(fields=["submitted_by", "status"], name="knowledge_res_contrib_idx"),
            models.Index(fields=["city", "status"], name="knowledge_res_city_idx"),
        ]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.body_text = plain_text(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("knowledge:resource", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never under a public URL: files are served by `knowledge:download` after a permission check.
    return f"knowledge/{instance.resource_id}/{filename}"


class Attachment(models.Model):
    """A file of a resource. Its text (PDF and office files) is extracted for search."""

    class Extraction(models.TextChoices):
        PENDING = "pending", _("Waiting for text extraction")
        DONE = "done", _("Text extracted")
        NONE = "none", _("No text to extract")
        FAILED = "failed", _("Text extraction failed")

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("resource")
    )
    file = models.FileField(
        _("file"),
        upload_to=attachment_path,
        max_length=300,
        validators=[UploadValidator(kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)],
    )
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("file type"), max_length=10)
    size = models.PositiveBigIntegerField(_("size"))
    text = models.TextField(_("extracted text"), blank=True, editable=False)
    extraction = models.CharField(
        _("text extraction"),
        max_length=10,
        choices=Extraction.choices,
        default=Extraction.PENDING,
    )
    extraction_error = models.CharField(_("extraction problem"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("knowledge:download", args=[self.resource_id, self.pk])


class ResourceVersion(models.Model):
    """A snapshot of a resource after each change: who, when, which step, and what it held."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="versions", verbose_name=_("resource")
    )
    number = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("step"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    comment = models.TextField(_("comment"), blank=True)
    changed = models.JSONField(_("changed fields"), default=list, blank=True)
    snapshot = models.JSONField(_("content"), default=dict)
    created = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "number"], name="knowledge_version_unique_number"
            )
        ]
        verbose_name = _("resource version")
        verbose_name_plural = _("resource versions")

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.number}"


class Bookmark(models.Model):
    """A resource a person keeps in "My library"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="bookmarks")
    created = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="knowledge_bookmark_unique")
        ]
        verbose_name = _("bookmark")
        verbose_name_plural = _("bookmarks")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.resource_id}"


class Collection(models.Model):
    """A curated, ordered list of resources that coordinators build (learning pathways reuse it)."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Unpublished collections are coordinators' drafts."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    resources = models.ManyToManyField(
        Resource, through="CollectionItem", related_name="collections", blank=True
    )

    objects = CollectionQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:collection", args=[self.slug])


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)
    note = models.CharField(
        _("why it is here"), max_length=300, blank=True, help_text=_("Optional, shown with it.")
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "resource"], name="knowledge_collection_item_unique"
            )
        ]
        verbose_name = _("collection item")
        verbose_name_plural = _("collection items")

    def __str__(self) -> str:
        return f"{self.collection_id}#{self.position}"

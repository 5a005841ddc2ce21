"""Shared kernel models: taxonomy terms, the audit log, notifications and the search index."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from .querysets import AuditLogQuerySet, NotificationQuerySet, TermQuerySet


class Term(models.Model):
    """A term of the programme's taxonomy: field of action, lever of change or Transition Map step.

    Terms are data (a coordinator can rename or describe them in the admin); their slugs are
    stable identifiers used in URLs and the API.
    """

    class Kind(models.TextChoices):
        FIELD = "field", _("Field of action")
        LEVER = "lever", _("Lever of change")
        STEP = "step", _("Transition Map step")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    slug = models.SlugField(_("slug"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="core_term_unique_kind_slug")
        ]
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")

    def __str__(self) -> str:
        return self.name


class AuditLog(models.Model):
    """One state change: who did what (a dotted action code) to which object, in which city."""

    action = models.CharField(_("action"), max_length=100, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    city = models.ForeignKey(
        "cities.City",
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_type = models.CharField(_("object type"), max_length=60, blank=True)
    target_id = models.CharField(_("object id"), max_length=40, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="core_audit_target_idx"),
            models.Index(fields=["city", "-created"], name="core_audit_city_idx"),
        ]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class Notification(models.Model):
    """A message for one person, listed in the portal and (by a background task) emailed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="core_notif_user_unread_idx")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


class SearchDocument(models.Model):
    """One searchable object in the portal-wide full-text index (see `core.search`).

    Only what may be found is indexed (a published resource, not a draft); `audience` says who
    may find it. `title` and `text` hold the index form of the object (accents folded); pages
    display the object itself. The database keeps the full-text index: on PostgreSQL the
    `vector` column (a GIN index, filled by `core.search`), on SQLite an FTS5 table kept in step
    by triggers (migration 0004), where `vector` stays empty.
    """

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        MEMBERS = "members", _("Members only")

    kind = models.CharField(_("kind"), max_length=60)
    object_id = models.PositiveBigIntegerField(_("object id"))
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="core_searchdoc_unique_object"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "audience", "-date"], name="core_searchdoc_kind_date_idx")
        ]
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class SearchFacet(models.Model):
    """One facet value of a search document (`type=guide`, `field=energy-systems`, `year=2025`)."""

    document = models.ForeignKey(
        SearchDocument, on_delete=models.CASCADE, related_name="facets", verbose_name=_("document")
    )
    facet = models.CharField(_("facet"), max_length=20)
    value = models.CharField(_("value"), max_length=80)

    class Meta:
        indexes = [
            models.Index(fields=["facet", "value", "document"], name="core_searchfacet_value_idx"),
            models.Index(fields=["document", "facet"], name="core_searchfacet_doc_idx"),
        ]
        verbose_name = _("search facet")
        verbose_name_plural = _("search facets")

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"

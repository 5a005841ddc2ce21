"""City-to-city exchanges: calls with an application window and eligibility rules, the cities'
applications, the hosts' offers, reviews, the matching of applicants to hosts, and the pairs'
shared activity.

Eligibility rules are data (`EligibilityRule`: a kind from a fixed set and its parameters, per
call); what each kind checks is code (`exchanges.eligibility`). Matching weights are data on the
call. A study visit is an event (`events.Event` of kind `study-visit` linked to a host offer),
registered through the one registration engine.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netzerohub.accounts.models import TIME_ZONE_CHOICES

from .matching import DEFAULT_WEIGHTS
from .querysets import ApplicationQuerySet, CallQuerySet, HostOfferQuerySet, PairQuerySet


def default_weights() -> dict[str, int]:
    return dict(DEFAULT_WEIGHTS)


def _terms(kind: str, label: str, related_name: str = "+") -> models.ManyToManyField:
    return models.ManyToManyField(
        "core.Term",
        verbose_name=label,
        related_name=related_name,
        limit_choices_to={"kind": kind},
        blank=True,
    )


class Call(models.Model):
    """A call for applications: its kind, its window, its information page, who may apply (the
    rules), what applicants answer (the questions) and how reviewers score (the criteria)."""

    class Kind(models.TextChoices):
        TWINNING_PROGRAMME = "twinning-programme", _("Twinning learning programme")
        STUDY_VISITS = "study-visits", _("Group study visits")
        BILATERAL = "bilateral", _("Bilateral twinning")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    summary = models.CharField(_("summary"), max_length=300)
    information = models.TextField(
        _("information page"), blank=True, help_text=_("Markdown: aims, timeline, what cities get.")
    )
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Brussels"
    )
    match_weights = models.JSONField(
        _("matching weights"),
        default=default_weights,
        help_text=_("How much each part of a pair's compatibility counts (0 switches it off)."),
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited reviewers"),
        related_name="reviewed_calls",
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    matches_published_at = models.DateTimeField(_("matches published"), null=True, blank=True)
    is_sample = models.BooleanField(_("sample content"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="exchanges_call_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("exchanges:call", args=[self.slug])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def is_open(self, now=None) -> bool:
        """Published and within the window (compared in UTC on the server)."""
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at

    def phase(self, now=None) -> str:
        """ "upcoming", "open" or "closed" (of a published call)."""
        now = now or timezone.now()
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"


class EligibilityRule(models.Model):
    """One criterion of a call, picked from a fixed set of kinds with their parameters."""

    class Kind(models.TextChoices):
        COUNTRY_ELIGIBLE = "country-eligible", _("The city's country is eligible")
        NOT_PARTICIPATING = (
            "not-mission-pilot-twin",
            _("Not already a Mission, Pilot or Twin City"),
        )
        TARGET_YEAR = "target-year", _("Climate-neutrality target year at most …")
        PLEDGE = "pledge", _("Covenant of Mayors signatory")
        POPULATION = "population", _("Population between …")
        MEETINGS = "meetings", _("Attended at least N meetings of a peer group")
        HOURS = "hours", _("Declares at least N hours a month for the exchange")
        REPRESENTATIVES = "representatives", _("Names 1–2 representatives with B2 English")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="rules", verbose_name=_("call")
    )
    kind = models.CharField(_("criterion"), max_length=30, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2025), MaxValueValidator(2100)],
    )
    minimum = models.PositiveIntegerField(_("at least"), null=True, blank=True)
    maximum = models.PositiveIntegerField(_("at most"), null=True, blank=True)
    group = models.ForeignKey(
        "community.Group",
        verbose_name=_("peer group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["call", "position", "id"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")

    def __str__(self) -> str:
        return self.get_kind_display()


class Question(models.Model):
    """A question of a call's application form."""

    class Kind(models.TextChoices):
        MOTIVATION = "motivation", _("Motivation (long text)")
        TEXT = "text", _("Short text")
        LONG_TEXT = "long-text", _("Long text")
        FIELDS = "fields", _("Fields of action of interest")
        LEVERS = "levers", _("Levers of change of interest")
        CHALLENGES = "challenges", _("Challenges (long text)")
        LANGUAGES = "languages", _("Working languages")
        REPRESENTATIVES = "representatives", _("Representatives (names, roles, English level)")
        HOURS = "hours", _("Hours a month for the exchange (a number)")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="questions", verbose_name=_("call")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["call", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label


class ReviewCriterion(models.Model):
    """What reviewers score an application on (0–5), with its weight in the total."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call")
    )
    title = models.CharField(_("criterion"), max_length=200)
    description = models.CharField(_("what it means"), max_length=500, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["call", "position", "id"]
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")

    def __str__(self) -> str:
        return self.title


class Application(models.Model):
    """A city's application to a call: a draft saved as it is written, then submitted.

    The answers to the call's questions are kept by question id in `answers`; the ones matching
    uses are also kept in structured form (fields, levers, languages, challenges)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ACCEPTED = "accepted", _("Accepted")
        WAITLISTED = "waitlisted", _("On the waiting list")
        REJECTED = "rejected", _("Not selected")

    DECIDED = ("accepted", "waitlisted", "rejected")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="applications", verbose_name=_("call")
    )
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.CASCADE,
        related_name="exchange_applications",
        verbose_name=_("city"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    fields = _terms("field", _("fields of action of interest"))
    levers = _terms("lever", _("levers of change of interest"))
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    hours_per_month = models.PositiveSmallIntegerField(
        _("hours a month for the exchange"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(200)],
    )
    representatives = models.JSONField(_("representatives"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("started"), auto_now_add=True)
    updated = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated", "id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "city"], name="exchanges_application_one_per_city"
            )
        ]
        indexes = [
            models.Index(fields=["call", "status", "submitted_at"], name="exchanges_app_list_idx"),
            models.Index(fields=["call", "submitted_at", "id"], name="exchanges_app_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.city} → {self.call}"

    def get_absolute_url(self) -> str:
        return reverse("exchanges:application", args=[self.pk])


class HostOffer(models.Model):
    """What a Mission or Pilot City offers in a call: themes it can share, how many twins it
    takes, its working languages and possible visit dates."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="offers", verbose_name=_("call")
    )
    city = models.ForeignKey(
        "cities.City", on_delete=models.CASCADE, related_name="host_offers", verbose_name=_("city")
    )
    fields = _terms("field", _("fields of action it can share"))
    levers = _terms("lever", _("levers of change it can share"))
    capacity = models.PositiveSmallIntegerField(
        _("maximum twins"), default=1, validators=[MinValueValidator(0), MaxValueValidator(50)]
    )
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    challenges = models.TextField(
        _("challenges it has worked on"), blank=True, help_text=_("Used to find shared ones.")
    )
    visit_dates = models.TextField(_("possible visit dates"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("declared"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = HostOfferQuerySet.as_manager()

    class Meta:
        ordering = ["city__name", "id"]
        verbose_name = _("host offer")
        verbose_name_plural = _("host offers")
        constraints = [
            models.UniqueConstraint(fields=["call", "city"], name="exchanges_offer_one_per_city")
        ]

    def __str__(self) -> str:
        return f"{self.city} hosts in {self.call}"


class Review(models.Model):
    """One reviewer's scores of one application (0–5 per criterion, by criterion id)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("application")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    scores = models.JSONField(_("scores"), default=dict)
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="exchanges_review_one_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.application}"


class PairRule(models.Model):
    """A coordinator's instruction for the next matching run: keep this pair, or never make it."""

    class Kind(models.TextChoices):
        LOCK = "lock", _("Locked: always paired")
        EXCLUDE = "exclude", _("Excluded: never paired")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="pair_rules")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(HostOffer, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("rule"), max_length=10, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pair rule")
        verbose_name_plural = _("pair rules")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "offer"], name="exchanges_pairrule_one_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.application_id} – {self.offer_id}"


class Pair(models.Model):
    """An applicant matched with a host by the latest matching run (proposed) and, once the
    coordinators publish, a twinning pair with its shared page."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        PUBLISHED = "published", _("Published")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="pairs")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="pairs", verbose_name=_("applicant")
    )
    offer = models.ForeignKey(
        HostOffer, on_delete=models.CASCADE, related_name="pairs", verbose_name=_("host")
    )
    score = models.FloatField(_("compatibility"))
    breakdown = models.JSONField(_("why this pair"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    replication_plan = models.TextField(
        _("replication plan"), blank=True, help_text=_("Markdown: what the twin takes home.")
    )
    plan_submitted_at = models.DateTimeField(_("plan submitted"), null=True, blank=True)
    created = models.DateTimeField(_("matched"), auto_now_add=True)

    objects = PairQuerySet.as_manager()

    class Meta:
        ordering = ["call", "-score", "id"]
        verbose_name = _("pair")
        verbose_name_plural = _("pairs")
        constraints = [
            models.UniqueConstraint(fields=["application"], name="exchanges_pair_one_per_applicant")
        ]

    def __str__(self) -> str:
        return f"{self.application.city} – {self.offer.city}"

    def get_absolute_url(self) -> str:
        return reverse("exchanges:pair", args=[self.pk])


class Activity(models.Model):
    """An entry of a pair's shared timeline: a meeting, a visit, an output or a note."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        VISIT = "visit", _("Visit")
        OUTPUT = "output", _("Output")
        NOTE = "note", _("Note")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    link = models.URLField(_("link"), blank=True, max_length=500)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pair", "date", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title

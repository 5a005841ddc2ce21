"""The city-readiness self-assessment: versioned questionnaires, a city's assessments and their
answers, peer statistics and the tunable weights of the recommendations.

A questionnaire is data. Coordinators edit a *draft* version; publishing freezes it (its
dimensions, questions, levels and stages never change again) and retires the version it
replaces. An assessment keeps the version it was started on, so its result always means what it
meant when the city saw it. Scores are computed once, when the lead submits, and stored on the
assessment (`scores`, `overall_score`, `stage`) together with the city's country and population
band at that moment: the groups the city is compared in.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from netzerohub.cities.population import BANDS

from .querysets import AssessmentQuerySet, PeerStatisticQuerySet, QuestionnaireQuerySet

LEVELS = range(5)  # every answer is a maturity level 0..4
LOWEST, HIGHEST = 0, 4


class Questionnaire(models.Model):
    """One version of a questionnaire (`key` names the questionnaire across its versions)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Replaced by a newer version")

    key = models.SlugField(
        _("key"),
        max_length=60,
        help_text=_("Stays the same across versions: results of one key are compared."),
    )
    version = models.CharField(
        _("version"), max_length=20, help_text=_("A label such as 2026.1, unique per key.")
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(
        _("introduction"), help_text=_("Markdown, shown before the first question.")
    )
    scoring = models.TextField(
        _("how the scoring works"),
        help_text=_("Markdown, shown with the questionnaire and results."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["key", "-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="assessment_questionnaire_unique_version"
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(status="published"),
                name="assessment_questionnaire_one_published",
            ),
        ]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def get_absolute_url(self) -> str:
        return reverse("assessment:version", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Stage(models.Model):
    """An overall stage (starting, developing, advanced, leading) from a minimum overall score."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="stages"
    )
    key = models.SlugField(_("key"), max_length=30)
    label = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("what it means"))
    min_score = models.PositiveSmallIntegerField(
        _("from overall score"), validators=[MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "min_score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "key"], name="assessment_stage_unique_key"
            )
        ]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return self.label


def _terms(kind: str, label: str) -> models.ManyToManyField:
    return models.ManyToManyField(
        "core.Term",
        verbose_name=label,
        related_name="+",
        limit_choices_to={"kind": kind},
        blank=True,
    )


class Dimension(models.Model):
    """A section of the questionnaire, scored 0–100. Its step, fields and levers are the tags
    that the recommendations match learning content by."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="dimensions"
    )
    key = models.SlugField(_("key"), max_length=60)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    weight = models.DecimalField(
        _("weight in the overall score"),
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.01)],
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
    fields = _terms("field", _("fields of action"))
    levers = _terms("lever", _("levers of change"))
    strength = models.CharField(
        _("said when the city scores high"), max_length=400, help_text=_("One sentence.")
    )
    gap = models.CharField(
        _("said when the city scores low"),
        max_length=400,
        help_text=_("One sentence that names the next thing to do."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "key"], name="assessment_dimension_unique_key"
            )
        ]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A question whose answer is a maturity level 0–4; `levels` describes each level in a
    short label and one sentence: `[{"label": …, "description": …}, …]`, five entries."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions", editable=False
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="questions", verbose_name=_("dimension")
    )
    key = models.SlugField(
        _("key"),
        max_length=80,
        help_text=_("Unique in the questionnaire; keep it only while the meaning is unchanged."),
    )
    text = models.CharField(_("question"), max_length=300)
    help = models.CharField(_("guidance"), max_length=400, blank=True)
    required = models.BooleanField(
        _("required"), default=True, help_text=_("Optional questions may be skipped.")
    )
    weight = models.DecimalField(
        _("weight in its dimension"),
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.01)],
    )
    field = models.ForeignKey(
        "core.Term",
        verbose_name=_("field of action it is about"),
        related_name="+",
        limit_choices_to={"kind": "field"},
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    levels = models.JSONField(_("levels"), default=list)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "key"], name="assessment_question_unique_key"
            )
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs) -> None:
        self.questionnaire_id = self.dimension.questionnaire_id
        super().save(*args, **kwargs)

    def level_choices(self) -> list[tuple[int, dict]]:
        """[(0, {"label", "description"}), …] in level order."""
        return list(enumerate(self.levels))

    def level_label(self, level: int | None) -> str:
        if level is None or not 0 <= level < len(self.levels):
            return ""
        return self.levels[level]["label"]


class Assessment(models.Model):
    """One self-assessment of a city: answered by its members, submitted by a lead.

    At most one is in progress per city; once submitted it never changes (a city re-assesses
    with a new one). `is_latest` marks the city's newest submitted assessment, the one that
    counts in peer groups and the coordinators' distribution.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    city = models.ForeignKey(
        "cities.City", on_delete=models.CASCADE, related_name="assessments", verbose_name=_("city")
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("questionnaire version"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started = models.DateTimeField(_("started"), auto_now_add=True)
    last_answer_at = models.DateTimeField(_("last answer"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # The result, stored when submitted: exact scores (rounded only for display).
    scores = models.JSONField(_("dimension scores"), default=dict, blank=True)
    overall_score = models.FloatField(_("overall score"), null=True, blank=True)
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The groups the city was compared in, as they were when it submitted.
    country = models.ForeignKey(
        "cities.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    population_band = models.CharField(
        _("population band"), max_length=20, choices=BANDS, blank=True
    )
    is_latest = models.BooleanField(_("the city's latest result"), default=False)
    is_sample = models.BooleanField(_("sample content"), default=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-started", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["city"],
                condition=Q(status="in_progress"),
                name="assessment_one_in_progress_per_city",
            ),
            models.UniqueConstraint(
                fields=["city"],
                condition=Q(is_latest=True),
                name="assessment_one_latest_per_city",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(is_latest=False),
                name="assessment_latest_is_submitted",
            ),
        ]
        indexes = [
            models.Index(fields=["city", "-started"], name="assessment_city_idx"),
            models.Index(fields=["is_latest", "questionnaire"], name="assessment_latest_idx"),
        ]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")

    def __str__(self) -> str:
        return f"{self.city_id}: {self.questionnaire_id} ({self.status})"

    def get_absolute_url(self) -> str:
        if self.is_submitted:
            return reverse("assessment:result", args=[self.pk])
        return reverse("assessment:overview", args=[self.pk])

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Answer(models.Model):
    """The level a city gives one question; `level` is None for an optional question the city
    skipped ("does not apply"), which leaves it out of the score."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(
        _("level"), null=True, blank=True, validators=[MaxValueValidator(HIGHEST)]
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="assessment_answer_unique"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__lte=HIGHEST),
                name="assessment_answer_level_range",
            ),
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.question_id}: {self.level}"


class PeerStatistic(models.Model):
    """Scores of a group of cities (each with its latest result): all cities, a country or a
    population band; one row per dimension and one for the overall score (`dimension` "").

    Rebuilt by `peers.refresh` after every submission. Pages show a group's median to the
    cities in it only when `cities` reaches the minimum group size.
    """

    questionnaire_key = models.SlugField(max_length=60)
    group = models.CharField(max_length=40)  # "all", "country:SE", "band:50000-100000"
    dimension = models.CharField(max_length=60, blank=True)
    cities = models.PositiveIntegerField()
    median = models.FloatField()
    lower_quartile = models.FloatField()
    upper_quartile = models.FloatField()
    stages = models.JSONField(default=dict, blank=True)  # overall rows: {stage key: cities}
    computed_at = models.DateTimeField()

    objects = PeerStatisticQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire_key", "group", "dimension"],
                name="assessment_peerstat_unique",
            )
        ]
        verbose_name = _("peer statistic")
        verbose_name_plural = _("peer statistics")

    def __str__(self) -> str:
        return f"{self.questionnaire_key} {self.group} {self.dimension or 'overall'}"


class RecommendationWeight(models.Model):
    """A coordinator's weight for one dimension or one taxonomy term in the ranking of
    recommendations (see `recommendations`). Without a row the weight is 1; 0 switches off."""

    class Kind(models.TextChoices):
        DIMENSION = "dimension", _("Dimension")
        FIELD = "field", _("Field of action")
        LEVER = "lever", _("Lever of change")
        STEP = "step", _("Transition Map step")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    key = models.SlugField(_("key"), max_length=60)
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )

    class Meta:
        ordering = ["kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="assessment_weight_unique")
        ]
        verbose_name = _("recommendation weight")
        verbose_name_plural = _("recommendation weights")

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} × {self.weight}"

"""The needs-assessment survey: surveys built by coordinators, and the responses of cities or
persons, saved question by question.

A survey has sections, and sections have questions of one of the kinds in `Question.Kind`.
Choice-like questions (single and multiple choice, ranking, matrix rows, pickers of fields of
action and levers of change) have `Option` rows; a picker's options are made from the taxonomy
and keep a link to their term, so that answers can be read by field and lever.

A response is one city's (or one person's) set of answers: `owner` is `city:<id>` or
`user:<id>`, unique per survey, so that the database itself refuses a second response where one
per city is allowed. Each question's answer is its own row (`Answer`), and each chosen option its
own `Selection` row (a rank for ranking, a scale value for a matrix row): two people answering
different questions never touch the same row, and the analytics count options in the database.

When a response is submitted, the city's groups at that moment (country, population band, status,
readiness stage) are stored on it: the analytics filter on them without joining the directory.
Once a survey has answers, its questions can be hidden but not deleted.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netzerohub.cities.population import BANDS

from .querysets import QuestionQuerySet, ResponseQuerySet, SurveyQuerySet

TEXT_LIMITS = {"short_text": 300, "long_text": 5000}
OTHER_LIMIT = 300  # the "other" text of a choice question
SCALE_MIN, SCALE_MAX = 1, 10  # the widest Likert scale a coordinator can set


def zone_choices() -> list[tuple[str, str]]:
    european = sorted(z for z in zoneinfo.available_timezones() if z.startswith("Europe/"))
    return [("UTC", "UTC"), *((z, z.replace("_", " ")) for z in european)]


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Audience(models.TextChoices):
        CITIES = "cities", _("All registered cities")
        STATUSES = "statuses", _("Cities of a status")
        EVERYONE = "everyone", _("Everyone with an account")

    class Respondent(models.TextChoices):
        CITY = "city", _("One response per city")
        PERSON = "person", _("One response per person")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("Markdown, shown before the first question.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=40,
        default="Europe/Brussels",
        help_text=_("The dates are entered and shown in this zone."),
    )
    audience = models.CharField(
        _("who may answer"), max_length=10, choices=Audience.choices, default=Audience.CITIES
    )
    city_statuses = models.JSONField(
        _("city statuses"),
        default=list,
        blank=True,
        help_text=_("For “Cities of a status”: the statuses whose cities may answer."),
    )
    respondent = models.CharField(
        _("responses"), max_length=10, choices=Respondent.choices, default=Respondent.CITY
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
    is_sample = models.BooleanField(_("sample content"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["status", "closes_at"], name="surveys_survey_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="surveys_survey_closes_after_opening",
            )
        ]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:survey", args=[self.slug])

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The survey must close after it opens.")})
        if self.audience == self.Audience.STATUSES and not self.city_statuses:
            raise ValidationError({"city_statuses": _("Choose at least one city status.")})
        if self.audience == self.Audience.EVERYONE and self.respondent == self.Respondent.CITY:
            raise ValidationError(
                {
                    "respondent": _(
                        "A survey open to everyone takes one response per person: people "
                        "without a city could not answer one per city."
                    )
                }
            )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def per_city(self) -> bool:
        return self.respondent == self.Respondent.CITY

    def phase(self, now=None) -> str:
        """draft, scheduled (published, not open yet), open or closed."""
        now = now or timezone.now()
        if self.is_draft:
            return "draft"
        if now < self.opens_at:
            return "scheduled"
        if now >= self.closes_at:
            return "closed"
        return "open"

    def is_open(self, now=None) -> bool:
        return self.phase(now) == "open"


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        LIKERT = "likert", _("Scale (Likert)")
        MATRIX = "matrix", _("Matrix of scale rows")
        NUMBER = "number", _("Number")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        RANKING = "ranking", _("Ranking")
        FIELDS = "fields", _("Fields of action")
        LEVERS = "levers", _("Levers of change")

    CHOICE_KINDS = frozenset({"single", "multiple", "fields", "levers"})
    OPTION_KINDS = frozenset({"single", "multiple", "fields", "levers", "ranking", "matrix"})
    SCALE_KINDS = frozenset({"likert", "matrix"})
    TEXT_KINDS = frozenset({"short_text", "long_text"})
    PICKER_TERMS = {"fields": "field", "levers": "lever"}

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(
        _("key"), max_length=60, help_text=_("Names the question in exports and the API.")
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.TextField(_("help text"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    hidden = models.BooleanField(
        _("hidden"),
        default=False,
        help_text=_("Not asked any more; the answers it already has are kept."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    allow_other = models.BooleanField(
        _("“Other” with a text"),
        default=False,
        help_text=_("Single and multiple choice: respondents may add their own answer."),
    )
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    scale_min_label = models.CharField(_("label of the lowest value"), max_length=60, blank=True)
    scale_max_label = models.CharField(_("label of the highest value"), max_length=60, blank=True)
    number_min = models.DecimalField(
        _("smallest number"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    number_max = models.DecimalField(
        _("largest number"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    max_choices = models.PositiveSmallIntegerField(
        _("at most this many choices"),
        null=True,
        blank=True,
        help_text=_("Multiple choice and pickers; empty for no limit."),
    )
    # Conditional display: shown only when the answer to an earlier choice question includes
    # one of `condition_options`.
    condition_question = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("show only when the answer to"),
    )
    condition_options = models.ManyToManyField(
        "Option", blank=True, related_name="+", verbose_name=_("includes one of")
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["section__position", "section_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="surveys_question_unique_key")
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    @property
    def has_options(self) -> bool:
        return self.kind in self.OPTION_KINDS

    @property
    def is_choice(self) -> bool:
        return self.kind in self.CHOICE_KINDS

    @property
    def is_multiple(self) -> bool:
        return self.kind in {"multiple", "fields", "levers"}

    @property
    def scale(self) -> range:
        return range(self.scale_min, self.scale_max + 1)

    @property
    def text_limit(self) -> int:
        return TEXT_LIMITS.get(self.kind, OTHER_LIMIT)

    @property
    def is_conditional(self) -> bool:
        return self.condition_question_id is not None


class Option(models.Model):
    """A choice of a question, a row of a matrix, or an item to rank."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("label"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    term = models.ForeignKey(
        "core.Term", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.label


class Response(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    owner = models.CharField(max_length=40, editable=False)  # "city:<id>" or "user:<id>"
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("city"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("respondent"),
        help_text=_("For one response per person: whose it is."),
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
    updated = models.DateTimeField(_("last answer"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # The respondent's groups, taken when the response starts and again when it is submitted.
    country = models.ForeignKey(
        "cities.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    population_band = models.CharField(
        _("population band"), max_length=20, choices=BANDS, blank=True
    )
    city_status = models.CharField(_("city status"), max_length=20, blank=True)
    readiness_stage = models.CharField(_("readiness stage"), max_length=30, blank=True)
    is_sample = models.BooleanField(_("sample content"), default=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-started", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "owner"], name="surveys_one_response_each")
        ]
        indexes = [
            models.Index(fields=["survey", "status", "country"], name="surveys_response_idx"),
        ]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        who = self.city or self.person
        return f"{self.survey} — {who}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:survey", args=[self.survey.slug])

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Answer(models.Model):
    """The answer to one question: a number (number, Likert), a text (text questions, and the
    "other" of a choice), and for choice-like questions the `Selection` rows."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="surveys_one_answer_per_question"
            )
        ]
        indexes = [models.Index(fields=["survey", "question"], name="surveys_answer_q_idx")]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.question_id}: {self.text or self.number or '…'}"


class Selection(models.Model):
    """One option of an answer: chosen (choice kinds), its rank (ranking, 1 first) or its scale
    value (a matrix row)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="selections")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, related_name="selections")
    value = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "option"], name="surveys_one_selection_per_option"
            )
        ]
        indexes = [
            models.Index(fields=["survey", "question", "option"], name="surveys_selection_q_idx"),
        ]
        verbose_name = _("selection")
        verbose_name_plural = _("selections")

    def __str__(self) -> str:
        return f"{self.option_id}={self.value}" if self.value is not None else str(self.option_id)

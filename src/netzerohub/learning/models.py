"""The capability-building programme: courses, their lessons and quizzes, learning pathways,
enrolments, progress, certificates and cohorts.

A lesson keeps its identity (its primary key) when it is edited or moved, and progress points at
the lesson, so editing a published course never loses what learners have done. `Lesson.course`
repeats the module's course so that progress is counted per course without a join through modules.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from netzerohub.core.languages import LANGUAGE_CHOICES

from .querysets import (
    CertificateQuerySet,
    CourseQuerySet,
    EnrolmentQuerySet,
    LessonProgressQuerySet,
    PathwayQuerySet,
)


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Level(models.TextChoices):
    INTRODUCTORY = "introductory", _("Introductory")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


def _terms(kind: str, label: str) -> models.ManyToManyField:
    return models.ManyToManyField(
        "core.Term",
        verbose_name=label,
        related_name="+",
        limit_choices_to={"kind": kind},
        blank=True,
    )


class Course(models.Model):
    """A course: modules of lessons, a pass mark for its quizzes and a certificate at the end."""

    Status = Status
    Level = Level

    key = models.SlugField(
        _("key"),
        max_length=120,
        unique=True,
        help_text=_("A stable identifier, used by imports to update the same course."),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary"),
        validators=[MaxLengthValidator(400)],
        help_text=_("One or two sentences shown in the catalogue (at most 400 characters)."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown: what learners gain, who it is for.")
    )
    level = models.CharField(
        _("level"), max_length=20, choices=Level.choices, default=Level.INTRODUCTORY
    )
    duration_minutes = models.PositiveIntegerField(
        _("estimated duration (minutes)"),
        validators=[MinValueValidator(5), MaxValueValidator(6000)],
    )
    fields = _terms("field", _("fields of action"))
    levers = _terms("lever", _("levers of change"))
    step = models.ForeignKey(
        "core.Term",
        verbose_name=_("Transition Map step"),
        related_name="+",
        limit_choices_to={"kind": "step"},
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    language = models.CharField(_("language"), max_length=3, choices=LANGUAGE_CHOICES, default="en")
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="required_by",
        blank=True,
        verbose_name=_("prerequisite courses"),
        help_text=_("Courses a learner must complete before enrolling in this one."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The score a learner needs in each quiz of the course."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_sample = models.BooleanField(
        _("sample content"), default=False, help_text=_("Demo content, shown with a notice.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["status", "title"], name="learning_course_status_idx")]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:course", args=[self.key])

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class Module(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="modules", verbose_name=_("course")
    )
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    """A lesson: Markdown text, an optional video with its transcript, materials, a quiz."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="lessons", editable=False
    )
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("module")
    )
    key = models.SlugField(_("key"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    video_url = models.URLField(
        _("video link"),
        blank=True,
        max_length=500,
        help_text=_("Opens on the video's own site; add the transcript below."),
    )
    transcript = models.TextField(_("video transcript"), blank=True)
    resources = models.ManyToManyField(
        "knowledge.Resource",
        verbose_name=_("materials from the knowledge repository"),
        related_name="lessons",
        blank=True,
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["course", "position"], name="learning_lesson_course_idx")]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.course_id = self.module.course_id  # a lesson moves between modules of one course
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("learning:lesson", args=[self.course.key, self.pk])


class Question(models.Model):
    """A quiz question of a lesson: single or multiple choice, explained after answering."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("One answer")
        MULTIPLE = "multiple", _("Several answers")

    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="questions", verbose_name=_("lesson")
    )
    text = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("answers"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("Shown after the learner has answered.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("answer"), max_length=300)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return self.text


class Cohort(models.Model):
    """A course run with dates and a facilitator; learners may enrol through it.

    Its live sessions are not scheduled in the portal yet. They would be events of their own
    kind (`events.Event` with a link to the cohort and the cohort's learners as its audience),
    registered through the same engine and listed on the cohort's page.
    """

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="cohorts", verbose_name=_("course")
    )
    title = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_cohorts",
        verbose_name=_("facilitator"),
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="learning_cohort_dates"
            )
        ]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")

    def __str__(self) -> str:
        return self.title


class Pathway(models.Model):
    """An ordered sequence of courses and knowledge resources with a stated goal."""

    Status = Status

    key = models.SlugField(_("key"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    goal = models.CharField(
        _("goal"), max_length=300, help_text=_("What a city team can do after following it.")
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_sample = models.BooleanField(_("sample content"), default=False)
    position = models.PositiveIntegerField(_("position in the list"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = PathwayQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title", "id"]
        verbose_name = _("learning pathway")
        verbose_name_plural = _("learning pathways")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:pathway", args=[self.key])

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class PathwayStep(models.Model):
    """One step of a pathway: a course or a knowledge resource."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("position"), default=0)
    course = models.ForeignKey(
        Course,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pathway_steps",
        verbose_name=_("course"),
    )
    resource = models.ForeignKey(
        "knowledge.Resource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pathway_steps",
        verbose_name=_("resource"),
    )
    note = models.CharField(_("why it is here"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(course__isnull=False, resource__isnull=True)
                | Q(course__isnull=True, resource__isnull=False),
                name="learning_step_course_xor_resource",
            )
        ]
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")

    def __str__(self) -> str:
        return f"{self.pathway_id}#{self.position}"


class Enrolment(models.Model):
    """A person following a course (possibly in a cohort) or a pathway."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="enrolments"
    )
    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, null=True, blank=True, related_name="enrolments"
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolments"
    )
    last_lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    enrolled = models.DateTimeField(_("enrolled"), auto_now_add=True)
    last_active = models.DateTimeField(_("last active"), auto_now_add=True)
    completed = models.DateTimeField(_("completed"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-last_active", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(course__isnull=False, pathway__isnull=True)
                | Q(course__isnull=True, pathway__isnull=False),
                name="learning_enrolment_course_xor_pathway",
            ),
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=Q(course__isnull=False),
                name="learning_enrolment_unique_course",
            ),
            models.UniqueConstraint(
                fields=["user", "pathway"],
                condition=Q(pathway__isnull=False),
                name="learning_enrolment_unique_pathway",
            ),
        ]
        indexes = [models.Index(fields=["user", "-last_active"], name="learning_enrol_user_idx")]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.course_id or self.pathway_id}"


class LessonProgress(models.Model):
    """A lesson a person has done (for a lesson with a quiz: the quiz passed)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    completed = models.DateTimeField(_("completed"), auto_now_add=True)

    objects = LessonProgressQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="learning_progress_unique")
        ]
        verbose_name = _("lesson done")
        verbose_name_plural = _("lessons done")

    def __str__(self) -> str:
        return f"{self.user_id} ✓ {self.lesson_id}"


class StepProgress(models.Model):
    """A pathway's resource step a person has marked as read (course steps count by the course)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(PathwayStep, on_delete=models.CASCADE, related_name="progress")
    completed = models.DateTimeField(_("completed"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "step"], name="learning_step_progress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ✓ step {self.step_id}"


class QuizAttempt(models.Model):
    """One submission of a lesson's quiz.

    `token` comes from the form, so a resubmission of the same form (a double click, a reload)
    is the same attempt and counts once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attempts")
    token = models.CharField(max_length=64)
    answers = models.JSONField(default=dict)  # {question id: [choice ids]}
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    created = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="learning_attempt_unique_token")
        ]
        indexes = [models.Index(fields=["user", "lesson"], name="learning_attempt_user_idx")]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")

    def __str__(self) -> str:
        return f"{self.user_id} {self.lesson_id}: {self.score} %"


def certificate_code() -> str:
    return secrets.token_urlsafe(12)


class Certificate(models.Model):
    """Proof that a person completed a course. Its verification page is public; the PDF is not.

    Name and course title are copied when it is issued: the certificate says what was true then.
    """

    code = models.CharField(max_length=32, unique=True, default=certificate_code, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    holder_name = models.CharField(_("name"), max_length=200)
    course_title = models.CharField(_("course"), max_length=200)
    issued_on = models.DateField(_("issued on"))

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="learning_certificate_unique")
        ]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"{self.holder_name}: {self.course_title}"

    def get_absolute_url(self) -> str:
        return reverse("learning:certificate-verify", args=[self.code])

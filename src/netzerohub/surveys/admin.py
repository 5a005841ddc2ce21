"""The Django admin of surveys: read only. Surveys are built in the survey builder
(`surveys:manage`), whose writes go through the services (audited, the structure cache bumped,
answered questions kept); responses change only by answering. The admin lets staff look things
up: surveys with their sections, questions with their options, responses with their answers.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Answer, Option, Question, Response, Section, Survey


class ReadOnly:
    """Nothing is added, changed or deleted here (see the module's docstring)."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class SectionInline(ReadOnly, admin.TabularInline):
    model = Section
    fields = ["position", "title"]
    extra = 0


class OptionInline(ReadOnly, admin.TabularInline):
    model = Option
    fields = ["position", "label", "term"]
    extra = 0


class AnswerInline(ReadOnly, admin.TabularInline):
    model = Answer
    fields = ["question", "number", "text", "answered_by", "answered_at"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("question", "answered_by")


@admin.register(Survey)
class SurveyAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["title", "status", "opens_at", "closes_at", "audience", "respondent", "builder"]
    list_filter = ["status", "audience", "respondent", "is_sample"]
    search_fields = ["title", "slug"]
    date_hierarchy = "opens_at"
    inlines = [SectionInline]

    @admin.display(description=_("builder"))
    def builder(self, survey: Survey) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("surveys:survey-edit", args=[survey.slug]), _("Edit")
        )


@admin.register(Question)
class QuestionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["text", "key", "kind", "survey", "section", "required", "hidden"]
    list_filter = ["kind", "required", "hidden"]
    list_select_related = ["survey", "section"]
    search_fields = ["text", "key", "survey__title"]
    inlines = [OptionInline]


@admin.register(Response)
class ResponseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["survey", "city", "person", "status", "started", "submitted_at"]
    list_filter = ["status", "is_sample"]
    list_select_related = ["survey", "city", "person"]
    search_fields = ["survey__title", "city__name", "person__email"]
    raw_id_fields = ["city", "person"]
    show_full_result_count = False
    inlines = [AnswerInline]

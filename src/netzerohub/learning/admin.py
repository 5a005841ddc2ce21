from django.contrib import admin

from .caching import content_changed
from .indexing import reindex_course
from .models import (
    Certificate,
    Choice,
    Cohort,
    Course,
    Lesson,
    Module,
    Pathway,
    PathwayStep,
    Question,
)


class ContentAdmin(admin.ModelAdmin):
    """Edits here reach learners' cached pages at once, as portal edits do."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        content_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        content_changed()


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


@admin.register(Course)
class CourseAdmin(ContentAdmin):
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        reindex_course(form.instance)  # the catalogue finds what the admin saved

    list_display = ("title", "status", "level", "language", "is_sample")
    list_filter = ("status", "level", "is_sample")
    search_fields = ("title", "key")
    filter_horizontal = ("fields", "levers", "prerequisites")
    inlines = [ModuleInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(ContentAdmin):
    list_display = ("text", "lesson", "kind")
    search_fields = ("text",)
    raw_id_fields = ("lesson",)
    inlines = [ChoiceInline]


@admin.register(Lesson)
class LessonAdmin(ContentAdmin):
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        reindex_course(form.instance.course)

    list_display = ("title", "course", "module", "position")
    search_fields = ("title", "key")
    raw_id_fields = ("module", "resources")


class StepInline(admin.TabularInline):
    model = PathwayStep
    extra = 0
    raw_id_fields = ("course", "resource")


@admin.register(Pathway)
class PathwayAdmin(ContentAdmin):
    list_display = ("title", "status", "position", "is_sample")
    inlines = [StepInline]


@admin.register(Cohort)
class CohortAdmin(ContentAdmin):
    list_display = ("title", "course", "starts_on", "ends_on", "facilitator")
    raw_id_fields = ("course", "facilitator")


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("holder_name", "course_title", "issued_on", "code")
    search_fields = ("holder_name", "code")
    raw_id_fields = ("user", "course")

"""The Django admin shows the self-assessment's data read-only: versions are edited, answers
given and results computed in the portal, where every change is checked and audited."""

from django.contrib import admin

from .models import Assessment, PeerStatistic, Questionnaire, RecommendationWeight


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ("title", "key", "version", "status", "published_at")
    list_filter = ("status", "key")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("city", "questionnaire", "status", "overall_score", "stage", "submitted_at")
    list_filter = ("status", "is_latest", "is_sample", "population_band")
    search_fields = ("city__name",)
    list_select_related = ("city", "questionnaire", "stage")
    raw_id_fields = ("city",)


@admin.register(PeerStatistic)
class PeerStatisticAdmin(ReadOnlyAdmin):
    list_display = ("questionnaire_key", "group", "dimension", "cities", "median", "computed_at")
    list_filter = ("questionnaire_key",)


@admin.register(RecommendationWeight)
class RecommendationWeightAdmin(ReadOnlyAdmin):
    list_display = ("kind", "key", "weight")
    list_filter = ("kind",)

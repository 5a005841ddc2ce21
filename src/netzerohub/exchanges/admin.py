"""The Django admin of city-to-city exchanges.

A call is saved through `services.save_call` with its rules, questions and criteria in the
order of the inlines (audited; a question that applications answered cannot be deleted), and
its rows are checked by the portal form's rules. Applications are read here, and decided only
through `services.decide_application` (the city is told); host offers, reviews, pairs and the
pairs' activity are read-only: they are written on the portal's pages, through the services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from netzerohub.core.forms import rows_in_order

from . import matching, services
from .manage_forms import CriterionForm, QuestionForm, RuleForm
from .models import (
    Activity,
    Application,
    Call,
    EligibilityRule,
    HostOffer,
    Pair,
    Question,
    Review,
    ReviewCriterion,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed and read, never added, changed or deleted here."""

    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class QuestionsFormSet(forms.BaseInlineFormSet):
    """Refuses to delete a question that applications have answered (their answers would be
    lost), as the service does, so that the admin shows it as an error."""

    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None or any(self.errors):
            return
        kept = [q.pk for q in rows_in_order(self) if q.pk is not None]
        answered = services.answered_questions(self.instance, keep=kept)
        if answered:
            raise forms.ValidationError(
                _("Applications have answered %(questions)s: it cannot be deleted.")
                % {"questions": "; ".join(f"“{q.label}”" for q in answered)}
            )


CALL_FIELDS = [
    "title", "slug", "kind", "summary", "information", "status", "time_zone", "opens_at",
    "closes_at", "match_weights", "reviewers", "is_sample",
]  # fmt: skip


class CallAdminForm(forms.ModelForm):
    """Checks the matching weights as the service will (known parts, numbers of 0 or more)."""

    class Meta:
        model = Call
        fields = CALL_FIELDS

    def clean_match_weights(self) -> dict:
        weights = self.cleaned_data["match_weights"]
        if not isinstance(weights, dict) or set(weights) - set(matching.PARTS):
            raise forms.ValidationError(
                _("Give an object with some of these keys: %(parts)s.")
                % {"parts": ", ".join(matching.PARTS)}
            )
        for value in weights.values():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise forms.ValidationError(_("Weights are numbers of 0 or more."))
        return weights


class RuleInline(admin.TabularInline):
    model = EligibilityRule
    form = RuleForm
    fields = ["kind", "year", "minimum", "maximum", "group"]
    raw_id_fields = ["group"]
    extra = 0


class QuestionInline(admin.TabularInline):
    model = Question
    form = QuestionForm
    formset = QuestionsFormSet
    fields = ["kind", "label", "help_text", "required"]
    extra = 0


class CriterionInline(admin.TabularInline):
    model = ReviewCriterion
    form = CriterionForm
    fields = ["title", "description", "weight"]
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "opens_at", "closes_at", "matches_published_at"]
    list_filter = ["kind", "status", "is_sample"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "opens_at"
    filter_horizontal = ["reviewers"]
    fields = [*CALL_FIELDS, "matches_published_at", "created_by", "created", "updated"]
    readonly_fields = ["matches_published_at", "created_by", "created", "updated"]
    inlines = [RuleInline, QuestionInline, CriterionInline]

    form = CallAdminForm

    def save_model(self, request, obj, form, change) -> None:
        # Saved once, with its rows, in save_related (the service takes them all together).
        pass

    def save_related(self, request, form, formsets, change) -> None:
        rows = {formset.model: rows_in_order(formset) for formset in formsets}
        for formset in formsets:  # what the admin's change message reads
            kept = [f for f in formset.initial_forms if not formset._should_delete_form(f)]
            formset.new_objects = [row for row in rows[formset.model] if row.pk is None]
            formset.changed_objects = [(f.instance, f.changed_data) for f in kept if f.changed_data]
            formset.deleted_objects = [
                f.instance for f in formset.initial_forms if formset._should_delete_form(f)
            ]
        services.save_call(
            form.instance,
            actor=request.user,
            rules=rows.get(EligibilityRule),
            questions=rows.get(Question),
            criteria=rows.get(ReviewCriterion),
            reviewers=form.cleaned_data.get("reviewers"),
        )


@admin.action(description=_("Accept the selected applications (the cities are told)"))
def accept(modeladmin, request, queryset) -> None:
    _decide(modeladmin, request, queryset, "accept")


@admin.action(description=_("Put the selected applications on the waiting list"))
def waitlist(modeladmin, request, queryset) -> None:
    _decide(modeladmin, request, queryset, "waitlist")


@admin.action(description=_("Reject the selected applications (the cities are told)"))
def reject(modeladmin, request, queryset) -> None:
    _decide(modeladmin, request, queryset, "reject")


def _decide(modeladmin, request, queryset, decision: str) -> None:
    done = 0
    for application in queryset:
        try:
            services.decide_application(application, decision, actor=request.user)
        except services.ExchangeError as error:
            modeladmin.message_user(request, f"{application}: {error}", level="error")
        else:
            done += 1
    modeladmin.message_user(request, _("%(count)s decided.") % {"count": done})


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["city", "call", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "call"]
    search_fields = ["city__name", "call__title"]
    list_select_related = ["city", "call"]
    date_hierarchy = "submitted_at"
    fields = [
        "call", "city", "status", "answers", "fields", "levers", "languages", "challenges",
        "hours_per_month", "representatives", "created_by", "created", "updated",
        "submitted_at", "decided_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = [accept, waitlist, reject]


@admin.register(HostOffer)
class HostOfferAdmin(ReadOnlyAdmin):
    list_display = ["city", "call", "capacity", "updated"]
    list_filter = ["call"]
    search_fields = ["city__name", "call__title"]
    list_select_related = ["city", "call"]
    fields = [
        "call", "city", "fields", "levers", "capacity", "languages", "challenges",
        "visit_dates", "created_by", "created", "updated",
    ]  # fmt: skip
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["application", "reviewer", "updated"]
    list_filter = ["application__call"]
    search_fields = ["application__city__name", "reviewer__email", "reviewer__name"]
    list_select_related = ["application__city", "application__call", "reviewer"]
    fields = ["application", "reviewer", "scores", "comment", "created", "updated"]
    readonly_fields = fields


@admin.register(Pair)
class PairAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "call", "score", "status", "plan_submitted_at"]
    list_filter = ["status", "call"]
    search_fields = ["application__city__name", "offer__city__name"]
    list_select_related = ["call", "application__city", "offer__city"]
    fields = [
        "call", "application", "offer", "score", "breakdown", "status", "replication_plan",
        "plan_submitted_at", "created",
    ]  # fmt: skip
    readonly_fields = fields


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "pair", "kind", "date", "author"]
    list_filter = ["kind"]
    search_fields = ["title", "pair__application__city__name", "pair__offer__city__name"]
    list_select_related = ["pair__application__city", "pair__offer__city", "author"]
    date_hierarchy = "date"
    fields = ["pair", "kind", "date", "title", "description", "link", "author", "created"]
    readonly_fields = fields

"""The Django admin of the helpdesk. It never goes round the services:

- FAQ entries are saved and deleted through `services.save_faq_entry` / `delete_faq_entry`, so
  the search (help page, suggestions) always holds exactly the published entries.
- Configuration (queues, routing rules, working time, holidays, service levels, absences,
  canned replies) is saved through `services.save_settings` and deleted through
  `services.delete_settings` (audited; the service-level clock reloads its calendar).
- Tickets change only in status, priority, queue and assignee, through `services.change_ticket`
  (the clock paused or resumed, the city told of a resolution); their conversation is shown
  read-only, internal notes marked. Messages and attachments are read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Absence,
    Attachment,
    CannedReply,
    FaqEntry,
    Holiday,
    Message,
    Queue,
    RoutingRule,
    ServiceLevel,
    Ticket,
    WorkingTime,
)

# --- configuration ---------------------------------------------------------------------------


class SettingsAdmin(admin.ModelAdmin):
    """Saved and deleted through the services: audited, and the clock sees
    the change at once (a holiday added or removed moves every due time computed after it)."""

    def save_model(self, request, obj, form, change) -> None:
        services.save_settings([obj], actor=request.user, what=obj._meta.model_name)

    def delete_model(self, request, obj) -> None:
        services.delete_settings([obj], actor=request.user, what=obj._meta.model_name)

    def delete_queryset(self, request, queryset) -> None:
        services.delete_settings(
            list(queryset), actor=request.user, what=queryset.model._meta.model_name
        )


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    raw_id_fields = ["term"]


@admin.register(Queue)
class QueueAdmin(SettingsAdmin):
    list_display = ["name", "slug", "is_default", "auto_assign", "is_active", "expert_names"]
    list_filter = ["is_active", "auto_assign", "is_default"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ("name",)}
    raw_id_fields = ["experts"]
    inlines = [RoutingRuleInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("experts")

    @admin.display(description=_("experts"))
    def expert_names(self, queue: Queue) -> str:
        return ", ".join(str(e) for e in queue.experts.all())


@admin.register(RoutingRule)
class RoutingRuleAdmin(SettingsAdmin):
    list_display = ["category", "term", "queue"]
    list_filter = ["category", "queue"]
    list_select_related = ["term", "queue"]
    search_fields = ["queue__name", "term__name"]
    raw_id_fields = ["term"]


@admin.register(WorkingTime)
class WorkingTimeAdmin(SettingsAdmin):
    """One row: the helpdesk's working week, time zone, warning window and auto-close."""

    list_display = ["__str__", "time_zone", "work_days", "day_starts", "day_ends"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not WorkingTime.objects.exists()


@admin.register(Holiday)
class HolidayAdmin(SettingsAdmin):
    list_display = ["date", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(ServiceLevel)
class ServiceLevelAdmin(SettingsAdmin):
    list_display = ["priority", "first_response_hours", "resolution_hours"]


@admin.register(Absence)
class AbsenceAdmin(SettingsAdmin):
    list_display = ["expert", "starts_on", "ends_on", "note"]
    list_select_related = ["expert"]
    search_fields = ["expert__email", "expert__name", "note"]
    raw_id_fields = ["expert"]
    date_hierarchy = "starts_on"


@admin.register(CannedReply)
class CannedReplyAdmin(SettingsAdmin):
    list_display = ["title", "queue", "updated"]
    list_filter = ["queue"]
    list_select_related = ["queue"]
    search_fields = ["title", "body"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["created_by", "updated"]

    def save_model(self, request, obj, form, change) -> None:
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# --- the FAQ ---------------------------------------------------------------------------------


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    """Saved through the service, so a published entry is in the search at once and an
    unpublished or deleted one leaves it."""

    list_display = ["question", "category", "status", "position", "updated"]
    list_filter = ["status", "category"]
    search_fields = ["question", "answer", "slug"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ("question",)}
    raw_id_fields = ["author"]
    readonly_fields = ["author", "created", "updated"]
    fields = ["question", "slug", "category", "status", "position", "answer", "author"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # Empty: the service makes a unique address from the question.
        form.base_fields["slug"].required = False
        return form

    def save_model(self, request, obj, form, change) -> None:
        services.save_faq_entry(obj, actor=request.user)

    def delete_model(self, request, obj) -> None:
        services.delete_faq_entry(obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for entry in queryset:
            services.delete_faq_entry(entry, actor=request.user)


# --- tickets and their conversation ----------------------------------------------------------


class MessageInline(admin.TabularInline):
    """The conversation, read-only: replies are written on the ticket's page (the city is
    told); internal notes are marked by their kind."""

    model = Message
    extra = 0
    can_delete = False
    fields = ["created", "kind", "from_city", "author", "body"]
    readonly_fields = fields
    ordering = ["created", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


CHANGEABLE = ("status", "priority", "queue", "assignee")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets are opened on the portal (or by email confirmation); here a coordinator changes
    status, priority, queue and assignee — through `services.change_ticket` — and reads."""

    list_display = [
        "id", "subject", "status", "priority", "category", "queue", "assignee", "city",
        "created", "resolution_due", "rating",
    ]  # fmt: skip
    list_display_links = ["id", "subject"]
    list_filter = ["status", "priority", "category", "queue", "rating"]
    search_fields = ["subject", "contact_email", "requester__email", "city__name"]
    list_select_related = ["queue", "assignee", "city"]
    raw_id_fields = ["assignee", "requester", "city", "follow_up_of", "term"]
    date_hierarchy = "created"
    show_full_result_count = False
    inlines = [MessageInline]
    fields = [
        "subject", "status", "priority", "queue", "assignee", "category", "term", "city",
        "requester", "contact_name", "contact_email", "follow_up_of", "created", "updated",
        "received_at", "first_response_due", "first_response_at", "resolution_due",
        "resolved_at", "closed_at", "paused_seconds", "rating", "rating_comment",
    ]  # fmt: skip
    readonly_fields = [name for name in fields if name not in CHANGEABLE]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name in CHANGEABLE
        }
        if not changes:
            return
        ticket = Ticket.objects.get(pk=obj.pk)  # the ticket as stored: the service changes it
        kwargs: dict[str, Any] = {}
        if "status" in changes:
            kwargs["status"] = changes["status"]
        if "priority" in changes:
            kwargs["priority"] = changes["priority"]
        if "queue" in changes and changes["queue"] is not None:
            kwargs["queue"] = changes["queue"]
        if "assignee" in changes:
            if changes["assignee"] is None:
                kwargs["unassign"] = True
            else:
                kwargs["assignee"] = changes["assignee"]
        try:
            services.change_ticket(ticket, actor=request.user, **kwargs)
        except services.HelpdeskError as error:
            self.message_user(request, str(error), messages.ERROR)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ["name", "size", "created"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: a conversation is never rewritten behind the city's back."""

    list_display = ["ticket", "kind", "from_city", "author", "created"]
    list_filter = ["kind", "from_city"]
    search_fields = ["body", "ticket__subject"]
    list_select_related = ["ticket", "author"]
    raw_id_fields = ["ticket", "author"]
    fields = ["ticket", "kind", "from_city", "author", "created", "body"]
    readonly_fields = fields
    inlines = [AttachmentInline]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Read-only, without a link to the file: files are downloaded through the ticket's page,
    which checks who may read them."""

    list_display = ["name", "size", "message", "created"]
    search_fields = ["name"]
    list_select_related = ["message"]
    fields = ["name", "size", "message", "created"]
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

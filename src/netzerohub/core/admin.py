from django.contrib import admin

from .models import AuditLog, Notification, Term


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    ordering = ["kind", "position"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created", "action", "actor", "city", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["action", "actor__email", "target_id"]
    list_select_related = ["actor", "city"]
    date_hierarchy = "created"
    raw_id_fields = ["actor", "city"]

    def has_change_permission(self, request, obj=None):  # the log is append-only
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created", "user", "kind", "title", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "title"]
    raw_id_fields = ["user"]

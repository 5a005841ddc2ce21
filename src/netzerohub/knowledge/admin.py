"""Admin views for support work; the review workflow itself lives in the portal."""

from django.contrib import admin

from netzerohub.core import search

from . import services
from .models import Attachment, Collection, CollectionItem, Resource, ResourceVersion


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["name", "kind", "size", "extraction", "extraction_error"]
    readonly_fields = fields
    can_delete = False


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "type", "status", "visibility", "city", "published_on", "is_sample"]
    list_filter = ["status", "type", "visibility", "is_sample"]
    search_fields = ["title", "key"]
    raw_id_fields = ["city", "submitted_by"]
    readonly_fields = ["status", "created", "updated"]
    inlines = [AttachmentInline]

    # A change made here is versioned, audited and indexed like one made in the portal.
    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        services.record_admin_edit(form.instance, actor=request.user)

    def delete_model(self, request, obj) -> None:
        search.unindex_object(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for resource in queryset:
            search.unindex_object(resource)
        super().delete_queryset(request, queryset)


@admin.register(ResourceVersion)
class ResourceVersionAdmin(admin.ModelAdmin):
    list_display = ["resource", "number", "action", "actor", "created"]
    raw_id_fields = ["resource", "actor"]
    readonly_fields = ["resource", "number", "action", "actor", "comment", "changed", "snapshot"]


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    raw_id_fields = ["resource"]
    extra = 0


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "updated"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CollectionItemInline]

"""Admin views for support work; the review workflow itself lives in the portal."""

from django.contrib import admin

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

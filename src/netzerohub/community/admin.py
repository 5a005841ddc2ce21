from django.contrib import admin

from .models import Group, GroupMembership, Phase, Post, PostAttachment, Thread


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = ("position", "title", "starts_on", "ends_on", "description")


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = (
        "title", "theme", "language", "admission", "seats_per_city", "status", "is_sample",
    )  # fmt: skip
    list_filter = ("status", "admission", "theme__kind", "language", "is_sample")
    list_select_related = ("theme",)
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("facilitators",)
    readonly_fields = ("created_by", "created", "updated")
    inlines = [PhaseInline]


@admin.register(GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "group", "city", "status", "created", "decided_at")
    list_filter = ("status", "group")
    list_select_related = ("user", "group", "city")
    search_fields = ("user__email", "user__name", "city__name", "group__title")
    raw_id_fields = ("user", "city", "decided_by")
    readonly_fields = ("created", "decided_at")


class PostAttachmentInline(admin.TabularInline):
    model = PostAttachment
    extra = 0
    fields = ("name", "size", "file", "created")
    readonly_fields = ("name", "size", "file", "created")


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = (
        "title", "group", "author", "post_count", "is_pinned", "is_locked", "is_hidden",
        "last_activity",
    )  # fmt: skip
    list_filter = ("is_pinned", "is_locked", "is_hidden", "group")
    list_select_related = ("group", "author")
    search_fields = ("title", "author__email", "author__name")
    raw_id_fields = ("author",)
    readonly_fields = ("post_count", "last_activity", "created")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("__str__", "thread", "author", "is_hidden", "created")
    list_filter = ("is_hidden", "thread__group")
    list_select_related = ("thread", "author")
    search_fields = ("body", "author__email", "author__name", "thread__title")
    raw_id_fields = ("thread", "author", "hidden_by")
    readonly_fields = ("created", "edited")
    inlines = [PostAttachmentInline]

from django.contrib import admin

from .models import City, CityProposal, Country, Membership


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "is_eu_member",
        "is_associated",
        "pillar_ii_only",
        "associated_since",
        "association_year",
    ]
    list_filter = ["is_eu_member", "is_associated", "pillar_ii_only", "is_european"]
    search_fields = ["name", "code"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "city"
    extra = 0
    raw_id_fields = ["user", "decided_by"]
    fields = ["user", "role", "status", "is_mentor", "needs_coordinator", "created"]
    readonly_fields = ["created"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "status", "population", "target_year", "source"]
    list_filter = ["status", "source", "country"]
    search_fields = ["name", "name_folded"]
    list_select_related = ["country"]
    readonly_fields = ["geonameid", "updated"]
    inlines = [MembershipInline]
    show_full_result_count = False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "city", "role", "status", "is_mentor", "needs_coordinator", "created"]
    list_filter = ["status", "role", "is_mentor", "needs_coordinator"]
    search_fields = ["user__email", "user__name", "city__name"]
    raw_id_fields = ["user", "city", "decided_by"]
    list_select_related = ["user", "city"]


@admin.register(CityProposal)
class CityProposalAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "status", "proposed_by", "created"]
    list_filter = ["status", "country"]
    search_fields = ["name"]
    raw_id_fields = ["proposed_by", "city", "decided_by"]

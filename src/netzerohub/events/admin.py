"""The Django admin of events. It never goes round the registration engine: events are saved
through `services.save_event` (validated, audited, the waitlist offered freed seats) and
cancelled through `services.cancel_event` (registrants told); registrations and calendar feeds
are read-only here, except a registration's waitlist priority."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import CalendarFeed, Event, Registration
from .registration import RegistrationError


class EventAdminForm(forms.ModelForm):
    """The admin's event form, checked by the same rules as the portal's."""

    video_url = forms.URLField(
        label=_("video link"), required=False, max_length=500, assume_scheme="https"
    )
    recording_url = forms.URLField(
        label=_("recording"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Event
        fields = [
            "kind", "title", "summary", "agenda", "group", "phase", "country", "languages",
            "fields", "levers", "format", "venue", "video_url", "starts_at", "ends_at",
            "time_zone", "capacity", "seats_per_city", "offer_hours", "registration_deadline",
            "audience", "invited_cities", "organisers", "materials", "recording_url", "status",
            "is_sample",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "status" in self.fields:  # cancelling is an action that tells the registrants
            self.fields["status"].choices = [
                choice for choice in self.fields["status"].choices if choice[0] != "cancelled"
            ]

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        try:
            services.validate_event(self.instance)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, error)


@admin.action(description=_("Cancel the selected events (registrants are told)"))
def cancel_events(modeladmin, request, queryset) -> None:
    done = 0
    for event in queryset.exclude(status=Event.Status.CANCELLED):
        try:
            services.cancel_event(event, actor=request.user)
        except RegistrationError as error:
            modeladmin.message_user(request, f"{event}: {error}", messages.ERROR)
        else:
            done += 1
    modeladmin.message_user(request, _("%(count)s cancelled.") % {"count": done})


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = [
        "title", "kind", "starts_at", "status", "group", "country",
        "confirmed_count", "offered_count", "waitlisted_count",
    ]  # fmt: skip
    list_filter = ["kind", "status", "format", "audience", "is_sample", "country"]
    search_fields = ["title", "summary"]
    list_select_related = ["group", "country"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["group", "phase", "country", "created_by"]
    autocomplete_fields = ["invited_cities"]
    filter_horizontal = ["fields", "levers", "organisers"]
    readonly_fields = [
        "confirmed_count", "offered_count", "waitlisted_count", "cancelled_at",
        "cancel_reason", "created_by", "created", "updated",
    ]  # fmt: skip
    actions = [cancel_events]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_cancelled:  # a cancelled event cannot be changed
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed_count(self, event: Event) -> int:
        return event.confirmed_count

    @admin.display(description=_("offered"), ordering="offered_count")
    def offered_count(self, event: Event) -> int:
        return event.offered_count

    @admin.display(description=_("waiting"), ordering="waitlisted_count")
    def waitlisted_count(self, event: Event) -> int:
        return event.waitlisted_count

    def save_model(self, request, obj, form, change) -> None:
        # Through the service: validated, audited, the waitlist offered the seats a larger
        # capacity frees, registrants told of a new time, reminders scheduled. Many-to-many
        # values follow in save_related, as the admin does.
        services.save_event(obj, actor=request.user)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Read-only but for the waitlist priority: statuses change only through the engine (the
    portal's register, cancel and offer steps), never by hand here."""

    list_display = ["user", "event", "city", "status", "priority", "created", "attended"]
    list_filter = ["status", "event__kind", "attended"]
    search_fields = ["user__email", "user__name", "city__name", "event__title"]
    list_select_related = ["user", "event", "city"]
    fields = [
        "event", "user", "city", "status", "priority", "created", "confirmed_at", "offered_at",
        "offer_expires_at", "cancelled_at", "attended", "reminded_day_at", "reminded_hour_at",
    ]  # fmt: skip
    readonly_fields = [name for name in fields if name != "priority"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "token_hint", "created", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "token_hint", "created", "revoked_at"]
    readonly_fields = ["user", "token_hint", "created", "revoked_at"]

    @admin.display(description=_("address"))
    def token_hint(self, feed: CalendarFeed) -> str:
        """The start of the secret only: the full address is the person's."""
        return f"{feed.token[:6]}…"

    def has_add_permission(self, request) -> bool:
        return False

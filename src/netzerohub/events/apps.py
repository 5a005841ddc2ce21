from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "netzerohub.events"
    label = "events"
    verbose_name = "Meetings and events"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from netzerohub.cities import panels

        from . import services  # noqa: F401  (registers audit labels and personal data)
        from .caching import registration_saved_or_deleted
        from .models import Registration
        from .panels import city_panel

        for signal in (post_save, post_delete):
            signal.connect(registration_saved_or_deleted, sender=Registration)

        panels.register("events/_city_card.html", city_panel, order=30)

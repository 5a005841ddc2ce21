from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "netzerohub.events"
    label = "events"
    verbose_name = "Meetings and events"

    def ready(self) -> None:
        from netzerohub.cities import panels

        from . import services  # noqa: F401  (registers audit labels and personal data)
        from .panels import city_panel

        panels.register("events/_city_card.html", city_panel, order=30)

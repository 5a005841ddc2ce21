from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "netzerohub.events"
    label = "events"
    verbose_name = "Meetings and events"

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers audit labels and personal data)

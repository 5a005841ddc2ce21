from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "netzerohub.learning"
    label = "learning"
    verbose_name = "Capability-building programme"

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers audit labels and personal data)

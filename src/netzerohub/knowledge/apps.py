from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "netzerohub.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge repository"

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers audit labels and personal data)

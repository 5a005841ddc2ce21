from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "netzerohub.helpdesk"
    label = "helpdesk"
    verbose_name = "Helpdesk"

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers audit labels and personal data)

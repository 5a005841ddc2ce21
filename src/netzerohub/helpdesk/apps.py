from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "netzerohub.helpdesk"
    label = "helpdesk"
    verbose_name = "Helpdesk"

    def ready(self) -> None:
        from netzerohub.cities import panels

        from . import services  # noqa: F401  (registers audit labels and personal data)
        from .panels import city_panel

        panels.register("helpdesk/_city_card.html", city_panel, order=50)

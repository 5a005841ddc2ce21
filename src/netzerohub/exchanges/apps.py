from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "netzerohub.exchanges"
    label = "exchanges"
    verbose_name = "City-to-city exchanges"

    def ready(self) -> None:
        from netzerohub.cities import panels

        from . import services  # noqa: F401  (registers audit labels and personal data)
        from .panels import city_panel

        panels.register("exchanges/_city_card.html", city_panel, order=40)

from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "netzerohub.exchanges"
    label = "exchanges"
    verbose_name = "City-to-city exchanges"

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers audit labels and personal data)

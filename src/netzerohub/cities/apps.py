from django.apps import AppConfig


class CitiesConfig(AppConfig):
    name = "netzerohub.cities"
    label = "cities"
    verbose_name = "Cities"

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers the personal-data section)

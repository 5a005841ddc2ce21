from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "netzerohub.contracts"
    label = "contracts"
    verbose_name = "Climate City Contracts"

    def ready(self) -> None:
        from netzerohub.cities import panels

        from . import caching, commitments, services  # noqa: F401  (register audit labels)
        from .panels import city_panel

        panels.register("contracts/_city_card.html", city_panel, order=70)
        caching.connect()  # every write to a workspace bumps its contract's version

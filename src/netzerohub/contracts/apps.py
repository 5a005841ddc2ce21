from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "netzerohub.contracts"
    label = "contracts"
    verbose_name = "Climate City Contracts"

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers audit labels)

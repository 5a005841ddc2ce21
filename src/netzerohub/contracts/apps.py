from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "netzerohub.contracts"
    label = "contracts"
    verbose_name = "Climate City Contracts"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "netzerohub.accounts"
    label = "accounts"
    verbose_name = "Accounts"

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "netzerohub.core"
    label = "core"
    verbose_name = "Core"

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "netzerohub.community"
    label = "community"
    verbose_name = "Peer discussion groups"

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers audit labels and personal data)

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "netzerohub.assessment"
    label = "assessment"
    verbose_name = "City-readiness self-assessment"

    def ready(self) -> None:
        from netzerohub.cities import panels

        from . import authoring, services  # noqa: F401  (register audit labels and personal data)
        from .views import city_panel

        panels.register("assessment/_city_card.html", city_panel, order=20)

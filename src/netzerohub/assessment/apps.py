from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "netzerohub.assessment"
    label = "assessment"
    verbose_name = "City-readiness self-assessment"

    def ready(self) -> None:
        from . import authoring, services  # noqa: F401  (register audit labels and personal data)

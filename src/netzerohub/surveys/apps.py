from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "netzerohub.surveys"
    label = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers audit labels and personal data)

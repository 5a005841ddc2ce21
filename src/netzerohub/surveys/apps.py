from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "netzerohub.surveys"
    label = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        from netzerohub.cities import panels

        from . import services  # noqa: F401  (registers audit labels and personal data)
        from .panels import city_panel

        panels.register("surveys/respond/_city_card.html", city_panel, order=60)

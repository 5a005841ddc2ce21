from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "netzerohub.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"

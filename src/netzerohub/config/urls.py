from django.contrib import admin
from django.urls import include, path

from netzerohub.core import views as core_views

from .api import api

admin.site.site_header = "NetZero Hub administration"
admin.site.site_title = "NetZero Hub"

urlpatterns = [
    path("", include("netzerohub.dashboard.urls")),
    path("", include("netzerohub.cities.urls")),
    path("", include("netzerohub.core.urls")),
    path("knowledge/", include("netzerohub.knowledge.urls")),
    path("learning/", include("netzerohub.learning.urls")),
    path("assessment/", include("netzerohub.assessment.urls")),
    path("groups/", include("netzerohub.community.urls")),
    path("events/", include("netzerohub.events.urls")),
    path("exchanges/", include("netzerohub.exchanges.urls")),
    path("helpdesk/", include("netzerohub.helpdesk.urls")),
    path("surveys/", include("netzerohub.surveys.urls")),
    path("contracts/", include("netzerohub.contracts.urls")),
    path("accounts/", include("netzerohub.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", core_views.api_docs, name="api-docs"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("favicon.ico", core_views.favicon),
]

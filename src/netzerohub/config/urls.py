from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from netzerohub.core import views as core_views

from .api import api

admin.site.site_header = "NetZero Hub administration"
admin.site.site_title = "NetZero Hub"

urlpatterns = [
    path("", include("netzerohub.dashboard.urls")),
    path("", include("netzerohub.cities.urls")),
    path("", include("netzerohub.core.urls")),
    path("knowledge/", include("netzerohub.knowledge.urls")),
    path("accounts/", include("netzerohub.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", core_views.api_docs, name="api-docs"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Browsers (and Chromium's PDF viewer) ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
]

"""The surveys' pages: answering (views), the builder (build_views), analytics and exports
(analytics_views), turning a result into a draft activity (insights). Each module lists its own
`urlpatterns`; the builder's and the analytics' live under `manage/`."""

from . import analytics_views, build_views, insights, views

app_name = "surveys"
urlpatterns = [
    *build_views.urlpatterns,
    *analytics_views.urlpatterns,
    *insights.urlpatterns,
    *views.urlpatterns,
]

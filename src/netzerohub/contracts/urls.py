"""The Climate City Contract's pages: the workspace, commitments, inventory and trajectory
(views), the action portfolio and the investment plan (portfolio_views), submission, versions,
review, exports, publishing and the public summaries (review_views)."""

from django.urls import path

from . import portfolio_views, review_views, views

app_name = "contracts"

urlpatterns = [
    # views: the workspace, commitments, inventory, trajectory
    path("", views.index, name="index"),
    path("<int:city_id>/", views.workspace, name="workspace"),
    path("<int:city_id>/commitments/", views.commitments, name="commitments"),
    path("<int:city_id>/commitments/targets/", views.interim_targets, name="interim-targets"),
    path("<int:city_id>/commitments/signatories/", views.signatories, name="signatories"),
    path("<int:city_id>/sections/<str:code>/", views.narrative, name="narrative"),
    path("<int:city_id>/inventory/", views.inventory, name="inventory"),
    path("<int:city_id>/inventory/<int:year>/", views.inventory_year, name="inventory-year"),
    path(
        "<int:city_id>/inventory/template.xlsx",
        views.inventory_template,
        name="inventory-template",
    ),
    path("<int:city_id>/inventory/import/", views.inventory_import, name="inventory-import"),
    path("<int:city_id>/trajectory/", views.trajectory, name="trajectory"),
    # portfolio_views: actions, indicators, the investment plan
    path("<int:city_id>/actions/", portfolio_views.actions, name="actions"),
    path("<int:city_id>/actions/matrix/", portfolio_views.matrix, name="matrix"),
    path("<int:city_id>/actions/timeline/", portfolio_views.timeline, name="timeline"),
    path("<int:city_id>/actions/new/", portfolio_views.action_create, name="action-create"),
    path("<int:city_id>/actions/<int:pk>/", portfolio_views.action, name="action"),
    path("<int:city_id>/actions/<int:pk>/edit/", portfolio_views.action_edit, name="action-edit"),
    path(
        "<int:city_id>/actions/<int:pk>/delete/",
        portfolio_views.action_delete,
        name="action-delete",
    ),
    path(
        "<int:city_id>/actions/<int:pk>/indicators/",
        portfolio_views.indicators,
        name="indicators",
    ),
    path(
        "<int:city_id>/actions/<int:pk>/investment/",
        portfolio_views.action_investment,
        name="action-investment",
    ),
    path("<int:city_id>/investment/", portfolio_views.investment, name="investment"),
    # review_views: submission, versions, review, exports, publishing, public summaries
    path("<int:city_id>/submit/", review_views.submit, name="submit"),
    path("<int:city_id>/versions/", review_views.versions, name="versions"),
    path("<int:city_id>/export.<str:fmt>", review_views.export, name="export"),
    path("<int:city_id>/publishing/", review_views.publishing, name="publishing"),
    path("versions/<int:pk>/", review_views.version, name="version"),
    path("versions/<int:pk>/review/", review_views.review, name="review"),
    path("versions/<int:pk>/export.<str:fmt>", review_views.version_export, name="version-export"),
    path("review/", review_views.review_queue, name="review-queue"),
    path("public/", review_views.public_list, name="public-list"),
    path("public/<int:city_id>/", review_views.public_summary, name="public-summary"),
]

from django.urls import path

from . import manage_views, views

app_name = "assessment"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("questionnaire/", views.questionnaire, name="questionnaire"),
    path("city/<int:city_pk>/", views.city_assessments, name="city"),
    path("city/<int:city_pk>/start/", views.start, name="start"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/result/", views.result, name="result"),
    path("<int:pk>/result/pdf/", views.result_pdf, name="result-pdf"),
    path("<int:pk>/answers/<slug:question_key>/", views.answer, name="answer"),
    path("<int:pk>/dimensions/<slug:key>/", views.dimension, name="dimension"),
    # coordinators
    path("manage/", manage_views.versions, name="manage"),
    path("manage/distribution/", manage_views.distribution, name="distribution"),
    path(
        "manage/distribution.<str:file_format>",
        manage_views.distribution_export,
        name="distribution-export",
    ),
    path("manage/weights/", manage_views.weights, name="weights"),
    path("manage/versions/<int:pk>/", manage_views.version, name="version"),
    path("manage/versions/<int:pk>/draft/", manage_views.new_draft, name="new-draft"),
    path("manage/versions/<int:pk>/settings/", manage_views.settings_edit, name="settings"),
    path("manage/versions/<int:pk>/stages/", manage_views.stages_edit, name="stages"),
    path("manage/versions/<int:pk>/publish/", manage_views.publish, name="publish"),
    path("manage/versions/<int:pk>/delete/", manage_views.delete, name="delete"),
    path(
        "manage/versions/<int:pk>/dimensions/new/",
        manage_views.dimension_edit,
        name="dimension-create",
    ),
    path(
        "manage/versions/<int:pk>/dimensions/<int:dimension_pk>/",
        manage_views.dimension_edit,
        name="dimension-edit",
    ),
    path(
        "manage/versions/<int:pk>/dimensions/<int:dimension_pk>/action/",
        manage_views.dimension_action,
        name="dimension-action",
    ),
    path(
        "manage/versions/<int:pk>/dimensions/<int:dimension_pk>/questions/new/",
        manage_views.question_edit,
        name="question-create",
    ),
    path(
        "manage/versions/<int:pk>/questions/<int:question_pk>/",
        manage_views.question_edit,
        name="question-edit",
    ),
    path(
        "manage/versions/<int:pk>/questions/<int:question_pk>/action/",
        manage_views.question_action,
        name="question-action",
    ),
]

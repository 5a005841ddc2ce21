from django.urls import path

from . import manage_views, views

app_name = "learning"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("mine/", views.mine, name="mine"),
    path("courses/<slug:key>/", views.course_detail, name="course"),
    path("courses/<slug:key>/enrol/", views.enrol, name="enrol"),
    path("courses/<slug:key>/lessons/<int:pk>/", views.lesson_detail, name="lesson"),
    path("courses/<slug:key>/lessons/<int:pk>/done/", views.lesson_done, name="lesson-done"),
    path("courses/<slug:key>/lessons/<int:pk>/quiz/", views.quiz, name="quiz"),
    path("enrolments/<int:pk>/leave/", views.leave, name="leave"),
    path("pathways/<slug:key>/", views.pathway_detail, name="pathway"),
    path("pathways/<slug:key>/enrol/", views.pathway_enrol, name="pathway-enrol"),
    path("pathways/<slug:key>/steps/<int:step_pk>/read/", views.step_read, name="step-read"),
    path("certificates/<str:code>/", views.certificate_verify, name="certificate-verify"),
    path("certificates/<str:code>/pdf/", views.certificate_pdf, name="certificate-pdf"),
    path("team/<int:city_pk>/", views.team, name="team"),
    path("cohorts/<int:pk>/", views.cohort, name="cohort"),
    # authoring (coordinators)
    path("manage/", manage_views.overview, name="manage"),
    path("manage/courses/new/", manage_views.course_edit, name="course-create"),
    path("manage/courses/<slug:key>/", manage_views.course_builder, name="course-builder"),
    path("manage/courses/<slug:key>/edit/", manage_views.course_edit, name="course-edit"),
    path("manage/courses/<slug:key>/status/", manage_views.course_status, name="course-status"),
    path("manage/courses/<slug:key>/modules/", manage_views.module_add, name="module-add"),
    path(
        "manage/courses/<slug:key>/modules/<int:pk>/",
        manage_views.module_action,
        name="module-action",
    ),
    path(
        "manage/courses/<slug:key>/modules/<int:module_pk>/lessons/new/",
        manage_views.lesson_edit,
        name="lesson-create",
    ),
    path(
        "manage/courses/<slug:key>/lessons/<int:pk>/",
        manage_views.lesson_edit,
        name="lesson-edit",
    ),
    path(
        "manage/courses/<slug:key>/lessons/<int:pk>/action/",
        manage_views.lesson_action,
        name="lesson-action",
    ),
    path(
        "manage/courses/<slug:key>/lessons/<int:lesson_pk>/questions/new/",
        manage_views.question_edit,
        name="question-create",
    ),
    path(
        "manage/courses/<slug:key>/questions/<int:pk>/",
        manage_views.question_edit,
        name="question-edit",
    ),
    path(
        "manage/courses/<slug:key>/questions/<int:pk>/delete/",
        manage_views.question_delete,
        name="question-delete",
    ),
    path("manage/courses/<slug:key>/cohorts/new/", manage_views.cohort_edit, name="cohort-create"),
    path(
        "manage/courses/<slug:key>/cohorts/<int:pk>/", manage_views.cohort_edit, name="cohort-edit"
    ),
    path("manage/pathways/new/", manage_views.pathway_edit, name="pathway-create"),
    path("manage/pathways/<slug:key>/", manage_views.pathway_edit, name="pathway-edit"),
    path("manage/pathways/<slug:key>/status/", manage_views.pathway_status, name="pathway-status"),
    path("manage/pathways/<slug:key>/steps/", manage_views.step_add, name="step-add"),
    path(
        "manage/pathways/<slug:key>/steps/<int:pk>/", manage_views.step_action, name="step-action"
    ),
]

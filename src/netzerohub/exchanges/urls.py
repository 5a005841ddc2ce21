from django.urls import path

from . import host_views, manage_views, matching_views, pair_views, review_views, views

app_name = "exchanges"

urlpatterns = [
    # calls and applying: city leads and members (views)
    path("", views.calls, name="calls"),
    path("mine/", views.mine, name="mine"),
    path("calls/<slug:slug>/", views.call_detail, name="call"),
    path("calls/<slug:slug>/apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/answer/", views.answer, name="answer"),
    path("applications/<int:pk>/submit/", views.submit, name="submit"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    # hosts: Mission and Pilot Cities (host_views)
    path("calls/<slug:slug>/offer/", host_views.offer_edit, name="offer"),
    # running calls: coordinators (manage_views)
    path("manage/", manage_views.overview, name="manage"),
    path("manage/new/", manage_views.call_edit, name="call-create"),
    path("calls/<slug:slug>/edit/", manage_views.call_edit, name="call-edit"),
    # review: coordinators and invited reviewers (review_views)
    path("calls/<slug:slug>/applications/", review_views.review_list, name="review-list"),
    path("applications/<int:pk>/review/", review_views.review, name="review"),
    path("applications/<int:pk>/decide/", review_views.decide, name="decide"),
    # matching: coordinators (matching_views)
    path("calls/<slug:slug>/matching/", matching_views.matching, name="matching"),
    path("calls/<slug:slug>/matching/run/", matching_views.run, name="matching-run"),
    path("calls/<slug:slug>/matching/rule/", matching_views.pair_rule, name="pair-rule"),
    path("calls/<slug:slug>/matching/publish/", matching_views.publish, name="matching-publish"),
    # the pairs' shared pages (pair_views)
    path("pairs/<int:pk>/", pair_views.pair, name="pair"),
    path("pairs/<int:pk>/activity/", pair_views.activity, name="activity"),
    path("pairs/<int:pk>/plan/", pair_views.plan, name="plan"),
    path("progress/", pair_views.progress, name="progress"),
]

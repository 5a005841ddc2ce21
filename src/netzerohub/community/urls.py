from django.urls import path

from . import discussion_views, manage_views, views

app_name = "community"

urlpatterns = [
    # running groups: coordinators (manage_views)
    path("manage/new/", manage_views.group_edit, name="group-create"),
    path("<slug:slug>/edit/", manage_views.group_edit, name="group-edit"),
    # groups, membership, attendance (views)
    path("", views.group_list, name="groups"),
    path("<slug:slug>/", views.group_detail, name="group"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/<int:pk>/decide/", views.decide, name="decide"),
    path("<slug:slug>/attendance/", views.attendance, name="attendance"),
    # discussions (discussion_views)
    path("<slug:slug>/discussions/", discussion_views.threads, name="threads"),
    path("<slug:slug>/discussions/new/", discussion_views.thread_create, name="thread-create"),
    path("<slug:slug>/discussions/<int:pk>/", discussion_views.thread, name="thread"),
    path(
        "<slug:slug>/discussions/<int:pk>/moderate/",
        discussion_views.thread_moderate,
        name="thread-moderate",
    ),
    path(
        "<slug:slug>/posts/<int:pk>/moderate/",
        discussion_views.post_moderate,
        name="post-moderate",
    ),
    path("<slug:slug>/files/<int:pk>/", discussion_views.attachment, name="attachment"),
]

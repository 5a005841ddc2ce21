from django.urls import path

from . import manage_views, views

app_name = "events"

urlpatterns = [
    # the public calendar, event pages, registering, calendars (views)
    path("", views.calendar, name="calendar"),
    path("mine/", views.mine, name="mine"),
    path("feed/new/", views.feed_create, name="feed-create"),
    path("feed/revoke/", views.feed_revoke, name="feed-revoke"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("<int:pk>/", views.event_detail, name="event"),
    path("<int:pk>.ics", views.event_ics, name="event-ics"),
    path("<int:pk>/register/", views.register, name="register"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration-cancel"),
    path("registrations/<int:pk>/accept/", views.registration_accept, name="registration-accept"),
    # running events: coordinators, organisers, facilitators (manage_views)
    path("manage/", manage_views.overview, name="manage"),
    path("manage/new/", manage_views.event_edit, name="event-create"),
    path("<int:pk>/edit/", manage_views.event_edit, name="event-edit"),
    path("<int:pk>/cancel/", manage_views.event_cancel, name="event-cancel"),
    path("<int:pk>/registrations/", manage_views.registrations, name="registrations"),
    path(
        "<int:pk>/registrations/export.<str:fmt>",
        manage_views.registrations_export,
        name="registrations-export",
    ),
    path("<int:pk>/check-in/", manage_views.check_in, name="check-in"),
]

from django.urls import path

from . import views

app_name = "cities"
urlpatterns = [
    path("cities/", views.directory, name="directory"),
    path("cities/search/", views.city_search, name="search"),
    path("cities/propose/", views.propose, name="propose"),
    path("cities/<int:pk>/", views.city_detail, name="detail"),
    path("cities/<int:pk>/join/", views.request_join, name="request-join"),
    path("cities/<int:pk>/status/", views.set_status, name="set-status"),
    path("eligibility/", views.eligibility, name="eligibility"),
    path("join/", views.join, name="join"),
    path("my-city/", views.my_cities, name="my-cities"),
    path("my-city/requests/", views.requests, name="requests"),
    path("my-city/<int:pk>/", views.my_city, name="my-city"),
    path("my-city/<int:pk>/profile/", views.edit_profile, name="edit-profile"),
    path(
        "memberships/<int:pk>/approve/",
        views.decide_membership,
        {"decision": "approve"},
        name="approve",
    ),
    path(
        "memberships/<int:pk>/reject/",
        views.decide_membership,
        {"decision": "reject"},
        name="reject",
    ),
    path("memberships/<int:pk>/role/", views.change_role, name="change-role"),
    path("memberships/<int:pk>/mentor/", views.toggle_mentor, name="toggle-mentor"),
    path("memberships/<int:pk>/leave/", views.leave, name="leave"),
]

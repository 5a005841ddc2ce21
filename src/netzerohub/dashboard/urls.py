from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("coordinator/", views.coordinator, name="coordinator"),
    path("coordinator/people/", views.people, name="people"),
    path(
        "coordinator/proposals/<int:pk>/approve/",
        views.decide_proposal,
        {"decision": "approve"},
        name="proposal-approve",
    ),
    path(
        "coordinator/proposals/<int:pk>/merge/",
        views.decide_proposal,
        {"decision": "merge"},
        name="proposal-merge",
    ),
    path(
        "coordinator/proposals/<int:pk>/reject/",
        views.decide_proposal,
        {"decision": "reject"},
        name="proposal-reject",
    ),
]

from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("new/", views.create, name="create"),
    path("export.csv", views.export_csv, name="export"),
    path("contributions/", views.contributions, name="contributions"),
    path("review/", views.review_queue, name="review-queue"),
    path("library/", views.library, name="library"),
    path("collections/", views.collections, name="collections"),
    path("collections/new/", views.collection_edit, name="collection-create"),
    path("collections/<slug:slug>/", views.collection_detail, name="collection"),
    path("collections/<slug:slug>/edit/", views.collection_edit, name="collection-edit"),
    path(
        "collections/<slug:slug>/items/<int:item_pk>/",
        views.collection_item,
        name="collection-item",
    ),
    path("<int:pk>/", views.resource_detail, name="resource"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/bookmark/", views.bookmark, name="bookmark"),
    path("<int:pk>/collect/", views.collection_add, name="collect"),
    path("<int:pk>/files/<int:attachment_pk>/", views.download, name="download"),
    path(
        "<int:pk>/files/<int:attachment_pk>/remove/",
        views.remove_attachment,
        name="remove-attachment",
    ),
]

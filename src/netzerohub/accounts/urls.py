from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/export/", views.export_data, name="export"),
    path("profile/delete/", views.delete_account, name="delete"),
    path("profile/api-tokens/", views.api_tokens, name="api-tokens"),
    path("profile/api-tokens/<int:pk>/revoke/", views.revoke_api_token, name="api-token-revoke"),
]

from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("dev/mail/", views.dev_mail, name="dev-mail"),
    path("dev/mail/<str:message_id>/", views.dev_mail, name="dev-mail-message"),
]

from django.urls import path

from . import manage_views, ticket_views, views

app_name = "helpdesk"

urlpatterns = [
    # The public help page and asking (views.py); a ticket's page and conversation
    # (ticket_views.py).
    path("", views.help_page, name="help"),
    path("faq/<slug:slug>/", views.faq_entry, name="faq-entry"),
    path("suggest/", views.suggest, name="suggest"),
    path("ask/", views.new_ticket, name="new"),
    path("contact/", views.contact, name="contact"),
    path("contact/sent/", views.contact_sent, name="contact-sent"),
    path("tickets/", views.my_tickets, name="mine"),
    path("tickets/<int:pk>/", ticket_views.ticket, name="ticket"),
    path("tickets/<int:pk>/reply/", ticket_views.reply, name="reply"),
    path("tickets/<int:pk>/answer/", ticket_views.answer, name="answer"),
    path("tickets/<int:pk>/change/", ticket_views.change, name="change"),
    path("tickets/<int:pk>/rate/", ticket_views.rate, name="rate"),
    path("tickets/<int:pk>/files/<int:file_pk>/", ticket_views.attachment, name="attachment"),
    path("v/<str:token>/", ticket_views.visitor_ticket, name="visitor-ticket"),
    path("v/<str:token>/reply/", ticket_views.visitor_reply, name="visitor-reply"),
    path(
        "v/<str:token>/files/<int:file_pk>/",
        ticket_views.visitor_attachment,
        name="visitor-attachment",
    ),
    # Running the helpdesk (manage_views.py).
    path("queues/", manage_views.queues, name="queues"),
    path("queues/<slug:slug>/", manage_views.queue, name="queue"),
    path("overdue/", manage_views.overdue, name="overdue"),
    path("metrics/", manage_views.metrics, name="metrics"),
    path("manage/faq/", manage_views.faq_list, name="faq-manage"),
    path("manage/faq/new/", manage_views.faq_edit, name="faq-new"),
    path("manage/faq/<int:pk>/", manage_views.faq_edit, name="faq-edit"),
    path("manage/faq/<int:pk>/delete/", manage_views.faq_delete, name="faq-delete"),
    path("manage/canned/", manage_views.canned_list, name="canned-manage"),
    path("manage/canned/new/", manage_views.canned_edit, name="canned-new"),
    path("manage/canned/<int:pk>/", manage_views.canned_edit, name="canned-edit"),
    path("manage/canned/<int:pk>/delete/", manage_views.canned_delete, name="canned-delete"),
    path("manage/absences/", manage_views.absences, name="absences"),
    path("manage/settings/", manage_views.settings_page, name="settings"),
    path("manage/queues/new/", manage_views.queue_edit, name="queue-new"),
    path("manage/queues/<int:pk>/", manage_views.queue_edit, name="queue-edit"),
    path("manage/rules/", manage_views.rules, name="rules"),
]

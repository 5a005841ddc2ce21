"""The helpdesk's admin: every page opens, FAQ entries go through the service (so the search
holds the published ones), configuration changes reach the clock, tickets change through the
service and their conversation is read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from netzerohub.core.models import AuditLog
from netzerohub.core.search.engine import search
from netzerohub.core.tests.admin_forms import admin_form_data
from netzerohub.helpdesk import clock, services
from netzerohub.helpdesk.models import (
    Attachment,
    Category,
    FaqEntry,
    Holiday,
    Message,
    Ticket,
    WorkingTime,
)

from .factories import (
    AbsenceFactory,
    CannedReplyFactory,
    FaqEntryFactory,
    QueueFactory,
    RoutingRuleFactory,
    ServiceLevelFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "queue", "routingrule", "workingtime", "holiday", "servicelevel", "absence",
    "cannedreply", "faqentry", "ticket", "message", "attachment",
]  # fmt: skip
NOTE = "An internal note in the admin"


@pytest.fixture
def ticket(helpdesk_expert, member, city):
    queue = QueueFactory(experts=[helpdesk_expert])
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    ServiceLevelFactory()
    ticket = services.open_ticket(
        actor=member, city=city, category=Category.PORTAL, subject="Login", description="Help"
    )
    services.reply_as_helpdesk(ticket, actor=helpdesk_expert, body=NOTE, note=True)
    return ticket


@pytest.fixture
def everything(ticket, helpdesk_expert):
    WorkingTime.objects.create()
    Holiday.objects.create(date=dt.date(2031, 5, 9), name="Sample holiday")
    AbsenceFactory(expert=helpdesk_expert)
    CannedReplyFactory()
    FaqEntryFactory()
    message = Message.objects.filter(ticket=ticket).first()
    Attachment.objects.create(
        message=message, file=ContentFile(b"%PDF-1.4 sample", name="a.pdf"), name="a.pdf", size=15
    )
    return ticket


def test_every_changelist_and_change_form_opens(client, superuser, everything):
    client.force_login(superuser)
    for name in MODELS:
        url = reverse(f"admin:helpdesk_{name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        first = response.context["cl"].result_list[0]
        url = reverse(f"admin:helpdesk_{name}_change", args=[first.pk])
        assert client.get(url).status_code == 200, url
    for name in ("queue", "routingrule", "holiday", "servicelevel", "cannedreply", "faqentry"):
        assert client.get(reverse(f"admin:helpdesk_{name}_add")).status_code == 200, name
    # tickets are opened on the portal; one working time only
    assert client.get(reverse("admin:helpdesk_ticket_add")).status_code == 403
    assert client.get(reverse("admin:helpdesk_workingtime_add")).status_code == 403


def test_the_ticket_shows_its_conversation_read_only(client, superuser, ticket):
    client.force_login(superuser)
    response = client.get(reverse("admin:helpdesk_ticket_change", args=[ticket.pk]))
    page = response.content.decode()
    assert NOTE in page and "Internal note" in page
    assert 'name="messages-0-body"' not in page  # not an input: read-only
    message = Message.objects.filter(ticket=ticket).first()
    url = reverse("admin:helpdesk_message_change", args=[message.pk])
    assert client.post(url, {"body": "Rewritten"}).status_code == 403


def test_a_published_faq_entry_saved_in_the_admin_is_found_by_the_search(
    client, superuser, django_capture_on_commit_callbacks
):
    """The search's cached answers are renewed when the index changes (after commit)."""
    client.force_login(superuser)
    commit = django_capture_on_commit_callbacks
    with commit(execute=True):
        response = client.post(
            reverse("admin:helpdesk_faqentry_add"),
            {
                "question": "How do I rename a zeppelin hangar?",
                "slug": "",
                "category": Category.PORTAL,
                "status": FaqEntry.Status.PUBLISHED,
                "position": 10,
                "answer": "Ask the **programme team**.",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = FaqEntry.objects.get()
    assert entry.slug == "how-do-i-rename-a-zeppelin-hangar" and entry.author == superuser
    found = search("helpdesk.faqentry", audiences=["public"], query="zeppelin")
    assert found.object_ids == [entry.pk]
    assert AuditLog.objects.filter(action="helpdesk.faq.saved", actor=superuser).exists()

    # unpublished in the admin: out of the search; deleted: out too
    url = reverse("admin:helpdesk_faqentry_change", args=[entry.pk])
    data = admin_form_data(client.get(url))
    data["status"] = FaqEntry.Status.DRAFT
    with commit(execute=True):
        assert client.post(url, data).status_code == 302
    assert search("helpdesk.faqentry", audiences=["public"], query="zeppelin").object_ids == []
    data["status"] = FaqEntry.Status.PUBLISHED
    with commit(execute=True):
        client.post(url, data)
    assert search("helpdesk.faqentry", audiences=["public"], query="zeppelin").total == 1
    delete = reverse("admin:helpdesk_faqentry_delete", args=[entry.pk])
    with commit(execute=True):
        assert client.post(delete, {"post": "yes"}).status_code == 302
    assert search("helpdesk.faqentry", audiences=["public"], query="zeppelin").total == 0


def test_a_holiday_added_or_removed_in_the_admin_reaches_the_clock(
    client, superuser, django_capture_on_commit_callbacks
):
    day = dt.date(2031, 5, 9)  # a Friday
    assert clock.calendar()._window(day) is not None  # the calendar is cached from here
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:helpdesk_holiday_add"),
            {"date": day.isoformat(), "name": "Sample holiday"},
        )
    assert response.status_code == 302
    assert clock.calendar()._window(day) is None  # not the cached calendar of before
    holiday = Holiday.objects.get()
    delete = reverse("admin:helpdesk_holiday_delete", args=[holiday.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(delete, {"post": "yes"}).status_code == 302
    assert clock.calendar()._window(day) is not None
    assert AuditLog.objects.filter(action="helpdesk.settings.changed").count() == 2


def test_working_hours_changed_in_the_admin_reach_the_clock(
    client, superuser, django_capture_on_commit_callbacks
):
    setting = WorkingTime.objects.create()
    assert clock.calendar().ends == dt.time(17)
    client.force_login(superuser)
    url = reverse("admin:helpdesk_workingtime_change", args=[setting.pk])
    data = admin_form_data(client.get(url))
    data["day_ends"] = "16:00:00"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    assert clock.calendar().ends == dt.time(16)


def test_a_ticket_changed_in_the_admin_goes_through_the_service(client, superuser, ticket):
    client.force_login(superuser)
    url = reverse("admin:helpdesk_ticket_change", args=[ticket.pk])
    data = admin_form_data(client.get(url))
    data["status"] = Ticket.Status.WAITING
    response = client.post(url, data)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING
    assert ticket.waiting_since is not None  # the clock paused: the service did it
    assert AuditLog.objects.filter(action="helpdesk.ticket.changed", actor=superuser).exists()

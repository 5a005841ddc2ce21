"""Running the helpdesk, endpoint-level: who may open each page (members 404, experts their
queues, coordinators all and the configuration), the queues and a queue's tickets with their
filters, the overdue list, the FAQ, canned replies, absences, settings, queues and routing
rules (each form's happy path and bad input), and pinned query counts that do not grow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from netzerohub.accounts.tests.factories import HelpdeskExpertFactory
from netzerohub.core.models import AuditLog, SearchDocument, Term
from netzerohub.helpdesk import clock, services
from netzerohub.helpdesk.models import (
    Absence,
    CannedReply,
    Category,
    FaqEntry,
    Holiday,
    Queue,
    RoutingRule,
    ServiceLevel,
    Ticket,
    WorkingTime,
)

from .factories import (
    AbsenceFactory,
    CannedReplyFactory,
    FaqEntryFactory,
    QueueFactory,
    RoutingRuleFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db
S = Ticket.Status
HOUR = dt.timedelta(hours=1)

HELPDESK_PAGES = [
    ("helpdesk:queues", []),
    ("helpdesk:queue", ["energy"]),
    ("helpdesk:overdue", []),
    ("helpdesk:faq-manage", []),
    ("helpdesk:faq-new", []),
    ("helpdesk:faq-edit", ["faq"]),
    ("helpdesk:faq-delete", ["faq"]),
    ("helpdesk:canned-manage", []),
    ("helpdesk:canned-new", []),
    ("helpdesk:canned-edit", ["canned"]),
    ("helpdesk:canned-delete", ["canned"]),
    ("helpdesk:absences", []),
]
CONFIGURATION_PAGES = [
    ("helpdesk:metrics", []),
    ("helpdesk:settings", []),
    ("helpdesk:queue-new", []),
    ("helpdesk:queue-edit", ["queue"]),
    ("helpdesk:rules", []),
]


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def queue(helpdesk_expert):
    return QueueFactory(name="Energy systems", slug="energy", experts=[helpdesk_expert])


@pytest.fixture
def other_queue(db):
    return QueueFactory(name="Events desk", slug="events", experts=[HelpdeskExpertFactory()])


def ticket(queue, **fields):
    # A token for each: the factory leaves it empty, and the column is unique (see the report).
    return TicketFactory(queue=queue, **fields)


def url_of(name, args, queue):
    found = []
    for arg in args:
        if arg == "faq":
            found.append(FaqEntryFactory().pk)
        elif arg == "canned":
            found.append(CannedReplyFactory().pk)
        elif arg == "queue":
            found.append(queue.pk)
        else:
            found.append(arg)
    return reverse(name, args=found)


# --- who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "args"), HELPDESK_PAGES + CONFIGURATION_PAGES)
def test_a_signed_out_visitor_is_asked_to_sign_in(client, queue, name, args):
    response = client.get(url_of(name, args, queue))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "args"), HELPDESK_PAGES + CONFIGURATION_PAGES)
@pytest.mark.parametrize("role", ["member", "lead"])
def test_a_member_gets_404_everywhere(client, request, queue, role, name, args):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url_of(name, args, queue)).status_code == 404


@pytest.mark.parametrize(("name", "args"), HELPDESK_PAGES)
def test_an_expert_opens_the_helpdesk_pages(client, helpdesk_expert, queue, name, args):
    client.force_login(helpdesk_expert)
    assert client.get(url_of(name, args, queue)).status_code == 200


@pytest.mark.parametrize(("name", "args"), CONFIGURATION_PAGES)
def test_an_expert_gets_404_on_the_configuration_pages(client, helpdesk_expert, queue, name, args):
    client.force_login(helpdesk_expert)
    assert client.get(url_of(name, args, queue)).status_code == 404


@pytest.mark.parametrize(("name", "args"), HELPDESK_PAGES + CONFIGURATION_PAGES)
def test_a_coordinator_opens_every_page(client, coordinator, queue, name, args):
    client.force_login(coordinator)
    response = client.get(url_of(name, args, queue))
    assert response.status_code == 200
    assert text(response).count("<h1") == 1


def test_an_expert_of_another_queue_gets_404_and_coordinators_see_every_queue(
    client, helpdesk_expert, coordinator, queue, other_queue
):
    client.force_login(helpdesk_expert)
    assert client.get(reverse("helpdesk:queue", args=["events"])).status_code == 404
    assert client.get(reverse("helpdesk:queue", args=["no-such-queue"])).status_code == 404
    page = text(client.get(reverse("helpdesk:queues")))
    assert "Energy systems" in page and "Events desk" not in page
    client.force_login(coordinator)
    assert client.get(reverse("helpdesk:queue", args=["events"])).status_code == 200
    assert client.get(reverse("helpdesk:queue", args=["no-such-queue"])).status_code == 404
    page = text(client.get(reverse("helpdesk:queues")))
    assert "Energy systems" in page and "Events desk" in page


def test_the_sub_navigation_shows_configuration_to_coordinators_only(
    client, helpdesk_expert, coordinator, queue
):
    client.force_login(helpdesk_expert)
    page = text(client.get(reverse("helpdesk:queues")))
    assert reverse("helpdesk:overdue") in page and reverse("helpdesk:faq-manage") in page
    assert reverse("helpdesk:metrics") not in page and reverse("helpdesk:settings") not in page
    client.force_login(coordinator)
    page = text(client.get(reverse("helpdesk:queues")))
    assert reverse("helpdesk:metrics") in page and reverse("helpdesk:rules") in page


# --- queues ------------------------------------------------------------------------------------


def test_the_queues_page_counts_the_backlog_by_status_with_overdue_and_shortcuts(
    client, helpdesk_expert, queue
):
    past = timezone.now() - HOUR
    ticket(queue, status=S.NEW)
    ticket(queue, status=S.NEW, assignee=helpdesk_expert, resolution_due=past)
    ticket(queue, status=S.OPEN, assignee=helpdesk_expert)
    ticket(queue, status=S.WAITING, resolution_due=past)  # not overdue: its clock is stopped
    ticket(queue, status=S.RESOLVED)
    ticket(queue, status=S.CLOSED)
    client.force_login(helpdesk_expert)
    response = client.get(reverse("helpdesk:queues"))
    [row] = response.context["queues"]
    assert row.counts == {
        "new": 2,
        "open": 1,
        "waiting": 1,
        "mine": 2,
        "unassigned": 2,
        "overdue": 1,
    }
    page = text(response)
    assert "?assignee=me" in page and "?assignee=unassigned" in page


def test_queue_counts_are_cached_until_a_ticket_changes(
    client, helpdesk_expert, queue, django_capture_on_commit_callbacks
):
    client.force_login(helpdesk_expert)
    found = ticket(queue, status=S.NEW)
    [row] = client.get(reverse("helpdesk:queues")).context["queues"]
    assert (row.counts["new"], row.counts["open"]) == (1, 0)
    Ticket.objects.filter(pk=found.pk).update(status=S.OPEN)  # behind the services' back
    [row] = client.get(reverse("helpdesk:queues")).context["queues"]
    assert (row.counts["new"], row.counts["open"]) == (1, 0)  # cached
    with django_capture_on_commit_callbacks(execute=True):
        services.change_ticket(found, actor=helpdesk_expert, status=S.WAITING)
    [row] = client.get(reverse("helpdesk:queues")).context["queues"]
    assert (row.counts["new"], row.counts["waiting"]) == (0, 1)  # the version moved


def subjects(response) -> list[str]:
    return [t.subject for t in response.context["tickets"]]


def test_the_queue_page_filters(client, helpdesk_expert, queue):
    now = timezone.now()
    colleague = HelpdeskExpertFactory()
    queue.experts.add(colleague)
    ticket(queue, subject="New mine", status=S.NEW, assignee=helpdesk_expert,
           resolution_due=now + 5 * HOUR)  # fmt: skip
    ticket(queue, subject="Open unassigned late", status=S.OPEN, priority="high",
           resolution_due=now - HOUR)  # fmt: skip
    ticket(queue, subject="Waiting colleague", status=S.WAITING, assignee=colleague,
           resolution_due=now + 10 * HOUR)  # fmt: skip
    ticket(queue, subject="Resolved", status=S.RESOLVED, resolved_at=now)
    ticket(queue, subject="Closed", status=S.CLOSED)
    client.force_login(helpdesk_expert)
    url = reverse("helpdesk:queue", args=[queue.slug])

    active = client.get(url)
    assert subjects(active) == ["Open unassigned late", "New mine", "Waiting colleague"]
    newest = client.get(url, {"order": "newest"})
    assert subjects(newest) == ["Waiting colleague", "Open unassigned late", "New mine"]
    assert subjects(client.get(url, {"status": "resolved"})) == ["Resolved"]
    assert subjects(client.get(url, {"status": "closed"})) == ["Closed"]
    assert subjects(client.get(url, {"assignee": "me"})) == ["New mine"]
    assert subjects(client.get(url, {"assignee": "unassigned"})) == ["Open unassigned late"]
    assert subjects(client.get(url, {"assignee": str(colleague.pk)})) == ["Waiting colleague"]
    assert subjects(client.get(url, {"priority": "high"})) == ["Open unassigned late"]
    late = client.get(url, {"overdue": "on"})
    assert subjects(late) == ["Open unassigned late"]
    assert "Overdue:" in text(late)  # in words, not by colour only
    # Nonsense filters fall back to the defaults instead of failing.
    odd = client.get(url, {"status": "nope", "assignee": "999999", "page": "x", "order": "?"})
    assert odd.status_code == 200 and len(subjects(odd)) == 3


def test_the_queue_page_shows_each_rows_facts(client, helpdesk_expert, queue, city):
    ticket(queue, subject="Heat pumps", city=city, priority="urgent", assignee=helpdesk_expert,
           first_response_due=timezone.now() - HOUR)  # fmt: skip
    client.force_login(helpdesk_expert)
    page = text(client.get(reverse("helpdesk:queue", args=[queue.slug])))
    found = Ticket.objects.get()
    for fact in (f"#{found.pk}", found.get_absolute_url(), city.name, "Urgent", "New",
                 "Hana Helpdesk", "Overdue:", "First response"):  # fmt: skip
        assert fact in page


def test_the_queue_page_is_paginated(client, helpdesk_expert, queue):
    for _n in range(30):
        ticket(queue)
    client.force_login(helpdesk_expert)
    url = reverse("helpdesk:queue", args=[queue.slug])
    first, second = client.get(url), client.get(url, {"page": 2})
    assert len(first.context["tickets"]) == 25 and len(second.context["tickets"]) == 5
    assert first.context["page"].paginator.count == 30


# --- overdue -----------------------------------------------------------------------------------


def test_the_overdue_list(client, helpdesk_expert, coordinator, queue, other_queue):
    WorkingTime.objects.create(
        work_days="0,1,2,3,4,5,6", day_starts=dt.time(0), day_ends=dt.time(23, 59), warn_hours=4
    )
    clock.settings_changed()
    now = timezone.now()
    ticket(queue, subject="Late answer", status=S.OPEN, resolution_due=now - HOUR)
    ticket(queue, subject="Late first response", status=S.NEW,
           first_response_due=now - 2 * HOUR, resolution_due=now + 20 * HOUR)  # fmt: skip
    ticket(queue, subject="Due soon", status=S.OPEN, resolution_due=now + HOUR)
    ticket(queue, subject="Due later", status=S.OPEN, resolution_due=now + 100 * HOUR)
    ticket(queue, subject="Waiting", status=S.WAITING, resolution_due=now - HOUR)
    ticket(queue, subject="Resolved", status=S.RESOLVED, resolution_due=now - HOUR,
           resolved_at=now)  # fmt: skip
    ticket(queue, subject="Answered in time", status=S.OPEN, first_response_at=now - 5 * HOUR,
           first_response_due=now - 3 * HOUR, resolution_due=now + 50 * HOUR)  # fmt: skip
    ticket(other_queue, subject="Elsewhere", status=S.OPEN, resolution_due=now - HOUR)
    client.force_login(helpdesk_expert)
    response = client.get(reverse("helpdesk:overdue"))
    assert subjects(response) == ["Late first response", "Late answer", "Due soon"]
    page = text(response)
    assert page.count("Overdue:") == 2 and page.count("Due soon:") == 1
    client.force_login(coordinator)
    assert "Elsewhere" in subjects(client.get(reverse("helpdesk:overdue")))


# --- FAQ ---------------------------------------------------------------------------------------


def test_an_expert_writes_publishes_edits_and_deletes_an_faq_entry(client, helpdesk_expert):
    client.force_login(helpdesk_expert)
    data = {
        "question": "How do I reset my password?",
        "answer": "Use **Forgot password** on the sign-in page.",
        "category": Category.PORTAL,
        "status": FaqEntry.Status.PUBLISHED,
        "position": 10,
    }
    response = client.post(reverse("helpdesk:faq-new"), data)
    assert response.status_code == 302
    entry = FaqEntry.objects.get()
    assert entry.slug == "how-do-i-reset-my-password" and entry.author == helpdesk_expert
    assert SearchDocument.objects.filter(kind="helpdesk.faqentry", object_id=entry.pk).exists()
    listing = text(client.get(reverse("helpdesk:faq-manage")))
    assert "How do I reset my password?" in listing and "Published" in listing

    data.update(status=FaqEntry.Status.DRAFT, question="How do I reset it?")
    client.post(reverse("helpdesk:faq-edit", args=[entry.pk]), data)
    entry.refresh_from_db()
    assert entry.question == "How do I reset it?" and entry.status == "draft"
    assert not SearchDocument.objects.filter(kind="helpdesk.faqentry", object_id=entry.pk).exists()

    confirm = client.get(reverse("helpdesk:faq-delete", args=[entry.pk]))
    assert "How do I reset it?" in text(confirm) and FaqEntry.objects.exists()
    client.post(reverse("helpdesk:faq-delete", args=[entry.pk]))
    assert not FaqEntry.objects.exists()
    assert AuditLog.objects.filter(action="helpdesk.faq.deleted").exists()


def test_a_bad_faq_entry_is_refused_with_what_was_typed_kept(client, helpdesk_expert):
    client.force_login(helpdesk_expert)
    response = client.post(
        reverse("helpdesk:faq-new"),
        {"question": "", "answer": "An answer I typed", "category": "nonsense", "position": 1},
    )
    assert response.status_code == 200 and not FaqEntry.objects.exists()
    page = text(response)
    assert "An answer I typed" in page and "This field is required." in page
    assert client.get(reverse("helpdesk:faq-edit", args=[999999])).status_code == 404


# --- canned replies ----------------------------------------------------------------------------


def test_canned_replies_are_created_edited_and_deleted_through_the_services(
    client, helpdesk_expert, queue
):
    client.force_login(helpdesk_expert)
    response = client.post(
        reverse("helpdesk:canned-new"),
        {"title": "Password reset", "body": "Use *Forgot password*.", "queue": queue.pk},
    )
    assert response.status_code == 302
    reply = CannedReply.objects.get()
    assert (reply.queue, reply.created_by) == (queue, helpdesk_expert)
    client.post(
        reverse("helpdesk:canned-edit", args=[reply.pk]),
        {"title": "Password reset (all)", "body": "Same.", "queue": ""},
    )
    reply.refresh_from_db()
    assert reply.title == "Password reset (all)" and reply.queue is None
    assert "Every queue" in text(client.get(reverse("helpdesk:canned-manage")))
    client.post(reverse("helpdesk:canned-delete", args=[reply.pk]))
    assert not CannedReply.objects.exists()
    assert (
        AuditLog.objects.filter(
            action="helpdesk.settings.changed", data__what="canned reply"
        ).count()
        == 3
    )


def test_a_bad_canned_reply_keeps_what_was_typed(client, helpdesk_expert):
    client.force_login(helpdesk_expert)
    response = client.post(
        reverse("helpdesk:canned-new"), {"title": "", "body": "Kept text", "queue": "999999"}
    )
    assert response.status_code == 200 and not CannedReply.objects.exists()
    assert "Kept text" in text(response)


# --- absences ----------------------------------------------------------------------------------


def test_an_expert_declares_lists_and_deletes_their_absences(client, helpdesk_expert):
    today = timezone.localdate()
    colleague = AbsenceFactory(starts_on=today, ends_on=today + dt.timedelta(days=1))
    AbsenceFactory(expert=helpdesk_expert, starts_on=today - dt.timedelta(days=9),
                   ends_on=today - dt.timedelta(days=8), note="Past leave")  # fmt: skip
    client.force_login(helpdesk_expert)
    response = client.post(
        reverse("helpdesk:absences"),
        {
            "starts_on": str(today + dt.timedelta(days=3)),
            "ends_on": str(today + dt.timedelta(days=5)),
            "note": "Annual leave",
        },
    )
    assert response.status_code == 302
    mine = Absence.objects.get(note="Annual leave")
    assert mine.expert == helpdesk_expert
    page = client.get(reverse("helpdesk:absences"))
    assert list(page.context["absences"]) == [mine]  # not the past one, not a colleague's
    assert client.post(reverse("helpdesk:absences"), {"delete": colleague.pk}).status_code == 404
    client.post(reverse("helpdesk:absences"), {"delete": mine.pk})
    assert not Absence.objects.filter(pk=mine.pk).exists()
    assert Absence.objects.filter(pk=colleague.pk).exists()


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        (3, 1, "The last day cannot be before the first day."),
        (-1, 2, "The first day cannot be in the past."),
    ],
)
def test_a_bad_absence_is_refused(client, helpdesk_expert, starts, ends, message):
    today = timezone.localdate()
    client.force_login(helpdesk_expert)
    response = client.post(
        reverse("helpdesk:absences"),
        {
            "starts_on": str(today + dt.timedelta(days=starts)),
            "ends_on": str(today + dt.timedelta(days=ends)),
            "note": "Typed note",
        },
    )
    assert response.status_code == 200 and not Absence.objects.exists()
    page = text(response)
    assert message in page and "Typed note" in page


def test_a_coordinator_manages_everyones_absences(client, coordinator, helpdesk_expert):
    today = timezone.localdate()
    other = AbsenceFactory(starts_on=today, ends_on=today)
    client.force_login(coordinator)
    client.post(
        reverse("helpdesk:absences"),
        {"expert": helpdesk_expert.pk, "starts_on": str(today), "ends_on": str(today)},
    )
    assert Absence.objects.filter(expert=helpdesk_expert).exists()
    page = client.get(reverse("helpdesk:absences"))
    assert other in page.context["absences"] and "Hana Helpdesk" in text(page)
    client.post(reverse("helpdesk:absences"), {"delete": other.pk})
    assert not Absence.objects.filter(pk=other.pk).exists()


# --- settings ----------------------------------------------------------------------------------


def working_data(**changes):
    data = {
        "part": "working",
        "time_zone": "Europe/Lisbon",
        "days": ["0", "1", "2", "3"],
        "day_starts": "08:00",
        "day_ends": "16:30",
        "warn_hours": "6",
        "auto_close_days": "10",
    }
    data.update(changes)
    return data


def test_a_coordinator_sets_the_working_time_and_the_clock_follows(
    client, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    assert clock.calendar().zone.key == "Europe/Brussels"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("helpdesk:settings"), working_data())
    assert response.status_code == 302
    setting = WorkingTime.objects.get()
    assert (setting.time_zone, setting.work_days, setting.warn_hours) == (
        "Europe/Lisbon",
        "0,1,2,3",
        6,
    )
    assert clock.calendar().zone.key == "Europe/Lisbon"  # settings_changed was called
    assert clock.calendar().days == frozenset({0, 1, 2, 3})
    assert "a working day is 8.5 hours" in text(client.get(reverse("helpdesk:settings")))
    client.post(reverse("helpdesk:settings"), working_data(warn_hours="2"))
    assert WorkingTime.objects.count() == 1 and WorkingTime.objects.get().warn_hours == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"day_ends": "07:00"}, "The working day must end after it starts."),
        ({"days": []}, "This field is required."),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice."),
    ],
)
def test_bad_working_time_is_refused(client, coordinator, changes, message):
    client.force_login(coordinator)
    response = client.post(reverse("helpdesk:settings"), working_data(**changes))
    assert response.status_code == 200 and not WorkingTime.objects.exists()
    assert message in text(response)


def level_data(**values):
    data = {"part": "levels"}
    for priority in ("low", "normal", "high", "urgent"):
        first, resolution = values.get(priority, ("", ""))
        data[f"level-{priority}-first_response_hours"] = first
        data[f"level-{priority}-resolution_hours"] = resolution
    return data


def test_a_coordinator_sets_service_levels(client, coordinator):
    ServiceLevel.objects.create(priority="low", first_response_hours=40, resolution_hours=80)
    client.force_login(coordinator)
    response = client.post(
        reverse("helpdesk:settings"), level_data(normal=("16", "40"), urgent=("2", "8"))
    )
    assert response.status_code == 302
    assert {
        (lv.priority, lv.first_response_hours, lv.resolution_hours)
        for lv in ServiceLevel.objects.all()
    } == {("normal", 16, 40), ("urgent", 2, 8)}  # low emptied: removed


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"normal": ("16", "")}, "Give both targets for Normal, or neither."),
        ({"high": ("10", "5")}, "Resolution cannot be due before the first response."),
        ({"low": ("0", "5")}, "greater than or equal to 1"),
    ],
)
def test_bad_service_levels_are_refused(client, coordinator, values, message):
    client.force_login(coordinator)
    response = client.post(reverse("helpdesk:settings"), level_data(**values))
    assert response.status_code == 200 and not ServiceLevel.objects.exists()
    assert message in text(response)


def test_a_coordinator_adds_and_removes_holidays(
    client, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    day = timezone.localdate() + dt.timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("helpdesk:settings"),
            {"part": "holiday", "date": str(day), "name": "Sample day"},
        )
    holiday = Holiday.objects.get()
    assert day in clock.calendar().holidays
    again = client.post(
        reverse("helpdesk:settings"), {"part": "holiday", "date": str(day), "name": "Twice"}
    )
    assert again.status_code == 200 and "already exists" in text(again)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("helpdesk:settings"), {"part": "holiday-remove", "holiday": holiday.pk})
    assert not Holiday.objects.exists() and day not in clock.calendar().holidays


# --- queues and routing ------------------------------------------------------------------------


def test_a_coordinator_creates_and_edits_a_queue_with_its_experts(
    client, coordinator, helpdesk_expert
):
    client.force_login(coordinator)
    data = {
        "name": "Mobility",
        "slug": "mobility",
        "description": "Transport questions",
        "experts": [helpdesk_expert.pk],
        "auto_assign": "on",
        "is_default": "on",
        "is_active": "on",
    }
    response = client.post(reverse("helpdesk:queue-new"), data)
    found = Queue.objects.get()
    assert response["Location"] == reverse("helpdesk:queue-edit", args=[found.pk])
    assert list(found.experts.all()) == [helpdesk_expert] and found.is_default
    data.update(experts=[coordinator.pk], is_default="")
    client.post(reverse("helpdesk:queue-edit", args=[found.pk]), data)
    found.refresh_from_db()
    assert list(found.experts.all()) == [coordinator] and not found.is_default


def test_a_second_default_queue_is_refused_with_a_clear_message(client, coordinator):
    QueueFactory(name="General", is_default=True)
    client.force_login(coordinator)
    response = client.post(
        reverse("helpdesk:queue-new"),
        {"name": "Other", "slug": "other", "is_default": "on", "is_active": "on"},
    )
    assert response.status_code == 200 and Queue.objects.count() == 1
    assert "“General” is the default queue" in text(response)
    assert 'value="Other"' in text(response)


def test_a_bad_queue_slug_is_refused(client, coordinator, queue):
    client.force_login(coordinator)
    response = client.post(reverse("helpdesk:queue-new"), {"name": "X", "slug": "energy"})
    assert response.status_code == 200 and Queue.objects.count() == 1
    assert "already exists" in text(response)
    assert client.get(reverse("helpdesk:queue-edit", args=[999999])).status_code == 404


def test_the_routing_table_saves_rules_and_shows_where_tickets_go(client, coordinator, queue):
    general = QueueFactory(name="General desk", is_default=True)
    energy = Term.objects.fields().get(slug="energy-systems")
    client.force_login(coordinator)
    page = client.get(reverse("helpdesk:rules"))
    rows = {route.key: route for route in page.context["table"]}
    assert (
        len(rows)
        == len(Category.choices) + Term.objects.filter(kind__in=["field", "lever"]).count()
    )
    assert all(route.now == general for route in rows.values())

    data = dict.fromkeys(rows, "")
    data[Category.EXPERT] = str(general.pk)
    data[f"{Category.EXPERT}-{energy.pk}"] = str(queue.pk)
    data[Category.EVENTS] = str(queue.pk)
    assert client.post(reverse("helpdesk:rules"), data).status_code == 302
    assert services.route(Category.EXPERT, energy.pk) == queue
    assert services.route(Category.EVENTS, None) == queue
    rows = {r.key: r for r in client.get(reverse("helpdesk:rules")).context["table"]}
    assert rows[f"{Category.EXPERT}-{energy.pk}"].now == queue
    assert rows[Category.EVENTS].now == queue

    data[Category.EVENTS] = ""  # removed: back to the default queue
    client.post(reverse("helpdesk:rules"), data)
    assert RoutingRule.objects.count() == 2
    assert services.route(Category.EVENTS, None) == general


def test_an_unknown_queue_in_the_routing_table_is_refused(client, coordinator, queue):
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    client.force_login(coordinator)
    response = client.post(reverse("helpdesk:rules"), {Category.PORTAL: "999999"})
    assert response.status_code == 200 and "Select a valid choice" in text(response)
    assert RoutingRule.objects.get().queue == queue


# --- query counts ------------------------------------------------------------------------------
# The user, the staff MFA check and its session save (savepoint, update, release), the unread
# notifications of the header; then the page's own: queues — the queues, the grouped counts and
# the overdue counts; a queue — the queue, the person's queues, its experts, the count, the
# rows; overdue — the working time (cached afterwards), the calendar (working time and
# holidays, cached afterwards), the person's queues, the count, the rows. Cold caches all.
QUERIES = {"queues": 10, "queue": 11, "overdue": 12}


def many_tickets(queue, expert, size):
    now = timezone.now()
    for n in range(size):
        ticket(
            queue,
            status=(S.NEW, S.OPEN, S.WAITING)[n % 3],
            assignee=expert if n % 2 else None,
            city=None,
            first_response_due=now - HOUR,
            resolution_due=now + (n - 5) * HOUR,
        )


@pytest.mark.parametrize("size", [2, 30])
@pytest.mark.parametrize("page", ["queues", "queue", "overdue"])
def test_query_counts_do_not_grow(
    client, helpdesk_expert, queue, city, size, page, django_assert_num_queries
):
    many_tickets(queue, helpdesk_expert, size)
    for found in Ticket.objects.all()[::2]:
        found.city = city
        found.save()
    client.force_login(helpdesk_expert)
    args = [queue.slug] if page == "queue" else []
    with django_assert_num_queries(QUERIES[page]):
        response = client.get(reverse(f"helpdesk:{page}", args=args))
    assert response.status_code == 200

"""A ticket's page and its conversation, for the city side and the helpdesk side, and the
visitor's private page: reading, replying, answering, notes, canned replies, changes, rating,
files, and the query counts of the pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from netzerohub.accounts.tests.factories import HelpdeskExpertFactory, add_totp
from netzerohub.assessment.tests.factories import default_questionnaire, submitted
from netzerohub.cities.tests.factories import LeadFactory, MembershipFactory
from netzerohub.exchanges.tests.factories import ApplicationFactory
from netzerohub.helpdesk import services
from netzerohub.helpdesk.models import Attachment, Category, Message, Priority, Ticket
from netzerohub.learning.models import Enrolment
from netzerohub.learning.tests.factories import PathwayFactory

from .factories import (
    CannedReplyFactory,
    QueueFactory,
    RoutingRuleFactory,
    ServiceLevelFactory,
)

pytestmark = pytest.mark.django_db
S = Ticket.Status

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def upload(name: str = "plan.pdf", content: bytes = TINY_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def url(name: str, *args) -> str:
    return reverse(f"helpdesk:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def expert() -> object:
    person = HelpdeskExpertFactory()
    add_totp(person)
    return person


@pytest.fixture
def queue(helpdesk_expert):
    found = QueueFactory(name="Portal questions", experts=[helpdesk_expert])
    RoutingRuleFactory(category=Category.PORTAL, queue=found)
    ServiceLevelFactory()
    return found


@pytest.fixture
def ticket(queue, member, city):
    return services.open_ticket(
        actor=member,
        city=city,
        category=Category.PORTAL,
        subject="Cannot upload the inventory",
        description="The **upload** fails with an error.",
    )


@pytest.fixture
def other_expert(db):
    """An expert of another queue."""
    person = expert()
    QueueFactory(name="Events", experts=[person])
    return person


def assess(city) -> None:
    """A submitted self-assessment of `city` (the default questionnaire)."""
    default_questionnaire()
    submitted(city, LeadFactory(city=city).user)


def another_ticket(asker, city, subject: str = "Another question") -> Ticket:
    return services.open_ticket(
        actor=asker, city=city, category=Category.PORTAL, subject=subject, description="x"
    )


def note(found: Ticket, author, body: str = "Internal: the city's file is broken.") -> Message:
    return services.reply_as_helpdesk(found, actor=author, body=body, note=True)


# --- reading --------------------------------------------------------------------------------


def test_the_asker_reads_the_header_and_the_public_conversation_without_notes(
    client, ticket, member, helpdesk_expert
):
    note(ticket, helpdesk_expert, "SECRET-NOTE-1")
    services.reply_as_helpdesk(ticket, actor=helpdesk_expert, body="Try *again*", status=S.WAITING)
    client.force_login(member)
    response = client.get(ticket.get_absolute_url())
    page = text(response)
    assert response.status_code == 200
    assert f"#{ticket.pk} Cannot upload the inventory" in page
    assert "Waiting for the city" in page and "Using the portal" in page
    assert ticket.city.name in page and "Normal" in page
    assert "<strong>upload</strong>" in page and "<em>again</em>" in page
    assert "SECRET-NOTE-1" not in page and "Internal note" not in page
    assert "Helpdesk · Hana" in page and "Hana Helpdesk" not in page
    assert "Portal questions" not in page  # the queue is the helpdesk's business
    assert "Replying opens the ticket again." in page
    assert response["Cache-Control"] == "private, no-store"


def test_the_conversation_query_of_the_city_side_holds_no_notes(ticket, member, rf):
    """Notes are left out by the query, not by the template."""
    from netzerohub.helpdesk.ticket_views import _conversation

    note(ticket, ticket.assignee)
    request = rf.get("/")
    request.user = member
    page = _conversation(request, ticket, helpdesk=False)
    assert all(m.kind == Message.Kind.REPLY for m in page.object_list)
    assert len(_conversation(request, ticket, helpdesk=True).object_list) == 2


def test_the_expert_reads_notes_queue_assignee_due_times_and_the_city_context(
    client, ticket, helpdesk_expert, city, member
):
    note(ticket, helpdesk_expert, "SECRET-NOTE-2")
    client.force_login(helpdesk_expert)
    page = text(client.get(ticket.get_absolute_url()))
    assert "SECRET-NOTE-2" in page
    assert "Internal note — the city does not see this" in page
    assert "Portal questions" in page and "Hana Helpdesk" in page
    assert "First response due" in page and "Resolution due" in page
    assert f"About {city.name}" in page and "Mission City" in page
    assert "Mia Member" in page


def test_due_times_are_marked_overdue_and_due_soon(client, ticket, helpdesk_expert):
    from django.utils import timezone

    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due=now - timezone.timedelta(hours=1),
        resolution_due=now + timezone.timedelta(minutes=30),
    )
    client.force_login(helpdesk_expert)
    page = text(client.get(ticket.get_absolute_url()))
    assert re.search(r"First response due.*?overdue", page, re.S)
    assert "due soon" in page


def test_a_lead_of_the_city_reads_the_ticket_and_the_other_side_gets_404(
    client, ticket, lead, other_lead, other_expert, outsider, city
):
    client.force_login(lead)
    assert client.get(ticket.get_absolute_url()).status_code == 200
    neighbour = MembershipFactory(city=city).user  # same city, not the asker, not a lead
    for person in (other_lead, other_expert, outsider, neighbour):
        client.force_login(person)
        assert client.get(ticket.get_absolute_url()).status_code == 404
    assert client.get(url("ticket", 999_999)).status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, ticket):
    response = client.get(ticket.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the city side replies ------------------------------------------------------------------


def test_the_asker_replies_with_a_file_and_the_expert_is_told(
    client, ticket, member, helpdesk_expert
):
    client.force_login(member)
    response = client.post(
        url("reply", ticket.pk), {"body": "Here is the file", "files": [upload()]}, follow=True
    )
    assert "Your reply is sent to the helpdesk." in flashes(response)
    message = Message.objects.filter(ticket=ticket).latest("pk")
    assert message.from_city and message.author == member
    assert message.attachments.get().name == "plan.pdf"
    assert "plan.pdf" in text(response)


def test_a_reply_to_a_waiting_ticket_reopens_it_and_says_so(
    client, ticket, member, helpdesk_expert
):
    services.reply_as_helpdesk(ticket, actor=helpdesk_expert, body="Which file?", status=S.WAITING)
    client.force_login(member)
    response = client.post(url("reply", ticket.pk), {"body": "This one"}, follow=True)
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN
    assert any("open again" in m for m in flashes(response))


def test_a_lead_replies_and_a_resolved_ticket_reopens(client, ticket, lead, helpdesk_expert):
    services.reply_as_helpdesk(ticket, actor=helpdesk_expert, body="Done", status=S.RESOLVED)
    client.force_login(lead)
    client.post(url("reply", ticket.pk), {"body": "Not quite"})
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN
    assert Message.objects.filter(ticket=ticket, author=lead, from_city=True).exists()


def test_a_closed_ticket_shows_no_form_but_a_follow_up_link_and_a_replayed_post_explains(
    client, ticket, member
):
    Ticket.objects.filter(pk=ticket.pk).update(status=S.CLOSED)
    client.force_login(member)
    page = text(client.get(ticket.get_absolute_url()))
    assert "This ticket is closed." in page
    assert f"{url('new')}?follow_up={ticket.pk}" in page
    assert 'action="' + url("reply", ticket.pk) not in page
    before = Message.objects.count()
    response = client.post(url("reply", ticket.pk), {"body": "One more thing"})
    assert response.status_code == 200
    assert any("closed" in m for m in flashes(response))
    assert "One more thing" in text(response)  # given back
    assert Message.objects.count() == before


def test_a_reply_closed_meanwhile_is_explained_not_a_500(client, ticket, member, monkeypatch):
    client.force_login(member)

    def closed(*args, **kwargs):
        raise services.HelpdeskError("This ticket is closed and takes no more replies.")

    monkeypatch.setattr(services, "reply_as_city", closed)
    response = client.post(url("reply", ticket.pk), {"body": "Typed text"})
    assert response.status_code == 200
    assert "This ticket is closed and takes no more replies." in flashes(response)
    assert "Typed text" in text(response)


@pytest.mark.parametrize(
    "data, error",
    [
        ({"body": "  "}, "Write something before sending."),
        ({"body": "x" * 20_001}, "at most 20000"),
        ({"body": "See", "files": [upload("virus.pdf", EXE)]}, "virus.pdf"),
        ({"body": "See", "files": [upload(f"f{n}.pdf") for n in range(6)]}, "at most 5 files"),
    ],
)
def test_a_bad_reply_keeps_the_text_and_says_why(client, ticket, member, data, error):
    client.force_login(member)
    response = client.post(url("reply", ticket.pk), data)
    assert response.status_code == 200
    page = text(response)
    assert error.replace("20000", "20,000") in page or error in page
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert ("Files must be chosen again" in page) == ("files" in data)
    if data["body"].strip() and len(data["body"]) < 100:
        assert data["body"] in page


def test_nobody_else_can_reply(client, ticket, other_lead, other_expert, helpdesk_expert):
    for person in (other_lead, other_expert):
        client.force_login(person)
        assert client.post(url("reply", ticket.pk), {"body": "Hi"}).status_code == 404
    client.force_login(helpdesk_expert)  # the helpdesk answers through its own form
    assert client.post(url("reply", ticket.pk), {"body": "Hi"}).status_code == 404
    assert Message.objects.filter(ticket=ticket).count() == 1


# --- rating ---------------------------------------------------------------------------------


@pytest.fixture
def resolved(ticket, helpdesk_expert):
    services.reply_as_helpdesk(ticket, actor=helpdesk_expert, body="Fixed", status=S.RESOLVED)
    ticket.refresh_from_db()
    return ticket


def test_the_asker_rates_once(client, resolved, member):
    client.force_login(member)
    page = text(client.get(resolved.get_absolute_url()))
    assert "<fieldset" in page and "How well was your question answered?" in page
    assert 'type="radio" name="rating" value="5"' in page
    response = client.post(
        url("rate", resolved.pk), {"rating": "4", "comment": "Quick"}, follow=True
    )
    resolved.refresh_from_db()
    assert (resolved.rating, resolved.rating_comment) == (4, "Quick")
    assert "Thank you for rating the answer." in flashes(response)
    assert "How well was your question answered?" not in text(response)
    again = client.post(url("rate", resolved.pk), {"rating": "1"}, follow=True)
    assert "You have already rated this ticket. Thank you!" in flashes(again)
    resolved.refresh_from_db()
    assert resolved.rating == 4


def test_a_lead_may_not_rate_only_the_asker(client, resolved, lead):
    client.force_login(lead)
    assert "How well was your question answered?" not in text(
        client.get(resolved.get_absolute_url())
    )
    response = client.post(url("rate", resolved.pk), {"rating": "5"}, follow=True)
    assert "Only the person who asked can rate the answer." in flashes(response)
    resolved.refresh_from_db()
    assert resolved.rating is None


@pytest.mark.parametrize("value", ["", "0", "6", "five"])
def test_an_invalid_rating_says_why(client, resolved, member, value):
    client.force_login(member)
    response = client.post(url("rate", resolved.pk), {"rating": value, "comment": "Kept"})
    assert response.status_code == 200
    assert "Choose a rating from 1 to 5." in text(response)
    assert "Kept" in text(response)
    resolved.refresh_from_db()
    assert resolved.rating is None


def test_an_open_ticket_cannot_be_rated_yet(client, ticket, member):
    client.force_login(member)
    response = client.post(url("rate", ticket.pk), {"rating": "5"}, follow=True)
    assert "You can rate the answer once the ticket is resolved." in flashes(response)


# --- the helpdesk side answers --------------------------------------------------------------


def test_the_expert_answers_with_a_note_then_a_reply_that_resolves(
    client, ticket, helpdesk_expert, member
):
    client.force_login(helpdesk_expert)
    response = client.post(
        url("answer", ticket.pk),
        {"kind": "note", "body": "Check the server log", "status": S.RESOLVED},
        follow=True,
    )
    assert "Your internal note is saved. The city does not see it." in flashes(response)
    ticket.refresh_from_db()
    assert ticket.status == S.NEW  # a note changes nothing
    response = client.post(
        url("answer", ticket.pk),
        {"kind": "reply", "body": "Fixed now", "status": S.RESOLVED},
        follow=True,
    )
    assert "Your reply is sent and the ticket is resolved." in flashes(response)
    ticket.refresh_from_db()
    assert ticket.status == S.RESOLVED and ticket.first_response_at is not None
    kinds = list(Message.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["reply", "note", "reply"]


@pytest.mark.parametrize(
    "data, error",
    [
        ({"kind": "reply", "body": ""}, "Write something before sending."),
        ({"kind": "shout", "body": "Hi"}, "Select a valid choice"),
        ({"kind": "reply", "body": "Hi", "status": "closed"}, "Select a valid choice"),
    ],
)
def test_a_bad_answer_keeps_the_text(client, ticket, helpdesk_expert, data, error):
    client.force_login(helpdesk_expert)
    response = client.post(url("answer", ticket.pk), data)
    assert response.status_code == 200 and error in text(response)
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_a_reply_to_a_closed_ticket_is_refused_but_a_note_is_taken(client, ticket, helpdesk_expert):
    Ticket.objects.filter(pk=ticket.pk).update(status=S.CLOSED)
    client.force_login(helpdesk_expert)
    response = client.post(url("answer", ticket.pk), {"kind": "reply", "body": "Late"})
    assert response.status_code == 200
    assert "the city can no longer read replies here" in text(response)
    assert "Late" in text(response)
    client.post(url("answer", ticket.pk), {"kind": "note", "body": "For the record"})
    assert Message.objects.filter(ticket=ticket, kind="note").count() == 1


def test_the_city_side_and_other_experts_cannot_answer(client, ticket, member, lead, other_expert):
    for person in (member, lead, other_expert):
        client.force_login(person)
        response = client.post(url("answer", ticket.pk), {"kind": "note", "body": "x"})
        assert response.status_code == 404
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_a_canned_reply_fills_the_textarea_without_sending(client, ticket, helpdesk_expert, queue):
    mine = CannedReplyFactory(
        title="Upload limits", body="Files may be at most 10 MB.", queue=queue
    )
    everywhere = CannedReplyFactory(title="Thanks", body="Thank you for asking.")
    elsewhere = CannedReplyFactory(title="Event help", queue=QueueFactory())
    client.force_login(helpdesk_expert)
    page = text(client.get(ticket.get_absolute_url()))
    assert "Upload limits" in page and "Thanks" in page and "Event help" not in page
    response = client.post(
        url("answer", ticket.pk),
        {"insert": "1", "canned": str(mine.pk), "body": "Hello,", "kind": "reply"},
    )
    assert response.status_code == 200
    textarea = re.search(r"<textarea[^>]*name=\"body\"[^>]*>(.*?)</textarea>", text(response), re.S)
    assert textarea and textarea.group(1).strip() == "Hello,\n\nFiles may be at most 10 MB."
    assert Message.objects.filter(ticket=ticket).count() == 1
    response = client.post(url("answer", ticket.pk), {"insert": "1", "canned": str(everywhere.pk)})
    assert "Thank you for asking." in text(response)
    response = client.post(url("answer", ticket.pk), {"insert": "1", "canned": str(elsewhere.pk)})
    assert "Choose a canned reply to insert." in flashes(response)


# --- changes --------------------------------------------------------------------------------


def test_take_assigns_the_ticket_to_me(client, ticket, queue, coordinator):
    other = expert()
    queue.experts.add(other)
    client.force_login(other)
    response = client.post(url("change", ticket.pk), {"take": "1"}, follow=True)
    assert "The ticket is assigned to you." in flashes(response)
    ticket.refresh_from_db()
    assert ticket.assignee == other


def test_change_status_priority_and_assignee(client, ticket, queue, helpdesk_expert):
    other = expert()
    queue.experts.add(other)
    client.force_login(helpdesk_expert)
    # A new ticket's status is offered as it is (a change cannot set it): kept, not refused.
    keep = {
        "status": S.NEW,
        "priority": Priority.LOW,
        "queue": queue.pk,
        "assignee": helpdesk_expert.pk,
    }
    response = client.post(url("change", ticket.pk), keep, follow=True)
    assert "The ticket is updated." in flashes(response)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == (S.NEW, "low")
    data = {"status": S.WAITING, "priority": Priority.HIGH, "queue": queue.pk, "assignee": other.pk}
    response = client.post(url("change", ticket.pk), data, follow=True)
    assert "The ticket is updated." in flashes(response)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == (S.WAITING, "high", other)
    client.post(url("change", ticket.pk), {**data, "assignee": ""})
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_moving_to_another_queue_assigns_there_and_leaves_the_page(
    client, ticket, helpdesk_expert, other_expert
):
    events = other_expert.helpdesk_queues.get()
    client.force_login(helpdesk_expert)
    data = {
        "status": ticket.status,
        "priority": ticket.priority,
        "queue": events.pk,
        "assignee": helpdesk_expert.pk,
    }
    response = client.post(url("change", ticket.pk), data)
    ticket.refresh_from_db()
    assert ticket.queue == events and ticket.assignee == other_expert
    assert response["Location"] == url("queues")


def test_a_bad_change_says_why_and_an_outsider_gets_404(client, ticket, helpdesk_expert, member):
    client.force_login(helpdesk_expert)
    response = client.post(url("change", ticket.pk), {"status": "bogus", "priority": "low"})
    assert response.status_code == 200 and "Select a valid choice" in text(response)
    stranger = expert()
    response = client.post(
        url("change", ticket.pk), {"status": S.OPEN, "priority": "low", "assignee": stranger.pk}
    )
    assert "Select a valid choice" in text(response)
    client.force_login(member)
    assert client.post(url("change", ticket.pk), {"take": "1"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


# --- files ----------------------------------------------------------------------------------


def test_files_download_as_attachments_and_a_notes_file_is_the_helpdesks_only(
    client, ticket, member, helpdesk_expert, other_lead
):
    public = services.reply_as_helpdesk(
        ticket, actor=helpdesk_expert, body="See the guide", files=[upload("guide.pdf")]
    ).attachments.get()
    private = services.reply_as_helpdesk(
        ticket, actor=helpdesk_expert, body="Log", note=True, files=[upload("log.pdf")]
    ).attachments.get()
    client.force_login(member)
    response = client.get(url("attachment", ticket.pk, public.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == TINY_PDF
    assert client.get(url("attachment", ticket.pk, private.pk)).status_code == 404
    client.force_login(helpdesk_expert)
    assert client.get(url("attachment", ticket.pk, private.pk)).status_code == 200
    client.force_login(other_lead)
    assert client.get(url("attachment", ticket.pk, public.pk)).status_code == 404


def test_a_file_of_another_ticket_is_not_served_through_this_one(client, ticket, member, queue):
    elsewhere = services.open_visitor_ticket(
        name="V",
        email="v@example.org",
        category=Category.PORTAL,
        subject="x",
        description="y",
        files=[upload("theirs.pdf")],
    )
    theirs = Attachment.objects.get(message__ticket=elsewhere)
    client.force_login(member)
    assert client.get(url("attachment", ticket.pk, theirs.pk)).status_code == 404


# --- the context panel ----------------------------------------------------------------------


def test_the_context_panel_shows_readiness_pathways_applications_and_past_tickets(
    client, ticket, helpdesk_expert, city, member
):
    assess(city)
    pathway = PathwayFactory(title="Mobility basics", status="published")
    Enrolment.objects.create(user=member, pathway=pathway)
    application = ApplicationFactory(city=city, status="submitted")
    earlier = another_ticket(member, city, subject="Earlier question")
    client.force_login(helpdesk_expert)
    page = text(client.get(ticket.get_absolute_url()))
    assert "Stage:" in page
    assert "Mobility basics" in page and "(1 person)" in page
    assert application.call.title in page and "Submitted" in page
    assert f"#{earlier.pk} Earlier question" in page
    past = page.split("other tickets</h3>")[1].split("</ul>")[0]
    assert f"#{earlier.pk}" in past and f"#{ticket.pk} " not in past


def test_a_visitors_ticket_shows_the_address_and_its_other_tickets(client, queue, coordinator):
    first = services.open_visitor_ticket(
        name="Vera",
        email="vera@example.org",
        category=Category.PORTAL,
        subject="First",
        description="One",
    )
    second = services.open_visitor_ticket(
        name="Vera",
        email="Vera@example.org",
        category=Category.PORTAL,
        subject="Second",
        description="Two",
    )
    services.confirm_visitor_ticket(first)
    services.confirm_visitor_ticket(second)
    client.force_login(coordinator)
    page = text(client.get(second.get_absolute_url()))
    assert "Vera@example.org" in page
    assert f"#{first.pk} First" in page


# --- query counts ---------------------------------------------------------------------------

# Cold cache (the first view). The expert's include the self-assessment's questionnaire and the
# assignee choices (the queue's experts, then the people).
TICKET_QUERIES = {"member": 7, "lead": 8, "expert": 25}


@pytest.mark.parametrize("who", ["member", "lead", "expert"])
def test_ticket_page_query_count_does_not_grow_with_messages_files_or_context(
    client, ticket, member, lead, helpdesk_expert, city, queue, who, django_assert_num_queries
):
    viewer = {"member": member, "lead": lead, "expert": helpdesk_expert}[who]
    client.force_login(viewer)
    client.get(ticket.get_absolute_url())  # the staff MFA check stores its answer in the session
    assess(city)
    for count in (2, 30):
        for n in range(count):
            services.reply_as_helpdesk(
                ticket, actor=helpdesk_expert, body=f"Reply {n}", files=[upload(f"r{n}.pdf")]
            )
            note(ticket, helpdesk_expert, f"Note {n}")
            services.reply_as_city(ticket, actor=member, body=f"Answer {n}", files=[upload()])
            CannedReplyFactory(queue=queue)
            colleague = expert()
            queue.experts.add(colleague)
            pathway = PathwayFactory(status="published")
            Enrolment.objects.create(user=member, pathway=pathway)
            ApplicationFactory(city=city)
            another_ticket(member, city)
        ticket.refresh_from_db()
        cache.clear()
        with django_assert_num_queries(TICKET_QUERIES[who]):
            response = client.get(ticket.get_absolute_url())
        assert response.status_code == 200
    mail.outbox.clear()


# --- the visitor's page ---------------------------------------------------------------------


@pytest.fixture
def visitor_ticket(queue):
    return services.open_visitor_ticket(
        name="Vera Visitor",
        email="vera@example.org",
        category=Category.PORTAL,
        subject="How do cities join?",
        description="We are a *small* town.",
    )


def test_the_visitor_confirms_then_reads_public_replies_and_replies(
    client, visitor_ticket, helpdesk_expert
):
    link = visitor_ticket.get_visitor_url()
    response = client.get(link)
    page = text(response)
    assert "Confirm and send my question" in page and "<em>small</em>" in page
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Cache-Control"] == "private, no-store"
    response = client.post(link, follow=True)
    assert any("sent to the helpdesk" in m for m in flashes(response))
    visitor_ticket.refresh_from_db()
    assert visitor_ticket.status == S.NEW and visitor_ticket.assignee == helpdesk_expert
    note(visitor_ticket, helpdesk_expert, "SECRET-NOTE-3")
    services.reply_as_helpdesk(visitor_ticket, actor=helpdesk_expert, body="Welcome!")
    page = text(client.get(link))
    assert "Welcome!" in page and "SECRET-NOTE-3" not in page
    assert "Confirm and send my question" not in page
    response = client.post(url("visitor-reply", visitor_ticket.access_token), {"body": "Thanks"})
    assert response.status_code == 302 and response["Referrer-Policy"] == "same-origin"
    last = Message.objects.filter(ticket=visitor_ticket).latest("pk")
    assert (last.body, last.from_city, last.author) == ("Thanks", True, None)


def test_an_unknown_token_is_404(client, visitor_ticket):
    assert client.get(url("visitor-ticket", "x" * 43)).status_code == 404
    assert client.get(url("visitor-ticket", "short")).status_code == 404
    assert client.post(url("visitor-reply", "x" * 43), {"body": "Hi"}).status_code == 404


def test_a_visitor_cannot_reply_before_confirming_nor_to_a_closed_ticket(client, visitor_ticket):
    token = visitor_ticket.access_token
    response = client.post(url("visitor-reply", token), {"body": "Early"})
    assert response.status_code == 200
    assert "Confirm your email address first" in " ".join(flashes(response))
    services.confirm_visitor_ticket(visitor_ticket)
    Ticket.objects.filter(pk=visitor_ticket.pk).update(status=S.CLOSED)
    page = text(client.get(visitor_ticket.get_visitor_url()))
    assert "This question is closed." in page and url("contact") in page
    response = client.post(url("visitor-reply", token), {"body": "Late"})
    assert response.status_code == 200 and "Late" in text(response)
    assert any("closed" in m for m in flashes(response))
    assert Message.objects.filter(ticket=visitor_ticket).count() == 1


def test_a_bad_visitor_reply_keeps_the_text(client, visitor_ticket):
    services.confirm_visitor_ticket(visitor_ticket)
    token = visitor_ticket.access_token
    response = client.post(
        url("visitor-reply", token), {"body": "See", "files": [upload("x.pdf", EXE)]}
    )
    assert response.status_code == 200 and "x.pdf" in text(response) and "See" in text(response)


def test_visitor_replies_are_rate_limited_per_link(client, visitor_ticket, monkeypatch):
    from netzerohub.helpdesk import ticket_views

    monkeypatch.setattr(ticket_views, "VISITOR_REPLIES_PER_LINK", 2)
    services.confirm_visitor_ticket(visitor_ticket)
    token = visitor_ticket.access_token
    for n in range(2):
        assert client.post(url("visitor-reply", token), {"body": f"R{n}"}).status_code == 302
    response = client.post(url("visitor-reply", token), {"body": "Flood"})
    assert response.status_code == 200
    assert any("many replies" in m for m in flashes(response))
    assert Message.objects.filter(ticket=visitor_ticket, body="Flood").count() == 0


def test_the_visitor_downloads_public_files_only(client, visitor_ticket, helpdesk_expert):
    services.confirm_visitor_ticket(visitor_ticket)
    public = services.reply_as_helpdesk(
        visitor_ticket, actor=helpdesk_expert, body="Guide", files=[upload("guide.pdf")]
    ).attachments.get()
    private = services.reply_as_helpdesk(
        visitor_ticket, actor=helpdesk_expert, body="Log", note=True, files=[upload("log.pdf")]
    ).attachments.get()
    token = visitor_ticket.access_token
    page = text(client.get(visitor_ticket.get_visitor_url()))
    assert url("visitor-attachment", token, public.pk) in page and "log.pdf" not in page
    response = client.get(url("visitor-attachment", token, public.pk))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert client.get(url("visitor-attachment", token, private.pk)).status_code == 404
    other = services.open_visitor_ticket(
        name="O", email="o@example.org", category=Category.PORTAL, subject="s", description="d"
    )
    assert client.get(url("visitor-attachment", other.access_token, public.pk)).status_code == 404


VISITOR_QUERIES = 4


def test_visitor_page_query_count_does_not_grow(
    client, visitor_ticket, helpdesk_expert, django_assert_num_queries
):
    services.confirm_visitor_ticket(visitor_ticket)
    for count in (2, 30):
        for n in range(count):
            services.reply_as_helpdesk(
                visitor_ticket, actor=helpdesk_expert, body=f"R{n}", files=[upload()]
            )
            note(visitor_ticket, helpdesk_expert)
        visitor_ticket.refresh_from_db()
        cache.clear()
        with django_assert_num_queries(VISITOR_QUERIES):
            assert client.get(visitor_ticket.get_visitor_url()).status_code == 200


def test_the_visitors_emails_read_well(queue, helpdesk_expert, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        found = services.open_visitor_ticket(
            name="",
            email="anon@example.org",
            category=Category.PORTAL,
            subject="How to join?",
            description="x",
        )
        services.confirm_visitor_ticket(found)
        services.reply_as_helpdesk(
            found, actor=helpdesk_expert, body="See the page.", status=S.RESOLVED
        )
    confirm, reply = [m for m in mail.outbox if m.to == ["anon@example.org"]]
    assert confirm.subject == "[NetZero Hub] Confirm your question: How to join?"
    assert confirm.body.startswith("Hello,\n")
    assert (
        found.get_visitor_url() in confirm.body and "Confirm and send my question" in confirm.body
    )
    assert reply.subject == f"[NetZero Hub] Reply to your question #{found.pk}: How to join?"
    assert f"#{found.pk} (“How to join?”):\n\nSee the page." in reply.body
    assert "We consider your question answered." in reply.body
    assert found.get_visitor_url() in reply.body

"""The public side of the helpdesk, endpoint-level: the help page (published FAQ by category,
its search, cached listing), an FAQ entry (drafts for experts only), suggestions while a
subject is typed, a member's new ticket and its bad input (missing fields, a theme for expert
guidance, oversized, disguised and too many files, a flood, someone else's follow-up), the
visitor's contact form (a signed-in person is sent to their own form, the honeypot, a flood
from one address), My tickets (a member's, a lead's city tab) and pinned query counts."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.tests.factories import CityFactory, LeadFactory, MembershipFactory
from netzerohub.core.models import Term
from netzerohub.helpdesk import services
from netzerohub.helpdesk.forms import ATTACHMENTS_PER_TICKET
from netzerohub.helpdesk.limits import MEMBER_TICKETS_PER_HOUR, VISITOR_QUESTIONS_PER_HOUR
from netzerohub.helpdesk.models import ATTACHMENT_MAX_BYTES, Category, FaqEntry, Ticket
from netzerohub.knowledge.tests.factories import TINY_PDF, ResourceFactory

from .factories import FaqEntryFactory, TicketFactory

pytestmark = pytest.mark.django_db

HELP = reverse("helpdesk:help")
SUGGEST = reverse("helpdesk:suggest")
NEW = reverse("helpdesk:new")
CONTACT = reverse("helpdesk:contact")
SENT = reverse("helpdesk:contact-sent")
MINE = reverse("helpdesk:mine")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# Pinned query counts (they must not grow with the data).
QUERIES = {
    "help visitor cold": 1,  # the published entries (the page is otherwise the cached listing)
    "help visitor warm": 0,
    "help member warm": 1,  # the user (the session is cached)
    # Cold: session, user, memberships, the cities led, count, the header's unread count, page.
    "mine cold": 7,
    "mine warm": 4,  # user, memberships, the cities led, page
    "ask warm": 3,  # user, memberships, the person's cities (the taxonomy is cached)
    # User, memberships (the audiences), and per kind (FAQ, resources): the total and the page
    # of ids (then cached) and the rows.
    "suggest cold": 8,
    "suggest warm": 4,
    "contact": 0,
    "faq entry": 1,
}


def text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def faq(question: str, *, answer: str = "A sample answer.", **extra) -> FaqEntry:
    """An entry saved through the service: indexed (published) or out of the index (draft)."""
    extra.setdefault("category", Category.PORTAL)
    extra.setdefault("status", FaqEntry.Status.PUBLISHED)
    entry = FaqEntry(question=question, answer=answer, **extra)
    return services.save_faq_entry(entry, actor=None)


def pdf(name: str = "plan.pdf", content: bytes = TINY_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def question(**extra) -> dict:
    data = {
        "category": Category.PORTAL,
        "subject": "Cannot upload our inventory",
        "description": "The **upload** button does nothing.",
    }
    return {**data, **extra}


def expert_term() -> Term:
    return Term.objects.get(kind="field", slug="energy-systems")


# --- the help page -------------------------------------------------------------------------------


def test_help_page_lists_published_entries_by_category_and_not_drafts(client):
    faq("How do I reset my password?")
    faq("How do I register for an event?", category=Category.EVENTS)
    faq("Secret draft question", status=FaqEntry.Status.DRAFT)
    html = text(client.get(HELP))
    assert "How do I reset my password?" in html and "How do I register for an event?" in html
    assert "Secret draft question" not in html
    assert html.index("Using the portal") < html.index("Events and registrations")
    entry = FaqEntry.objects.get(question="How do I reset my password?")
    assert f'href="{entry.get_absolute_url()}"' in html


def test_help_page_offers_visitors_the_contact_form_and_members_a_ticket(client, member):
    html = text(client.get(HELP))
    assert f'href="{CONTACT}"' in html and "/accounts/login/?next=/helpdesk/ask/" in html
    assert f'href="{MINE}"' not in html
    client.force_login(member)
    html = text(client.get(HELP))
    assert f'href="{NEW}"' in html and f'href="{MINE}"' in html
    assert f'href="{CONTACT}"' not in html


def test_help_page_listing_is_cached_until_an_entry_is_saved_or_deleted(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = faq("How do I reset my password?")
    assert "How do I reset my password?" in text(client.get(HELP))
    with django_capture_on_commit_callbacks(execute=True):
        entry.question = "How do I change my password?"
        services.save_faq_entry(entry, actor=None)
    html = text(client.get(HELP))
    assert "How do I change my password?" in html and "reset my password" not in html
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_faq_entry(entry, actor=None)
    assert "How do I change my password?" not in text(client.get(HELP))


def test_help_page_search_finds_published_entries_only(client):
    faq("How do I reset my password?", answer="Use the *forgotten password* link.")
    faq("Password rules for drafts", status=FaqEntry.Status.DRAFT)
    faq("How do I register for an event?", category=Category.EVENTS)
    html = text(client.get(HELP, {"q": "password"}))
    assert "How do I reset my password?" in html
    assert "Password rules for drafts" not in html and "register for an event" not in html
    assert "No answer matches" in text(client.get(HELP, {"q": "zeppelin"}))


@pytest.mark.parametrize("count", [2, 30])
def test_help_page_query_count_does_not_grow(client, member, count, django_assert_num_queries):
    for n in range(count):
        FaqEntryFactory(category=[Category.PORTAL, Category.EVENTS, Category.OTHER][n % 3])
    cache.clear()
    with django_assert_num_queries(QUERIES["help visitor cold"]):
        assert client.get(HELP).status_code == 200
    with django_assert_num_queries(QUERIES["help visitor warm"]):
        assert client.get(HELP).status_code == 200
    client.force_login(member)
    client.get(HELP)
    with django_assert_num_queries(QUERIES["help member warm"]):
        assert client.get(HELP).status_code == 200


# --- an FAQ entry --------------------------------------------------------------------------------


def test_faq_entry_renders_sanitised_markdown(client):
    entry = faq("How do I log in?", answer="Use **your email**.\n\n<script>alert(1)</script>")
    html = text(client.get(entry.get_absolute_url()))
    assert "<h1>How do I log in?</h1>" in html
    assert "<strong>your email</strong>" in html and "<script>alert" not in html


def test_draft_entry_is_missing_for_a_member_but_shown_to_an_expert(
    client, member, helpdesk_expert
):
    entry = faq("Work in progress", status=FaqEntry.Status.DRAFT)
    assert client.get(entry.get_absolute_url()).status_code == 404
    client.force_login(member)
    assert client.get(entry.get_absolute_url()).status_code == 404
    client.force_login(helpdesk_expert)
    response = client.get(entry.get_absolute_url())
    assert response.status_code == 200 and "Draft" in text(response)
    assert client.get(reverse("helpdesk:faq-entry", args=["nothing-here"])).status_code == 404


# --- suggestions ---------------------------------------------------------------------------------


def test_suggestions_offer_published_entries_and_resources_the_person_may_read(client, member):
    faq("How do I upload an emission inventory?")
    faq("Uploading drafts of the inventory", status=FaqEntry.Status.DRAFT)
    ResourceFactory(title="Emission inventory template", summary="A public template.")
    ResourceFactory(title="Inventory checklist for members", members_only=True)
    ResourceFactory(title="Inventory draft guide", draft=True)

    html = text(client.get(SUGGEST, {"subject": "inventory upload"}))
    assert "Might answer your question" in html
    assert "How do I upload an emission inventory?" in html
    assert "Emission inventory template" in html
    assert "Uploading drafts" not in html and "Inventory draft guide" not in html
    assert "Inventory checklist for members" not in html  # a visitor may not read it

    client.force_login(member)
    assert "Inventory checklist for members" in text(client.get(SUGGEST, {"subject": "inventory"}))


def test_suggestions_need_three_characters(client):
    faq("Is it OK to ask?")
    assert text(client.get(SUGGEST, {"subject": "ok"})).strip() == ""
    assert text(client.get(SUGGEST)).strip() == ""
    assert "Is it OK to ask?" in text(client.get(SUGGEST, {"subject": "ask"}))


def test_the_subject_field_asks_for_suggestions_into_a_live_region(client, member):
    client.force_login(member)
    html = text(client.get(NEW))
    assert f'hx-get="{SUGGEST}"' in html and 'hx-trigger="input changed delay:300ms"' in html
    assert 'hx-target="#suggestions"' in html
    assert '<div id="suggestions" aria-live="polite">' in html


@pytest.mark.parametrize("count", [2, 30])
def test_asking_query_counts_do_not_grow(client, member, city, count, django_assert_num_queries):
    for n in range(count):
        faq(f"Inventory question {n}")
        ResourceFactory(title=f"Inventory guide {n}")
    entry = FaqEntry.objects.first()
    client.get(CONTACT)
    with django_assert_num_queries(QUERIES["contact"]):
        assert client.get(CONTACT).status_code == 200
    with django_assert_num_queries(QUERIES["faq entry"]):
        assert client.get(entry.get_absolute_url()).status_code == 200
    client.force_login(member)
    client.get(NEW)
    with django_assert_num_queries(QUERIES["ask warm"]):
        assert client.get(NEW).status_code == 200
    with django_assert_num_queries(QUERIES["suggest cold"]):
        assert "Inventory guide" in text(client.get(SUGGEST, {"subject": "inventory"}))
    with django_assert_num_queries(QUERIES["suggest warm"]):
        assert client.get(SUGGEST, {"subject": "inventory"}).status_code == 200


# --- a member's new ticket -----------------------------------------------------------------------


def test_visitors_asking_are_sent_to_the_contact_form(client):
    response = client.get(NEW)
    assert response.status_code == 302 and response["Location"] == CONTACT
    assert client.post(NEW, question())["Location"] == CONTACT
    assert not Ticket.objects.exists()


def test_a_member_opens_a_ticket_for_their_city_with_files(client, city, member):
    client.force_login(member)
    html = text(client.get(NEW))
    assert f'<option value="{city.pk}" selected>{city.name}</option>' in html  # their one city
    response = client.post(
        NEW,
        question(city=city.pk, files=[pdf("plan.pdf"), SimpleUploadedFile("map.png", PNG)]),
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert f"Your ticket #{ticket.pk} is sent" in said(response)
    assert (ticket.requester, ticket.city, ticket.category) == (member, city, Category.PORTAL)
    assert ticket.subject == "Cannot upload our inventory" and ticket.status == Ticket.Status.NEW
    message = ticket.messages.get()
    assert message.body == "The **upload** button does nothing."
    assert sorted(message.attachments.values_list("name", flat=True)) == ["map.png", "plan.pdf"]


def test_a_person_without_a_city_asks_about_no_city(client, outsider):
    client.force_login(outsider)
    assert "Not about a city" in text(client.get(NEW))
    response = client.post(NEW, question())
    assert response.status_code == 302
    assert Ticket.objects.get().city is None


def test_a_person_cannot_ask_for_a_city_they_are_not_a_member_of(client, member, other_city):
    client.force_login(member)
    response = client.post(NEW, question(city=other_city.pk))
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "Select a valid choice" in text(response)


def test_missing_fields_are_named_and_what_was_typed_is_kept(client, city, member):
    client.force_login(member)
    response = client.post(NEW, {"city": city.pk, "subject": "Half a question about the map"})
    html = text(response)
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "Choose what your question is about." in html and "Describe your question." in html
    assert 'value="Half a question about the map"' in html
    assert "Files must be chosen again" not in html  # none were chosen


def test_expert_guidance_needs_a_theme(client, city, member):
    client.force_login(member)
    response = client.post(NEW, question(city=city.pk, category=Category.EXPERT))
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "choose the field of action or lever it is about" in text(response)
    response = client.post(
        NEW, question(city=city.pk, category=Category.EXPERT, term="field:energy-systems")
    )
    assert response.status_code == 302
    assert Ticket.objects.get().term == expert_term()


def test_a_theme_is_dropped_for_another_category(client, city, member):
    client.force_login(member)
    client.post(NEW, question(city=city.pk, term="lever:finance-funding"))
    assert Ticket.objects.get().term is None


def test_an_unknown_theme_is_refused(client, city, member):
    client.force_login(member)
    response = client.post(NEW, question(city=city.pk, category=Category.EXPERT, term="step:act"))
    assert response.status_code == 200 and not Ticket.objects.exists()


def test_an_oversized_file_is_refused_and_must_be_chosen_again(client, city, member):
    client.force_login(member)
    big = pdf("huge.pdf", TINY_PDF + b"\x00" * (ATTACHMENT_MAX_BYTES + 1 - len(TINY_PDF)))
    response = client.post(NEW, question(city=city.pk, files=[big]))
    html = text(response)
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "huge.pdf: The file is" in html and "Files must be chosen again" in html
    assert 'value="Cannot upload our inventory"' in html


def test_a_file_whose_content_is_not_its_name_is_refused(client, city, member):
    client.force_login(member)
    response = client.post(NEW, question(city=city.pk, files=[pdf("report.pdf", PNG)]))
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "report.pdf: The file&#x27;s name does not match its content" in text(response)


def test_too_many_files_are_refused(client, city, member):
    client.force_login(member)
    files = [pdf(f"part-{n}.pdf") for n in range(ATTACHMENTS_PER_TICKET + 1)]
    response = client.post(NEW, question(city=city.pk, files=files))
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert f"Attach at most {ATTACHMENTS_PER_TICKET} files" in text(response)


def test_a_flood_of_tickets_is_refused_with_a_clear_message(client, city, member):
    client.force_login(member)
    for n in range(MEMBER_TICKETS_PER_HOUR):
        assert client.post(NEW, question(city=city.pk, subject=f"Q{n}")).status_code == 302
    response = client.post(NEW, question(city=city.pk, subject="One too many"))
    html = text(response)
    assert response.status_code == 200
    assert Ticket.objects.count() == MEMBER_TICKETS_PER_HOUR
    assert f"You have opened {MEMBER_TICKETS_PER_HOUR} tickets within the hour" in html
    assert 'value="One too many"' in html


def test_a_follow_up_of_ones_own_ticket_is_prefilled_and_linked(client, city, member):
    first = TicketFactory(requester=member, city=city, subject="Login", status="closed")
    client.force_login(member)
    html = text(client.get(NEW, {"follow_up": first.pk}))
    assert 'value="Follow-up: Login"' in html and f"ticket #{first.pk}: Login" in html
    assert f'name="follow_up" value="{first.pk}"' in html
    client.post(NEW, question(city=city.pk, follow_up=first.pk, subject="Follow-up: Login"))
    assert Ticket.objects.exclude(pk=first.pk).get().follow_up_of == first


def test_asking_from_a_city_page_preselects_that_city_but_never_another(
    client, city, other_city, member
):
    MembershipFactory(user=member, city=other_city)
    client.force_login(member)
    html = text(client.get(NEW, {"city": other_city.pk}))
    assert f'<option value="{other_city.pk}" selected>' in html
    outsider_city = CityFactory()
    html = text(client.get(NEW, {"city": outsider_city.pk}))
    cities = re.search(r'<select name="city".*?</select>', html, re.S).group(0)
    assert f'value="{outsider_city.pk}"' not in cities
    assert re.search(r'<option value="\d+" selected>', cities) is None


def test_a_follow_up_of_someone_elses_ticket_is_ignored(client, city, member):
    theirs = TicketFactory(subject="Their private question")
    client.force_login(member)
    html = text(client.get(NEW, {"follow_up": theirs.pk}))
    assert "Their private question" not in html
    response = client.post(NEW, question(city=city.pk, follow_up=theirs.pk))
    assert response.status_code == 302
    assert Ticket.objects.exclude(pk=theirs.pk).get().follow_up_of is None
    assert client.get(NEW, {"follow_up": "nonsense"}).status_code == 200


def test_suggestions_are_shown_again_when_the_form_comes_back(client, city, member):
    faq("How do I upload an emission inventory?")
    client.force_login(member)
    response = client.post(NEW, {"city": city.pk, "subject": "inventory upload"})
    assert "How do I upload an emission inventory?" in text(response)


# --- a visitor's question ------------------------------------------------------------------------


def contact_data(**extra) -> dict:
    return question(**{"name": "Vera Visitor", "email": "vera@example.org", **extra})


def test_a_visitor_asks_and_is_told_to_check_their_inbox(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONTACT, contact_data(files=[pdf()]))
    assert response.status_code == 302 and response["Location"] == SENT
    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.UNVERIFIED and ticket.requester is None
    assert (ticket.contact_name, ticket.contact_email) == ("Vera Visitor", "vera@example.org")
    assert ticket.messages.get().attachments.count() == 1
    assert [m.to for m in mail.outbox] == [["vera@example.org"]]
    assert "follow the link to send your question" in text(client.get(SENT))


def test_the_contact_form_keeps_what_was_typed_on_bad_input(client):
    response = client.post(CONTACT, contact_data(email="not-an-address", category=Category.EXPERT))
    html = text(response)
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "Enter an email address like name@example.org." in html
    assert "choose the field of action or lever it is about" in html
    assert 'value="Vera Visitor"' in html and "The **upload** button does nothing." in html


def test_a_signed_in_person_is_sent_to_their_own_form(client, member):
    client.force_login(member)
    response = client.get(CONTACT)
    assert response.status_code == 302 and response["Location"] == NEW
    assert client.post(CONTACT, contact_data())["Location"] == NEW
    assert not Ticket.objects.exists()


def test_the_honeypot_keeps_robots_out(client):
    response = client.post(CONTACT, contact_data(website="https://spam.example"))
    assert response.status_code == 302 and response["Location"] == SENT
    assert not Ticket.objects.exists() and not mail.outbox


def test_a_flood_of_visitor_questions_from_one_address_is_refused(client):
    for n in range(VISITOR_QUESTIONS_PER_HOUR):
        assert client.post(CONTACT, contact_data(subject=f"Q{n}")).status_code == 302
    response = client.post(CONTACT, contact_data(subject="One too many"))
    assert response.status_code == 200
    assert Ticket.objects.count() == VISITOR_QUESTIONS_PER_HOUR
    assert "Too many questions were sent from your network" in text(response)
    # Another address may still ask.
    other = client.post(CONTACT, contact_data(), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302


def test_the_contact_form_offers_suggestions_without_members_only_resources(client):
    ResourceFactory(title="Inventory checklist for members", members_only=True)
    ResourceFactory(title="Public inventory guide")
    html = text(client.post(CONTACT, {"subject": "inventory"}))
    assert "Public inventory guide" in html and "checklist for members" not in html


# --- my tickets ----------------------------------------------------------------------------------


def test_my_tickets_lists_only_ones_own_newest_activity_first(client, city, member):
    older = TicketFactory(requester=member, city=city, subject="Older question")
    TicketFactory(requester=member, subject="Newer question", status=Ticket.Status.WAITING)
    TicketFactory(city=city, subject="A colleague's question")
    Ticket.objects.filter(pk=older.pk).update(updated=older.created.replace(year=2020))
    client.force_login(member)
    html = text(client.get(MINE))
    assert html.index("Newer question") < html.index("Older question")
    assert "A colleague&#x27;s question" not in html and "A colleague's question" not in html
    assert "Waiting for the city" in html and "awaiting your reply" in html
    assert "Tickets of" not in html and reverse("helpdesk:queues") not in html


def test_visitors_are_asked_to_sign_in_for_my_tickets(client):
    response = client.get(MINE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_lead_has_a_tab_with_their_citys_tickets(client, city, lead, member, other_city):
    TicketFactory(requester=member, city=city, subject="Member's question")
    TicketFactory(city=other_city, subject="Elsewhere")
    TicketFactory(city=city, subject="Unconfirmed", status=Ticket.Status.UNVERIFIED)
    client.force_login(lead)
    html = text(client.get(MINE))
    assert f"Tickets of {city.name}" in html and "Member&#x27;s question" not in html
    html = text(client.get(MINE, {"city": city.pk}))
    assert "Member&#x27;s question" in html and str(member) in html
    assert "Elsewhere" not in html and "Unconfirmed" not in html
    # A city they do not lead: their own tickets.
    assert "Elsewhere" not in text(client.get(MINE, {"city": other_city.pk}))


def test_experts_find_their_queues(client, helpdesk_expert):
    client.force_login(helpdesk_expert)
    assert reverse("helpdesk:queues") in text(client.get(MINE))


@pytest.mark.parametrize("count", [2, 30])
def test_my_tickets_query_count_does_not_grow(client, city, count, django_assert_num_queries):
    lead = LeadFactory(city=city).user
    second = CityFactory()
    LeadFactory(city=second, user=lead)
    asker = MembershipFactory(city=city).user
    for n in range(count):
        TicketFactory(requester=lead, city=city if n % 2 else None)
        TicketFactory(requester=asker, city=city)
    client.force_login(lead)
    for query in ({}, {"city": city.pk}, {"page": 2}):
        cache.clear()
        with django_assert_num_queries(QUERIES["mine cold"]):
            assert client.get(MINE, query).status_code == 200
        with django_assert_num_queries(QUERIES["mine warm"]):
            assert client.get(MINE, query).status_code == 200


def test_my_tickets_is_paginated(client, member):
    for n in range(25):
        TicketFactory(requester=member, subject=f"Question number {n}")
    client.force_login(member)
    first = text(client.get(MINE))
    assert first.count("Question number") == 20 and "Page 1 of 2" in first
    assert text(client.get(MINE, {"page": 2})).count("Question number") == 5


def test_a_stranger_sees_none_of_this(client, outsider):
    TicketFactory(subject="Not theirs")
    UserFactory()
    client.force_login(outsider)
    assert "Not theirs" not in text(client.get(MINE))

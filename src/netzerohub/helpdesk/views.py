"""The public side of the helpdesk: the help page (the published FAQ, its search and the ways
to ask), an FAQ entry, suggestions while a subject is typed, a member's new ticket, a visitor's
contact form, and My tickets (with the tickets of the cities a lead leads).

A ticket's own page and its conversation are in `ticket_views.py`; running the helpdesk
(queues, FAQ editing, metrics) in `manage_views.py`.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from netzerohub.cities.models import City
from netzerohub.cities.policies import approved_memberships
from netzerohub.core import ratelimit
from netzerohub.core.fragments import rendered
from netzerohub.core.markdown import render_markdown
from netzerohub.core.paging import paginate
from netzerohub.core.search import MAX_QUERY_CHARS, generation, kind_of, search
from netzerohub.knowledge.models import Resource
from netzerohub.knowledge.search import audiences_for

from . import services
from .caching import tickets_version
from .forms import ContactForm, QuestionForm, TicketForm
from .limits import MEMBER_TICKETS_PER_HOUR, VISITOR_QUESTIONS_PER_HOUR
from .models import Category, FaqEntry, Ticket
from .policies import can_answer_faq, get_ticket_for_user, is_expert, lead_city_ids

FAQ_KIND = services.FAQ_KIND
FAQ_AUDIENCES = ("public",)
FAQ_SECONDS = 3600  # the listing's key changes with every FAQ change: the time only bounds memory
FAQ_RESULTS = 20
SUGGESTIONS = 3  # FAQ entries, and knowledge resources, each
SUGGEST_MIN_CHARS = 3
TICKETS_PER_PAGE = 20
_WORD = re.compile(r"[^\W_]+")


# --- the help page and the FAQ -----------------------------------------------------------------


def _faq_groups() -> dict[str, Any]:
    """Published entries grouped by category, in the categories' order."""
    entries = FaqEntry.objects.published().only("question", "slug", "category")
    by_category: dict[str, list[FaqEntry]] = {}
    for entry in entries:
        by_category.setdefault(entry.category, []).append(entry)
    groups = [
        {"value": value, "label": label, "entries": by_category[value]}
        for value, label in Category.choices
        if value in by_category
    ]
    return {"groups": groups}


def _faq_search(query: str, page: object) -> dict[str, Any]:
    """Published entries matching `query`, best first (the core search, audience public)."""
    try:
        number = max(1, int(str(page)))
    except ValueError:
        number = 1
    results = search(
        FAQ_KIND, audiences=FAQ_AUDIENCES, query=query, page=number, per_page=FAQ_RESULTS
    )
    found = FaqEntry.objects.published().in_bulk(results.object_ids) if results.object_ids else {}
    entries = [found[pk] for pk in results.object_ids if pk in found]
    return {"results": results, "entries": entries}


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    """The public help page: a search over the FAQ, the ways to ask, and the published entries
    by category (rendered once per version of the FAQ's search index, which every saved or
    deleted entry changes)."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    context: dict[str, Any] = {"query": query}
    if query:
        context.update(_faq_search(query, request.GET.get("page", 1)))
    else:
        context["faq"] = rendered(
            request,
            "helpdesk/_help_faq.html",
            ("helpdesk.help", generation(FAQ_KIND)),
            _faq_groups,
            seconds=FAQ_SECONDS,
        )
    return render(request, "helpdesk/help.html", context)


@require_GET
def faq_entry(request: HttpRequest, slug: str) -> HttpResponse:
    """One entry; a draft exists only for the experts and coordinators who write the FAQ."""
    entry = FaqEntry.objects.filter(slug=slug).first()
    if entry is None:
        raise Http404
    if entry.status != FaqEntry.Status.PUBLISHED and not can_answer_faq(request.user):
        raise Http404
    context = {"entry": entry, "answer": render_markdown(entry.answer)}
    return render(request, "helpdesk/faq_entry.html", context)


# --- suggestions ---------------------------------------------------------------------------------


def suggestions(user: Any, subject: str) -> dict[str, list[Any]]:
    """Published FAQ entries and knowledge resources (those `user` may read) that might answer
    a question with this subject: any of its words, best matches first. Nothing for fewer
    than `SUGGEST_MIN_CHARS` characters."""
    subject = (subject or "").strip()[:MAX_QUERY_CHARS]
    words = [w for w in _WORD.findall(subject) if w.casefold() != "or"]
    if len(subject) < SUGGEST_MIN_CHARS or not words:
        return {"faq": [], "resources": []}
    query = " or ".join(words)  # any word: a subject is a sentence, not a search
    faq_ids = search(FAQ_KIND, audiences=FAQ_AUDIENCES, query=query, per_page=SUGGESTIONS)
    found = FaqEntry.objects.published().in_bulk(faq_ids.object_ids) if faq_ids.object_ids else {}
    audiences = audiences_for(user)
    resource_ids = search(
        kind_of(Resource), audiences=audiences, query=query, per_page=SUGGESTIONS
    ).object_ids
    by_id = Resource.objects.in_bulk(resource_ids) if resource_ids else {}
    # The index follows the services; the status and visibility are checked again.
    resources = [
        resource
        for pk in resource_ids
        if (resource := by_id.get(pk)) is not None
        and resource.is_published
        and resource.visibility in audiences
    ]
    return {"faq": [found[pk] for pk in faq_ids.object_ids if pk in found], "resources": resources}


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The suggestions fragment for `?subject=` (htmx swaps it into the form's live region)."""
    context = {"suggested": suggestions(request.user, request.GET.get("subject", ""))}
    return render(request, "helpdesk/_suggestions.html", context)


# --- asking ------------------------------------------------------------------------------------


def _follow_up(user: Any, raw: Any) -> Ticket | None:
    """The ticket `raw` names if `user` may see it; otherwise nothing (the id is ignored)."""
    try:
        pk = int(str(raw))
    except (TypeError, ValueError):
        return None
    if pk <= 0:
        return None
    try:
        return get_ticket_for_user(user, pk)
    except Http404:
        return None


def _follow_up_initial(ticket: Ticket, city_ids: list[int]) -> dict[str, Any]:
    prefix = _("Follow-up: ")
    subject = ticket.subject
    if not subject.startswith(prefix):
        subject = prefix + subject
    initial: dict[str, Any] = {
        "follow_up": ticket.pk,
        "subject": subject[: Ticket._meta.get_field("subject").max_length],
        "category": ticket.category,
    }
    if ticket.term_id and ticket.term is not None:
        initial["term"] = f"{ticket.term.kind}:{ticket.term.slug}"
    if ticket.city_id in city_ids:
        initial["city"] = ticket.city_id
    return initial


def _too_many(key: str, limit: int) -> bool:
    return not ratelimit.hit(key, limit=limit, period=3600)


def _form_context(request: HttpRequest, form: QuestionForm) -> dict[str, Any]:
    """What both forms show: the suggestions for the subject typed (on a re-display)."""
    subject = form.data.get("subject", "") if form.is_bound else form.initial.get("subject", "")
    return {
        "form": form,
        "suggested": suggestions(request.user, subject),
        "files_dropped": bool(form.errors and request.FILES),  # a browser cannot keep them
    }


@require_http_methods(["GET", "POST"])
def new_ticket(request: HttpRequest) -> HttpResponse:
    """A member's new ticket (visitors are sent to the contact form). `?follow_up=<id>`
    prefills a follow-up of a ticket the person may see; any other id is ignored."""
    if not request.user.is_authenticated:
        return redirect("helpdesk:contact")
    city_ids = sorted(approved_memberships(request.user))
    options = {"city_ids": city_ids, "suggest_url": reverse("helpdesk:suggest")}
    if request.method == "POST":
        form = TicketForm(request.POST, request.FILES, **options)
        follow_up = _follow_up(request.user, request.POST.get("follow_up"))
        if form.is_valid():
            if _too_many(f"helpdesk.ticket:user:{request.user.pk}", MEMBER_TICKETS_PER_HOUR):
                form.add_error(
                    None,
                    _(
                        "You have opened %(n)s tickets within the hour, the most we accept. "
                        "Please send this one a little later: what you typed is kept below."
                    )
                    % {"n": MEMBER_TICKETS_PER_HOUR},
                )
            else:
                data = form.cleaned_data
                try:
                    ticket = services.open_ticket(
                        actor=request.user,
                        city=data["city"],
                        category=data["category"],
                        term=data["term"],
                        subject=data["subject"],
                        description=data["description"],
                        files=data["files"],
                        follow_up_of=follow_up,
                    )
                except services.HelpdeskError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(
                        request,
                        _(
                            "Your ticket #%(number)s is sent. The helpdesk answers here; "
                            "you are notified of every reply."
                        )
                        % {"number": ticket.pk},
                    )
                    return redirect(ticket)
    else:
        follow_up = _follow_up(request.user, request.GET.get("follow_up"))
        initial = _follow_up_initial(follow_up, city_ids) if follow_up else {}
        chosen = request.GET.get("city", "")  # "Ask the helpdesk" on a city's page
        if not follow_up and chosen.isdigit() and int(chosen) in city_ids:
            initial["city"] = int(chosen)
        form = TicketForm(initial=initial, **options)
    context = {**_form_context(request, form), "follow_up": follow_up}
    return render(request, "helpdesk/new_ticket.html", context)


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """A visitor's question: kept aside until they follow the link emailed to them (signed-in
    people ask through their own form)."""
    if request.user.is_authenticated:
        return redirect("helpdesk:new")
    options = {"suggest_url": reverse("helpdesk:suggest")}
    if request.method == "POST":
        form = ContactForm(request.POST, request.FILES, **options)
        if form.is_robot:
            return redirect("helpdesk:contact-sent")
        if form.is_valid():
            address = request.META.get("REMOTE_ADDR", "")
            if _too_many(f"helpdesk.contact:ip:{address}", VISITOR_QUESTIONS_PER_HOUR):
                form.add_error(
                    None,
                    _(
                        "Too many questions were sent from your network within the hour. "
                        "Please send yours a little later: what you typed is kept below."
                    ),
                )
            else:
                data = form.cleaned_data
                try:
                    services.open_visitor_ticket(
                        name=data["name"],
                        email=data["email"],
                        category=data["category"],
                        term=data["term"],
                        subject=data["subject"],
                        description=data["description"],
                        files=data["files"],
                    )
                except services.HelpdeskError as error:
                    form.add_error(None, str(error))
                else:
                    return redirect("helpdesk:contact-sent")
    else:
        form = ContactForm(**options)
    login_url = f"{reverse('account_login')}?next={reverse('helpdesk:new')}"
    context = {**_form_context(request, form), "login_url": login_url}
    return render(request, "helpdesk/contact.html", context)


@require_GET
def contact_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "helpdesk/contact_sent.html")


# --- my tickets --------------------------------------------------------------------------------


@login_required
@require_GET
def my_tickets(request: HttpRequest) -> HttpResponse:
    """The person's own tickets, newest activity first; a lead also has a tab per city they
    lead with the city's tickets (`?city=<id>`); experts and coordinators a link to their
    queues."""
    user = request.user
    led = lead_city_ids(user)
    cities = []
    if led:
        cities = list(City.objects.filter(pk__in=led).only("pk", "name").order_by("name"))
    selected = next((c for c in cities if str(c.pk) == request.GET.get("city")), None)
    version = tickets_version()
    if selected is not None:
        tickets = Ticket.objects.received().of_cities([selected.pk])
        count_key = f"helpdesk.city-tickets:{selected.pk}:{version}"
    else:
        tickets = Ticket.objects.asked_by(user)
        count_key = f"helpdesk.my-tickets:{user.pk}:{version}"
    page = paginate(
        tickets.select_related("city", "requester").order_by("-updated", "-id"),
        request.GET.get("page"),
        TICKETS_PER_PAGE,
        count_key=count_key,
    )
    context = {
        "page": page,
        "cities": cities,
        "selected": selected,
        "expert": is_expert(user),
        "waiting": Ticket.Status.WAITING,
    }
    return render(request, "helpdesk/my_tickets.html", context)

"""The demo's helpdesk: its configuration, an FAQ about using this portal, canned replies and
sample tickets of the demo city, all written through the services (audited, routed, assigned,
timed by the service-level clock, the FAQ in the search).

- Working time Monday–Friday 09:00–17:00 in Europe/Brussels; service levels per priority in
  working hours (urgent 4/16, high 8/24, normal 16/40, low 24/80: first response/resolution).
- A few holidays of the coming year, named "Sample holiday": they show how the clock skips a
  day off and claim no real calendar.
- Four queues (using the portal — the default —, events and applications, and two of expert
  guidance), the demo expert and coordinator as their experts, and a routing rule for every
  category (expert guidance split by field of action or lever of change).
- Published FAQ entries about using this portal, three canned replies.
- Sample tickets (each subject ends in "(sample)") of the demo city's member and lead, in every
  status of a ticket's life, with public replies, one internal note and ratings.

Loading is idempotent: settings rows are known by their natural keys (priority, date, slug,
category and term, title), FAQ entries by their address and sample tickets by their subject;
what exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.db.models import F
from django.utils import timezone

from netzerohub.core.models import Term
from netzerohub.events.demo import DemoError, _city_of, _person

from . import services
from .models import (
    CannedReply,
    Category,
    FaqEntry,
    Holiday,
    Message,
    Priority,
    Queue,
    RoutingRule,
    ServiceLevel,
    Ticket,
    WorkingTime,
)

__all__ = ["DemoError", "SAMPLE", "load_helpdesk", "summary"]

SAMPLE = "(sample)"
EXPERT = "expert@example.org"
COORDINATOR = "coordinator@example.org"
LEAD = "lead@example.org"
MEMBER = "member@example.org"

LEVELS = {
    Priority.URGENT: (4, 16),
    Priority.HIGH: (8, 24),
    Priority.NORMAL: (16, 40),
    Priority.LOW: (24, 80),
}
# (month, day) of next year: days off of the sample calendar, not a claim about any real one.
HOLIDAYS = [(1, 1), (5, 1), (5, 9), (12, 25), (12, 28)]

QUEUES = [
    # slug, name, description, experts, default
    (
        "portal",
        "Using the portal",
        "Accounts, sign-in, joining a city, finding your way around NetZero Hub, and every "
        "question no other queue takes.",
        [EXPERT, COORDINATOR],
        True,
    ),
    (
        "events-applications",
        "Events and applications",
        "Registrations for events and meetings, waitlists, and applications to calls.",
        [COORDINATOR],
        False,
    ),
    (
        "expert-energy",
        "Expert guidance: energy and buildings",
        "Energy systems and the built environment.",
        [EXPERT],
        False,
    ),
    (
        "expert-finance",
        "Expert guidance: finance and governance",
        "Finance & funding, governance & policy.",
        [COORDINATOR],
        False,
    ),
]
# category, term slug (expert guidance only), queue slug
RULES = [
    (Category.PORTAL, None, "portal"),
    (Category.EVENTS, None, "events-applications"),
    (Category.APPLICATIONS, None, "events-applications"),
    (Category.OTHER, None, "portal"),
    (Category.EXPERT, None, "portal"),  # a theme without an expert queue: triaged there
    (Category.EXPERT, "energy-systems", "expert-energy"),
    (Category.EXPERT, "built-environment", "expert-energy"),
    (Category.EXPERT, "finance-funding", "expert-finance"),
    (Category.EXPERT, "governance-policy", "expert-finance"),
]

FAQ = [
    # slug, category, question, answer (Markdown)
    (
        "register-and-join-your-city",
        Category.PORTAL,
        "How do I register and join my city?",
        "1. Choose **Register**, give your email address and a password, and follow the link "
        "in the email we send you: your address must be confirmed before you can sign in.\n"
        "2. Choose **Find your city and join it**, look your city up in the directory and ask "
        "to join it, with a short message about your role.\n"
        "3. The city's lead decides. When your city has no lead yet, a programme coordinator "
        "confirms you, and you become its first lead.\n\n"
        "Your city is not in the directory? Propose it from the directory page: a coordinator "
        "adds it or matches it to a city that is already there.",
    ),
    (
        "which-cities-are-eligible",
        Category.PORTAL,
        "Which cities can take part in the programme?",
        "Cities in a member state of the European Union or in a country associated with "
        "Horizon Europe. Canada, New Zealand and South Korea are associated for Pillar II "
        "only: their cities cannot take part. The **Eligibility** page checks a city in a few "
        "seconds.\n\n"
        "Some activities ask more. Each call for study visits or twinning states its own "
        "rules (for example a climate-neutrality target year of 2050 or earlier), and the "
        "call's page checks them for your city rule by rule, with how to fix a rule it fails.",
    ),
    (
        "join-a-peer-group",
        Category.EVENTS,
        "How do I join a peer discussion group?",
        "Open **Groups**, choose a group and join it for one of your cities. An open group "
        "takes you at once; a group that admits by application sends your request to its "
        "facilitators, who decide. A group may take only a few people from each city: the "
        "group's page says so when your city's places are taken.\n\n"
        "The group's page lists its meetings; register for each meeting you attend.",
    ),
    (
        "how-the-waitlist-works",
        Category.EVENTS,
        "An event is full: how does the waitlist work?",
        "When no place is left you can join the waitlist. People waiting are served in order. "
        "When a place is freed (someone cancels, or the organisers add places), the first "
        "person waiting is offered it for a limited time, never past the start of the event, "
        "and is told by a notification and an email. Accept the offer under **My "
        "registrations** before it expires; otherwise it passes to the next person.\n\n"
        "An event may take only a few people per city: waiting places count too. "
        "Registration closes at the event's deadline (or when it starts).",
    ),
    (
        "apply-to-an-exchange-call",
        Category.APPLICATIONS,
        "How does our city apply for a study visit or twinning?",
        "Open **Exchanges** and choose a call: its page shows when it is open (in the time "
        "zone the call announces), who may apply, and checks the rules for your city. The "
        "city's lead applies on behalf of the city; the answers are saved as you go, and the "
        "application must be submitted before the call closes.\n\n"
        "Reviewers score submitted applications, the programme decides (accepted, on the "
        "waiting list or not retained), and accepted cities are matched with host cities. "
        "When the pairs are published, both cities' leads see each other's contacts.",
    ),
    (
        "lost-authenticator-app",
        Category.PORTAL,
        "I lost my authenticator app: how do I sign in?",
        "Sign in with one of the **recovery codes** you saved when you set up two-factor "
        "authentication. Then, under **Profile → Two-factor authentication**, set up the "
        "authenticator again on your new device and keep the new recovery codes somewhere "
        "safe.\n\n"
        "No recovery code left? Ask through the contact form with the address of your "
        "account. After checking that it is you, a coordinator removes the old "
        "authenticator; programme staff are asked to set up a new one when they next sign in.",
    ),
    (
        "helpdesk-service-levels",
        Category.PORTAL,
        "How quickly does the helpdesk answer?",
        "Every ticket has a priority, and each priority has targets for the first answer and "
        "for the resolution, counted in the helpdesk's working hours only (in this demo: "
        "Monday to Friday, 09:00–17:00 Brussels time, except its days off). A normal ticket "
        "is answered within 16 working hours (two working days) and resolved within 40.\n\n"
        "The clock stops while a ticket waits for your reply and once it is resolved. Your "
        "reply opens a waiting or resolved ticket again. A resolved ticket closes by itself "
        "after a few days; a closed ticket takes no reply, but you can open a follow-up.",
    ),
    (
        "follow-your-tickets",
        Category.PORTAL,
        "Where do I find my questions to the helpdesk and the answers?",
        "Under **Helpdesk → My tickets**. You see the tickets you asked; a city's lead also "
        "sees every ticket asked for the city. Each ticket's page shows the conversation and "
        "a form to reply. You are told by a notification and an email when the helpdesk "
        "answers. Once a ticket is resolved, please rate the answer from 1 to 5: it helps the "
        "programme improve the helpdesk.",
    ),
    (
        "ask-without-an-account",
        Category.OTHER,
        "Can I ask a question without an account?",
        "Yes: use the contact form. We email you a private link; open it and confirm to send "
        "your question (this keeps out messages sent in someone else's name). The same link "
        "shows the answers and lets you reply. Keep the email: the link is the only way to "
        "your question without an account.",
    ),
    (
        "use-the-api",
        Category.PORTAL,
        "Can we read our data from a script?",
        "Yes, through the portal's API. Create a personal API token under **Profile → "
        "Personal API tokens** and send it as `Authorization: Bearer <token>`. The API's "
        "documentation (every endpoint and answer) is at `/api/`. It answers as you: what "
        "your roles let you see, nothing more.",
    ),
]

CANNED = [
    (
        "Thank you: we are looking into it",
        None,
        "Thank you for your question. We are looking into it and will come back to you "
        "within the service level of your ticket.",
    ),
    (
        "Please send more details",
        None,
        "Thank you for your question. To help you, could you tell us more: which page you were "
        "on, what you did, and what you expected to happen? A screenshot helps too.",
    ),
    (
        "Joining a city: the lead decides",
        "portal",
        "Your request to join the city goes to the city's lead, who decides. When the city has "
        "no lead yet, a coordinator confirms you as its first lead. You are told by email.",
    ),
]

# Sample tickets: (key, asker, category, term, subject, description, days ago, steps).
# Steps run in order: ("reply", who, body, status), ("note", who, body),
# ("city", body) — a reply from the asker —, ("rate", stars, comment), ("close",).
TICKETS: list[tuple[str, str, str, str | None, str, str, int, list[tuple]]] = [
    (
        "mfa",
        MEMBER,
        Category.PORTAL,
        None,
        "New phone: I cannot sign in with my authenticator",
        "I changed phones and my authenticator app is gone. What can I do?",
        85,
        [
            ("reply", EXPERT, "Sign in with one of your recovery codes, then set up the "
             "authenticator again under Profile → Two-factor authentication.", "resolved"),
            ("rate", 4, "Quick and clear."),
            ("close",),
        ],
    ),
    (
        "funding",
        LEAD,
        Category.EXPERT,
        "finance-funding",
        "Which funding fits a renovation programme for schools?",
        "We are preparing a renovation programme for our schools. Where should we look for "
        "funding, and what do funders expect in the investment plan?",
        50,
        [
            ("reply", COORDINATOR, "A good start is the knowledge repository's resources on "
             "the investment plan. Which buildings and what budget are you thinking of?",
             "waiting"),
            ("city", "About twenty school buildings; the budget is still open."),
            ("reply", COORDINATOR, "Then describe the programme as one portfolio in the "
             "investment plan, with phases. Peer groups on finance are a good place to compare "
             "notes.", "resolved"),
            ("rate", 5, "Very helpful."),
            ("close",),
        ],
    ),
    (
        "seats",
        MEMBER,
        Category.EVENTS,
        None,
        "Can two of us register for the same event?",
        "A colleague and I would both like to attend the next national event.",
        20,
        [
            ("reply", COORDINATOR, "Yes, each of you registers. Some events take only a few "
             "people per city: the event's page says how many.", "resolved"),
            ("rate", 3, ""),
            ("close",),
        ],
    ),
    (
        "draft",
        LEAD,
        Category.APPLICATIONS,
        None,
        "Where is our application draft?",
        "I started an application last week and cannot find it again.",
        3,
        [
            ("reply", COORDINATOR, "Your city's applications are listed on the Exchanges "
             "card of My city; the draft is there.", "resolved"),
            ("rate", 5, "Found it, thank you."),
        ],
    ),
    (
        "registration",
        MEMBER,
        Category.EVENTS,
        None,
        "I am on the waitlist: will I be told?",
        "I joined the waitlist of an event. Do I need to check every day?",
        2,
        [
            ("reply", COORDINATOR, "You are told by a notification and an email when a place "
             "is offered to you. Which event is it, so we can check the list?", "waiting"),
        ],
    ),
    (
        "heat",
        LEAD,
        Category.EXPERT,
        "energy-systems",
        "Where do we start with a heat plan?",
        "Our council asked for a heat plan for the city centre. What are the first steps?",
        1,
        [
            ("note", EXPERT, "Sample internal note: check the city's self-assessment (energy "
             "systems) before answering."),
            ("reply", EXPERT, "A first step is mapping today's heat demand and supply. Do you "
             "have data on the buildings' heating?", "open"),
        ],
    ),
    (
        "colleague",
        MEMBER,
        Category.PORTAL,
        None,
        "How do I add a colleague to our city team?",
        "A colleague from the mobility department would like to join us here.",
        0,
        [],
    ),
]  # fmt: skip


def load_helpdesk(
    people: Mapping[str, Any], *, actor: Any, today: dt.date | None = None
) -> Counter:
    """Create what is missing of the demo helpdesk. `people` maps the demo emails to users;
    `actor` (a coordinator) writes the configuration and the FAQ. Returns what was created,
    counted by kind."""
    today = today or timezone.localdate()
    report: Counter = Counter()
    _settings(actor, today, report)
    queues = _queues(people, actor, report)
    _rules(queues, actor, report)
    _faq(actor, report)
    _canned(queues, actor, report)
    _tickets(people, report)
    return report


def _settings(actor: Any, today: dt.date, report: Counter) -> None:
    rows: list[Any] = []
    if not WorkingTime.objects.exists():
        rows.append(
            WorkingTime(
                time_zone="Europe/Brussels",
                work_days="0,1,2,3,4",
                day_starts=dt.time(9),
                day_ends=dt.time(17),
            )
        )
        report["working time"] += 1
    levels = set(ServiceLevel.objects.values_list("priority", flat=True))
    for priority, (first, resolution) in LEVELS.items():
        if priority not in levels:
            rows.append(
                ServiceLevel(
                    priority=priority, first_response_hours=first, resolution_hours=resolution
                )
            )
            report["service levels"] += 1
    year = today.year + 1
    taken = set(Holiday.objects.values_list("date", flat=True))
    for month, day in HOLIDAYS:
        date = dt.date(year, month, day)
        if date not in taken:
            rows.append(Holiday(date=date, name="Sample holiday"))
            report["sample holidays"] += 1
    if rows:
        services.save_settings(rows, actor=actor, what="demo")


def _queues(people: Mapping[str, Any], actor: Any, report: Counter) -> dict[str, Queue]:
    queues = {q.slug: q for q in Queue.objects.filter(slug__in=[row[0] for row in QUEUES])}
    has_default = Queue.objects.filter(is_default=True).exists()
    for slug, name, description, experts, default in QUEUES:
        if slug in queues:
            continue
        queue = Queue(
            slug=slug, name=name, description=description, is_default=default and not has_default
        )
        services.save_settings([queue], actor=actor, what="demo queue")
        queue.experts.add(*[_person(people, email) for email in experts])
        queues[slug] = queue
        report["queues"] += 1
    return queues


def _rules(queues: dict[str, Queue], actor: Any, report: Counter) -> None:
    terms = {t.slug: t for t in Term.objects.filter(kind__in=[Term.Kind.FIELD, Term.Kind.LEVER])}
    existing = set(RoutingRule.objects.values_list("category", "term__slug"))
    rules = []
    for category, slug, queue in RULES:
        if (category, slug) in existing:
            continue
        if slug is not None and slug not in terms:
            raise DemoError(f"No field of action or lever {slug!r}: load the taxonomy.")
        term = terms[slug] if slug else None
        rules.append(RoutingRule(category=category, term=term, queue=queues[queue]))
    if rules:
        services.save_settings(rules, actor=actor, what="demo routing rules")
        report["routing rules"] += len(rules)


def _faq(actor: Any, report: Counter) -> None:
    existing = set(FaqEntry.objects.values_list("slug", flat=True))
    for position, (slug, category, question, answer) in enumerate(FAQ, start=1):
        if slug in existing:
            continue
        entry = FaqEntry(
            slug=slug,
            category=category,
            question=question,
            answer=answer,
            position=position * 10,
            status=FaqEntry.Status.PUBLISHED,
        )
        services.save_faq_entry(entry, actor=actor)
        report["FAQ entries"] += 1


def _canned(queues: dict[str, Queue], actor: Any, report: Counter) -> None:
    existing = set(CannedReply.objects.values_list("title", flat=True))
    rows = [
        CannedReply(
            title=title, body=body, queue=queues[queue] if queue else None, created_by=actor
        )
        for title, queue, body in CANNED
        if title not in existing
    ]
    if rows:
        services.save_settings(rows, actor=actor, what="demo canned replies")
        report["canned replies"] += len(rows)


# --- sample tickets --------------------------------------------------------------------------


def sample_subject(subject: str) -> str:
    return f"{subject} {SAMPLE}"


def _tickets(people: Mapping[str, Any], report: Counter) -> None:
    lead = _person(people, LEAD)
    city = _city_of(lead)
    existing = set(
        Ticket.objects.filter(subject__endswith=SAMPLE).values_list("subject", flat=True)
    )
    terms = {t.slug: t for t in Term.objects.filter(kind__in=[Term.Kind.FIELD, Term.Kind.LEVER])}
    for _key, asker, category, term, subject, description, days_ago, steps in TICKETS:
        subject = sample_subject(subject)
        if subject in existing:
            continue
        person = _person(people, asker)
        ticket = services.open_ticket(
            actor=person,
            city=city,
            category=category,
            term=terms.get(term) if term else None,
            subject=subject,
            description=description,
        )
        for step in steps:
            _step(ticket, person, step, people)
        _backdate(ticket, days_ago)
        report["sample tickets"] += 1


def _step(ticket: Ticket, asker: Any, step: tuple, people: Mapping[str, Any]) -> None:
    kind = step[0]
    if kind == "reply":
        who, body, status = step[1:]
        services.reply_as_helpdesk(ticket, actor=_person(people, who), body=body, status=status)
    elif kind == "note":
        services.reply_as_helpdesk(ticket, actor=_person(people, step[1]), body=step[2], note=True)
    elif kind == "city":
        services.reply_as_city(ticket, actor=asker, body=step[1])
    elif kind == "rate":
        services.rate(ticket, actor=asker, rating=step[1], comment=step[2])
    elif kind == "close":
        services.change_ticket(
            ticket, actor=_person(people, COORDINATOR), status=Ticket.Status.CLOSED
        )


TICKET_MOMENTS = (
    "created",
    "received_at",
    "first_response_due",
    "resolution_due",
    "first_response_at",
    "waiting_since",
    "resolved_at",
    "closed_at",
    "rated_at",
)


def _backdate(ticket: Ticket, days: int) -> None:
    """Move a sample ticket and its conversation `days` back in time, so that the metrics page
    shows a few months and the queues tickets of different ages. The services write "now";
    this is the one place the demo writes around them (a queryset update of the moments
    only: statuses, due times relative to each other and the working seconds the clock
    counted stay as the services left them)."""
    if not days:
        return
    delta = dt.timedelta(days=days)
    Ticket.objects.filter(pk=ticket.pk).update(**{name: F(name) - delta for name in TICKET_MOMENTS})
    Message.objects.filter(ticket=ticket).update(created=F("created") - delta)


def summary(report: Counter) -> list[str]:
    if not report:
        return ["Sample helpdesk: already there."]
    parts = ", ".join(f"{count} {kind}" for kind, count in sorted(report.items()))
    return [f"Sample helpdesk: {parts}."]

"""The demo's helpdesk: loaded through the services, sample content throughout, the FAQ in the
search, and loaded once however often the loader runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from netzerohub.accounts.tests.factories import (
    CoordinatorFactory,
    HelpdeskExpertFactory,
    UserFactory,
)
from netzerohub.cities.models import City, Membership
from netzerohub.cities.tests.factories import CityFactory, CountryFactory, MembershipFactory
from netzerohub.core.models import Term
from netzerohub.core.search.engine import search
from netzerohub.helpdesk import demo, services
from netzerohub.helpdesk.models import (
    CannedReply,
    Category,
    FaqEntry,
    Holiday,
    Message,
    Queue,
    RoutingRule,
    ServiceLevel,
    Ticket,
    WorkingTime,
)
from netzerohub.helpdesk.policies import visible_tickets

pytestmark = pytest.mark.django_db
S = Ticket.Status
MODELS = [
    WorkingTime, ServiceLevel, Holiday, Queue, RoutingRule, FaqEntry, CannedReply, Ticket, Message,
]  # fmt: skip


@pytest.fixture
def people():
    """The demo people in the demo city (Gent, a participating city)."""
    CountryFactory(code="BE", name="Belgium")
    gent = CityFactory(name="Gent", country__code="BE", status=City.Status.PARTICIPATING)
    users = {
        "coordinator@example.org": CoordinatorFactory(email="coordinator@example.org"),
        "expert@example.org": HelpdeskExpertFactory(email="expert@example.org"),
    }
    for email, extra in [
        ("lead@example.org", {"role": Membership.Role.LEAD}),
        ("member@example.org", {}),
    ]:
        users[email] = UserFactory(email=email, name=email.split("@")[0].title())
        MembershipFactory(user=users[email], city=gent, **extra)
    return users


def load(people):
    return demo.load_helpdesk(people, actor=people["coordinator@example.org"])


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_demo_loads_once_however_often_it_runs(people):
    report = load(people)
    first = counts()
    assert report["sample tickets"] == len(demo.TICKETS) == first["Ticket"]
    assert first["WorkingTime"] == 1 and first["ServiceLevel"] == 4
    assert first["Queue"] == 4 and first["CannedReply"] == 3
    assert 8 <= first["FaqEntry"] <= 10
    assert load(people) == {}
    assert counts() == first
    assert demo.summary({}) == ["Sample helpdesk: already there."]


def test_the_settings_are_the_demos(people):
    load(people)
    setting = WorkingTime.objects.get()
    assert (setting.time_zone, setting.days) == ("Europe/Brussels", frozenset(range(5)))
    assert (setting.day_starts, setting.day_ends) == (dt.time(9), dt.time(17))
    levels = {
        s.priority: (s.first_response_hours, s.resolution_hours) for s in ServiceLevel.objects.all()
    }
    assert levels == {"urgent": (4, 16), "high": (8, 24), "normal": (16, 40), "low": (24, 80)}
    holidays = Holiday.objects.all()
    assert holidays and all(h.name == "Sample holiday" for h in holidays)
    assert all(h.date.year == timezone.localdate().year + 1 for h in holidays)


def test_every_category_and_theme_is_routed(people):
    load(people)
    queues = {q.slug: q for q in Queue.objects.all()}
    assert Queue.objects.get(is_default=True).slug == "portal"
    for category in Category.values:
        assert services.route(category, None) is not None
    theme = {t.slug: t.pk for t in Term.objects.all()}
    assert services.route("expert", theme["energy-systems"]) == queues["expert-energy"]
    assert services.route("expert", theme["built-environment"]) == queues["expert-energy"]
    assert services.route("expert", theme["finance-funding"]) == queues["expert-finance"]
    assert services.route("expert", theme["governance-policy"]) == queues["expert-finance"]
    assert services.route("expert", theme["mobility-transport"]) == queues["portal"]
    assert services.route("events", None) == queues["events-applications"]
    assert services.route("applications", None) == queues["events-applications"]


def test_the_faq_is_published_and_found_by_the_search(people):
    load(people)
    assert FaqEntry.objects.published().count() == FaqEntry.objects.count()
    for query, slug in [
        ("waitlist", "how-the-waitlist-works"),
        ("recovery codes", "lost-authenticator-app"),
        ("peer discussion group", "join-a-peer-group"),
    ]:
        found = search("helpdesk.faqentry", audiences=["public"], query=query)
        entry = FaqEntry.objects.get(slug=slug)
        assert entry.pk in found.object_ids, query


def test_every_sample_ticket_is_marked_and_the_life_of_a_ticket_is_shown(people):
    load(people)
    tickets = list(Ticket.objects.all())
    assert all(t.subject.endswith(demo.SAMPLE) for t in tickets)
    assert {t.status for t in tickets} >= {S.NEW, S.OPEN, S.WAITING, S.RESOLVED, S.CLOSED}
    assert any(t.status == S.RESOLVED and t.rating for t in tickets)
    gent = City.objects.get(name="Gent")
    assert all(t.city == gent for t in tickets)
    askers = {t.requester.email for t in tickets}
    assert askers == {"lead@example.org", "member@example.org"}
    assert Message.objects.filter(kind=Message.Kind.NOTE).count() == 1
    assert Message.objects.filter(kind=Message.Kind.REPLY, from_city=False).exists()
    # the metrics page has a few months to show
    oldest = min(t.created for t in tickets)
    assert timezone.now() - oldest > dt.timedelta(days=60)
    for ticket in tickets:
        first = ticket.messages.order_by("created").first()
        assert abs(first.created - ticket.created) < dt.timedelta(minutes=1)


def test_the_demo_expert_has_tickets_in_their_queues(people):
    load(people)
    expert = people["expert@example.org"]
    assert Ticket.objects.in_queues(expert.helpdesk_queues.all()).exists()
    assert visible_tickets(expert).active().exists()
    assert Queue.objects.get(slug="expert-energy").experts.filter(pk=expert.pk).exists()

"""The demo's sample exchanges: loaded through the services, sample content throughout, windows
counted from the load day, and loaded once however often the loader runs."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from netzerohub.accounts.tests.factories import CoordinatorFactory, UserFactory
from netzerohub.cities.models import City, Membership
from netzerohub.cities.tests.factories import CityFactory, CountryFactory, MembershipFactory
from netzerohub.core.models import AuditLog
from netzerohub.events.models import Event
from netzerohub.events.policies import event_policy
from netzerohub.events.services import validate_event
from netzerohub.exchanges import demo, eligibility
from netzerohub.exchanges.models import (
    Activity,
    Application,
    Call,
    HostOffer,
    Pair,
    Question,
    Review,
    ReviewCriterion,
)
from netzerohub.exchanges.policies import application_policy, pair_policy

pytestmark = pytest.mark.django_db

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
TWINNING = "sample-twinning-learning-programme"
VISITS = "sample-group-study-visits"
BILATERAL = "sample-bilateral-twinning"


@pytest.fixture
def people():
    """The demo people the file names, in the demo's cities (Gent, a participating city without
    a target year, and the Mission City Lund)."""
    for code in ("BE", "SE"):
        CountryFactory(code=code, name=f"Country {code}")
    gent = CityFactory(name="Gent", country__code="BE", status=City.Status.PARTICIPATING)
    lund = CityFactory(name="Lund", country__code="SE", status=City.Status.MISSION)
    users = {"coordinator@example.org": CoordinatorFactory(email="coordinator@example.org")}
    for email, city, extra in [
        ("mentor@example.org", lund, {"is_mentor": True}),
        ("lead@example.org", gent, {"role": Membership.Role.LEAD}),
        ("member@example.org", gent, {}),
    ]:
        users[email] = UserFactory(email=email, name=email.split("@")[0].title())
        MembershipFactory(user=users[email], city=city, **extra)
    return users


def load(people, **kwargs):
    return demo.load_exchanges(people, actor=people["coordinator@example.org"], **kwargs)


def counts() -> dict[str, int]:
    return {
        "calls": Call.objects.count(),
        "questions": Question.objects.count(),
        "criteria": ReviewCriterion.objects.count(),
        "offers": HostOffer.objects.count(),
        "study visits": Event.objects.filter(kind=Event.Kind.STUDY_VISIT).count(),
        "applications": Application.objects.count(),
        "reviews": Review.objects.count(),
        "pairs": Pair.objects.count(),
        "activities": Activity.objects.count(),
        "audit": AuditLog.objects.filter(action__startswith="exchanges.").count(),
    }


def test_the_demo_loads_once(people):
    report = load(people)
    assert (report["calls"], report["offers"], report["study visits"]) == (3, 1, 1)
    assert (report["applications"], report["applications accept"], report["reviews"]) == (2, 1, 1)
    assert (report["pairs proposed"], report["pairs published"], report["activities"]) == (1, 1, 1)
    first = counts()
    assert first == {
        "calls": 3,
        "questions": 7 + 6 + 7,
        "criteria": 3 + 2 + 2,
        "offers": 1,
        "study visits": 1,
        "applications": 2,
        "reviews": 1,
        "pairs": 1,
        "activities": 1,
        "audit": first["audit"],
    }
    again = load(people)
    assert counts() == first  # nothing new, nothing audited again
    assert (again["calls"], again["calls already there"]) == (0, 3)
    assert sum(again.values()) == 3
    assert demo.summary(again)[0].startswith("Sample exchange calls: 0 created, 3 already there")


def test_every_call_is_valid_sample_content(people):
    load(people)
    for call in Call.objects.all():
        call.full_clean()
        assert call.is_sample
        assert call.status == Call.Status.PUBLISHED
        assert "written for the NetZero Hub demo" in call.information
        assert "describes no real city's work" in call.information
        assert "(sample)" in call.title
        assert list(call.reviewers.values_list("email", flat=True)) == ["coordinator@example.org"]
        assert call.created_by == people["coordinator@example.org"]
    for application in Application.objects.all():
        motivation = application.call.questions.get(kind="motivation")
        assert "written for the NetZero Hub demo" in application.answers[str(motivation.pk)]


def test_windows_are_counted_from_the_load_day_in_brussels(people):
    today = timezone.localdate()
    load(people, today=today)
    twinning = Call.objects.get(slug=TWINNING)
    opens, closes = twinning.opens_at.astimezone(BRUSSELS), twinning.closes_at.astimezone(BRUSSELS)
    assert (opens.date(), opens.time()) == (today - dt.timedelta(days=20), dt.time(0, 0))
    assert (closes.date(), closes.time()) == (today + dt.timedelta(days=40), dt.time(23, 59))
    assert twinning.is_open()
    visits = Call.objects.get(slug=VISITS)
    closes = visits.closes_at.astimezone(BRUSSELS)
    assert (closes.date(), closes.time()) == (today - dt.timedelta(days=10), dt.time(23, 59))
    assert visits.phase() == "closed"
    assert Call.objects.get(slug=BILATERAL).is_open()


def test_the_twinning_call_has_its_rules_questions_criteria_and_default_weights(people):
    load(people)
    call = Call.objects.get(slug=TWINNING)
    assert call.kind == Call.Kind.TWINNING_PROGRAMME
    rules = list(call.rules.order_by("position"))
    assert [r.kind for r in rules] == [
        "country-eligible",
        "not-mission-pilot-twin",
        "target-year",
        "hours",
        "representatives",
    ]
    assert (rules[2].year, rules[3].minimum) == (2050, 12)
    assert [q.kind for q in call.questions.order_by("position")] == [
        "motivation",
        "fields",
        "levers",
        "challenges",
        "languages",
        "representatives",
        "hours",
    ]
    assert [c.weight for c in call.criteria.order_by("position")] == [3, 2, 2]
    assert call.match_weights == {
        "fields": 3,
        "levers": 2,
        "language": 2,
        "population": 1,
        "distance": 1,
        "challenges": 1,
    }


def test_gent_is_told_to_set_its_target_year_and_its_profile_is_left_alone(people):
    load(people)
    gent = City.objects.get(name="Gent")
    assert gent.target_year is None
    call = Call.objects.get(slug=TWINNING)
    assert not Application.objects.filter(call=call).exists()
    failed = eligibility.failures(eligibility.check(eligibility.rules_of(call), gent))
    assert [c.fix for c in failed] == ["Set your target year on the city profile."]


def test_the_demo_lead_has_a_draft_to_show_the_form(people):
    load(people)
    draft = Application.objects.get(call__slug=BILATERAL)
    assert draft.status == Application.Status.DRAFT
    assert draft.city.name == "Gent"
    assert draft.created_by == people["lead@example.org"]
    assert application_policy.can(people["lead@example.org"], "edit", draft)
    assert sorted(q.kind for q in draft.call.questions.filter(pk__in=map(int, draft.answers))) == [
        "fields",
        "levers",
        "motivation",
    ]
    assert [t.slug for t in draft.fields.all()] == ["built-environment"]


def test_study_visits_offer_application_pair_and_visit(people):
    today = timezone.localdate()
    load(people, today=today)
    call = Call.objects.get(slug=VISITS)
    offer = HostOffer.objects.get(call=call)
    assert (offer.city.name, offer.capacity) == ("Lund", 3)
    assert offer.created_by == people["mentor@example.org"]
    assert "Sample offer written for the NetZero Hub demo" in offer.challenges
    application = Application.objects.get(call=call)
    assert (application.city.name, application.status) == ("Gent", Application.Status.ACCEPTED)
    assert call.opens_at < application.submitted_at < call.closes_at  # handed in while open
    assert application.hours_per_month == 6
    assert Review.objects.get(application=application).reviewer == people["coordinator@example.org"]
    pair = Pair.objects.get(call=call)
    assert (pair.application, pair.offer) == (application, offer)
    assert pair.status == Pair.Status.PUBLISHED
    assert pair.score > 0
    assert call.matches_published_at is not None
    activity = pair.activities.get()
    assert activity.author == people["lead@example.org"]
    assert "no such meeting took place" in activity.description
    for person in ("lead@example.org", "member@example.org", "mentor@example.org"):
        assert pair_policy.can(people[person], "view", pair)
    visit = Event.objects.get(kind=Event.Kind.STUDY_VISIT)
    validate_event(visit)
    visit.full_clean()
    assert visit.offer == offer
    assert visit.is_sample
    assert visit.audience == Event.Audience.CALL
    assert visit.status == Event.Status.PUBLISHED
    assert 30 <= (visit.starts_at.date() - today).days <= 40
    stockholm = zoneinfo.ZoneInfo("Europe/Stockholm")
    first, last = visit.starts_at.astimezone(stockholm), visit.ends_at.astimezone(stockholm)
    assert (first.time(), last.time()) == (dt.time(9, 30), dt.time(12, 0))
    assert last.date() - first.date() == dt.timedelta(days=1)  # two working days
    assert first.weekday() < 4
    assert not demo._working(dt.date(2026, 12, 31))
    assert not demo._working(dt.date(2027, 1, 1))
    assert demo._working(dt.date(2027, 1, 4))
    assert "written for the NetZero Hub demo" in visit.agenda
    assert event_policy.can(people["mentor@example.org"], "manage", visit)

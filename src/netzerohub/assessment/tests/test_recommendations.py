"""The ranking of recommendations, worked out by hand (see recommendations.py for the rule),
the coordinators' weights, and what may never be recommended."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from netzerohub.assessment import authoring, recommendations, results
from netzerohub.assessment.models import Assessment
from netzerohub.assessment.tests.factories import submitted, uniform
from netzerohub.cities.tests.factories import CountryFactory
from netzerohub.community.models import Group
from netzerohub.community.tests.factories import GroupFactory
from netzerohub.events.models import Event
from netzerohub.events.tests.factories import EventFactory
from netzerohub.knowledge.tests.factories import ResourceFactory, term
from netzerohub.learning.indexing import reindex_course
from netzerohub.learning.models import Enrolment, Status
from netzerohub.learning.tests.factories import CourseFactory, PathwayFactory, StepFactory

pytestmark = pytest.mark.django_db


def course(title, *, fields=(), levers=(), step=None, **kwargs):
    made = CourseFactory(title=title, indexed=False, **kwargs)
    made.fields.set([term("field", s) for s in fields])
    made.levers.set([term("lever", s) for s in levers])
    if step:
        made.step = term("step", step)
        made.save()
    reindex_course(made)
    return made


@pytest.fixture
def finance_gap(questionnaire, city, lead):
    """Every answer at 4 except finance (all 0) and mobility & transport (level 1)."""
    levels = uniform(questionnaire, 4)
    for key in levels:
        if key.startswith("finance-"):
            levels[key] = 0
    levels["fields-mobility-transport"] = 1
    done = submitted(city, lead, overrides=levels)
    return Assessment.objects.select_related("city", "country", "questionnaire").get(pk=done.pk)


def recommended(assessment, user):
    return recommendations.recommend(results.build(assessment), user)


def test_the_ranking_and_its_reasons_worked_by_hand(finance_gap, lead):
    # finance (score 0) has one tag, its lever: demand(finance-funding) = 1 × 1 × 1 / 1 = 1.
    # mobility & transport, level 1: its question gives demand(field) = (4 − 1) / 4 = 0.75.
    # fields (score 100 × 25/28 = 89.3) shares 0.107 over act, technology and governance.
    money = course("Climate budgeting", levers=["finance-funding"])
    both = course("Funding transport", levers=["finance-funding"], fields=["mobility-transport"])
    transport = course("Low-traffic streets", fields=["mobility-transport"])
    course("A mandate in council", step="build-a-strong-mandate")  # mandate is at 100
    found = recommended(finance_gap, lead)["course"]
    assert [r.title for r in found] == [
        "Funding transport",
        "Climate budgeting",
        "Low-traffic streets",
    ]
    by_title = {r.title: r for r in found}
    # (1 + 0.75) / √2 = 1.237; 1 / √1 = 1; 0.75 / √1 = 0.75
    assert by_title["Funding transport"].relevance == pytest.approx(1.75 / 2**0.5)
    assert by_title["Climate budgeting"].relevance == pytest.approx(1.0)
    assert by_title["Low-traffic streets"].relevance == pytest.approx(0.75)
    assert by_title["Climate budgeting"].reason == (
        "Your score in “Finance and investment” is 0 of 100."
    )
    assert by_title["Low-traffic streets"].reason.startswith(
        "Your readiness in Mobility & transport is level 1 of 4"
    )
    assert by_title["Funding transport"].matches == ["Finance & funding", "Mobility & transport"]
    assert money.pk in {r.pk for r in found} and both.pk == found[0].pk and transport


def test_weights_of_coordinators_change_the_ranking(
    finance_gap, lead, coordinator, django_capture_on_commit_callbacks
):
    course("Climate budgeting", levers=["finance-funding"])
    course("Low-traffic streets", fields=["mobility-transport"])
    authoring.save_weights(
        actor=coordinator, weights={("dimension", "fields"): Decimal(2)}
    )  # 2 × 0.75 = 1.5 > 1
    titles = [r.title for r in recommended(finance_gap, lead)["course"]]
    assert titles == ["Low-traffic streets", "Climate budgeting"]
    with django_capture_on_commit_callbacks(execute=True):  # saving forgets the cached weights
        authoring.save_weights(
            actor=coordinator, weights={("lever", "finance-funding"): Decimal(0)}
        )
    titles = [r.title for r in recommended(finance_gap, lead)["course"]]
    assert titles == ["Low-traffic streets"]


def test_a_field_that_does_not_apply_asks_for_nothing(questionnaire, city, lead):
    levels = uniform(questionnaire, 4)
    levels["fields-industrial-processes"] = None
    done = submitted(city, lead, overrides=levels)
    course("Industrial heat", fields=["industrial-processes"])
    found = recommended(Assessment.objects.get(pk=done.pk), lead)
    assert found["course"] == []


def test_nothing_unpublished_or_unreadable_is_recommended(finance_gap, lead, outsider):
    course("Draft course", levers=["finance-funding"], status=Status.DRAFT)
    course("Archived course", levers=["finance-funding"], status=Status.ARCHIVED)
    ResourceFactory(title="Draft guide", levers=["finance-funding"], draft=True)
    ResourceFactory(title="Members' guide", levers=["finance-funding"], members_only=True)
    ResourceFactory(title="Public guide", levers=["finance-funding"])
    PathwayFactory(title="Draft pathway", status=Status.DRAFT)
    found = recommended(finance_gap, lead)
    assert found["course"] == []
    assert [r.title for r in found["resource"]] == ["Members' guide", "Public guide"]
    # Someone who may not read members-only resources would not get it (the rule is the
    # knowledge repository's own `readable_by`).
    titles = [r.title for r in recommended(finance_gap, outsider)["resource"]]
    assert titles == ["Public guide"]


def test_a_pathway_takes_the_tags_of_its_steps(finance_gap, lead):
    money = course("Climate budgeting", levers=["finance-funding"])
    pathway = PathwayFactory(title="Finance first")
    StepFactory(pathway=pathway, course=money)
    StepFactory(
        pathway=PathwayFactory(title="Mandate"),
        course=course("Council", step="build-a-strong-mandate"),
    )
    found = recommended(finance_gap, lead)["pathway"]
    assert [r.title for r in found] == ["Finance first"]
    assert found[0].reason == "Your score in “Finance and investment” is 0 of 100."


def test_following_a_recommended_pathway_is_one_click(
    client, finance_gap, lead, django_capture_on_commit_callbacks
):
    money = course("Climate budgeting", levers=["finance-funding"])
    pathway = PathwayFactory(title="Finance first")
    StepFactory(pathway=pathway, course=money)
    client.force_login(lead)
    body = client.get(finance_gap.get_absolute_url()).content.decode()
    action = reverse("learning:pathway-enrol", args=[pathway.key])
    assert f'action="{action}"' in body
    with django_capture_on_commit_callbacks(execute=True):  # enrolling bumps the person's
        client.post(action)  # version, which names the cached result page
    assert Enrolment.objects.filter(user=lead, pathway=pathway).exists()
    body = client.get(finance_gap.get_absolute_url()).content.decode()
    assert "You follow this pathway — continue" in body


# --- peer groups and events ------------------------------------------------------------------


def test_open_peer_groups_on_the_needed_themes_are_recommended(finance_gap, lead):
    finance = GroupFactory(title="Innovative financing", theme=term("lever", "finance-funding"))
    transport = GroupFactory(title="Streets", theme=term("field", "mobility-transport"))
    GroupFactory(title="A draft", theme=finance.theme, status=Group.Status.DRAFT)
    GroupFactory(title="Full up", theme=finance.theme, status=Group.Status.CLOSED)
    found = recommended(finance_gap, lead)["group"]
    # finance-funding: demand 1 (one tag each, so relevance = demand); mobility: 0.75
    assert [r.title for r in found] == ["Innovative financing", "Streets"]
    assert found[0].reason == "Your score in “Finance and investment” is 0 of 100."
    assert found[0].url == reverse("community:group", args=[finance.slug])
    assert transport.pk == found[1].pk


def test_events_recommended_only_while_they_take_registrations_from_the_city(finance_gap, lead):
    lever = term("lever", "finance-funding")

    def event(title, **kwargs):
        made = EventFactory(title=title, **kwargs)
        made.levers.set([lever])
        return made

    event("Open to all")
    event("Our country", audience=Event.Audience.COUNTRY, country=finance_gap.city.country)
    event("Another country", audience=Event.Audience.COUNTRY, country=CountryFactory())
    invited = event("Invited", audience=Event.Audience.INVITED)
    invited.invited_cities.add(finance_gap.city)
    event("Not invited", audience=Event.Audience.INVITED)
    event("Closed", registration_deadline=timezone.now() - dt.timedelta(hours=1))
    event("Past", starts_at=timezone.now() - dt.timedelta(days=2))
    event("Draft", status=Event.Status.DRAFT)
    event("Cancelled", status=Event.Status.CANCELLED)
    found = recommended(finance_gap, lead)["event"]
    assert sorted(r.title for r in found) == ["Invited", "Open to all", "Our country"]
    assert all(r.starts_at is not None for r in found)


def test_the_result_page_lists_groups_and_events(client, finance_gap, lead):
    GroupFactory(title="Innovative financing", theme=term("lever", "finance-funding"))
    EventFactory(title="Finance day").levers.set([term("lever", "finance-funding")])
    client.force_login(lead)
    body = client.get(reverse("assessment:result", args=[finance_gap.pk])).content.decode()
    assert "Innovative financing" in body and "See the group and join" in body
    assert "Finance day" in body and "See the event and register" in body

"""From insight to activity: a survey result turned into a draft peer group or a draft event in
one click, prefilled from the result; bad ids a message and nothing made; coordinators only."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from netzerohub.cities.tests.factories import CityFactory, LeadFactory
from netzerohub.community.models import Group
from netzerohub.core.models import AuditLog, Term
from netzerohub.events.models import Event
from netzerohub.surveys import answering, services
from netzerohub.surveys.models import Option, Question, Survey

from .factories import question, sample_survey

pytestmark = pytest.mark.django_db


def q(survey: Survey, key: str) -> Question:
    return Question.objects.get(survey=survey, key=key)


def opt(survey: Survey, key: str, label: str) -> Option:
    return q(survey, key).options.get(label=label)


def respond(survey: Survey, answers: dict[str, list[str]], *, submit: bool = True):
    place = CityFactory(status="mission")
    person = LeadFactory(city=place).user
    response = services.start_response(survey, actor=person, city=place)
    for key, labels in answers.items():
        data = {"option": [str(opt(survey, key, label).pk) for label in labels]}
        services.save_answer(response, q(survey, key), data, actor=person)
    if submit:
        services.submit_response(response, actor=person)
    return response


@pytest.fixture
def survey():
    survey = sample_survey(title="Needs 2027", slug="needs-2027")
    question(
        survey.sections.get(title="Needs"),
        "multiple",
        "Which topics matter?",
        key="topics",
        options=["Energy systems", "Heat pumps"],
    )
    respond(survey, {"plan": ["Yes"], "fields": ["Energy systems"], "formats": ["Twinning"]})
    respond(survey, {"plan": ["No"], "levers": ["Finance & funding"], "formats": ["Twinning"]})
    respond(
        survey,
        {
            "plan": ["No"],
            "fields": ["Built environment"],
            "levers": ["Finance & funding", "Governance & policy"],
        },
    )
    respond(survey, {"plan": ["No"], "fields": ["Energy systems"]}, submit=False)  # not counted
    return survey


def post(client, survey, kind: str, question_id, option_id):
    return client.post(
        reverse(f"surveys:draft-{kind}", args=[survey.slug]),
        {"question": question_id, "option": option_id},
    )


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_peer_group_is_drafted_from_a_field_of_action(client, coordinator, survey):
    client.force_login(coordinator)
    energy = opt(survey, "fields", "Energy systems")
    response = post(client, survey, "group", energy.question_id, energy.pk)
    group = Group.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("community:group-edit", args=[group.slug])
    assert group.status == Group.Status.DRAFT
    assert group.title == "Peer group: Energy systems"
    assert group.slug == "peer-group-energy-systems"
    assert group.theme == Term.objects.get(kind="field", slug="energy-systems")
    assert group.summary == "For the cities that chose “Energy systems” in the survey “Needs 2027”."
    assert group.description == (
        "In the survey “Needs 2027”, 1 of the 2 cities that answered “Fields where you need "
        "support” (50 %) chose “Energy systems”."
    )
    assert group.created_by == coordinator
    assert said(response) == [
        "Draft peer group “Peer group: Energy systems” made from the survey’s results: "
        "complete it and open it."
    ]
    created = AuditLog.objects.get(action="community.group.created")
    assert (created.actor, created.target_id) == (coordinator, str(group.pk))
    drafted = AuditLog.objects.get(action="surveys.draft.created")
    assert drafted.target_id == str(survey.pk)
    assert drafted.data == {
        "kind": "community.group",
        "id": group.pk,
        "question": "fields",
        "option": "Energy systems",
    }


def test_a_second_draft_of_the_same_group_gets_its_own_address(client, coordinator, survey):
    client.force_login(coordinator)
    energy = opt(survey, "fields", "Energy systems")
    post(client, survey, "group", energy.question_id, energy.pk)
    post(client, survey, "group", energy.question_id, energy.pk)
    assert sorted(Group.objects.values_list("slug", flat=True)) == [
        "peer-group-energy-systems",
        "peer-group-energy-systems-2",
    ]


def test_an_option_named_as_a_field_gives_the_group_its_theme(client, coordinator, survey):
    client.force_login(coordinator)
    named = opt(survey, "topics", "Energy systems")  # a multiple choice's own option
    post(client, survey, "group", named.question_id, named.pk)
    group = Group.objects.get()
    assert group.theme.slug == "energy-systems"
    assert "0 of the 0 cities that answered “Which topics matter?” (0 %)" in group.description


def test_a_group_needs_a_field_or_lever(client, coordinator, survey):
    client.force_login(coordinator)
    twinning = opt(survey, "formats", "Twinning")
    response = post(client, survey, "group", twinning.question_id, twinning.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:analytics", args=[survey.slug])
    assert said(response) == [
        "A peer group works on a field of action or a lever of change, and “Twinning” is "
        "neither: draft an event instead, or create the group and choose its theme."
    ]
    assert not Group.objects.exists()
    assert not AuditLog.objects.filter(action="surveys.draft.created").exists()


def test_an_event_is_drafted_from_any_choice(client, coordinator, survey):
    client.force_login(coordinator)
    twinning = opt(survey, "formats", "Twinning")
    response = post(client, survey, "event", twinning.question_id, twinning.pk)
    event = Event.objects.get()
    assert response["Location"] == reverse("events:event-edit", args=[event.pk])
    assert event.status == Event.Status.DRAFT
    assert event.kind == Event.Kind.NATIONAL
    assert event.format == Event.Format.ONLINE
    assert event.audience == Event.Audience.ALL
    assert event.title == "Twinning: a webinar for cities"
    assert event.summary == (
        "A webinar for the cities that chose “Twinning” in the survey “Needs 2027”."
    )
    assert event.agenda == (
        "In the survey “Needs 2027”, 2 of the 2 cities that answered “Which formats help "
        "you?” (100 %) chose “Twinning”."
    )
    assert list(event.fields.all()) == [] and list(event.levers.all()) == []
    zone_name = coordinator.time_zone or "Europe/Brussels"
    zone = zoneinfo.ZoneInfo(zone_name)
    starts = timezone.localtime(event.starts_at, zone)
    assert event.time_zone == zone_name
    assert starts.date() == timezone.localdate(timezone=zone) + dt.timedelta(weeks=4)
    assert (starts.hour, starts.minute) == (10, 0)
    assert event.ends_at - event.starts_at == dt.timedelta(minutes=90)
    assert said(response) == [
        "Draft event “Twinning: a webinar for cities” made from the survey’s results: "
        "complete it and publish it."
    ]
    assert AuditLog.objects.filter(action="events.event.created", actor=coordinator).count() == 1
    assert AuditLog.objects.get(action="surveys.draft.created").data["kind"] == "events.event"


def test_an_event_from_a_lever_has_that_lever(client, coordinator, survey):
    client.force_login(coordinator)
    finance = opt(survey, "levers", "Finance & funding")
    post(client, survey, "event", finance.question_id, finance.pk)
    event = Event.objects.get()
    assert [t.slug for t in event.levers.all()] == ["finance-funding"]
    assert list(event.fields.all()) == []
    assert "2 of the 2 cities that answered “Levers where you need support” (100 %)" in (
        event.agenda
    )


def test_a_survey_per_person_speaks_of_respondents(client, coordinator):
    survey = sample_survey(title="Staff poll", respondent=Survey.Respondent.PERSON)
    client.force_login(coordinator)
    energy = opt(survey, "fields", "Energy systems")
    post(client, survey, "event", energy.question_id, energy.pk)
    event = Event.objects.get()
    assert event.agenda.startswith("In the survey “Staff poll”, 0 of the 0 respondents who answ")
    assert [t.slug for t in event.fields.all()] == ["energy-systems"]


@pytest.mark.parametrize("kind", ["group", "event"])
@pytest.mark.parametrize(
    "case",
    ["option of another question", "question of another survey", "not a choice", "garbage", "none"],
)
def test_bad_ids_give_a_message_and_make_nothing(client, coordinator, survey, kind, case):
    other = sample_survey()
    energy = opt(survey, "fields", "Energy systems")
    ids = {
        "option of another question": (q(survey, "levers").pk, energy.pk),
        "question of another survey": (
            q(other, "fields").pk,
            opt(other, "fields", "Energy systems").pk,
        ),
        "not a choice": (q(survey, "capacity").pk, opt(survey, "capacity", "Data").pk),
        "garbage": ("1; drop table", "<b>"),
        "none": ("", ""),
    }[case]
    client.force_login(coordinator)
    response = post(client, survey, kind, *ids)
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:analytics", args=[survey.slug])
    assert said(response) == [
        "Choose an answer of one of this survey’s choice questions to draft from."
    ]
    assert not Group.objects.exists() and not Event.objects.exists()


@pytest.mark.parametrize("kind", ["group", "event"])
@pytest.mark.parametrize("who", ["member", "lead", "outsider", "helpdesk_expert"])
def test_only_coordinators_draft(client, survey, kind, who, request):
    client.force_login(request.getfixturevalue(who))
    energy = opt(survey, "fields", "Energy systems")
    assert post(client, survey, kind, energy.question_id, energy.pk).status_code == 404
    assert not Group.objects.exists() and not Event.objects.exists()


@pytest.mark.parametrize("kind", ["group", "event"])
def test_drafting_is_a_post(client, coordinator, survey, kind):
    client.force_login(coordinator)
    url = reverse(f"surveys:draft-{kind}", args=[survey.slug])
    assert client.get(url).status_code == 405
    assert not Group.objects.exists() and not Event.objects.exists()


def test_an_unknown_survey_is_not_found(client, coordinator, survey):
    client.force_login(coordinator)
    energy = opt(survey, "fields", "Energy systems")
    response = client.post(
        reverse("surveys:draft-event", args=["nothing"]),
        {"question": energy.question_id, "option": energy.pk},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("kind, most", [("group", 24), ("event", 25)])
def test_the_query_count_is_bounded(
    client, coordinator, survey, kind, most, django_assert_max_num_queries
):
    """Counted cold (the survey's structure and numbers not cached yet), with 3 responses and
    with 7: the same."""
    client.force_login(coordinator)
    energy = opt(survey, "fields", "Energy systems")
    cache.clear()
    with django_assert_max_num_queries(most):
        made = post(client, survey, kind, energy.question_id, energy.pk)
    assert "/edit/" in made["Location"]
    for _n in range(4):
        respond(survey, {"plan": ["No"], "fields": ["Energy systems"]})
    cache.clear()
    with django_assert_max_num_queries(most):
        made = post(client, survey, kind, energy.question_id, energy.pk)
    assert "/edit/" in made["Location"]
    assert Group.objects.count() + Event.objects.count() == 2


def _buttons(survey: Survey, key: str, label: str | None, coordinator) -> str:
    structure = answering.structure(survey.pk)
    found = next(x for x in structure.questions.all() if x.key == key)
    option = next(o for o in found.options.all() if label is None or o.label == label)
    request = RequestFactory().get("/")
    request.user = coordinator
    context = {"survey": survey, "question": found, "option": option}
    return render_to_string("surveys/analytics/_draft_buttons.html", context, request=request)


def test_the_buttons_name_the_option_and_post_its_ids(survey, coordinator):
    html = _buttons(survey, "fields", "Energy systems", coordinator)
    energy = opt(survey, "fields", "Energy systems")
    assert html.count('method="post"') == 2
    assert html.count('name="csrfmiddlewaretoken"') == 2
    assert f'action="{reverse("surveys:draft-group", args=[survey.slug])}"' in html
    assert f'action="{reverse("surveys:draft-event", args=[survey.slug])}"' in html
    assert html.count(f'name="question" value="{energy.question_id}"') == 2
    assert html.count(f'name="option" value="{energy.pk}"') == 2
    assert 'Draft a peer group<span class="visually-hidden"> on “Energy systems”</span>' in html
    assert 'Draft an event<span class="visually-hidden"> on “Energy systems”</span>' in html


def test_an_option_without_a_theme_offers_only_an_event(survey, coordinator):
    html = _buttons(survey, "formats", "Twinning", coordinator)
    assert "Draft a peer group" not in html
    assert 'Draft an event<span class="visually-hidden"> on “Twinning”</span>' in html


@pytest.mark.parametrize("key", ["capacity", "rank"])
def test_no_buttons_for_rows_and_ranked_items(survey, coordinator, key):
    assert _buttons(survey, key, None, coordinator).strip() == ""

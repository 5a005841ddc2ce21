"""The survey API: open surveys and a survey's definition (public; drafts only for
coordinators), my response in the answers' own format, saving one answer and submitting through
the services; bad input refused with the portal's message (400 for the answer, 409 for the
survey's state), another city's response a 404, budgets per hour, pinned query counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from netzerohub.accounts.services import create_api_token
from netzerohub.cities.tests.factories import MembershipFactory
from netzerohub.core.ratelimit import hit
from netzerohub.surveys import api as surveys_api
from netzerohub.surveys import services
from netzerohub.surveys.models import Answer, Question, Response, Selection, Survey

from .factories import SurveyFactory, sample_survey

pytestmark = pytest.mark.django_db

API = "/api/v1/surveys"


def bearer(user) -> dict[str, str]:
    _token, secret = create_api_token(user, name="script", actor=user)
    return {"Authorization": f"Bearer {secret}"}


def put(client, url, data, user, **params):
    return client.put(
        url + _query(params),
        json.dumps(data),
        content_type="application/json",
        headers=bearer(user),
    )


def post(client, url, user, **params):
    return client.post(
        url + _query(params), "{}", content_type="application/json", headers=bearer(user)
    )


def _query(params):
    return "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""


@pytest.fixture
def survey():
    return sample_survey(title="Needs 2027", slug="needs-2027")


def q(survey: Survey, key: str) -> Question:
    return Question.objects.get(survey=survey, key=key)


def option(survey: Survey, key: str, label: str) -> int:
    return q(survey, key).options.get(label=label).pk


def answer_url(survey, key):
    return f"{API}/{survey.slug}/response/answers/{key}"


# --- open surveys and definitions -------------------------------------------------------------


def test_open_surveys_lists_only_open_published_ones(client, survey, member, city):
    now = timezone.now()
    SurveyFactory(slug="draft", status=Survey.Status.DRAFT)
    SurveyFactory(slug="later", opens_at=now + dt.timedelta(days=1))
    SurveyFactory(
        slug="closed", opens_at=now - dt.timedelta(days=9), closes_at=now - dt.timedelta(days=1)
    )

    visitor = client.get(f"{API}").json()
    mine = client.get(f"{API}", headers=bearer(member)).json()

    assert [s["slug"] for s in visitor] == ["needs-2027"]
    found = mine[0]
    assert found["my_cities"] == [city.pk] and found["may_answer"] is True
    assert visitor[0]["my_cities"] == [] and visitor[0]["may_answer"] is False
    assert found["time_zone"] == "Europe/Brussels" and found["respondent"] == "city"
    assert found["audience"] == "cities" and found["phase"] == "open"
    assert found["estimated_minutes"] >= 1
    assert found["closes"].endswith("Z") and found["url"] == "/surveys/needs-2027/"


def test_open_surveys_query_count_does_not_grow(client, member, django_assert_max_num_queries):
    sample_survey(slug="one")
    headers = bearer(member)
    client.get(f"{API}", headers=headers)  # the token's first use
    with django_assert_max_num_queries(10) as few:
        client.get(f"{API}", headers=headers)
    for n in range(4):
        sample_survey(slug=f"more-{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"{API}", headers=headers)
    assert len(response.json()) == 5


def test_the_definition_has_sections_questions_options_and_conditions(client, survey):
    plan = q(survey, "plan")
    services.set_hidden(q(survey, "department"), True, actor=None)

    found = client.get(f"{API}/needs-2027").json()

    assert found["title"] == "Needs 2027" and found["introduction"]
    assert [s["title"] for s in found["sections"]] == ["Profile", "Needs"]
    questions = {x["key"]: x for s in found["sections"] for x in s["questions"]}
    assert "department" not in questions  # hidden
    assert questions["plan"]["required"] and questions["plan"]["allow_other"]
    assert [o["id"] for o in questions["plan"]["options"]] == [o.pk for o in plan.options.all()]
    assert questions["plan-text"]["condition"] == {
        "question": "plan",
        "options": [option(survey, "plan", "Yes")],
    }
    assert questions["urgency"]["scale"]["min"] == 1 and questions["urgency"]["scale"]["max"] == 5
    assert (questions["staff"]["number_min"], questions["staff"]["number_max"]) == (0, 10000)
    assert questions["plan-text"]["text_limit"] == 5000
    assert questions["fields"]["options"][0]["term"]
    assert questions["capacity"]["kind"] == "matrix" and len(questions["capacity"]["options"]) == 3
    assert questions["plan"]["scale"] is None and questions["plan"]["condition"] is None


def test_a_draft_is_a_404_except_for_coordinators(client, member, coordinator):
    sample_survey(slug="draft", status=Survey.Status.DRAFT)

    assert client.get(f"{API}/draft").status_code == 404
    assert client.get(f"{API}/draft", headers=bearer(member)).status_code == 404
    assert client.get(f"{API}/draft/response", headers=bearer(member)).status_code == 404
    assert put(client, f"{API}/draft/response/answers/plan", {}, member).status_code == 404
    assert client.get(f"{API}/draft", headers=bearer(coordinator)).status_code == 200
    assert client.get(f"{API}/missing").status_code == 404


def test_the_definition_changes_with_the_builder(client, survey):
    client.get(f"{API}/needs-2027")
    question = q(survey, "urgency")
    question.text = "How urgent is it now?"
    services.save_question(question, actor=None)

    found = client.get(f"{API}/needs-2027").json()

    texts = [x["text"] for s in found["sections"] for x in s["questions"]]
    assert "How urgent is it now?" in texts


def test_the_definition_query_count_does_not_grow(client, django_assert_max_num_queries):
    sample_survey(slug="small")
    big = sample_survey(slug="big")
    extra = big.sections.first()
    for n in range(12):
        services.save_question(
            Question(survey=big, section=extra, kind="single", text=f"More {n}?", key=f"m{n}"),
            actor=None,
            options=["A", "B", "C"],
        )
    with django_assert_max_num_queries(12) as cold:
        client.get(f"{API}/small")
    with django_assert_max_num_queries(len(cold.captured_queries)):
        assert client.get(f"{API}/big").status_code == 200
    with django_assert_max_num_queries(2):  # warm: the survey by its address, the cache
        assert client.get(f"{API}/big").status_code == 200


# --- my response ------------------------------------------------------------------------------


def test_answers_are_saved_through_the_services_and_read_back_in_the_same_format(
    client, survey, member, city
):
    yes = option(survey, "plan", "Yes")
    capacity = [o.pk for o in q(survey, "capacity").options.all()]
    ranking = [o.pk for o in q(survey, "rank").options.all()]
    given = {
        "plan": {"option": [yes]},
        "formats": {"option": [option(survey, "formats", "Twinning")]},
        "staff": {"value": 12.5},
        "department": {"text": "Environment"},
        "plan-text": {"text": "Adopted in spring."},
        "urgency": {"value": 4},
        "capacity": {f"row-{capacity[0]}": 2, f"row-{capacity[2]}": 5},
        "rank": {f"rank-{ranking[2]}": 1, f"rank-{ranking[0]}": 2},
    }
    for key, data in given.items():
        saved = put(client, answer_url(survey, key), data, member)
        assert saved.status_code == 200, (key, saved.json())
        assert saved.json()["answer"] == data

    found = client.get(f"{API}/needs-2027/response", headers=bearer(member)).json()

    assert found["status"] == "in_progress" and found["city"] == {"id": city.pk, "name": city.name}
    assert found["answers"] == given
    assert found["progress"]["answered"] == len(given)
    assert found["can_answer"] is True and found["can_submit"] is False  # a member, not a lead
    response = Response.objects.get(survey=survey)
    assert response.city == city and response.started_by == member
    assert Answer.objects.filter(response=response).count() == len(given)
    assert set(Answer.objects.values_list("answered_by", flat=True)) == {member.pk}


def test_other_and_clearing(client, survey, member):
    url = answer_url(survey, "plan")
    saved = put(client, url, {"option": ["other"], "other": "A regional plan"}, member)
    assert saved.json()["answer"] == {"option": ["other"], "other": "A regional plan"}

    cleared = put(client, url, {}, member)

    assert cleared.status_code == 200 and cleared.json()["answer"] == {}
    assert not Answer.objects.filter(question__key="plan").exists()


def test_nothing_answered_yet(client, survey, member):
    found = client.get(f"{API}/needs-2027/response", headers=bearer(member)).json()

    assert found["status"] == "not_started" and found["id"] is None and found["answers"] == {}
    assert found["progress"]["required_missing"] == ["plan"]
    assert not Response.objects.exists()


def test_another_citys_response_is_a_404(client, survey, member, city, other_city, other_lead):
    put(client, answer_url(survey, "urgency"), {"value": 3}, member)

    mine = client.get(f"{API}/needs-2027/response", headers=bearer(other_lead)).json()
    forged = client.get(f"{API}/needs-2027/response?city={city.pk}", headers=bearer(other_lead))
    forged_put = put(client, answer_url(survey, "urgency"), {"value": 1}, other_lead, city=city.pk)

    assert mine["status"] == "not_started" and mine["city"]["id"] == other_city.pk
    assert forged.status_code == 404 and forged_put.status_code == 404
    assert Answer.objects.get().number == 3


def test_several_cities_need_a_city(client, survey, member, city, other_city):
    MembershipFactory(user=member, city=other_city)
    url = f"{API}/needs-2027/response"

    unnamed = client.get(url, headers=bearer(member))
    named = client.get(f"{url}?city={other_city.pk}", headers=bearer(member))

    assert unnamed.status_code == 422 and str(other_city.pk) in unnamed.json()["detail"]
    assert named.status_code == 200 and named.json()["city"]["id"] == other_city.pk


def test_outsiders_and_visitors(client, survey, outsider):
    assert client.get(f"{API}/needs-2027/response", headers=bearer(outsider)).status_code == 404
    assert put(client, answer_url(survey, "urgency"), {"value": 3}, outsider).status_code == 404
    assert client.get(f"{API}/needs-2027/response").status_code == 401
    assert not Response.objects.exists()


def test_a_survey_per_person(client, member, outsider):
    survey = sample_survey(
        slug="people", respondent=Survey.Respondent.PERSON, audience=Survey.Audience.EVERYONE
    )
    saved = put(client, answer_url(survey, "urgency"), {"value": 5}, outsider)
    found = client.get(f"{API}/people/response", headers=bearer(outsider)).json()
    other = client.get(f"{API}/people/response", headers=bearer(member)).json()

    assert saved.status_code == 200
    assert found["answers"] == {"urgency": {"value": 5}} and found["city"] is None
    assert other["status"] == "not_started"
    response = Response.objects.get()
    assert response.person == outsider and response.owner == f"user:{outsider.pk}"


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "data", "message"),
    [
        ("plan", {"option": ["OTHER-QUESTION"]}, "not one of this question"),
        ("urgency", {"value": 9}, "from 1 to 5"),
        ("urgency", {"value": "lots"}, "Choose a point of the scale"),
        ("staff", {"value": 10001}, "or less"),
        ("staff", {"value": "twelve"}, "Enter a number"),
        ("department", {"text": "x" * 301}, "300 characters"),
        ("plan", {"option": ["other"], "other": ""}, "say what it is"),
        ("rank", {"rank-RANK": 1, "rank-RANK2": 3}, "without gaps"),
        ("capacity", {"row-999999": 3}, "not one of this question"),
    ],
)
def test_an_answer_the_question_refuses_is_a_400_with_the_message(
    client, survey, member, key, data, message
):
    if data.get("option") == ["OTHER-QUESTION"]:
        data = {"option": [option(survey, "formats", "Twinning")]}  # another question's option
    if "rank-RANK" in data:
        first, second = [o.pk for o in q(survey, "rank").options.all()][:2]
        data = {f"rank-{first}": 1, f"rank-{second}": 3}
    put(client, answer_url(survey, "urgency"), {"value": 2}, member)

    refused = put(client, answer_url(survey, key), data, member)

    assert refused.status_code == 400
    assert message in refused.json()["detail"]
    assert Answer.objects.count() == 1  # nothing lost, nothing half-saved


def test_hidden_and_conditional_questions_are_a_409(client, survey, member):
    services.set_hidden(q(survey, "department"), True, actor=None)

    hidden = put(client, answer_url(survey, "department"), {"text": "Env"}, member)
    not_shown = put(client, answer_url(survey, "plan-text"), {"text": "Our plan"}, member)
    unknown = put(client, answer_url(survey, "no-such-question"), {"text": "?"}, member)

    assert hidden.status_code == 409 and "no longer asked" in hidden.json()["detail"]
    assert not_shown.status_code == 409 and "particular answer" in not_shown.json()["detail"]
    assert unknown.status_code == 404
    assert not Answer.objects.exists()


def test_a_closed_or_not_yet_open_survey_refuses_answers(client, survey, member):
    put(client, answer_url(survey, "urgency"), {"value": 2}, member)
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=now - dt.timedelta(days=5), closes_at=now - dt.timedelta(minutes=1)
    )

    closed = put(client, answer_url(survey, "urgency"), {"value": 4}, member)
    readable = client.get(f"{API}/needs-2027/response", headers=bearer(member)).json()

    assert closed.status_code == 409 and "closed on" in closed.json()["detail"]
    assert readable["answers"] == {"urgency": {"value": 2}} and readable["can_answer"] is False
    later = sample_survey(slug="later", opens_at=now + dt.timedelta(days=2))
    scheduled = put(client, answer_url(later, "urgency"), {"value": 4}, member)
    assert scheduled.status_code == 409 and "opens on" in scheduled.json()["detail"]
    assert Answer.objects.get().number == 2


def test_a_body_that_is_not_an_object_is_a_422(client, survey, member):
    refused = client.put(
        answer_url(survey, "urgency"),
        "[1, 2]",
        content_type="application/json",
        headers=bearer(member),
    )
    assert refused.status_code == 422


def test_answering_has_an_hourly_budget(client, survey, member):
    for _ in range(surveys_api.ANSWERS_PER_HOUR):
        hit(f"{surveys_api.ANSWER_ACTION}:user:{member.pk}", limit=10**6, period=3600)

    refused = put(client, answer_url(survey, "urgency"), {"value": 3}, member)

    assert refused.status_code == 429
    assert not Answer.objects.exists()


# --- submitting -------------------------------------------------------------------------------


def test_only_a_lead_submits_and_missing_answers_are_listed(client, survey, member, lead):
    url = f"{API}/needs-2027/response/submit"
    assert post(client, url, lead).status_code == 404  # nothing answered yet
    put(client, answer_url(survey, "urgency"), {"value": 3}, member)

    by_member = post(client, url, member)
    missing = post(client, url, lead)

    assert by_member.status_code == 403
    assert missing.status_code == 409 and missing.json()["missing"] == ["plan"]
    assert Response.objects.get().status == Response.Status.IN_PROGRESS

    put(client, answer_url(survey, "plan"), {"option": [option(survey, "plan", "No")]}, member)
    submitted = post(client, url, lead)

    assert submitted.status_code == 200
    found = submitted.json()
    assert found["status"] == "submitted" and found["submitted_at"]
    assert found["can_answer"] is False and found["can_submit"] is False
    response = Response.objects.get()
    assert response.is_submitted and response.submitted_by == lead
    again = post(client, url, lead)
    late = put(client, answer_url(survey, "urgency"), {"value": 5}, member)
    assert again.status_code == 409 and "submitted on" in again.json()["detail"]
    assert late.status_code == 409 and "can no longer change" in late.json()["detail"]
    assert Answer.objects.get(question__key="urgency").number == 3


def test_submitting_drops_answers_to_questions_no_longer_shown(client, survey, member, lead):
    yes, no = option(survey, "plan", "Yes"), option(survey, "plan", "No")
    put(client, answer_url(survey, "plan"), {"option": [yes]}, member)
    put(client, answer_url(survey, "plan-text"), {"text": "Our plan"}, member)
    put(client, answer_url(survey, "plan"), {"option": [no]}, member)

    submitted = post(client, f"{API}/needs-2027/response/submit", lead)

    assert submitted.status_code == 200
    assert set(submitted.json()["answers"]) == {"plan"}
    assert not Answer.objects.filter(question__key="plan-text").exists()
    assert Selection.objects.filter(question__key="plan").count() == 1


def test_a_person_submits_their_own(client, outsider):
    survey = sample_survey(
        slug="people", respondent=Survey.Respondent.PERSON, audience=Survey.Audience.EVERYONE
    )
    put(client, answer_url(survey, "plan"), {"option": [option(survey, "plan", "No")]}, outsider)

    submitted = post(client, f"{API}/people/response/submit", outsider)

    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

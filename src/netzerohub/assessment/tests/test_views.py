"""Pages of the self-assessment: answering (htmx and without JavaScript), submitting, the
result, the city's history and "My city"; bad input; query counts."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from netzerohub.assessment import peers, services
from netzerohub.assessment.models import Answer, Assessment
from netzerohub.assessment.tests.factories import answer, questions_of, submitted, uniform
from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, LeadFactory, MembershipFactory
from netzerohub.community.tests.factories import GroupFactory
from netzerohub.core.models import Term
from netzerohub.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def assessment(questionnaire, city, member):
    return services.start_assessment(city, actor=member)


def answer_url(assessment, key):
    return reverse("assessment:answer", args=[assessment.pk, key])


def dimension_url(assessment, key):
    return reverse("assessment:dimension", args=[assessment.pk, key])


def level_of(assessment, key):
    row = Answer.objects.filter(assessment=assessment, question__key=key).first()
    return "unanswered" if row is None else row.level


# --- landing and starting --------------------------------------------------------------------


def test_the_landing_page_says_the_questionnaire_is_our_own_design(client, questionnaire):
    response = client.get(reverse("assessment:landing"))
    assert "NetZero Hub's own design" in text(response)
    assert "Sign in to take it" in text(response)


def test_a_member_starts_the_assessment_of_their_city(client, questionnaire, city, member):
    client.force_login(member)
    page = client.get(reverse("assessment:landing"))
    assert city.name in text(page) and "Start the assessment" in text(page)
    response = client.post(reverse("assessment:start", args=[city.pk]))
    assessment = Assessment.objects.get(city=city)
    assert response.url == reverse("assessment:overview", args=[assessment.pk])
    client.post(reverse("assessment:start", args=[city.pk]))
    assert Assessment.objects.filter(city=city).count() == 1


@pytest.mark.parametrize("role", ["outsider", "other_lead", "coordinator"])
def test_only_members_start_a_citys_assessment(request, client, questionnaire, city, role):
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("assessment:start", args=[city.pk]))
    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_the_questionnaire_page_lists_every_question_and_the_scoring(client, questionnaire):
    response = client.get(reverse("assessment:questionnaire"))
    body = text(response)
    assert body.count('class="question-levels"') == 47
    assert "How the scoring works" in body and "Anchored in main strategy" in body


# --- answering -------------------------------------------------------------------------------


def test_an_htmx_answer_is_saved_and_answers_with_its_state_and_the_progress(
    client, assessment, member
):
    client.force_login(member)
    response = client.post(
        answer_url(assessment, "mandate-scope"), {"q-mandate-scope": "3"}, **HTMX
    )
    assert response.status_code == 200
    assert level_of(assessment, "mandate-scope") == 3
    body = text(response)
    assert 'class="save-state"' in body and "answered by Mia Member" in body
    assert 'id="assessment-progress" class="progress-line" hx-swap-oob="true"' in body
    assert "1 of 47 questions answered" in body
    assert "Question 3 saved." in body
    assert '<input type="hidden" name="was-mandate-scope" value="3">' in body


def test_skipping_an_optional_question_is_saved_as_does_not_apply(client, assessment, member):
    client.force_login(member)
    client.post(
        answer_url(assessment, "mandate-multilevel"), {"q-mandate-multilevel": "skip"}, **HTMX
    )
    assert level_of(assessment, "mandate-multilevel") is None


@pytest.mark.parametrize("value", ["5", "-1", "two", "skip", ""])
def test_a_value_outside_the_allowed_set_is_refused_with_a_message(
    client, assessment, member, value
):
    client.force_login(member)
    response = client.post(
        answer_url(assessment, "mandate-scope"), {"q-mandate-scope": value}, **HTMX
    )
    assert response.status_code == 200
    assert "save-state error" in text(response)
    assert "is not saved" in text(response)
    assert level_of(assessment, "mandate-scope") == "unanswered"


@pytest.mark.parametrize("role", ["outsider", "other_lead", "coordinator"])
def test_answers_to_another_citys_assessment_are_404(request, client, assessment, role):
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        answer_url(assessment, "mandate-scope"), {"q-mandate-scope": "2"}, **HTMX
    )
    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_a_visitor_signed_out_meanwhile_gets_a_401_from_htmx_and_the_sign_in_page_otherwise(
    client, assessment
):
    url = answer_url(assessment, "mandate-scope")
    assert client.post(url, {"q-mandate-scope": "2"}, **HTMX).status_code == 401
    assert client.post(url, {"q-mandate-scope": "2"}).url.startswith("/accounts/login/")
    assert not Answer.objects.exists()


def test_an_unknown_question_or_dimension_is_404(client, assessment, member):
    client.force_login(member)
    assert client.post(answer_url(assessment, "no-such-question"), {}).status_code == 404
    assert client.get(dimension_url(assessment, "no-such-dimension")).status_code == 404


def test_answering_a_submitted_assessment_is_refused_and_changes_nothing(
    client, assessment, city, member, lead
):
    done = submitted(city, lead)
    client.force_login(member)
    response = client.post(answer_url(done, "mandate-scope"), {"q-mandate-scope": "0"}, **HTMX)
    assert "Start a new assessment" in text(response)
    assert level_of(done, "mandate-scope") == 2
    response = client.post(dimension_url(done, "mandate"), {"q-mandate-scope": "0"})
    assert response.status_code == 302 and level_of(done, "mandate-scope") == 2


def test_the_dimension_page_shows_colleagues_answers(client, assessment, member, lead):
    answer(assessment, {"mandate-scope": 1}, user=lead)
    client.force_login(member)
    body = text(client.get(dimension_url(assessment, "mandate")))
    assert 'id="q-mandate-scope-1" value="1" checked' in body
    assert "answered by Lea Lead" in body
    assert 'hx-post="' + answer_url(assessment, "mandate-scope") in body


def test_saving_a_section_without_javascript_keeps_a_colleagues_newer_answer(
    client, assessment, member, lead
):
    """The member loaded the page when nothing was answered; the lead then answered the scope.
    The member's page sends every question, but only the one the member changed is saved."""
    client.force_login(member)
    client.get(dimension_url(assessment, "mandate"))
    answer(assessment, {"mandate-scope": 4}, user=lead)
    response = client.post(
        dimension_url(assessment, "mandate"),
        {
            "q-mandate-target-year": "3",
            "was-mandate-target-year": "",
            "q-mandate-scope": "",
            "was-mandate-scope": "",
            "next": "1",
        },
    )
    assert response.url == dimension_url(assessment, "governance")
    assert level_of(assessment, "mandate-target-year") == 3
    assert level_of(assessment, "mandate-scope") == 4


def test_a_refused_section_keeps_what_was_chosen(client, assessment, member):
    client.force_login(member)
    response = client.post(
        dimension_url(assessment, "mandate"),
        {"q-mandate-target-year": "3", "q-mandate-scope": "9"},
    )
    body = text(response)
    assert response.status_code == 200
    assert "Choose one of the levels 0 to 4." in body
    assert 'id="q-mandate-target-year-3" value="3" checked' in body
    assert not Answer.objects.exists()


def test_the_overview_resumes_at_the_first_incomplete_dimension(client, assessment, member):
    answer(
        assessment,
        {k: 2 for k in uniform(assessment.questionnaire, 2) if k.startswith("mandate")},
        user=member,
    )
    client.force_login(member)
    body = text(client.get(reverse("assessment:overview", args=[assessment.pk])))
    assert "Continue where the team left off" in body
    assert f'href="{dimension_url(assessment, "governance")}"' in body
    assert "5 of 47 questions answered" in body


# --- submitting ------------------------------------------------------------------------------


def test_a_member_cannot_submit(client, assessment, member):
    answer(assessment, uniform(assessment.questionnaire, 2), user=member)
    client.force_login(member)
    assert client.post(reverse("assessment:submit", args=[assessment.pk])).status_code == 404
    page = text(client.get(reverse("assessment:overview", args=[assessment.pk])))
    assert "A city lead submits the assessment" in page and "Lea Lead" not in page


def test_submitting_with_answers_missing_lists_each_with_a_link(client, assessment, lead):
    levels = uniform(assessment.questionnaire, 2)
    del levels["governance-roles"], levels["finance-budget"]
    answer(assessment, levels, user=lead)
    client.force_login(lead)
    response = client.post(reverse("assessment:submit", args=[assessment.pk]), follow=True)
    body = text(response)
    assert response.redirect_chain == [
        (reverse("assessment:overview", args=[assessment.pk]) + "?missing#missing", 302)
    ]
    assert "2 required questions are not answered yet" in body
    assert 'class="message error" id="missing"' in body
    assert f'href="{dimension_url(assessment, "governance")}#q-governance-roles"' in body
    assert f'href="{dimension_url(assessment, "finance")}#q-finance-budget"' in body
    assert Assessment.objects.get(pk=assessment.pk).status == "in_progress"


def test_the_lead_submits_and_sees_the_result(client, assessment, lead, member):
    answer(assessment, uniform(assessment.questionnaire, 1), user=member)
    client.force_login(lead)
    response = client.post(reverse("assessment:submit", args=[assessment.pk]))
    assert response.url == reverse("assessment:result", args=[assessment.pk])
    body = text(client.get(response.url))
    assert "Overall: Developing" in body
    assert 'role="img"' in body and 'id="scores-table"' in body


def test_editing_a_submitted_assessment_redirects_to_its_result(client, city, lead, questionnaire):
    done = submitted(city, lead)
    client.force_login(lead)
    assert client.get(dimension_url(done, "mandate")).url == done.get_absolute_url()
    assert client.get(reverse("assessment:overview", args=[done.pk])).url == done.get_absolute_url()


# --- the result ------------------------------------------------------------------------------


def test_the_result_names_strengths_and_gaps_in_plain_words(client, questionnaire, city, lead):
    levels = {**uniform(questionnaire, 2)}
    for key in levels:
        if key.startswith("finance-"):
            levels[key] = 1
        if key.startswith("mandate-"):
            levels[key] = 4
    done = submitted(city, lead, overrides=levels)
    client.force_login(lead)
    body = text(client.get(done.get_absolute_url()))
    assert "Mandate and commitment (100 of 100)</strong>: Your commitment is formal" in body
    assert "Finance and investment (25 of 100)</strong>: Estimate the cost" in body


def test_the_result_shows_peer_medians_only_for_groups_of_five(client, questionnaire, city, lead):
    City.objects.filter(pk=city.pk).update(population=60_000)
    for _n in range(4):
        other = CityFactory(country=city.country, population=300_000)
        submitted(other, LeadFactory(city=other).user, level=4)
    done = submitted(City.objects.get(pk=city.pk), lead, level=0)
    peers.refresh(questionnaire.key)
    client.force_login(lead)
    body = text(client.get(done.get_absolute_url()))
    assert f"Median: Cities in {city.country.name}" in body
    assert "Median: All cities" in body
    assert "Cities of 50,000 – 100,000 people: 1 with a result so far" in body


def test_a_peer_sees_neither_another_citys_result_nor_its_pdf(
    client, questionnaire, city, lead, other_lead
):
    done = submitted(city, lead)
    client.force_login(other_lead)
    assert client.get(done.get_absolute_url()).status_code == 404
    assert client.get(reverse("assessment:result-pdf", args=[done.pk])).status_code == 404
    assert client.get(reverse("assessment:city", args=[city.pk])).status_code == 404


def test_the_result_of_an_assessment_in_progress_is_404(client, assessment, member):
    client.force_login(member)
    assert client.get(reverse("assessment:result", args=[assessment.pk])).status_code == 404


def test_the_result_pdf(client, questionnaire, city, lead):
    done = submitted(city, lead)
    client.force_login(lead)
    response = client.get(reverse("assessment:result-pdf", args=[done.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment;" in response["Content-Disposition"]


def test_the_city_page_shows_the_change_over_time(client, questionnaire, city, lead):
    submitted(city, lead, level=1)
    submitted(city, lead, level=3)
    client.force_login(lead)
    body = text(client.get(reverse("assessment:city", args=[city.pk])))
    row = body[body.index("Mandate and commitment") :]
    assert row.index(">25<") < row.index(">75<")
    latest = Assessment.objects.for_city(city).latest_results().get()
    result = text(client.get(latest.get_absolute_url()))
    assert "+50" in result  # overall 25 → 75


def test_my_city_shows_the_stage_and_the_weakest_dimensions(client, questionnaire, city, lead):
    levels = uniform(questionnaire, 3)
    for key in levels:
        if key.startswith(("finance-", "system-")):
            levels[key] = 0
    submitted(city, lead, overrides=levels)
    client.force_login(lead)
    body = text(client.get(reverse("cities:my-city", args=[city.pk])))
    assert "Stage: <strong>Advanced</strong>" in body
    weakest = body[body.index("Weakest dimensions") :]
    assert weakest.index("Understanding the system (0)") < weakest.index(
        "Finance and investment (0)"
    )


# --- query counts ----------------------------------------------------------------------------


@pytest.fixture(params=["small", "large"])
def data_size(request):
    return request.param


@pytest.fixture
def populated(data_size, questionnaire, city, lead):
    """The city with 1 or 3 earlier results and 2 or 12 colleagues; 5 or 20 other cities with
    results (so that peer medians are shown); an assessment in progress half answered; 1 or 10
    peer groups and 2 or 20 upcoming events on every field and lever (recommended)."""
    terms = list(Term.objects.filter(kind__in=["field", "lever"]))
    for _n in range(1 if data_size == "small" else 10):
        GroupFactory(theme=terms[_n % len(terms)])
    for _n in range(2 if data_size == "small" else 20):
        event = EventFactory()
        event.fields.set([t for t in terms if t.kind == "field"])
        event.levers.set([t for t in terms if t.kind == "lever"])
    colleagues = 2 if data_size == "small" else 12
    for _n in range(colleagues):
        MembershipFactory(city=city)
    for _n in range(1 if data_size == "small" else 3):
        submitted(city, lead, level=2)
    for _n in range(5 if data_size == "small" else 20):
        other = CityFactory(country=city.country)
        submitted(other, LeadFactory(city=other).user, level=3)
    peers.refresh(questionnaire.key)
    in_progress = services.start_assessment(city, actor=lead)
    keys = [q.key for q in questions_of(in_progress)]
    answer(in_progress, dict.fromkeys(keys[: len(keys) // 2], 2), user=lead)
    cache.clear()
    return in_progress


QUERIES = {
    "dimension": 4,
    "overview": 6,
    "answer": 11,
    "result": 33,  # of which groups and events: 1 + one per demanded field or lever + 2
    "result (warm)": 4,
    "city": 6,
    "distribution": 15,
    "questionnaire": 1,  # which version is current; the page itself comes from the cache
}


def test_questionnaire_page_query_count(client, populated, django_assert_num_queries):
    client.get(reverse("assessment:questionnaire"))  # rendered once, then from the cache
    with django_assert_num_queries(QUERIES["questionnaire"]):
        assert client.get(reverse("assessment:questionnaire")).status_code == 200


def test_dimension_page_query_count(client, populated, lead, django_assert_num_queries):
    client.force_login(lead)
    client.get(reverse("assessment:landing"))  # the questionnaire's structure is cached
    with django_assert_num_queries(QUERIES["dimension"]):
        assert client.get(dimension_url(populated, "system")).status_code == 200


def test_overview_query_count(client, populated, lead, django_assert_num_queries):
    client.force_login(lead)
    client.get(reverse("assessment:landing"))
    with django_assert_num_queries(QUERIES["overview"]):
        assert client.get(reverse("assessment:overview", args=[populated.pk])).status_code == 200


def test_answer_query_count(client, populated, lead, django_assert_num_queries):
    client.force_login(lead)
    client.get(reverse("assessment:landing"))
    with django_assert_num_queries(QUERIES["answer"]):
        response = client.post(
            answer_url(populated, "fields-energy-systems"), {"q-fields-energy-systems": "1"}, **HTMX
        )
    assert response.status_code == 200


def test_result_page_query_count(client, populated, city, lead, django_assert_num_queries):
    client.force_login(lead)
    latest = Assessment.objects.for_city(city).latest_results().get()
    with django_assert_num_queries(QUERIES["result"]):
        assert client.get(latest.get_absolute_url()).status_code == 200


def test_result_page_query_count_when_its_parts_are_cached(
    client, populated, city, lead, django_assert_num_queries
):
    """A result seen again by the same person: its body comes from the cache, named by the
    figures of its peer groups (one query), the recommendations' inputs and the person's
    learning version; besides, the person, the assessment and the membership that allows it."""
    client.force_login(lead)
    latest = Assessment.objects.for_city(city).latest_results().get()
    client.get(latest.get_absolute_url())
    with django_assert_num_queries(QUERIES["result (warm)"]):
        assert client.get(latest.get_absolute_url()).status_code == 200


def test_city_page_query_count(client, populated, city, lead, django_assert_num_queries):
    client.force_login(lead)
    client.get(reverse("assessment:landing"))
    with django_assert_num_queries(QUERIES["city"]):
        assert client.get(reverse("assessment:city", args=[city.pk])).status_code == 200


def test_distribution_query_count(client, populated, coordinator, django_assert_num_queries):
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES["distribution"]):
        assert client.get(reverse("assessment:distribution")).status_code == 200


def test_a_cached_result_shows_new_peer_medians_once_another_city_submits(
    client, questionnaire, city, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _n in range(3):
            other = CityFactory()
            submitted(other, LeadFactory(city=other).user, level=4)
        done = submitted(city, lead, level=0)
    client.force_login(lead)
    assert "All cities: 4 with a result so far" in text(client.get(done.get_absolute_url()))
    with django_capture_on_commit_callbacks(execute=True):  # the refresh runs after commit
        fifth = CityFactory()
        submitted(fifth, LeadFactory(city=fifth).user, level=4)
    body = text(client.get(done.get_absolute_url()))
    assert "Median: All cities" in body and "4 with a result so far" not in body

"""The analytics page: coordinators only, the numbers of the data set of `test_analytics`,
filters and cross-tab from the query string (bad values never a 500), download links carrying
the filters, and a query count that does not grow with responses or questions."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory
from netzerohub.surveys import services
from netzerohub.surveys.models import Question

from .factories import question as make_question
from .test_analytics import make_data, oid, q, respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(coordinator):
    return make_data(coordinator)


def url(survey) -> str:
    return reverse("surveys:analytics", args=[survey.slug])


def page(client, survey, query: str = "", **headers):
    response = client.get(url(survey) + query, **headers)
    assert response.status_code == 200
    return response, response.content.decode()


def charts(html: str) -> dict:
    found = re.search(r'<script id="analytics-charts" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_others_get_a_404_and_visitors_are_asked_to_sign_in(client, data, member, lead, outsider):
    for user in (member, lead, outsider):
        client.force_login(user)
        assert client.get(url(data)).status_code == 404
    client.logout()
    response = client.get(url(data))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_missing_survey_is_a_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/surveys/manage/no-such-survey/analytics/").status_code == 404


def test_the_page_shows_totals_tables_and_charts(client, coordinator, data):
    client.force_login(coordinator)
    _response, html = page(client, data)
    assert "<strong>3</strong> submitted responses" in html
    assert "<strong>1</strong> responses in progress" in html
    assert "60.0 %" in html  # 3 of 5 cities asked
    # a question's table and its chart with the same numbers
    plan = q(data, "plan")
    section = html.split(f'id="question-{plan.pk}"')[1].split("</section>")[0]
    assert re.search(r"Yes</th>\s*<td class=\"num\">1</td><td class=\"num\">33.3 %</td>", section)
    assert "Draft due in 2027" in section
    assert f'data-chart="q{plan.pk}"' in section and 'role="img"' in section
    assert 'aria-label="Bar chart of “Does your city have a climate plan?” (Responses). Yes: 1' in (
        section
    )
    assert charts(html)[f"q{plan.pk}"]["values"] == [1, 1, 1]
    # the matrix chart draws means on the scale
    capacity = charts(html)[f"q{q(data, 'capacity').pk}"]
    assert (capacity["measure"], capacity["values"], capacity["min"], capacity["max"]) == (
        "mean",
        [3.0, 3.0, 0],
        1,
        5,
    )
    # the hidden question is there, marked
    department = html.split(f'id="question-{q(data, "department").pk}"')[1].split("</section>")[0]
    assert 'class="hidden-mark">hidden' in department
    assert '<th scope="row">energy</th><td class="num">2</td>' in department
    # the heat map and the rate table
    assert '<td class="heat-5">2</td>' in html
    assert re.search(r"Sweden</th><td class=\"num\">2</td><td class=\"num\">3</td>", html)
    # the draft buttons of the insights, next to chosen options only
    assert html.count("Draft an event") >= 1
    # no inline script or style (CSP)
    assert "<script>" not in html and "style=" not in html


def test_filters_narrow_the_numbers_and_travel_with_the_downloads(client, coordinator, data):
    client.force_login(coordinator)
    _response, html = page(client, data, "?country=SE")
    assert "<strong>2</strong> submitted responses (filtered)" in html
    assert f'href="/surveys/manage/{data.slug}/export.xlsx?country=SE"' in html
    assert f'href="/surveys/manage/{data.slug}/export.csv?country=SE"' in html
    assert charts(html)[f"q{q(data, 'plan').pk}"]["values"] == [1, 1, 0]
    assert '<option value="SE" selected>Sweden</option>' in html


def test_bad_filter_values_are_ignored_with_a_message(client, coordinator, data):
    client.force_login(coordinator)
    _response, html = page(client, data, "?country=XX&band=huge&stage=%00&question=abc&by=planet")
    assert "Some filters were not understood and are ignored" in html
    assert "<strong>3</strong> submitted responses" in html
    assert "Select a valid choice" in html
    assert 'export.xlsx"' in html  # the download is of everything too


def test_a_half_chosen_crosstab_asks_for_both(client, coordinator, data):
    client.force_login(coordinator)
    _response, html = page(client, data, f"?question={q(data, 'formats').pk}")
    assert "Choose both a question and a group to compare." in html
    assert 'id="crosstab-heading"' not in html


def test_a_question_of_another_kind_or_survey_is_refused_for_the_crosstab(
    client, coordinator, data
):
    client.force_login(coordinator)
    _response, html = page(client, data, f"?question={q(data, 'staff').pk}&by=country")
    assert "Select a valid choice" in html and 'id="crosstab-heading"' not in html


def test_crosstab_by_country(client, coordinator, data):
    client.force_login(coordinator)
    _response, html = page(client, data, f"?question={q(data, 'formats').pk}&by=country")
    table = html.split('id="crosstab-heading"')[1].split("</section>")[0]
    assert "“Which formats help you?” by Country" in table
    assert re.search(r"Peer groups</th><td class=\"num\">0 .*?</td><td class=\"num\">2 ", table)
    # the filters apply to the cross-tab too
    _response, html = page(client, data, f"?question={q(data, 'formats').pk}&by=country&country=ES")
    table = html.split('id="crosstab-heading"')[1].split("</section>")[0]
    assert "Sweden" not in table and "Spain" in table


def test_htmx_gets_the_results_only(client, coordinator, data):
    client.force_login(coordinator)
    response, html = page(client, data, "?country=SE", HTTP_HX_REQUEST="true")
    assert html.startswith('<div id="analytics-results">')
    assert 'method="get"' not in html and "<html" not in html  # no filter form, no page
    assert "HX-Request" in response["Vary"]


def test_an_empty_survey_shows_no_numbers_without_failing(client, coordinator):
    from .factories import SurveyFactory

    client.force_login(coordinator)
    _response, html = page(client, SurveyFactory())
    assert "<strong>0</strong> submitted responses" in html
    assert "No responses yet." in html


def test_a_per_person_survey_lists_respondents_without_a_rate(client, coordinator, member):
    from .factories import sample_survey

    survey = sample_survey(respondent="person")
    response = services.start_response(survey, actor=member)
    services.save_answer(
        response, q(survey, "plan"), {"option": [oid(survey, "plan", "No")]}, actor=member
    )
    services.submit_response(response, actor=member)
    client.force_login(coordinator)
    _response, html = page(client, survey)
    assert "Respondents by country" in html
    assert "there is no list of everyone asked" in html


def _more(survey, coordinator, n: int) -> None:
    """n more submitted responses and two more questions."""
    section = survey.sections.first()
    make_question(section, "single", f"Extra {n}", key=f"extra-{n}", options=["A", "B"])
    make_question(section, "short_text", f"Extra text {n}", key=f"extra-text-{n}")
    country = City.objects.filter(survey_responses__survey=survey).first().country
    for i in range(n):
        city = CityFactory(country=country, status=City.Status.MISSION)
        respond(
            survey,
            city,
            coordinator,
            {
                "plan": {"option": [oid(survey, "plan", "No")]},
                f"extra-{n}": {"option": [oid(survey, f"extra-{n}", "A")]},
                f"extra-text-{n}": {"text": f"more words {i}"},
            },
        )


# Cold: the survey, its structure (5), the filter form (countries, stages), the numbers (6 with
# texts), the cross-tab (2), the rates (3), the heat map (1), plus the session, the user, MFA and
# notifications. Warm: the user, the survey and the readiness stages' names (the filter form's
# countries are cached per version of the responses).
COLD = 26
WARM = 3


def ours(captured) -> list[str]:
    """The page's own queries (not the session's, the user's or the header's)."""
    return [
        x["sql"]
        for x in captured.captured_queries
        if re.search(r"surveys_|cities_|assessment_", x["sql"]) and "accounts_user" not in x["sql"]
    ]


def test_query_count_is_pinned_cold_and_warm_and_does_not_grow(
    client, coordinator, data, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    query = f"?country=SE&question={q(data, 'formats').pk}&by=status"
    with django_assert_max_num_queries(COLD) as cold:
        page(client, data, query)
    with django_assert_max_num_queries(WARM) as warm:
        page(client, data, query)
    counts = (len(ours(cold)), len(warm.captured_queries))
    assert counts == (20, WARM)
    with django_capture_on_commit_callbacks(execute=True):
        _more(data, coordinator, 6)
    client.force_login(coordinator)
    with django_assert_max_num_queries(COLD) as cold_more:
        page(client, data, query)
    with django_assert_max_num_queries(WARM) as warm_more:
        page(client, data, query)
    assert (len(ours(cold_more)), len(warm_more.captured_queries)) == counts
    assert Question.objects.filter(survey=data).count() == 12


def test_the_cached_questions_carry_each_persons_own_csrf_token(client, coordinator, data):
    """The questions' part is a cached fragment with forms in it: a second coordinator must not
    get the first one's CSRF token (their draft buttons would be refused)."""
    from django.middleware.csrf import _unmask_cipher_token
    from django.test import Client

    from netzerohub.accounts.tests.factories import CoordinatorFactory, add_totp

    second = CoordinatorFactory()
    add_totp(second)
    other = Client()
    other.force_login(second)
    for person in (client, other):
        if person is client:
            person.force_login(coordinator)
        html = person.get(url(data)).content.decode()
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
        assert tokens, "the draft buttons' forms are on the page"
        secret = person.cookies["csrftoken"].value
        assert {_unmask_cipher_token(t) for t in tokens} == {secret}

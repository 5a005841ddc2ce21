"""The exchanges API: public calls, a city's eligibility, my cities' applications, one
application, and a call's pairs for coordinators; another city's application never leaks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from netzerohub.accounts.services import create_api_token
from netzerohub.cities.models import City, Membership
from netzerohub.cities.tests.factories import (
    CityFactory,
    CountryFactory,
    IneligibleCountryFactory,
    LeadFactory,
    MembershipFactory,
)
from netzerohub.community.tests.factories import GroupFactory
from netzerohub.core.models import Term
from netzerohub.exchanges import services
from netzerohub.exchanges.models import Application, Call, EligibilityRule, Pair, Question

from .factories import (
    ApplicationFactory,
    CallFactory,
    CriterionFactory,
    OfferFactory,
    PairFactory,
    QuestionFactory,
    RuleFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
Kind = EligibilityRule.Kind


def bearer(user) -> dict[str, str]:
    _token, secret = create_api_token(user, name="script", actor=user)
    return {"Authorization": f"Bearer {secret}"}


def slugs(body: dict) -> list[str]:
    return [call["slug"] for call in body["results"]]


def full_call(**kwargs) -> Call:
    """A published call with three rules, two questions and a criterion."""
    call = CallFactory(**kwargs)
    RuleFactory(call=call, kind=Kind.COUNTRY_ELIGIBLE, position=0)
    RuleFactory(call=call, kind=Kind.TARGET_YEAR, year=2050, position=1)
    RuleFactory(call=call, kind=Kind.HOURS, minimum=12, position=2)
    QuestionFactory(call=call, kind=Question.Kind.MOTIVATION, label="Why twin?")
    QuestionFactory(call=call, kind=Question.Kind.FIELDS, label="Fields of interest")
    CriterionFactory(call=call, title="Motivation", weight=3)
    return call


# --- calls -----------------------------------------------------------------------------------


def test_calls_lists_published_calls_with_window_rules_questions_and_criteria(client):
    opens = dt.datetime(2027, 4, 7, 22, 0, tzinfo=dt.UTC)  # 8 April 00:00 in Brussels (CEST)
    closes = dt.datetime(2027, 5, 31, 21, 59, tzinfo=dt.UTC)  # 31 May 23:59 CEST
    full_call(slug="twinning", opens_at=opens, closes_at=closes, is_sample=True)
    CallFactory(slug="draft", status=Call.Status.DRAFT)
    CallFactory(slug="archived", status=Call.Status.ARCHIVED)
    body = client.get(f"{API}/calls").json()
    assert slugs(body) == ["twinning"]
    assert body["count"] == 1
    call = body["results"][0]
    assert call["opens_at"] == "2027-04-07T22:00:00Z"
    assert call["closes_at"] == "2027-05-31T21:59:00Z"
    assert call["time_zone"] == "Europe/Brussels"
    assert call["opens_local"] == "2027-04-08T00:00:00+02:00"
    assert call["closes_local"] == "2027-05-31T23:59:00+02:00"
    assert call["phase"] == "upcoming"
    assert call["is_sample"] is True
    assert call["url"] == "/exchanges/calls/twinning/"
    assert [r["kind"] for r in call["rules"]] == ["country-eligible", "target-year", "hours"]
    assert call["rules"][1]["says"] == "A climate-neutrality target year of 2050 or earlier."
    assert call["rules"][2]["says"] == "Commits at least 12 hours a month to the exchange."
    assert [q["label"] for q in call["questions"]] == ["Why twin?", "Fields of interest"]
    assert call["questions"][1]["kind"] == "fields"
    assert call["criteria"] == [{"title": "Motivation", "description": "", "weight": 3}]
    assert "information" not in call


def test_a_meetings_rule_names_its_group(client):
    call = CallFactory()
    group = GroupFactory(title="District heating")
    RuleFactory(call=call, kind=Kind.MEETINGS, minimum=2, group=group)
    rule = client.get(f"{API}/calls").json()["results"][0]["rules"][0]
    assert rule["says"] == "Attended at least 2 meetings of the peer group “District heating”."
    assert (rule["group"], rule["minimum"]) == (group.slug, 2)


def test_calls_filters_by_kind_and_open_now(client):
    now = timezone.now()
    CallFactory(slug="open-twinning")
    CallFactory(slug="open-visits", kind=Call.Kind.STUDY_VISITS)
    CallFactory(
        slug="closed-visits",
        kind=Call.Kind.STUDY_VISITS,
        opens_at=now - dt.timedelta(days=40),
        closes_at=now - dt.timedelta(seconds=1),
    )
    CallFactory(slug="later", opens_at=now + dt.timedelta(days=3))
    visits = client.get(f"{API}/calls", {"kind": "study-visits"}).json()
    assert sorted(slugs(visits)) == ["closed-visits", "open-visits"]
    open_now = client.get(f"{API}/calls", {"open": "true"}).json()
    assert sorted(slugs(open_now)) == ["open-twinning", "open-visits"]
    assert {c["phase"] for c in open_now["results"]} == {"open"}
    both = client.get(f"{API}/calls", {"open": "true", "kind": "study-visits"}).json()
    assert slugs(both) == ["open-visits"]


@pytest.mark.parametrize("params", [{"kind": "exchange"}, {"page": 0}, {"open": "maybe"}])
def test_bad_call_filters_are_422(client, params):
    assert client.get(f"{API}/calls", params).status_code == 422


def test_a_wrong_token_is_401_even_on_public_calls(client):
    headers = {"Authorization": "Bearer nzh_not-a-token"}
    assert client.get(f"{API}/calls", headers=headers).status_code == 401


def test_call_detail_has_the_information_page(client):
    full_call(slug="twinning", information="## Aims\n\n<script>x()</script>Learn **together**.")
    body = client.get(f"{API}/calls/twinning").json()
    assert body["information"].startswith("## Aims")
    assert "<strong>together</strong>" in body["information_html"]
    assert "<script>" not in body["information_html"]
    assert len(body["rules"]) == 3


def test_missing_and_draft_calls_are_404_except_drafts_for_coordinators(
    client, member, coordinator
):
    CallFactory(slug="draft", status=Call.Status.DRAFT)
    assert client.get(f"{API}/calls/nothing").status_code == 404
    assert client.get(f"{API}/calls/draft").status_code == 404
    client.force_login(member)
    response = client.get(f"{API}/calls/draft")
    assert response.status_code == 404
    assert response.json() == client.get(f"{API}/calls/nothing").json()
    client.force_login(coordinator)
    assert client.get(f"{API}/calls/draft").json()["status"] == "draft"


# --- eligibility -----------------------------------------------------------------------------


def test_a_lead_reads_each_rule_with_why_and_how_to_fix(client, other_city, other_lead):
    call = full_call(slug="twinning")
    client.force_login(other_lead)
    body = client.get(f"{API}/calls/twinning/eligibility", {"city": other_city.pk}).json()
    assert body["call"] == "twinning"
    assert body["city"] == {
        "id": other_city.pk,
        "name": other_city.name,
        "country": other_city.country.code,
    }
    assert body["eligible"] is False
    assert body["application"] is None
    country, target, hours = body["checks"]
    assert country["outcome"] == "met"
    assert target["outcome"] == "failed"
    assert target["why"] == f"{other_city.name} has not set a climate-neutrality target year."
    assert target["fix"] == "Set your target year on the city profile."
    assert target["fix_url"] == reverse("cities:edit-profile", args=[other_city.pk])
    assert hours["outcome"] == "to-declare"
    # once the target is set and the application declares its hours, every rule is met
    City.objects.filter(pk=other_city.pk).update(target_year=2040)
    application = ApplicationFactory(
        call=call, city=other_city, status=Application.Status.DRAFT, hours_per_month=16
    )
    body = client.get(f"{API}/calls/twinning/eligibility", {"city": other_city.pk}).json()
    assert body["eligible"] is True
    assert body["application"] == application.pk
    assert [c["outcome"] for c in body["checks"]] == ["met", "met", "met"]


def test_an_ineligible_country_says_so(client):
    city = CityFactory(country=IneligibleCountryFactory(name="Nowhere"))
    lead = LeadFactory(city=city).user
    RuleFactory(call=CallFactory(slug="c"), kind=Kind.COUNTRY_ELIGIBLE)
    check = client.get(
        f"{API}/calls/c/eligibility", {"city": city.pk}, headers=bearer(lead)
    ).json()["checks"][0]
    assert check["outcome"] == "failed"
    assert check["why"]
    assert check["fix"] == "This cannot be changed by the city: the programme's rule decides."


def test_eligibility_is_for_the_leads_of_the_city_only(
    client, city, member, lead, other_city, other_lead, coordinator
):
    full_call(slug="twinning")
    url = f"{API}/calls/twinning/eligibility"
    assert client.get(url, {"city": other_city.pk}).status_code == 401
    client.force_login(other_lead)
    assert client.get(url, {"city": city.pk}).status_code == 404  # not their city
    assert client.get(url, {"city": 999999}).status_code == 404
    assert client.get(url).status_code == 422
    assert client.get(f"{API}/calls/nothing/eligibility", {"city": other_city.pk}).status_code == (
        404
    )
    client.force_login(member)  # a member, not a lead
    assert client.get(url, {"city": city.pk}).status_code == 404
    client.force_login(coordinator)
    assert client.get(url, {"city": city.pk}).status_code == 404
    client.force_login(lead)
    assert client.get(url, {"city": city.pk}).status_code == 200


def test_eligibility_for_a_draft_call_is_404(client, other_city, other_lead):
    CallFactory(slug="draft", status=Call.Status.DRAFT)
    client.force_login(other_lead)
    url = f"{API}/calls/draft/eligibility"
    assert client.get(url, {"city": other_city.pk}).status_code == 404


# --- my applications and one application ---------------------------------------------------


def test_my_applications_are_those_of_my_cities_only(client, city, member, other_city):
    old, new = CallFactory(slug="old"), CallFactory(slug="new")
    draft = ApplicationFactory(
        call=old, city=city, status=Application.Status.DRAFT, submitted_at=None
    )
    submitted = ApplicationFactory(call=new, city=city)
    theirs = ApplicationFactory(call=new, city=other_city)
    MembershipFactory(city=other_city, user=member, status=Membership.Status.PENDING)
    client.force_login(member)
    body = client.get(f"{API}/me/applications").json()
    assert body["count"] == 2
    assert [a["id"] for a in body["results"]] == [submitted.pk, draft.pk]
    assert theirs.pk not in {a["id"] for a in body["results"]}
    first = body["results"][0]
    assert first["call"] == "new"
    assert first["status"] == "submitted"
    assert first["city"]["id"] == city.pk
    assert first["submitted_at"].endswith("Z")
    assert body["results"][1]["submitted_at"] is None


def test_my_applications_need_authentication_and_work_with_a_token(client, city, lead):
    ApplicationFactory(city=city)
    assert client.get(f"{API}/me/applications").status_code == 401
    body = client.get(f"{API}/me/applications", headers=bearer(lead)).json()
    assert body["count"] == 1


def test_a_coordinator_lists_only_their_own_cities(client, city, coordinator):
    ApplicationFactory(city=city)
    client.force_login(coordinator)
    assert client.get(f"{API}/me/applications").json()["count"] == 0


def test_an_application_with_its_answers_and_their_labels(client, city, member):
    call = CallFactory()
    motivation = QuestionFactory(call=call, kind=Question.Kind.MOTIVATION, label="Why?")
    fields = QuestionFactory(call=call, kind=Question.Kind.FIELDS, label="Fields")
    languages = QuestionFactory(call=call, kind=Question.Kind.LANGUAGES, label="Languages")
    hours = QuestionFactory(call=call, kind=Question.Kind.HOURS, label="Hours")
    unanswered = QuestionFactory(call=call, kind=Question.Kind.TEXT, label="Else", required=False)
    energy = Term.objects.get(kind="field", slug="energy-systems")
    application = ApplicationFactory(
        call=call,
        city=city,
        answers={
            str(motivation.pk): "To learn.",
            str(fields.pk): ["energy-systems"],
            str(languages.pk): ["en", "nl"],
            str(hours.pk): 14,
        },
    )
    client.force_login(member)
    body = client.get(f"{API}/applications/{application.pk}").json()
    assert body["id"] == application.pk
    assert body["city"]["name"] == city.name
    by_label = {a["label"]: a for a in body["answers"]}
    assert [a["question"] for a in body["answers"]] == [
        motivation.pk,
        fields.pk,
        languages.pk,
        hours.pk,
        unanswered.pk,
    ]
    assert by_label["Why?"]["answer"] == "To learn."
    assert by_label["Fields"]["answer"] == ["energy-systems"]
    assert by_label["Fields"]["answer_labels"] == [energy.name]
    assert by_label["Languages"]["answer_labels"] == ["English", "Dutch"]
    assert by_label["Hours"]["answer"] == 14
    assert by_label["Else"]["answer"] is None
    assert by_label["Else"]["required"] is False


def test_another_citys_application_never_leaks(
    client, city, lead, other_city, other_lead, outsider, coordinator
):
    application = ApplicationFactory(city=city, answers={"1": "Our secret plan"})
    url = f"{API}/applications/{application.pk}"
    assert client.get(url).status_code == 401
    for person in (other_lead, outsider):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == client.get(f"{API}/applications/999999").json()
        assert "Our secret plan" not in client.get(f"{API}/me/applications").content.decode()
    client.force_login(lead)
    assert client.get(url).status_code == 200
    client.force_login(coordinator)
    assert client.get(url).status_code == 200


def test_a_reviewer_reads_submitted_applications_of_the_calls_they_review(client, city):
    reviewer = MembershipFactory(city=CityFactory()).user
    call = CallFactory()
    call.reviewers.add(reviewer)
    submitted = ApplicationFactory(call=call, city=city)
    draft = ApplicationFactory(call=call, status=Application.Status.DRAFT)
    elsewhere = ApplicationFactory()
    headers = bearer(reviewer)
    assert client.get(f"{API}/applications/{submitted.pk}", headers=headers).status_code == 200
    assert client.get(f"{API}/applications/{draft.pk}", headers=headers).status_code == 404
    assert client.get(f"{API}/applications/{elsewhere.pk}", headers=headers).status_code == 404


# --- pairs -----------------------------------------------------------------------------------


@pytest.fixture
def matched(coordinator):
    """A study-visits call run through the services: two accepted applicants, one host with
    two places, matched."""
    call = CallFactory(slug="visits", kind=Call.Kind.STUDY_VISITS)
    country = CountryFactory()
    energy = Term.objects.get(kind="field", slug="energy-systems")
    host = CityFactory(name="Host", country=country, status=City.Status.MISSION)
    offer = OfferFactory(call=call, city=host, capacity=2, languages=["en"])
    offer.fields.set([energy])
    for name in ("Alpha", "Beta"):
        application = ApplicationFactory(
            call=call,
            city=CityFactory(name=name, country=country, status=City.Status.PARTICIPATING),
            status=Application.Status.ACCEPTED,
            languages=["en"] if name == "Alpha" else ["fr"],
        )
        application.fields.set([energy])
    services.run_matching(call, actor=coordinator)
    return call


def test_coordinators_read_a_calls_pairs_with_why(client, coordinator, matched):
    client.force_login(coordinator)
    body = client.get(f"{API}/calls/visits/pairs").json()
    assert body["count"] == 2
    best, second = body["results"]
    assert (best["applicant"]["name"], best["host"]["name"]) == ("Alpha", "Host")
    assert best["status"] == "proposed"
    assert best["score"] > second["score"]
    parts = {p["part"]: p for p in best["breakdown"]}
    assert set(parts) == {"fields", "levers", "language", "population", "distance", "challenges"}
    assert parts["fields"]["value"] == 1.0
    assert parts["language"]["value"] == 1.0
    assert {p["part"]: p["value"] for p in second["breakdown"]}["language"] == 0.0
    assert sum(p["points"] for p in best["breakdown"]) == pytest.approx(best["score"])
    assert best["url"] == f"/exchanges/pairs/{best['id']}/"
    services.publish_matches(matched, actor=coordinator)
    published = client.get(f"{API}/calls/visits/pairs", {"status": "published"}).json()
    assert published["count"] == 2
    assert client.get(f"{API}/calls/visits/pairs", {"status": "proposed"}).json()["count"] == 0


def test_pairs_are_404_for_everyone_but_coordinators(client, matched, lead, mentor):
    pair = Pair.objects.select_related("application").first()
    twin_lead = LeadFactory(city=pair.application.city).user
    url = f"{API}/calls/visits/pairs"
    assert client.get(url).status_code == 401
    for person in (lead, mentor, twin_lead):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == client.get(f"{API}/calls/nothing/pairs").json()


def test_bad_pair_filters_are_422(client, coordinator, matched):
    client.force_login(coordinator)
    assert client.get(f"{API}/calls/visits/pairs", {"status": "locked"}).status_code == 422


def test_openapi_documents_the_error_answers(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert {"200", "401", "422"} <= set(paths[f"{API}/calls"]["get"]["responses"])
    assert {"200", "404"} <= set(paths[f"{API}/calls/{{slug}}"]["get"]["responses"])
    eligibility = paths[f"{API}/calls/{{slug}}/eligibility"]["get"]["responses"]
    assert {"200", "401", "404", "422"} <= set(eligibility)
    assert {"200", "401"} <= set(paths[f"{API}/me/applications"]["get"]["responses"])
    detail = paths[f"{API}/applications/{{application_id}}"]["get"]["responses"]
    assert {"200", "401", "404"} <= set(detail)
    pairs = paths[f"{API}/calls/{{slug}}/pairs"]["get"]["responses"]
    assert {"200", "401", "404", "422"} <= set(pairs)


# --- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 30])
def test_calls_list_query_count(client, member, count, django_assert_num_queries):
    group = GroupFactory()
    for _ in range(count):
        call = full_call()
        RuleFactory(call=call, kind=Kind.MEETINGS, group=group, minimum=1)
    # the count, a page of calls, their rules (with groups), questions, criteria
    with django_assert_num_queries(5):
        body = client.get(f"{API}/calls").json()
    assert (body["count"], len(body["results"])) == (count, min(count, 25))
    client.force_login(member)
    # signed in (the session is cached): the user, then the same five
    with django_assert_num_queries(6):
        client.get(f"{API}/calls", {"open": "true"})


@pytest.mark.parametrize("count", [2, 30])
def test_my_applications_query_count(client, city, member, count, django_assert_num_queries):
    for _ in range(count):
        ApplicationFactory(city=city)
    ApplicationFactory()  # another city's
    headers = bearer(member)
    # the token with its user, its last use, the count, a page of applications
    with django_assert_num_queries(4):
        body = client.get(f"{API}/me/applications", headers=headers).json()
    assert (body["count"], len(body["results"])) == (count, min(count, 25))


@pytest.mark.parametrize("count", [2, 30])
def test_pairs_query_count(client, coordinator, count, django_assert_num_queries):
    call = CallFactory(slug="visits")
    for _ in range(count):
        PairFactory(call=call, status=Pair.Status.PROPOSED)
    client.force_login(coordinator)
    client.get(f"{API}/calls/visits/pairs")  # the first request marks the session
    # the user, the call, the count, a page of pairs with both cities
    with django_assert_num_queries(4):
        body = client.get(f"{API}/calls/visits/pairs").json()
    assert (body["count"], len(body["results"])) == (count, count)


@pytest.mark.parametrize("questions", [2, 12])
def test_application_detail_query_count(client, city, member, questions, django_assert_num_queries):
    call = CallFactory()
    answers = {}
    for _ in range(questions):
        question = QuestionFactory(call=call, kind=Question.Kind.FIELDS)
        answers[str(question.pk)] = ["energy-systems", "mobility-transport"]
    application = ApplicationFactory(call=call, city=city, answers=answers)
    client.force_login(member)
    # the user, the application (call, city), the memberships, the questions, the terms
    with django_assert_num_queries(5):
        body = client.get(f"{API}/applications/{application.pk}").json()
    assert len(body["answers"]) == questions

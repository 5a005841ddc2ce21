"""The self-assessment API: the published questionnaire (public), a city's assessments, one
assessment with its result and peers, its recommendations (members and coordinators)."""

from __future__ import annotations

import pytest

from netzerohub.accounts import services as accounts
from netzerohub.assessment import peers, services
from netzerohub.assessment.tests.factories import answer, submitted
from netzerohub.cities.tests.factories import CityFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_the_questionnaire_is_public_with_levels_and_scoring(client, questionnaire):
    data = client.get("/api/v1/assessment/questionnaire").json()
    assert (data["key"], data["version"], data["estimated_minutes"]) == (
        "netzerohub-readiness", "2026.1", 16
    )  # fmt: skip
    assert [s["min_score"] for s in data["stages"]] == [0, 25, 50, 75]
    questions = [q for d in data["dimensions"] for q in d["questions"]]
    assert len(questions) == 47
    assert all([lv["level"] for lv in q["levels"]] == [0, 1, 2, 3, 4] for q in questions)
    finance = next(d for d in data["dimensions"] if d["key"] == "finance")
    assert finance["levers"] == ["finance-funding"] and finance["step"] is None


def test_no_published_questionnaire_is_a_404(client, db):
    assert client.get("/api/v1/assessment/questionnaire").status_code == 404


def test_a_citys_assessments_for_its_members(client, questionnaire, city, lead, member):
    done = submitted(city, lead, level=2)
    in_progress = services.start_assessment(city, actor=member)
    answer(in_progress, {"mandate-scope": 3}, user=member)
    client.force_login(member)
    rows = client.get(f"/api/v1/cities/{city.pk}/assessments").json()
    assert [r["id"] for r in rows] == [in_progress.pk, done.pk]
    assert rows[0]["progress"]["answered"] == 1 and rows[0]["overall_score"] is None
    assert "mandate-target-year" in rows[0]["progress"]["required_missing"]
    assert rows[1]["overall_score"] == 50 and rows[1]["stage"] == "advanced"
    assert rows[1]["scores"]["finance"] == 50 and rows[1]["progress"] is None


@pytest.mark.parametrize("role", ["outsider", "other_lead", "helpdesk_expert"])
def test_another_citys_assessments_are_404(request, client, questionnaire, city, lead, role):
    done = submitted(city, lead)
    client.force_login(request.getfixturevalue(role))
    for url in [
        f"/api/v1/cities/{city.pk}/assessments",
        f"/api/v1/assessments/{done.pk}",
        f"/api/v1/assessments/{done.pk}/recommendations",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not Found"}


def test_visitors_get_a_401(client, questionnaire, city):
    assert client.get(f"/api/v1/cities/{city.pk}/assessments").status_code == 401


def test_one_assessment_with_its_result_and_peers(client, questionnaire, city, lead):
    for _n in range(5):
        other = CityFactory(country=city.country)
        submitted(other, LeadFactory(city=other).user, level=4)
    done = submitted(city, lead, level=0)
    peers.refresh(questionnaire.key)
    client.force_login(lead)
    data = client.get(f"/api/v1/assessments/{done.pk}").json()
    assert data["overall_score"] == 0 and data["stage"] == "starting"
    assert len(data["answers"]) == 47 and data["answers"][0]["level"] == 0
    gaps = {d["key"] for d in data["dimensions"] if d["kind"] == "gap"}
    assert len(gaps) == 9
    everyone = next(p for p in data["peers"] if p["group"] == "all")
    assert everyone["shown"] and everyone["cities"] == 6 and everyone["medians"][""] == 100


def test_recommendations_of_an_assessment_in_progress_are_404(client, questionnaire, city, member):
    in_progress = services.start_assessment(city, actor=member)
    client.force_login(member)
    assert client.get(f"/api/v1/assessments/{in_progress.pk}/recommendations").status_code == 404


def test_recommendations_by_token(client, questionnaire, city, lead):
    done = submitted(city, lead)
    _token, secret = accounts.create_api_token(lead, name="script", actor=lead)
    response = client.get(
        f"/api/v1/assessments/{done.pk}/recommendations", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 200
    assert set(response.json()) == {"pathways", "courses", "resources", "groups", "events"}

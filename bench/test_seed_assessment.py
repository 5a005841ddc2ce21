"""The self-assessment benchmark's seeding, at toy scale: results as the product would have
stored them, one latest per city, idempotent, and the pages the benchmark measures answer for
the people and sessions it requests them as.

No timings here: speed is what `make bench` measures, not what tests assert.
"""

from __future__ import annotations

import pytest
import run
import seed
import seed_assessment as sa
from django.db.models import Count

from netzerohub.accounts.middleware import StaffMFAMiddleware
from netzerohub.assessment import scoring, services
from netzerohub.assessment.models import Answer, Assessment, PeerStatistic, Questionnaire
from netzerohub.cities.models import City, Country, Membership
from netzerohub.cities.population import band_of

pytestmark = pytest.mark.django_db

CITIES = 30
TARGETS = sa.Targets(latest=20, older=6)
QUESTIONS = 47


def quiet(*args: object) -> None:
    pass


@pytest.fixture
def cities() -> None:
    france = Country.objects.create(code="FR", name="France", is_eu_member=True)
    Country.objects.create(code="SE", name="Sweden", is_eu_member=True)
    City.objects.create(name="Lyon", country=france, population=520_000)
    City.objects.create(name="Nowhere", country=france, population=None)  # no population band
    seed.seed(seed.Targets(cities=CITIES, users=40, memberships=120), log=quiet)


def test_seed_writes_submitted_results_with_their_answers(cities):
    report = sa.seed(TARGETS, log=quiet)

    assert report["questionnaire"] == 1
    assert report["latest_results"] == 20
    assert report["older_results"] == 6
    assert report["assessments"] == 26
    assert report["answers"] == 26 * QUESTIONS
    assert report["coordinator"] == 1
    assessments = sa.bench_results()
    assert assessments.count() == 26
    assert not Assessment.objects.exclude(status=Assessment.Status.SUBMITTED).exists()
    assert assessments.filter(is_latest=True).count() == 20
    latest_cities = list(assessments.filter(is_latest=True).values_list("city_id", flat=True))
    assert len(set(latest_cities)) == 20  # one latest result per city
    per_city = assessments.values("city_id").annotate(n=Count("id"))
    assert {row["n"] for row in per_city} <= {1, 2}
    assert sum(1 for row in per_city if row["n"] == 2) == 6
    counts = Answer.objects.values("assessment_id").annotate(n=Count("id"))
    assert {row["n"] for row in counts} == {QUESTIONS}
    assert Answer.objects.filter(level__isnull=True).exists()
    assert not Answer.objects.filter(level__isnull=True, question__required=True).exists()
    levels = set(Answer.objects.values_list("level", flat=True))
    assert len(levels - {None}) >= 4  # a spread, not one level


def test_the_stored_results_are_what_submission_would_have_stored(cities):
    sa.seed(TARGETS, log=quiet)
    structure = Questionnaire.objects.with_structure().get(pk=sa.questionnaire().pk)

    for assessment in sa.bench_results().select_related("city"):
        result = scoring.score(structure, services.answers_of(assessment))
        assert assessment.scores == {
            k: float(v) if v is not None else None for k, v in result.dimensions.items()
        }
        assert assessment.overall_score == float(result.overall)
        assert assessment.stage_id == result.stage.pk
        assert assessment.country_id == assessment.city.country_id
        assert assessment.population_band == band_of(assessment.city.population)
        assert assessment.started < assessment.last_answer_at < assessment.submitted_at
        leads = Membership.objects.leads().filter(city=assessment.city, user__in=seed.bench_users())
        first_lead = leads.order_by("user_id").first()
        assert assessment.submitted_by_id == (first_lead.user_id if first_lead else None)
        members = set(
            Membership.objects.approved()
            .filter(city=assessment.city)
            .values_list("user_id", flat=True)
        )
        answered_by = set(assessment.answers.values_list("answered_by_id", flat=True))
        assert answered_by <= (members or {None})
    for older in sa.bench_results().filter(is_latest=False):
        latest = sa.bench_results().get(city=older.city_id, is_latest=True)
        assert older.submitted_at < latest.submitted_at
    assert sa.bench_results().filter(population_band="").exists() == (
        sa.bench_results().filter(city__name="Nowhere").exists()
    )


def test_the_peer_statistics_are_refreshed(cities):
    report = sa.seed(TARGETS, log=quiet)

    assert report["peer_statistics"] > 0
    key = sa.questionnaire().key
    overall = PeerStatistic.objects.get(questionnaire_key=key, group="all", dimension="")
    assert overall.cities == 20
    assert sum(overall.stages.values()) == 20


def test_seeding_again_adds_nothing_and_a_higher_target_tops_up(cities):
    sa.seed(TARGETS, log=quiet)
    before = (Assessment.objects.count(), Answer.objects.count(), Questionnaire.objects.count())

    again = sa.seed(TARGETS, log=quiet)

    assert not any(v for k, v in again.items() if k.endswith("_results") or k == "answers")
    assert "seed_s" not in again
    after = (Assessment.objects.count(), Answer.objects.count(), Questionnaire.objects.count())
    assert after == before

    more = sa.seed(sa.Targets(latest=24, older=9), log=quiet)

    assert more["latest_results"] == 4
    assert more["older_results"] == 3
    assert sa.bench_results().filter(is_latest=True).count() == 24
    assert sa.bench_results().filter(is_latest=False).count() == 9
    assert Answer.objects.count() == 33 * QUESTIONS


def test_the_measured_pages_answer_for_the_seeded_people(cities, client):
    sa.seed(TARGETS, log=quiet)
    pages = sa.requested(5)
    assert pages
    assessment_pk, lead = pages[0]
    assessment = Assessment.objects.select_related("city").get(pk=assessment_pk)
    assert Membership.objects.leads().filter(city=assessment.city, user=lead).exists()

    # The session cookie the benchmark sends, as `run.session_cookie` makes it.
    client.cookies.load(run.session_cookie(lead))
    page = client.get(f"/assessment/{assessment_pk}/result/")
    assert page.status_code == 200
    assert assessment.city.name.encode() in page.content
    assert b"Median: All cities" in page.content

    client.cookies.clear()
    client.cookies.load(
        run.session_cookie(sa.coordinator(), {StaffMFAMiddleware.SESSION_KEY: True})
    )
    distribution = "/assessment/manage/distribution/"
    for path in (distribution, f"{distribution}?group=country:FR"):
        page = client.get(path)
        assert page.status_code == 200
        assert b"20 cities with a result" in page.content

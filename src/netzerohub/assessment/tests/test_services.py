"""Services of the self-assessment: starting, answering question by question, submitting,
re-assessing, and the peer statistics a submission refreshes."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from netzerohub.assessment import authoring, peers, services
from netzerohub.assessment.models import Answer, Assessment, PeerStatistic
from netzerohub.assessment.tests.factories import (
    answer,
    default_questionnaire,
    questions_of,
    submitted,
    uniform,
)
from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, LeadFactory, MembershipFactory
from netzerohub.core.models import AuditLog, Notification
from netzerohub.core.personal_data import collect_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(questionnaire, city, member):
    return services.start_assessment(city, actor=member)


def by_key(assessment):
    return {q.key: q for q in questions_of(assessment)}


def test_starting_twice_gives_the_assessment_in_progress(questionnaire, city, member, lead):
    first = services.start_assessment(city, actor=member)
    assert services.start_assessment(city, actor=lead) == first
    assert first.questionnaire == questionnaire
    assert AuditLog.objects.filter(action="assessment.started", city=city).count() == 1


def test_starting_without_a_published_questionnaire_is_refused(city, member):
    with pytest.raises(services.AssessmentError, match="No questionnaire is published"):
        services.start_assessment(city, actor=member)


def test_each_answer_is_its_own_row_and_colleagues_keep_theirs(assessment, member, lead):
    questions = by_key(assessment)
    services.save_answer(assessment, questions["mandate-target-year"], 3, actor=member)
    services.save_answer(assessment, questions["mandate-scope"], 1, actor=lead)
    services.save_answer(assessment, questions["mandate-target-year"], 4, actor=member)
    rows = {a.question.key: (a.level, a.answered_by) for a in assessment.answers.all()}
    assert rows == {"mandate-target-year": (4, member), "mandate-scope": (1, lead)}


def test_an_optional_question_can_be_skipped_a_required_one_cannot(assessment, member):
    questions = by_key(assessment)
    services.save_answer(assessment, questions["mandate-multilevel"], None, actor=member)
    assert Answer.objects.get(question=questions["mandate-multilevel"]).level is None
    with pytest.raises(services.AssessmentError, match="is required"):
        services.save_answer(assessment, questions["mandate-scope"], None, actor=member)


@pytest.mark.parametrize("level", [-1, 5, 99])
def test_a_level_outside_0_to_4_is_refused(assessment, member, level):
    question = by_key(assessment)["mandate-scope"]
    with pytest.raises(services.AssessmentError, match="levels 0 to 4"):
        services.save_answer(assessment, question, level, actor=member)
    assert not Answer.objects.exists()


def test_a_question_of_another_questionnaire_is_refused(assessment, member, coordinator):
    draft = authoring.create_draft(assessment.questionnaire, actor=coordinator, version="2099.1")
    foreign = questions_of(draft)[0]
    with pytest.raises(services.AssessmentError, match="not part of this assessment"):
        services.save_answer(assessment, foreign, 2, actor=member)


def test_saving_the_same_level_again_writes_no_audit_entry(assessment, member):
    question = by_key(assessment)["mandate-scope"]
    services.save_answer(assessment, question, 2, actor=member)
    services.save_answer(assessment, question, 2, actor=member)
    entries = AuditLog.objects.filter(action="assessment.answer.saved")
    assert [e.data for e in entries] == [
        {"question": "mandate-scope", "level": 2, "previous": "unanswered"}
    ]


def test_saving_a_section_saves_only_the_changes_given(assessment, member, lead):
    questions = by_key(assessment)
    services.save_answer(assessment, questions["mandate-scope"], 3, actor=lead)
    changed = services.save_answers(assessment, {questions["mandate-target-year"]: 2}, actor=member)
    assert changed == 1
    assert Answer.objects.get(question=questions["mandate-scope"]).level == 3


def test_submitting_with_required_answers_missing_lists_them(assessment, member, lead):
    levels = uniform(assessment.questionnaire, 2, skip_optional=True)
    del levels["governance-roles"]
    del levels["fields-waste-circular-economy"]
    answer(assessment, levels, user=member)
    with pytest.raises(services.MissingAnswers) as refused:
        services.submit_assessment(assessment, actor=lead)
    assert [q.key for q in refused.value.questions] == [
        "governance-roles",
        "fields-waste-circular-economy",
    ]
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.IN_PROGRESS


def test_submitting_stores_the_result_and_tells_the_team(assessment, city, member, lead):
    levels = uniform(assessment.questionnaire, 2, skip_optional=True)
    levels["mandate-target-year"] = 4
    answer(assessment, levels, user=member)
    mail.outbox.clear()
    result = services.submit_assessment(assessment, actor=lead)
    # mandate: 100 × (1.5×4 + 3×2) / (1.5×4 + 3×4) = 1200/18 = 66.67; the others 50.
    assert result.scores["mandate"] == pytest.approx(200 / 3)
    assert result.scores["finance"] == 50
    assert result.overall_score == pytest.approx((200 / 3 + 8 * 50) / 9)
    assert result.stage.key == "advanced"
    assert result.is_latest and result.status == Assessment.Status.SUBMITTED
    assert result.country == city.country and result.submitted_by == lead
    assert Notification.objects.filter(user=member, kind="assessment.submitted").exists()
    assert not Notification.objects.filter(user=lead, kind="assessment.submitted").exists()
    entry = AuditLog.objects.get(action="assessment.submitted")
    assert entry.city == city and entry.data["stage"] == "advanced"


def test_a_submitted_assessment_refuses_every_change(assessment, member, lead):
    done = submitted(assessment.city, lead)
    assert done == assessment
    question = by_key(assessment)["mandate-scope"]
    with pytest.raises(services.AssessmentError, match="Start a new assessment"):
        services.save_answer(done, question, 0, actor=member)
    with pytest.raises(services.AssessmentError, match="can no longer change"):
        services.save_answers(done, {question: 0}, actor=member)
    with pytest.raises(services.AssessmentError):
        services.submit_assessment(done, actor=lead)
    assert Answer.objects.get(assessment=done, question=question).level == 2


def test_re_assessing_makes_the_new_result_the_latest(questionnaire, city, lead):
    first = submitted(city, lead, level=1)
    second = submitted(city, lead, level=3)
    first.refresh_from_db()
    assert second != first
    assert not first.is_latest and second.is_latest
    assert first.stage.key == "developing" and second.stage.key == "leading"
    assert list(Assessment.objects.for_city(city).history()) == [first, second]


def test_the_population_band_is_recorded_when_submitting(questionnaire, lead, city):
    City.objects.filter(pk=city.pk).update(population=120_000)
    assert submitted(city, lead).population_band == "100000-250000"
    City.objects.filter(pk=city.pk).update(population=None)
    assert submitted(city, lead).population_band == ""


# --- peers -----------------------------------------------------------------------------------


def cities_with_results(count: int, level: int = 2, **city_fields):
    """`count` cities (in the `city` fixture's country when given), each with a lead and a
    submitted assessment at `level`."""
    made = []
    for _n in range(count):
        place = CityFactory(**city_fields)
        lead = LeadFactory(city=place).user
        made.append(submitted(place, lead, level=level))
    return made


def test_refresh_counts_each_city_once_with_its_latest_result(questionnaire, city, lead):
    submitted(city, lead, level=0)
    submitted(city, lead, level=4)
    peers.refresh(questionnaire.key)
    overall = PeerStatistic.objects.get(group="all", dimension="")
    assert overall.cities == 1 and overall.median == 100
    assert overall.stages == {"leading": 1}


def test_medians_and_quartiles_per_group(questionnaire, city):
    country = city.country
    for level in (0, 1, 2, 3, 4):
        cities_with_results(1, level=level, country=country, population=60_000)
    cities_with_results(1, level=4, population=2_000_000)  # another country and band
    peers.refresh(questionnaire.key)
    in_country = PeerStatistic.objects.get(group=f"country:{country.code}", dimension="")
    assert (in_country.cities, in_country.median) == (5, 50)
    assert (in_country.lower_quartile, in_country.upper_quartile) == (25, 75)
    band = PeerStatistic.objects.get(group="band:50000-100000", dimension="finance")
    assert (band.cities, band.median) == (5, 50)
    everyone = PeerStatistic.objects.get(group="all", dimension="")
    assert everyone.cities == 6 and everyone.median == 62.5
    assert everyone.stages == {"starting": 1, "developing": 1, "advanced": 1, "leading": 3}


def test_a_group_below_five_cities_shows_no_median_and_says_why(questionnaire, city, lead):
    City.objects.filter(pk=city.pk).update(population=60_000)
    cities_with_results(4, level=4, country=city.country, population=500_000)
    own = submitted(City.objects.get(pk=city.pk), lead, level=0)
    peers.refresh(questionnaire.key)
    own = Assessment.objects.select_related("country", "questionnaire").get(pk=own.pk)
    groups, computed = peers.comparison(own)
    by_group = {g.group: g for g in groups}
    everyone = by_group["all"]
    assert everyone.shown and everyone.medians[""] == 100  # 4 × 100 and this city's 0
    in_country = by_group[f"country:{city.country.code}"]
    assert in_country.shown and in_country.cities == 5
    band = by_group["band:50000-100000"]  # only this city
    assert not band.shown and band.medians == {}
    assert "1 with a result so far" in band.reason and "5 cities" in band.reason
    assert computed is not None


def test_a_city_without_population_has_no_band_group_and_is_told_why(questionnaire, lead, city):
    City.objects.filter(pk=city.pk).update(population=None)
    own = submitted(City.objects.get(pk=city.pk), lead)
    own = Assessment.objects.select_related("country", "questionnaire").get(pk=own.pk)
    groups, _computed = peers.comparison(own)
    assert "not on its profile" in groups[-1].reason


def test_submitting_refreshes_the_peer_statistics_after_commit(
    questionnaire, city, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted(city, lead, level=3)
    assert PeerStatistic.objects.get(group="all", dimension="").median == 75


# --- answering at the same moment ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_different_questions_at_the_same_moment_lose_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    default_questionnaire()
    city = CityFactory()
    people = [MembershipFactory(city=city).user for _n in range(2)]
    assessment = services.start_assessment(city, actor=people[0])
    questions = questions_of(assessment)[:20]
    barrier = threading.Barrier(2)
    errors = []

    def answer_half(person, half):
        try:
            barrier.wait()
            for question in half:
                services.save_answer(assessment, question, 3, actor=person)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer_half, args=(people[0], questions[0::2])),
        threading.Thread(target=answer_half, args=(people[1], questions[1::2])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Answer.objects.filter(assessment=assessment, level=3).count() == 20


def test_a_dimension_that_fewer_than_five_cities_scored_stays_hidden(questionnaire, city, lead):
    """Versions of one questionnaire may differ: a dimension only two cities answered is not
    shown even where the group itself is large enough."""
    own = submitted(city, lead)
    now = own.submitted_at
    common = {"questionnaire_key": questionnaire.key, "computed_at": now, "lower_quartile": 0,
              "upper_quartile": 0}  # fmt: skip
    PeerStatistic.objects.bulk_create(
        [
            PeerStatistic(group="all", dimension="", cities=8, median=40, **common),
            PeerStatistic(group="all", dimension="finance", cities=8, median=30, **common),
            PeerStatistic(group="all", dimension="data", cities=2, median=90, **common),
        ]
    )
    own = Assessment.objects.select_related("country", "questionnaire").get(pk=own.pk)
    everyone = next(g for g in peers.comparison(own)[0] if g.group == "all")
    assert everyone.medians == {"": 40, "finance": 30}


def test_a_persons_answers_are_in_their_personal_data(assessment, member, lead):
    question = by_key(assessment)["mandate-scope"]
    services.save_answer(assessment, question, 3, actor=member)
    exported = collect_all(member)["assessment"]["answers"]
    assert [(a["question"], a["level"]) for a in exported] == [(question.text, 3)]
    assert collect_all(lead)["assessment"]["answers"] == []


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_the_same_moment_both_succeed():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    questionnaire = default_questionnaire()
    place = CityFactory()
    submitted(place, LeadFactory(city=place).user)
    barrier = threading.Barrier(2)
    errors = []

    def refresh():
        try:
            barrier.wait()
            peers.refresh(questionnaire.key)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert PeerStatistic.objects.filter(group="all").count() == 10

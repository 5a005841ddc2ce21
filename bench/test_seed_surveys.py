"""The survey benchmark's seeding at toy scale: a survey of 60 questions of every kind built
through the services, submitted responses whose answers keep the survey's rules (conditions,
ranges, choices), groups spread over countries, bands, statuses and stages; idempotent and
replaceable; the measured page answers for the session the benchmark makes.

No timings here: speed is what `make bench` measures, not what tests assert.
"""

from __future__ import annotations

import pytest
import run
import seed
import seed_surveys as ss

from netzerohub.cities.models import City, Country
from netzerohub.surveys import answering
from netzerohub.surveys.models import Answer, Question, Response, Selection

pytestmark = pytest.mark.django_db

TARGETS = ss.Targets(responses=60)


def quiet(*args: object) -> None:
    pass


@pytest.fixture
def cities() -> None:
    Country.objects.create(code="FR", name="France", is_eu_member=True)
    Country.objects.create(code="NO", name="Norway", is_associated=True)
    seed.seed(seed.Targets(cities=90, users=20, memberships=30), log=quiet)
    # some cities of other statuses, so that the status filter has a spread
    ids = list(City.objects.order_by("pk").values_list("pk", flat=True))
    City.objects.filter(pk__in=ids[::3]).update(status=City.Status.MISSION)
    City.objects.filter(pk__in=ids[1::7]).update(status=City.Status.PARTICIPATING)


def test_the_survey_has_60_questions_of_every_kind(cities):
    report = ss.seed(TARGETS, log=quiet)

    survey = ss.bench_survey()
    questions = list(Question.objects.filter(survey=survey))
    assert report["survey"] == 1 and len(questions) == 60
    assert {q.kind for q in questions} == set(Question.Kind.values)
    assert survey.is_open() and survey.per_city
    assert sum(q.is_conditional for q in questions) == 3
    assert sum(q.allow_other for q in questions) == 4
    matrices = [q for q in questions if q.kind == "matrix"]
    assert sorted(q.options.count() for q in matrices) == [5, 5, 6, 7]
    assert all(
        o.term_id for q in questions if q.kind in ("fields", "levers") for o in q.options.all()
    )


def test_responses_keep_the_surveys_rules(cities):
    report = ss.seed(TARGETS, log=quiet)

    survey = answering.structure(ss.bench_survey().pk)
    questions = {q.pk: q for q in answering.asked(survey)}
    responses = list(ss.bench_responses())
    assert report["responses"] == 60 == len(responses)
    assert all(r.status == Response.Status.SUBMITTED and r.submitted_at for r in responses)
    assert report["answers"] == Answer.objects.filter(survey=survey).count()
    assert report["selections"] == Selection.objects.filter(survey=survey).count()
    assert 60 * 57 <= report["answers"] <= 60 * 60
    answers: dict[int, dict[int, Answer]] = {}
    for answer in Answer.objects.filter(survey=survey):
        answer.chosen = []
        answers.setdefault(answer.response_id, {})[answer.question_id] = answer
    for selection in Selection.objects.filter(survey=survey):
        answers[selection.response_id][selection.question_id].chosen.append(selection)
    for response in responses:
        mine = answers[response.pk]
        shown = {q.pk for q in answering.shown(survey, answering.chosen_options(mine))}
        assert set(mine) == shown  # every question shown answered, nothing else
        assert answering.state_of(survey, response).ready
        for qid, answer in mine.items():
            question = questions[qid]
            ids = {o.pk for o in question.options.all()}
            assert {s.option_id for s in answer.chosen} <= ids
            if question.kind in ("likert", "number"):
                low = question.scale_min if question.kind == "likert" else question.number_min
                high = question.scale_max if question.kind == "likert" else question.number_max
                assert low <= answer.number <= high
            if question.kind == "matrix":
                assert all(s.value in question.scale for s in answer.chosen)
            if question.kind == "ranking":
                ranks = sorted(s.value for s in answer.chosen)
                assert ranks == list(range(1, len(ranks) + 1))
            if question.is_choice and question.max_choices:
                assert len(answer.chosen) + bool(answer.text) <= question.max_choices
            if question.kind == "single":
                assert len(answer.chosen) + bool(answer.text) == 1
            if question.kind in Question.TEXT_KINDS:
                assert 0 < len(answer.text) <= question.text_limit
    cities = City.objects.in_bulk([r.city_id for r in responses])
    for response in responses:
        city = cities[response.city_id]
        assert response.country_id == city.country_id and response.city_status == city.status
    facts = ss.facts()
    assert facts["countries"] == 2 and facts["statuses"] >= 3
    assert facts["bands"] >= 2 and facts["stages"] >= 2


def test_seeding_again_adds_nothing_and_other_targets_replace(cities):
    ss.seed(TARGETS, log=quiet)
    before = (
        list(ss.bench_responses().order_by("pk").values_list("pk", "city_id")),
        Answer.objects.count(),
        Selection.objects.count(),
        Question.objects.count(),
    )

    again = ss.seed(TARGETS, log=quiet)

    assert not any(v for k, v in again.items() if not k.endswith("_s"))
    assert (
        list(ss.bench_responses().order_by("pk").values_list("pk", "city_id")),
        Answer.objects.count(),
        Selection.objects.count(),
        Question.objects.count(),
    ) == before

    other = ss.seed(ss.Targets(responses=30), log=quiet)

    assert other["responses_deleted"] == 60 and other["responses"] == 30
    assert ss.bench_responses().count() == 30
    assert Question.objects.count() == before[3]

    rebuilt = ss.seed(ss.Targets(responses=30), log=quiet, rebuild=True)
    assert rebuilt["responses_deleted"] == 30 and ss.bench_responses().count() == 30


def test_more_responses_than_cities_is_refused(cities):
    with pytest.raises(RuntimeError, match="need as many cities"):
        ss.seed(ss.Targets(responses=10_000), log=quiet)


def test_the_measured_pages_answer_for_the_session_run_makes(cities, client):
    from netzerohub.surveys import analytics_views

    if not getattr(analytics_views, "urlpatterns", None):
        pytest.skip("the analytics page is not written yet")
    ss.seed(TARGETS, log=quiet)
    surveys = run.surveys_sessions()

    assert surveys.responses == 60 and surveys.slug == ss.SLUG
    for page in run.surveys_pages(surveys):
        for path, cookie in zip(page.rotate, page.cookies, strict=True):
            client.cookies.clear()
            client.cookies.load(cookie)
            response = client.get(path)
            assert response.status_code == 200, path

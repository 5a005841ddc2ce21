"""The survey's core: answers saved one question at a time, bad input refused with a message,
conditional display, submission all or nothing, the estimated time, duplicating a round."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from netzerohub.surveys import answering, services
from netzerohub.surveys.answering import AnswerError
from netzerohub.surveys.models import Answer, Question, Response, Selection, Survey
from netzerohub.surveys.services import MissingAnswers, SurveyError

from .factories import QuestionFactory, SectionFactory, SurveyFactory, question, sample_survey

pytestmark = pytest.mark.django_db


def q(survey: Survey, key: str) -> Question:
    return Question.objects.get(survey=survey, key=key)


def option_id(survey: Survey, key: str, label: str) -> int:
    return q(survey, key).options.get(label=label).pk


@pytest.fixture
def survey():
    return sample_survey()


@pytest.fixture
def response(survey, city, member):
    return services.start_response(survey, actor=member, city=city)


def test_starting_twice_gives_the_same_response_one_per_city(survey, city, member, lead):
    first = services.start_response(survey, actor=member, city=city)
    again = services.start_response(survey, actor=lead, city=city)
    assert first.pk == again.pk
    assert Response.objects.filter(survey=survey).count() == 1
    assert first.owner == f"city:{city.pk}"


def test_a_response_per_person_belongs_to_the_person(city, member, lead):
    survey = sample_survey(respondent=Survey.Respondent.PERSON)
    mine = services.start_response(survey, actor=member)
    theirs = services.start_response(survey, actor=lead)
    assert mine.pk != theirs.pk
    assert (mine.person, mine.city) == (member, None)
    assert mine.country_id == city.country_id  # read with the person's city


def test_each_kind_is_stored_and_read_back(survey, response, member):
    services.save_answer(
        response,
        q(survey, "plan"),
        {"option": [str(option_id(survey, "plan", "Yes"))]},
        actor=member,
    )
    services.save_answer(response, q(survey, "staff"), {"value": "12,5"}, actor=member)
    services.save_answer(
        response, q(survey, "department"), {"text": "  Climate unit "}, actor=member
    )
    capacity = q(survey, "capacity")
    rows = {f"row-{o.pk}": str(n) for n, o in enumerate(capacity.options.all(), start=2)}
    services.save_answer(response, capacity, rows, actor=member)
    ranking = q(survey, "rank")
    ranks = {f"rank-{o.pk}": str(n) for n, o in enumerate(ranking.options.all(), start=1)}
    services.save_answer(response, ranking, ranks, actor=member)

    answers = answering.load_answers(response)
    assert [s.option_id for s in answers[q(survey, "plan").pk].chosen] == [
        option_id(survey, "plan", "Yes")
    ]
    assert answers[q(survey, "staff").pk].number == Decimal("12.50")
    assert answers[q(survey, "department").pk].text == "Climate unit"
    assert sorted(s.value for s in answers[capacity.pk].chosen) == [2, 3, 4]
    assert [s.value for s in answers[ranking.pk].chosen] == [1, 2, 3]


def test_changing_an_answer_replaces_its_selections_only(survey, response, member):
    formats = q(survey, "formats")
    ids = [o.pk for o in formats.options.all()]
    services.save_answer(response, formats, {"option": [str(ids[0]), str(ids[1])]}, actor=member)
    services.save_answer(response, q(survey, "staff"), {"value": "3"}, actor=member)
    services.save_answer(response, formats, {"option": [str(ids[2])]}, actor=member)
    assert set(Selection.objects.filter(response=response).values_list("option_id", flat=True)) == {
        ids[2]
    }
    assert Answer.objects.get(response=response, question=q(survey, "staff")).number == 3


def test_an_empty_answer_clears_the_question(survey, response, member):
    services.save_answer(response, q(survey, "department"), {"text": "Energy"}, actor=member)
    services.save_answer(response, q(survey, "department"), {"text": "  "}, actor=member)
    assert not Answer.objects.filter(response=response).exists()


@pytest.mark.parametrize(
    ("key", "data", "message"),
    [
        ("staff", {"value": "twelve"}, "Enter a number"),
        ("staff", {"value": "-1"}, "Enter 0 or more"),
        ("staff", {"value": "10001"}, "or less"),
        ("urgency", {"value": "6"}, "from 1 to 5"),
        ("department", {"text": "x" * 301}, "300 characters"),
        ("plan", {"option": ["other"], "other": ""}, "say what it is"),
        ("rank", {}, None),
    ],
)
def test_bad_values_are_refused_with_a_message(survey, response, member, key, data, message):
    if message is None:  # an empty ranking is allowed: it clears
        services.save_answer(response, q(survey, key), data, actor=member)
        return
    with pytest.raises(AnswerError, match=message):
        services.save_answer(response, q(survey, key), data, actor=member)
    assert not Answer.objects.filter(response=response).exists()


def test_options_of_another_question_are_refused(survey, response, member):
    foreign = option_id(survey, "formats", "Twinning")
    with pytest.raises(AnswerError, match="not one of this question"):
        services.save_answer(response, q(survey, "plan"), {"option": [str(foreign)]}, actor=member)
    capacity = q(survey, "capacity")
    with pytest.raises(AnswerError, match="not one of this question"):
        services.save_answer(response, capacity, {f"row-{foreign}": "3"}, actor=member)


def test_a_ranking_needs_distinct_places_without_gaps(survey, response, member):
    ranking = q(survey, "rank")
    a, b, _c = ranking.options.all()
    with pytest.raises(AnswerError, match="its own place"):
        services.save_answer(
            response, ranking, {f"rank-{a.pk}": "1", f"rank-{b.pk}": "1"}, actor=member
        )
    with pytest.raises(AnswerError, match="its own place"):
        services.save_answer(
            response, ranking, {f"rank-{a.pk}": "1", f"rank-{b.pk}": "3"}, actor=member
        )


def test_a_question_of_another_survey_is_refused(response, member):
    elsewhere = QuestionFactory(options=["A"])
    with pytest.raises(SurveyError, match="not part of this survey"):
        services.save_answer(response, elsewhere, {"option": []}, actor=member)


def test_a_hidden_conditional_question_refuses_answers(survey, response, member):
    with pytest.raises(SurveyError, match="applies only after"):
        services.save_answer(response, q(survey, "plan-text"), {"text": "Our plan"}, actor=member)
    services.save_answer(
        response,
        q(survey, "plan"),
        {"option": [str(option_id(survey, "plan", "Yes"))]},
        actor=member,
    )
    services.save_answer(response, q(survey, "plan-text"), {"text": "Our plan"}, actor=member)
    assert Answer.objects.filter(response=response, question=q(survey, "plan-text")).exists()


def test_a_question_hidden_by_the_coordinator_refuses_answers(survey, response, member):
    services.set_hidden(q(survey, "department"), True, actor=None)
    with pytest.raises(SurveyError, match="no longer asked"):
        services.save_answer(response, q(survey, "department"), {"text": "x"}, actor=member)


def answer_required(survey, response, who, plan="No"):
    services.save_answer(
        response, q(survey, "plan"), {"option": [str(option_id(survey, "plan", plan))]}, actor=who
    )


def test_submitting_discards_answers_of_questions_hidden_by_a_later_change(
    survey, response, member, lead
):
    answer_required(survey, response, member, plan="Yes")
    services.save_answer(response, q(survey, "plan-text"), {"text": "Our plan"}, actor=member)
    answer_required(survey, response, member, plan="No")  # the long text is no longer shown
    assert Answer.objects.filter(response=response, question=q(survey, "plan-text")).exists()
    submitted = services.submit_response(response, actor=lead)
    assert submitted.is_submitted
    assert not Answer.objects.filter(response=response, question=q(survey, "plan-text")).exists()
    assert Answer.objects.filter(response=response, question=q(survey, "plan")).exists()


def test_submitting_with_a_required_answer_missing_lists_it_and_changes_nothing(
    survey, response, lead
):
    services.save_answer(response, q(survey, "department"), {"text": "Energy"}, actor=lead)
    with pytest.raises(MissingAnswers) as refused:
        services.submit_response(response, actor=lead)
    assert [x.key for x in refused.value.questions] == ["plan"]
    response.refresh_from_db()
    assert response.status == Response.Status.IN_PROGRESS


def test_a_failing_submission_leaves_the_response_whole(
    survey, response, member, lead, monkeypatch
):
    answer_required(survey, response, member, plan="Yes")
    services.save_answer(response, q(survey, "plan-text"), {"text": "Our plan"}, actor=member)
    answer_required(survey, response, member, plan="No")

    def broken(*args, **kwargs):
        raise RuntimeError("the audit log is down")

    monkeypatch.setattr(services, "log_action", broken)
    with pytest.raises(RuntimeError):
        services.submit_response(response, actor=lead)
    response.refresh_from_db()
    assert response.status == Response.Status.IN_PROGRESS
    # The discarded answer is back: the submission rolled back as one.
    assert Answer.objects.filter(response=response, question=q(survey, "plan-text")).exists()


def test_submitted_responses_take_no_more_answers(survey, response, member, lead):
    answer_required(survey, response, member)
    services.submit_response(response, actor=lead)
    with pytest.raises(SurveyError, match="submitted on"):
        services.save_answer(response, q(survey, "staff"), {"value": "2"}, actor=member)
    with pytest.raises(SurveyError, match="submitted on"):
        services.submit_response(response, actor=lead)


def test_the_groups_are_taken_when_submitting(survey, response, member, lead, city):
    answer_required(survey, response, member)
    submitted = services.submit_response(response, actor=lead)
    assert submitted.country_id == city.country_id
    assert submitted.city_status == city.status
    assert submitted.submitted_by == lead


def test_a_closed_survey_refuses_answers_and_submission_saying_when(survey, response, member, lead):
    answer_required(survey, response, member)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    response.survey.refresh_from_db()
    with pytest.raises(SurveyError, match="closed on .* What was saved stays readable"):
        services.submit_response(response, actor=lead)
    with pytest.raises(SurveyError, match="closed on"):
        services.save_answer(response, q(survey, "staff"), {"value": "2"}, actor=member)
    assert Answer.objects.filter(response=response).count() == 1


def test_a_survey_not_open_yet_says_when_it_opens(city, member):
    survey = sample_survey(
        opens_at=timezone.now() + dt.timedelta(days=2),
        closes_at=timezone.now() + dt.timedelta(days=9),
    )
    with pytest.raises(SurveyError, match="opens on"):
        services.start_response(survey, actor=member, city=city)


def test_the_closing_moment_is_shown_in_the_survey_zone():
    survey = SurveyFactory.build(
        time_zone="Europe/Brussels",
        closes_at=dt.datetime(2027, 5, 17, 21, 59, tzinfo=dt.UTC),
    )
    assert answering.moment(survey, survey.closes_at) == "17 May 2027, 23:59 CEST"


def test_the_estimated_time_follows_the_documented_seconds():
    survey = SurveyFactory()
    section = SectionFactory(survey=survey)
    question(section, "single", "One?", options=["A", "B"])  # 15 s
    question(section, "long_text", "Tell us")  # 180 s
    question(section, "matrix", "Rate", options=["A", "B", "C"])  # 5 + 3 × 8 = 29 s
    hidden = question(section, "long_text", "Not asked")
    services.set_hidden(hidden, True, actor=None)
    survey = answering.structure(survey.pk)
    # 15 + 180 + 29 + 15 (one section) = 239 s: 4 minutes.
    assert answering.estimated_minutes(survey) == 4
    for n in range(4):
        question(section, "long_text", f"More {n}")  # + 720 s = 959 s: 16 minutes, so 20
    assert answering.estimated_minutes(answering.structure(survey.pk)) == 20


def test_answered_questions_cannot_be_deleted_only_hidden(survey, response, member):
    staff = q(survey, "staff")
    services.save_answer(response, staff, {"value": "4"}, actor=member)
    with pytest.raises(SurveyError, match="hide it instead"):
        services.delete_question(staff, actor=None)
    services.set_hidden(staff, True, actor=None)
    assert Answer.objects.filter(question=staff).exists()
    unanswered = q(survey, "department")
    services.delete_question(unanswered, actor=None)
    assert not Question.objects.filter(pk=unanswered.pk).exists()


def test_a_chosen_option_cannot_be_removed(survey, response, member):
    formats = q(survey, "formats")
    last = formats.options.last()
    services.save_answer(response, formats, {"option": [str(last.pk)]}, actor=member)
    labels = [o.label for o in formats.options.all()][:-1]
    with pytest.raises(SurveyError, match="has been chosen"):
        services.save_question(formats, actor=None, options=labels)


def test_pickers_take_their_options_from_the_taxonomy(survey):
    fields = q(survey, "fields")
    assert fields.options.count() == 7
    assert {o.term.kind for o in fields.options.all()} == {"field"}


def test_duplicating_copies_the_structure_and_its_conditions_not_the_answers(
    survey, response, member
):
    answer_required(survey, response, member)
    services.set_hidden(q(survey, "department"), True, actor=None)
    now = timezone.now()
    copy = services.duplicate_survey(
        survey, actor=None, title="Second round", opens_at=now, closes_at=now + dt.timedelta(days=5)
    )
    assert copy.is_draft and copy.based_on == survey
    keys = set(copy.questions.values_list("key", flat=True))
    assert "department" not in keys and "plan" in keys
    plan_text = q(copy, "plan-text")
    assert plan_text.condition_question == q(copy, "plan")
    assert list(plan_text.condition_options.values_list("label", flat=True)) == ["Yes"]
    assert plan_text.condition_options.get().question.survey == copy
    assert not copy.responses.exists()


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_different_questions_at_the_same_moment_lose_nothing(city, member, lead):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    survey = sample_survey()
    response = services.start_response(survey, actor=member, city=city)
    keys = ["department", "staff"]
    data = {"department": {"text": "Climate office"}, "staff": {"value": "7"}}
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def save(key, who):
        try:
            barrier.wait()
            services.save_answer(response, q(survey, key), data[key], actor=who)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    for _round in range(5):
        threads = [
            threading.Thread(target=save, args=(k, w))
            for k, w in zip(keys, [member, lead], strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    stored = {
        a.question.key for a in Answer.objects.filter(response=response).select_related("question")
    }
    assert stored == set(keys)


def test_removing_an_option_keeps_the_others_answers_under_their_label(survey, response, member):
    plan = q(survey, "plan")
    services.save_question(plan, actor=None, options=["Yes", "No", "In preparation"])
    no = plan.options.get(label="No")
    services.save_answer(response, plan, {"option": [str(no.pk)]}, actor=member)
    with pytest.raises(SurveyError, match="“No” has been chosen"):
        services.save_question(plan, actor=None, options=["Yes", "In preparation"])
    services.save_question(plan, actor=None, options=["Yes", "No"])
    assert [o.label for o in plan.options.all()] == ["Yes", "No"]
    assert Selection.objects.get(response=response).option.label == "No"


def test_a_corrected_label_keeps_its_option(survey):
    plan = q(survey, "plan")
    yes = plan.options.get(label="Yes")
    services.save_question(plan, actor=None, options=["Yes, adopted", "No"])
    assert plan.options.get(label="Yes, adopted").pk == yes.pk


def test_responses_per_city_stay_per_city_once_answering_started(survey, response):
    survey.respondent = Survey.Respondent.PERSON
    with pytest.raises(SurveyError, match="cannot become one per person"):
        services.save_survey(survey, actor=None)


def test_a_submission_schedules_one_analytics_refresh_for_a_burst(
    survey,
    city,
    other_city,
    member,
    lead,
    other_lead,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from netzerohub.surveys import tasks

    scheduled = []
    monkeypatch.setattr(tasks, "enqueue_at", lambda task, when, *args: scheduled.append(args))
    for where, who in [(city, lead), (other_city, other_lead)]:
        response = services.start_response(survey, actor=who, city=where)
        answer_required(survey, response, who)
        with django_capture_on_commit_callbacks(execute=True):
            services.submit_response(response, actor=who)
    assert scheduled == [(survey.pk,)]


def test_the_refresh_task_fills_the_analytics_cache(survey, response, member, lead):
    from netzerohub.surveys import analytics, tasks

    answer_required(survey, response, member)
    services.submit_response(response, actor=lead)
    tasks.refresh_analytics.call(survey.pk)
    structure = answering.structure(survey.pk)
    with CaptureQueriesContext(connection) as queries:
        numbers = analytics.survey_analytics(structure)
    assert len(queries) == 0
    assert numbers.questions[q(survey, "plan").pk].answered == 1

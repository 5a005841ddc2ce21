"""Applying, service by service: the window (checked in UTC on the server, at its edges and in
another zone), the rules checked again on every start and submit, and answers merged so that
people answering different questions never erase each other's work."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, LeadFactory
from netzerohub.core.models import Notification
from netzerohub.exchanges import services
from netzerohub.exchanges.models import Application, Call, EligibilityRule, Question
from netzerohub.exchanges.services import ExchangeError
from netzerohub.exchanges.tests.factories import (
    ApplicationFactory,
    CallFactory,
    QuestionFactory,
    RuleFactory,
)

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
CLOSES = dt.datetime(2031, 5, 31, 23, 59, 59, tzinfo=NEW_YORK)  # 03:59:59 UTC on 1 June
OPENS = dt.datetime(2031, 4, 8, 0, 0, tzinfo=NEW_YORK)


@pytest.fixture
def applicant(db) -> City:
    return CityFactory(status=City.Status.PARTICIPATING, target_year=2045, name="Twinville")


@pytest.fixture
def lead_of(applicant):
    return LeadFactory(city=applicant, user__name="Lena Lead").user


@pytest.fixture
def call(db) -> Call:
    """A call of New York time (to show that the zone does not move the deadline), with the
    target-year rule and two questions, the first required."""
    call = CallFactory(opens_at=OPENS, closes_at=CLOSES, time_zone="America/New_York")
    RuleFactory(call=call, kind=EligibilityRule.Kind.TARGET_YEAR, year=2050)
    return call


@pytest.fixture
def motivation(call) -> Question:
    return QuestionFactory(call=call, kind=Question.Kind.MOTIVATION, required=True)


@pytest.fixture
def hours(call) -> Question:
    return QuestionFactory(call=call, kind=Question.Kind.HOURS, required=False)


@pytest.fixture
def frozen(monkeypatch):
    """Set the server's clock: `frozen(moment)`."""

    def freeze(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


@pytest.fixture(autouse=True)
def _during_the_window(frozen):
    """The clock stands inside the window unless a test moves it."""
    frozen(OPENS + dt.timedelta(days=1))


def draft_of(call: Call, city: City) -> Application:
    return ApplicationFactory(call=call, city=city, status="draft", submitted_at=None)


# --- the window ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "refusal"),
    [
        (OPENS - dt.timedelta(seconds=1), "not open for applications yet"),
        (OPENS, None),
        (CLOSES - dt.timedelta(seconds=1), None),
        (CLOSES, "closed"),
        (CLOSES + dt.timedelta(seconds=1), "closed"),
    ],
    ids=["a second before opening", "opening", "a second before closing", "closing", "after"],
)
def test_starting_an_application_at_the_edges_of_the_window(
    call, applicant, lead_of, frozen, moment, refusal
):
    frozen(moment)
    if refusal is None:
        application = services.start_application(call, city=applicant, actor=lead_of)
        assert application.status == "draft"
    else:
        with pytest.raises(ExchangeError, match=refusal):
            services.start_application(call, city=applicant, actor=lead_of)
        assert not Application.objects.exists()


def test_the_deadline_is_the_same_instant_whatever_the_calls_zone(call):
    """23:59:59 in New York on 31 May is 03:59:59 UTC on 1 June: the call is open at 03:59:58
    UTC and closed at 04:00:00 UTC."""
    assert call.closes_at == dt.datetime(2031, 6, 1, 3, 59, 59, tzinfo=dt.UTC)
    assert call.is_open(dt.datetime(2031, 6, 1, 3, 59, 58, tzinfo=dt.UTC))
    assert not call.is_open(dt.datetime(2031, 6, 1, 4, 0, 0, tzinfo=dt.UTC))
    # Brussels' clock already says 1 June 05:59 at that moment; it changes nothing.
    assert not call.is_open(
        dt.datetime(2031, 6, 1, 6, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Brussels"))
    )


@pytest.mark.parametrize(("offset", "open_"), [(-1, True), (1, False)])
def test_answers_submit_and_withdraw_one_second_around_closing(
    call, applicant, lead_of, motivation, frozen, offset, open_
):
    application = draft_of(call, applicant)
    frozen(CLOSES - dt.timedelta(seconds=1))
    services.save_answers(application, {motivation.pk: "Before"}, actor=lead_of)
    frozen(CLOSES + dt.timedelta(seconds=offset))
    actions = [
        lambda: services.save_answers(application, {motivation.pk: "Replayed"}, actor=lead_of),
        lambda: services.submit_application(application, actor=lead_of),
        lambda: services.withdraw_application(application, actor=lead_of),
    ]
    for action in actions:
        if open_:
            action()
        else:
            with pytest.raises(ExchangeError, match="closed"):
                action()
    application.refresh_from_db()
    if open_:
        assert application.answers[str(motivation.pk)] == "Replayed"
        assert application.status == "withdrawn"
    else:
        assert application.answers == {str(motivation.pk): "Before"}
        assert application.status == "draft" and application.submitted_at is None


def test_a_draft_call_takes_no_application(applicant, lead_of):
    draft_call = CallFactory(status=Call.Status.DRAFT)
    with pytest.raises(ExchangeError, match="not open"):
        services.start_application(draft_call, city=applicant, actor=lead_of)


# --- one application per city and call ------------------------------------------------------------


def test_a_second_start_returns_the_same_application(call, applicant, lead_of, frozen):
    first = services.start_application(call, city=applicant, actor=lead_of)
    second = services.start_application(call, city=applicant, actor=lead_of)
    assert first.pk == second.pk
    assert Application.objects.count() == 1


def test_starting_again_after_withdrawing_reopens_the_draft_with_its_answers(
    call, applicant, lead_of, motivation, frozen
):
    application = services.start_application(call, city=applicant, actor=lead_of)
    services.save_answers(application, {motivation.pk: "Kept"}, actor=lead_of)
    services.withdraw_application(application, actor=lead_of)
    again = services.start_application(call, city=applicant, actor=lead_of)
    assert again.pk == application.pk and again.status == "draft"
    assert again.answers == {str(motivation.pk): "Kept"}


# --- the rules, checked again by the server --------------------------------------------------


def test_an_ineligible_city_cannot_start_and_is_told_why(call, lead_of, applicant, frozen):
    applicant.target_year = None
    applicant.save()
    with pytest.raises(ExchangeError) as refused:
        services.start_application(call, city=applicant, actor=lead_of)
    assert "Twinville has not set a climate-neutrality target year." in str(refused.value)
    assert "Set your target year on the city profile." in str(refused.value)


def test_submit_checks_the_rules_again(call, applicant, lead_of, motivation, frozen):
    """Eligible when the draft was started, not any more when it is submitted."""
    application = services.start_application(call, city=applicant, actor=lead_of)
    services.save_answers(application, {motivation.pk: "Why"}, actor=lead_of)
    applicant.target_year = 2060
    applicant.save()
    with pytest.raises(ExchangeError, match="target year is 2060"):
        services.submit_application(application, actor=lead_of)
    application.refresh_from_db()
    assert application.status == "draft"


def test_submit_checks_what_is_declared(call, applicant, lead_of, motivation, hours, frozen):
    RuleFactory(call=call, kind=EligibilityRule.Kind.HOURS, minimum=12)
    people = QuestionFactory(call=call, kind=Question.Kind.REPRESENTATIVES, required=False)
    RuleFactory(call=call, kind=EligibilityRule.Kind.REPRESENTATIVES)
    application = draft_of(call, applicant)
    services.save_answers(application, {motivation.pk: "Why"}, actor=lead_of)
    with pytest.raises(ExchangeError, match="Declare the hours a month"):
        services.submit_application(application, actor=lead_of)
    services.save_answers(
        application,
        {hours.pk: "12", people.pk: [{"name": "Ana", "role": "Officer", "english": "b1"}]},
        actor=lead_of,
    )
    with pytest.raises(ExchangeError, match="B2 or above"):
        services.submit_application(application, actor=lead_of)
    services.save_answers(
        application, {people.pk: [{"name": "Ana", "english": "C1"}]}, actor=lead_of
    )
    assert services.submit_application(application, actor=lead_of).status == "submitted"


def test_submit_names_the_missing_required_answers(call, applicant, lead_of, motivation, hours):
    application = draft_of(call, applicant)
    fields = QuestionFactory(call=call, kind=Question.Kind.FIELDS, label="Fields?", required=True)
    services.save_answers(application, {fields.pk: [], hours.pk: "3"}, actor=lead_of)
    assert services.missing_answers(application) == [motivation, fields]
    with pytest.raises(ExchangeError) as refused:
        services.submit_application(application, actor=lead_of)
    assert f"“{motivation.label}”; “Fields?”" in str(refused.value)


def test_submitting_tells_the_leads_once(call, applicant, lead_of, motivation, frozen):
    other = LeadFactory(city=applicant).user
    application = draft_of(call, applicant)
    services.save_answers(application, {motivation.pk: "Why"}, actor=lead_of)
    services.submit_application(application, actor=lead_of)
    services.submit_application(application, actor=lead_of)  # again after a change: no repeat
    told = Notification.objects.filter(kind="exchanges.application.submitted")
    assert sorted(n.user_id for n in told) == sorted([lead_of.pk, other.pk])


# --- answers merged -------------------------------------------------------------------------------


def test_answers_to_different_questions_are_merged(call, applicant, lead_of, motivation, hours):
    application = draft_of(call, applicant)
    stale = Application.objects.get(pk=application.pk)  # a second person's copy, loaded now
    colleague = LeadFactory(city=applicant).user
    services.save_answers(application, {motivation.pk: "Mine"}, actor=lead_of)
    services.save_answers(stale, {hours.pk: 14}, actor=colleague)
    application.refresh_from_db()
    assert application.answers == {str(motivation.pk): "Mine", str(hours.pk): 14}
    assert application.hours_per_month == 14


def test_an_answer_to_a_question_of_another_call_is_refused(call, applicant, lead_of, motivation):
    application = draft_of(call, applicant)
    foreign = QuestionFactory()
    with pytest.raises(ValidationError) as refused:
        services.save_answers(application, {motivation.pk: "Ok", foreign.pk: "No"}, actor=lead_of)
    assert str(foreign.pk) in refused.value.message_dict
    application.refresh_from_db()
    assert application.answers == {}  # all or nothing


def test_a_decided_application_takes_no_answers(call, applicant, lead_of, motivation):
    application = ApplicationFactory(call=call, city=applicant, status="accepted")
    with pytest.raises(ExchangeError, match="can no longer be changed"):
        services.save_answers(application, {motivation.pk: "Late"}, actor=lead_of)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks across threads need PostgreSQL"
)
def test_two_people_saving_at_once_keep_both_answers():
    """Two threads save different questions of one application at the same moment; without the
    row lock (and the merge under it) the second write would put back the first's old JSON."""
    call = CallFactory(opens_at=OPENS, closes_at=CLOSES)
    questions = [QuestionFactory(call=call, kind=Question.Kind.TEXT) for _ in range(2)]
    city = CityFactory(status=City.Status.PARTICIPATING, target_year=2040)
    people = [LeadFactory(city=city).user for _ in range(2)]
    application = draft_of(call, city)
    for _round in range(5):
        start = threading.Barrier(2)
        errors: list[Exception] = []

        def save(index: int, round_: int = _round, start=start, errors=errors) -> None:
            try:
                start.wait()
                services.save_answers(
                    Application.objects.get(pk=application.pk),
                    {questions[index].pk: f"answer {index} of round {round_}"},
                    actor=people[index],
                )
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        application.refresh_from_db()
        assert application.answers == {
            str(q.pk): f"answer {i} of round {_round}" for i, q in enumerate(questions)
        }

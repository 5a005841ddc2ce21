"""The demo's sample survey: about 40 questions built through the services, open, marked as
sample; 300 generated sample responses, submitted, none from the demo city; every answer within
the survey's rules (conditions met, values in range, required ones given); loaded once however
often the loader runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count
from django.utils import timezone

from netzerohub.accounts.tests.factories import CoordinatorFactory, UserFactory
from netzerohub.cities.models import City, Membership
from netzerohub.cities.population import band_of
from netzerohub.cities.tests.factories import CityFactory, CountryFactory, MembershipFactory
from netzerohub.core.models import AuditLog
from netzerohub.surveys import answering, demo, services
from netzerohub.surveys.models import Answer, Question, Response, Selection, Survey
from netzerohub.surveys.policies import answering_cities

pytestmark = pytest.mark.django_db

STATUSES = [City.Status.MISSION, City.Status.DIRECTORY, City.Status.PILOT, City.Status.TWIN]


@pytest.fixture
def people():
    """The demo people in the demo city (Gent, participating), and 320 other cities of the
    directory in several countries and statuses."""
    belgium = CountryFactory(code="BE", name="Belgium")
    others = [CountryFactory(code=code, name=name) for code, name in [("FR", "France"),
              ("DE", "Germany"), ("PL", "Poland")]]  # fmt: skip
    gent = CityFactory(name="Gent", country=belgium, status=City.Status.PARTICIPATING)
    City.objects.bulk_create(
        City(
            name=f"Town {n}",
            name_folded=f"town {n}",
            country=others[n % 3],
            population=5_000 + 3_000 * n if n % 7 else None,
            status=STATUSES[n % 4],
            source=City.Source.GEONAMES,
        )
        for n in range(320)
    )
    users = {"coordinator@example.org": CoordinatorFactory(email="coordinator@example.org")}
    for email, role in [("lead@example.org", Membership.Role.LEAD), ("member@example.org", None)]:
        users[email] = UserFactory(email=email)
        MembershipFactory(user=users[email], city=gent, **({"role": role} if role else {}))
    return users


def load(people, **kwargs):
    return demo.load_survey(people, actor=people["coordinator@example.org"], **kwargs)


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Survey, Question, Response, Answer, Selection))


def sample_survey() -> Survey:
    return Survey.objects.get(slug=demo.SLUG)


def test_the_survey_is_built_through_the_services_open_and_marked_as_sample(people):
    report = load(people)

    survey = answering.structure(sample_survey().pk)
    questions = answering.asked(survey)
    assert report["sample surveys"] == 1 and report["questions"] == len(questions)
    assert 38 <= len(questions) <= 42
    assert survey.is_sample and survey.is_open() and survey.per_city
    assert "Sample content written for the NetZero Hub demo" in survey.introduction
    assert "generated" in survey.introduction
    assert survey.time_zone == "Europe/Brussels"
    local_close = timezone.localtime(survey.closes_at, survey.zone)
    assert (local_close.hour, local_close.minute) == (23, 59)
    assert dt.timedelta(days=14) < survey.closes_at - timezone.now() < dt.timedelta(days=35)
    assert [s.title for s in survey.sections.all()][:2] == ["City profile", "Climate commitments"]
    kinds = {q.kind for q in questions}
    assert kinds == set(Question.Kind.values)
    assert sum(q.required for q in questions) >= 5
    assert sum(q.is_conditional for q in questions) >= 2
    assert any(q.allow_other for q in questions)
    formats = next(q for q in questions if q.key == "formats")
    assert [o.label for o in formats.options.all()] == demo.FORMATS
    pickers = [q for q in questions if q.kind in Question.PICKER_TERMS]
    assert all(o.term_id for q in pickers for o in q.options.all())
    # built by the services: audited as the coordinator
    assert AuditLog.objects.filter(action="surveys.question.saved").count() == len(questions)
    assert 10 <= answering.estimated_minutes(survey) <= 45


def test_300_submitted_sample_responses_none_from_the_demo_city(people):
    report = load(people)

    survey = sample_survey()
    responses = Response.objects.filter(survey=survey)
    assert report["sample responses"] == 300 == responses.count()
    assert responses.filter(is_sample=True, status=Response.Status.SUBMITTED).count() == 300
    assert responses.filter(submitted_at__isnull=True).count() == 0
    gent = City.objects.get(name="Gent")
    assert not responses.filter(city=gent).exists()
    assert responses.values("city").distinct().count() == 300
    # the registered cities first, all of them in the audience
    registered = City.objects.exclude(status=City.Status.DIRECTORY).exclude(pk=gent.pk)
    assert set(registered.values_list("pk", flat=True)) <= set(
        responses.values_list("city_id", flat=True)
    )
    # groups as services._groups gives them
    for response in responses.select_related("city")[:50]:
        assert response.country_id == response.city.country_id
        assert response.population_band == band_of(response.city.population)
        assert response.city_status == response.city.status
        assert survey.opens_at <= response.submitted_at
        assert response.submitted_at <= timezone.now()
        assert response.started <= response.submitted_at
    assert Answer.objects.filter(response__survey=survey).count() > 300 * 20
    # the demo logins can still answer for their city
    lead = people["lead@example.org"]
    assert answering_cities(survey, lead) == [gent]
    response = services.start_response(survey, actor=lead, city=gent)
    assert not response.is_submitted and response.answers.count() == 0


def test_every_answer_keeps_the_surveys_rules(people):
    load(people)
    survey = answering.structure(sample_survey().pk)
    questions = {q.pk: q for q in answering.asked(survey)}
    responses = Response.objects.filter(survey=survey)
    by_response: dict[int, dict[int, Answer]] = {}
    for answer in Answer.objects.filter(survey=survey):
        answer.chosen = []
        by_response.setdefault(answer.response_id, {})[answer.question_id] = answer
    for selection in Selection.objects.filter(survey=survey):
        by_response[selection.response_id][selection.question_id].chosen.append(selection)
    conditional_seen = {q.pk: 0 for q in questions.values() if q.is_conditional}
    for response in responses:
        answers = by_response[response.pk]
        shown = {q.pk for q in answering.shown(survey, answering.chosen_options(answers))}
        assert set(answers) <= shown, response.pk  # nothing answered that is not shown
        for question in questions.values():
            if question.required and question.pk in shown:
                assert answering.is_answered(answers.get(question.pk)), question.key
        for qid, answer in answers.items():
            question = questions[qid]
            if qid in conditional_seen:
                conditional_seen[qid] += 1
            assert answering.is_answered(answer)
            _check_value(question, answer)
        state = answering.state_of(survey, response)
        assert state.ready
    assert all(conditional_seen.values()), conditional_seen  # each condition met sometimes
    assert len(conditional_seen) < len(questions)


def _check_value(question: Question, answer: Answer) -> None:
    options = {o.pk for o in question.options.all()}
    chosen = list(answer.chosen)
    assert {s.option_id for s in chosen} <= options, question.key
    if question.kind == "single":
        assert len(chosen) + bool(answer.text) == 1
    if question.is_choice and question.max_choices:
        assert len(chosen) + bool(answer.text) <= question.max_choices, question.key
    if answer.text and question.is_choice:
        assert question.allow_other and demo.SAMPLE_TEXT in answer.text
    if question.kind in Question.TEXT_KINDS:
        assert demo.SAMPLE_TEXT in answer.text and len(answer.text) <= question.text_limit
    if question.kind == "likert":
        assert int(answer.number) in question.scale
    if question.kind == "matrix":
        assert chosen and all(s.value in question.scale for s in chosen)
    if question.kind == "ranking":
        assert sorted(s.value for s in chosen) == list(range(1, len(chosen) + 1))
    if question.kind == "number":
        assert question.number_min <= answer.number <= question.number_max


def test_generated_text_answers_are_generic_sample_phrases(people):
    load(people)
    texts = set(Answer.objects.exclude(text="").values_list("text", flat=True))
    assert texts
    for text in texts:
        assert demo.SAMPLE_TEXT in text
        assert "Town" not in text and "Gent" not in text


def test_the_demo_loads_once_however_often_it_runs(people):
    load(people)
    first = counts()
    answers = list(Answer.objects.order_by("pk").values_list("pk", "number", "text"))

    assert load(people) == {}
    assert counts() == first
    assert list(Answer.objects.order_by("pk").values_list("pk", "number", "text")) == answers
    assert demo.summary({}) == ["Sample survey: already there."]


def test_the_answers_are_the_same_for_the_same_seed(people):
    load(people, responses=40)
    survey = sample_survey()

    def snapshot():
        return sorted(
            Answer.objects.filter(survey=survey).values_list(
                "response__city__name", "question__key", "number", "text"
            )
        )

    first = snapshot()
    Response.objects.filter(survey=survey).delete()
    load(people, responses=40)
    assert snapshot() == first


def test_a_directory_with_fewer_cities_gets_fewer_responses(people):
    City.objects.filter(name__startswith="Town").exclude(name__in=["Town 1", "Town 2"]).delete()

    report = load(people)

    assert report["sample responses"] == 2
    assert Response.objects.filter(city__name="Gent").count() == 0


def test_the_loader_needs_the_taxonomy(people):
    from netzerohub.core.models import Term

    Term.objects.filter(kind=Term.Kind.LEVER).delete()
    with pytest.raises(demo.DemoError):
        load(people)
    assert not Survey.objects.exists()


def test_load_demo_data_loads_the_survey(people):
    """The command's step: one summary line, and a second run changes nothing."""
    from io import StringIO

    from netzerohub.dashboard.management.commands.load_demo_data import Command

    out = StringIO()
    command = Command(stdout=out)
    command._surveys(people)
    first = counts()
    command._surveys(people)

    assert "300 sample responses" in out.getvalue()
    assert "Sample survey: already there." in out.getvalue()
    assert counts() == first
    assert Response.objects.filter(survey__slug=demo.SLUG).aggregate(n=Count("id"))["n"] == 300

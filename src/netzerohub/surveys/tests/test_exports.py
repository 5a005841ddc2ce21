"""The survey's CSV and XLSX exports: one row per submitted response, one column per question or
option, labels and not codes, text neutralised, the analytics filters applied, read in batches."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from netzerohub.assessment.tests.factories import default_questionnaire
from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, CountryFactory, LeadFactory
from netzerohub.core.models import AuditLog
from netzerohub.surveys import exports, services
from netzerohub.surveys.models import Question, Response, Survey

from .factories import question, sample_survey

pytestmark = pytest.mark.django_db

FIELDS = [
    "Energy systems",
    "Built environment",
    "Mobility & transport",
    "Waste & circular economy",
    "Green infrastructure & nature-based solutions",
    "Industrial processes",
    "Agriculture, forestry & land use",
]
LEVERS = [
    "Technology & infrastructure",
    "Governance & policy",
    "Social innovation",
    "Democracy & participation",
    "Finance & funding",
    "Learning & capabilities",
]

HEADER = [
    "Response",
    "City",
    "Country",
    "Population band",
    "City status",
    "Readiness stage",
    "Submitted (Europe/Brussels)",
    "Q1 Does your city have a climate plan?",
    "Q2 Which formats help you? — Peer groups",
    "Q2 Which formats help you? — Study visits",
    "Q2 Which formats help you? — Twinning",
    "Q2 Which formats help you? — Helpdesk",
    "Q2 Which formats help you? — Training",
    "Q3 How many staff work on climate?",
    "Q4 Your department (hidden)",
    "Q5 Describe the plan",
    "Q6 How urgent is support?",
    "Q7 Rate your capacity — Data",
    "Q7 Rate your capacity — Finance",
    "Q7 Rate your capacity — Engagement",
    "Q8 Rank these formats — Webinars",
    "Q8 Rank these formats — Workshops",
    "Q8 Rank these formats — Visits",
    *(f"Q9 Fields where you need support — {name}" for name in FIELDS),
    *(f"Q10 Levers where you need support — {name}" for name in LEVERS),
    "Q11 Anything else? — Data",
    "Q11 Anything else? — Money",
    "Q11 Anything else? — Other",
]


def q(survey: Survey, key: str) -> Question:
    return Question.objects.get(survey=survey, key=key)


def ids(survey: Survey, key: str, *labels: str) -> list[str]:
    options = {o.label: o.pk for o in q(survey, key).options.all()}
    return [str(options[label]) for label in labels]


def answer(response: Response, survey: Survey, key: str, data: dict, actor) -> None:
    services.save_answer(response, q(survey, key), data, actor=actor)


def city_with_lead(name: str, status: str, population: int, country=None):
    extra = {"country": country} if country is not None else {}
    place = CityFactory(name=name, status=status, population=population, **extra)
    return place, LeadFactory(city=place).user


@pytest.fixture
def survey():
    survey = sample_survey(title="Needs 2027", slug="needs-2027", time_zone="Europe/Brussels")
    question(
        survey.sections.get(title="Needs"),
        "multiple",
        "Anything else?",
        key="else",
        allow_other=True,
        options=["Data", "Money"],
    )
    return survey


@pytest.fixture
def data(survey, coordinator, django_capture_on_commit_callbacks):
    """Two submitted responses with answers of every kind, and one in progress; then a question
    hidden. Returns the two submitted responses."""
    default_questionnaire()
    denmark = CountryFactory(code="DK", name="Denmark")
    sweden = CountryFactory(code="SE", name="Sweden")
    aarhus, aarhus_lead = city_with_lead("Aarhus", City.Status.MISSION, 300_000, denmark)
    boras, boras_lead = city_with_lead("+Borås", City.Status.PARTICIPATING, 40_000, sweden)
    third, third_lead = city_with_lead("Third", City.Status.PARTICIPATING, 60_000, sweden)

    first = services.start_response(survey, actor=aarhus_lead, city=aarhus)
    answers = {
        "plan": {"option": ids(survey, "plan", "Yes")},
        "formats": {"option": ids(survey, "formats", "Peer groups", "Twinning")},
        "staff": {"value": "12.5"},
        "department": {"text": '=HYPERLINK("http://evil.example")'},
        "plan-text": {"text": "-55 % by 2030"},
        "urgency": {"value": "4"},
        "fields": {"option": ids(survey, "fields", "Energy systems", "Mobility & transport")},
        "else": {"option": [*ids(survey, "else", "Data"), "other"], "other": "@risk maps"},
    }
    for key, given in answers.items():
        answer(first, survey, key, given, aarhus_lead)
    data_row, finance_row = ids(survey, "capacity", "Data", "Finance")
    answer(
        first, survey, "capacity", {f"row-{data_row}": "2", f"row-{finance_row}": "5"}, aarhus_lead
    )
    webinars, workshops = ids(survey, "rank", "Webinars", "Workshops")
    answer(first, survey, "rank", {f"rank-{webinars}": "2", f"rank-{workshops}": "1"}, aarhus_lead)
    services.submit_response(first, actor=aarhus_lead)

    second = services.start_response(survey, actor=boras_lead, city=boras)
    answer(second, survey, "plan", {"option": ["other"], "other": "Being drafted"}, boras_lead)
    answer(second, survey, "staff", {"value": "3"}, boras_lead)
    answer(
        second, survey, "levers", {"option": ids(survey, "levers", "Finance & funding")}, boras_lead
    )
    services.submit_response(second, actor=boras_lead)

    in_progress = services.start_response(survey, actor=third_lead, city=third)
    answer(in_progress, survey, "plan", {"option": ids(survey, "plan", "Yes")}, third_lead)

    with django_capture_on_commit_callbacks(execute=True):  # the structure's version moves on
        services.set_hidden(q(survey, "department"), True, actor=coordinator)
    Response.objects.filter(pk=first.pk).update(
        submitted_at=dt.datetime(2027, 5, 17, 21, 59, tzinfo=dt.UTC), readiness_stage="advanced"
    )
    Response.objects.filter(pk=second.pk).update(
        submitted_at=dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
    )
    return first, second


def expected_rows(first: Response, second: Response) -> list[list[str]]:
    blank = [""]
    return [
        HEADER,
        [
            str(first.pk), "Aarhus", "Denmark", "250,000 – 1 million", "Mission City",
            "Advanced", "2027-05-17 23:59",
            "Yes",
            "Yes", "", "Yes", "", "",
            "12.5",
            "'=HYPERLINK(\"http://evil.example\")",
            "'-55 % by 2030",
            "4",
            "2", "5", "",
            "2", "1", "",
            "Yes", "", "Yes", "", "", "", "",
            *blank * 6,
            "Yes", "", "'@risk maps",
        ],
        [
            str(second.pk), "'+Borås", "Sweden", "Under 50,000", "Participating city",
            "", "2027-01-10 10:00",
            "Being drafted",
            *blank * 5,
            "3",
            "",
            "",
            "",
            *blank * 3,
            *blank * 3,
            *blank * 7,
            "", "", "", "", "Yes", "",
            "", "", "",
        ],
    ]  # fmt: skip


def get_csv(client, survey, params=None):
    response = client.get(reverse("surveys:export", args=[survey.slug, "csv"]), params or {})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_has_a_row_per_submitted_response_and_labels_not_codes(
    client, coordinator, survey, data
):
    client.force_login(coordinator)
    response, rows = get_csv(client, survey)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = dt.date.today().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="survey-needs-2027-{today}.csv"'
    )
    assert rows == expected_rows(*data)


def test_the_xlsx_holds_the_same_cells_with_numbers_and_dates_typed(
    client, coordinator, survey, data
):
    client.force_login(coordinator)
    response = client.get(reverse("surveys:export", args=[survey.slug, "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    assert "survey-needs-2027-" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["Responses"]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == HEADER
    first, second = data
    assert cells[1][:7] == [
        first.pk,
        "Aarhus",
        "Denmark",
        "250,000 – 1 million",
        "Mission City",
        "Advanced",
        dt.datetime(2027, 5, 17, 23, 59),
    ]
    assert cells[1][HEADER.index("Q3 How many staff work on climate?")] == 12.5
    assert cells[2][HEADER.index("Q3 How many staff work on climate?")] == 3
    assert cells[1][HEADER.index("Q7 Rate your capacity — Finance")] == 5
    assert cells[1][HEADER.index("Q8 Rank these formats — Workshops")] == 1
    assert cells[1][HEADER.index("Q4 Your department (hidden)")] == (
        '\'=HYPERLINK("http://evil.example")'
    )
    assert cells[2][1] == "'+Borås"
    # No answer is an empty cell, not an empty text.
    assert cells[2][HEADER.index("Q6 How urgent is support?")] is None
    assert cells[1][HEADER.index("Q2 Which formats help you? — Study visits")] is None
    assert cells[2][HEADER.index("Readiness stage")] is None
    # Apart from the types, the same cells as the CSV.
    as_text = [
        ["" if v is None else str(v) for v in row[:6]]
        + ["" if v is None else str(v) for v in row[7:]]
        for row in cells[1:]
    ]
    csv_rows = expected_rows(*data)[1:]
    assert as_text == [row[:6] + row[7:] for row in csv_rows]


def test_control_characters_do_not_break_the_xlsx(client, coordinator, survey, city, lead):
    response = services.start_response(survey, actor=lead, city=city)
    answer(response, survey, "plan", {"option": ids(survey, "plan", "No")}, lead)
    answer(response, survey, "department", {"text": "Climate\x0bunit\x1f"}, lead)
    services.submit_response(response, actor=lead)
    client.force_login(coordinator)
    got = client.get(reverse("surveys:export", args=[survey.slug, "xlsx"]))
    assert got.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(got.streaming_content)))["Responses"]
    row = next(sheet.iter_rows(min_row=2, values_only=True))
    column = HEADER.index("Q4 Your department (hidden)")
    assert sheet.cell(row=1, column=column + 1).value == "Q4 Your department"
    assert row[column] == "Climateunit"


def test_the_filters_of_the_analytics_page_apply(client, coordinator, survey, data):
    client.force_login(coordinator)
    _response, rows = get_csv(client, survey, {"status": "participating"})
    assert [row[1] for row in rows[1:]] == ["'+Borås"]
    _response, rows = get_csv(client, survey, {"country": "DK", "band": "250000-1000000"})
    assert [row[1] for row in rows[1:]] == ["Aarhus"]
    _response, rows = get_csv(client, survey, {"stage": "leading"})
    assert rows == [HEADER]


def test_invalid_filters_export_nothing_and_say_so(client, coordinator, survey, data):
    client.force_login(coordinator)
    response = client.get(reverse("surveys:export", args=[survey.slug, "csv"]), {"country": "XX"})
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:analytics", args=[survey.slug]) + "?country=XX"
    assert not AuditLog.objects.filter(action="surveys.exported").exists()


def test_the_export_is_audited_with_its_format_and_filters(client, coordinator, survey, data):
    client.force_login(coordinator)
    get_csv(client, survey, {"status": "mission"})
    entry = AuditLog.objects.get(action="surveys.exported")
    assert entry.actor == coordinator
    assert entry.target_id == str(survey.pk)
    assert entry.data == {"format": "csv", "filters": {"city_status": "mission"}}


def test_batches_give_the_same_rows(client, coordinator, survey, data, monkeypatch):
    client.force_login(coordinator)
    monkeypatch.setattr(exports, "BATCH", 1)
    _response, rows = get_csv(client, survey)
    assert rows == expected_rows(*data)


def _queries(client, survey, fmt: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("surveys:export", args=[survey.slug, fmt]))
        b"".join(response.streaming_content)
    return len(captured)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_query_count_does_not_grow_with_responses(
    client, coordinator, survey, data, fmt, django_assert_max_num_queries
):
    client.force_login(coordinator)
    _queries(client, survey, fmt)  # the survey's structure is cached from here on
    with django_assert_max_num_queries(8):
        response = client.get(reverse("surveys:export", args=[survey.slug, fmt]))
        b"".join(response.streaming_content)
    before = _queries(client, survey, fmt)
    for n in range(5):
        place, person = city_with_lead(f"More {n}", City.Status.MISSION, 70_000)
        more = services.start_response(survey, actor=person, city=place)
        answer(more, survey, "plan", {"option": ids(survey, "plan", "No")}, person)
        answer(more, survey, "formats", {"option": ids(survey, "formats", "Helpdesk")}, person)
        services.submit_response(more, actor=person)
    _queries(client, survey, fmt)  # the filter's countries are read again once per submission
    assert _queries(client, survey, fmt) == before


def test_each_batch_costs_three_queries(client, coordinator, survey, data, monkeypatch):
    client.force_login(coordinator)
    _queries(client, survey, "csv")
    one_batch = _queries(client, survey, "csv")
    monkeypatch.setattr(exports, "BATCH", 1)
    # two responses, one per batch: the second batch is read with three more queries, and an
    # empty third batch ends the reading with one
    assert _queries(client, survey, "csv") == one_batch + 3 + 1


@pytest.mark.parametrize("who", ["member", "lead", "outsider", "helpdesk_expert"])
def test_only_coordinators_export(client, survey, data, who, request):
    client.force_login(request.getfixturevalue(who))
    for fmt in ("csv", "xlsx"):
        assert client.get(reverse("surveys:export", args=[survey.slug, fmt])).status_code == 404


def test_a_visitor_is_asked_to_sign_in(client, survey):
    response = client.get(reverse("surveys:export", args=[survey.slug, "csv"]))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("fmt", ["pdf", "CSV", "xlsx2", "json"])
def test_another_format_is_not_found(client, coordinator, survey, fmt):
    client.force_login(coordinator)
    assert client.get(reverse("surveys:export", args=[survey.slug, fmt])).status_code == 404


def test_an_unknown_survey_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("surveys:export", args=["nothing", "csv"])).status_code == 404

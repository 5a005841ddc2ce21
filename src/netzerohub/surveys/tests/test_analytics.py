"""The analytics' numbers, exact on a small data set: three submitted responses (two Swedish
cities, one Spanish) and one in progress that must not count.

    plan      A Yes, B No, C Other "Draft due in 2027"          (D in progress: Yes)
    formats   A Peer groups + Study visits, B Peer groups, C Training
    staff     A 10, B 20, C 45
    department A "Climate unit and energy unit", B "The energy office"  (hidden afterwards)
    plan-text A "Our plan: energy, mobility, energy!"
    urgency   A 5, B 4, C 4
    capacity  A Data 2, Finance 3; B Data 4
    rank      A Webinars 1, Workshops 2, Visits 3; B Workshops 1, Webinars 2; C Visits 1
    fields    A energy + mobility, B energy, C energy + built environment
    levers    A finance + governance, B finance, C technology
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from netzerohub.cities.models import City, Country
from netzerohub.cities.tests.factories import CityFactory
from netzerohub.surveys import analytics, services
from netzerohub.surveys.filters import ResponseFilter
from netzerohub.surveys.models import Question, Survey

from .factories import sample_survey

pytestmark = pytest.mark.django_db


def q(survey: Survey, key: str) -> Question:
    return Question.objects.get(survey=survey, key=key)


def oid(survey: Survey, key: str, label: str) -> str:
    question = q(survey, key)
    if question.kind in ("fields", "levers"):
        return str(question.options.get(term__slug=label).pk)
    return str(question.options.get(label=label).pk)


def answer(response, survey: Survey, key: str, data: dict, actor) -> None:
    services.save_answer(response, q(survey, key), data, actor=actor)


def respond(survey, city, actor, answers: dict[str, dict], *, submit: bool = True):
    response = services.start_response(survey, actor=actor, city=city)
    for key, data in answers.items():
        answer(response, survey, key, data, actor)
    if submit:
        services.submit_response(response, actor=actor)
    return response


def ranks(survey, key, **by_label):
    return {f"rank-{oid(survey, key, label)}": str(n) for label, n in by_label.items()}


def make_data(coordinator) -> Survey:
    """The survey with the answers in the module's docstring (also used by the page's tests)."""
    sweden = Country.objects.create(code="SE", name="Sweden", is_eu_member=True)
    spain = Country.objects.create(code="ES", name="Spain", is_eu_member=True)
    survey = sample_survey()
    s = survey
    a = CityFactory(name="Aby", country=sweden, status=City.Status.MISSION, population=50_000)
    b = CityFactory(name="Bro", country=sweden, status=City.Status.PILOT, population=500_000)
    c = CityFactory(name="Cadiz", country=spain, status=City.Status.PARTICIPATING)
    d = CityFactory(name="Denia", country=spain, status=City.Status.MISSION)
    CityFactory(name="Elche", country=spain, status=City.Status.DIRECTORY)  # not asked
    CityFactory(name="Falun", country=sweden, status=City.Status.TWIN)  # asked, no answer
    respond(
        s,
        a,
        coordinator,
        {
            "plan": {"option": [oid(s, "plan", "Yes")]},
            "formats": {
                "option": [oid(s, "formats", "Peer groups"), oid(s, "formats", "Study visits")]
            },
            "staff": {"value": "10"},
            "department": {"text": "Climate unit and energy unit"},
            "plan-text": {"text": "Our plan: energy, mobility, energy!"},
            "urgency": {"value": "5"},
            "capacity": {
                f"row-{oid(s, 'capacity', 'Data')}": "2",
                f"row-{oid(s, 'capacity', 'Finance')}": "3",
            },
            "rank": ranks(s, "rank", Webinars=1, Workshops=2, Visits=3),
            "fields": {
                "option": [
                    oid(s, "fields", "energy-systems"),
                    oid(s, "fields", "mobility-transport"),
                ]
            },
            "levers": {
                "option": [
                    oid(s, "levers", "finance-funding"),
                    oid(s, "levers", "governance-policy"),
                ]
            },
        },
    )
    respond(
        s,
        b,
        coordinator,
        {
            "plan": {"option": [oid(s, "plan", "No")]},
            "formats": {"option": [oid(s, "formats", "Peer groups")]},
            "staff": {"value": "20"},
            "department": {"text": "The energy office"},
            "urgency": {"value": "4"},
            "capacity": {f"row-{oid(s, 'capacity', 'Data')}": "4"},
            "rank": ranks(s, "rank", Workshops=1, Webinars=2),
            "fields": {"option": [oid(s, "fields", "energy-systems")]},
            "levers": {"option": [oid(s, "levers", "finance-funding")]},
        },
    )
    respond(
        s,
        c,
        coordinator,
        {
            "plan": {"option": ["other"], "other": "Draft due in 2027"},
            "formats": {"option": [oid(s, "formats", "Training")]},
            "staff": {"value": "45"},
            "urgency": {"value": "4"},
            "rank": ranks(s, "rank", Visits=1),
            "fields": {
                "option": [
                    oid(s, "fields", "energy-systems"),
                    oid(s, "fields", "built-environment"),
                ]
            },
            "levers": {"option": [oid(s, "levers", "technology-infrastructure")]},
        },
    )
    respond(
        s,
        d,
        coordinator,
        {
            "plan": {"option": [oid(s, "plan", "Yes")]},
            "formats": {"option": [oid(s, "formats", "Training")]},
            "staff": {"value": "1000"},
            "department": {"text": "Energy energy energy"},
            "urgency": {"value": "1"},
        },
        submit=False,
    )
    services.set_hidden(q(s, "department"), True, actor=coordinator)
    return survey


@pytest.fixture
def data(coordinator):
    return make_data(coordinator)


def stats(survey, key, filters=None):
    return analytics.survey_analytics(survey, filters).questions[q(survey, key).pk]


def rows(question_stats):
    return [(r.label, r.count, r.percent) for r in question_stats.rows]


def test_totals_count_submitted_and_in_progress_apart(data):
    numbers = analytics.survey_analytics(data)
    assert (numbers.submitted, numbers.in_progress) == (3, 1)


def test_single_choice_counts_percentages_and_other_texts(data):
    plan = stats(data, "plan")
    assert plan.answered == 3  # the response in progress (Yes) is not counted
    assert rows(plan) == [("Yes", 1, 33.3), ("No", 1, 33.3), ("", 1, 33.3)]
    assert plan.rows[-1].option_id is None  # "Other"
    assert plan.others == [("Draft due in 2027", 1)]


def test_multiple_choice_percentages_are_of_the_answers(data):
    formats = stats(data, "formats")
    assert formats.answered == 3
    assert rows(formats) == [
        ("Peer groups", 2, 66.7),
        ("Study visits", 1, 33.3),
        ("Twinning", 0, 0.0),
        ("Helpdesk", 0, 0.0),
        ("Training", 1, 33.3),  # D's Training is in progress
    ]


def test_number_count_mean_median_min_max(data):
    staff = stats(data, "staff")
    assert staff.answered == 3
    assert (staff.mean, staff.median, staff.minimum, staff.maximum) == (
        Decimal("25.00"),
        Decimal("20.00"),
        Decimal("10"),
        Decimal("45"),
    )


def test_median_of_an_even_count_is_the_middle_twos_mean():
    pairs = [(Decimal(1), 1), (Decimal(2), 2), (Decimal(7), 1)]  # 1 2 2 7
    assert analytics._median(pairs) == Decimal("2.00")
    assert analytics._median([(Decimal(1), 1), (Decimal(4), 1)]) == Decimal("2.50")
    assert analytics._median([]) is None


def test_likert_mean_median_and_distribution(data):
    urgency = stats(data, "urgency")
    assert urgency.answered == 3
    assert urgency.mean == Decimal("4.33")
    assert urgency.median == Decimal("4.00")
    assert urgency.scale == [(1, 0, 0.0), (2, 0, 0.0), (3, 0, 0.0), (4, 2, 66.7), (5, 1, 33.3)]


def test_matrix_rows_means_and_distributions(data):
    capacity = stats(data, "capacity")
    assert capacity.answered == 2
    data_row, finance, engagement = capacity.rows
    assert (data_row.count, data_row.mean, data_row.percent) == (2, Decimal("3.00"), 100.0)
    assert data_row.distribution == [(1, 0), (2, 1), (3, 0), (4, 1), (5, 0)]
    assert (finance.count, finance.mean) == (1, Decimal("3.00"))
    assert (engagement.count, engagement.mean) == (0, None)


def test_ranking_mean_rank_and_first_places(data):
    rank = stats(data, "rank")
    assert rank.answered == 3
    assert [(r.label, r.count, r.mean, r.first, r.percent) for r in rank.rows] == [
        ("Webinars", 2, Decimal("1.50"), 1, 33.3),
        ("Workshops", 2, Decimal("1.50"), 1, 33.3),
        ("Visits", 2, Decimal("2.00"), 1, 33.3),
    ]


def test_text_frequent_words_without_stop_words_and_recent_answers(data):
    department = stats(data, "department")
    assert department.answered == 2
    # "and", "the" are stop words; D's "energy energy energy" is in progress.
    assert department.words == [("energy", 2), ("unit", 2), ("climate", 1), ("office", 1)]
    assert department.recent == ["The energy office", "Climate unit and energy unit"]
    plan_text = stats(data, "plan-text")
    assert plan_text.words == [("energy", 2), ("mobility", 1), ("plan", 1)]


def test_words_are_counted_in_the_latest_responses_only(data, monkeypatch):
    monkeypatch.setattr(analytics, "WORDS_SAMPLE", 2)  # C's and B's (C has no department)
    department = stats(data, "department")
    assert department.answered == 2  # the counts are of every answer
    assert department.words == [("energy", 1), ("office", 1)]
    assert department.recent == ["The energy office"]


def test_words_of_a_text():
    assert analytics.words_of("Énergie, the city's 2050 plan—Łódź and I") == [
        "énergie",
        "city",
        "plan",
        "łódź",
    ]


def test_pickers_count_their_terms(data):
    fields = stats(data, "fields")
    assert [(r.label, r.count) for r in fields.rows if r.count] == [
        ("Energy systems", 3),
        ("Built environment", 1),
        ("Mobility & transport", 1),
    ]


def test_filters_narrow_the_numbers(data):
    form = ResponseFilter({"country": "SE"}, survey=data)
    numbers = analytics.survey_analytics(data, form)
    assert (numbers.submitted, numbers.in_progress) == (2, 0)
    plan = numbers.questions[q(data, "plan").pk]
    assert rows(plan) == [("Yes", 1, 50.0), ("No", 1, 50.0), ("", 0, 0.0)]
    assert plan.others == []
    staff = numbers.questions[q(data, "staff").pk]
    assert (staff.mean, staff.median) == (Decimal("15.00"), Decimal("15.00"))
    # a band (Aby is 50,000 people, Bro 500,000)
    only_small = analytics.survey_analytics(data, {"population_band": "50000-100000"})
    assert only_small.submitted == 1


def test_an_invalid_filter_counts_everything(data):
    form = ResponseFilter({"country": "NOPE"}, survey=data)
    assert not form.is_valid()
    assert analytics.survey_analytics(data, form).submitted == 3


def test_a_submission_changes_the_cached_numbers(
    data, coordinator, django_capture_on_commit_callbacks
):
    assert analytics.survey_analytics(data).submitted == 3
    spain = Country.objects.get(code="ES")
    late = CityFactory(country=spain, status=City.Status.MISSION)
    with django_capture_on_commit_callbacks(execute=True):
        respond(data, late, coordinator, {"plan": {"option": [oid(data, "plan", "No")]}})
    again = analytics.survey_analytics(data)
    assert again.submitted == 4
    assert again.questions[q(data, "plan").pk].row(int(oid(data, "plan", "No"))).count == 2


def test_top_options(data):
    formats = q(data, "formats")
    top = analytics.top_options(data, formats, limit=2)
    assert [(o.label, n, p) for o, n, p in top] == [
        ("Peer groups", 2, 66.7),
        ("Study visits", 1, 33.3),
    ]
    assert [o.label for o, _n, _p in analytics.top_options(data, formats)] == [
        "Peer groups",
        "Study visits",
        "Training",
    ]  # nobody chose Twinning or Helpdesk
    fields = analytics.top_options(
        data, q(data, "fields"), limit=1, filters={"country__code": "SE"}
    )
    assert [(o.term.slug, n) for o, n, _p in fields] == [("energy-systems", 2)]
    ranked = analytics.top_options(data, q(data, "rank"))
    assert [(o.label, n) for o, n, _p in ranked] == [
        ("Webinars", 1),
        ("Workshops", 1),
        ("Visits", 1),
    ]


def test_crosstab_by_country(data):
    table = analytics.crosstab(data, q(data, "formats"), "country")
    assert table.columns == [
        (str(Country.objects.get(code="ES").pk), "Spain", 1),
        (str(Country.objects.get(code="SE").pk), "Sweden", 2),
    ]
    assert table.rows == [
        ("Peer groups", [(0, 0.0), (2, 100.0)]),
        ("Study visits", [(0, 0.0), (1, 50.0)]),
        ("Twinning", [(0, 0.0), (0, 0.0)]),
        ("Helpdesk", [(0, 0.0), (0, 0.0)]),
        ("Training", [(1, 100.0), (0, 0.0)]),
    ]


def test_crosstab_of_a_scale_by_status_with_other_row(data):
    urgency = analytics.crosstab(data, q(data, "urgency"), "status")
    assert [label for _v, label, _n in urgency.columns] == [
        "Mission City",
        "Participating city",
        "Pilot City",
    ]
    assert urgency.rows[3] == ("4", [(0, 0.0), (1, 100.0), (1, 100.0)])
    assert urgency.rows[4] == ("5", [(1, 100.0), (0, 0.0), (0, 0.0)])
    plan = analytics.crosstab(data, q(data, "plan"), "band")
    assert plan.rows[-1][0] == ""  # Other
    assert sum(n for n, _p in plan.rows[-1][1]) == 1


def test_crosstab_refuses_unknown_dimensions_and_kinds(data):
    with pytest.raises(ValueError):
        analytics.crosstab(data, q(data, "plan"), "planet")
    with pytest.raises(ValueError):
        analytics.crosstab(data, q(data, "staff"), "country")


def test_heat_map_of_fields_by_levers(data):
    heat = analytics.heat_map(data)
    assert heat.maximum == 2
    assert heat.levers[:2] == ["Technology & infrastructure", "Governance & policy"]
    cells = {field: dict(zip(heat.levers, row, strict=True)) for field, row in heat.rows}
    assert cells["Energy systems"]["Finance & funding"] == (2, 5)
    assert cells["Energy systems"]["Governance & policy"] == (1, 3)
    assert cells["Energy systems"]["Technology & infrastructure"] == (1, 3)
    assert cells["Mobility & transport"]["Finance & funding"] == (1, 3)
    assert cells["Built environment"]["Technology & infrastructure"] == (1, 3)
    assert cells["Built environment"]["Finance & funding"] == (0, 0)
    total = sum(n for _field, row in heat.rows for n, _level in row)
    assert total == 2 + 1 + 1 + 1 + 1 + 1
    sweden_only = analytics.heat_map(data, {"country__code": "SE"})
    assert sum(n for _field, row in sweden_only.rows for n, _level in row) == 5


def test_no_heat_map_without_both_pickers():
    survey = sample_survey()
    Question.objects.filter(survey=survey, kind="levers").delete()
    services.structure_changed(survey)
    assert analytics.heat_map(survey) is None


def test_response_rate_by_country(data):
    rates = analytics.response_rates(data)
    assert rates.per_city
    by_name = {r.name: (r.responses, r.cities, r.rate) for r in rates.rows}
    # Sweden: Aby, Bro answered of Aby, Bro, Falun; Spain: Cadiz of Cadiz, Denia (Elche is
    # not registered, Denia's response is in progress).
    assert by_name["Sweden"] == (2, 3, 66.7)
    assert by_name["Spain"] == (1, 2, 50.0)
    assert (rates.responses, rates.cities, rates.rate) == (3, 5, 60.0)


def test_response_rate_of_a_survey_for_some_statuses(data):
    Survey.objects.filter(pk=data.pk).update(audience="statuses", city_statuses=["mission"])
    data.refresh_from_db()
    rates = analytics.response_rates(data)
    by_name = {r.name: (r.responses, r.cities) for r in rates.rows}
    assert by_name == {"Spain": (1, 1), "Sweden": (2, 1)}


def test_a_survey_per_person_counts_respondents_without_a_rate(member, city):
    survey = sample_survey(respondent=Survey.Respondent.PERSON)
    response = services.start_response(survey, actor=member)
    services.save_answer(
        response, q(survey, "plan"), {"option": [oid(survey, "plan", "No")]}, actor=member
    )
    services.submit_response(response, actor=member)
    rates = analytics.response_rates(survey)
    assert not rates.per_city
    assert [(r.country_id, r.responses, r.cities, r.rate) for r in rates.rows] == [
        (city.country_id, 1, None, None)
    ]
    assert rates.rate is None


def test_refresh_leaves_the_page_numbers_in_the_cache(data, django_assert_num_queries):
    analytics.refresh(data.pk)
    with django_assert_num_queries(0):
        assert analytics.survey_analytics(data).submitted == 3
        analytics.response_rates(data)
        analytics.heat_map(data)

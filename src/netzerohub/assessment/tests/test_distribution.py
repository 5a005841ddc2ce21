"""The coordinators' view of results across cities, its exports, and the recommendation
weights page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from netzerohub.assessment import peers
from netzerohub.assessment.models import RecommendationWeight
from netzerohub.assessment.tests.factories import submitted
from netzerohub.cities.models import Country
from netzerohub.cities.tests.factories import CityFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def results_in_two_countries(questionnaire, city):
    """Three cities of `city`'s country at levels 1, 2, 3 (60,000 people); two elsewhere at 4."""
    elsewhere = Country.objects.create(code="ZZ", name="Zedland", is_eu_member=True)
    for level in (1, 2, 3):
        place = CityFactory(country=city.country, population=60_000)
        submitted(place, LeadFactory(city=place).user, level=level)
    for _n in range(2):
        place = CityFactory(country=elsewhere, population=2_000_000)
        submitted(place, LeadFactory(city=place).user, level=4)
    peers.refresh(questionnaire.key)
    return elsewhere


def test_the_distribution_shows_stages_by_band_and_country(
    client, results_in_two_countries, coordinator, city
):
    client.force_login(coordinator)
    body = client.get(reverse("assessment:distribution")).content.decode()
    assert "5 cities with a result" in body
    zedland = body[body.index(">Zedland<") :]
    assert zedland.index(">2<") < zedland.index("(100 %)")  # 2 cities, all leading
    assert "Over 1 million" in body and city.country.name in body
    body = client.get(
        reverse("assessment:distribution"), {"group": f"country:{city.country.code}"}
    ).content.decode()
    assert f"Dimension scores: {city.country.name}" in body
    finance = body[body.index('<th scope="row">Finance and investment</th>') :]
    cells = finance[: finance.index("</tr>")]
    assert '<td class="num">3</td>' in cells and '<td class="num">50</td>' in cells


def test_an_unknown_group_shows_all_cities(client, results_in_two_countries, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("assessment:distribution"), {"group": "country:<script>"})
    assert response.status_code == 200
    assert "Dimension scores: All cities" in response.content.decode()


def test_the_csv_export_has_every_group_and_dimension(
    client, results_in_two_countries, coordinator
):
    client.force_login(coordinator)
    response = client.get(reverse("assessment:distribution-export", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Group type", "Group", "Dimension", "Cities", "Lower quartile", "Median", "Upper quartile"
    ]  # fmt: skip
    overall = {(r[0], r[1]): r for r in rows[1:] if r[2] == "Overall"}
    assert overall[("all", "All cities")][3] == "5"
    assert overall[("country", "Zedland")][5] == "100.0"
    assert len(rows) == 1 + 5 * 10  # all, 2 countries, 2 bands × (overall + 9 dimensions)


def test_the_xlsx_export_has_stages_and_scores(client, results_in_two_countries, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("assessment:distribution-export", args=["xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Stages", "Dimension scores"]
    stages = list(workbook["Stages"].values)
    assert stages[0][:7] == ("Group type", "Group", "Cities", "Starting", "Developing",
                             "Advanced", "Leading")  # fmt: skip
    assert stages[1][:3] == ("all", "All cities", 5)


def test_an_unknown_export_format_is_404(client, results_in_two_countries, coordinator):
    client.force_login(coordinator)
    assert client.get("/assessment/manage/distribution.pdf").status_code == 404


def test_no_result_yet_says_so(client, questionnaire, coordinator):
    client.force_login(coordinator)
    body = client.get(reverse("assessment:distribution")).content.decode()
    assert "No city has submitted an assessment yet." in body


def test_weights_are_saved_and_audited(client, questionnaire, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("assessment:weights")).content.decode()
    assert 'name="dimension__finance"' in page and 'name="lever__finance-funding"' in page
    data = dict.fromkeys(_weight_names(page), "1")
    data["dimension__finance"] = "2.5"
    data["lever__finance-funding"] = "0"
    client.post(reverse("assessment:weights"), data)
    stored = {(w.kind, w.key): w.weight for w in RecommendationWeight.objects.all()}
    assert stored == {("dimension", "finance"): Decimal("2.5"), ("lever", "finance-funding"): 0}


@pytest.mark.parametrize("value", ["-1", "11", "lots"])
def test_a_bad_weight_is_refused_and_keeps_what_was_typed(
    client, questionnaire, coordinator, value
):
    client.force_login(coordinator)
    page = client.get(reverse("assessment:weights")).content.decode()
    data = dict.fromkeys(_weight_names(page), "1")
    data["dimension__finance"] = value
    data["dimension__mandate"] = "3"
    response = client.post(reverse("assessment:weights"), data)
    body = response.content.decode()
    assert response.status_code == 200 and "errorlist" in body
    assert 'name="dimension__mandate" value="3"' in body
    assert not RecommendationWeight.objects.exists()


def _weight_names(page: str) -> list[str]:
    names = []
    for part in page.split('name="')[1:]:
        name = part[: part.index('"')]
        if "__" in name:
            names.append(name)
    return names

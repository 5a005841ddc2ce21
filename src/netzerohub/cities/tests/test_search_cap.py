"""A broad search says "more than N" instead of counting every match."""

import pytest
from django.urls import reverse

from netzerohub.cities import views
from netzerohub.cities.services import index_city_names
from netzerohub.cities.tests.factories import CityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_cities():
    def make(n):
        cities = [CityFactory(name=f"Sampleburg {i}", alternate_names=[]) for i in range(n)]
        index_city_names(cities)

    return make


def test_a_search_beyond_the_cap_says_more_than(client, monkeypatch, sample_cities):
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 3)
    sample_cities(5)
    html = client.get(reverse("cities:directory"), {"q": "sampleburg"}).content.decode()
    assert "More than 3 cities" in html


def test_a_search_at_the_cap_gives_the_exact_count(client, monkeypatch, sample_cities):
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 3)
    sample_cities(3)
    html = client.get(reverse("cities:directory"), {"q": "sampleburg"}).content.decode()
    assert "3 cities" in html
    assert "More than" not in html


def test_the_unfiltered_directory_is_never_capped(client, monkeypatch, sample_cities):
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 3)
    sample_cities(5)
    html = client.get(reverse("cities:directory")).content.decode()
    assert "5 cities" in html

"""Public city pages are served from cached HTML; changes made through services show at once."""

import pytest
from django.urls import reverse

from netzerohub.cities import services
from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory

pytestmark = pytest.mark.django_db


def test_a_repeated_directory_request_needs_no_query(client, django_assert_num_queries):
    CityFactory.create_batch(3)
    client.get(reverse("cities:directory"), {"q": ""})
    with django_assert_num_queries(0):
        response = client.get(reverse("cities:directory"), {"q": ""})
    assert response.status_code == 200


def test_a_repeated_api_list_request_needs_no_query(client, django_assert_num_queries):
    CityFactory.create_batch(3)
    client.get("/api/v1/cities")
    with django_assert_num_queries(0):
        response = client.get("/api/v1/cities")
    assert response.json()["count"] == 3


def test_a_visitor_sees_the_cached_profile_without_a_query(client, django_assert_num_queries):
    city = CityFactory(name="Samplestad")
    client.get(reverse("cities:detail", args=[city.pk]))
    with django_assert_num_queries(0):
        response = client.get(reverse("cities:detail", args=[city.pk]))
    assert "Samplestad" in response.content.decode()


def test_a_profile_change_shows_to_visitors_at_once(
    client, city, lead, django_capture_on_commit_callbacks
):
    url = reverse("cities:detail", args=[city.pk])
    assert "2041" not in client.get(url).content.decode()  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        services.update_city_profile(city, actor=lead, target_year=2041)

    assert "2041" in client.get(url).content.decode()


def test_a_status_change_shows_to_visitors_at_once(
    client, city, coordinator, django_capture_on_commit_callbacks
):
    url = reverse("cities:detail", args=[city.pk])
    assert "Pilot City" not in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.set_city_status(city, status=City.Status.PILOT, actor=coordinator)

    assert "Pilot City" in client.get(url).content.decode()


def test_a_missing_city_is_404_and_not_cached(client):
    assert client.get(reverse("cities:detail", args=[987654])).status_code == 404
    assert client.get(reverse("cities:detail", args=[987654])).status_code == 404

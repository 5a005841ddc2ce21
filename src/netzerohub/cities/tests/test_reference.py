"""The reference-data loaders on the data the project ships: countries, GeoNames cities and the
112 Mission Cities. Slow-ish (GeoNames is large), so one test does it all."""

from __future__ import annotations

import pytest

from netzerohub.cities import reference
from netzerohub.cities.models import City, CityName, Country
from netzerohub.core.models import AuditLog

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, object]:
    return {
        "countries": list(Country.objects.order_by("code").values()),
        "cities": list(City.objects.order_by("pk").values()),
        "mission": sorted(City.objects.mission_cities().values_list("pk", flat=True)),
        "keys": CityName.objects.count(),
        "audit": AuditLog.objects.count(),
    }


def test_loaders_mark_the_112_mission_cities_and_are_idempotent():
    countries = reference.load_countries()
    cities = reference.load_cities()
    report = reference.load_mission_cities()

    assert countries["created"] == countries["countries"] > 27
    assert cities["created"] == cities["cities"] > 1000
    assert report.unmatched == []
    assert report.extra == []
    assert len(report.matched) == 112
    assert City.objects.mission_cities().count() == 112
    assert AuditLog.objects.filter(action="cities.city.status_changed").count() == 112

    # The facts the rest of the portal relies on.
    assert Country.objects.filter(is_eu_member=True).count() == 27
    switzerland = Country.objects.get(code="CH")
    assert switzerland.is_associated and not switzerland.pillar_ii_only
    assert Country.objects.get(code="CA").pillar_ii_only
    assert not Country.objects.eligible().filter(code__in=["BY", "RU"]).exists()
    assert set(City.objects.search("malmo").values_list("name", flat=True)) >= {"Malmö"}
    assert City.objects.search("cologne").filter(name="Köln", country__code="DE").exists()
    assert City.objects.mission_cities().filter(name="Eindhoven & Helmond").exists()
    assert City.objects.get(name="Gozo").is_mission_city

    # What people edit is not the loaders' to overwrite.
    edited = City.objects.mission_cities().order_by("pk").first()
    City.objects.filter(pk=edited.pk).update(target_year=2030, website="https://city.example")

    before = snapshot()
    again_countries = reference.load_countries()
    again_cities = reference.load_cities()
    again_report = reference.load_mission_cities()

    assert (again_countries["created"], again_countries["updated"]) == (0, 0)
    assert (again_cities["created"], again_cities["updated"]) == (0, 0)
    assert again_report.unmatched == []
    assert again_report.added_small == []
    assert snapshot() == before
    edited.refresh_from_db()
    assert (edited.target_year, edited.website) == (2030, "https://city.example")

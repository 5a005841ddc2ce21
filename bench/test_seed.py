"""The benchmark's seeding, at toy scale: targets met, rows well-formed, idempotent.

No timings here: speed is what `make bench` measures, not what tests assert.
"""

from __future__ import annotations

import pytest
import seed

from netzerohub.cities.models import City, CityName, Country, Membership

pytestmark = pytest.mark.django_db

TARGETS = seed.Targets(cities=40, users=12, memberships=30)


@pytest.fixture
def countries() -> dict[str, Country]:
    return {
        "eu": Country.objects.create(code="FR", name="France", is_eu_member=True),
        "associated": Country.objects.create(code="NO", name="Norway", is_associated=True),
        "not_eligible": Country.objects.create(code="BY", name="Belarus"),
    }


def quiet(*args: object) -> None:
    pass


def test_seed_reaches_every_target(countries):
    City.objects.create(name="Lyon", country=countries["eu"], population=500_000)

    added = seed.seed(TARGETS, log=quiet)

    assert added == {"cities": 39, "users": 12, "memberships": 30}
    assert City.objects.count() == 40
    synthetic = City.objects.filter(source=City.Source.SYNTHETIC)
    assert synthetic.count() == 39
    assert not synthetic.filter(country=countries["not_eligible"]).exists()
    assert all(
        name.startswith("Synthetic municipality ")
        for name in synthetic.values_list("name", flat=True)
    )
    assert all(1_000 <= p <= 200_000 for p in synthetic.values_list("population", flat=True))
    assert seed.bench_users().count() == 12


def test_synthetic_cities_are_found_by_search(countries):
    seed.seed(TARGETS, log=quiet)

    first = City.objects.get(name="Synthetic municipality 00001")
    assert set(first.search_names.values_list("key", flat=True)) == {
        "synthetic municipality 00001",
        "municipality 00001",
        "00001",
    }
    assert list(City.objects.search("municipality 00001")) == [first]
    assert CityName.objects.filter(city__source=City.Source.SYNTHETIC).count() == 3 * 40


def test_memberships_are_open_and_unique_per_person_and_city(countries):
    seed.seed(TARGETS, log=quiet)

    memberships = Membership.objects.filter(user__in=seed.bench_users())
    pairs = list(memberships.values_list("user_id", "city_id"))
    assert len(pairs) == 30
    assert len(set(pairs)) == 30
    assert set(memberships.values_list("status", flat=True)) <= {"approved", "pending"}
    assert not memberships.filter(status="pending", role="lead").exists()


def test_seeding_again_adds_nothing(countries):
    seed.seed(TARGETS, log=quiet)
    before = (City.objects.count(), CityName.objects.count(), Membership.objects.count())

    added = seed.seed(TARGETS, log=quiet)

    assert added == {"cities": 0, "users": 0, "memberships": 0}
    assert (City.objects.count(), CityName.objects.count(), Membership.objects.count()) == before


def test_a_higher_target_tops_up(countries):
    seed.seed(TARGETS, log=quiet)

    added = seed.seed(seed.Targets(cities=50, users=15, memberships=30), log=quiet)

    assert added["cities"] == 10
    assert added["users"] == 3
    assert City.objects.filter(name="Synthetic municipality 00050").exists()
    assert seed.bench_users().count() == 15

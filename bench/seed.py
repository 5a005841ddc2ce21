"""Europe-scale synthetic data for the benchmark: cities, people and memberships.

Every step is idempotent and atomic: it tops the data up to its target and does nothing when the
target is already met. Rows are built in memory and written with `bulk_create` in batches;
search keys are computed directly with `search_keys` (no per-row `save()`), and every synthetic
person shares one password hash computed once.

Synthetic rows are easy to tell apart: cities have `source="synthetic"` and are named
"Synthetic municipality 00042"; people have an address at `@bench.invalid`.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from netzerohub.cities.models import City, CityName, Country, Membership
from netzerohub.cities.naming import search_keys
from netzerohub.core.text import fold

CITIES_TOTAL = 100_000
USERS = 50_000
MEMBERSHIPS = 200_000
BATCH = 5_000
POPULATION_RANGE = (1_000, 200_000)
USER_DOMAIN = "bench.invalid"
CITY_PREFIX = "Synthetic municipality"
APPROVED_SHARE = 0.7  # the rest are pending requests
LEAD_SHARE = 0.1  # of approved memberships


@dataclass(frozen=True)
class Targets:
    cities: int = CITIES_TOTAL
    users: int = USERS
    memberships: int = MEMBERSHIPS


def bench_users():
    return get_user_model().objects.filter(email__endswith=f"@{USER_DOMAIN}")


def city_name(number: int) -> str:
    return f"{CITY_PREFIX} {number:05d}"


def user_email(number: int) -> str:
    return f"bench-user-{number:05d}@{USER_DOMAIN}"


def _country_weights() -> tuple[list[int], list[int]]:
    """Eligible countries, weighted by how many real cities they have (at least one each)."""
    countries = (
        Country.objects.eligible()
        .annotate(n=Count("cities"))
        .order_by("code")
        .values_list("pk", "n")
    )
    ids = [pk for pk, _n in countries]
    if not ids:
        raise RuntimeError("No eligible country: load the reference data first.")
    return ids, [n + 1 for _pk, n in countries]


@transaction.atomic
def seed_cities(total: int, rng: random.Random) -> int:
    """Add synthetic municipalities until the directory holds `total` cities."""
    missing = total - City.objects.count()
    if missing <= 0:
        return 0
    first = City.objects.filter(source=City.Source.SYNTHETIC).count() + 1
    country_ids, weights = _country_weights()
    countries = rng.choices(country_ids, weights=weights, k=missing)
    created = 0
    for start in range(0, missing, BATCH):
        batch = []
        for offset in range(start, min(start + BATCH, missing)):
            name = city_name(first + offset)
            batch.append(
                City(
                    name=name,
                    name_folded=fold(name),
                    country_id=countries[offset],
                    population=rng.randint(*POPULATION_RANGE),
                    source=City.Source.SYNTHETIC,
                    source_note="Synthetic benchmark data.",
                )
            )
        cities = City.objects.bulk_create(batch, batch_size=BATCH)
        if any(c.pk is None for c in cities):  # a backend that does not return primary keys
            names = [c.name for c in cities]
            cities = list(City.objects.filter(source=City.Source.SYNTHETIC, name__in=names))
        keys = [CityName(city_id=c.pk, key=key) for c in cities for key in search_keys(c.name)]
        CityName.objects.bulk_create(keys, batch_size=BATCH)
        created += len(cities)
    return created


@transaction.atomic
def seed_users(count: int) -> int:
    """Synthetic people `bench-user-NNNNN@bench.invalid`, all with one shared password hash."""
    User = get_user_model()
    existing = set(bench_users().values_list("email", flat=True))
    if len(existing) >= count:
        return 0
    password = make_password("bench-password-not-for-production")
    now = timezone.now()
    rows = [
        User(
            email=email,
            name=f"Synthetic user {number:05d}",
            password=password,
            date_joined=now,
            is_active=True,
        )
        for number in range(1, count + 1)
        if (email := user_email(number)) not in existing
    ]
    User.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


@transaction.atomic
def seed_memberships(count: int, rng: random.Random) -> int:
    """`count` memberships of the synthetic people, spread evenly, one per person and city."""
    mine = Membership.objects.filter(user__in=bench_users())
    existing = mine.count()
    if existing >= count:
        return 0
    if existing:  # a different target than last time: start the memberships over
        mine.delete()
    user_ids = list(bench_users().order_by("pk").values_list("pk", flat=True))
    city_ids = list(City.objects.order_by("pk").values_list("pk", flat=True))
    if not user_ids:
        raise RuntimeError("Seed the users before their memberships.")
    per_user, extra = divmod(count, len(user_ids))
    if per_user + (1 if extra else 0) > len(city_ids):
        raise RuntimeError("Not enough cities for that many memberships per person.")
    now = timezone.now()
    batch: list[Membership] = []
    created = 0
    for index, user_id in enumerate(user_ids):
        for city_id in rng.sample(city_ids, per_user + (1 if index < extra else 0)):
            approved = rng.random() < APPROVED_SHARE
            batch.append(
                Membership(
                    user_id=user_id,
                    city_id=city_id,
                    status=Membership.Status.APPROVED if approved else Membership.Status.PENDING,
                    role=Membership.Role.LEAD
                    if approved and rng.random() < LEAD_SHARE
                    else Membership.Role.MEMBER,
                    decided_at=now if approved else None,
                )
            )
        if len(batch) >= BATCH:
            Membership.objects.bulk_create(batch, batch_size=BATCH)
            created += len(batch)
            batch = []
    Membership.objects.bulk_create(batch, batch_size=BATCH)
    return created + len(batch)


def run_steps(steps, report: dict, *, label: str, log=print) -> None:
    """Run `(name, step)` pairs in turn into `report`: a step answers how many rows it added (or
    a dict of counts); the time of a step that added something is kept as `<name>_s`."""
    for name, step in steps:
        step_started = time.monotonic()
        added = step()
        seconds = round(time.monotonic() - step_started, 2)
        if isinstance(added, dict):
            report |= added
        else:
            report[name] = added
        if any(added.values()) if isinstance(added, dict) else added:
            report[f"{name}_s"] = seconds
            shown = f"{added:,}" if isinstance(added, int) else added
            log(f"  seeded {label} {name}: {shown} in {seconds:.1f}s")


def analyze() -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load (autovacuum would do it later;
    doing it now makes runs comparable). SQLite is left as the product leaves it."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def seed(targets: Targets | None = None, *, seed_value: int = 2050, log=print) -> dict[str, int]:
    """Top every table up to its target; returns how many rows each step added."""
    targets = targets or Targets()
    rng = random.Random(seed_value)
    steps = {
        "cities": lambda: seed_cities(targets.cities, rng),
        "users": lambda: seed_users(targets.users),
        "memberships": lambda: seed_memberships(targets.memberships, rng),
    }
    added = {}
    for name, step in steps.items():
        started = time.monotonic()
        added[name] = step()
        if added[name]:
            log(f"  seeded {added[name]:,} {name} in {time.monotonic() - started:.1f}s")
    if any(added.values()) and connection.vendor == "postgresql":
        analyze()
    return added

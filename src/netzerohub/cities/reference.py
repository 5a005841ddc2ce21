"""Loading the reference data shipped in `cities/data/` (facts from public sources).

Every loader is idempotent: running it again changes nothing unless the data changed, and it
never overwrites what people edited (status set by coordinators, profiles set by leads) except
the facts it owns.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from netzerohub.core.audit import log_action
from netzerohub.core.text import fold

from . import geonames
from .models import City, CityName, Country
from .naming import latin_alternates
from .services import index_city_names

DATA_DIR = Path(__file__).resolve().parent / "data"
MIN_POPULATION = 15000


def read_csv(name: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


# --- countries ---------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_YEAR = re.compile(r"^(\d{4})")


def parse_association(text: str) -> tuple[dt.date | None, int | None]:
    """'2021-09-24' -> (date, 2021); '2022 (applicable by …)' -> (None, 2022)."""
    if match := _DATE.match(text):
        date = dt.date(*(int(part) for part in match.groups()))
        return date, date.year
    if match := _YEAR.match(text):
        return None, int(match.group(1))
    return None, None


@transaction.atomic
def load_countries() -> dict[str, int]:
    """Every European country of GeoNames, the EU 27 and every Horizon Europe associated country."""
    eu = {row["country_iso2"]: row["country_name"] for row in read_csv("eu_member_states.csv")}
    associated = {row["country_iso2"]: row for row in read_csv("horizon_associated_countries.csv")}
    wanted: dict[str, dict[str, Any]] = {}
    for code, info in geonames.countries().items():
        if info["continentcode"] == "EU" or code in eu or code in associated:
            wanted[code] = {"name": info["name"], "is_european": True}
    for code, row in associated.items():
        wanted.setdefault(code, {})["name"] = row["country_name"]
        wanted[code]["is_european"] = not row["source_note"].startswith("non-European")
    for code, name in eu.items():
        wanted[code]["name"] = name
        wanted[code]["is_european"] = True

    created = updated = 0
    for code, facts in sorted(wanted.items()):
        row = associated.get(code)
        since, year = parse_association(row["associated_since"]) if row else (None, None)
        values = {
            "name": facts["name"],
            "is_european": facts["is_european"],
            "is_eu_member": code in eu,
            "is_associated": row is not None,
            "associated_since": since,
            "association_year": year,
            "pillar_ii_only": bool(row and "Pillar II only" in row["associated_since"]),
            "association_note": row["source_note"] if row else "",
        }
        country, was_created = Country.objects.get_or_create(code=code, defaults=values)
        if was_created:
            created += 1
        elif any(getattr(country, k) != v for k, v in values.items()):
            Country.objects.filter(pk=country.pk).update(**values)
            updated += 1
    return {"countries": len(wanted), "created": created, "updated": updated}


# --- cities ------------------------------------------------------------------------------------

GEO_FIELDS = (
    "name",
    "country_id",
    "latitude",
    "longitude",
    "population",
    "time_zone",
    "alternate_names",
)


def directory_country_ids() -> dict[str, int]:
    """Countries whose cities the directory lists: European ones and eligible associated ones."""
    european = Country.objects.filter(is_european=True).values_list("code", "id")
    eligible = Country.objects.eligible().values_list("code", "id")
    return dict(european) | dict(eligible)


def _city_values(record: dict[str, Any], country_id: int) -> dict[str, Any]:
    return {
        "name": record["name"],
        "country_id": country_id,
        "latitude": record["latitude"],
        "longitude": record["longitude"],
        "population": record["population"] or None,
        "time_zone": record["timezone"],
        "alternate_names": latin_alternates(record.get("alternatenames", [])),
    }


@transaction.atomic
def load_cities(min_population: int = MIN_POPULATION) -> dict[str, int]:
    """GeoNames cities of the directory's countries with at least `min_population` people."""
    country_ids = directory_country_ids()
    records = [
        r
        for r in geonames.cities(min_population).values()
        if r["countrycode"] in country_ids and (r["population"] or 0) >= min_population
    ]
    existing = {c.geonameid: c for c in City.objects.filter(geonameid__isnull=False)}
    to_create: list[City] = []
    to_update: list[City] = []
    for record in records:
        values = _city_values(record, country_ids[record["countrycode"]])
        city = existing.get(record["geonameid"])
        if city is None:
            to_create.append(
                City(geonameid=record["geonameid"], name_folded=fold(record["name"]), **values)
            )
        elif any(getattr(city, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(city, key, value)
            city.name_folded = fold(city.name)
            to_update.append(city)
    City.objects.bulk_create(to_create, batch_size=2000)
    City.objects.bulk_update(to_update, [*GEO_FIELDS, "name_folded"], batch_size=2000)
    created = list(City.objects.filter(geonameid__in=[c.geonameid for c in to_create]))
    keys = index_city_names(created + to_update)
    return {
        "cities": len(records),
        "created": len(created),
        "updated": len(to_update),
        "search_keys": keys,
    }


# --- Mission Cities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Special:
    """A Mission City row that does not match one GeoNames city record, and why."""

    reason: str
    match: str | None = None  # the directory name to match instead
    create: Callable[[Country], dict[str, Any]] | None = None


def _joint_eindhoven_helmond(country: Country) -> dict[str, Any]:
    members = list(City.objects.filter(country=country, name__in=["Eindhoven", "Helmond"]))
    eindhoven = next((c for c in members if c.name == "Eindhoven"), None)
    return {
        "name": "Eindhoven & Helmond",
        "population": sum(c.population or 0 for c in members) or None,
        "latitude": eindhoven.latitude if eindhoven else None,
        "longitude": eindhoven.longitude if eindhoven else None,
        "time_zone": "Europe/Amsterdam",
        "alternate_names": ["Eindhoven", "Helmond"],
    }


def _gozo(country: Country) -> dict[str, Any]:
    return {"name": "Gozo", "time_zone": "Europe/Malta", "latitude": 36.04, "longitude": 14.24}


SPECIALS: dict[tuple[str, str], Special] = {
    ("Brussels", "BE"): Special(
        "The Mission City is the Brussels-Capital Region (19 municipalities); the directory "
        "lists it under the GeoNames record of Brussels.",
        match="Brussels",
    ),
    ("Vitoria-Gasteiz", "ES"): Special(
        "GeoNames names the city “Gasteiz / Vitoria”.", match="Gasteiz / Vitoria"
    ),
    ("Bucharest", "RO"): Special(
        "The Mission City is Bucharest's 2nd District (Sector 2); the directory lists it under "
        "the GeoNames record of Bucharest.",
        match="Bucharest",
    ),
    ("Eindhoven & Helmond", "NL"): Special(
        "A joint Mission City of two municipalities: one directory entry of its own; population "
        "is the sum of the two GeoNames records.",
        create=_joint_eindhoven_helmond,
    ),
    ("Gozo", "MT"): Special(
        "Gozo is an island region of Malta, not a GeoNames city: a directory entry of its own, "
        "without a population figure.",
        create=_gozo,
    ),
}


@dataclass
class MissionReport:
    matched: list[str] = field(default_factory=list)
    special: list[str] = field(default_factory=list)
    added_small: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


def _find_in_directory(name: str, country: Country) -> City | None:
    """The most populous city of `country` whose name or an alternate name folds to `name`."""
    key = fold(name)
    by_name = City.objects.filter(country=country, name_folded=key).order_by("-population").first()
    if by_name is not None:
        return by_name
    ids = CityName.objects.filter(key=key, city__country=country).values("city_id")
    return City.objects.filter(pk__in=ids).order_by("-population").first()


def _find_smaller_geonames_city(name: str, country: Country) -> City | None:
    """A Mission City under the directory's population floor: take its GeoNames record."""
    key = fold(name)
    candidates = [
        r
        for r in geonames.cities(1000).values()
        if r["countrycode"] == country.code
        and (fold(r["name"]) == key or key in {fold(a) for a in r.get("alternatenames", [])})
    ]
    if not candidates:
        return None
    record = max(candidates, key=lambda r: r["population"] or 0)
    city, _created = City.objects.get_or_create(
        geonameid=record["geonameid"], defaults=_city_values(record, country.pk)
    )
    index_city_names([city])
    return city


@transaction.atomic
def load_mission_cities() -> MissionReport:
    """Mark the 112 Mission Cities of `mission_cities.csv`, matched to their directory records."""
    report = MissionReport()
    matched_ids: set[int] = set()
    for row in read_csv("mission_cities.csv"):
        label = f"{row['city']} ({row['country_iso2']})"
        country = Country.objects.get(code=row["country_iso2"])
        special = SPECIALS.get((row["city"], row["country_iso2"]))
        city: City | None
        if special and special.create:
            values = special.create(country)
            city = City.objects.filter(
                country=country, name=values["name"], source=City.Source.MISSION_LIST
            ).first()
            if city is None:
                city = City.objects.create(
                    country=country, source=City.Source.MISSION_LIST, **values
                )
                index_city_names([city])
            report.special.append(f"{label}: {special.reason}")
        elif special:
            city = _find_in_directory(special.match or row["city"], country)
            report.special.append(f"{label}: {special.reason}")
        else:
            city = _find_in_directory(row["city"], country)
            if city is None:
                city = _find_smaller_geonames_city(row["city"], country)
                if city is not None:
                    report.added_small.append(
                        f"{label}: fewer than {MIN_POPULATION:,} people in GeoNames; added "
                        "from its larger list because it is a Mission City."
                    )
        if city is None:
            report.unmatched.append(label)
            continue
        matched_ids.add(city.pk)
        report.matched.append(label)
        note = row["source_note"]
        if city.status != City.Status.MISSION or city.source_note != note:
            old = city.status
            City.objects.filter(pk=city.pk).update(status=City.Status.MISSION, source_note=note)
            if old != City.Status.MISSION:
                log_action(
                    "cities.city.status_changed",
                    actor=None,
                    target=city,
                    data={"from": old, "status": "mission", "by": "load_mission_cities"},
                )
    report.extra = [
        str(c)
        for c in City.objects.mission_cities().exclude(pk__in=matched_ids).select_related("country")
    ]
    return report

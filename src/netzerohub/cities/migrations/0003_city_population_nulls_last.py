"""On PostgreSQL, keep cities without a population figure at the end of "most populous first".

PostgreSQL sorts NULL first in a descending order (SQLite sorts it last), so Gozo and proposed
cities without a population topped the directory. The directory orders by `population DESC
NULLS LAST`; these indexes are rebuilt in that order so that the sort stays an index scan.
SQLite's descending order already puts NULL last.
"""

from django.db import migrations

INDEXES = {
    "cities_city_pop_idx": "population DESC{nulls}, id",
    "cities_city_country_pop_idx": "country_id, population DESC{nulls}",
    "cities_city_status_pop_idx": "status, population DESC{nulls}",
}


def _rebuild(schema_editor, nulls: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON cities_city ({columns.format(nulls=nulls)})")


def nulls_last(apps, schema_editor):
    _rebuild(schema_editor, " NULLS LAST")


def nulls_first(apps, schema_editor):
    _rebuild(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [("cities", "0002_cityname_key_c_collation")]
    operations = [migrations.RunPython(nulls_last, nulls_first)]

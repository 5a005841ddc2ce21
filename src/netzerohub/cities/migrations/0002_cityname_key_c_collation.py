"""On PostgreSQL, compare search keys byte by byte (collation "C").

`CityQuerySet.search` is a range scan `key >= prefix AND key < prefix || U+10FFFF`. That is a
prefix match only under a binary collation: a linguistic one (en_US, ICU) ignores spaces and
punctuation at the first level and gives U+10FFFF no weight. SQLite's default is already binary.
"""

from django.db import migrations


def use_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('ALTER TABLE cities_cityname ALTER COLUMN "key" TYPE varchar(200) COLLATE "C"')
    schema_editor.execute("REINDEX INDEX cities_cityname_key_idx")


class Migration(migrations.Migration):
    dependencies = [("cities", "0001_initial")]
    operations = [migrations.RunPython(use_c_collation, migrations.RunPython.noop)]

"""The full-text index behind `core.search`, in each database's own form.

PostgreSQL: a GIN index on `core_searchdocument.vector` (filled by `core.search`).
SQLite: an FTS5 table over title and text with the Porter stemmer and diacritics folded,
kept in step with `core_searchdocument` by triggers (external content, so the text is stored once).
"""

from django.db import migrations

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE core_searchdocument_fts USING fts5(
        title, text, content='core_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER core_searchdocument_fts_ai AFTER INSERT ON core_searchdocument BEGIN
        INSERT INTO core_searchdocument_fts(rowid, title, text)
        VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER core_searchdocument_fts_ad AFTER DELETE ON core_searchdocument BEGIN
        INSERT INTO core_searchdocument_fts(core_searchdocument_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER core_searchdocument_fts_au AFTER UPDATE OF title, text
        ON core_searchdocument BEGIN
        INSERT INTO core_searchdocument_fts(core_searchdocument_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO core_searchdocument_fts(rowid, title, text)
        VALUES (new.id, new.title, new.text);
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_searchdocument_fts_au",
    "DROP TRIGGER IF EXISTS core_searchdocument_fts_ad",
    "DROP TRIGGER IF EXISTS core_searchdocument_fts_ai",
    "DROP TABLE IF EXISTS core_searchdocument_fts",
]
POSTGRES_CREATE = [
    "CREATE INDEX core_searchdoc_vector_gin ON core_searchdocument USING gin (vector)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS core_searchdoc_vector_gin"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0003_search_index")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]

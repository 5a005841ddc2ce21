"""`manage.py import_resources FILE.csv|FILE.json [--dry-run]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from netzerohub.knowledge.importing import import_file


class Command(BaseCommand):
    help = (
        "Create or update resources from a CSV or JSON file (idempotent on the 'key' column). "
        "With --dry-run, only check every row and report the problems."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        try:
            report = import_file(file, dry_run=dry_run)
        except (ValueError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: {error}") from error
        for row in report.errors:
            for problem in row.errors:
                self.stderr.write(f"row {row.number} ({row.key or 'no key'}): {problem}")
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} of {len(report.rows)} rows have problems; nothing imported."
            )
        if dry_run:
            self.stdout.write(f"{len(report.rows)} rows checked: no problems. Nothing written.")
        else:
            self.stdout.write(
                f"{len(report.rows)} rows: {report.created} created, {report.updated} updated."
            )

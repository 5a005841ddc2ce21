"""`manage.py import_courses FILE.json [--dry-run] [--sample]`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from netzerohub.learning.importing import import_file


class Command(BaseCommand):
    help = (
        "Create or update courses (with modules, lessons and quizzes) and pathways from a JSON "
        "file, idempotent on every key. With --dry-run, only check the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument("--sample", action="store_true", help="Mark the content as sample.")

    def handle(self, *args, file: Path, dry_run: bool, sample: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        try:
            report = import_file(file, dry_run=dry_run, is_sample=sample)
        except (ValueError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{file}: {error}") from error
        for problem in report.errors:
            self.stderr.write(problem)
        if report.errors:
            raise CommandError(f"{len(report.errors)} problems; nothing imported.")
        if dry_run:
            self.stdout.write("The file has no problems. Nothing written.")
        else:
            self.stdout.write(
                f"{report.courses} courses ({report.created} new), {report.lessons} lessons, "
                f"{report.pathways} pathways."
            )

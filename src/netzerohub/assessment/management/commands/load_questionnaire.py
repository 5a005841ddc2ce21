"""Load the default readiness questionnaire (or another file in the same format)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from netzerohub.assessment.authoring import DEFAULT_FILE, import_questionnaire
from netzerohub.assessment.services import AssessmentError


class Command(BaseCommand):
    help = (
        "Create and publish the questionnaire of FILE (default: the one NetZero Hub ships) unless "
        "its key already has a version; idempotent. Format: assessment/data/README.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))

    def handle(self, *args, file: str, **options):
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
            questionnaire, created = import_questionnaire(data)
        except (OSError, ValueError, AssessmentError) as error:
            raise CommandError(f"{file}: {error}") from error
        if created:
            questions = questionnaire.questions.count()
            self.stdout.write(
                f"Published {questionnaire.title} {questionnaire.version}: "
                f"{questionnaire.dimensions.count()} dimensions, {questions} questions."
            )
        else:
            self.stdout.write(
                f"{questionnaire.key} already has versions (newest: {questionnaire.version}); "
                "nothing loaded."
            )

from django.core.management.base import BaseCommand

from netzerohub.cities.reference import load_countries


class Command(BaseCommand):
    help = "Load European and Horizon Europe associated countries (idempotent)."

    def handle(self, *args, **options):
        result = load_countries()
        self.stdout.write(
            f"Countries: {result['countries']} ({result['created']} new, {result['updated']} updated)"
        )

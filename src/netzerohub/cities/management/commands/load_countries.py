from django.core.management.base import BaseCommand

from netzerohub.cities.reference import load_countries


class Command(BaseCommand):
    help = "Load European and Horizon Europe associated countries (idempotent)."

    def handle(self, *args, **options):
        result = load_countries()
        total, new, updated = result["countries"], result["created"], result["updated"]
        self.stdout.write(f"Countries: {total} ({new} new, {updated} updated)")

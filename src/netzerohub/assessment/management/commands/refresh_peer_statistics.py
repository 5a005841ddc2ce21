"""Rebuild the peer statistics (done after every submission; this runs it by hand)."""

from django.core.management.base import BaseCommand

from netzerohub.assessment import peers
from netzerohub.assessment.models import Questionnaire


class Command(BaseCommand):
    help = "Recompute the medians and stage counts of every peer group, for every questionnaire."

    def handle(self, *args, **options):
        for key in Questionnaire.objects.order_by("key").values_list("key", flat=True).distinct():
            rows = peers.refresh(key)
            self.stdout.write(f"{key}: {rows} statistics rows")

"""The helpdesk's periodic sweep: close tickets resolved more than the configured days ago and
warn the helpdesk before a service-level breach. Safe to run as often as wanted: a ticket is
closed once and warned once per due time.

    manage.py run_helpdesk_jobs              # once (cron, a systemd timer: every few minutes)
    manage.py run_helpdesk_jobs --loop 60    # every 60 seconds until stopped (the demo's worker)
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from netzerohub.helpdesk import services


class Command(BaseCommand):
    help = "Close resolved helpdesk tickets after the configured days; warn before breaches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            default=0,
            help="Keep running, one sweep every SECONDS (at least 1); stop with Ctrl-C.",
        )

    def handle(self, *args, loop: int = 0, **options) -> None:
        if loop < 0:
            self.stderr.write("--loop takes a number of seconds of at least 1.")
            return
        try:
            while True:
                closed = services.close_resolved()
                warned = services.warn_before_breach()
                self.stdout.write(f"closed {closed} resolved ticket(s); sent {warned} warning(s)")
                if not loop:
                    return
                time.sleep(loop)
                close_old_connections()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

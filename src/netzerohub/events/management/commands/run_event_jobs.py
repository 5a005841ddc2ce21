"""The sweep behind the events' scheduled tasks: expire seat offers past their time (passing the
seats on) and send the reminders that are due. Safe to run at any time and as often as wanted:
each step claims its work, so nothing is done twice.

    manage.py run_event_jobs              # once (cron, a systemd timer)
    manage.py run_event_jobs --loop 60    # every 60 seconds until stopped (the demo's worker)
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from netzerohub.events import registration, reminders


class Command(BaseCommand):
    help = "Expire seat offers past their time and send the event reminders that are due."

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
                self.sweep()
                if not loop:
                    return
                time.sleep(loop)
                close_old_connections()  # a long-running process must not keep a dead one
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def sweep(self) -> None:
        now = timezone.now()
        expired = registration.expire_due_offers(now=now)
        reminded = reminders.send_due_reminders(now=now)
        self.stdout.write(
            f"{now:%Y-%m-%d %H:%M:%S} UTC: {expired} seat offer(s) expired, "
            f"{reminded} reminder(s) sent."
        )

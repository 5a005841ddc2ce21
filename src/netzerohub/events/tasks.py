"""Background jobs of events: seat offers that expire and reminders before an event. Tasks take
ids; each is safe to run twice, and each has a sweep (`manage.py run_event_jobs`) that does the
same for everything due."""

from django_tasks import task

from . import registration, reminders


@task()
def expire_seat_offer(registration_id: int) -> bool:
    """Expire an offer not taken in time and pass the seat to the next person waiting."""
    return registration.expire_offer(registration_id)


@task()
def send_event_reminders(event_id: int, which: str) -> int:
    """Send the 24-hour ("day") or 1-hour ("hour") reminder of one event to those who have not
    had it; returns how many were sent."""
    return reminders.send_reminders(event_id, which)

"""Background jobs of the shared kernel. Tasks take ids, never model instances."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from .models import Notification


@task()
def email_notification(notification_id: int) -> bool:
    """Email one notification to its recipient; idempotent (a second run sends nothing)."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return False
    link = f"{settings.SITE_URL}{notification.url}" if notification.url else settings.SITE_URL
    send_mail(
        subject=f"[NetZero Hub] {notification.title}",
        message=f"{notification.body}\n\n{link}\n",
        from_email=None,
        recipient_list=[notification.user.email],
    )
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


def enqueue_at(task, when, *args) -> None:
    """Enqueue `task(*args)` to run at `when` (an aware datetime) where the backend can defer
    work (the database backend of production and the demo). A backend that cannot (the
    immediate backend of the tests) gets nothing: work at a time also has a sweep command,
    and tests call the task or the sweep at the moment they mean."""
    if task.get_backend().supports_defer:
        task.using(run_after=when).enqueue(*args)

"""Background jobs of the helpdesk. Tasks take ids, never model instances."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_tasks import task


@task()
def email_visitor(ticket_id: int, kind: str) -> bool:
    """Email a visitor who asked without an account: "confirm" (the link that sends the
    ticket on) or "reply" (the helpdesk's latest public reply). Never an internal note: only
    public replies are read here."""
    from .models import Message, Ticket

    ticket = Ticket.objects.filter(pk=ticket_id).exclude(contact_email="").first()
    if ticket is None:
        return False
    link = f"{settings.SITE_URL}{ticket.get_visitor_url()}"
    reply = None
    if kind == "reply":
        reply = (
            Message.objects.public()
            .filter(ticket=ticket, from_city=False)
            .order_by("-created", "-pk")
            .first()
        )
    context = {"ticket": ticket, "link": link, "reply": reply, "kind": kind}
    send_mail(
        subject=render_to_string("helpdesk/email/visitor_subject.txt", context).strip(),
        message=render_to_string("helpdesk/email/visitor_body.txt", context),
        from_email=None,
        recipient_list=[ticket.contact_email],
    )
    return True

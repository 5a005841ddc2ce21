"""Forms of a ticket's page: the city side's reply and rating, the helpdesk side's answer
(public reply or internal note, with the status that follows) and its changes (status,
priority, queue, assignee)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from netzerohub.core.uploads import KINDS, UploadValidator

from . import services
from .models import MESSAGE_MAX_CHARS, Attachment, Priority, Queue, Ticket

ATTACHMENTS_PER_MESSAGE = 5
_NAME_MAX = Attachment._meta.get_field("name").max_length
# The attachment model sets the accepted types and the size limit.
_FILE_VALIDATORS = Attachment._meta.get_field("file").validators
_UPLOADS = next(v for v in _FILE_VALIDATORS if isinstance(v, UploadValidator))
ACCEPT = ",".join(sorted({ext for kind in _UPLOADS.kinds for ext in KINDS[kind][1]}))
MARKDOWN_HELP = _(
    "Markdown: **bold**, *italic*, a line starting with “- ” for a list, "
    "[words](https://example.org) for a link."
)
S = Ticket.Status


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to `ATTACHMENTS_PER_MESSAGE` files; each is checked by the attachment model's
    validators (size, type sniffed from the content, a name that matches it), one message per
    bad file."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > ATTACHMENTS_PER_MESSAGE:
            raise forms.ValidationError(
                _("Attach at most %(n)s files to one message (you chose %(chosen)s)."),
                code="too_many_files",
                params={"n": ATTACHMENTS_PER_MESSAGE, "chosen": len(files)},
            )
        errors: list[str] = []
        for upload in files:
            try:
                upload = super().clean(upload, initial)
                if len(upload.name) > _NAME_MAX:
                    raise forms.ValidationError(
                        _("The file's name is too long (at most %(n)s characters): rename it."),
                        code="name_too_long",
                        params={"n": _NAME_MAX},
                    )
                for validator in _FILE_VALIDATORS:
                    validator(upload)
            except forms.ValidationError as error:
                name = getattr(upload, "name", "") or _("A file")
                errors.extend(f"{name}: {message}" for message in error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return files


def _files_help() -> str:
    return _("At most %(n)s files of %(size)s each: %(kinds)s.") % {
        "n": ATTACHMENTS_PER_MESSAGE,
        "size": filesizeformat(_UPLOADS.max_bytes),
        "kinds": ", ".join(sorted(KINDS[kind][0] for kind in _UPLOADS.kinds)),
    }


class MessageForm(forms.Form):
    """Markdown text and optional files: the city side's reply (members and visitors)."""

    body = forms.CharField(
        label=_("Your reply"),
        max_length=MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write something before sending.")},
        help_text=MARKDOWN_HELP,
    )
    files = AttachmentsField(label=_("Attach files (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        files = self.fields["files"]
        files.widget.attrs["accept"] = ACCEPT
        files.help_text = _files_help()

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write something before sending."), code="required")
        return body


class AnswerForm(MessageForm):
    """The helpdesk side's answer: a public reply (and the status that follows it) or an
    internal note that the city never sees."""

    KIND_CHOICES = [
        ("reply", _("Public reply (the city reads it and is told)")),
        ("note", _("Internal note (only the helpdesk sees it)")),
    ]
    NEXT_CHOICES = [
        (S.OPEN, _("Keep it open")),
        (S.WAITING, _("Waiting for the city (the clock stops)")),
        (S.RESOLVED, _("Resolved (the city is asked to rate the answer)")),
    ]

    kind = forms.ChoiceField(
        label=_("This is a"),
        choices=KIND_CHOICES,
        initial="reply",
        widget=forms.RadioSelect,
    )
    status = forms.ChoiceField(
        label=_("After a public reply, the ticket is"),
        choices=NEXT_CHOICES,
        initial=S.OPEN,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("An internal note does not change the status."),
    )

    field_order = ["kind", "body", "files", "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = _("Text")

    @property
    def is_note(self) -> bool:
        return self.cleaned_data.get("kind") == "note"


class RatingForm(forms.Form):
    """How well the question was answered, 1 (poorly) to 5 (very well), and a comment."""

    CHOICES = [
        (5, _("5 — very well")),
        (4, _("4 — well")),
        (3, _("3 — fairly")),
        (2, _("2 — poorly")),
        (1, _("1 — very poorly")),
    ]

    rating = forms.TypedChoiceField(
        label=_("How well was your question answered?"),
        choices=CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a rating from 1 to 5."),
            "invalid_choice": _("Choose a rating from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=Ticket._meta.get_field("rating_comment").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssigneeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class ChangeForm(forms.Form):
    """Status, priority, queue and assignee of a ticket (the helpdesk side)."""

    status = forms.ChoiceField(label=_("Status"))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    queue = forms.ModelChoiceField(
        label=_("Queue"), queryset=Queue.objects.none(), empty_label=None
    )
    assignee = AssigneeChoice(
        label=_("Assigned to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody (unassigned)"),
        help_text=_(
            "The queue's experts. Moving the ticket to another queue without choosing "
            "someone assigns it there automatically."
        ),
    )

    def __init__(self, *args: Any, ticket: Ticket, queues: Any, experts: Any, **kwargs: Any):
        kwargs.setdefault(
            "initial",
            {
                "status": ticket.status,
                "priority": ticket.priority,
                "queue": ticket.queue_id,
                "assignee": ticket.assignee_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        # What `services.change_ticket` may set, and the current status (new, unverified).
        self.fields["status"].choices = [
            (value, label)
            for value, label in S.choices
            if value in services.CHANGE_STATUSES or value == ticket.status
        ]
        self.fields["queue"].queryset = queues
        self.fields["assignee"].queryset = experts
        for name in ("queue", "assignee"):  # read once, not once per rendering of the field
            self.fields[name].choices = list(iter(self.fields[name].choices))
        if ticket.queue_id is None:
            self.fields["queue"].required = False
            self.fields["queue"].empty_label = _("No queue yet")

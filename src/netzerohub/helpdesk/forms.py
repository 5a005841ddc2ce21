"""Forms of asking the helpdesk: a member's ticket, a visitor's contact form, and their
attachments (each file checked by the attachment model's validators)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from netzerohub.cities.models import City
from netzerohub.core.models import Term
from netzerohub.core.uploads import KINDS, UploadValidator

from .models import MESSAGE_MAX_CHARS, Attachment, Category, Ticket

ATTACHMENTS_PER_TICKET = 5
_NAME_MAX = Attachment._meta.get_field("name").max_length
# The attachment model sets the accepted types and the size limit.
_FILE_VALIDATORS = Attachment._meta.get_field("file").validators
_UPLOADS = next(v for v in _FILE_VALIDATORS if isinstance(v, UploadValidator))
ACCEPT = ",".join(sorted({ext for kind in _UPLOADS.kinds for ext in KINDS[kind][1]}))
THEME_KINDS = (Term.Kind.FIELD, Term.Kind.LEVER)
SUBJECT_MAX = Ticket._meta.get_field("subject").max_length

MARKDOWN_HELP = _(
    "Markdown: **bold**, *italic*, a line starting with “- ” for a list, "
    "[words](https://example.org) for a link. Say what you tried and what you expected: "
    "it saves a round of questions."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to `ATTACHMENTS_PER_TICKET` files; each is checked by the attachment model's
    validators (size, type sniffed from the content, a name that matches it), one message per
    bad file naming it."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Attach files (optional)"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("At most %(n)s files of %(size)s each: %(kinds)s.")
            % {
                "n": ATTACHMENTS_PER_TICKET,
                "size": filesizeformat(_UPLOADS.max_bytes),
                "kinds": ", ".join(sorted(KINDS[kind][0] for kind in _UPLOADS.kinds)),
            },
        )
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ACCEPT

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > ATTACHMENTS_PER_TICKET:
            raise forms.ValidationError(
                _("Attach at most %(n)s files (you chose %(chosen)s)."),
                code="too_many_files",
                params={"n": ATTACHMENTS_PER_TICKET, "chosen": len(files)},
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


def theme_choices() -> list[tuple[str, Any]]:
    """Fields of action and levers of change, grouped, valued `kind:slug` (from the cached
    taxonomy labels: rendering the form costs no query)."""
    labels = Term.objects.labels()
    return [
        ("", _("Choose a field of action or a lever")),
        (
            Term.Kind.FIELD.label,
            [(f"field:{slug}", name) for slug, name in labels.get("field", {}).items()],
        ),
        (
            Term.Kind.LEVER.label,
            [(f"lever:{slug}", name) for slug, name in labels.get("lever", {}).items()],
        ),
    ]


class QuestionForm(forms.Form):
    """What every question has: category (and, for expert guidance, a theme), subject,
    description and files. The theme is asked for only with the expert-guidance category."""

    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[("", _("Choose a category")), *Category.choices],
        error_messages={"required": _("Choose what your question is about.")},
    )
    term = forms.ChoiceField(
        label=_("Field of action or lever of change"),
        required=False,
        help_text=_("Only for expert guidance: the theme your question is about."),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        error_messages={"required": _("Give your question a subject.")},
        help_text=_("A short line: suggestions from the FAQ and the knowledge repository appear."),
    )
    description = forms.CharField(
        label=_("Your question"),
        max_length=MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Describe your question.")},
        help_text=MARKDOWN_HELP,
    )
    files = AttachmentsField()

    def __init__(self, *args: Any, suggest_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = theme_choices()
        if suggest_url:
            self.fields["subject"].widget.attrs.update(
                {
                    "hx-get": suggest_url,
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": "#suggestions",
                    "hx-sync": "this:replace",
                    "autocomplete": "off",
                    "aria-controls": "suggestions",
                }
            )

    def clean_term(self) -> Term | None:
        value = self.cleaned_data.get("term") or ""
        if not value:
            return None
        kind, _sep, slug = value.partition(":")
        term = Term.objects.filter(kind=kind, slug=slug, kind__in=THEME_KINDS).first()
        if term is None:
            raise forms.ValidationError(_("Choose a theme from the list."), code="invalid_choice")
        return term

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("category") == Category.EXPERT
            and not data.get("term")
            and not (self.has_error("term"))
        ):
            self.add_error(
                "term",
                forms.ValidationError(
                    _("For expert guidance, choose the field of action or lever it is about."),
                    code="theme_required",
                ),
            )
        elif data.get("category") and data.get("category") != Category.EXPERT:
            data["term"] = None  # only expert guidance has a theme
        return data


class TicketForm(QuestionForm):
    """A member's ticket: one of their approved cities (preselected when they have one; none
    when they have none), and what every question has."""

    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.none(),
        error_messages={"required": _("Choose the city your question is about.")},
    )
    follow_up = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = ["city", "category", "term", "subject", "description", "files"]

    def __init__(self, *args: Any, city_ids: Sequence[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        city = self.fields["city"]
        if city_ids:
            city.queryset = City.objects.filter(pk__in=list(city_ids))  # checks a POST
            # The options, loaded once (a queryset would be read again at each rendering).
            options = list(city.queryset.order_by("name").values_list("pk", "name"))
            if len(city_ids) == 1:
                city.initial = city_ids[0]
            else:
                options.insert(0, ("", _("Choose a city")))
            city.choices = options
            city.help_text = _("The city's leads can read your ticket and its answers too.")
        else:
            city.required = False
            city.empty_label = _("Not about a city")
            city.help_text = _(
                "You are not an approved member of a city yet: your question is about the "
                "portal or the programme in general."
            )


class ContactForm(QuestionForm):
    """A visitor's question: their name and address (confirmed by a link before the ticket
    reaches anyone), and what every question has. `website` is a trap for robots: people
    never see it."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=Ticket._meta.get_field("contact_name").max_length,
        error_messages={"required": _("Tell us your name.")},
    )
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We send a link there: follow it to send your question. Answers come there."),
        error_messages={
            "required": _("Give your email address: the answer goes there."),
            "invalid": _("Enter an email address like name@example.org."),
        },
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    field_order = ["name", "email", "category", "term", "subject", "description", "files"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    @property
    def is_robot(self) -> bool:
        """The hidden field was filled in: a robot (answered as if sent, nothing kept)."""
        return bool(self.is_bound and (self.data.get("website") or "").strip())

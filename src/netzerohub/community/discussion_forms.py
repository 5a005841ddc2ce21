"""Forms of group discussions: a new discussion, a reply, and their attachments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from netzerohub.core.uploads import KINDS, UploadValidator

from .models import POST_MAX_CHARS, PostAttachment, Thread

ATTACHMENTS_PER_POST = 3
_NAME_MAX = PostAttachment._meta.get_field("name").max_length
# The attachment model sets the accepted types and the size limit.
_FILE_VALIDATORS = PostAttachment._meta.get_field("file").validators
_UPLOADS = next(v for v in _FILE_VALIDATORS if isinstance(v, UploadValidator))
ACCEPT = ",".join(sorted({ext for kind in _UPLOADS.kinds for ext in KINDS[kind][1]}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to `ATTACHMENTS_PER_POST` files; each is checked by the attachment model's validators
    (size, type sniffed from the content, a name that matches it), one message per bad file."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > ATTACHMENTS_PER_POST:
            raise forms.ValidationError(
                _("Attach at most %(n)s files to one post (you chose %(chosen)s)."),
                code="too_many_files",
                params={"n": ATTACHMENTS_PER_POST, "chosen": len(files)},
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


class PostForm(forms.Form):
    """A reply: Markdown text and optional files."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=POST_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write something before posting.")},
        help_text=_(
            "Markdown: **bold**, *italic*, a line starting with “- ” for a list, "
            "[words](https://example.org) for a link. To mention someone, type @ followed by "
            "their handle (see “People you can mention”): they are notified."
        ),
    )
    files = AttachmentsField(
        label=_("Attach files (optional)"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        files = self.fields["files"]
        files.widget.attrs["accept"] = ACCEPT
        files.help_text = _("At most %(n)s files of %(size)s each: %(kinds)s.") % {
            "n": ATTACHMENTS_PER_POST,
            "size": filesizeformat(_UPLOADS.max_bytes),
            "kinds": ", ".join(sorted(KINDS[kind][0] for kind in _UPLOADS.kinds)),
        }


class ThreadForm(PostForm):
    """A new discussion: its title and first post."""

    title = forms.CharField(
        label=_("Title"),
        max_length=Thread._meta.get_field("title").max_length,
        error_messages={"required": _("Give the discussion a title.")},
    )

    field_order = ["title", "body", "files"]

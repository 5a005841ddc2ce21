"""Forms of the knowledge repository."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from netzerohub.cities.models import City, Country
from netzerohub.cities.policies import approved_memberships, is_coordinator
from netzerohub.core.languages import LANGUAGE_CHOICES
from netzerohub.core.models import Term

from .models import Attachment as AttachmentModel
from .models import Collection, Resource

MAX_FILES = 10


class LinksField(forms.CharField):
    """One link per line: a web address, optionally followed by a title."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(f"{link['url']} {link.get('title', '')}".strip() for link in value)
        return value or ""

    def to_python(self, value: Any) -> list[dict[str, str]]:
        links = []
        validate = URLValidator(schemes=["http", "https"])
        for number, line in enumerate((value or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            url, _sep, title = line.partition(" ")
            try:
                validate(url)
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    _("Line %(n)s is not a web address starting with https:// or http://."),
                    code="bad_link",
                    params={"n": number},
                ) from error
            links.append({"url": url, "title": title.strip()[:200]})
        if len(links) > 20:
            raise forms.ValidationError(_("At most 20 links."), code="too_many_links")
        return links


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once; each is checked by the attachment's validators."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("At most %(n)s files at once."), code="too_many_files", params={"n": MAX_FILES}
            )
        validators = AttachmentModel._meta.get_field("file").validators
        errors = []
        for upload in files:
            upload = super().clean(upload, initial)
            for validator in validators:
                try:
                    validator(upload)
                except forms.ValidationError as error:
                    errors.extend(f"{upload.name}: {message}" for message in error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return files


class ResourceForm(forms.ModelForm):
    """A resource's content. Contributors choose one of their cities; coordinators may leave the
    city empty (a programme resource)."""

    links = LinksField(
        label=_("External links"),
        required=False,
        help_text=_("One per line: the address, then optionally a title."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Languages the resource is available in. Hold Ctrl (or ⌘) for several."),
    )
    new_files = MultipleFileField(
        label=_("Attach files"),
        required=False,
        help_text=_(
            "PDF, Word, Excel, PowerPoint, OpenDocument text, PNG or JPEG; at most 25 MB each. "
            "The text of documents is searchable."
        ),
    )

    class Meta:
        model = Resource
        fields = [
            "title", "summary", "type", "city", "body", "fields", "levers", "step", "countries",
            "languages", "authors", "published_on", "licence", "links", "visibility",
        ]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 600}),
            "body": forms.Textarea(attrs={"rows": 16}),
            "fields": forms.CheckboxSelectMultiple,
            "levers": forms.CheckboxSelectMultiple,
            "countries": forms.SelectMultiple(attrs={"size": 6}),
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "visibility": forms.RadioSelect,
        }
        help_texts = {
            "countries": _(
                "Countries the resource is about, if any. Hold Ctrl (or ⌘) for several."
            ),
            "published_on": _("Left empty, the date of publication in the portal is used."),
            "authors": _("People or organisations to credit, as they should appear."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fields"].queryset = Term.objects.fields()
        self.fields["levers"].queryset = Term.objects.levers()
        self.fields["step"].queryset = Term.objects.steps()
        self.fields["step"].empty_label = _("Not specific to one step")
        self.fields["countries"].queryset = Country.objects.in_directory().order_by("name")
        self.fields["new_files"].widget.attrs["accept"] = ",".join(
            sorted({".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".png", ".jpg", ".jpeg"})
        )
        city_ids = list(approved_memberships(user))
        city_field = self.fields["city"]
        if self.instance.pk and not is_coordinator(user):
            del self.fields["city"]  # a contribution stays with the city it came from
        elif is_coordinator(user):
            city_field.queryset = City.objects.select_related("country").filter(
                pk__in=[*city_ids, *([self.instance.city_id] if self.instance.city_id else [])]
            )
            city_field.empty_label = _("No city: a programme resource")
            city_field.help_text = _("The city whose experience this is (yours or none).")
        else:
            city_field.queryset = City.objects.select_related("country").filter(pk__in=city_ids)
            city_field.required = True
            city_field.empty_label = None
            city_field.help_text = _("The city you contribute for.")

    def content(self) -> dict[str, Any]:
        """The cleaned content for `services.create_resource` / `update_resource`."""
        return {k: v for k, v in self.cleaned_data.items() if k != "new_files"}


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the contributor"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("Required when you ask for changes: say what should change."),
    )


class CollectionForm(forms.ModelForm):
    class Meta:
        model = Collection
        fields = ["title", "slug", "description", "is_published"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"slug": _("The collection's web address; letters, digits and hyphens.")}


class AddToCollectionForm(forms.Form):
    collection = forms.ModelChoiceField(
        label=_("Collection"), queryset=Collection.objects.all(), empty_label=None
    )
    note = forms.CharField(label=_("Why it is here (optional)"), required=False, max_length=300)

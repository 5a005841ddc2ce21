"""Forms of the review and publishing pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .exports import SECTION_TITLES
from .models import Contract
from .services import PUBLISH_FLAGS

DECISIONS = ("return", "accept")


class ReviewForm(forms.Form):
    """A comment per section of the template (each optional; a returned version needs one) and
    the decision, sent by the button pressed."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("return", _("Return with comments")), ("accept", _("Accept"))],
        error_messages={"required": _("Choose to return the version or to accept it.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for code, title in SECTION_TITLES:
            self.fields[f"comment_{code}"] = forms.CharField(
                label=title,
                required=False,
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Markdown. Optional."),
            )

    def section_fields(self) -> list[forms.BoundField]:
        return [self[f"comment_{code}"] for code, _title in SECTION_TITLES]

    def comments(self) -> dict[str, str]:
        """{section code: comment} of the comments written (cleaned data)."""
        return {
            code: self.cleaned_data[f"comment_{code}"]
            for code, _title in SECTION_TITLES
            if self.cleaned_data.get(f"comment_{code}", "").strip()
        }


class PublishingForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = list(PUBLISH_FLAGS)
        help_texts = {
            "publish_summary": _(
                "The commitments: target year, ambition, priorities, interim targets and "
                "signatories."
            ),
            "publish_trajectory": _(
                "The inventory's totals, the trajectory to the target and the required "
                "reduction. Publishing it publishes the summary too."
            ),
            "publish_portfolio": _(
                "The actions with their expected reductions. Publishing it publishes the "
                "summary too."
            ),
        }

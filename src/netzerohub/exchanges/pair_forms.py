"""Forms of hosts, matching and the pairs' shared pages: a host's offer in a call, a pair rule
(lock, exclude, clear), an activity of a pair's timeline, the replication plan, and the filter
of the coordinators' progress view."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator, URLValidator
from django.utils.translation import gettext_lazy as _

from netzerohub.core.languages import LANGUAGE_CHOICES
from netzerohub.core.models import Term

from .models import Activity, Call, HostOffer

TEXT_MAX = 5000
PLAN_MAX = 50_000
ID_MAX = 2**31 - 1


class OfferForm(forms.ModelForm):
    """What a Mission or Pilot City offers in a call. `services.save_offer` saves it (the many-
    to-many values go through `related()`)."""

    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one working language.")},
        help_text=_("The languages the city's team can work with a twin in."),
    )

    class Meta:
        model = HostOffer
        fields = ["fields", "levers", "capacity", "languages", "challenges", "visit_dates"]
        widgets = {
            "fields": forms.CheckboxSelectMultiple,
            "levers": forms.CheckboxSelectMultiple,
            "capacity": forms.NumberInput(attrs={"min": 0, "max": 50}),
            "challenges": forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX}),
            "visit_dates": forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX}),
        }
        help_texts = {
            "fields": _("The fields of action the city can share its experience of."),
            "levers": _("The levers of change the city can share its experience of."),
            "capacity": _("How many twin cities the city can take on (0 to 50)."),
            "challenges": _(
                "The challenges the city has worked on, in a few sentences: used to find the "
                "challenges it shares with applicants."
            ),
            "visit_dates": _("When twins could visit, e.g. “the weeks of 14 and 21 June 2027”."),
        }
        error_messages = {
            "capacity": {
                "min_value": _("The capacity is a number of twins from 0 to 50."),
                "max_value": _("The capacity is a number of twins from 0 to 50."),
                "invalid": _("The capacity is a number of twins from 0 to 50."),
                "required": _("Give the number of twins the city can take on (0 to 50)."),
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fields"].queryset = Term.objects.fields()
        self.fields["levers"].queryset = Term.objects.levers()
        for name in ("challenges", "visit_dates"):
            self.fields[name].validators.append(MaxLengthValidator(TEXT_MAX))
        offer: HostOffer = self.instance
        if offer.pk is None and not self.is_bound:
            self.initial["languages"] = list(offer.city.working_languages or [])

    def related(self) -> dict[str, Any]:
        return {"fields": self.cleaned_data["fields"], "levers": self.cleaned_data["levers"]}


class PairRuleForm(forms.Form):
    """Lock, exclude or clear one applicant–host pair of a call (ids checked by the view)."""

    RULES = [("lock", _("Lock")), ("exclude", _("Exclude")), ("clear", _("Clear"))]

    application = forms.IntegerField(min_value=1, max_value=ID_MAX)
    offer = forms.IntegerField(min_value=1, max_value=ID_MAX)
    rule = forms.ChoiceField(choices=RULES)

    def kind(self) -> str | None:
        """The rule for `services.set_pair_rule` (None clears it)."""
        rule = self.cleaned_data["rule"]
        return None if rule == "clear" else rule


class ActivityForm(forms.ModelForm):
    """A meeting, visit, output or note of a pair's timeline."""

    link = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Optional: minutes, slides, a shared document."),
    )

    class Meta:
        model = Activity
        fields = ["kind", "date", "title", "description", "link"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
        }
        error_messages = {
            "date": {"invalid": _("Give the date as a day, e.g. 2027-06-14.")},
            "title": {"required": _("Give the activity a title.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].validators.append(MaxLengthValidator(TEXT_MAX))
        self.fields["kind"].choices = Activity.Kind.choices
        self.fields["kind"].initial = Activity.Kind.MEETING
        self.fields["description"].help_text = _("Optional; Markdown.")


class PlanForm(forms.Form):
    """The replication plan: saved as a draft, or submitted as final."""

    replication_plan = forms.CharField(
        label=_("Text of the plan"),
        required=False,
        max_length=PLAN_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Markdown: what the twin city takes home, the actions it will replicate, who leads "
            "them and when."
        ),
    )


class ProgressFilterForm(forms.Form):
    """The progress view's filter; an unknown call is dropped, never an error page."""

    call = forms.ChoiceField(label=_("Call"), required=False)

    def __init__(self, *args: Any, calls: list[Call], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call"].choices = [("", _("All calls")), *((c.slug, c.title) for c in calls)]

    def chosen_call(self) -> str:
        return self.cleaned_data["call"] if self.is_valid() else ""

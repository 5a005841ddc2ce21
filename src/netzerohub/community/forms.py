"""Forms of the peer-group pages: the list's filters, joining a group, and the coordinators'
group form with its phases. (The discussions' forms are in `discussion_forms.py`.)"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from netzerohub.cities.models import City, Membership
from netzerohub.core.forms import email_list
from netzerohub.core.languages import LANGUAGE_CHOICES, LANGUAGE_NAMES
from netzerohub.core.models import Term

from .models import Group, GroupMembership, Phase

THEME_KINDS = [
    ("", _("Fields and levers")),
    ("field", _("Fields of action")),
    ("lever", _("Levers of change")),
]
FACILITATOR_STATUSES = (City.Status.MISSION, City.Status.PILOT)


class GroupFilterForm(forms.Form):
    """The group list's filters. An unknown value is ignored, never an error page."""

    kind = forms.ChoiceField(label=_("Theme"), required=False, choices=THEME_KINDS)
    language = forms.ChoiceField(label=_("Working language"), required=False)

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = sorted((code, str(LANGUAGE_NAMES.get(code, code))) for code in languages)
        self.fields["language"].choices = [("", _("Any language")), *options]

    def filters(self) -> dict[str, str]:
        """The valid filters only: {"kind": ..., "language": ...} (empty for no filter)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"kind": data.get("kind", ""), "language": data.get("language", "")}


class JoinForm(forms.Form):
    """Join for one of your cities; a motivation when the group admits by application."""

    city = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=City.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose one of your cities."),
            "invalid_choice": _("Choose one of your cities."),
        },
    )
    motivation = forms.CharField(
        label=_("Why would your city like to join?"),
        required=False,
        max_length=GroupMembership._meta.get_field("motivation").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The facilitators read it before they admit you."),
    )

    def __init__(self, *args: Any, group: Group, cities: list[City], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = City.objects.filter(pk__in=[c.pk for c in cities])
        # The choices come from the list the page already has (no query to render them).
        self.fields["city"].choices = [(c.pk, c.name) for c in cities]
        self.only_city = cities[0] if len(cities) == 1 else None
        if self.only_city is not None:
            self.fields["city"].widget = forms.HiddenInput()
            self.initial.setdefault("city", cities[0].pk)
        if group.admission == Group.Admission.APPLICATION:
            self.fields["motivation"].required = True
            self.fields["motivation"].error_messages["required"] = _(
                "Tell the facilitators why your city would like to join."
            )
        else:
            del self.fields["motivation"]


class GroupForm(forms.ModelForm):
    """A coordinator's group form: its settings and its facilitators (by email address)."""

    facilitator_emails = forms.CharField(
        label=_("Facilitators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Email addresses of people with an account, one per line. Facilitators are "
            "normally mentors of Mission or Pilot Cities."
        ),
    )

    class Meta:
        model = Group
        fields = [
            "title", "slug", "summary", "description", "theme", "language", "admission",
            "seats_per_city", "status",
        ]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 10}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        terms = list(Term.objects.filter(kind__in=["field", "lever"]).order_by("position", "name"))
        theme = self.fields["theme"]
        theme.queryset = Term.objects.filter(kind__in=["field", "lever"])
        theme.choices = [
            ("", _("Choose a field of action or a lever of change")),
            (_("Fields of action"), [(t.pk, t.name) for t in terms if t.kind == "field"]),
            (_("Levers of change"), [(t.pk, t.name) for t in terms if t.kind == "lever"]),
        ]
        self.fields["language"].choices = sorted(LANGUAGE_CHOICES, key=lambda c: str(c[1]))
        if self.instance.pk and not self.is_bound:
            emails = self.instance.facilitators.order_by("email").values_list("email", flat=True)
            self.initial["facilitator_emails"] = "\n".join(emails)

    def clean_facilitator_emails(self) -> list[Any]:
        emails = email_list(self.cleaned_data["facilitator_emails"])
        people = {
            person.email_lower: person
            for person in get_user_model()
            .objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails, is_active=True)
        }
        missing = [email for email in emails if email not in people]
        if missing:
            raise forms.ValidationError(
                _("Nobody has an account with the address: %(emails)s.")
                % {"emails": ", ".join(missing)}
            )
        return [people[email] for email in emails]

    def facilitators_not_mentors(self) -> list[Any]:
        """The chosen facilitators who are not mentors of a Mission or Pilot City (a warning,
        not an error: a coordinator may ask someone else to facilitate)."""
        people = self.cleaned_data.get("facilitator_emails") or []
        mentors = set(
            Membership.objects.approved()
            .filter(user__in=people, is_mentor=True, city__status__in=FACILITATOR_STATUSES)
            .values_list("user_id", flat=True)
        )
        return [person for person in people if person.pk not in mentors]


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["title", "starts_on", "ends_on", "description"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            # A field error: the model's check constraint then skips the excluded field.
            self.add_error("ends_on", _("A phase cannot end before it starts."))
        return data


PhaseFormSet = forms.inlineformset_factory(
    Group, Phase, form=PhaseForm, extra=2, can_delete=True, max_num=24, validate_max=True
)

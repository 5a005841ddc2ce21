"""The coordinators' call form: the call itself with its window typed in local time, its
eligibility rules, its questions, its review criteria, its matching weights and its invited
reviewers, so that a call is run without a developer.

The window is typed as local date-times in the call's time zone and stored in UTC (with the
events form's field and conversion: a local time that does not exist or happens twice on that
day is refused, not guessed). Every row of the three lists is checked for the parameters its
kind needs; a blank new row is ignored.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from netzerohub.core.forms import email_list
from netzerohub.events.manage_forms import LocalDateTimeField, to_local, to_utc

from . import matching
from .explain import PART_NAMES
from .models import Call, EligibilityRule, Question, ReviewCriterion

MAX_REVIEWERS = 100
WEIGHT_MAX = 100
DEFAULT_TARGET_YEAR = 2050
RuleKind = EligibilityRule.Kind
QuestionKind = Question.Kind

# What each part of a pair's compatibility measures, in plain words, under the names that
# "why this pair" gives them (`explain.PART_NAMES`). The keys are `matching.PARTS`.
PART_HELP = {
    "fields": _(
        "The share of the fields of action the applicant wants to learn about that the host "
        "can share."
    ),
    "levers": _(
        "The share of the levers of change the applicant wants to learn about that the host "
        "can share."
    ),
    "language": _("Full when the two cities have a working language in common, else nothing."),
    "population": _(
        "Full when both cities are in the same population band, half in neighbouring bands."
    ),
    "distance": _(
        "Full in the same country; less the farther apart the cities are, nothing from 2,000 km."
    ),
    "challenges": _(
        "How much the challenges the applicant describes overlap with those the host has "
        "worked on (words in common)."
    ),
}

# The standard application form, in its order: (kind, question, help).
STANDARD_QUESTIONS = [
    (
        QuestionKind.MOTIVATION,
        _("Why does your city want to take part in this exchange?"),
        _("What you hope to learn, and what your city can bring."),
    ),
    (QuestionKind.FIELDS, _("Which fields of action are you most interested in?"), ""),
    (QuestionKind.LEVERS, _("Which levers of change are you most interested in?"), ""),
    (
        QuestionKind.CHALLENGES,
        _("Which challenges does your city face on its way to climate neutrality?"),
        _("Hosts are matched on the challenges they have worked on."),
    ),
    (QuestionKind.LANGUAGES, _("In which languages can your team work?"), ""),
    (
        QuestionKind.REPRESENTATIVES,
        _("Who will represent your city?"),
        _("One or two people, with their role and their level of English."),
    ),
    (
        QuestionKind.HOURS,
        _("How many hours a month can your team give to the exchange?"),
        "",
    ),
]


def standard_questions(present: list[Question]) -> list[Question]:
    """New (unsaved) questions of the standard set whose kind is not among `present`."""
    kinds = {question.kind for question in present}
    return [
        Question(kind=kind, label=str(label), help_text=str(help_text), required=True)
        for kind, label, help_text in STANDARD_QUESTIONS
        if kind not in kinds
    ]


# The rows a valid formset keeps, in the order of the page (deleted and blank rows left out),
# as `services.save_call` takes them: the peer groups' helper serves every inline formset.


class CallForm(forms.ModelForm):
    """The call's settings, its window in local time, its invited reviewers by email address
    and its matching weights (one field per part of the compatibility, `weight_<part>`)."""

    opens_at = LocalDateTimeField(
        label=_("Applications open"), help_text=_("In the call's time zone, e.g. 8 April 00:00.")
    )
    closes_at = LocalDateTimeField(
        label=_("Applications close"),
        help_text=_("In the call's time zone, e.g. 31 May 23:59. Checked on the server."),
    )
    reviewer_emails = forms.CharField(
        label=_("Invited reviewers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Email addresses of people with an account, one per line. Coordinators review every "
            "call; a reviewer never sees an application of a city they belong to."
        ),
    )

    class Meta:
        model = Call
        fields = ["title", "slug", "kind", "summary", "information", "status", "time_zone"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
            "information": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {
            "slug": _("The call's web address: lower-case letters, digits and hyphens."),
            "status": _(
                "A draft is seen by coordinators only; a published call takes applications "
                "within its window; an archived one is kept for the record."
            ),
        }

    ORDER = ["title", "slug", "kind", "summary", "information", "status"]
    WINDOW = ["time_zone", "opens_at", "closes_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        call: Call = self.instance
        for name in ("opens_at", "closes_at"):
            self.initial[name] = to_local(getattr(call, name), call.time_zone)
        weights = call.match_weights or matching.DEFAULT_WEIGHTS
        for part in matching.PARTS:
            self.fields[f"weight_{part}"] = forms.FloatField(
                label=PART_NAMES[part],
                help_text=PART_HELP[part],
                min_value=0,
                max_value=WEIGHT_MAX,
                initial=weights.get(part, 0),
                widget=forms.NumberInput(attrs={"step": "any", "class": "small"}),
                error_messages={"min_value": gettext("A weight is 0 or more.")},
            )
        if call.pk and not self.is_bound:
            emails = call.reviewers.order_by("email").values_list("email", flat=True)
            self.initial["reviewer_emails"] = "\n".join(emails)

    # --- groups of fields, for the page's sections --------------------------------------------

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ORDER]

    def window_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.WINDOW]

    def weights(self) -> list[forms.BoundField]:
        return [self[f"weight_{part}"] for part in matching.PARTS]

    # --- cleaning ----------------------------------------------------------------------------

    def clean_reviewer_emails(self) -> list[Any]:
        emails = email_list(self.cleaned_data["reviewer_emails"])
        if len(emails) > MAX_REVIEWERS:
            raise ValidationError(
                gettext("Invite at most %(count)s reviewers.") % {"count": MAX_REVIEWERS}
            )
        people = {
            person.email_lower: person
            for person in get_user_model()
            .objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails, is_active=True)
        }
        missing = [email for email in emails if email not in people]
        if missing:
            raise ValidationError(
                gettext("Nobody has an account with the address: %(emails)s.")
                % {"emails": ", ".join(missing)}
            )
        return [people[email] for email in emails]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        zone = data.get("time_zone")
        for name in ("opens_at", "closes_at"):
            local = data.get(name)
            if name in self.errors or zone is None or local is None:
                continue
            try:
                setattr(self.instance, name, to_utc(local, zone))
            except ValidationError as error:
                self.add_error(name, error)
        opens, closes = self.instance.opens_at, self.instance.closes_at
        if (
            not {"opens_at", "closes_at", "time_zone"} & set(self.errors)
            and opens
            and closes
            and closes <= opens
        ):
            self.add_error("closes_at", gettext("The call must close after it opens."))
        weights = {}
        for part in matching.PARTS:
            value = data.get(f"weight_{part}")
            if value is not None:
                weights[part] = int(value) if float(value).is_integer() else value
        if len(weights) == len(matching.PARTS):
            self.instance.match_weights = weights
        return data

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the fields it names (others above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            if field == "match_weights":
                field = None
            self.add_error(field if field in self.fields else None, errors)


class RowForm(forms.ModelForm):
    """A row of one of the call's lists. A new row with none of its `KEY` fields filled in is
    blank: it is ignored rather than refused (the page always offers a few empty rows)."""

    KEY: tuple[str, ...] = ()

    def has_changed(self) -> bool:
        blank = not any(str(self[name].value() or "").strip() for name in self.KEY)
        if self.instance.pk is None and self.is_bound and blank:
            return False
        return super().has_changed()


class RuleForm(RowForm):
    """One eligibility rule: its kind and the parameters that kind needs (others are cleared).

    The peer groups are given by the page (`groups`), so that the rows do not each query them.
    """

    KEY = ("kind",)

    class Meta:
        model = EligibilityRule
        fields = ["kind", "year", "minimum", "maximum", "group"]
        labels = {
            "kind": _("What is checked"),
            "year": _("Year"),
            "minimum": _("At least"),
            "maximum": _("At most"),
            "group": _("Peer group"),
        }
        help_texts = {
            "year": _("For a target year: the latest year accepted (2050 by default)."),
            "minimum": _(
                "Population: the fewest inhabitants. Meetings: how many. Hours: how many a "
                "month (12 when empty)."
            ),
            "maximum": _("Population: the most inhabitants."),
            "group": _("For meetings attended: the peer group whose meetings count."),
        }

    def __init__(self, *args: Any, groups: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial.setdefault("year", DEFAULT_TARGET_YEAR)
        if groups is not None:
            # Choices from the page's one list (the queryset still validates the choice).
            self.fields["group"].choices = [("", "---------"), *((g.pk, g.title) for g in groups)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        year, low, high, group = (data.get(k) for k in ("year", "minimum", "maximum", "group"))
        if kind == RuleKind.TARGET_YEAR and year is None and "year" not in self.errors:
            self.add_error("year", gettext("A target-year rule needs a year (e.g. 2050)."))
        if kind == RuleKind.POPULATION:
            if low is None and high is None and not {"minimum", "maximum"} & set(self.errors):
                self.add_error(
                    "minimum", gettext("A population rule needs a minimum, a maximum or both.")
                )
            elif low is not None and high is not None and low > high:
                self.add_error("maximum", gettext("The maximum is below the minimum."))
        if kind == RuleKind.MEETINGS:
            if group is None and "group" not in self.errors:
                self.add_error("group", gettext("Choose the peer group whose meetings count."))
            if not low and "minimum" not in self.errors:
                self.add_error(
                    "minimum", gettext("Give the number of meetings to attend (1 or more).")
                )
        # Parameters the kind does not use are not kept (a year left on a population rule).
        uses = {
            RuleKind.TARGET_YEAR: {"year"},
            RuleKind.POPULATION: {"minimum", "maximum"},
            RuleKind.MEETINGS: {"minimum", "group"},
            RuleKind.HOURS: {"minimum"},
        }.get(kind, set())
        for name in ("year", "minimum", "maximum", "group"):
            if name not in uses and name not in self.errors:
                data[name] = None
        return data


class QuestionForm(RowForm):
    KEY = ("kind", "label")

    class Meta:
        model = Question
        fields = ["kind", "label", "help_text", "required"]
        labels = {"label": _("Question"), "help_text": _("Help for the applicant")}


class CriterionForm(RowForm):
    KEY = ("title", "description")

    class Meta:
        model = ReviewCriterion
        fields = ["title", "description", "weight"]
        help_texts = {"weight": _("From 0 to 10: how much this criterion counts in the score.")}
        error_messages = {
            "weight": {
                "min_value": _("A weight is 0 or more."),
                "max_value": _("A weight is at most 10."),
            }
        }


def _formset(model: type, form: type[RowForm], extra: int, most: int) -> Any:
    return forms.inlineformset_factory(
        Call,
        model,
        form=form,
        extra=extra,
        can_delete=True,
        max_num=most,
        validate_max=True,
    )


RuleFormSet = _formset(EligibilityRule, RuleForm, extra=2, most=20)
QuestionFormSet = _formset(Question, QuestionForm, extra=2, most=30)
CriterionFormSet = _formset(ReviewCriterion, CriterionForm, extra=2, most=15)

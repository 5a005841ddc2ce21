"""Forms of the self-assessment: answering, and the coordinators' questionnaire editor,
recommendation weights and distribution filters."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netzerohub.cities.forms import country_choices
from netzerohub.cities.population import BANDS
from netzerohub.core.models import Term

from .models import HIGHEST, LEVELS, Dimension, Question, Questionnaire, RecommendationWeight, Stage

SKIP = "skip"  # the value of "does not apply" on an optional question


def answer_name(question: Question) -> str:
    return f"q-{question.key}"


def was_name(question: Question) -> str:
    return f"was-{question.key}"


def value_of(level: int | None, answered: bool) -> str:
    """How a stored answer is sent back by the page: "0"…"4", "skip" or "" (none yet)."""
    if not answered:
        return ""
    return SKIP if level is None else str(level)


class AnswersForm(forms.Form):
    """The answers of some questions, one radio group each (`q-<key>`), with the value each had
    when the page was loaded (`was-<key>`). `changes()` keeps only what the person changed on
    the page: a section sent as a whole never overwrites a colleague's newer answers."""

    def __init__(self, *args: Any, questions: Sequence[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            choices = [(str(level), str(level)) for level in LEVELS]
            if not question.required:
                choices.append((SKIP, _("Does not apply")))
            self.fields[answer_name(question)] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=question.text,
                error_messages={
                    "invalid_choice": _("Choose one of the levels 0 to %(highest)s.")
                    % {"highest": HIGHEST}
                },
            )
            self.fields[was_name(question)] = forms.CharField(required=False, max_length=8)

    def given(self) -> dict[Question, int | None]:
        """{question: level or None (skipped)} of every question answered in the form."""
        found = {}
        for question in self.questions:
            value = self.cleaned_data.get(answer_name(question)) or ""
            if value:
                found[question] = None if value == SKIP else int(value)
        return found

    def changes(self) -> dict[Question, int | None]:
        return {
            question: level
            for question, level in self.given().items()
            if self.cleaned_data[answer_name(question)] != self.cleaned_data.get(was_name(question))
        }


# --- the coordinators' questionnaire editor --------------------------------------------------


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "version", "introduction", "scoring"]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 10}),
            "scoring": forms.Textarea(attrs={"rows": 10}),
        }


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["label", "min_score", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class DimensionForm(forms.ModelForm):
    class Meta:
        model = Dimension
        fields = ["title", "description", "weight", "step", "fields", "levers", "strength", "gap"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "fields": forms.CheckboxSelectMultiple,
            "levers": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "step": _("Learning content of this step is recommended when the score is low."),
        }


def _level_fields() -> dict[str, forms.Field]:
    found: dict[str, forms.Field] = {}
    for level in LEVELS:
        found[f"level_{level}_label"] = forms.CharField(
            label=_("Level %(n)s: name") % {"n": level}, max_length=80
        )
        found[f"level_{level}_description"] = forms.CharField(
            label=_("Level %(n)s: what it looks like in a city") % {"n": level},
            max_length=400,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
    return found


class QuestionForm(forms.ModelForm):
    """A question with its five levels (a name and one sentence each)."""

    class Meta:
        model = Question
        fields = ["dimension", "text", "help", "required", "weight", "field"]

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dimension"].queryset = questionnaire.dimensions.all()
        self.fields.update(_level_fields())
        if self.instance.pk and not self.is_bound:
            for level, info in enumerate(self.instance.levels):
                self.initial[f"level_{level}_label"] = info.get("label", "")
                self.initial[f"level_{level}_description"] = info.get("description", "")

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "dimension": data["dimension"],
            "text": data["text"],
            "help": data["help"],
            "required": data["required"],
            "weight": data["weight"],
            "field": data["field"],
            "levels": [
                {
                    "label": data[f"level_{level}_label"].strip(),
                    "description": data[f"level_{level}_description"].strip(),
                }
                for level in LEVELS
            ],
        }


class DraftForm(forms.Form):
    version = forms.CharField(
        label=_("Version of the new draft"),
        max_length=20,
        help_text=_("For example 2027.1. It must differ from the versions that exist."),
    )


# --- recommendation weights ------------------------------------------------------------------


class WeightsForm(forms.Form):
    """One weight per dimension of the current questionnaire and per taxonomy term."""

    def __init__(
        self, *args: Any, dimensions: Sequence[Dimension], terms: Sequence[Term], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        current = {(w.kind, w.key): w.weight for w in RecommendationWeight.objects.all()}
        self.rows: list[tuple[str, str, str, str]] = []  # (group, kind, key, field name)
        for dimension in dimensions:
            self._add("dimension", dimension.key, dimension.title, current)
        for term in terms:
            self._add(term.kind, term.slug, term.name, current)

    def _add(self, kind: str, key: str, label: str, current: dict) -> None:
        name = f"{kind}__{key}"
        self.fields[name] = forms.DecimalField(
            label=label,
            min_value=0,
            max_value=10,
            max_digits=4,
            decimal_places=2,
            initial=current.get((kind, key), Decimal(1)),
        )
        self.rows.append((kind, key, label, name))

    def weights(self) -> dict[tuple[str, str], Decimal]:
        return {(kind, key): self.cleaned_data[name] for kind, key, _label, name in self.rows}

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        labels = dict(RecommendationWeight.Kind.choices)
        grouped: dict[str, list[forms.BoundField]] = {}
        for kind, _key, _label, name in self.rows:
            grouped.setdefault(kind, []).append(self[name])
        return [(str(labels[kind]), fields) for kind, fields in grouped.items()]


# --- distribution filters --------------------------------------------------------------------


class DistributionForm(forms.Form):
    """Which group of cities the coordinators' distribution page details: all cities, a
    country or a population band. An unknown value shows all cities, never an error page."""

    group = forms.CharField(label=_("Cities"), required=False, max_length=40)

    def options(self) -> list[tuple[str, list[tuple[str, str]]]]:
        countries = [(f"country:{code}", name) for code, name in country_choices("")[1:]]
        bands = [(f"band:{key}", str(label)) for key, label in BANDS]
        return [
            ("", [("all", str(_("All cities")))]),
            (str(_("Population")), bands),
            (str(_("Country")), countries),
        ]

    def selected(self) -> str:
        self.is_valid()
        group = getattr(self, "cleaned_data", {}).get("group", "") or "all"
        known = {value for _label, values in self.options() for value, _name in values}
        return group if group in known else "all"

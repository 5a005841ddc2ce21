"""Forms of the city side of exchanges: choosing the city to apply for, and the application form
built from a call's questions.

The application form has one field per question, named `q<question id>` (representatives have
one field per row and column: `q<id>-<row>-name|role|english`). Next to each question the page
sends two hidden inputs: `asked-<id>` (this question is part of the request: an unticked set of
checkboxes sends nothing else) and `was-<id>` (the answer as the page was loaded). A save keeps
only the questions that were sent and whose answer changed, so that a page loaded before a
colleague answered a question does not put the old answer back when it is saved as a whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from netzerohub.core.languages import LANGUAGE_CHOICES
from netzerohub.core.models import Term

from .models import Question
from .services import HOURS_MAX, REPRESENTATIVES_MAX, TEXT_MAX

Kind = Question.Kind
SHORT_TEXT_MAX = 300
LONG_KINDS = (Kind.MOTIVATION, Kind.LONG_TEXT, Kind.CHALLENGES)
LIST_KINDS = (Kind.FIELDS, Kind.LEVERS, Kind.LANGUAGES)
ENGLISH_LEVELS = [
    ("", _("Choose a level")),
    ("A1", "A1"),
    ("A2", "A2"),
    ("B1", "B1"),
    ("B2", "B2"),
    ("C1", "C1"),
    ("C2", "C2"),
]
REPRESENTATIVE_PARTS = ("name", "role", "english")


class ApplyForm(forms.Form):
    """Which of the person's cities applies (checked against the cities they lead)."""

    city = forms.IntegerField(min_value=1)


def empty_answer(question: Question) -> Any:
    """What an unanswered question holds, in the service's stored form."""
    if question.kind in (*LIST_KINDS, Kind.REPRESENTATIVES):
        return []
    if question.kind == Kind.HOURS:
        return None
    return ""


def fingerprint(question: Question, value: Any) -> str:
    """The answer `value` (stored form) as a string that compares equal for equal answers."""
    if value in (None, "", []):
        value = empty_answer(question)
    if question.kind in LIST_KINDS and isinstance(value, list):
        value = sorted(str(v) for v in value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass
class Row:
    """One question on the page: its fields, the names its inputs send and its saved answer."""

    question: Question
    number: int
    fields: list[forms.BoundField]
    names: list[str]
    saved: Any
    was: str
    errors: list[str] = field(default_factory=list)
    people: list[dict[str, forms.BoundField]] = field(default_factory=list)
    display: Any = None  # the saved answer as a reader sees it

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def grouped(self) -> bool:
        """Several inputs (a fieldset with a legend) rather than one (a label)."""
        return self.question.kind in (*LIST_KINDS, Kind.REPRESENTATIVES)

    @property
    def anchor(self) -> str:
        return f"question-{self.question.pk}"

    @property
    def params(self) -> str:
        """The names htmx sends when this question alone is saved."""
        return ",".join(self.names)

    @property
    def answered(self) -> bool:
        return self.saved not in (None, "", [])


class ApplicationForm(forms.Form):
    """The application's answers, one field per question (none required while drafting: the
    required ones are checked when the application is submitted)."""

    def __init__(
        self,
        data: Any = None,
        *,
        questions: list[Question],
        answers: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.questions = questions
        self.saved = answers or {}
        labels = (
            Term.objects.labels()
            if any(q.kind in (Kind.FIELDS, Kind.LEVERS) for q in questions)
            else {}
        )
        for question in questions:
            stored = self.saved.get(str(question.pk))
            if question.kind == Kind.REPRESENTATIVES:
                self._add_representatives(question, stored or [])
            else:
                name = f"q{question.pk}"
                self.fields[name] = self._field(question, labels)
                if stored not in (None, "", []):
                    self.initial[name] = stored

    def _field(self, question: Question, labels: dict[str, dict[str, str]]) -> forms.Field:
        common = {"label": question.label, "required": False}
        if question.kind in LONG_KINDS:
            return forms.CharField(
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_MAX}),
                **common,
            )
        if question.kind in (Kind.FIELDS, Kind.LEVERS):
            kind = "field" if question.kind == Kind.FIELDS else "lever"
            return forms.MultipleChoiceField(
                choices=list(labels.get(kind, {}).items()),
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": _("Choose from the list.")},
                **common,
            )
        if question.kind == Kind.LANGUAGES:
            return forms.MultipleChoiceField(
                choices=sorted(LANGUAGE_CHOICES, key=lambda c: str(c[1])),
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": _("Choose from the list.")},
                **common,
            )
        if question.kind == Kind.HOURS:
            return forms.IntegerField(
                validators=[MinValueValidator(0), MaxValueValidator(HOURS_MAX)],
                widget=forms.NumberInput(attrs={"min": 0, "max": HOURS_MAX, "step": 1}),
                error_messages={"invalid": _("Give a whole number of hours.")},
                **common,
            )
        return forms.CharField(
            max_length=SHORT_TEXT_MAX,
            widget=forms.TextInput(attrs={"maxlength": SHORT_TEXT_MAX}),
            **common,
        )

    def _add_representatives(self, question: Question, stored: list[dict[str, str]]) -> None:
        for row in range(1, REPRESENTATIVES_MAX + 1):
            person = stored[row - 1] if len(stored) >= row else {}
            prefix = f"q{question.pk}-{row}"
            self.fields[f"{prefix}-name"] = forms.CharField(
                label=_("Representative %(n)s: name") % {"n": row}, max_length=150, required=False
            )
            self.fields[f"{prefix}-role"] = forms.CharField(
                label=_("Representative %(n)s: role") % {"n": row}, max_length=150, required=False
            )
            self.fields[f"{prefix}-english"] = forms.ChoiceField(
                label=_("Representative %(n)s: level of English") % {"n": row},
                choices=ENGLISH_LEVELS,
                required=False,
                error_messages={"invalid_choice": _("English levels are A1 to C2.")},
            )
            for part in REPRESENTATIVE_PARTS:
                if person.get(part):
                    self.initial[f"{prefix}-{part}"] = person[part]

    # --- what the page shows -------------------------------------------------------------------

    def names_of(self, question: Question) -> list[str]:
        if question.kind == Kind.REPRESENTATIVES:
            names = [
                f"q{question.pk}-{row}-{part}"
                for row in range(1, REPRESENTATIVES_MAX + 1)
                for part in REPRESENTATIVE_PARTS
            ]
        else:
            names = [f"q{question.pk}"]
        return [*names, f"asked-{question.pk}", f"was-{question.pk}"]

    def rows(self, extra_errors: dict[str, list[str]] | None = None) -> list[Row]:
        extra_errors = extra_errors or {}
        rows = []
        for number, question in enumerate(self.questions, start=1):
            inputs = [n for n in self.names_of(question) if n in self.fields]
            errors = (
                [str(e) for n in inputs for e in self.errors.get(n, [])] if self.is_bound else []
            )
            errors += extra_errors.get(str(question.pk), [])
            saved = self.saved.get(str(question.pk))
            described = []
            if question.help_text:
                described.append(f"help-{question.pk}")
            if errors:
                described.append(f"errors-{question.pk}")
            for name in inputs:
                attrs = self.fields[name].widget.attrs
                attrs.pop("aria-invalid", None)
                attrs.pop("aria-describedby", None)
                if described:
                    attrs["aria-describedby"] = " ".join(described)
                if errors:
                    attrs["aria-invalid"] = "true"
            row = Row(
                question=question,
                number=number,
                fields=[self[n] for n in inputs],
                names=self.names_of(question),
                saved=saved,
                was=fingerprint(question, saved),
                errors=errors,
                display=self._display(question, saved, inputs),
            )
            if question.kind == Kind.REPRESENTATIVES:
                row.people = [
                    {part: self[f"q{question.pk}-{n}-{part}"] for part in REPRESENTATIVE_PARTS}
                    for n in range(1, REPRESENTATIVES_MAX + 1)
                ]
            rows.append(row)
        return rows

    def _display(self, question: Question, saved: Any, inputs: list[str]) -> Any:
        if saved in (None, "", []):
            return None
        if question.kind in LIST_KINDS:
            names = dict(self.fields[inputs[0]].choices)
            return ", ".join(str(names.get(v, v)) for v in saved)
        if question.kind == Kind.HOURS:
            return ngettext("%(n)s hour a month", "%(n)s hours a month", saved) % {"n": saved}
        return saved

    # --- what a request saves --------------------------------------------------------------------

    def sent(self) -> list[Question]:
        """The questions this request is about (their `asked-<id>` input came with it)."""
        return [q for q in self.questions if f"asked-{q.pk}" in self.data]

    def value_of(self, question: Question) -> Any:
        """The answer to `question` from the cleaned data, in the service's stored form."""
        data = self.cleaned_data
        if question.kind == Kind.REPRESENTATIVES:
            people = []
            for row in range(1, REPRESENTATIVES_MAX + 1):
                person = {
                    part: str(data.get(f"q{question.pk}-{row}-{part}") or "").strip()
                    for part in REPRESENTATIVE_PARTS
                }
                if person["name"]:
                    people.append(person)
            return people
        value = data.get(f"q{question.pk}")
        if question.kind in LIST_KINDS:
            return sorted(value or [])
        if question.kind == Kind.HOURS:
            return value
        return str(value or "").strip()

    def has_errors_for(self, question: Question) -> bool:
        return any(name in self.errors for name in self.names_of(question))

    def changed_answers(self) -> dict[int, Any]:
        """{question id: answer} of the questions sent without an error whose answer differs
        from the one the page was loaded with (`was-<id>`; a question sent without it counts
        as changed)."""
        self.is_valid()
        answers = {}
        for question in self.sent():
            if self.has_errors_for(question):
                continue
            value = self.value_of(question)
            if self.data.get(f"was-{question.pk}") == fingerprint(question, value):
                continue
            answers[question.pk] = value
        return answers

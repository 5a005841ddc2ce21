"""The respondent's side of a question on a page: the names of its fields, what it shows (the
stored answer, or what was typed when a save was refused), which questions a section sent
without JavaScript actually changed, and an answer in words for the review and read-only pages.

Every field of a question is named `q<question id>-<name>`, where `<name>` is what
`answering.parse` reads (`option`, `other`, `value`, `text`, `row-<option id>`,
`rank-<option id>`): the questions of a section share one form, and the autosave of one question
sends only its own fields. Beside each question, `was-q<question id>` carries a fingerprint of the
answer stored when the page (or the question's status line) was rendered: a section sent as a
whole saves only the questions whose answer differs from it, so a colleague's newer answers to
other questions are never overwritten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import QueryDict
from django.utils import formats
from django.utils.translation import gettext as _

from . import answering
from .answering import AnswerError, Value
from .models import Answer, Question


def prefix(question: Question) -> str:
    return f"q{question.pk}-"


def was_name(question: Question) -> str:
    return f"was-q{question.pk}"


def field_names(question: Question) -> list[str]:
    """The names of the question's fields (htmx sends only these when it saves the question)."""
    start = prefix(question)
    if question.is_choice:
        return [f"{start}option", f"{start}other"]
    if question.kind == Question.Kind.MATRIX:
        return [f"{start}row-{o.pk}" for o in question.options.all()]
    if question.kind == Question.Kind.RANKING:
        return [f"{start}rank-{o.pk}" for o in question.options.all()]
    if question.kind in Question.TEXT_KINDS:
        return [f"{start}text"]
    return [f"{start}value"]


def data_of(question: Question, data: Mapping[str, Any]) -> QueryDict:
    """The question's fields of a POST, with the prefix taken off (as `answering.parse` reads
    them)."""
    start = prefix(question)
    found = QueryDict(mutable=True)
    if hasattr(data, "lists"):
        items = data.lists()
    else:
        items = ((k, v if isinstance(v, list) else [v]) for k, v in data.items())
    for name, values in items:
        if name.startswith(start):
            found.setlist(name[len(start) :], [str(v) for v in values])
    return found


# --- what a question shows ---------------------------------------------------------------------


@dataclass
class Chosen:
    """An option of a shown answer, as the template reads `answer.chosen` (a `Selection`)."""

    option_id: int
    value: Any = None


@dataclass
class Typed:
    """What was sent for a question whose save was refused, shaped like a stored `Answer` (the
    template shows either): the number and the ranks as they were typed."""

    chosen: list[Chosen] = field(default_factory=list)
    number: Any = None
    text: str = ""
    other_chosen: bool = False
    typed: bool = True


def _as_int(raw: str) -> Any:
    try:
        return int(raw)
    except ValueError:
        return raw


def typed(question: Question, data: Mapping[str, Any]) -> Typed:
    """The question's input as sent (after a refused save), to show it again."""
    kind = question.kind
    shown = Typed()
    if question.is_choice:
        values = data.getlist("option") if hasattr(data, "getlist") else data.get("option", [])
        for raw in values:
            if raw == "other":
                shown.other_chosen = True
            elif str(raw).isdigit():
                shown.chosen.append(Chosen(int(raw)))
        shown.text = str(data.get("other", ""))
    elif kind in {Question.Kind.MATRIX, Question.Kind.RANKING}:
        name = "row-" if kind == Question.Kind.MATRIX else "rank-"
        for option in question.options.all():
            raw = str(data.get(f"{name}{option.pk}", "")).strip()
            if raw:
                shown.chosen.append(Chosen(option.pk, _as_int(raw)))
    elif kind == Question.Kind.LIKERT:
        raw = str(data.get("value", "")).strip()
        shown.number = _as_int(raw) if raw else None
    elif kind == Question.Kind.NUMBER:
        shown.number = str(data.get("value", ""))
    else:
        shown.text = str(data.get("text", ""))
    return shown


# --- which questions changed -------------------------------------------------------------------


def _fingerprint(value: Value) -> str:
    number = "" if value.number is None else str(value.number.quantize(Decimal("0.01")))
    options = ",".join(f"{k}:{'' if v is None else v}" for k, v in sorted(value.options.items()))
    raw = f"{options}|{number}|{value.text}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def stored_value(answer: Answer | None) -> Value:
    """A stored answer (its selections loaded in `chosen`) as `answering.parse` gives it."""
    if answer is None:
        return Value()
    return Value(
        options={s.option_id: s.value for s in answer.chosen},
        number=answer.number,
        text=answer.text,
    )


def was_of(answer: Answer | None) -> str:
    return _fingerprint(stored_value(answer))


@dataclass
class SectionAnswers:
    """The answers of a section sent as a whole (without JavaScript): which questions changed
    and what they say, or the errors of those that cannot be saved (each with what was typed)."""

    changes: dict[Question, QueryDict] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)  # question id -> message
    typed: dict[int, Typed] = field(default_factory=dict)  # errors and changes, as sent
    values: dict[int, Value] = field(default_factory=dict)

    @classmethod
    def read(cls, questions: list[Question], post: Mapping[str, Any]) -> SectionAnswers:
        """Only the questions that were on the page (their `was-` field was sent) and whose
        answer differs from the one stored when the page was rendered."""
        found = cls()
        for question in questions:
            was = post.get(was_name(question))
            if was is None:
                continue
            data = data_of(question, post)
            try:
                value = answering.parse(question, data)
            except AnswerError as error:
                found.errors[question.pk] = str(error)
                found.typed[question.pk] = typed(question, data)
                continue
            if _fingerprint(value) != was:
                found.changes[question] = data
                found.values[question.pk] = value
                found.typed[question.pk] = typed(question, data)
        return found

    def chosen_after(self, chosen: Mapping[int, set[int]]) -> dict[int, set[int]]:
        """The options chosen once these changes are saved (for conditional display)."""
        after = {qid: set(ids) for qid, ids in chosen.items()}
        for question in self.changes:
            if question.is_choice:
                after[question.pk] = set(self.values[question.pk].options)
        return after


# --- an answer in words ------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    return formats.number_format(value.normalize() if value == value.to_integral() else value)


def describe(question: Question, answer: Answer | None) -> list[str]:
    """The answer in words, one line per part (empty when unanswered)."""
    if not answering.is_answered(answer):
        return []
    labels = {o.pk: o.label for o in question.options.all()}
    kind = question.kind
    if question.is_choice:
        lines = [labels.get(s.option_id, _("(an option removed since)")) for s in answer.chosen]
        if answer.text:
            lines.append(_("Other: %(text)s") % {"text": answer.text})
        return lines
    if kind == Question.Kind.LIKERT:
        value = int(answer.number)
        extra = {
            question.scale_min: question.scale_min_label,
            question.scale_max: question.scale_max_label,
        }
        label = extra.get(value, "")
        return [
            _("%(value)s of %(low)s to %(high)s")
            % {"value": value, "low": question.scale_min, "high": question.scale_max}
            + (f" ({label})" if label else "")
        ]
    if kind == Question.Kind.MATRIX:
        values = {s.option_id: s.value for s in answer.chosen}
        return [f"{o.label}: {values[o.pk]}" for o in question.options.all() if o.pk in values]
    if kind == Question.Kind.RANKING:
        ranked = sorted((s.value, labels.get(s.option_id, "")) for s in answer.chosen)
        return [f"{rank}. {label}" for rank, label in ranked]
    if kind == Question.Kind.NUMBER:
        unit = f" {question.unit}" if question.unit else ""
        return [f"{_number(answer.number)}{unit}"]
    return [answer.text]

"""Reading a survey as a respondent meets it: its structure, the estimated completion time,
which questions are shown (conditional display), what an answer means, and where a response
stands (progress by section, missing required answers).

The structure of a survey is cached under a version that every change of the builder bumps;
answers are always read from the database, so every member and every tab sees the same state.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from netzerohub.core import versions

from .models import OTHER_LIMIT, Answer, Question, Response, Section, Selection, Survey

STRUCTURE_SECONDS = 3600

# The estimated completion time. Each question asked (not hidden) counts these seconds, whether
# or not it is conditional (the estimate is for a respondent who is shown everything); the sum is
# rounded up to whole minutes, and above ten minutes up to the next five ("about 25 minutes").
SECONDS = {
    "single": 15,
    "multiple": 20,
    "fields": 25,
    "levers": 25,
    "likert": 10,
    "number": 20,
    "short_text": 45,
    "long_text": 180,
}
SECONDS_PER_MATRIX_ROW = 8
SECONDS_PER_RANKED_OPTION = 6
SECONDS_PER_SECTION = 15  # reading a section's title and description


def structure_version(survey_id: int) -> str:
    return f"surveys:structure:{survey_id}"


def structure(survey_id: int) -> Survey:
    """A survey with its sections, questions, options and conditions loaded (cached until the
    builder changes it)."""
    version = versions.current(structure_version(survey_id))
    key = f"surveys:structure:{survey_id}:{version}"
    found = cache.get(key)
    if found is None:
        found = Survey.objects.with_structure().get(pk=survey_id)
        cache.set(key, found, STRUCTURE_SECONDS)
    return found


def asked(survey: Survey) -> list[Question]:
    """The questions respondents are asked, in order (hidden ones left out)."""
    return [q for q in survey.questions.all() if not q.hidden]


def question_seconds(question: Question) -> int:
    if question.kind == Question.Kind.MATRIX:
        return 5 + SECONDS_PER_MATRIX_ROW * len(question.options.all())
    if question.kind == Question.Kind.RANKING:
        return 10 + SECONDS_PER_RANKED_OPTION * len(question.options.all())
    return SECONDS[question.kind]


def estimated_minutes(survey: Survey) -> int:
    questions = asked(survey)
    sections = {q.section_id for q in questions}
    seconds = sum(question_seconds(q) for q in questions) + SECONDS_PER_SECTION * len(sections)
    minutes = math.ceil(seconds / 60)
    if minutes > 10:
        minutes = 5 * math.ceil(minutes / 5)
    return max(minutes, 1) if questions else 0


def moment(survey: Survey, value) -> str:
    """A date-time in the survey's zone, with the zone's abbreviation: "17 May 2027, 23:59 CEST"."""
    local = timezone.localtime(value, survey.zone)
    return f"{formats.date_format(local, 'j F Y, H:i')} {local.tzname()}"


# --- what an answer is -------------------------------------------------------------------------


class AnswerError(Exception):
    """An answer the survey refuses; the message is shown to the person as it is."""


@dataclass
class Value:
    """A parsed answer: chosen options ({option id: rank, scale value or None}), a number, a
    text (or the "other" text of a choice). Empty when nothing is given."""

    options: dict[int, int | None] = field(default_factory=dict)
    number: Decimal | None = None
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.options and self.number is None and not self.text


def _list(data: Mapping[str, Any], name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [v for v in data.getlist(name) if str(v).strip() != ""]
    value = data.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v).strip() != ""]
    return [str(value)]


def _int(raw: Any, message: str) -> int:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        raise AnswerError(message) from None


def _shown_number(number: Decimal) -> str:
    """12 for 12.00, 12.5 for 12.50 (never 1E+1)."""
    plain = (
        number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    )
    return formats.number_format(plain)


def _option_ids(question: Question) -> set[int]:
    return {o.pk for o in question.options.all()}


def parse(question: Question, data: Mapping[str, Any]) -> Value:
    """The answer to `question` in `data` (a form's POST or the API's JSON), checked against the
    question: options of this question only, values in range, texts within their limit.

    Field names: `option` (one or more option ids, or `other`) with `other` (its text) for
    choices; `value` for a scale or a number; `text` for texts; `row-<option id>` for the rows of
    a matrix; `rank-<option id>` for ranking (1 is first; a partial ranking is allowed).
    """
    kind = question.kind
    value = Value()
    if question.is_choice:
        chosen = _list(data, "option")
        if question.kind == Question.Kind.SINGLE and len(chosen) > 1:
            raise AnswerError(_("Choose one answer only."))
        ids = _option_ids(question)
        for raw in chosen:
            if raw == "other" and question.allow_other:
                value.text = str(data.get("other", "")).strip()
                if not value.text:
                    raise AnswerError(_("You chose “Other”: say what it is."))
                continue
            option_id = _int(raw, _("That is not one of this question’s answers."))
            if option_id not in ids:
                raise AnswerError(_("That is not one of this question’s answers."))
            value.options[option_id] = None
        if question.max_choices and len(value.options) + bool(value.text) > question.max_choices:
            raise AnswerError(
                ngettext(
                    "Choose at most %(n)s answer.",
                    "Choose at most %(n)s answers.",
                    question.max_choices,
                )
                % {"n": question.max_choices}
            )
        if len(value.text) > OTHER_LIMIT:
            raise AnswerError(
                _("Keep “Other” to %(n)s characters (it has %(has)s).")
                % {"n": OTHER_LIMIT, "has": len(value.text)}
            )
    elif kind == Question.Kind.LIKERT:
        raw = str(data.get("value", "")).strip()
        if raw:
            number = _int(raw, _("Choose a point of the scale."))
            if number not in question.scale:
                raise AnswerError(
                    _("Choose a value from %(low)s to %(high)s.")
                    % {"low": question.scale_min, "high": question.scale_max}
                )
            value.number = Decimal(number)
    elif kind == Question.Kind.MATRIX:
        for option in question.options.all():
            raw = str(data.get(f"row-{option.pk}", "")).strip()
            if not raw:
                continue
            number = _int(raw, _("Choose a point of the scale for “%(row)s”.") % {"row": option})
            if number not in question.scale:
                raise AnswerError(
                    _("Choose a value from %(low)s to %(high)s for “%(row)s”.")
                    % {"low": question.scale_min, "high": question.scale_max, "row": option}
                )
            value.options[option.pk] = number
        _refuse_foreign_keys(question, data, "row-")
    elif kind == Question.Kind.RANKING:
        for option in question.options.all():
            raw = str(data.get(f"rank-{option.pk}", "")).strip()
            if raw:
                value.options[option.pk] = _int(raw, _("A rank is a whole number."))
        _refuse_foreign_keys(question, data, "rank-")
        ranks = sorted(value.options.values())
        if ranks and ranks != list(range(1, len(ranks) + 1)):
            raise AnswerError(
                _("Give each ranked item its own place, 1 to %(n)s, without gaps.")
                % {"n": len(ranks)}
            )
    elif kind == Question.Kind.NUMBER:
        raw = str(data.get("value", "")).strip().replace(",", ".").replace(" ", "")
        if raw:
            try:
                number = Decimal(raw)
            except InvalidOperation:
                raise AnswerError(_("Enter a number, such as 12 or 12.5.")) from None
            if not number.is_finite() or abs(number) >= Decimal("1e12"):
                raise AnswerError(_("Enter a number, such as 12 or 12.5."))
            if question.number_min is not None and number < question.number_min:
                raise AnswerError(
                    _("Enter %(min)s or more.") % {"min": _shown_number(question.number_min)}
                )
            if question.number_max is not None and number > question.number_max:
                raise AnswerError(
                    _("Enter %(max)s or less.") % {"max": _shown_number(question.number_max)}
                )
            value.number = number.quantize(Decimal("0.01"))
    else:  # texts
        value.text = str(data.get("text", "")).strip()
        limit = question.text_limit
        if len(value.text) > limit:
            raise AnswerError(
                _("Keep this answer to %(n)s characters (it has %(has)s).")
                % {"n": limit, "has": len(value.text)}
            )
    return value


def _refuse_foreign_keys(question: Question, data: Mapping[str, Any], prefix: str) -> None:
    """A row or rank of an option that is not this question's is refused, not ignored."""
    ids = {str(o.pk) for o in question.options.all()}
    for name in data:
        if name.startswith(prefix) and name[len(prefix) :] not in ids:
            raise AnswerError(_("That is not one of this question’s answers."))


# --- what is shown, and where a response stands -------------------------------------------------


def chosen_options(answers: Mapping[int, Answer]) -> dict[int, set[int]]:
    """{question id: the option ids chosen}, from answers whose selections are loaded."""
    return {qid: {s.option_id for s in answer.chosen} for qid, answer in answers.items()}


def shown(survey: Survey, chosen: Mapping[int, set[int]]) -> list[Question]:
    """The asked questions that are shown, given the options chosen so far: a conditional
    question is shown when its condition's question is shown and one of its options is chosen."""
    visible: set[int] = set()
    result = []
    for question in asked(survey):
        if question.condition_question_id is not None:
            if question.condition_question_id not in visible:
                continue
            wanted = {o.pk for o in question.condition_options.all()}
            if not wanted & chosen.get(question.condition_question_id, set()):
                continue
        visible.add(question.pk)
        result.append(question)
    return result


def load_answers(response: Response) -> dict[int, Answer]:
    """The response's answers by question id, each with its selections in `chosen` (two
    queries)."""
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(response=response).select_related("answered_by")
    }
    for answer in answers.values():
        answer.chosen = []
    for selection in Selection.objects.filter(response=response).order_by("value", "id"):
        answer = answers.get(selection.question_id)
        if answer is not None:
            answer.chosen.append(selection)
    return answers


@dataclass
class SectionState:
    section: Section
    questions: list[Question]  # shown
    answered: int = 0
    missing: list[Question] = field(default_factory=list)  # shown, required, unanswered

    @property
    def complete(self) -> bool:
        return self.answered == len(self.questions)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / len(self.questions)) if self.questions else 100


@dataclass
class State:
    survey: Survey
    response: Response | None
    answers: dict[int, Answer]
    sections: list[SectionState]

    @property
    def total(self) -> int:
        return sum(len(s.questions) for s in self.sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def missing(self) -> list[tuple[Section, Question]]:
        return [(s.section, q) for s in self.sections for q in s.missing]

    @property
    def ready(self) -> bool:
        return not self.missing

    @property
    def shown_ids(self) -> set[int]:
        return {q.pk for s in self.sections for q in s.questions}

    def of(self, section_id: int) -> SectionState:
        return next(s for s in self.sections if s.section.pk == section_id)

    def resume(self) -> SectionState:
        """The first section with an unanswered question (the first one when all are)."""
        return next((s for s in self.sections if not s.complete), self.sections[0])

    def neighbours(self, section: Section) -> tuple[SectionState | None, SectionState | None]:
        keys = [s.section.pk for s in self.sections]
        index = keys.index(section.pk)
        before = self.sections[index - 1] if index > 0 else None
        after = self.sections[index + 1] if index + 1 < len(keys) else None
        return before, after

    def number(self, section: Section) -> int:
        return [s.section.pk for s in self.sections].index(section.pk) + 1


def is_answered(answer: Answer | None) -> bool:
    if answer is None:
        return False
    return bool(answer.chosen) or answer.number is not None or bool(answer.text)


def state_of(survey: Survey, response: Response | None) -> State:
    """Where `response` stands (a survey's structure when there is no response yet)."""
    answers = load_answers(response) if response is not None else {}
    visible = shown(survey, chosen_options(answers))
    by_section: dict[int, list[Question]] = {}
    for question in visible:
        by_section.setdefault(question.section_id, []).append(question)
    sections = []
    for section in survey.sections.all():
        questions = by_section.get(section.pk, [])
        row = SectionState(section=section, questions=questions)
        for question in questions:
            if is_answered(answers.get(question.pk)):
                row.answered += 1
            elif question.required:
                row.missing.append(question)
        sections.append(row)
    return State(survey, response, answers, [s for s in sections if s.questions] or sections)

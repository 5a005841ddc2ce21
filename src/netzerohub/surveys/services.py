"""Writes of surveys: responding (start, answer question by question, submit) and building
(surveys, sections, questions, options; duplicating a survey for a new round).

Every function is atomic and audited. An answer is saved on its own: one `Answer` row per
question and one `Selection` row per chosen option, written under a lock of the response row,
so two people of one city (or two tabs) answering different questions never overwrite each
other, and no answer lands after the submission. Submitting drops the answers of conditional
questions that are no longer shown, checks the required ones and freezes the response, all in
one transaction: a response is never half-submitted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.assessment.models import Assessment
from netzerohub.cities.models import City
from netzerohub.cities.population import band_of
from netzerohub.core import personal_data, versions
from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.models import Term

from . import answering
from .answering import AnswerError, Value
from .models import Answer, Option, Question, Response, Section, Selection, Survey
from .tasks import schedule_analytics_refresh

register_labels(
    {
        "surveys.response.started": _l("Survey response started"),
        "surveys.answer.saved": _l("Survey answer saved"),
        "surveys.response.submitted": _l("Survey response submitted"),
        "surveys.survey.saved": _l("Survey saved"),
        "surveys.survey.duplicated": _l("Survey duplicated for a new round"),
        "surveys.survey.published": _l("Survey published"),
        "surveys.survey.unpublished": _l("Survey back to draft"),
        "surveys.section.saved": _l("Survey section saved"),
        "surveys.section.deleted": _l("Survey section deleted"),
        "surveys.question.saved": _l("Survey question saved"),
        "surveys.question.deleted": _l("Survey question deleted"),
        "surveys.question.hidden": _l("Survey question hidden"),
        "surveys.question.shown": _l("Survey question asked again"),
    }
)


class SurveyError(AnswerError):
    """A request the survey refuses; the message is shown to the person as it is."""


class MissingAnswers(SurveyError):
    """Submitting with required questions unanswered; `questions` lists them in order."""

    def __init__(self, questions: list[Question]) -> None:
        self.questions = questions
        super().__init__(
            _("%(n)s required questions are not answered yet.") % {"n": len(questions)}
            if len(questions) != 1
            else _("One required question is not answered yet.")
        )


def responses_version(survey_id: int) -> str:
    """Bumped when a response of the survey is submitted: the analytics' cache version."""
    return f"surveys:responses:{survey_id}"


def structure_changed(survey: Survey) -> None:
    versions.bump(answering.structure_version(survey.pk), now=True)
    versions.bump(responses_version(survey.pk), now=True)


def check_open(survey: Survey) -> None:
    """Refuse answers to a draft, a survey not open yet and a closed one, saying when."""
    phase = survey.phase()
    if phase == "draft":
        raise SurveyError(_("This survey is not published."))
    if phase == "scheduled":
        raise SurveyError(
            _("This survey opens on %(when)s; answers are taken from then.")
            % {"when": answering.moment(survey, survey.opens_at)}
        )
    if phase == "closed":
        raise SurveyError(
            _(
                "This survey closed on %(when)s: answers can no longer be given or submitted. "
                "What was saved stays readable."
            )
            % {"when": answering.moment(survey, survey.closes_at)}
        )


# --- responding --------------------------------------------------------------------------------


def _groups(city: City | None) -> dict[str, Any]:
    """The groups a response is read in: the city's country, band, status and readiness stage."""
    if city is None:
        return {"country_id": None, "population_band": "", "city_status": "", "readiness_stage": ""}
    latest = Assessment.objects.for_city(city).latest_results().select_related("stage").first()
    return {
        "country_id": city.country_id,
        "population_band": band_of(city.population),
        "city_status": city.status,
        "readiness_stage": latest.stage.key if latest is not None and latest.stage else "",
    }


def _person_city(survey: Survey, user: Any) -> City | None:
    """The city a per-person response is read with: the person's first city in the audience."""
    from .policies import city_in_audience, member_cities

    cities = sorted(member_cities(user), key=lambda c: c.pk)
    return next((c for c in cities if city_in_audience(survey, c)), None)


@transaction.atomic
def start_response(survey: Survey, *, actor: Any, city: City | None = None) -> Response:
    """The response of `city` (a per-city survey) or of `actor` (per person), started if there
    is none; asking again gives the same one. The caller checks the audience."""
    check_open(survey)
    if survey.per_city:
        if city is None:
            raise SurveyError(_("Choose the city you answer for."))
        owner, fields = f"city:{city.pk}", {"city": city}
        groups_city = city
    else:
        owner, fields = f"user:{actor.pk}", {"person": actor}
        groups_city = _person_city(survey, actor)
    existing = Response.objects.filter(survey=survey, owner=owner).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey, owner=owner, started_by=actor, **fields, **_groups(groups_city)
            )
    except IntegrityError:  # started at the same moment by a colleague
        return Response.objects.get(survey=survey, owner=owner)
    log_action("surveys.response.started", actor=actor, target=response, city=city)
    return response


def _locked(response: Response) -> Response:
    locked = (
        Response.objects.select_for_update(of=("self",))
        .select_related("survey", "city")
        .get(pk=response.pk)
    )
    if locked.is_submitted:
        raise SurveyError(
            _("This response was submitted on %(when)s and can no longer change.")
            % {"when": answering.moment(locked.survey, locked.submitted_at)}
        )
    check_open(locked.survey)
    return locked


def _store(response: Response, question: Question, value: Value, actor: Any) -> Answer | None:
    """Write one question's answer (None and no row when `value` is empty)."""
    Selection.objects.filter(response=response, question=question).delete()
    if value.is_empty:
        Answer.objects.filter(response=response, question=question).delete()
        return None
    answer, _created = Answer.objects.update_or_create(
        response=response,
        question=question,
        defaults={
            "survey_id": response.survey_id,
            "number": value.number,
            "text": value.text,
            "answered_by": actor,
        },
    )
    Selection.objects.bulk_create(
        Selection(
            survey_id=response.survey_id,
            response=response,
            question=question,
            option_id=option_id,
            value=rank,
        )
        for option_id, rank in value.options.items()
    )
    return answer


def _check_question(response: Response, question: Question, chosen: Mapping[int, set[int]]) -> None:
    survey = answering.structure(response.survey_id)
    if question.survey_id != response.survey_id:
        raise SurveyError(_("This question is not part of this survey."))
    if question.hidden:
        raise SurveyError(_("This question is no longer asked; your answer was not saved."))
    if question.pk not in {q.pk for q in answering.shown(survey, chosen)}:
        raise SurveyError(
            _(
                "This question applies only after a particular answer to “%(q)s”; "
                "your answer was not saved."
            )
            % {"q": question.condition_question.text if question.condition_question else ""}
        )


def chosen_now(response: Response) -> dict[int, set[int]]:
    """The options chosen in the response now, by question id (one query)."""
    chosen: dict[int, set[int]] = {}
    rows = Selection.objects.filter(response=response).values_list("question_id", "option_id")
    for question_id, option_id in rows:
        chosen.setdefault(question_id, set()).add(option_id)
    return chosen


@transaction.atomic
def save_answer(
    response: Response, question: Question, data: Mapping[str, Any], *, actor: Any
) -> Answer | None:
    """Check and save the answer to one question (`data` as `answering.parse` reads it); an empty
    answer clears it. Refused for a submitted response, a survey that is not open, a question of
    another survey, a hidden question and one whose condition is not met."""
    locked = _locked(response)
    value = answering.parse(question, data)
    chosen = chosen_now(locked)
    _check_question(locked, question, chosen)
    answer = _store(locked, question, value, actor)
    Response.objects.filter(pk=locked.pk).update(updated=timezone.now())
    log_action(
        "surveys.answer.saved",
        actor=actor,
        target=locked,
        city=locked.city,
        data={"question": question.key, "cleared": value.is_empty},
    )
    return answer


@transaction.atomic
def save_answers(
    response: Response, changes: Mapping[Question, Mapping[str, Any]], *, actor: Any
) -> int:
    """Save several answers (a section sent without JavaScript): only the questions the person
    changed, so colleagues' other answers stay. All or nothing; answers how many changed. An
    error names its question (`error.question`)."""
    locked = _locked(response)
    for question, data in changes.items():
        try:
            value = answering.parse(question, data)
            _check_question(locked, question, chosen_now(locked))
        except AnswerError as error:
            error.question = question
            raise
        _store(locked, question, value, actor)
    if changes:
        Response.objects.filter(pk=locked.pk).update(updated=timezone.now())
        log_action(
            "surveys.answer.saved",
            actor=actor,
            target=locked,
            city=locked.city,
            data={"questions": [q.key for q in changes]},
        )
    return len(changes)


@transaction.atomic
def submit_response(response: Response, *, actor: Any) -> Response:
    """Freeze the response: answers of conditional questions no longer shown are discarded, the
    required ones must all be there (MissingAnswers lists those that are not), and the groups it
    is read in are taken afresh."""
    locked = _locked(response)
    survey = answering.structure(locked.survey_id)
    state = answering.state_of(survey, locked)
    if state.missing:
        raise MissingAnswers([q for _section, q in state.missing])
    asked_ids = {q.pk for q in answering.asked(survey)}
    dropped = [qid for qid in state.answers if qid in asked_ids and qid not in state.shown_ids]
    if dropped:
        Selection.objects.filter(response=locked, question_id__in=dropped).delete()
        Answer.objects.filter(response=locked, question_id__in=dropped).delete()
    groups_city = locked.city if survey.per_city else _person_city(survey, actor)
    for name, value in _groups(groups_city).items():
        setattr(locked, name, value)
    locked.status = Response.Status.SUBMITTED
    locked.submitted_by = actor
    locked.submitted_at = timezone.now()
    locked.save()
    log_action(
        "surveys.response.submitted",
        actor=actor,
        target=locked,
        city=locked.city,
        data={"discarded": len(dropped)},
    )
    versions.bump(responses_version(survey.pk), now=True)
    transaction.on_commit(partial(schedule_analytics_refresh, survey.pk))
    return locked


# --- building ----------------------------------------------------------------------------------


def has_answers(survey: Survey) -> bool:
    return Response.objects.filter(survey=survey).exclude(answers=None).exists()


def question_has_answers(question: Question) -> bool:
    return Answer.objects.filter(question=question).exists()


RESERVED_SLUGS = frozenset({"manage", "api", "new"})  # addresses of the surveys' own pages


def unique_slug(title: str, *, exclude: int | None = None) -> str:
    base = slugify(title)[:70] or "survey"
    slug, n = base, 2
    taken = Survey.objects.exclude(pk=exclude) if exclude else Survey.objects.all()
    while slug in RESERVED_SLUGS or taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def save_survey(survey: Survey, *, actor: Any) -> Survey:
    """Create or update a survey's settings (a form's unsaved instance)."""
    creating = survey.pk is None
    if not creating:
        before = Survey.objects.get(pk=survey.pk)
        if before.respondent != survey.respondent and survey.responses.exists():
            raise SurveyError(
                _(
                    "People have started answering: a survey answered per city cannot become "
                    "one per person, nor the other way round."
                )
            )
    if not survey.slug:
        survey.slug = unique_slug(survey.title, exclude=survey.pk)
    if creating:
        survey.created_by = actor
    survey.full_clean()
    survey.save()
    log_action("surveys.survey.saved", actor=actor, target=survey, data={"created": creating})
    structure_changed(survey)
    return survey


@transaction.atomic
def set_published(survey: Survey, published: bool, *, actor: Any) -> Survey:
    """Publish a survey (it opens at its opening time) or take it back to draft (only while
    nobody has answered)."""
    if published:
        if not Question.objects.filter(survey=survey, hidden=False).exists():
            raise SurveyError(_("Add at least one question before publishing the survey."))
        survey.status = Survey.Status.PUBLISHED
    else:
        if Response.objects.filter(survey=survey).exists():
            raise SurveyError(_("People have started answering this survey: it stays published."))
        survey.status = Survey.Status.DRAFT
    survey.save(update_fields=["status", "updated"])
    log_action(
        "surveys.survey.published" if published else "surveys.survey.unpublished",
        actor=actor,
        target=survey,
    )
    structure_changed(survey)
    return survey


@transaction.atomic
def save_section(section: Section, *, actor: Any) -> Section:
    if section.pk is None and not section.position:
        last = Section.objects.filter(survey=section.survey).order_by("-position").first()
        section.position = (last.position + 1) if last else 1
    section.save()
    log_action("surveys.section.saved", actor=actor, target=section.survey)
    structure_changed(section.survey)
    return section


@transaction.atomic
def delete_section(section: Section, *, actor: Any) -> None:
    if Answer.objects.filter(question__section=section).exists():
        raise SurveyError(
            _("Questions of this section have answers: hide them instead of deleting it.")
        )
    if (
        Question.objects.filter(condition_question__section=section)
        .exclude(section=section)
        .exists()
    ):
        raise SurveyError(
            _("A question of another section depends on this one: change that condition first.")
        )
    survey = section.survey
    Question.objects.filter(section=section).update(condition_question=None)
    section.delete()
    log_action("surveys.section.deleted", actor=actor, target=survey)
    structure_changed(survey)


def _picker_options(question: Question) -> None:
    """A picker's options are the terms of its kind, in the taxonomy's order (kept in step when
    a term is added)."""
    kind = Question.PICKER_TERMS[question.kind]
    have = {o.term_id for o in question.options.all()}
    for position, term in enumerate(Term.objects.filter(kind=kind).order_by("position"), start=1):
        if term.pk not in have:
            Option.objects.create(question=question, label=term.name, term=term, position=position)


@transaction.atomic
def save_question(
    question: Question,
    *,
    actor: Any,
    options: Sequence[str] | None = None,
    condition_options: Iterable[Option] | None = None,
) -> Question:
    """Create or update a question. `options` are the labels of a choice, ranking or matrix
    question, in order: existing options keep their id (and their answers) by position, new
    labels are added, and options beyond the list are removed only while nobody chose them.
    A picker's options come from the taxonomy. Once answered, a question's type stays."""
    creating = question.pk is None
    if not creating:
        before = Question.objects.get(pk=question.pk)
        if before.kind != question.kind and question_has_answers(before):
            raise SurveyError(_("This question has answers: its type can no longer change."))
    if creating and not question.position:
        last = Question.objects.filter(section=question.section).order_by("-position").first()
        question.position = (last.position + 1) if last else 1
    if question.condition_question_id is not None:
        condition = question.condition_question
        if condition.survey_id != question.survey_id or not condition.is_choice:
            raise SurveyError(_("A condition is on a choice question of the same survey."))
        if not creating and condition.pk == question.pk:
            raise SurveyError(_("A question cannot depend on itself."))
        if (condition.section.position, condition.section_id, condition.position, condition.pk) >= (
            question.section.position,
            question.section_id,
            question.position,
            question.pk or 10**9,
        ):
            raise SurveyError(_("A condition is on an earlier question."))
    if not question.key:
        question.key = _unique_key(question)
    question.full_clean(exclude=["condition_options"])
    question.save()
    if question.kind in Question.PICKER_TERMS:
        _picker_options(question)
    elif question.has_options and options is not None:
        _set_options(question, [label.strip() for label in options if label.strip()])
    elif not question.has_options:
        unused = question.options.exclude(selections__isnull=False)
        unused.delete()
    if question.has_options and not question.options.exists():
        raise SurveyError(_("Give this question at least one option."))
    if condition_options is not None:
        wanted = list(condition_options)
        if any(o.question_id != question.condition_question_id for o in wanted):
            raise SurveyError(_("The condition's answers must be options of its question."))
        if question.condition_question_id and not wanted:
            raise SurveyError(_("Choose the answers that show this question."))
        question.condition_options.set(wanted)
    log_action(
        "surveys.question.saved",
        actor=actor,
        target=question.survey,
        data={"question": question.key, "created": creating},
    )
    structure_changed(question.survey)
    return question


def _unique_key(question: Question) -> str:
    base = slugify(question.text)[:50] or "question"
    key, n = base, 2
    while Question.objects.filter(survey_id=question.survey_id, key=key).exists():
        key, n = f"{base}-{n}", n + 1
    return key


def _set_options(question: Question, labels: list[str]) -> None:
    """Options in the order of `labels`. An existing option keeps its id (and its answers) when
    its label is still there, or when a new label stands at its place (a corrected label); the
    other options gone are deleted, which is refused once someone chose them, and the other new
    labels added."""
    existing = list(question.options.all())
    by_label = {o.label: o for o in existing}
    kept = {label: by_label[label] for label in labels if label in by_label}
    gone = [(index, o) for index, o in enumerate(existing) if o.label not in kept]
    renamed: dict[str, Option] = {}
    for index, option in gone:
        label = labels[index] if index < len(labels) else None
        if label is not None and label not in kept and label not in renamed:
            renamed[label] = option
    gone = [o for _index, o in gone]
    for option in gone:
        if option in renamed.values():
            continue
        if option.selections.exists():
            raise SurveyError(
                _("“%(option)s” has been chosen: it cannot be removed.") % {"option": option}
            )
        option.delete()
    for position, label in enumerate(labels, start=1):
        option = kept.get(label) or renamed.get(label)
        if option is None:
            Option.objects.create(question=question, label=label, position=position)
        elif option.label != label or option.position != position:
            option.label, option.position = label, position
            option.save(update_fields=["label", "position"])


@transaction.atomic
def set_hidden(question: Question, hidden: bool, *, actor: Any) -> Question:
    question.hidden = hidden
    question.save(update_fields=["hidden"])
    log_action(
        "surveys.question.hidden" if hidden else "surveys.question.shown",
        actor=actor,
        target=question.survey,
        data={"question": question.key},
    )
    structure_changed(question.survey)
    return question


@transaction.atomic
def delete_question(question: Question, *, actor: Any) -> None:
    """Delete a question nobody answered; once answered it can only be hidden."""
    if question_has_answers(question):
        raise SurveyError(_("This question has answers: hide it instead of deleting it."))
    if question.dependents.exists():
        raise SurveyError(
            _("Other questions are shown depending on this one: change their condition first.")
        )
    survey = question.survey
    key = question.key
    question.delete()
    log_action("surveys.question.deleted", actor=actor, target=survey, data={"question": key})
    structure_changed(survey)


@transaction.atomic
def duplicate_survey(
    survey: Survey, *, actor: Any, title: str, opens_at: datetime, closes_at: datetime
) -> Survey:
    """A draft copy of `survey` for a new round: its settings, sections, questions (hidden ones
    left out), options and conditions; no responses."""
    source = Survey.objects.with_structure().get(pk=survey.pk)
    copy = Survey(
        title=title,
        introduction=source.introduction,
        opens_at=opens_at,
        closes_at=closes_at,
        time_zone=source.time_zone,
        audience=source.audience,
        city_statuses=list(source.city_statuses),
        respondent=source.respondent,
        based_on=source,
        created_by=actor,
    )
    copy.slug = unique_slug(title)
    copy.full_clean()
    copy.save()
    sections: dict[int, Section] = {}
    for section in source.sections.all():
        sections[section.pk] = Section.objects.create(
            survey=copy,
            title=section.title,
            description=section.description,
            position=section.position,
        )
    questions: dict[int, Question] = {}
    options: dict[int, Option] = {}
    for question in source.questions.all():
        if question.hidden:
            continue
        original_pk = question.pk
        new = Question.objects.get(pk=original_pk)
        new.pk = None
        new.survey = copy
        new.section = sections[question.section_id]
        new.condition_question = None
        new.save()
        questions[original_pk] = new
        for option in question.options.all():
            options[option.pk] = Option.objects.create(
                question=new, label=option.label, position=option.position, term=option.term
            )
    for question in source.questions.all():
        new = questions.get(question.pk)
        if new is None or question.condition_question_id not in questions:
            continue
        new.condition_question = questions[question.condition_question_id]
        new.save(update_fields=["condition_question"])
        new.condition_options.set(
            [options[o.pk] for o in question.condition_options.all() if o.pk in options]
        )
    log_action("surveys.survey.duplicated", actor=actor, target=copy, data={"from": source.slug})
    return copy


# --- personal data -----------------------------------------------------------------------------


def _personal_data(user: Any) -> dict[str, Any]:
    """The answers a person gave (a city's response belongs to the city)."""
    rows = (
        Answer.objects.filter(answered_by=user)
        .select_related("question", "response__survey")
        .order_by("answered_at")
    )
    return {
        "answers": [
            {
                "survey": a.response.survey.title,
                "question": a.question.text,
                "number": str(a.number) if a.number is not None else None,
                "text": a.text,
                "answered": a.answered_at.isoformat(),
            }
            for a in rows
        ]
    }


personal_data.register("surveys", _personal_data)

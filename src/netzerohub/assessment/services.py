"""Writes of a city's self-assessment: start it, answer question by question, submit it.

Every function is atomic and audited. An answer is saved on its own (one row per question), so
colleagues answering different questions, or one person in two tabs, never overwrite each
other. Answers and submission lock the assessment row: no answer lands after the submission,
and the submitted score is exactly that of the stored answers. A submitted assessment never
changes; a city re-assesses with a new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.cities.models import City, Membership
from netzerohub.cities.population import band_of
from netzerohub.core import personal_data
from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.notifications import notify

from . import scoring
from .models import HIGHEST, LEVELS, Answer, Assessment, Question, Questionnaire
from .tasks import refresh_peer_statistics

register_labels(
    {
        "assessment.started": _l("Self-assessment started"),
        "assessment.answer.saved": _l("Self-assessment answer saved"),
        "assessment.submitted": _l("Self-assessment submitted"),
    }
)


class AssessmentError(Exception):
    """A request the self-assessment refuses; the message is shown to the person as it is."""


class MissingAnswers(AssessmentError):
    """Submitting with required questions unanswered; `questions` lists them in order."""

    def __init__(self, questions: list[Question]) -> None:
        self.questions = questions
        super().__init__(
            _("%(n)s required questions are not answered yet.") % {"n": len(questions)}
            if len(questions) != 1
            else _("One required question is not answered yet.")
        )


def _locked(assessment: Assessment) -> Assessment:
    """The assessment row, locked for this transaction; refused once submitted."""
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("city")
        .get(pk=assessment.pk)
    )
    if locked.is_submitted:
        raise AssessmentError(
            _(
                "This assessment was submitted on %(date)s and can no longer change. "
                "Start a new assessment to re-assess."
            )
            % {"date": formats.date_format(timezone.localtime(locked.submitted_at), "j F Y")}
        )
    return locked


@transaction.atomic
def start_assessment(city: City, *, actor: Any) -> Assessment:
    """The city's assessment in progress, started on the current questionnaire if there is none
    (a city has at most one in progress; asking again gives the same one)."""
    City.objects.select_for_update().filter(pk=city.pk).first()  # one start at a time per city
    existing = Assessment.objects.for_city(city).in_progress().first()
    if existing is not None:
        return existing
    questionnaire = Questionnaire.objects.current()
    if questionnaire is None:
        raise AssessmentError(_("No questionnaire is published yet."))
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                city=city, questionnaire=questionnaire, started_by=actor
            )
    except IntegrityError:  # started in parallel (SQLite does not lock the city row)
        return Assessment.objects.for_city(city).in_progress().get()
    log_action(
        "assessment.started",
        actor=actor,
        target=assessment,
        data={"questionnaire": questionnaire.key, "version": questionnaire.version},
    )
    return assessment


def _check_level(question: Question, level: int | None) -> None:
    if level is None:
        if question.required:
            raise AssessmentError(
                _("“%(q)s” is required: choose the level that fits best.") % {"q": question.text}
            )
        return
    if level not in LEVELS:
        raise AssessmentError(
            _("Choose one of the levels 0 to %(highest)s for “%(q)s”.")
            % {"highest": HIGHEST, "q": question.text}
        )


def _save(assessment: Assessment, question: Question, level: int | None, actor: Any) -> Answer:
    if question.questionnaire_id != assessment.questionnaire_id:
        raise AssessmentError(_("This question is not part of this assessment."))
    _check_level(question, level)
    previous = Answer.objects.filter(assessment=assessment, question=question).first()
    if previous is not None and previous.level == level:
        return previous
    if previous is None:
        answer = Answer.objects.create(
            assessment=assessment, question=question, level=level, answered_by=actor
        )
    else:  # the assessment row is locked: nobody else writes this answer meanwhile
        answer = previous
        answer.level, answer.answered_by = level, actor
        answer.save(update_fields=["level", "answered_by", "answered_at"])
    log_action(
        "assessment.answer.saved",
        actor=actor,
        target=assessment,
        city=assessment.city,
        data={
            "question": question.key,
            "level": level,
            "previous": previous.level if previous is not None else "unanswered",
        },
    )
    return answer


@transaction.atomic
def save_answer(
    assessment: Assessment, question: Question, level: int | None, *, actor: Any
) -> Answer:
    """Save one answer (None skips an optional question: "does not apply").

    Refused for a submitted assessment, a question of another questionnaire, a level outside
    0–4 and skipping a required question.
    """
    locked = _locked(assessment)
    answer = _save(locked, question, level, actor)
    Assessment.objects.filter(pk=locked.pk).update(last_answer_at=timezone.now())
    return answer


@transaction.atomic
def save_answers(
    assessment: Assessment, changes: Mapping[Question, int | None], *, actor: Any
) -> int:
    """Save several answers at once (a section sent without JavaScript): only the questions the
    person changed on the page, so colleagues' other answers stay as they are. All or nothing;
    answers how many changed."""
    locked = _locked(assessment)
    for question, level in changes.items():
        _save(locked, question, level, actor)
    if changes:
        Assessment.objects.filter(pk=locked.pk).update(last_answer_at=timezone.now())
    return len(changes)


def answers_of(assessment: Assessment) -> dict[str, int | None]:
    """{question key: level or None (skipped)} of the stored answers."""
    rows = Answer.objects.filter(assessment=assessment).values_list("question__key", "level")
    return dict(rows)


@transaction.atomic
def submit_assessment(assessment: Assessment, *, actor: Any) -> Assessment:
    """Score the stored answers, freeze the assessment and make it the city's latest result.

    Raises MissingAnswers (with the list) while a required question is unanswered. The city's
    members are notified; peer statistics are refreshed in the background.
    """
    locked = _locked(assessment)
    questionnaire = Questionnaire.objects.with_structure().get(pk=locked.questionnaire_id)
    answers = answers_of(locked)
    missing = scoring.missing_required(questionnaire, answers)
    if missing:
        raise MissingAnswers(missing)
    result = scoring.score(questionnaire, answers)
    city = City.objects.select_related("country").get(pk=locked.city_id)
    Assessment.objects.for_city(city).latest_results().update(is_latest=False)
    locked.scores = {k: float(v) if v is not None else None for k, v in result.dimensions.items()}
    locked.overall_score = float(result.overall) if result.overall is not None else None
    locked.stage = result.stage
    locked.country = city.country
    locked.population_band = band_of(city.population)
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_by = actor
    locked.submitted_at = timezone.now()
    locked.is_latest = True
    locked.save()
    log_action(
        "assessment.submitted",
        actor=actor,
        target=locked,
        city=city,
        data={
            "overall": scoring.shown(result.overall),
            "stage": result.stage.key if result.stage else None,
            "version": questionnaire.version,
        },
    )
    colleagues = [
        m.user
        for m in Membership.objects.approved().for_city(city).select_related("user")
        if m.user_id != getattr(actor, "pk", None)
    ]
    notify(
        colleagues,
        kind="assessment.submitted",
        title=_("The self-assessment result of %(city)s is ready") % {"city": city.name},
        body=_("Stage: %(stage)s. See the scores and the recommended learning.")
        % {"stage": result.stage.label if result.stage else "—"},
        url=locked.get_absolute_url(),
    )
    transaction.on_commit(partial(refresh_peer_statistics.enqueue, questionnaire.key))
    return locked


# --- personal data ---------------------------------------------------------------------------


def _personal_data(user: Any) -> dict[str, Any]:
    """The answers a person gave (the assessments themselves belong to their cities)."""
    rows = (
        Answer.objects.filter(answered_by=user)
        .select_related("question", "assessment__city")
        .order_by("answered_at")
    )
    return {
        "answers": [
            {
                "city": a.assessment.city.name,
                "question": a.question.text,
                "level": a.level,
                "answered": a.answered_at.isoformat(),
            }
            for a in rows
        ]
    }


personal_data.register("assessment", _personal_data)

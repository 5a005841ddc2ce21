"""Writes of the coordinators' side: questionnaire versions and the recommendation weights.

Only a draft can change. Publishing checks the draft (`publication_problems`), freezes it and
retires the version it replaces; new assessments start on it, assessments already started
keep theirs. A new version starts as a copy of an existing one, with the same key, so that
results stay comparable across versions (see `data/README.md`, "Changing the questionnaire").
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.models import Term
from netzerohub.core.ordering import move_among

from .models import LEVELS, Dimension, Question, Questionnaire, RecommendationWeight, Stage
from .recommendations import forget_weights
from .services import AssessmentError

register_labels(
    {
        "assessment.questionnaire.loaded": _l("Questionnaire loaded"),
        "assessment.questionnaire.drafted": _l("Questionnaire draft created"),
        "assessment.questionnaire.saved": _l("Questionnaire draft changed"),
        "assessment.questionnaire.published": _l("Questionnaire version published"),
        "assessment.questionnaire.deleted": _l("Questionnaire draft deleted"),
        "assessment.weights.saved": _l("Recommendation weights changed"),
    }
)

DEFAULT_FILE = Path(__file__).parent / "data" / "questionnaire.json"
MIN_QUESTIONS, MAX_QUESTIONS = 30, 60
STAGE_KEYS = ("starting", "developing", "advanced", "leading")


def _editable(questionnaire: Questionnaire) -> Questionnaire:
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if not locked.is_draft:
        raise AssessmentError(
            _("Version %(v)s is published and frozen: make a new draft from it to change it.")
            % {"v": locked.version}
        )
    return locked


def _log(action: str, questionnaire: Questionnaire, actor: Any, **data: Any) -> None:
    log_action(
        action,
        actor=actor,
        target=questionnaire,
        data={"key": questionnaire.key, "version": questionnaire.version, **data},
    )


def _next_position(queryset: Any) -> int:
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1


# --- checking a version ----------------------------------------------------------------------


def publication_problems(questionnaire: Questionnaire) -> list[str]:
    """Why `questionnaire` cannot be published yet (empty: it can), in plain words."""
    problems: list[str] = []
    stages = list(questionnaire.stages.order_by("position", "min_score"))
    mins = [s.min_score for s in stages]
    if not stages or mins[0] != 0:
        problems.append(_("The first stage must start at an overall score of 0."))
    if any(b <= a for a, b in zip(mins, mins[1:], strict=False)):
        problems.append(_("Each stage must start at a higher score than the one before it."))
    if any(not s.label.strip() or not s.description.strip() for s in stages):
        problems.append(_("Every stage needs a name and a description."))
    dimensions = list(questionnaire.dimensions.prefetch_related("questions"))
    if not dimensions:
        problems.append(_("Add at least one dimension."))
    count = 0
    for dimension in dimensions:
        questions = list(dimension.questions.all())
        count += len(questions)
        if not any(q.required for q in questions):
            problems.append(
                _("“%(d)s” needs at least one required question.") % {"d": dimension.title}
            )
        for question in questions:
            if len(question.levels) != len(LEVELS) or not all(
                str(level.get("label", "")).strip() and str(level.get("description", "")).strip()
                for level in question.levels
            ):
                problems.append(
                    _("“%(q)s” needs a name and a description for each of the levels 0 to 4.")
                    % {"q": question.text}
                )
    if not MIN_QUESTIONS <= count <= MAX_QUESTIONS:
        problems.append(
            _(
                "A questionnaire has %(min)s to %(max)s questions, so that a team answers it in "
                "under 20 minutes; this one has %(n)s."
            )
            % {"min": MIN_QUESTIONS, "max": MAX_QUESTIONS, "n": count}
        )
    return problems


@transaction.atomic
def publish(questionnaire: Questionnaire, *, actor: Any) -> Questionnaire:
    """Freeze a draft and make it the version new assessments are taken on."""
    locked = _editable(questionnaire)
    problems = publication_problems(locked)
    if problems:
        raise AssessmentError(" ".join(problems))
    replaced = list(
        Questionnaire.objects.published().filter(key=locked.key).values_list("version", flat=True)
    )
    Questionnaire.objects.published().filter(key=locked.key).update(
        status=Questionnaire.Status.RETIRED
    )
    locked.status = Questionnaire.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at", "updated"])
    _log("assessment.questionnaire.published", locked, actor, replaced=replaced)
    return locked


# --- loading the default questionnaire -------------------------------------------------------


def _term(kind: str, slug: str | None) -> Term | None:
    if not slug:
        return None
    term = Term.objects.filter(kind=kind, slug=slug).first()
    if term is None:
        raise AssessmentError(_("Unknown %(kind)s: %(slug)s.") % {"kind": kind, "slug": slug})
    return term


def _terms(kind: str, slugs: Sequence[str]) -> list[Term]:
    return [t for t in (_term(kind, s) for s in slugs) if t is not None]


@transaction.atomic
def import_questionnaire(
    data: Mapping[str, Any], *, actor: Any = None
) -> tuple[Questionnaire, bool]:
    """Create and publish the version described by `data` (the format of `data/README.md`)
    unless its key already has a version: a running installation keeps its own versions.
    Answers (questionnaire, created). The whole file is checked first; nothing is written
    when it has a problem (AssessmentError says which)."""
    existing = Questionnaire.objects.filter(key=data.get("key", "")).order_by("-id").first()
    if existing is not None:
        return existing, False
    try:
        questionnaire = Questionnaire.objects.create(
            key=data["key"],
            version=data["version"],
            title=data["title"],
            introduction=data["introduction"],
            scoring=data["scoring"],
            created_by=actor,
        )
        for position, stage in enumerate(data["stages"], start=1):
            Stage.objects.create(
                questionnaire=questionnaire,
                key=stage["key"],
                label=stage["label"],
                description=stage["description"],
                min_score=stage["min"],
                position=position,
            )
        for d_position, item in enumerate(data["dimensions"], start=1):
            dimension = Dimension.objects.create(
                questionnaire=questionnaire,
                key=item["key"],
                title=item["title"],
                description=item["description"],
                weight=Decimal(str(item["weight"])),
                step=_term("step", item.get("step")),
                strength=item["strength"],
                gap=item["gap"],
                position=d_position,
            )
            dimension.fields.set(_terms("field", item.get("fields", [])))
            dimension.levers.set(_terms("lever", item.get("levers", [])))
            for q_position, q in enumerate(item["questions"], start=1):
                levels = sorted(q["levels"], key=lambda level: level["level"])
                if [level["level"] for level in levels] != list(LEVELS):
                    raise AssessmentError(_("%(q)s: the levels must be 0 to 4.") % {"q": q["key"]})
                Question.objects.create(
                    dimension=dimension,
                    key=q["key"],
                    text=q["text"],
                    help=q.get("help", ""),
                    required=q["required"],
                    weight=Decimal(str(q["weight"])),
                    field=_term("field", q.get("field")),
                    levels=[
                        {"label": lv["label"], "description": lv["description"]} for lv in levels
                    ],
                    position=q_position,
                )
    except (KeyError, TypeError) as error:
        raise AssessmentError(_("The file lacks %(what)s.") % {"what": error}) from error
    problems = publication_problems(questionnaire)
    if problems:
        raise AssessmentError(" ".join(problems))
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.published_at = timezone.now()
    questionnaire.save(update_fields=["status", "published_at"])
    _log("assessment.questionnaire.loaded", questionnaire, actor)
    return questionnaire, True


def load_default(*, actor: Any = None) -> tuple[Questionnaire, bool]:
    """The questionnaire shipped in `data/questionnaire.json` (see `import_questionnaire`)."""
    return import_questionnaire(json.loads(DEFAULT_FILE.read_text()), actor=actor)


# --- drafts ----------------------------------------------------------------------------------


def _free_version(key: str, wanted: str) -> str:
    version, n = wanted[:20], 1
    while Questionnaire.objects.filter(key=key, version=version).exists():
        n += 1
        version = f"{wanted[:16]}-{n}"
    return version


@transaction.atomic
def create_draft(source: Questionnaire, *, actor: Any, version: str = "") -> Questionnaire:
    """A new draft of `source`'s questionnaire: a copy of every stage, dimension and question."""
    draft = Questionnaire.objects.create(
        key=source.key,
        version=_free_version(source.key, version or f"{source.version}-draft"),
        title=source.title,
        introduction=source.introduction,
        scoring=source.scoring,
        based_on=source,
        created_by=actor,
    )
    Stage.objects.bulk_create(
        Stage(
            questionnaire=draft,
            key=s.key,
            label=s.label,
            description=s.description,
            min_score=s.min_score,
            position=s.position,
        )
        for s in source.stages.all()
    )
    for dimension in source.dimensions.prefetch_related("fields", "levers", "questions"):
        copy = Dimension.objects.create(
            questionnaire=draft,
            key=dimension.key,
            title=dimension.title,
            description=dimension.description,
            weight=dimension.weight,
            step_id=dimension.step_id,
            strength=dimension.strength,
            gap=dimension.gap,
            position=dimension.position,
        )
        copy.fields.set(dimension.fields.all())
        copy.levers.set(dimension.levers.all())
        Question.objects.bulk_create(
            Question(
                questionnaire=draft,
                dimension=copy,
                key=q.key,
                text=q.text,
                help=q.help,
                required=q.required,
                weight=q.weight,
                field_id=q.field_id,
                levels=q.levels,
                position=q.position,
            )
            for q in dimension.questions.all()
        )
    _log("assessment.questionnaire.drafted", draft, actor, based_on=source.version)
    return draft


@transaction.atomic
def delete_draft(questionnaire: Questionnaire, *, actor: Any) -> None:
    locked = _editable(questionnaire)
    _log("assessment.questionnaire.deleted", locked, actor)
    locked.delete()


@transaction.atomic
def save_settings(questionnaire: Questionnaire, *, actor: Any, values: Mapping[str, Any]) -> None:
    """Title, version label, introduction and scoring text of a draft."""
    locked = _editable(questionnaire)
    if (
        Questionnaire.objects.filter(key=locked.key, version=values["version"])
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise AssessmentError(_("Another version is already called %(v)s.") % values)
    for name in ("title", "version", "introduction", "scoring"):
        setattr(locked, name, values[name])
    locked.save()
    _log("assessment.questionnaire.saved", locked, actor, part="settings")


@transaction.atomic
def save_stages(
    questionnaire: Questionnaire, *, actor: Any, values: Mapping[str, Mapping[str, Any]]
) -> None:
    """Name, description and minimum score of each stage ({stage key: values})."""
    locked = _editable(questionnaire)
    for stage in locked.stages.all():
        if stage.key in values:
            for name in ("label", "description", "min_score"):
                setattr(stage, name, values[stage.key][name])
            stage.save()
    _log("assessment.questionnaire.saved", locked, actor, part="stages")


DIMENSION_FIELDS = ("title", "description", "weight", "step", "strength", "gap")


@transaction.atomic
def save_dimension(
    questionnaire: Questionnaire,
    dimension: Dimension | None,
    *,
    actor: Any,
    values: Mapping[str, Any],
) -> Dimension:
    locked = _editable(questionnaire)
    if dimension is None:
        base = slugify(values["title"])[:50] or "dimension"
        key, n = base, 1
        while locked.dimensions.filter(key=key).exists():
            n += 1
            key = f"{base}-{n}"
        dimension = Dimension(
            questionnaire=locked, key=key, position=_next_position(locked.dimensions.all())
        )
    for name in DIMENSION_FIELDS:
        setattr(dimension, name, values[name])
    dimension.save()
    dimension.fields.set(values.get("fields", []))
    dimension.levers.set(values.get("levers", []))
    _log("assessment.questionnaire.saved", locked, actor, dimension=dimension.key)
    return dimension


@transaction.atomic
def delete_dimension(dimension: Dimension, *, actor: Any) -> None:
    locked = _editable(dimension.questionnaire)
    _log("assessment.questionnaire.saved", locked, actor, deleted_dimension=dimension.key)
    dimension.delete()


@transaction.atomic
def move_dimension(dimension: Dimension, *, actor: Any, offset: int) -> bool:
    locked = _editable(dimension.questionnaire)
    moved = move_among(dimension, locked.dimensions.all(), offset)
    if moved:
        _log("assessment.questionnaire.saved", locked, actor, moved_dimension=dimension.key)
    return moved


QUESTION_FIELDS = ("text", "help", "required", "weight", "field", "levels")


@transaction.atomic
def save_question(
    dimension: Dimension, question: Question | None, *, actor: Any, values: Mapping[str, Any]
) -> Question:
    """Create or change a question of a draft. A new question's key comes from its text and
    is unique in the questionnaire; `values["dimension"]` moves it to another dimension."""
    locked = _editable(dimension.questionnaire)
    target = values.get("dimension") or dimension
    if target.questionnaire_id != locked.pk:
        raise AssessmentError(_("Choose a dimension of this questionnaire."))
    if question is None:
        base = f"{dimension.key}-{slugify(values['text'])}"[:70].strip("-")
        key, n = base, 1
        while locked.questions.filter(key=key).exists():
            n += 1
            key = f"{base}-{n}"
        question = Question(key=key, dimension=target)
    if question.pk is None or question.dimension_id != target.pk:
        question.dimension = target
        question.position = _next_position(target.questions.all())
    for name in QUESTION_FIELDS:
        setattr(question, name, values[name])
    question.save()
    _log("assessment.questionnaire.saved", locked, actor, question=question.key)
    return question


@transaction.atomic
def delete_question(question: Question, *, actor: Any) -> None:
    locked = _editable(question.dimension.questionnaire)
    _log("assessment.questionnaire.saved", locked, actor, deleted_question=question.key)
    question.delete()


@transaction.atomic
def move_question(question: Question, *, actor: Any, offset: int) -> bool:
    locked = _editable(question.dimension.questionnaire)
    moved = move_among(question, question.dimension.questions.all(), offset)
    if moved:
        _log("assessment.questionnaire.saved", locked, actor, moved_question=question.key)
    return moved


# --- recommendation weights ------------------------------------------------------------------


@transaction.atomic
def save_weights(*, actor: Any, weights: Mapping[tuple[str, str], Decimal]) -> int:
    """Store weights by (kind, key); answers how many changed. Without a row a weight is 1, so a
    row is added only for another value; an existing row keeps whatever it is set to."""
    current = {(w.kind, w.key): w for w in RecommendationWeight.objects.select_for_update()}
    changed = {}
    for (kind, key), weight in weights.items():
        row = current.get((kind, key))
        if row is None:
            if weight != 1:
                RecommendationWeight.objects.create(kind=kind, key=key, weight=weight)
                changed[f"{kind}:{key}"] = str(weight)
        elif row.weight != weight:
            row.weight = weight
            row.save(update_fields=["weight"])
            changed[f"{kind}:{key}"] = str(weight)
    if changed:
        log_action("assessment.weights.saved", actor=actor, data=changed)
        forget_weights()
    return len(changed)

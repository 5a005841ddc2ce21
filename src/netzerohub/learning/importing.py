"""Loading courses and pathways from a JSON file, idempotent on every `key`.

The whole file is checked before anything is written (a dry run only checks). A real run
creates or updates courses, modules (by position), lessons (by key: a lesson keeps its id and
its learners' progress), quiz questions (by position; answers keep their ids) and pathways, then
re-indexes the courses. The file's format is described in `data/demo/README.md`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from netzerohub.core.languages import LANGUAGE_NAMES
from netzerohub.core.models import Term
from netzerohub.knowledge.models import Resource

from .caching import content_changed
from .indexing import reindex_course
from .models import Choice, Course, Lesson, Level, Module, Pathway, PathwayStep, Question, Status


@dataclass
class ImportReport:
    courses: int = 0
    lessons: int = 0
    pathways: int = 0
    created: int = 0
    errors: list[str] = field(default_factory=list)


def _check(data: Any) -> list[str]:
    """Every problem of the file, each naming where it is."""
    if not isinstance(data, dict) or not isinstance(data.get("courses"), list):
        return ['The file must be a JSON object with a "courses" list (and optionally "pathways").']
    errors: list[str] = []
    terms = Term.objects.labels()
    course_keys = {c.get("key") for c in data["courses"] if isinstance(c, dict)}
    known_courses = course_keys | set(Course.objects.values_list("key", flat=True))
    resource_keys = set(Resource.objects.published().values_list("key", flat=True))
    lesson_keys: set[str] = set()
    for n, course in enumerate(data["courses"], start=1):
        where = f"course {n} ({course.get('key', 'no key')})"
        for name in ("key", "title", "summary", "duration_minutes", "modules"):
            if not course.get(name):
                errors.append(f"{where}: {name} is missing")
        if course.get("level", "introductory") not in Level.values:
            errors.append(f"{where}: unknown level {course.get('level')!r}")
        if course.get("language", "en") not in LANGUAGE_NAMES:
            errors.append(f"{where}: unknown language {course.get('language')!r}")
        for kind, name in (("field", "fields"), ("lever", "levers")):
            for slug in course.get(name, []):
                if slug not in terms[kind]:
                    errors.append(f"{where}: unknown {kind} {slug!r}")
        if course.get("step") and course["step"] not in terms["step"]:
            errors.append(f"{where}: unknown step {course['step']!r}")
        for key in course.get("prerequisites", []):
            if key not in known_courses or key == course.get("key"):
                errors.append(f"{where}: prerequisite {key!r} is not another course")
        for module in course.get("modules") or []:
            for lesson in module.get("lessons", []):
                key = lesson.get("key", "")
                if not key or not lesson.get("title"):
                    errors.append(f"{where}: a lesson needs a key and a title")
                elif key in lesson_keys:
                    errors.append(f"{where}: lesson key {key!r} is used twice")
                lesson_keys.add(key)
                video = lesson.get("video_url", "")
                if video and not video.startswith(("https://", "http://")):
                    errors.append(f"{where}: lesson {key}: the video link must be http(s)")
                for ref in lesson.get("resources", []):
                    if ref not in resource_keys:
                        errors.append(f"{where}: lesson {key}: no published resource {ref!r}")
                for question in lesson.get("quiz", []):
                    right = sum(bool(c.get("correct")) for c in question.get("choices", []))
                    single = question.get("kind", "single") == "single"
                    if len(question.get("choices", [])) < 2 or not right or (single and right != 1):
                        errors.append(
                            f"{where}: lesson {key}: question {question.get('text')!r} "
                            "needs two answers or more and the right number marked right"
                        )
    for n, pathway in enumerate(data.get("pathways", []), start=1):
        where = f"pathway {n} ({pathway.get('key', 'no key')})"
        for name in ("key", "title", "goal", "steps"):
            if not pathway.get(name):
                errors.append(f"{where}: {name} is missing")
        for step in pathway.get("steps", []):
            if step.get("course") and step["course"] not in known_courses:
                errors.append(f"{where}: no course {step['course']!r}")
            elif step.get("resource") and step["resource"] not in resource_keys:
                errors.append(f"{where}: no published resource {step['resource']!r}")
            elif not step.get("course") and not step.get("resource"):
                errors.append(f"{where}: a step names a course or a resource")
    return errors


def import_file(path: Path, *, dry_run: bool = False, is_sample: bool = False) -> ImportReport:
    data = json.loads(path.read_text(encoding="utf-8"))
    report = ImportReport(errors=_check(data))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        _write(data, report, is_sample)
        content_changed()
    return report


def _write(data: dict[str, Any], report: ImportReport, is_sample: bool) -> None:
    terms = {(t.kind, t.slug): t for t in Term.objects.all()}
    lesson_refs = {
        ref
        for course in data["courses"]
        for module in course["modules"]
        for lesson in module.get("lessons", [])
        for ref in lesson.get("resources", [])
    }
    step_refs = {s.get("resource") for p in data.get("pathways", []) for s in p["steps"]}
    resources = Resource.objects.published().in_bulk(
        lesson_refs | (step_refs - {None}), field_name="key"
    )
    courses: dict[str, Course] = {}
    for row in data["courses"]:
        course, created = Course.objects.update_or_create(
            key=row["key"],
            defaults={
                "title": row["title"],
                "summary": row["summary"],
                "description": row.get("description", ""),
                "level": row.get("level", Level.INTRODUCTORY),
                "duration_minutes": row["duration_minutes"],
                "step": terms.get(("step", row.get("step"))),
                "language": row.get("language", "en"),
                "pass_mark": row.get("pass_mark", 70),
                "is_sample": row.get("is_sample", is_sample),
            },
        )
        report.created += created
        report.courses += 1
        course.fields.set([terms[("field", s)] for s in row.get("fields", [])])
        course.levers.set([terms[("lever", s)] for s in row.get("levers", [])])
        report.lessons += _write_modules(course, row["modules"], resources)
        courses[course.key] = course
    for row in data["courses"]:
        required = Course.objects.filter(key__in=row.get("prerequisites", []))
        courses[row["key"]].prerequisites.set(required)
    for course in courses.values():
        if course.status == Status.DRAFT:
            course.status, course.published_at = Status.PUBLISHED, timezone.now()
            course.save(update_fields=["status", "published_at"])
        reindex_course(course)
    for position, row in enumerate(data.get("pathways", []), start=1):
        _write_pathway(row, position, resources, is_sample)
        report.pathways += 1


def _write_modules(course: Course, modules: list[dict], resources: dict[str, Resource]) -> int:
    existing = list(course.modules.order_by("position", "id"))
    count = 0
    for position, row in enumerate(modules, start=1):
        module = existing[position - 1] if position <= len(existing) else Module(course=course)
        module.title, module.position = row["title"], position
        module.save()
        for lesson_position, item in enumerate(row.get("lessons", []), start=1):
            lesson = Lesson.objects.filter(key=item["key"]).first() or Lesson(key=item["key"])
            lesson.module, lesson.position = module, lesson_position
            lesson.title, lesson.body = item["title"], item.get("body", "")
            lesson.video_url, lesson.transcript = (
                item.get("video_url", ""),
                item.get("transcript", ""),
            )
            lesson.save()
            lesson.resources.set([resources[ref] for ref in item.get("resources", [])])
            _write_quiz(lesson, item.get("quiz", []))
            count += 1
    return count


def _write_quiz(lesson: Lesson, questions: list[dict]) -> None:
    existing = list(lesson.questions.order_by("position", "id"))
    for position, row in enumerate(questions, start=1):
        question = existing[position - 1] if position <= len(existing) else Question(lesson=lesson)
        question.text, question.position = row["text"], position
        question.kind = row.get("kind", Question.Kind.SINGLE)
        question.explanation = row.get("explanation", "")
        question.save()
        choices = list(question.choices.order_by("position", "id"))
        for number, answer in enumerate(row["choices"], start=1):
            choice = choices[number - 1] if number <= len(choices) else Choice(question=question)
            choice.text, choice.is_correct = answer["text"], bool(answer.get("correct"))
            choice.position = number
            choice.save()
        Choice.objects.filter(pk__in=[c.pk for c in choices[len(row["choices"]) :]]).delete()
    Question.objects.filter(pk__in=[q.pk for q in existing[len(questions) :]]).delete()


def _write_pathway(
    row: dict[str, Any], position: int, resources: dict[str, Resource], is_sample: bool
) -> None:
    pathway, _ = Pathway.objects.update_or_create(
        key=row["key"],
        defaults={
            "title": row["title"],
            "goal": row["goal"],
            "description": row.get("description", ""),
            "position": position,
            "status": Status.PUBLISHED,
            "is_sample": row.get("is_sample", is_sample),
        },
    )
    keep = []
    for number, item in enumerate(row["steps"], start=1):
        course = Course.objects.get(key=item["course"]) if item.get("course") else None
        resource = resources[item["resource"]] if item.get("resource") else None
        step, _ = PathwayStep.objects.update_or_create(
            pathway=pathway,
            course=course,
            resource=resource,
            defaults={"position": number, "note": item.get("note", "")},
        )
        keep.append(step.pk)
    pathway.steps.exclude(pk__in=keep).delete()

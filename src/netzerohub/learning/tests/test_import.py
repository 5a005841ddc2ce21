"""`import_courses`: the demo file loads; a second run changes nothing and keeps learners'
progress; problems are reported and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from netzerohub.core.models import SearchDocument
from netzerohub.knowledge import services as knowledge_services
from netzerohub.knowledge.tests.factories import ResourceFactory
from netzerohub.learning import services
from netzerohub.learning.importing import import_file
from netzerohub.learning.models import (
    Course,
    Lesson,
    LessonProgress,
    Pathway,
    PathwayStep,
    Question,
)
from netzerohub.learning.tests.factories import right_answers

pytestmark = pytest.mark.django_db

DEMO = Path(services.__file__).parent / "data" / "demo" / "courses.json"
KNOWLEDGE_DEMO = Path(knowledge_services.__file__).parent / "data" / "demo" / "resources.json"


def small(tmp_path: Path, **changes) -> Path:
    course = {
        "key": "c1", "title": "Inventory basics", "summary": "S", "duration_minutes": 60,
        "level": "introductory", "fields": ["energy-systems"], "levers": [], "step": "act",
        "modules": [{"title": "M", "lessons": [
            {"key": "l1", "title": "One", "body": "B", "resources": ["r1"],
             "quiz": [{"text": "Q", "kind": "single", "explanation": "E",
                       "choices": [{"text": "yes", "correct": True}, {"text": "no"}]}]},
            {"key": "l2", "title": "Two", "body": "B"},
        ]}],
    }  # fmt: skip
    course.update(changes)
    data = {
        "courses": [course],
        "pathways": [{"key": "p1", "title": "P", "goal": "G",
                      "steps": [{"course": "c1"}, {"resource": "r1", "note": "Read"}]}],
    }  # fmt: skip
    path = tmp_path / "courses.json"
    path.write_text(json.dumps(data))
    return path


def test_the_demo_file_imports_fully_and_as_sample():
    # The demo's knowledge resources, as published resources with the same keys.
    for row in json.loads(KNOWLEDGE_DEMO.read_text()):
        ResourceFactory(key=row["key"], title=row["title"])
    report = import_file(DEMO, is_sample=True)
    assert report.errors == []
    assert report.courses >= 12 and report.pathways == 6
    assert Course.objects.published().filter(is_sample=True).count() == report.courses
    for course in Course.objects.all():
        assert course.lessons.count() >= 3, course.key
        assert Question.objects.filter(lesson__course=course).exists(), course.key
    assert SearchDocument.objects.filter(kind="learning.course").count() == report.courses
    assert Pathway.objects.published().count() == 6


def test_a_second_import_keeps_identities_and_progress(tmp_path, member):
    ResourceFactory(key="r1")
    path = small(tmp_path)
    import_file(path)
    course = Course.objects.get(key="c1")
    lesson = Lesson.objects.get(key="l1")
    services.enrol_in_course(course, user=member)
    services.submit_quiz(lesson, user=member, token="t", answers=right_answers(lesson))
    ids = (
        set(Lesson.objects.values_list("pk", flat=True)),
        set(Question.objects.values_list("pk", flat=True)),
        set(PathwayStep.objects.values_list("pk", flat=True)),
    )
    report = import_file(small(tmp_path, title="Inventory basics, revised"))
    assert report.errors == [] and report.created == 0
    course.refresh_from_db()
    assert course.title == "Inventory basics, revised"
    assert ids == (
        set(Lesson.objects.values_list("pk", flat=True)),
        set(Question.objects.values_list("pk", flat=True)),
        set(PathwayStep.objects.values_list("pk", flat=True)),
    )
    assert LessonProgress.objects.filter(user=member, lesson=lesson).exists()


def test_problems_are_reported_and_nothing_is_written(tmp_path):
    path = small(tmp_path, level="expert", fields=["no-such-field"], prerequisites=["c1"])
    data = json.loads(path.read_text())
    data["courses"][0]["modules"][0]["lessons"][1]["video_url"] = "javascript:alert(1)"
    path.write_text(json.dumps(data))
    report = import_file(path)
    assert any("the video link must be http(s)" in e for e in report.errors)
    assert any("unknown level 'expert'" in e for e in report.errors)
    assert any("unknown field 'no-such-field'" in e for e in report.errors)
    assert any("prerequisite 'c1' is not another course" in e for e in report.errors)
    assert any("no published resource 'r1'" in e for e in report.errors)
    assert not Course.objects.exists()


def test_the_command_checks_with_dry_run_and_fails_loudly(tmp_path, capsys):
    ResourceFactory(key="r1")
    call_command("import_courses", str(small(tmp_path)), "--dry-run")
    assert "no problems" in capsys.readouterr().out
    assert not Course.objects.exists()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError):
        call_command("import_courses", str(bad))
    with pytest.raises(CommandError, match="problems"):
        call_command("import_courses", str(small(tmp_path, modules=[])))

"""Synthetic learning programme for the benchmark: courses, pathways, enrolments and progress.

- 40 published courses `bench-course-01`… of 2–3 modules and 8–12 lessons each (a Markdown text
  of ~150 words per lesson, a description of ~100 words with headings and a list), a quiz of two
  questions (three answers each) on about a third of the lessons, 1–2 fields, 1–2 levers and a
  step; each course is indexed for the catalogue with `learning.indexing.reindex_course`;
- 5 published pathways `bench-pathway-1`… of 3–5 of those courses;
- for every synthetic person (`bench-user-NNNNN@bench.invalid`, seeded by `seed.py`): 2–4
  course enrolments and one pathway enrolment, and 20 lessons done (`LessonProgress`), taken in
  each course's order; a course whose every lesson is done is a completed enrolment with its
  certificate, a pathway whose every course is completed is a completed enrolment; the
  enrolment's `last_lesson` is the last lesson done;
- a team: the first synthetic city gets 500 approved members among the synthetic people (one of
  them its lead), so that the team progress page has 20 pages of 25 members.

Rows are built in memory and written with `bulk_create` in batches (`Lesson.course_id` is set
from the module's course, as `Lesson.save()` does). Each learner's rows come from a random
generator seeded with the learner's id, so the data does not depend on the order of the work.
Seeding tops up: people with no enrolment in a synthetic course get theirs, missing courses and
pathways are added, the team is filled up to its size; it does nothing when every target is met.
The whole step is one transaction; PostgreSQL then runs `ANALYZE`.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import seed as base
from django.db import connection, transaction
from django.utils import timezone

from netzerohub.cities.models import City, Membership
from netzerohub.core.models import Term
from netzerohub.learning.indexing import reindex_course
from netzerohub.learning.models import (
    Certificate,
    Choice,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Level,
    Module,
    Pathway,
    PathwayStep,
    Question,
    Status,
)

COURSES = 40
PATHWAYS = 5
PROGRESS_PER_LEARNER = 20
TEAM_MEMBERS = 500
BATCH = 5_000
LEARNERS_PER_BATCH = 2_000
COURSE_PREFIX = "bench-course-"
LESSON_PREFIX = "bench-lesson-"
PATHWAY_PREFIX = "bench-pathway-"
MODULES_PER_COURSE = (2, 3)
LESSONS_PER_COURSE = (8, 12)
QUIZ_SHARE = 0.3
COURSES_PER_LEARNER = (2, 4)
COURSES_PER_PATHWAY = (3, 5)
FINISH_SHARE = 0.4  # chance that a learner finishes a course before starting the next one

WORDS = """
    city municipal energy climate plan data local project people public council emissions
    buildings action network support process urban national regional measures sector target
    housing cost funding services partners district approach working group results evidence
    monitoring neighbourhood residents households transport mobility heat electricity
    transition strategy policy governance budget finance investment team department staff
    companies schools university citizens community engagement workshop survey pilot programme
    framework indicators report tool method guidance lessons challenges barriers opportunities
    benefits risks impact reduction carbon baseline inventory scenario pathway modelling
    analysis assessment mapping portfolio procurement contract agreement mandate leadership
    partnership cooperation learning capacity skills training stakeholders renewable solar
    insulation retrofit heating cooling cycling walking buses charging waste recycling
    adaptation resilience biodiversity zoning incentives grants loans savings jobs health
""".split()  # noqa: SIM905 - a word list reads best as text
TOPICS = (
    "Climate City Contracts",
    "Transition teams",
    "Emission inventories",
    "Heat planning",
    "Building renovation",
    "Sustainable mobility",
    "Climate finance",
    "Citizen engagement",
    "Public procurement",
    "Renewable energy communities",
    "Nature-based solutions",
    "Monitoring and evaluation",
    "Circular economy",
    "Portfolio design",
)
LEVELS = (Level.INTRODUCTORY, Level.INTERMEDIATE, Level.ADVANCED)


@dataclass(frozen=True)
class Targets:
    courses: int = COURSES
    pathways: int = PATHWAYS
    progress: int = PROGRESS_PER_LEARNER  # lessons done per learner
    team: int = TEAM_MEMBERS  # approved members of the team city
    learners: int | None = None  # how many synthetic people learn; None: all of them


def bench_courses():
    return Course.objects.filter(key__startswith=COURSE_PREFIX)


def bench_pathways():
    return Pathway.objects.filter(key__startswith=PATHWAY_PREFIX)


def course_key(number: int) -> str:
    return f"{COURSE_PREFIX}{number:02d}"


def team_city() -> City | None:
    """The city whose team the benchmark's team progress page shows: the first synthetic one."""
    cities = City.objects.order_by("pk")
    return cities.filter(source=City.Source.SYNTHETIC).first() or cities.first()


def team_lead(city: City) -> Any:
    """The synthetic person who leads `city`'s team (the first by id)."""
    lead = (
        Membership.objects.approved()
        .filter(city=city, role=Membership.Role.LEAD, user__in=base.bench_users())
        .order_by("user_id")
        .select_related("user")
        .first()
    )
    return lead.user if lead else None


# --- text ------------------------------------------------------------------------------------


def _sentences(rng: random.Random, words: int) -> str:
    out = []
    for index, word in enumerate(rng.choices(WORDS, k=words)):
        if index % 14 == 0:
            word = word.capitalize()
        if index % 14 == 13 or index == words - 1:
            word += "."
        out.append(word)
    return " ".join(out)


def _markdown(rng: random.Random, headings: tuple[str, str], words: int) -> str:
    items = "\n".join(f"- {_sentences(rng, 8)}" for _ in range(3))
    half = words // 2
    return (
        f"## {headings[0]}\n\n{_sentences(rng, half)}\n\n{items}\n\n"
        f"## {headings[1]}\n\n{_sentences(rng, words - half - 24)}\n"
    )


# --- courses and pathways --------------------------------------------------------------------


def _terms() -> dict[str, list[Term]]:
    terms: dict[str, list[Term]] = {"field": [], "lever": [], "step": []}
    for term in Term.objects.order_by("kind", "position", "pk"):
        terms.setdefault(term.kind, []).append(term)
    return terms


def _course(number: int, rng: random.Random, terms: dict[str, list[Term]], now: dt.datetime):
    topic = TOPICS[(number - 1) % len(TOPICS)]
    level = LEVELS[(number - 1) % len(LEVELS)]
    return Course(
        key=course_key(number),
        title=f"{topic}: {str(level.label).lower()} course {number:02d}",
        summary=_sentences(rng, 30)[:400],
        description=_markdown(rng, ("What you will learn", "Who it is for"), 100),
        level=level,
        duration_minutes=0,  # set from the lessons below
        step=rng.choice(terms["step"]) if terms["step"] else None,
        language="en",
        pass_mark=70,
        status=Status.PUBLISHED,
        published_at=now - dt.timedelta(days=rng.randint(1, 600)),
    )


@transaction.atomic
def seed_courses(count: int, seed_value: int, log: Callable[..., None]) -> int:
    """Add the missing synthetic courses, with their modules, lessons and quizzes; index them."""
    existing = set(bench_courses().values_list("key", flat=True))
    numbers = [n for n in range(1, count + 1) if course_key(n) not in existing]
    if not numbers:
        return 0
    terms, now = _terms(), timezone.now()
    rngs = {n: random.Random(seed_value * 7_919 + n) for n in numbers}
    courses = [_course(n, rngs[n], terms, now) for n in numbers]
    lesson_counts = {n: rngs[n].randint(*LESSONS_PER_COURSE) for n in numbers}
    for course, n in zip(courses, numbers, strict=True):
        course.duration_minutes = 12 * lesson_counts[n]
    courses = Course.objects.bulk_create(courses)
    if any(c.pk is None for c in courses):
        by_key = dict(bench_courses().values_list("key", "pk"))
        for c in courses:
            c.pk = by_key[c.key]

    modules: list[Module] = []
    plan: list[tuple[Course, int, Module, int]] = []  # course, number, module, its lesson count
    for course, n in zip(courses, numbers, strict=True):
        rng, lessons = rngs[n], lesson_counts[n]
        parts = rng.randint(*MODULES_PER_COURSE)
        sizes = [lessons // parts + (1 if i < lessons % parts else 0) for i in range(parts)]
        for position, size in enumerate(sizes, start=1):
            title = f"Part {position}: {_sentences(rng, 4)[:-1]}"
            module = Module(course=course, title=title, position=position)
            modules.append(module)
            plan.append((course, n, module, size))
    Module.objects.bulk_create(modules)

    lessons: list[Lesson] = []
    quizzed: list[Lesson] = []
    numbering: dict[int, int] = {}
    for course, n, module, size in plan:
        rng = rngs[n]
        for _ in range(size):
            numbering[n] = numbering.get(n, 0) + 1
            number = numbering[n]
            lesson = Lesson(
                course_id=course.pk,  # what Lesson.save() sets from the module
                module=module,
                key=f"{LESSON_PREFIX}{n:02d}-{number:02d}",
                title=f"Lesson {number}: {_sentences(rng, 5)[:-1]}",
                body=_markdown(rng, ("Why it matters", "How cities do it"), 150),
                video_url=f"https://video.bench.invalid/{n:02d}/{number:02d}"
                if rng.random() < 0.2
                else "",
                position=number,
            )
            lessons.append(lesson)
            if rng.random() < QUIZ_SHARE:
                quizzed.append(lesson)
    Lesson.objects.bulk_create(lessons, batch_size=BATCH)

    questions: list[Question] = []
    for lesson in quizzed:
        for position, kind in enumerate((Question.Kind.SINGLE, Question.Kind.MULTIPLE), start=1):
            questions.append(
                Question(
                    lesson=lesson,
                    text=f"Question {position} on {lesson.title[:80]}?",
                    kind=kind,
                    explanation="Because the lesson says so.",
                    position=position,
                )
            )
    Question.objects.bulk_create(questions, batch_size=BATCH)
    choices = [
        Choice(question=q, text=text, is_correct=right, position=position)
        for q in questions
        for position, (text, right) in enumerate(
            [("A", True), ("B", q.kind == Question.Kind.MULTIPLE), ("C", False)]
        )
    ]
    Choice.objects.bulk_create(choices, batch_size=BATCH)

    Fields, Levers = Course.fields.through, Course.levers.through
    field_rows, lever_rows = [], []
    for course, n in zip(courses, numbers, strict=True):
        rng = rngs[n]
        for term in rng.sample(terms["field"], min(len(terms["field"]), rng.randint(1, 2))):
            field_rows.append(Fields(course_id=course.pk, term_id=term.pk))
        for term in rng.sample(terms["lever"], min(len(terms["lever"]), rng.randint(1, 2))):
            lever_rows.append(Levers(course_id=course.pk, term_id=term.pk))
    Fields.objects.bulk_create(field_rows)
    Levers.objects.bulk_create(lever_rows)

    started = time.monotonic()
    for course in bench_courses().filter(pk__in=[c.pk for c in courses]).select_related("step"):
        reindex_course(course)
    log(f"  indexed {len(courses)} courses in {time.monotonic() - started:.1f}s")
    return len(courses)


@transaction.atomic
def seed_pathways(count: int, seed_value: int) -> int:
    existing = set(bench_pathways().values_list("key", flat=True))
    numbers = [n for n in range(1, count + 1) if f"{PATHWAY_PREFIX}{n}" not in existing]
    course_ids = list(bench_courses().order_by("key").values_list("pk", flat=True))
    if not numbers or not course_ids:
        return 0
    pathways, steps = [], []
    for n in numbers:
        rng = random.Random(seed_value * 104_729 + n)
        pathway = Pathway(
            key=f"{PATHWAY_PREFIX}{n}",
            title=f"Pathway {n}: {TOPICS[(n * 3) % len(TOPICS)].lower()} in practice",
            goal=_sentences(rng, 16)[:300],
            description=_markdown(rng, ("Why this pathway", "How to follow it"), 80),
            status=Status.PUBLISHED,
            position=n,
        )
        pathways.append(pathway)
        chosen = rng.sample(course_ids, min(len(course_ids), rng.randint(*COURSES_PER_PATHWAY)))
        steps.append([PathwayStep(course_id=c, position=i) for i, c in enumerate(chosen, 1)])
    pathways = Pathway.objects.bulk_create(pathways)
    if any(p.pk is None for p in pathways):
        by_key = dict(bench_pathways().values_list("key", "pk"))
        for p in pathways:
            p.pk = by_key[p.key]
    rows = []
    for pathway, pathway_steps in zip(pathways, steps, strict=True):
        for step in pathway_steps:
            step.pathway_id = pathway.pk
            rows.append(step)
    PathwayStep.objects.bulk_create(rows)
    return len(pathways)


# --- learners --------------------------------------------------------------------------------


@dataclass
class Catalogue:
    """The synthetic courses' lessons in order, and the pathways' courses."""

    lessons: dict[int, list[int]]  # course id -> lesson ids in the order of the outline
    titles: dict[int, str]  # course id -> title (copied on certificates)
    pathways: dict[int, list[int]]  # pathway id -> course ids of its steps

    @classmethod
    def load(cls) -> Catalogue:
        lessons: dict[int, list[int]] = {}
        rows = (
            Lesson.objects.filter(course__in=bench_courses())
            .order_by("course_id", "module__position", "module_id", "position", "pk")
            .values_list("course_id", "pk")
        )
        for course_id, lesson_id in rows:
            lessons.setdefault(course_id, []).append(lesson_id)
        pathways: dict[int, list[int]] = {}
        for pathway_id, course_id in (
            PathwayStep.objects.filter(pathway__in=bench_pathways(), course__isnull=False)
            .order_by("pathway_id", "position", "pk")
            .values_list("pathway_id", "course_id")
        ):
            pathways.setdefault(pathway_id, []).append(course_id)
        titles = dict(bench_courses().values_list("pk", "title"))
        return cls(lessons, titles, pathways)


def _learner(
    user_id: int, name: str, catalogue: Catalogue, progress: int, seed_value: int, now
) -> tuple[list[Enrolment], list[LessonProgress], list[Certificate]]:
    """One learner's enrolments, lessons done and certificates (not saved)."""
    rng = random.Random(seed_value * 1_000_003 + user_id)
    course_ids = sorted(catalogue.lessons)
    chosen = rng.sample(course_ids, min(len(course_ids), rng.randint(*COURSES_PER_LEARNER)))
    while sum(len(catalogue.lessons[c]) for c in chosen) < progress and len(chosen) < len(
        course_ids
    ):
        chosen.append(rng.choice([c for c in course_ids if c not in chosen]))
    done: dict[int, int] = {}
    remaining = progress
    for index, course_id in enumerate(chosen):
        size = len(catalogue.lessons[course_id])
        if index == len(chosen) - 1 or rng.random() < FINISH_SHARE:
            done[course_id] = min(remaining, size)
        else:
            done[course_id] = min(remaining, rng.randint(1, size - 1))
        remaining -= done[course_id]
    for course_id in chosen:  # what is left goes to the courses with lessons still open
        extra = min(remaining, len(catalogue.lessons[course_id]) - done[course_id])
        done[course_id] += extra
        remaining -= extra

    enrolments, rows, certificates = [], [], []
    completed_courses = set()
    for course_id in chosen:
        lessons = catalogue.lessons[course_id][: done[course_id]]
        completed = len(lessons) == len(catalogue.lessons[course_id])
        if completed:
            completed_courses.add(course_id)
            certificates.append(
                Certificate(
                    user_id=user_id,
                    course_id=course_id,
                    holder_name=name,
                    course_title=catalogue.titles[course_id],
                    issued_on=now.date(),
                )
            )
        enrolments.append(
            Enrolment(
                user_id=user_id,
                course_id=course_id,
                last_lesson_id=lessons[-1] if lessons else None,
                completed=now if completed else None,
            )
        )
        rows += [LessonProgress(user_id=user_id, lesson_id=lesson) for lesson in lessons]
    if catalogue.pathways:
        pathway_id = rng.choice(sorted(catalogue.pathways))
        steps = catalogue.pathways[pathway_id]
        enrolments.append(
            Enrolment(
                user_id=user_id,
                pathway_id=pathway_id,
                completed=now if set(steps) <= completed_courses else None,
            )
        )
    return enrolments, rows, certificates


@transaction.atomic
def seed_learners(targets: Targets, seed_value: int, log: Callable[..., None]) -> dict[str, int]:
    """Enrolments, lessons done and certificates of the synthetic people who have none yet."""
    catalogue = Catalogue.load()
    if not catalogue.lessons:
        return {}
    people = base.bench_users().order_by("pk").values_list("pk", "name", "email")
    if targets.learners is not None:
        people = people[: targets.learners]
    enrolled = set(
        Enrolment.objects.filter(course__in=bench_courses()).values_list("user_id", flat=True)
    )
    missing = [(pk, name or email) for pk, name, email in people if pk not in enrolled]
    added = {"enrolments": 0, "lesson_progress": 0, "certificates": 0}
    now = timezone.now()
    started = time.monotonic()
    for start in range(0, len(missing), LEARNERS_PER_BATCH):
        enrolments, rows, certificates = [], [], []
        for user_id, name in missing[start : start + LEARNERS_PER_BATCH]:
            e, r, c = _learner(user_id, name, catalogue, targets.progress, seed_value, now)
            enrolments += e
            rows += r
            certificates += c
        Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
        LessonProgress.objects.bulk_create(rows, batch_size=BATCH)
        Certificate.objects.bulk_create(certificates, batch_size=BATCH)
        added["enrolments"] += len(enrolments)
        added["lesson_progress"] += len(rows)
        added["certificates"] += len(certificates)
        if len(missing) > LEARNERS_PER_BATCH:
            done = min(start + LEARNERS_PER_BATCH, len(missing))
            log(f"    {done:,} of {len(missing):,} learners ({time.monotonic() - started:.0f}s)")
    added["learners"] = len(missing)
    return added


@transaction.atomic
def seed_team(size: int) -> int:
    """Fill the team city up to `size` approved members among the synthetic people; the first
    one added leads it when no synthetic person does yet."""
    city = team_city()
    if city is None or size <= 0:
        return 0
    members = Membership.objects.approved().filter(city=city)
    missing = size - members.count()
    if missing <= 0:
        return 0
    taken = set(
        Membership.objects.filter(
            city=city, status__in=[Membership.Status.PENDING, Membership.Status.APPROVED]
        ).values_list("user_id", flat=True)
    )
    people = base.bench_users().order_by("pk").values_list("pk", flat=True)
    users = [pk for pk in people if pk not in taken][:missing]
    has_lead = team_lead(city) is not None
    now = timezone.now()
    rows = [
        Membership(
            user_id=user_id,
            city=city,
            status=Membership.Status.APPROVED,
            role=Membership.Role.LEAD if index == 0 and not has_lead else Membership.Role.MEMBER,
            decided_at=now,
        )
        for index, user_id in enumerate(users)
    ]
    Membership.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def seed(
    targets: Targets | None = None, *, seed_value: int = 2050, log: Callable[..., None] = print
) -> dict[str, Any]:
    """Top the learning data up to its targets; returns what was added and the timings."""
    targets = targets or Targets()
    report: dict[str, Any] = {}
    started = time.monotonic()
    with transaction.atomic():
        for name, step in (
            ("courses", lambda: seed_courses(targets.courses, seed_value, log)),
            ("pathways", lambda: seed_pathways(targets.pathways, seed_value)),
            ("learners", lambda: seed_learners(targets, seed_value, log)),
            ("team_members", lambda: seed_team(targets.team)),
        ):
            step_started = time.monotonic()
            added = step()
            seconds = round(time.monotonic() - step_started, 2)
            if isinstance(added, dict):
                report |= added
            else:
                report[name] = added
            if any(added.values()) if isinstance(added, dict) else added:
                report[f"{name}_s"] = seconds
                log(f"  seeded {name}: {added} in {seconds:.1f}s")
    changed = any(v for k, v in report.items() if not k.endswith("_s"))
    if changed:
        report["seed_s"] = round(time.monotonic() - started, 2)
        if connection.vendor == "postgresql":
            analyze_started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            report["analyze_s"] = round(time.monotonic() - analyze_started, 2)
    return report

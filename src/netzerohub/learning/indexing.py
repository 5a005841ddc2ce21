"""What the catalogue search knows about a course (through `core.search`)."""

from __future__ import annotations

from netzerohub.core import search
from netzerohub.core.markdown import plain_text

from .models import Course, Status

# Duration bands of the catalogue's filter: (value, upper bound in minutes, inclusive).
DURATIONS = (("short", 60), ("medium", 180), ("long", None))


def duration_band(minutes: int) -> str:
    for value, upper in DURATIONS:
        if upper is None or minutes <= upper:
            return value
    return DURATIONS[-1][0]


def reindex_course(course: Course) -> None:
    """Index a published course (everyone may find it); take anything else out of the index."""
    if course.status != Status.PUBLISHED:
        search.unindex_object(course)
        return
    lessons = course.lessons.order_by("position", "id").values_list("title", "body")
    text = "\n".join(
        [course.summary, plain_text(course.description)]
        + [f"{title}\n{plain_text(body)}" for title, body in lessons]
    )
    search.index_object(
        course,
        title=course.title,
        text=text,
        audience="public",
        date=course.published_at.date() if course.published_at else None,
        facets={
            "field": [t.slug for t in course.fields.all()],
            "lever": [t.slug for t in course.levers.all()],
            "step": [course.step.slug] if course.step_id else [],
            "level": [course.level],
            "language": [course.language],
            "duration": [duration_band(course.duration_minutes)],
        },
    )

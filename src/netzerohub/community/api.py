"""Peer groups API: the groups, and one group with its facilitators, phases and upcoming
meetings (times in UTC; a meeting's video link is in the events API, for those who may see it).
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from netzerohub.accounts.auth import OPTIONAL_AUTH
from netzerohub.core.api import ErrorOut, ValidationErrorOut
from netzerohub.core.markdown import render_markdown
from netzerohub.core.paging import paginate
from netzerohub.core.querysets import make_key
from netzerohub.events.api import utc
from netzerohub.events.caching import content_version
from netzerohub.events.models import Event

from .models import Group
from .policies import get_group_for_user

router = Router(tags=["peer groups"])
PER_PAGE = 25


class ThemeOut(Schema):
    slug: str
    name: str
    kind: str = Field(description="field (of action) or lever (of change)")


class GroupOut(Schema):
    slug: str
    title: str
    summary: str
    theme: ThemeOut
    language: str = Field(description="Working language, ISO 639-1")
    admission: str = Field(description="open (join at once) or application")
    seats_per_city: int | None = Field(None, description="Null for no limit")
    status: str = Field(description="open or closed (drafts, archived: coordinators)")
    is_sample: bool
    url: str


class GroupPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[GroupOut]


class PhaseOut(Schema):
    position: int
    title: str
    description: str = Field(description="Markdown")
    starts_on: datetime.date
    ends_on: datetime.date


class MeetingOut(Schema):
    id: int = Field(description="The event id (see /events/{id})")
    title: str
    status: str
    starts_at: datetime.datetime = Field(description="UTC")
    ends_at: datetime.datetime = Field(description="UTC")
    url: str


class GroupDetailOut(GroupOut):
    description: str = Field(description="Markdown")
    description_html: str = Field(description="The description rendered and sanitised")
    facilitators: list[str] = Field(description="Their names")
    phases: list[PhaseOut]
    meetings: list[MeetingOut] = Field(description="Upcoming meetings, soonest first")


class GroupFilters(Schema):
    theme: str = Field(
        "", pattern="^[a-z0-9-]{0,60}$", description="A field of action or lever of change slug"
    )
    language: str = Field("", pattern="^[a-z]{0,3}$", description="ISO 639-1 code")
    page: int = Field(1, ge=1, le=100000)


def _group(group: Group) -> dict:
    theme = group.theme
    return {
        "slug": group.slug,
        "title": group.title,
        "summary": group.summary,
        "theme": {"slug": theme.slug, "name": theme.name, "kind": theme.kind},
        "language": group.language,
        "admission": group.admission,
        "seats_per_city": group.seats_per_city,
        "status": group.status,
        "is_sample": group.is_sample,
        "url": group.get_absolute_url(),
    }


@router.get(
    "/groups",
    auth=OPTIONAL_AUTH,
    response={200: GroupPageOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Peer discussion groups",
)
def groups(request: HttpRequest, filters: Query[GroupFilters]) -> dict:
    """Open groups and those closed to new members, by title (coordinators also see drafts and
    archived groups; facilitators their own). Unknown filter values find nothing."""
    user = request.user
    found = Group.objects.visible_to(user).select_related("theme")
    if filters.theme:
        found = found.filter(theme__slug=filters.theme)
    if filters.language:
        found = found.filter(language=filters.language)
    scope = "coordinator" if user.is_authenticated and user.is_coordinator else user.pk
    question = filters.dict(exclude={"page"})
    page = paginate(
        found.order_by("title", "id"),
        filters.page,
        PER_PAGE,
        count_key=make_key("community.api.groups", scope, question, content_version()),
    )
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_group(g) for g in page.object_list],
    }


@router.get(
    "/groups/{slug}",
    auth=OPTIONAL_AUTH,
    response={200: GroupDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="One peer group with its phases and upcoming meetings",
)
def group(request: HttpRequest, slug: str) -> dict:
    """404 for a missing group and for a draft or archived one the caller may not see alike."""
    user = request.user
    found = get_group_for_user(user, slug)
    meetings = (
        Event.objects.meetings()
        .for_group(found)
        .visible_to(user)
        .upcoming()
        .order_by("starts_at", "id")
        .only("pk", "title", "status", "starts_at", "ends_at")
    )
    return {
        **_group(found),
        "description": found.description,
        "description_html": str(render_markdown(found.description)),
        # Names only: a person without one is left out rather than shown by email address.
        "facilitators": [
            name
            for name in found.facilitators.order_by("name").values_list("name", flat=True)
            if name
        ],
        "phases": [
            {
                "position": phase.position,
                "title": phase.title,
                "description": phase.description,
                "starts_on": phase.starts_on,
                "ends_on": phase.ends_on,
            }
            for phase in found.phases.all()
        ],
        "meetings": [
            {
                "id": m.pk,
                "title": m.title,
                "status": m.status,
                "starts_at": utc(m.starts_at),
                "ends_at": utc(m.ends_at),
                "url": m.get_absolute_url(),
            }
            for m in meetings
        ],
    }

"""From insight to activity: a coordinator turns a result of a survey (an option many cities
chose, such as a field of action they need support in) into a DRAFT peer group or a DRAFT
national event in one click, prefilled from the result, and lands on its edit page.

The drafts are created through the services of their apps (`community.services.save_group`,
`events.services.save_event`), so they are audited there as any other group or event; the
survey's own history records that a draft was made from it (`surveys.draft.created`).

A draft is made from an option of a choice question (single or multiple choice, the pickers of
fields and levers). Its description cites the result as the analytics page shows it (over all
submitted responses, `analytics.survey_analytics`): how many of the responses that answered the
question chose the option. The option's term (a picker's field or lever, or a term whose name
the option's label is) becomes the group's theme and the event's field or lever; a group needs a
theme, so an option without one can only become an event.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from netzerohub.community import services as community_services
from netzerohub.community.models import Group
from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.models import Term
from netzerohub.core.policies import coordinator_only
from netzerohub.events import services as event_services
from netzerohub.events.models import Event

from . import analytics, answering, exports  # noqa: F401  (exports registers its audit label)
from .models import Option, Question, Survey
from .policies import get_survey_for_user

register_labels({"surveys.draft.created": _l("Draft activity made from survey results")})

THEME_KINDS = (Term.Kind.FIELD, Term.Kind.LEVER)
EVENT_WEEKS_AHEAD = 4  # a drafted event is put four weeks ahead, 10:00-11:30 local time
EVENT_START = dt.time(10, 0)
EVENT_MINUTES = 90


class InsightError(Exception):
    """A draft that cannot be made; the message is shown to the coordinator as it is."""


@dataclass(frozen=True)
class Result:
    """How many of the submitted responses that answered a question chose an option (the
    analytics page's numbers)."""

    chose: int
    answered: int

    @property
    def percent(self) -> int:
        return round(100 * self.chose / self.answered) if self.answered else 0


def chosen_option(survey: Survey, data: Mapping[str, Any]) -> tuple[Question, Option]:
    """The question and option named by `data` (`question` and `option` ids): an option of a
    choice question of `survey` (read from its cached structure), or InsightError."""
    message = _("Choose an answer of one of this survey’s choice questions to draft from.")
    try:
        question_id = int(str(data.get("question", "")).strip())
        option_id = int(str(data.get("option", "")).strip())
    except ValueError:
        raise InsightError(message) from None
    structure = answering.structure(survey.pk)
    question = next((q for q in structure.questions.all() if q.pk == question_id), None)
    if question is None or not question.is_choice:
        raise InsightError(message)
    option = next((o for o in question.options.all() if o.pk == option_id), None)
    if option is None:
        raise InsightError(message)
    return question, option


def result_of(survey: Survey, question: Question, option: Option) -> Result:
    """The option's result as the analytics page shows it (its cached numbers, all submitted
    responses): chosen by so many of the responses that answered the question."""
    stats = analytics.survey_analytics(survey).questions.get(question.pk)
    if stats is None:
        return Result(chose=0, answered=0)
    row = stats.row(option.pk)
    return Result(chose=row.count if row is not None else 0, answered=stats.answered)


def citation(survey: Survey, question: Question, option: Option, result: Result) -> str:
    """The sentence that says where a draft comes from."""
    values = {
        "survey": survey.title,
        "n": result.chose,
        "m": result.answered,
        "percent": result.percent,
        "option": option.label,
        "question": question.text,
    }
    if survey.per_city:
        text = _(
            "In the survey “%(survey)s”, %(n)s of the %(m)s cities that answered "
            "“%(question)s” (%(percent)s %%) chose “%(option)s”."
        )
    else:
        text = _(
            "In the survey “%(survey)s”, %(n)s of the %(m)s respondents who answered "
            "“%(question)s” (%(percent)s %%) chose “%(option)s”."
        )
    return text % values


def theme_of(option: Option) -> Term | None:
    """The field of action or lever of change an option stands for: a picker's term, or the
    term whose name is the option's label."""
    if option.term is not None:
        return option.term if option.term.kind in THEME_KINDS else None
    return Term.objects.filter(kind__in=THEME_KINDS, name__iexact=option.label.strip()).first()


def _group_slug(title: str) -> str:
    base = slugify(title)[:70] or "peer-group"
    taken = set(
        Group.objects.filter(
            models.Q(slug=base) | models.Q(slug__startswith=f"{base}-")
        ).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _record(survey: Survey, question: Question, option: Option, made: Any, *, actor: Any) -> None:
    log_action(
        "surveys.draft.created",
        actor=actor,
        target=survey,
        data={
            "kind": made._meta.label_lower,
            "id": made.pk,
            "question": question.key,
            "option": option.label,
        },
    )


@transaction.atomic
def draft_group(survey: Survey, question: Question, option: Option, *, actor: Any) -> Group:
    """A draft peer group on the option's field or lever, its description citing the result.
    Refused (InsightError) for an option that is no field of action or lever of change."""
    theme = theme_of(option)
    if theme is None:
        raise InsightError(
            _(
                "A peer group works on a field of action or a lever of change, and “%(option)s” "
                "is neither: draft an event instead, or create the group and choose its theme."
            )
            % {"option": option.label}
        )
    result = result_of(survey, question, option)
    title = Truncator(_("Peer group: %(option)s") % {"option": option.label}).chars(200)
    group = Group(
        title=title,
        slug=_group_slug(title),
        summary=Truncator(
            _("For the cities that chose “%(option)s” in the survey “%(survey)s”.")
            % {"option": option.label, "survey": survey.title}
        ).chars(300),
        description=citation(survey, question, option, result),
        theme=theme,
        status=Group.Status.DRAFT,
    )
    group = community_services.save_group(group, actor=actor)
    _record(survey, question, option, group, actor=actor)
    return group


def _event_zone(actor: Any) -> str:
    """The coordinator's time zone (as the events' own new-event page takes it)."""
    name = getattr(actor, "time_zone", "") or "Europe/Brussels"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "Europe/Brussels"
    return name


def _event_times(zone_name: str) -> tuple[dt.datetime, dt.datetime]:
    zone = zoneinfo.ZoneInfo(zone_name)
    day = timezone.localdate(timezone=zone) + dt.timedelta(weeks=EVENT_WEEKS_AHEAD)
    starts = dt.datetime.combine(day, EVENT_START, tzinfo=zone)
    return starts, starts + dt.timedelta(minutes=EVENT_MINUTES)


@transaction.atomic
def draft_event(survey: Survey, question: Question, option: Option, *, actor: Any) -> Event:
    """A draft online national event (a webinar for all registered cities) four weeks ahead,
    its agenda citing the result, with the option's field or lever."""
    result = result_of(survey, question, option)
    zone = _event_zone(actor)
    starts, ends = _event_times(zone)
    event = Event(
        kind=Event.Kind.NATIONAL,
        title=Truncator(_("%(option)s: a webinar for cities") % {"option": option.label}).chars(
            200
        ),
        summary=Truncator(
            _("A webinar for the cities that chose “%(option)s” in the survey “%(survey)s”.")
            % {"option": option.label, "survey": survey.title}
        ).chars(300),
        agenda=citation(survey, question, option, result),
        format=Event.Format.ONLINE,
        audience=Event.Audience.ALL,
        languages=["en"],
        time_zone=zone,
        starts_at=starts,
        ends_at=ends,
        status=Event.Status.DRAFT,
    )
    theme = theme_of(option)
    m2m = {}
    if theme is not None:
        m2m = {"fields" if theme.kind == Term.Kind.FIELD else "levers": [theme]}
    try:
        event = event_services.save_event(event, actor=actor, m2m=m2m)
    except ValidationError as error:  # the defaults above are valid; a message, never a 500
        raise InsightError(" ".join(error.messages)) from None
    _record(survey, question, option, event, actor=actor)
    return event


# --- pages -------------------------------------------------------------------------------------


def _draft(
    request: HttpRequest,
    slug: str,
    make: Callable[..., Any],
    edit: Callable[[Any], str],
    done: str,
) -> HttpResponse:
    survey = get_survey_for_user(request.user, slug, "analyse")
    try:
        question, option = chosen_option(survey, request.POST)
        made = make(survey, question, option, actor=request.user)
    except InsightError as error:
        messages.error(request, str(error))
        return redirect(reverse("surveys:analytics", args=[survey.slug]))
    messages.success(request, done % {"title": made.title})
    return redirect(edit(made))


@coordinator_only
@require_POST
def draft_group_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _draft(
        request,
        slug,
        draft_group,
        lambda group: reverse("community:group-edit", args=[group.slug]),
        _("Draft peer group “%(title)s” made from the survey’s results: complete it and open it."),
    )


@coordinator_only
@require_POST
def draft_event_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _draft(
        request,
        slug,
        draft_event,
        lambda event: reverse("events:event-edit", args=[event.pk]),
        _("Draft event “%(title)s” made from the survey’s results: complete it and publish it."),
    )


urlpatterns = [
    path("manage/<slug:slug>/draft/group/", draft_group_view, name="draft-group"),
    path("manage/<slug:slug>/draft/event/", draft_event_view, name="draft-event"),
]

"""Where responses stand, for pages that list several (the surveys list, the "Surveys" card of
My city), and that card itself.

`progress_of` reads the answers of many responses in two queries, whatever their number, and
gives each the share of its shown questions that are answered (the same figure as
`answering.state_of`, which reads one response)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from netzerohub.cities.policies import is_member

from . import answering
from .models import Answer, Response, Selection, Survey
from .policies import city_in_audience


def progress_of(responses: Iterable[Response]) -> dict[int, int]:
    """{response id: percent of its shown questions answered} of responses in progress (two
    queries; none when there is none)."""
    pending = [r for r in responses if not r.is_submitted]
    if not pending:
        return {}
    ids = [r.pk for r in pending]
    answered: dict[int, set[int]] = {pk: set() for pk in ids}
    for response_id, question_id in Answer.objects.filter(response_id__in=ids).values_list(
        "response_id", "question_id"
    ):
        answered[response_id].add(question_id)
    chosen: dict[int, dict[int, set[int]]] = {pk: {} for pk in ids}
    for response_id, question_id, option_id in Selection.objects.filter(
        response_id__in=ids
    ).values_list("response_id", "question_id", "option_id"):
        chosen[response_id].setdefault(question_id, set()).add(option_id)
    found = {}
    for response in pending:
        shown = answering.shown(answering.structure(response.survey_id), chosen[response.pk])
        done = sum(1 for q in shown if q.pk in answered[response.pk])
        found[response.pk] = round(100 * done / len(shown)) if shown else 0
    return found


def city_panel(city: Any, user: Any) -> dict[str, Any]:
    """The "Surveys" card of My city: the open surveys the city is asked (its response per city,
    or the viewer's own per person) and where each response stands. One query when no survey
    is open; else the viewer's memberships (read once per request), the responses, and their
    answers and selections: five at most, whatever the number of answers."""
    surveys = [s for s in Survey.objects.open() if city_in_audience(s, city)]
    if not surveys:
        return {"city": city, "rows": []}
    owners = [f"city:{city.pk}"]
    if user.is_authenticated and is_member(user, city):
        owners.append(f"user:{user.pk}")
    responses = _responses(surveys, owners)
    percent = progress_of(responses.values())
    rows = []
    for survey in surveys:
        if not survey.per_city and f"user:{getattr(user, 'pk', '')}" not in owners:
            continue  # a coordinator visiting: a person's own response is not the city's
        response = responses.get(survey.pk)
        rows.append(
            {
                "survey": survey,
                "response": response,
                "percent": percent.get(response.pk) if response else None,
                "closes": answering.moment(survey, survey.closes_at),
            }
        )
    return {"city": city, "rows": rows}


def _responses(surveys: list[Survey], owners: list[str]) -> dict[int, Response]:
    by_survey = {s.pk: s for s in surveys}
    found = {}
    for response in Response.objects.filter(survey__in=surveys, owner__in=owners):
        survey = by_survey[response.survey_id]
        if survey.per_city == response.owner.startswith("city:"):
            response.survey = survey
            found[response.survey_id] = response
    return found

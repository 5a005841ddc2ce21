"""Who may answer, submit, read and build surveys.

A published survey's page is public (what it asks, when it closes); answering needs an account
in the survey's audience. A city's response belongs to the city: its approved members answer it,
its leads submit it, coordinators read every response. A person's response is their own. Anyone
else gets the same 404 as for a response that does not exist. Drafts, analytics and exports are
the coordinators'.
"""

from __future__ import annotations

from typing import Any

from netzerohub.cities.models import City
from netzerohub.cities.policies import (
    approved_memberships,
    is_coordinator,
    is_lead,
    is_member,
)
from netzerohub.core.policies import Policy, fetch_or_404

from .models import Response, Survey

REGISTERED_STATUSES = frozenset(
    {
        City.Status.MISSION,
        City.Status.PILOT,
        City.Status.TWIN,
        City.Status.PARTICIPATING,
    }
)


def city_in_audience(survey: Survey, city: City) -> bool:
    if survey.audience == Survey.Audience.EVERYONE:
        return True
    if survey.audience == Survey.Audience.STATUSES:
        return city.status in set(survey.city_statuses)
    return city.status in REGISTERED_STATUSES


def member_cities(user: Any) -> list[City]:
    """The cities where `user` is an approved member, in name order (one query per request)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_survey_member_cities", None)
    if cached is None:
        ids = list(approved_memberships(user))
        cached = list(City.objects.filter(pk__in=ids).order_by("name", "pk")) if ids else []
        user._survey_member_cities = cached
    return cached


def answering_cities(survey: Survey, user: Any) -> list[City]:
    """The cities `user` may answer `survey` for (a per-city survey), in name order."""
    if not survey.per_city:
        return []
    return [c for c in member_cities(user) if city_in_audience(survey, c)]


def may_answer_as_person(survey: Survey, user: Any) -> bool:
    """A per-person survey: whether `user` is in its audience."""
    if survey.per_city or not user.is_authenticated:
        return False
    if survey.audience == Survey.Audience.EVERYONE:
        return True
    return any(city_in_audience(survey, c) for c in member_cities(user))


class SurveyPolicy(Policy):
    actions = ("view", "build", "analyse")

    def can_view(self, user: Any, survey: Survey) -> bool:
        return not survey.is_draft or is_coordinator(user)

    def can_build(self, user: Any, survey: Survey | None) -> bool:
        return is_coordinator(user)

    def can_analyse(self, user: Any, survey: Survey) -> bool:
        return is_coordinator(user)


class ResponsePolicy(Policy):
    actions = ("view", "answer", "submit")

    def _shares(self, user: Any, response: Response) -> bool:
        if response.city_id is not None:
            return is_member(user, response.city)
        return user.is_authenticated and response.person_id == user.pk

    def can_view(self, user: Any, response: Response) -> bool:
        return is_coordinator(user) or self._shares(user, response)

    def can_answer(self, user: Any, response: Response) -> bool:
        return not response.is_submitted and self._shares(user, response)

    def can_submit(self, user: Any, response: Response) -> bool:
        if response.is_submitted:
            return False
        if response.city_id is not None:
            return is_lead(user, response.city)
        return user.is_authenticated and response.person_id == user.pk


survey_policy = SurveyPolicy()
response_policy = ResponsePolicy()


def get_survey_for_user(user: Any, slug: str, action: str = "view") -> Survey:
    return fetch_or_404(Survey.objects.all(), survey_policy, user, action, slug=slug)


def get_response_for_user(user: Any, pk: int, action: str = "view") -> Response:
    """A response `user` may `action`; 404 for a missing one and another city's alike."""
    queryset = Response.objects.select_related("survey", "city", "person")
    return fetch_or_404(queryset, response_policy, user, action, pk=pk)

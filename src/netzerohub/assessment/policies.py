"""Who may do what with self-assessments and questionnaires.

A city's assessments are its own: its approved members see them and answer the one in
progress, its leads start new ones too and submit, coordinators see every city's. Anyone else
gets the same 404 as for an assessment that does not exist; other cities see aggregates only
(the peer medians, never a city's scores). The published questionnaire is public; drafts and
retired versions, and the recommendation weights, are the coordinators'.
"""

from __future__ import annotations

from typing import Any

from netzerohub.cities.models import City
from netzerohub.cities.policies import is_coordinator, is_lead, is_member
from netzerohub.core.policies import Policy, fetch_or_404

from .models import Assessment, Questionnaire


class AssessmentPolicy(Policy):
    actions = ("view", "answer", "submit")

    def can_view(self, user: Any, assessment: Assessment) -> bool:
        return is_coordinator(user) or is_member(user, assessment.city)

    def can_answer(self, user: Any, assessment: Assessment) -> bool:
        return not assessment.is_submitted and is_member(user, assessment.city)

    def can_submit(self, user: Any, assessment: Assessment) -> bool:
        return not assessment.is_submitted and is_lead(user, assessment.city)


class QuestionnairePolicy(Policy):
    actions = ("view", "author")

    def can_view(self, user: Any, questionnaire: Questionnaire) -> bool:
        return questionnaire.status == Questionnaire.Status.PUBLISHED or is_coordinator(user)

    def can_author(self, user: Any, questionnaire: Questionnaire | None) -> bool:
        return is_coordinator(user)


def can_start(user: Any, city: City) -> bool:
    """Any member of the city may start its assessment (a lead submits it)."""
    return is_member(user, city)


def can_view_results_of(user: Any, city: City) -> bool:
    return is_coordinator(user) or is_member(user, city)


assessment_policy = AssessmentPolicy()
questionnaire_policy = QuestionnairePolicy()


def get_assessment_for_user(user: Any, pk: int, action: str = "view") -> Assessment:
    """An assessment `user` may `action`; 404 for a missing one and another city's alike."""
    # What every page of an assessment shows; the rest (the result's stage, country, who
    # submitted) is read where a page needs it, which its cached body mostly does not.
    queryset = Assessment.objects.select_related("city", "questionnaire", "country").defer(
        "questionnaire__introduction", "questionnaire__scoring"
    )
    return fetch_or_404(queryset, assessment_policy, user, action, pk=pk)


def get_questionnaire_for_user(user: Any, pk: int, action: str = "view") -> Questionnaire:
    return fetch_or_404(Questionnaire.objects.all(), questionnaire_policy, user, action, pk=pk)

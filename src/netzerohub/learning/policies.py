"""Who may do what in the capability-building programme.

Published courses and pathways are open to everyone to read (the catalogue is public); their
lessons are for enrolled learners. Drafts and archived content are the coordinators' (who also
preview lessons as a learner would see them); a learner who enrolled before a course was
archived may still finish it. Certificates: the PDF is its holder's only, the verification page
is public. A city lead sees the learning progress of the city's team.
"""

from __future__ import annotations

from typing import Any

from netzerohub.cities.models import City
from netzerohub.cities.policies import is_coordinator, is_lead
from netzerohub.core.policies import Policy, fetch_or_404

from .models import Certificate, Cohort, Course, Enrolment, Pathway, Status


def _enrolled(user: Any, course: Course) -> bool:
    if not user.is_authenticated:
        return False
    return Enrolment.objects.filter(user=user, course=course).exists()


class CoursePolicy(Policy):
    actions = ("view", "learn", "enrol", "author")

    def can_view(self, user: Any, course: Course) -> bool:
        if course.status == Status.PUBLISHED or is_coordinator(user):
            return True
        return course.status == Status.ARCHIVED and _enrolled(user, course)

    def can_learn(self, user: Any, course: Course) -> bool:
        """Open lessons, answer quizzes and record progress (coordinators: preview)."""
        if is_coordinator(user):
            return True
        return course.status != Status.DRAFT and _enrolled(user, course)

    def can_enrol(self, user: Any, course: Course) -> bool:
        return bool(user.is_authenticated) and course.status == Status.PUBLISHED

    def can_author(self, user: Any, course: Course | None) -> bool:
        return is_coordinator(user)


class PathwayPolicy(Policy):
    actions = ("view", "enrol", "author")

    def can_view(self, user: Any, pathway: Pathway) -> bool:
        return pathway.status == Status.PUBLISHED or is_coordinator(user)

    def can_enrol(self, user: Any, pathway: Pathway) -> bool:
        return bool(user.is_authenticated) and pathway.status == Status.PUBLISHED

    def can_author(self, user: Any, pathway: Pathway | None) -> bool:
        return is_coordinator(user)


class CohortPolicy(Policy):
    actions = ("view_progress",)

    def can_view_progress(self, user: Any, cohort: Cohort) -> bool:
        """The facilitator and coordinators follow a cohort's progress."""
        if is_coordinator(user):
            return True
        return bool(user.is_authenticated and cohort.facilitator_id == user.pk)


class CertificatePolicy(Policy):
    actions = ("download",)

    def can_download(self, user: Any, certificate: Certificate) -> bool:
        return bool(user.is_authenticated and certificate.user_id == user.pk)


def can_view_team_progress(user: Any, city: City) -> bool:
    return is_coordinator(user) or is_lead(user, city)


course_policy = CoursePolicy()
pathway_policy = PathwayPolicy()
cohort_policy = CohortPolicy()
certificate_policy = CertificatePolicy()


def get_course_for_user(user: Any, key: str, action: str = "view") -> Course:
    """A course `user` may `action`; 404 for a missing one and a forbidden one alike."""
    return fetch_or_404(Course.objects.select_related("step"), course_policy, user, action, key=key)


def get_pathway_for_user(user: Any, key: str, action: str = "view") -> Pathway:
    return fetch_or_404(Pathway.objects.with_steps(), pathway_policy, user, action, key=key)


def get_cohort_for_user(user: Any, cohort_id: int, action: str = "view_progress") -> Cohort:
    queryset = Cohort.objects.select_related("course", "facilitator")
    return fetch_or_404(queryset, cohort_policy, user, action, pk=cohort_id)


def get_own_certificate(user: Any, code: str) -> Certificate:
    """The holder's certificate (for the PDF); someone else's answers 404 like a missing one."""
    return fetch_or_404(Certificate.objects.all(), certificate_policy, user, "download", code=code)

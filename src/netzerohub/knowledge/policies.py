"""Who may do what with resources and collections.

Reading: a published (or archived) resource is readable by everyone when public and by
programme members (any approved city membership, helpdesk experts, coordinators) when members
only. Drafts are seen by their contributor and coordinators; submitted resources and those
waiting for changes also by their reviewers: coordinators and the mentors of the resource's
city (never for their own contribution).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from netzerohub.cities.models import City
from netzerohub.cities.policies import (
    is_coordinator,
    is_member,
    is_mentor,
    is_programme_member,
)
from netzerohub.core.policies import Policy, fetch_or_404

from .models import Attachment, Collection, Resource

S = Resource.Status


def _is_contributor(user: Any, resource: Resource) -> bool:
    return bool(user.is_authenticated and resource.submitted_by_id == user.pk)


def _is_reviewer(user: Any, resource: Resource) -> bool:
    if is_coordinator(user):
        return True
    return (
        resource.city is not None
        and is_mentor(user, resource.city)
        and not _is_contributor(user, resource)
    )


class ResourcePolicy(Policy):
    actions = (
        "view", "edit", "submit", "publish", "request_changes", "archive", "view_history",
        "bookmark", "curate",
    )  # fmt: skip

    def can_view(self, user: Any, resource: Resource) -> bool:
        if resource.status in {S.PUBLISHED, S.ARCHIVED}:
            return resource.is_public or is_programme_member(user) or self.can_edit(user, resource)
        if _is_contributor(user, resource) or is_coordinator(user):
            return True
        return resource.status != S.DRAFT and _is_reviewer(user, resource)

    def can_edit(self, user: Any, resource: Resource) -> bool:
        if is_coordinator(user):
            return True
        if not _is_contributor(user, resource):
            return False
        still_member = resource.city is None or is_member(user, resource.city)
        return still_member and resource.status in {S.DRAFT, S.CHANGES_REQUESTED}

    def can_submit(self, user: Any, resource: Resource) -> bool:
        return resource.status in {S.DRAFT, S.CHANGES_REQUESTED} and self.can_edit(user, resource)

    def can_publish(self, user: Any, resource: Resource) -> bool:
        if resource.status == S.SUBMITTED or resource.status == S.ARCHIVED:
            return _is_reviewer(user, resource)
        # Coordinators may publish their own drafts (programme resources) without a review.
        return resource.status in {S.DRAFT, S.CHANGES_REQUESTED} and is_coordinator(user)

    def can_request_changes(self, user: Any, resource: Resource) -> bool:
        return resource.status == S.SUBMITTED and _is_reviewer(user, resource)

    def can_archive(self, user: Any, resource: Resource) -> bool:
        return resource.status == S.PUBLISHED and _is_reviewer(user, resource)

    def can_view_history(self, user: Any, resource: Resource) -> bool:
        # A reviewer sees the history of what they may read (a mentor never sees a draft).
        readable = self.can_view(user, resource)
        return readable and (_is_contributor(user, resource) or _is_reviewer(user, resource))

    def can_bookmark(self, user: Any, resource: Resource) -> bool:
        return bool(user.is_authenticated) and self.can_view(user, resource)

    def can_curate(self, user: Any, resource: Resource) -> bool:
        return is_coordinator(user) and resource.status == S.PUBLISHED


class CollectionPolicy(Policy):
    actions = ("view", "manage")

    def can_view(self, user: Any, collection: Collection) -> bool:
        return collection.is_published or is_coordinator(user)

    def can_manage(self, user: Any, collection: Collection | None) -> bool:
        return is_coordinator(user)


def can_contribute_for(user: Any, city: City | None) -> bool:
    """Members contribute for their cities; coordinators also for the programme (no city)."""
    if is_coordinator(user):
        return True
    return city is not None and is_member(user, city)


resource_policy = ResourcePolicy()
collection_policy = CollectionPolicy()


def get_resource_for_user(user: Any, resource_id: int, action: str = "view") -> Resource:
    """A resource `user` may `action`; 404 for a missing one and a forbidden one alike."""
    queryset = Resource.objects.select_related("city", "city__country", "step", "submitted_by")
    return fetch_or_404(queryset, resource_policy, user, action, pk=resource_id)


def get_attachment_for_user(user: Any, resource_id: int, attachment_id: int) -> Attachment:
    """An attachment of a resource `user` may read (same 404 otherwise)."""
    resource = get_resource_for_user(user, resource_id)
    attachment = resource.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment


def get_collection_for_user(user: Any, slug: str, action: str = "view") -> Collection:
    return fetch_or_404(Collection.objects.all(), collection_policy, user, action, slug=slug)

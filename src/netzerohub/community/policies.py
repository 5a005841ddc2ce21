"""Who may do what in peer groups.

- A listed group (open, or closed to new members) is visible to everyone: its description,
  phases, facilitators and meeting series. Drafts and archived groups: coordinators and the
  group's facilitators.
- Joining: any signed-in member of a city, while the group is open (seats are the service's).
- Discussions (read, post, download attachments): approved members, facilitators, coordinators.
- Moderating (pin, lock, hide) and admitting applicants: facilitators and coordinators.
- Settings of the group itself (title, theme, facilitators, phases, status): coordinators.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from netzerohub.cities.policies import approved_memberships, is_coordinator
from netzerohub.core.policies import Policy, fetch_or_404

from .models import Group, GroupMembership, PostAttachment, Thread

_FACILITATORS = "_facilitator_ids"
_MEMBERS = "_member_status"


def facilitates(user: Any, group: Group) -> bool:
    if not user.is_authenticated:
        return False
    ids = getattr(group, _FACILITATORS, None)
    if ids is None:
        ids = set(group.facilitators.values_list("pk", flat=True))
        setattr(group, _FACILITATORS, ids)
    return user.pk in ids


def membership_of(user: Any, group: Group) -> GroupMembership | None:
    """`user`'s active membership (or application) of `group`, looked up once per request."""
    if not user.is_authenticated:
        return None
    cache: dict[int, GroupMembership | None] = getattr(user, _MEMBERS, None) or {}
    if group.pk not in cache:
        cache[group.pk] = (
            GroupMembership.objects.for_group(group)
            .for_user(user)
            .active()
            .select_related("city")
            .first()
        )
        setattr(user, _MEMBERS, cache)
    return cache[group.pk]


def forget_membership(user: Any) -> None:
    if hasattr(user, _MEMBERS):
        delattr(user, _MEMBERS)


def is_group_member(user: Any, group: Group) -> bool:
    membership = membership_of(user, group)
    return membership is not None and membership.status == GroupMembership.Status.APPROVED


class GroupPolicy(Policy):
    actions = ("view", "join", "discuss", "moderate", "admit", "manage")

    def can_view(self, user: Any, group: Group) -> bool:
        if group.status in (Group.Status.OPEN, Group.Status.CLOSED):
            return True
        return is_coordinator(user) or facilitates(user, group)

    def can_join(self, user: Any, group: Group) -> bool:
        return bool(user.is_authenticated and group.is_joinable and approved_memberships(user))

    def can_discuss(self, user: Any, group: Group) -> bool:
        return is_coordinator(user) or facilitates(user, group) or is_group_member(user, group)

    def can_moderate(self, user: Any, group: Group) -> bool:
        return is_coordinator(user) or facilitates(user, group)

    def can_admit(self, user: Any, group: Group) -> bool:
        return is_coordinator(user) or facilitates(user, group)

    def can_manage(self, user: Any, group: Group | None) -> bool:
        return is_coordinator(user)


group_policy = GroupPolicy()


def get_group_for_user(user: Any, slug: str, action: str = "view") -> Group:
    """A group `user` may `action`; 404 for a missing and a forbidden one alike."""
    return fetch_or_404(
        Group.objects.select_related("theme"), group_policy, user, action, slug=slug
    )


def get_thread_for_user(user: Any, group: Group, thread_id: int) -> Thread:
    """A discussion of `group` that `user` may read (hidden ones: moderators only); 404
    otherwise. Check `discuss` on the group first."""
    if not group_policy.can(user, "discuss", group):
        raise Http404
    moderator = group_policy.can(user, "moderate", group)
    thread = (
        Thread.objects.for_group(group)
        .visible(moderator=moderator)
        .select_related("author")
        .filter(pk=thread_id)
        .first()
    )
    if thread is None:
        raise Http404
    thread.group = group
    return thread


def get_attachment_for_user(user: Any, group: Group, attachment_id: int) -> PostAttachment:
    """A file of a visible post of a visible discussion of `group`; 404 otherwise."""
    moderator = group_policy.can(user, "moderate", group)
    if not group_policy.can(user, "discuss", group):
        raise Http404
    attachment = (
        PostAttachment.objects.filter(pk=attachment_id, post__thread__group=group)
        .select_related("post", "post__thread")
        .first()
    )
    if attachment is None or (
        not moderator and (attachment.post.is_hidden or attachment.post.thread.is_hidden)
    ):
        raise Http404
    return attachment

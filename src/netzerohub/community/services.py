"""Writes of peer groups: saving a group, joining (within the city's seats), admitting, leaving,
and the discussions (threads, replies, attachments, mentions, moderation).

Every function is atomic and audited; notifications go out after commit. Joining takes a row
lock on the group so that two people of one city never both take its last seat.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.cities.policies import approved_memberships
from netzerohub.core import personal_data, versions
from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.notifications import notify
from netzerohub.events.caching import content_changed

from .models import Group, GroupMembership, Phase, Post, PostAttachment, Thread

register_labels(
    {
        "community.group.created": _l("Peer group created"),
        "community.group.updated": _l("Peer group changed"),
        "community.membership.joined": _l("Joined a peer group"),
        "community.membership.applied": _l("Applied to a peer group"),
        "community.membership.approved": _l("Admitted to a peer group"),
        "community.membership.rejected": _l("Not admitted to a peer group"),
        "community.membership.left": _l("Left a peer group"),
        "community.thread.started": _l("Discussion started"),
        "community.post.created": _l("Reply posted"),
        "community.thread.moderated": _l("Discussion moderated"),
        "community.post.moderated": _l("Post moderated"),
    }
)

MENTION = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9-]{0,60})", re.IGNORECASE)


class CommunityError(Exception):
    """A request the programme refuses; the message is shown to the person as it is."""


# --- groups ----------------------------------------------------------------------------------


@transaction.atomic
def save_group(
    group: Group,
    *,
    actor: Any,
    facilitators: Iterable[Any] | None = None,
    phases: Sequence[Phase] | None = None,
) -> Group:
    """Create or change a group (an instance with the new values, e.g. from a form).

    `phases`, when given, are all the group's phases in their order (new instances or changed
    ones of this group): they are numbered in that order, and the group's other phases are
    deleted (their meetings stay, without a phase)."""
    created = group.pk is None
    if created:
        group.created_by = actor
    group.save()
    if facilitators is not None:
        group.facilitators.set(facilitators)
    content_changed()
    if phases is not None:
        for position, phase in enumerate(phases):
            if phase.pk is not None and phase.group_id != group.pk:
                raise CommunityError(_("A phase of another group cannot be moved here."))
            phase.group = group
            phase.position = position
            phase.save()
        group.phases.exclude(pk__in=[phase.pk for phase in phases]).delete()
    log_action(
        "community.group.created" if created else "community.group.updated",
        actor=actor,
        target=group,
        data={"status": group.status, **({"phases": len(phases)} if phases is not None else {})},
    )
    return group


# --- membership ------------------------------------------------------------------------------


@transaction.atomic
def join_group(group: Group, *, user: Any, city: Any, motivation: str = "") -> GroupMembership:
    """Join an open group at once, or apply to one that admits by application.

    Refused: the group takes no new members, `city` is not one of `user`'s, `user` is already a
    member or has applied, or `city` has used its seats (members and pending applications).
    """
    group = Group.objects.select_for_update().get(pk=group.pk)
    if not group.is_joinable:
        raise CommunityError(_("This group does not take new members at the moment."))
    if city is None or city.pk not in approved_memberships(user):
        raise CommunityError(_("You can join only for a city you are a member of."))
    existing = GroupMembership.objects.for_group(group).for_user(user).active().first()
    if existing is not None:
        raise CommunityError(
            _("You are already in this group (%(status)s).")
            % {"status": existing.get_status_display()}
        )
    if group.seats_per_city is not None:
        used = GroupMembership.objects.for_group(group).for_city(city).active().count()
        if used >= group.seats_per_city:
            raise CommunityError(
                _(
                    "%(city)s already has %(count)s representatives in this group, the most "
                    "it takes from one city."
                )
                % {"city": city.name, "count": used}
            )
    direct = group.admission == Group.Admission.OPEN
    status = GroupMembership.Status.APPROVED if direct else GroupMembership.Status.PENDING
    now = timezone.now()
    try:
        with transaction.atomic():
            membership = GroupMembership.objects.create(
                group=group,
                user=user,
                city=city,
                motivation=motivation.strip(),
                status=status,
                decided_at=now if direct else None,
            )
    except IntegrityError as error:
        raise CommunityError(_("You are already in this group.")) from error
    log_action(
        "community.membership.joined" if direct else "community.membership.applied",
        actor=user,
        target=membership,
        city=city,
        data={"group": group.slug},
    )
    if not direct:
        notify(
            group.facilitators.all(),
            kind="community.membership.applied",
            title=_("New application to %(group)s") % {"group": group.title},
            body=_("%(person)s (%(city)s) asks to join the group.")
            % {"person": user, "city": city.name},
            url=group.get_absolute_url() + "members/",
        )
    return membership


@transaction.atomic
def decide_membership(membership: GroupMembership, *, approve: bool, actor: Any) -> GroupMembership:
    """Admit or turn down a pending application (facilitators and coordinators)."""
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != GroupMembership.Status.PENDING:
        raise CommunityError(_("This application has already been decided."))
    membership.status = (
        GroupMembership.Status.APPROVED if approve else GroupMembership.Status.REJECTED
    )
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "decided_by", "decided_at"])
    group = membership.group
    log_action(
        "community.membership.approved" if approve else "community.membership.rejected",
        actor=actor,
        target=membership,
        city=membership.city,
        data={"group": group.slug},
    )
    title = (_("Welcome to %(group)s") if approve else _("Your application to %(group)s")) % {
        "group": group.title
    }
    body = (
        _("You are now a member of the group.")
        if approve
        else _("The facilitators could not admit you to this group this time.")
    )
    notify(
        [membership.user],
        kind=f"community.membership.{'approved' if approve else 'rejected'}",
        title=title,
        body=body,
        url=group.get_absolute_url(),
    )
    return membership


@transaction.atomic
def leave_group(membership: GroupMembership, *, actor: Any) -> GroupMembership:
    """Leave a group (or withdraw an application); the city's seat is free again."""
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.status not in GroupMembership.ACTIVE:
        raise CommunityError(_("You are not in this group."))
    membership.status = GroupMembership.Status.LEFT
    membership.save(update_fields=["status"])
    log_action(
        "community.membership.left",
        actor=actor,
        target=membership,
        city=membership.city,
        data={"group": membership.group.slug},
    )
    return membership


# --- discussions -----------------------------------------------------------------------------


def mention_handle(user: Any) -> str:
    """How to mention a person in a post: `@` and their name in lower case with hyphens
    ("@anna-example"), or the start of their email address when they have no name."""
    return slugify(user.name) or slugify(user.email.split("@")[0])


def mentioned(body: str, people: Iterable[Any]) -> list[Any]:
    """The people among `people` whose handle `body` mentions."""
    handles = {match.lower() for match in MENTION.findall(body)}
    if not handles:
        return []
    return [person for person in people if mention_handle(person) in handles]


def discussions_version(group: Group) -> str:
    """Names the cached count of `group`'s discussion list. It changes after a discussion is
    started, hidden or shown; a lost version gets a new name, never an old one."""
    return versions.current(f"community:discussions:{group.pk}")


def _discussions_changed(group: Group) -> None:
    versions.bump(f"community:discussions:{group.pk}")


def participants(group: Group) -> list[Any]:
    """The people who take part in `group`'s discussions (and can be mentioned): its approved
    members and its facilitators, each once."""
    members = [
        m.user for m in GroupMembership.objects.for_group(group).approved().select_related("user")
    ]
    known = {person.pk for person in members}
    return members + [f for f in group.facilitators.all() if f.pk not in known]


def _add_post(
    thread: Thread, *, author: Any, body: str, files: Sequence[UploadedFile] = ()
) -> Post:
    body = body.strip()
    if not body:
        raise CommunityError(_("Write something before posting."))
    post = Post.objects.create(thread=thread, author=author, body=body)
    for upload in files:
        PostAttachment.objects.create(post=post, file=upload, name=upload.name, size=upload.size)
    Thread.objects.filter(pk=thread.pk).update(
        post_count=thread.posts.count(), last_activity=post.created
    )
    group = thread.group
    targets = [p for p in mentioned(body, participants(group)) if p.pk != author.pk]
    if targets:
        notify(
            targets,
            kind="community.mention",
            title=_("%(person)s mentioned you in “%(thread)s”")
            % {"person": author, "thread": thread.title},
            body=body[:500],
            url=f"{thread.get_absolute_url()}?post={post.pk}#post-{post.pk}",
        )
    return post


def _check_not_archived(group: Group) -> None:
    if group.status == Group.Status.ARCHIVED:
        raise CommunityError(
            _("This group is archived: its discussions can be read but no longer added to.")
        )


@transaction.atomic
def start_thread(
    group: Group, *, author: Any, title: str, body: str, files: Sequence[UploadedFile] = ()
) -> Thread:
    """Open a discussion with its first post. Uploaded files must have been validated (the form
    runs the upload validator). Refused in an archived group (its discussions stay readable)."""
    _check_not_archived(group)
    title = title.strip()
    if not title:
        raise CommunityError(_("Give the discussion a title."))
    thread = Thread.objects.create(
        group=group, title=title, author=author, last_activity=timezone.now()
    )
    post = _add_post(thread, author=author, body=body, files=files)
    _discussions_changed(group)
    log_action(
        "community.thread.started",
        actor=author,
        target=thread,
        data={"group": group.slug, "post": post.pk},
    )
    return thread


@transaction.atomic
def reply(thread: Thread, *, author: Any, body: str, files: Sequence[UploadedFile] = ()) -> Post:
    """Reply to a discussion; refused when it is locked or hidden, or its group archived."""
    thread = Thread.objects.select_for_update().select_related("group").get(pk=thread.pk)
    _check_not_archived(thread.group)
    if thread.is_locked:
        raise CommunityError(_("This discussion is locked: no new replies are accepted."))
    if thread.is_hidden:
        raise CommunityError(_("This discussion has been hidden by the facilitators."))
    post = _add_post(thread, author=author, body=body, files=files)
    log_action(
        "community.post.created",
        actor=author,
        target=post,
        data={"group": thread.group.slug, "thread": thread.pk},
    )
    return post


MODERATION = {
    "pin": ("is_pinned", True),
    "unpin": ("is_pinned", False),
    "lock": ("is_locked", True),
    "unlock": ("is_locked", False),
    "hide": ("is_hidden", True),
    "show": ("is_hidden", False),
}


@transaction.atomic
def moderate_thread(thread: Thread, action: str, *, actor: Any) -> Thread:
    """Pin, unpin, lock, unlock, hide or show a discussion (facilitators and coordinators)."""
    if action not in MODERATION:
        raise CommunityError(_("Unknown moderation action."))
    field, value = MODERATION[action]
    setattr(thread, field, value)
    thread.save(update_fields=[field])
    _discussions_changed(thread.group)
    log_action(
        "community.thread.moderated",
        actor=actor,
        target=thread,
        data={"group": thread.group.slug, "action": action},
    )
    return thread


@transaction.atomic
def moderate_post(post: Post, *, hidden: bool, actor: Any) -> Post:
    """Hide a post from members (or show it again)."""
    post.is_hidden = hidden
    post.hidden_by = actor if hidden else None
    post.save(update_fields=["is_hidden", "hidden_by"])
    log_action(
        "community.post.moderated",
        actor=actor,
        target=post,
        data={"thread": post.thread_id, "hidden": hidden},
    )
    return post


def _personal_data(user: Any) -> dict[str, Any]:
    memberships = GroupMembership.objects.for_user(user).select_related("group", "city")
    posts = Post.objects.filter(author=user).select_related("thread")
    return {
        "groups": [
            {
                "group": m.group.title,
                "city": m.city.name,
                "status": m.status,
                "since": m.created.isoformat(),
                "motivation": m.motivation,
            }
            for m in memberships
        ],
        "posts": [
            {"discussion": p.thread.title, "posted": p.created.isoformat(), "text": p.body}
            for p in posts
        ],
    }


personal_data.register("peer_groups", _personal_data)

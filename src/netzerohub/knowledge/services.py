"""Writes of the knowledge repository. Each function is atomic, audited and notifies on commit.

The review workflow: a contributor's draft is submitted; a reviewer (a coordinator, or a mentor
of the resource's city) publishes it or asks for changes with a comment; the contributor edits
and submits again; a published resource is archived when outdated (and may be published again).
Every change leaves a `ResourceVersion` (who, when, what changed and a snapshot).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.accounts.models import User
from netzerohub.cities.models import Membership
from netzerohub.cities.policies import is_coordinator
from netzerohub.core import personal_data
from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.notifications import notify
from netzerohub.core.ordering import move_among
from netzerohub.core.uploads import sniff_kind

from .indexing import reindex_resource
from .models import Attachment, Bookmark, Collection, CollectionItem, Resource, ResourceVersion
from .tasks import extract_attachment_text

S = Resource.Status

register_labels(
    {
        "knowledge.resource.created": _l("Resource created"),
        "knowledge.resource.updated": _l("Resource edited"),
        "knowledge.resource.submitted": _l("Resource submitted for review"),
        "knowledge.resource.published": _l("Resource published"),
        "knowledge.resource.changes_requested": _l("Changes requested on a resource"),
        "knowledge.resource.archived": _l("Resource archived"),
        "knowledge.attachment.added": _l("File attached to a resource"),
        "knowledge.attachment.removed": _l("File removed from a resource"),
        "knowledge.collection.created": _l("Collection created"),
        "knowledge.collection.updated": _l("Collection changed"),
    }
)

# The editable content of a resource, as stored in a version snapshot.
CONTENT_FIELDS = (
    "title", "summary", "body", "type", "fields", "levers", "step", "countries", "languages",
    "city", "authors", "published_on", "licence", "links", "visibility",
)  # fmt: skip
M2M_FIELDS = ("fields", "levers", "countries")


class KnowledgeError(Exception):
    """A request the domain refuses; the message is shown to the person as it is."""


# --- content and versions --------------------------------------------------------------------


def snapshot(resource: Resource) -> dict[str, Any]:
    """The resource's content as JSON (terms by slug, countries by code, city by name)."""
    return {
        "title": resource.title,
        "summary": resource.summary,
        "body": resource.body,
        "type": resource.type,
        "fields": sorted(t.slug for t in resource.fields.all()),
        "levers": sorted(t.slug for t in resource.levers.all()),
        "step": resource.step.slug if resource.step_id else None,
        "countries": sorted(c.code for c in resource.countries.all()),
        "languages": list(resource.languages),
        "city": str(resource.city) if resource.city_id else None,
        "authors": resource.authors,
        "published_on": resource.published_on.isoformat() if resource.published_on else None,
        "licence": resource.licence,
        "links": list(resource.links),
        "visibility": resource.visibility,
        "attachments": sorted(a.name for a in resource.attachments.all()),
    }


def _record_version(
    resource: Resource, *, actor: Any, action: str, comment: str = ""
) -> ResourceVersion:
    previous = resource.versions.order_by("-number").first()
    current = snapshot(resource)
    before = previous.snapshot if previous else {}
    changed = sorted(k for k, v in current.items() if before.get(k) != v) if previous else []
    return ResourceVersion.objects.create(
        resource=resource,
        number=(previous.number + 1) if previous else 1,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        comment=comment,
        changed=changed,
        snapshot=current,
    )


def _apply(resource: Resource, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if name not in M2M_FIELDS:
            setattr(resource, name, value)
    resource.full_clean(exclude=["key", "fields", "levers", "countries"])
    resource.save()
    for name in M2M_FIELDS:
        if name in values:
            getattr(resource, name).set(values[name])


def unique_key(title: str) -> str:
    base = slugify(title)[:100] or "resource"
    key, n = base, 1
    while Resource.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


@transaction.atomic
def create_resource(
    *, actor: Any, values: Mapping[str, Any], key: str = "", is_sample: bool = False
) -> Resource:
    """A new draft with `values` (model field names; m2m as lists). `actor` None is an import."""
    resource = Resource(
        key=key or unique_key(values.get("title", "")),
        submitted_by=actor if actor is not None and actor.is_authenticated else None,
        is_sample=is_sample,
    )
    _apply(resource, values)
    _record_version(resource, actor=actor, action="created")
    log_action("knowledge.resource.created", actor=actor, target=resource)
    return resource


@transaction.atomic
def update_resource(resource: Resource, *, actor: Any, values: Mapping[str, Any]) -> Resource:
    """Change the content; a published resource stays published and is re-indexed."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    _apply(resource, values)
    version = _record_version(resource, actor=actor, action="edited")
    log_action(
        "knowledge.resource.updated",
        actor=actor,
        target=resource,
        data={"changed": version.changed},
    )
    reindex_resource(resource)
    return resource


@transaction.atomic
def record_admin_edit(resource: Resource, *, actor: Any) -> None:
    """After a change saved by the Django admin: the version, the audit entry and the index."""
    version = _record_version(resource, actor=actor, action="edited-in-admin")
    log_action(
        "knowledge.resource.updated",
        actor=actor,
        target=resource,
        data={"changed": version.changed, "admin": True},
    )
    reindex_resource(resource)


# --- attachments -----------------------------------------------------------------------------


@transaction.atomic
def add_attachment(resource: Resource, upload: UploadedFile, *, actor: Any) -> Attachment:
    """Store a validated file (see `Attachment.file` validators) and extract its text later."""
    Attachment._meta.get_field("file").run_validators(upload)
    kind = sniff_kind(upload) or ""
    name = (upload.name or "file").rsplit("/", 1)[-1][:200]
    attachment = Attachment(
        resource=resource,
        name=name,
        kind=kind,
        size=upload.size or 0,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        extraction=Attachment.Extraction.PENDING,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _record_version(resource, actor=actor, action="file-added")
    log_action("knowledge.attachment.added", actor=actor, target=resource, data={"file": name})
    transaction.on_commit(partial(extract_attachment_text.enqueue, attachment.pk))
    return attachment


@transaction.atomic
def remove_attachment(attachment: Attachment, *, actor: Any) -> None:
    resource = attachment.resource
    name = attachment.name
    storage, path = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(partial(storage.delete, path))
    _record_version(resource, actor=actor, action="file-removed")
    log_action("knowledge.attachment.removed", actor=actor, target=resource, data={"file": name})
    reindex_resource(resource)


# --- review workflow -------------------------------------------------------------------------


def _reviewers(resource: Resource) -> list[User]:
    people = {u.pk: u for u in User.objects.filter(is_staff=True, is_active=True)}
    if resource.city_id:
        mentors = Membership.objects.approved().for_city(resource.city).filter(is_mentor=True)
        for membership in mentors.select_related("user"):
            people.setdefault(membership.user_id, membership.user)
    people.pop(resource.submitted_by_id, None)
    return list(people.values())


def _tell_contributor(resource: Resource, actor: Any, title: str, body: str = "") -> None:
    """Tell the contributor about a reviewer's step (not when they took it themselves)."""
    if actor is not None and actor.pk == resource.submitted_by_id:
        return
    if resource.submitted_by_id and resource.submitted_by.is_active:
        notify(
            [resource.submitted_by],
            kind="knowledge.review",
            title=title,
            body=body,
            url=resource.get_absolute_url(),
        )


def _set_status(resource: Resource, status: str, **extra: Any) -> Resource:
    resource = (
        Resource.objects.select_for_update(of=("self",))
        .select_related("submitted_by")
        .get(pk=resource.pk)
    )
    resource.status = status
    for name, value in extra.items():
        setattr(resource, name, value)
    resource.save(update_fields=["status", "updated", *extra])
    return resource


@transaction.atomic
def submit_resource(resource: Resource, *, actor: Any) -> Resource:
    if resource.status not in {S.DRAFT, S.CHANGES_REQUESTED}:
        raise KnowledgeError(
            _("Only a draft, or a resource waiting for changes, can be submitted.")
        )
    resource = _set_status(resource, S.SUBMITTED)
    _record_version(resource, actor=actor, action="submitted")
    log_action("knowledge.resource.submitted", actor=actor, target=resource)
    notify(
        _reviewers(resource),
        kind="knowledge.review",
        title=_("A resource waits for your review: %(title)s") % {"title": resource.title},
        url=resource.get_absolute_url(),
    )
    return resource


@transaction.atomic
def send_for_review(resource: Resource, *, actor: Any) -> Resource:
    """What "Save and submit" means: coordinators publish their resource directly, everyone
    else submits it to the reviewers."""
    if is_coordinator(actor):
        return publish_resource(resource, actor=actor)
    return submit_resource(resource, actor=actor)


@transaction.atomic
def publish_resource(resource: Resource, *, actor: Any) -> Resource:
    """Publish (also an archived resource again); it becomes findable at once."""
    if resource.status == S.PUBLISHED:
        raise KnowledgeError(_("This resource is already published."))
    published_on = resource.published_on or timezone.localdate()
    resource = _set_status(resource, S.PUBLISHED, review_comment="", published_on=published_on)
    _record_version(resource, actor=actor, action="published")
    log_action("knowledge.resource.published", actor=actor, target=resource)
    reindex_resource(resource)
    _tell_contributor(
        resource, actor, _("Your resource is published: %(title)s") % {"title": resource.title}
    )
    return resource


@transaction.atomic
def request_changes(resource: Resource, *, actor: Any, comment: str) -> Resource:
    comment = (comment or "").strip()
    if not comment:
        raise KnowledgeError(_("Say what should change: the contributor sees your comment."))
    if resource.status != S.SUBMITTED:
        raise KnowledgeError(_("Changes can only be requested on a submitted resource."))
    resource = _set_status(resource, S.CHANGES_REQUESTED, review_comment=comment)
    _record_version(resource, actor=actor, action="changes-requested", comment=comment)
    log_action("knowledge.resource.changes_requested", actor=actor, target=resource)
    _tell_contributor(
        resource,
        actor,
        _("Changes requested on your resource: %(title)s") % {"title": resource.title},
        comment,
    )
    return resource


@transaction.atomic
def archive_resource(resource: Resource, *, actor: Any, comment: str = "") -> Resource:
    if resource.status != S.PUBLISHED:
        raise KnowledgeError(_("Only a published resource can be archived."))
    resource = _set_status(resource, S.ARCHIVED)
    _record_version(resource, actor=actor, action="archived", comment=comment.strip())
    log_action("knowledge.resource.archived", actor=actor, target=resource)
    reindex_resource(resource)
    _tell_contributor(
        resource, actor, _("Your resource was archived: %(title)s") % {"title": resource.title}
    )
    return resource


# --- bookmarks and collections ---------------------------------------------------------------


def toggle_bookmark(resource: Resource, *, user: Any) -> bool:
    """Keep or drop a resource in the person's library; returns whether it is now kept."""
    deleted, _count = Bookmark.objects.filter(user=user, resource=resource).delete()
    if deleted:
        return False
    Bookmark.objects.get_or_create(user=user, resource=resource)
    return True


@transaction.atomic
def save_collection(
    collection: Collection | None, *, actor: Any, values: Mapping[str, Any]
) -> Collection:
    created = collection is None
    collection = collection or Collection(created_by=actor)
    for name, value in values.items():
        setattr(collection, name, value)
    if not collection.slug:
        collection.slug = slugify(collection.title)[:100] or "collection"
    collection.full_clean()
    collection.save()
    action = "knowledge.collection.created" if created else "knowledge.collection.updated"
    log_action(action, actor=actor, target=collection)
    return collection


@transaction.atomic
def add_to_collection(
    collection: Collection, resource: Resource, *, actor: Any, note: str = ""
) -> CollectionItem:
    if resource.status != S.PUBLISHED:
        raise KnowledgeError(_("Only published resources can be added to a collection."))
    last = collection.items.aggregate(m=Max("position"))["m"] or 0
    item, created = CollectionItem.objects.get_or_create(
        collection=collection, resource=resource, defaults={"position": last + 1, "note": note}
    )
    if not created:
        raise KnowledgeError(_("This resource is already in the collection."))
    log_action(
        "knowledge.collection.updated",
        actor=actor,
        target=collection,
        data={"added": resource.pk},
    )
    return item


@transaction.atomic
def remove_from_collection(item: CollectionItem, *, actor: Any) -> None:
    collection = item.collection
    resource_id = item.resource_id
    item.delete()
    log_action(
        "knowledge.collection.updated",
        actor=actor,
        target=collection,
        data={"removed": resource_id},
    )


@transaction.atomic
def move_collection_item(item: CollectionItem, *, actor: Any, offset: int) -> None:
    """Move an item up (`offset=-1`) or down (`+1`) by swapping with its neighbour."""
    if not move_among(item, item.collection.items.all(), offset):
        return
    log_action("knowledge.collection.updated", actor=actor, target=item.collection)


# --- personal data ---------------------------------------------------------------------------


def _personal_data(user: Any) -> dict[str, Any]:
    return {
        "contributed": [
            {"title": r.title, "status": r.status, "created": r.created.isoformat()}
            for r in Resource.objects.contributed_by(user)
        ],
        "library": [
            b.resource.title for b in Bookmark.objects.filter(user=user).select_related("resource")
        ],
    }


personal_data.register("knowledge", _personal_data)

"""Writes of the knowledge repository: the review workflow with its versions, audit entries,
notifications and search index; attachments and their text; bookmarks; collections."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from netzerohub.cities.tests.factories import MembershipFactory
from netzerohub.core.models import AuditLog, Notification, SearchDocument
from netzerohub.knowledge import services
from netzerohub.knowledge.models import Attachment, Bookmark, CollectionItem, Resource
from netzerohub.knowledge.search import SearchParams, search_resources
from netzerohub.knowledge.services import KnowledgeError
from netzerohub.knowledge.tests.factories import (
    EXE,
    TINY_PDF,
    CollectionFactory,
    ResourceFactory,
    pdf_bytes,
    stored_files,
    term,
    upload,
)

pytestmark = pytest.mark.django_db

S = Resource.Status


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run what it leaves for the commit (tasks, emails, index generation)."""

    def call(service, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(*args, **kwargs)

    return call


def values(city, **changes) -> dict:
    return {
        "title": "Setting up a transition team",
        "summary": "Who sits on a city's transition team and how it decides.",
        "body": "## Mandate\n\nThe mayor signs a **mandate** for the team.",
        "type": Resource.Type.GUIDE,
        "city": city,
        "fields": [term("field", "energy-systems")],
        "levers": [term("lever", "governance-policy")],
        "step": term("step", "build-a-strong-mandate"),
        "languages": ["en"],
        "visibility": Resource.Visibility.PUBLIC,
        **changes,
    }


def is_indexed(resource: Resource) -> bool:
    return SearchDocument.objects.filter(kind="knowledge.resource", object_id=resource.pk).exists()


def found(user, q: str = "", **filters) -> list[int]:
    params = SearchParams(q=q, filters={k: list(v) for k, v in filters.items()})
    return [hit.resource.pk for hit in search_resources(user, params).hits]


def audit_actions(resource: Resource) -> list[str]:
    entries = AuditLog.objects.filter(target_type="knowledge.resource", target_id=str(resource.pk))
    return list(entries.order_by("id").values_list("action", flat=True))


def latest_version(resource: Resource):
    return resource.versions.order_by("-number").first()


def notified(since: int = 0) -> set[tuple[int, str]]:
    """(recipient, title) of the notifications created after the one with id `since`."""
    return set(Notification.objects.filter(pk__gt=since).values_list("user_id", "title"))


def last_notification_id() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- the review workflow -----------------------------------------------------------------------


def test_the_whole_review_workflow(
    run, city, contributor, member, mentor, other_mentor, coordinator, helpdesk_expert, visitor,
    mailoutbox,
):  # fmt: skip
    title = "Setting up a transition team"

    # A contributor's draft: a first version, nobody told, not findable.
    resource = run(services.create_resource, actor=contributor, values=values(city))
    assert (resource.status, resource.submitted_by, resource.key) == (
        S.DRAFT,
        contributor,
        "setting-up-a-transition-team",
    )
    v1 = latest_version(resource)
    assert (v1.number, v1.action, v1.actor, v1.changed) == (1, "created", contributor, [])
    assert v1.snapshot["fields"] == ["energy-systems"]
    assert v1.snapshot["step"] == "build-a-strong-mandate"
    assert audit_actions(resource) == ["knowledge.resource.created"]
    assert Notification.objects.count() == 0
    assert not is_indexed(resource)

    # Submitted: the reviewers (coordinators and the city's mentors) are told, nobody else.
    before = last_notification_id()
    resource = run(services.submit_resource, resource, actor=contributor)
    assert resource.status == S.SUBMITTED
    assert (latest_version(resource).number, latest_version(resource).action) == (2, "submitted")
    assert latest_version(resource).actor == contributor
    review_title = f"A resource waits for your review: {title}"
    assert notified(before) == {(mentor.pk, review_title), (coordinator.pk, review_title)}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.email, coordinator.email])
    assert not is_indexed(resource)

    # Changes need a comment; without one nothing happens.
    with pytest.raises(KnowledgeError, match="Say what should change"):
        run(services.request_changes, resource, actor=mentor, comment="  ")
    resource.refresh_from_db()
    assert resource.status == S.SUBMITTED
    assert resource.versions.count() == 2

    before = last_notification_id()
    resource = run(
        services.request_changes, resource, actor=mentor, comment="Name the team's members."
    )
    assert (resource.status, resource.review_comment) == (
        S.CHANGES_REQUESTED,
        "Name the team's members.",
    )
    v3 = latest_version(resource)
    assert (v3.number, v3.action, v3.actor, v3.comment) == (
        3,
        "changes-requested",
        mentor,
        "Name the team's members.",
    )
    assert notified(before) == {(contributor.pk, f"Changes requested on your resource: {title}")}
    assert Notification.objects.get(pk__gt=before).body == "Name the team's members."
    assert mailoutbox[-1].to == [contributor.email]
    assert not is_indexed(resource)

    # The contributor edits: the version says which fields changed.
    before = last_notification_id()
    resource = run(
        services.update_resource,
        resource,
        actor=contributor,
        values=values(city, summary="Five people from three departments, chaired by the mayor."),
    )
    v4 = latest_version(resource)
    assert (v4.number, v4.action, v4.actor, v4.changed) == (4, "edited", contributor, ["summary"])
    assert v4.snapshot["summary"] == "Five people from three departments, chaired by the mayor."
    updated = AuditLog.objects.filter(action="knowledge.resource.updated").get()
    assert (updated.actor, updated.city, updated.data) == (
        contributor,
        city,
        {"changed": ["summary"]},
    )
    assert notified(before) == set()

    resource = run(services.submit_resource, resource, actor=contributor)
    assert (resource.status, latest_version(resource).number) == (S.SUBMITTED, 5)

    # Published: findable at once, dated today, the comment cleared, the contributor told.
    before = last_notification_id()
    resource = run(services.publish_resource, resource, actor=mentor)
    assert resource.status == S.PUBLISHED
    assert resource.published_on == timezone.localdate()
    assert resource.review_comment == ""
    assert (latest_version(resource).action, latest_version(resource).actor) == (
        "published",
        mentor,
    )
    assert notified(before) == {(contributor.pk, f"Your resource is published: {title}")}
    assert is_indexed(resource)
    assert found(visitor, "transition team") == [resource.pk]
    assert found(visitor, "mayor") == [resource.pk]  # the edited summary is indexed

    # Archived: out of the index, the contributor told.
    before = last_notification_id()
    resource = run(services.archive_resource, resource, actor=coordinator, comment="Outdated.")
    assert resource.status == S.ARCHIVED
    v7 = latest_version(resource)
    assert (v7.number, v7.action, v7.actor, v7.comment) == (7, "archived", coordinator, "Outdated.")
    assert notified(before) == {(contributor.pk, f"Your resource was archived: {title}")}
    assert not is_indexed(resource)
    assert found(visitor, "transition team") == []

    # Published again (keeping its first publication date).
    resource = run(services.publish_resource, resource, actor=mentor)
    assert resource.status == S.PUBLISHED
    assert resource.published_on == timezone.localdate()
    assert latest_version(resource).number == 8
    assert found(visitor, "transition team") == [resource.pk]

    assert audit_actions(resource) == [
        "knowledge.resource.created",
        "knowledge.resource.submitted",
        "knowledge.resource.changes_requested",
        "knowledge.resource.updated",
        "knowledge.resource.submitted",
        "knowledge.resource.published",
        "knowledge.resource.archived",
        "knowledge.resource.published",
    ]
    assert set(
        AuditLog.objects.filter(action__startswith="knowledge.").values_list("city", flat=True)
    ) == {city.pk}
    # Nobody outside the review ever heard of it.
    others = [member.pk, other_mentor.pk, helpdesk_expert.pk]
    assert not Notification.objects.filter(user__in=others).exists()


def test_reviewers_are_told_but_never_the_contributor_themself(
    run, city, mentor, coordinator, django_user_model
):
    second_mentor = MembershipFactory(city=city, is_mentor=True).user
    resource = ResourceFactory(draft=True, city=city, submitted_by=mentor, indexed=False)

    run(services.submit_resource, resource, actor=mentor)

    assert {user for user, _title in notified()} == {second_mentor.pk, coordinator.pk}


def test_a_coordinator_publishing_their_own_resource_is_not_told_about_it(run, coordinator):
    resource = run(services.create_resource, actor=coordinator, values=values(None))

    run(services.publish_resource, resource, actor=coordinator)

    assert Notification.objects.count() == 0
    assert latest_version(resource).action == "published"


def test_an_inactive_contributor_is_not_told(run, city, contributor, mentor):
    resource = ResourceFactory(submitted=True, city=city, submitted_by=contributor, indexed=False)
    contributor.is_active = False
    contributor.save()

    run(services.publish_resource, resource, actor=mentor)

    assert not Notification.objects.filter(user=contributor).exists()


@pytest.mark.parametrize(
    ("status", "service", "kwargs", "message"),
    [
        (S.SUBMITTED, services.submit_resource, {}, "Only a draft"),
        (S.PUBLISHED, services.submit_resource, {}, "Only a draft"),
        (S.PUBLISHED, services.publish_resource, {}, "already published"),
        (S.DRAFT, services.request_changes, {"comment": "Why?"}, "only be requested"),
        (S.DRAFT, services.archive_resource, {}, "Only a published"),
        (S.SUBMITTED, services.archive_resource, {}, "Only a published"),
    ],
)
def test_steps_out_of_order_are_refused_and_change_nothing(
    run, status, service, kwargs, message, city, coordinator
):
    resource = ResourceFactory(status=status, city=city)
    indexed = is_indexed(resource)

    with pytest.raises(KnowledgeError, match=message):
        run(service, resource, actor=coordinator, **kwargs)

    resource.refresh_from_db()
    assert resource.status == status
    assert resource.versions.count() == 0
    assert is_indexed(resource) is indexed
    assert not AuditLog.objects.filter(action__startswith="knowledge.").exists()


def test_an_edit_of_a_published_resource_is_reindexed(run, visitor, coordinator):
    resource = run(
        services.create_resource,
        actor=coordinator,
        values=values(None, title="Heat pumps in schools"),
    )
    resource = run(services.publish_resource, resource, actor=coordinator)

    run(
        services.update_resource,
        resource,
        actor=coordinator,
        values={"title": "District heating in schools"},
    )

    assert found(visitor, "district") == [resource.pk]
    assert found(visitor, "pumps") == []
    assert latest_version(resource).changed == ["title"]


def test_a_resource_made_members_only_disappears_from_the_visitors_search(
    run, visitor, member, coordinator
):
    resource = ResourceFactory(title="Heat pumps in schools")

    run(
        services.update_resource,
        resource,
        actor=coordinator,
        values={"visibility": Resource.Visibility.MEMBERS},
    )

    assert found(visitor, "pumps") == []
    assert found(member, "pumps") == [resource.pk]


def test_an_edit_that_breaks_a_rule_is_refused_and_changes_nothing(run, city, contributor):
    resource = ResourceFactory(draft=True, city=city, submitted_by=contributor, indexed=False)

    with pytest.raises(ValidationError):
        run(services.update_resource, resource, actor=contributor, values={"summary": "x" * 601})

    resource.refresh_from_db()
    assert resource.summary != "x" * 601
    assert resource.versions.count() == 0


def test_keys_are_unique_and_come_from_the_title(run, coordinator):
    first = run(services.create_resource, actor=coordinator, values=values(None))
    second = run(services.create_resource, actor=coordinator, values=values(None))
    emoji = run(services.create_resource, actor=coordinator, values=values(None, title="🌍🔥"))

    assert first.key == "setting-up-a-transition-team"
    assert second.key == "setting-up-a-transition-team-2"
    assert emoji.key == "resource"


def test_an_import_without_an_actor_leaves_versions_without_a_person(run):
    resource = run(
        services.create_resource, actor=None, values=values(None), key="imported", is_sample=True
    )

    assert (resource.key, resource.is_sample, resource.submitted_by) == ("imported", True, None)
    assert latest_version(resource).actor is None
    assert AuditLog.objects.get(action="knowledge.resource.created").actor is None


# --- attachments -------------------------------------------------------------------------------


def test_a_pdf_is_stored_its_text_extracted_and_found_by_search(run, city, contributor, visitor):
    resource = run(services.create_resource, actor=contributor, values=values(city))
    content = pdf_bytes("<p>Our heliostat field in Växjö stores summer heat.</p>")

    attachment = run(
        services.add_attachment, resource, upload("heliostat.pdf", content), actor=contributor
    )

    attachment.refresh_from_db()
    assert (attachment.name, attachment.kind, attachment.size) == (
        "heliostat.pdf",
        "pdf",
        len(content),
    )
    assert attachment.uploaded_by == contributor
    assert attachment.file.name == f"knowledge/{resource.pk}/heliostat.pdf"
    assert default_storage.open(attachment.file.name).read() == content
    assert attachment.extraction == Attachment.Extraction.DONE
    assert "heliostat field in Växjö" in attachment.text
    version = latest_version(resource)
    assert (version.action, version.changed, version.snapshot["attachments"]) == (
        "file-added",
        ["attachments"],
        ["heliostat.pdf"],
    )
    assert audit_actions(resource)[-1] == "knowledge.attachment.added"
    # A draft's file is not findable; once published, the words inside it are.
    assert found(visitor, "heliostat") == []

    run(services.publish_resource, resource, actor=None)

    assert found(visitor, "heliostat") == [resource.pk]
    assert found(visitor, "vaxjo") == [resource.pk]


def test_a_file_added_to_a_published_resource_is_searchable_once_extracted(
    run, visitor, coordinator
):
    resource = ResourceFactory()

    run(
        services.add_attachment,
        resource,
        upload("plan.pdf", pdf_bytes("<p>agrivoltaics</p>")),
        actor=coordinator,
    )

    assert found(visitor, "agrivoltaics") == [resource.pk]


def test_a_removed_file_is_deleted_and_its_words_are_no_longer_found(run, visitor, coordinator):
    resource = ResourceFactory()
    attachment = run(
        services.add_attachment,
        resource,
        upload("plan.pdf", pdf_bytes("<p>agrivoltaics</p>")),
        actor=coordinator,
    )
    path = attachment.file.name

    run(services.remove_attachment, attachment, actor=coordinator)

    assert not default_storage.exists(path)
    assert not resource.attachments.exists()
    assert found(visitor, "agrivoltaics") == []
    assert latest_version(resource).action == "file-removed"
    assert audit_actions(resource)[-1] == "knowledge.attachment.removed"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.pdf", EXE, "not one of the accepted types"),
        ("notes.pdf", b"just some text", "not one of the accepted types"),
        ("plan.docx", TINY_PDF, "does not match its content"),
        ("huge.pdf", TINY_PDF + b"\0" * (26 * 1024 * 1024), "at most 25"),
    ],
    ids=["exe-renamed-pdf", "text-renamed-pdf", "pdf-renamed-docx", "26-mb"],
)
def test_a_refused_file_leaves_nothing_behind(run, name, content, message, coordinator):
    resource = ResourceFactory()
    files_before = stored_files()

    with pytest.raises(ValidationError, match=message):
        run(services.add_attachment, resource, upload(name, content), actor=coordinator)

    assert stored_files() == files_before
    assert stored_files(f"knowledge/{resource.pk}") == set()
    assert not Attachment.objects.exists()
    assert resource.versions.count() == 0
    assert not AuditLog.objects.filter(action__startswith="knowledge.").exists()


def test_an_unreadable_pdf_is_kept_but_its_extraction_is_marked_failed(run, coordinator):
    resource = ResourceFactory()
    broken = b"%PDF-1.7\n" + b"\x00garbage" * 50

    attachment = run(
        services.add_attachment, resource, upload("broken.pdf", broken), actor=coordinator
    )

    attachment.refresh_from_db()
    assert attachment.extraction == Attachment.Extraction.FAILED
    assert attachment.extraction_error
    assert default_storage.exists(attachment.file.name)


def test_an_image_has_no_text_to_extract(run, coordinator):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    resource = ResourceFactory()

    attachment = run(services.add_attachment, resource, upload("map.png", png), actor=coordinator)

    attachment.refresh_from_db()
    assert (attachment.kind, attachment.extraction) == ("png", Attachment.Extraction.NONE)


# --- bookmarks ---------------------------------------------------------------------------------


def test_a_bookmark_toggles(member):
    resource = ResourceFactory()

    assert services.toggle_bookmark(resource, user=member) is True
    assert list(Bookmark.objects.values_list("user", "resource")) == [(member.pk, resource.pk)]
    assert services.toggle_bookmark(resource, user=member) is False
    assert not Bookmark.objects.exists()
    assert services.toggle_bookmark(resource, user=member) is True


# --- collections -------------------------------------------------------------------------------


def collection_titles(collection) -> list[str]:
    return [item.resource.title for item in collection.items.select_related("resource")]


def test_collections_are_built_reordered_and_emptied(run, coordinator):
    collection = run(
        services.save_collection,
        None,
        actor=coordinator,
        values={"title": "Starting out", "slug": "", "description": "", "is_published": True},
    )
    assert (collection.slug, collection.created_by) == ("starting-out", coordinator)
    first, second, third = (ResourceFactory(title=t) for t in ("First", "Second", "Third"))

    items = [
        run(services.add_to_collection, collection, r, actor=coordinator, note=f"n{i}")
        for i, r in enumerate((first, second, third))
    ]
    assert [i.position for i in items] == [1, 2, 3]
    assert collection_titles(collection) == ["First", "Second", "Third"]

    run(services.move_collection_item, items[2], actor=coordinator, offset=-1)
    assert collection_titles(collection) == ["First", "Third", "Second"]
    run(services.move_collection_item, items[0], actor=coordinator, offset=-1)  # already first
    assert collection_titles(collection) == ["First", "Third", "Second"]
    run(services.move_collection_item, items[0], actor=coordinator, offset=1)
    assert collection_titles(collection) == ["Third", "First", "Second"]
    second_item = CollectionItem.objects.get(resource=second)
    run(services.move_collection_item, second_item, actor=coordinator, offset=1)  # already last
    assert collection_titles(collection) == ["Third", "First", "Second"]

    run(
        services.remove_from_collection,
        CollectionItem.objects.get(resource=first),
        actor=coordinator,
    )
    assert collection_titles(collection) == ["Third", "Second"]

    entries = AuditLog.objects.filter(target_type="knowledge.collection").order_by("id")
    assert [e.action for e in entries] == [
        "knowledge.collection.created",
        *["knowledge.collection.updated"] * 6,  # two moves changed nothing
    ]
    assert entries.last().data == {"removed": first.pk}
    assert all(e.actor == coordinator for e in entries)


def test_a_collection_takes_published_resources_once_each(run, coordinator):
    collection = CollectionFactory()
    resource = ResourceFactory()
    run(services.add_to_collection, collection, resource, actor=coordinator)

    with pytest.raises(KnowledgeError, match="already in the collection"):
        run(services.add_to_collection, collection, resource, actor=coordinator)
    with pytest.raises(KnowledgeError, match="Only published"):
        run(services.add_to_collection, collection, ResourceFactory(draft=True), actor=coordinator)
    assert collection.items.count() == 1


def test_a_collection_address_must_be_unique(run, coordinator):
    CollectionFactory(slug="starting-out")

    with pytest.raises(ValidationError):
        run(
            services.save_collection,
            None,
            actor=coordinator,
            values={"title": "Starting out", "slug": "", "is_published": False},
        )


# --- personal data -----------------------------------------------------------------------------


def test_personal_data_lists_contributions_and_library(city, contributor):
    mine = ResourceFactory(
        draft=True, city=city, submitted_by=contributor, title="Mine", indexed=False
    )
    kept = ResourceFactory(title="Kept")
    services.toggle_bookmark(kept, user=contributor)

    data = services._personal_data(contributor)

    assert data == {
        "contributed": [{"title": "Mine", "status": "draft", "created": mine.created.isoformat()}],
        "library": ["Kept"],
    }


def test_publication_date_given_by_the_contributor_is_kept(run, city, contributor, mentor):
    resource = ResourceFactory(
        submitted=True, city=city, submitted_by=contributor, published_on=dt.date(2023, 5, 4)
    )

    resource = run(services.publish_resource, resource, actor=mentor)

    assert resource.published_on == dt.date(2023, 5, 4)

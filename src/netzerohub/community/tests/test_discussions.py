"""Group discussions: the services (threads, replies, mentions, moderation) and the pages
(members only, posting, locked and hidden discussions, attachments, sanitised Markdown,
moderation, pinned query counts)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from netzerohub.accounts.tests.factories import CoordinatorFactory, UserFactory, add_totp
from netzerohub.cities.tests.factories import MembershipFactory
from netzerohub.community import services
from netzerohub.community.discussion_views import POSTING_LIMIT, POSTS_PER_PAGE
from netzerohub.community.models import (
    ATTACHMENT_MAX_BYTES,
    Group,
    GroupMembership,
    Post,
    PostAttachment,
    Thread,
)
from netzerohub.community.tests.factories import (
    GroupFactory,
    GroupMembershipFactory,
    PostFactory,
    ThreadFactory,
)
from netzerohub.core import ratelimit
from netzerohub.core.models import AuditLog, Notification

pytestmark = pytest.mark.django_db

# A minimal one-page PDF: enough for the upload checks and a download.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def upload(name: str = "plan.pdf", content: bytes = TINY_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def text(response) -> str:
    return response.content.decode()


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def group(mentor):
    """An open group facilitated by `mentor`, with `member` (of `city`) as its member."""
    return GroupFactory(title="District heating", facilitators=[mentor])


@pytest.fixture
def joined(group, member, city):
    GroupMembershipFactory(group=group, user=member, city=city)
    return member


@pytest.fixture
def discussion(group, joined):
    return services.start_thread(
        group, author=joined, title="Heat pumps in old buildings", body="Who has tried this?"
    )


@pytest.fixture
def other_group_member(other_city, other_lead):
    """A member of another group: no access to this group's discussions."""
    GroupMembershipFactory(user=other_lead, city=other_city)
    return other_lead


@pytest.fixture
def pending(group, other_city):
    """Someone whose application to the group is not decided yet."""
    user = MembershipFactory(city=other_city, user__name="Pia Pending").user
    GroupMembershipFactory(
        group=group, user=user, city=other_city, status=GroupMembership.Status.PENDING
    )
    return user


def urls(group, thread, attachment=None) -> list[str]:
    found = [
        reverse("community:threads", args=[group.slug]),
        reverse("community:thread-create", args=[group.slug]),
        reverse("community:thread", args=[group.slug, thread.pk]),
    ]
    if attachment is not None:
        found.append(reverse("community:attachment", args=[group.slug, attachment.pk]))
    return found


def thread_url(thread: Thread) -> str:
    return reverse("community:thread", args=[thread.group.slug, thread.pk])


def with_pdf(group, author) -> tuple[Thread, PostAttachment]:
    thread = services.start_thread(
        group, author=author, title="Tender documents", body="Ours:", files=[upload()]
    )
    return thread, PostAttachment.objects.get(post__thread=thread)


# --- services --------------------------------------------------------------------------------


def test_start_thread_creates_the_first_post_and_audits(group, joined):
    thread = services.start_thread(group, author=joined, title="  Heat  ", body=" Hello ")
    post = thread.posts.get()
    assert (thread.title, post.body, post.author) == ("Heat", "Hello", joined)
    thread.refresh_from_db()
    assert thread.post_count == 1 and thread.last_activity == post.created
    entry = AuditLog.objects.get(action="community.thread.started")
    assert entry.actor == joined and entry.target_id == str(thread.pk)


def test_start_thread_refuses_an_empty_title_or_body(group, joined):
    with pytest.raises(services.CommunityError):
        services.start_thread(group, author=joined, title=" ", body="Text")
    with pytest.raises(services.CommunityError):
        services.start_thread(group, author=joined, title="Title", body="  ")
    assert not Thread.objects.exists()


def test_reply_counts_posts_and_moves_the_discussion_up(discussion, mentor):
    before = Thread.objects.get(pk=discussion.pk).last_activity
    post = services.reply(discussion, author=mentor, body="We did, in 2023.")
    thread = Thread.objects.get(pk=discussion.pk)
    assert thread.post_count == 2 and thread.last_activity == post.created >= before
    assert AuditLog.objects.filter(action="community.post.created", actor=mentor).exists()


def test_reply_to_a_locked_discussion_is_refused(discussion, joined, mentor):
    services.moderate_thread(discussion, "lock", actor=mentor)
    with pytest.raises(services.CommunityError, match="locked"):
        services.reply(discussion, author=joined, body="Late answer")
    assert discussion.posts.count() == 1


def test_moderation_is_audited(discussion, mentor):
    services.moderate_thread(discussion, "pin", actor=mentor)
    post = discussion.posts.get()
    services.moderate_post(post, hidden=True, actor=mentor)
    assert Thread.objects.get(pk=discussion.pk).is_pinned
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_by == mentor
    actions = set(AuditLog.objects.filter(actor=mentor).values_list("action", flat=True))
    assert {"community.thread.moderated", "community.post.moderated"} <= actions


def test_an_unknown_moderation_action_is_refused(discussion, mentor):
    with pytest.raises(services.CommunityError):
        services.moderate_thread(discussion, "delete", actor=mentor)


def test_mentions_notify_the_mentioned_participants_only(
    group, joined, mentor, outsider, city, django_capture_on_commit_callbacks
):
    colleague = MembershipFactory(city=city, user__name="Ana Colleague").user
    GroupMembershipFactory(group=group, user=colleague, city=city)
    body = (
        f"@{services.mention_handle(colleague)} and @{services.mention_handle(mentor)}: "
        f"what do you think? (cc @{services.mention_handle(outsider)}, "
        f"@{services.mention_handle(joined)})"
    )
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.start_thread(group, author=joined, title="Tariffs", body=body)
    notified = Notification.objects.filter(kind="community.mention")
    assert {n.user for n in notified} == {colleague, mentor}  # not the author, not outsiders
    post = thread.posts.get()
    assert notified.first().url == f"{thread_url(thread)}?post={post.pk}#post-{post.pk}"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([colleague.email, mentor.email])


def test_mention_handles_and_what_they_match(outsider):
    anna = UserFactory(name="Anna-Lena Öberg")
    nameless = UserFactory(name="", email="jo.smith@example.org")
    assert services.mention_handle(anna) == "anna-lena-oberg"
    assert services.mention_handle(nameless) == "josmith"
    found = services.mentioned("Hi @Anna-Lena-Oberg, mail jo@josmith.org", [anna, nameless])
    assert found == [anna]


# --- who may read: members, facilitators, coordinators ---------------------------------------


@pytest.mark.parametrize("who", ["visitor", "outsider", "other_group_member", "pending", "lead"])
def test_everyone_else_gets_404(client, request, who, group, discussion, joined):
    _thread, attachment = with_pdf(group, joined)
    user = request.getfixturevalue(who)
    if user.is_authenticated:
        client.force_login(user)
    for url in urls(group, discussion, attachment):
        assert client.get(url).status_code == 404, url
    response = client.post(thread_url(discussion), {"body": "Sneaking in"})
    assert response.status_code == 404
    assert discussion.posts.count() == 1


def test_a_missing_group_or_discussion_is_the_same_404(client, joined, group, discussion):
    client.force_login(joined)
    assert client.get(reverse("community:threads", args=["no-such-group"])).status_code == 404
    other = ThreadFactory()  # a discussion of another group
    url = reverse("community:thread", args=[group.slug, other.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["joined", "mentor", "coordinator"])
def test_members_facilitators_and_coordinators_read(client, request, who, group, discussion):
    client.force_login(request.getfixturevalue(who))
    for url in urls(group, discussion):
        assert client.get(url).status_code == 200, url
    body = text(client.get(thread_url(discussion)))
    assert "Who has tried this?" in body and f'id="post-{discussion.posts.get().pk}"' in body


def test_the_list_shows_pinned_first_then_recent(client, group, joined, mentor):
    old = ThreadFactory(group=group, title="Old pinned", is_pinned=True)
    ThreadFactory(group=group, title="Recent", post_count=4)
    Thread.objects.filter(pk=old.pk).update(last_activity="2020-01-01T10:00Z")
    client.force_login(joined)
    body = text(client.get(reverse("community:threads", args=[group.slug])))
    assert body.index("Old pinned") < body.index("Recent")
    assert "Pinned" in body and "Start a discussion" in body
    assert "1 Jan 2020, 11:00 CET" in body and "Europe/Brussels" in body  # the viewer's zone


def test_the_list_shows_times_in_the_viewers_zone(client, group, joined):
    thread = ThreadFactory(group=group)
    Thread.objects.filter(pk=thread.pk).update(last_activity="2027-07-01T10:00Z")
    joined.time_zone = "Europe/Lisbon"
    joined.save()
    client.force_login(joined)
    body = text(client.get(reverse("community:threads", args=[group.slug])))
    assert "1 Jul 2027, 11:00 WEST" in body and "Europe/Lisbon" in body


# --- posting ---------------------------------------------------------------------------------


def test_start_a_discussion(client, group, joined, mentor):
    client.force_login(joined)
    page = text(client.get(reverse("community:thread-create", args=[group.slug])))
    assert "People you can mention" in page and f"@{services.mention_handle(mentor)}" in page
    assert "Markdown" in page
    response = client.post(
        reverse("community:thread-create", args=[group.slug]),
        {"title": "Grid fees", "body": "How do you **handle** them?", "files": [upload()]},
    )
    thread = Thread.objects.get(group=group)
    assert response.status_code == 302 and response.url == thread_url(thread)
    assert thread.title == "Grid fees" and thread.author == joined
    assert PostAttachment.objects.get(post__thread=thread).name == "plan.pdf"
    body = text(client.get(response.url))
    assert "<strong>handle</strong>" in body and "plan.pdf" in body
    assert AuditLog.objects.filter(action="community.thread.started", actor=joined).exists()


def test_the_form_keeps_what_was_typed(client, group, joined):
    client.force_login(joined)
    response = client.post(
        reverse("community:thread-create", args=[group.slug]),
        {"title": "", "body": "My carefully typed text", "files": [upload()]},
    )
    assert response.status_code == 200
    body = text(response)
    assert "Give the discussion a title." in body
    assert "My carefully typed text" in body
    assert "Files must be chosen again" in body
    assert not Thread.objects.exists()


def test_a_new_discussion_appears_at_the_top_of_the_list(
    client, group, joined, discussion, django_capture_on_commit_callbacks
):
    client.force_login(joined)
    url = reverse("community:threads", args=[group.slug])
    assert "Heat pumps" in text(client.get(url))  # the count of discussions is cached
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community:thread-create", args=[group.slug]),
            {"title": "Newest question", "body": "Text"},
        )
    body = text(client.get(url))
    assert body.index("Newest question") < body.index("Heat pumps")


def test_reply(client, discussion, mentor):
    client.force_login(mentor)
    response = client.post(thread_url(discussion), {"body": "We did, *twice*."})
    post = discussion.posts.last()
    assert response.status_code == 302
    assert response.url == f"{thread_url(discussion)}?post={post.pk}#post-{post.pk}"
    assert post.body == "We did, *twice*." and post.author == mentor
    assert "<em>twice</em>" in text(client.get(response.url))
    assert AuditLog.objects.filter(action="community.post.created", actor=mentor).exists()


def test_an_empty_reply_is_refused_with_a_message(client, discussion, joined):
    client.force_login(joined)
    response = client.post(thread_url(discussion), {"body": "   "})
    assert response.status_code == 200
    assert "Write something before posting." in text(response)
    assert discussion.posts.count() == 1


def test_a_reply_to_a_locked_discussion_is_refused_and_nothing_saved(
    client, discussion, joined, mentor
):
    services.moderate_thread(discussion, "lock", actor=mentor)
    client.force_login(joined)
    page = text(client.get(thread_url(discussion)))
    assert "This discussion is locked" in page and 'name="body"' not in page
    response = client.post(thread_url(discussion), {"body": "My late answer", "files": [upload()]})
    assert response.status_code == 200
    body = text(response)
    assert "This discussion is locked: your reply was not posted." in body
    assert "My late answer" in body  # given back, to copy
    assert discussion.posts.count() == 1 and not PostAttachment.objects.exists()


def test_a_discussion_locked_while_typing_is_refused_by_the_service(
    client, discussion, joined, mentor, monkeypatch
):
    """The lock taken between the page's check and the service's row lock."""
    client.force_login(joined)
    real_reply = services.reply

    def lock_first(thread, **kwargs):
        Thread.objects.filter(pk=thread.pk).update(is_locked=True)
        return real_reply(thread, **kwargs)

    monkeypatch.setattr(services, "reply", lock_first)
    response = client.post(thread_url(discussion), {"body": "Just in time?"})
    assert response.status_code == 200
    assert "This discussion is locked" in text(response) and "Just in time?" in text(response)
    assert discussion.posts.count() == 1


def test_posting_is_rate_limited(client, discussion, joined):
    client.force_login(joined)
    for _attempt in range(POSTING_LIMIT):
        ratelimit.hit(f"community.post:user:{joined.pk}", limit=POSTING_LIMIT, period=3600)
    response = client.post(thread_url(discussion), {"body": "One too many"}, follow=True)
    assert "too often" in text(response)
    assert discussion.posts.count() == 1


def test_markdown_is_sanitised(client, group, joined):
    body = "<script>alert('x')</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)>"
    thread = services.start_thread(group, author=joined, title="<b>Title</b>", body=body)
    client.force_login(joined)
    page = text(client.get(thread_url(thread)))
    assert "<script>alert" not in page and 'href="javascript' not in page
    assert "<img" not in page and "<b>Title</b>" not in page
    assert "&lt;script&gt;" in page  # shown as text


# --- hidden discussions and posts ------------------------------------------------------------


def test_a_hidden_discussion_is_404_for_members_and_visible_to_moderators(
    client, group, discussion, joined, mentor, coordinator
):
    services.moderate_thread(discussion, "hide", actor=mentor)
    list_url = reverse("community:threads", args=[group.slug])
    client.force_login(joined)
    assert client.get(thread_url(discussion)).status_code == 404
    assert "Heat pumps" not in text(client.get(list_url))
    assert client.post(thread_url(discussion), {"body": "x"}).status_code == 404
    for moderator in (mentor, coordinator):
        client.force_login(moderator)
        page = text(client.get(thread_url(discussion)))
        assert "Who has tried this?" in page and "Hidden from members" in page
        listing = text(client.get(list_url))
        assert "Heat pumps" in listing and "Hidden from members" in listing


def test_a_hidden_posts_text_never_reaches_a_member(client, discussion, joined, mentor):
    post = services.reply(discussion, author=mentor, body="An unkind remark", files=[upload()])
    services.moderate_post(post, hidden=True, actor=mentor)
    file = post.attachments.get()
    client.force_login(joined)
    page = text(client.get(thread_url(discussion)))
    assert "An unkind remark" not in page and "plan.pdf" not in page
    assert "hidden by a facilitator" in page and f'id="post-{post.pk}"' in page
    url = reverse("community:attachment", args=[discussion.group.slug, file.pk])
    assert client.get(url).status_code == 404
    client.force_login(mentor)
    page = text(client.get(thread_url(discussion)))
    assert "An unkind remark" in page and "post-hidden" in page
    assert "Show this post to members" in page
    assert client.get(url).status_code == 200


# --- attachments -----------------------------------------------------------------------------


def test_a_member_downloads_an_attachment(client, group, joined, mentor):
    _thread, attachment = with_pdf(group, mentor)
    client.force_login(joined)
    response = client.get(reverse("community:attachment", args=[group.slug, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == TINY_PDF


def test_an_attachment_through_another_groups_address_is_404(client, group, joined, mentor):
    _thread, attachment = with_pdf(group, mentor)
    mine = GroupFactory()
    GroupMembershipFactory(group=mine, user=joined, city=joined.memberships.get().city)
    client.force_login(joined)
    url = reverse("community:attachment", args=[mine.slug, attachment.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.pdf", PNG, "does not match its content"),
        ("setup.exe", EXE, "not one of the accepted types"),
        ("report.pdf", EXE, "not one of the accepted types"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * ATTACHMENT_MAX_BYTES, "files may be at most 10"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_posted(
    client, group, joined, discussion, name, content, message
):
    client.force_login(joined)
    new = client.post(
        reverse("community:thread-create", args=[group.slug]),
        {"title": "With a file", "body": "Attached", "files": [upload(name, content)]},
    )
    reply = client.post(
        thread_url(discussion), {"body": "Reply text", "files": [upload(name, content)]}
    )
    for response in (new, reply):
        assert response.status_code == 200
        body = text(response)
        assert f"{name}: " in body and message in body
        assert "Files must be chosen again" in body
    assert "Reply text" in text(reply)
    assert Thread.objects.count() == 1 and Post.objects.count() == 1
    assert not PostAttachment.objects.exists()


def test_at_most_three_files_per_post(client, discussion, joined):
    client.force_login(joined)
    files = [upload(f"part-{n}.pdf") for n in range(4)]
    response = client.post(thread_url(discussion), {"body": "Four files", "files": files})
    assert "Attach at most 3 files to one post" in text(response)
    assert discussion.posts.count() == 1
    files = [upload(f"part-{n}.pdf") for n in range(3)]
    client.post(thread_url(discussion), {"body": "Three files", "files": files})
    assert discussion.posts.last().attachments.count() == 3


# --- moderation ------------------------------------------------------------------------------


def test_moderation_buttons_for_moderators_only(client, discussion, joined, mentor):
    client.force_login(joined)
    page = text(client.get(thread_url(discussion)))
    assert "Pin to the top" not in page and "Hide this post" not in page
    client.force_login(mentor)
    page = text(client.get(thread_url(discussion)))
    assert "Pin to the top" in page and "Lock" in page and "Hide from members" in page
    assert "Hide this post" in page


def test_a_member_cannot_moderate(client, discussion, joined):
    client.force_login(joined)
    url = reverse("community:thread-moderate", args=[discussion.group.slug, discussion.pk])
    for action in ("pin", "lock", "hide"):
        assert client.post(url, {"action": action}).status_code == 404
    post = discussion.posts.get()
    url = reverse("community:post-moderate", args=[discussion.group.slug, post.pk])
    assert client.post(url, {"action": "hide"}).status_code == 404
    thread = Thread.objects.get(pk=discussion.pk)
    assert not (thread.is_pinned or thread.is_locked or thread.is_hidden)
    assert not Post.objects.get(pk=post.pk).is_hidden
    assert not AuditLog.objects.filter(action__contains="moderated").exists()


def test_a_facilitator_pins_locks_and_hides(client, discussion, mentor):
    client.force_login(mentor)
    url = reverse("community:thread-moderate", args=[discussion.group.slug, discussion.pk])
    for action in ("pin", "lock", "hide"):
        response = client.post(url, {"action": action})
        assert response.status_code == 302 and response.url == thread_url(discussion)
    thread = Thread.objects.get(pk=discussion.pk)
    assert thread.is_pinned and thread.is_locked and thread.is_hidden
    entries = AuditLog.objects.filter(action="community.thread.moderated", actor=mentor)
    assert [e.data["action"] for e in entries.order_by("pk")] == ["pin", "lock", "hide"]
    client.post(url, {"action": "unlock"})
    assert not Thread.objects.get(pk=discussion.pk).is_locked
    response = client.post(url, {"action": "explode"}, follow=True)
    assert "Unknown moderation action." in text(response)


def test_a_facilitator_hides_and_shows_a_post(client, discussion, mentor):
    post = discussion.posts.get()
    url = reverse("community:post-moderate", args=[discussion.group.slug, post.pk])
    client.force_login(mentor)
    response = client.post(url, {"action": "hide"})
    assert response.status_code == 302 and f"#post-{post.pk}" in response.url
    assert Post.objects.get(pk=post.pk).is_hidden
    client.post(url, {"action": "show"})
    assert not Post.objects.get(pk=post.pk).is_hidden
    assert AuditLog.objects.filter(action="community.post.moderated").count() == 2


def test_a_post_of_another_group_cannot_be_moderated_through_this_one(client, group, mentor):
    post = PostFactory()  # in another group's discussion
    client.force_login(mentor)
    url = reverse("community:post-moderate", args=[group.slug, post.pk])
    assert client.post(url, {"action": "hide"}).status_code == 404
    assert not Post.objects.get(pk=post.pk).is_hidden


def test_moderation_needs_a_post_request(client, discussion, mentor):
    client.force_login(mentor)
    url = reverse("community:thread-moderate", args=[discussion.group.slug, discussion.pk])
    assert client.get(url, {"action": "pin"}).status_code == 405


# --- long discussions ------------------------------------------------------------------------


def test_a_link_to_a_post_opens_its_page(client, discussion, joined):
    posts = PostFactory.create_batch(POSTS_PER_PAGE + 5, thread=discussion, author=joined)
    Thread.objects.filter(pk=discussion.pk).update(post_count=POSTS_PER_PAGE + 6)
    client.force_login(joined)
    late = posts[-1]
    page = text(client.get(f"{thread_url(discussion)}?post={late.pk}"))
    assert f'id="post-{late.pk}"' in page and "Page 2 of 2" in page
    page = text(client.get(thread_url(discussion)))
    assert f'id="post-{late.pk}"' not in page and "Page 1 of 2" in page


# --- query counts ----------------------------------------------------------------------------


def _threads(group, author, count: int) -> None:
    for n in range(count):
        ThreadFactory(group=group, author=UserFactory(), is_pinned=n % 7 == 0, post_count=2)
    ThreadFactory(group=group, author=author, is_hidden=True)


def _posts(thread, count: int) -> None:
    for n in range(count):
        post = PostFactory(thread=thread, author=UserFactory(), is_hidden=n % 5 == 4)
        if n % 3 == 0:
            PostAttachment.objects.create(post=post, file=upload(), name="plan.pdf", size=10)


THREADS_QUERIES = {"member": 7, "facilitator": 6}
THREAD_QUERIES = {"member": 11, "facilitator": 10}


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("who", ["member", "facilitator"])
def test_thread_list_query_count(
    client, group, joined, mentor, count, who, django_assert_num_queries
):
    _threads(group, joined, count)
    client.force_login(joined if who == "member" else mentor)
    with django_assert_num_queries(THREADS_QUERIES[who]):
        response = client.get(reverse("community:threads", args=[group.slug]))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("who", ["member", "facilitator"])
def test_thread_page_query_count(
    client, group, discussion, joined, mentor, count, who, django_assert_num_queries
):
    _posts(discussion, count)
    client.force_login(joined if who == "member" else mentor)
    with django_assert_num_queries(THREAD_QUERIES[who]):
        response = client.get(thread_url(discussion))
    assert response.status_code == 200


def test_an_archived_groups_discussions_are_read_only(db):
    group = GroupFactory(status=Group.Status.ARCHIVED)
    author = UserFactory()
    thread = ThreadFactory(group=group)
    with pytest.raises(services.CommunityError, match="archived"):
        services.start_thread(group, author=author, title="New", body="Text")
    with pytest.raises(services.CommunityError, match="archived"):
        services.reply(thread, author=author, body="Text")
    assert not Post.objects.filter(thread__group=group).exists()


def test_an_archived_groups_thread_page_offers_no_reply(client, db):
    group = GroupFactory(status=Group.Status.ARCHIVED)
    thread = ThreadFactory(group=group)
    coordinator = CoordinatorFactory()
    add_totp(coordinator)
    client.force_login(coordinator)
    url = reverse("community:thread", args=[group.slug, thread.pk])
    body = client.get(url).content.decode()
    assert "This group is archived." in body and "Post the reply" not in body
    response = client.post(url, {"body": "Still here?"}, follow=True)
    assert "This group is archived: your reply was not posted." in response.content.decode()
    assert not Post.objects.filter(thread=thread).exists()

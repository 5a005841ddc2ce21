"""Discussions inside a peer group: the list, a discussion with its replies, starting one,
moderation (pin, lock, hide) and attachments. Members, facilitators and coordinators only: for
everyone else the pages do not exist (the same 404 as a missing group)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from netzerohub.core.paging import paginate
from netzerohub.core.ratelimit import rate_limited

from . import services
from .discussion_forms import PostForm, ThreadForm
from .models import Group, Post, Thread
from .policies import get_attachment_for_user, get_group_for_user, get_thread_for_user, group_policy

POSTS_PER_PAGE = 50
POSTING_LIMIT = 30  # posts (new discussions and replies together) per person and hour


def _group(request: HttpRequest, slug: str) -> Group:
    """The group whose discussions `request.user` may read and join; 404 otherwise."""
    return get_group_for_user(request.user, slug, "discuss")


def _mentionable(group: Group, user) -> list[tuple[str, str]]:
    """(name, handle) of the people a post can mention, by name (the author left out)."""
    people = [p for p in services.participants(group) if p.pk != user.pk]
    return sorted(((str(p), services.mention_handle(p)) for p in people), key=lambda r: r[0])


def threads(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's discussions, pinned ones first, then by last activity; hidden ones only
    for moderators (marked)."""
    group = _group(request, slug)
    moderator = group_policy.can(request.user, "moderate", group)
    discussions = Thread.objects.for_group(group).visible(moderator=moderator)
    page = paginate(
        discussions.select_related("author"),
        request.GET.get("page"),
        count_key=f"community.threads:{group.pk}:{moderator}:{services.discussions_version(group)}",
    )
    context = {"group": group, "page": page, "moderator": moderator}
    return render(request, "community/threads.html", context)


@require_http_methods(["GET", "POST"])
@rate_limited("community.post", limit=POSTING_LIMIT)
def thread_create(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(request, slug)
    form = ThreadForm(request.POST, request.FILES) if request.method == "POST" else ThreadForm()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            thread = services.start_thread(
                group,
                author=request.user,
                title=data["title"],
                body=data["body"],
                files=data["files"],
            )
        except services.CommunityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your discussion has started."))
            return redirect(thread)
    context = {"group": group, "form": form, "mentionable": _mentionable(group, request.user)}
    return render(request, "community/thread_form.html", context)


def _page_number(request: HttpRequest, thread: Thread) -> object:
    """The page asked for, or the page holding the post named by `?post=` (a link from a
    notification or after replying)."""
    if "page" in request.GET:
        return request.GET["page"]
    post_id = request.GET.get("post", "")
    if not post_id.isdigit():
        return 1
    before = thread.posts.filter(pk__lt=int(post_id)).count()
    return before // POSTS_PER_PAGE + 1


def _thread_page(
    request: HttpRequest,
    group: Group,
    thread: Thread,
    form: PostForm | None = None,
    *,
    unsent: str = "",
) -> HttpResponse:
    moderator = group_policy.can(request.user, "moderate", group)
    posts = thread.posts.select_related("author").prefetch_related("attachments")
    page = paginate(
        posts,
        _page_number(request, thread),
        POSTS_PER_PAGE,
        count_key=f"community.posts:{thread.pk}:{thread.post_count}",
    )
    open_for_replies = _open_for_replies(thread)
    context = {
        "group": group,
        "thread": thread,
        "page": page,
        "moderator": moderator,
        "form": (form or PostForm()) if open_for_replies else None,
        "unsent": unsent,
        "mentionable": _mentionable(group, request.user) if open_for_replies else [],
    }
    return render(request, "community/thread.html", context)


def _open_for_replies(thread: Thread) -> bool:
    archived = thread.group.status == Group.Status.ARCHIVED
    return not (thread.is_locked or thread.is_hidden or archived)


def _closed_message(thread: Thread) -> str:
    if thread.group.status == Group.Status.ARCHIVED:
        return _("This group is archived: your reply was not posted.")
    if thread.is_locked:
        return _("This discussion is locked: your reply was not posted.")
    return _("This discussion is hidden: your reply was not posted.")


@require_http_methods(["GET", "POST"])
@rate_limited("community.post", limit=POSTING_LIMIT)
def thread(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A discussion and its posts; a POST is a reply (refused with a message when the
    discussion is locked or hidden; the text is shown back so that nothing is lost)."""
    group = _group(request, slug)
    discussion = get_thread_for_user(request.user, group, pk)
    if request.method != "POST":
        return _thread_page(request, group, discussion)
    if not _open_for_replies(discussion):
        # Say why, and give the text back (the service refuses it the same way).
        messages.error(request, _closed_message(discussion))
        return _thread_page(request, group, discussion, unsent=request.POST.get("body", ""))
    form = PostForm(request.POST, request.FILES)
    if not form.is_valid():
        return _thread_page(request, group, discussion, form)
    try:
        post = services.reply(
            discussion,
            author=request.user,
            body=form.cleaned_data["body"],
            files=form.cleaned_data["files"],
        )
    except services.CommunityError as error:
        messages.error(request, str(error))
        discussion = get_thread_for_user(request.user, group, pk)  # locked or hidden since
        return _thread_page(request, group, discussion, form, unsent=form.cleaned_data["body"])
    messages.success(request, _("Your reply is posted."))
    url = reverse("community:thread", args=[group.slug, discussion.pk])
    return redirect(f"{url}?post={post.pk}#post-{post.pk}")


MODERATION_DONE = {
    "pin": _l("The discussion is pinned to the top of the list."),
    "unpin": _l("The discussion is no longer pinned."),
    "lock": _l("The discussion is locked: no new replies."),
    "unlock": _l("The discussion is open for replies again."),
    "hide": _l("The discussion is hidden from members."),
    "show": _l("Members can see the discussion again."),
}


@require_POST
def thread_moderate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = _group(request, slug)
    if not group_policy.can(request.user, "moderate", group):
        raise Http404
    discussion = get_thread_for_user(request.user, group, pk)
    action = request.POST.get("action", "")
    try:
        services.moderate_thread(discussion, action, actor=request.user)
    except services.CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, str(MODERATION_DONE[action]))
    return redirect(discussion)


@require_POST
def post_moderate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hide a post from members, or show it again (`action` hide or show)."""
    group = _group(request, slug)
    if not group_policy.can(request.user, "moderate", group):
        raise Http404
    post = Post.objects.filter(pk=pk, thread__group=group).select_related("thread").first()
    if post is None:
        raise Http404
    post.thread.group = group
    action = request.POST.get("action", "")
    url = reverse("community:thread", args=[group.slug, post.thread_id])
    if action not in ("hide", "show"):
        messages.error(request, _("Unknown moderation action."))
        return redirect(url)
    services.moderate_post(post, hidden=action == "hide", actor=request.user)
    messages.success(
        request,
        _("The post is hidden from members.")
        if action == "hide"
        else _("Members can see the post again."),
    )
    return redirect(f"{url}?post={post.pk}#post-{post.pk}")


def attachment(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A file of a post, downloaded (never shown inline) after the discussion's checks."""
    group = _group(request, slug)
    found = get_attachment_for_user(request.user, group, pk)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(handle, as_attachment=True, filename=found.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

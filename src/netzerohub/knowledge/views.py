"""Pages of the knowledge repository: search, reading, contributing, reviewing, collections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netzerohub.cities.policies import approved_memberships, is_coordinator
from netzerohub.core import search
from netzerohub.core.paging import paginate
from netzerohub.core.querysets import make_key
from netzerohub.core.ratelimit import rate_limited

from . import services
from .exports import export_rows
from .forms import AddToCollectionForm, CollectionForm, ResourceForm, ReviewForm
from .models import Bookmark, Collection, CollectionItem, Resource
from .policies import (
    can_contribute_for,
    collection_policy,
    get_attachment_for_user,
    get_collection_for_user,
    get_resource_for_user,
    resource_policy,
)
from .search import SORTS, SearchParams, audiences_for, search_resources

RELATED_SECONDS = 600
RESULTS_SECONDS = 300
RELATED_COUNT = 4


def search_page(request: HttpRequest) -> HttpResponse:
    """The repository's one search box, facets and results; the URL is the whole search.

    The results area is a fragment cached per search, audience and language under the index's
    generation (any change of the index makes new keys): a repeated search renders nothing."""
    params = SearchParams.from_query(request.GET)
    key = make_key(
        "knowledge.results",
        get_language(),
        audiences_for(request.user),
        request.user.is_authenticated,
        bool(request.htmx),
        params.query_string(page=params.page),
        search.generation(search.kind_of(Resource)),
    )
    results = cache.get(key)
    if results is None:
        found = search_resources(request.user, params)
        # Rendered without the request's context processors (the page runs them once).
        context = {
            "found": found,
            "params": params,
            "sorts": SORTS,
            "request": request,
            "user": request.user,
        }
        results = render_to_string("knowledge/_results.html", context)
        cache.set(key, results, RESULTS_SECONDS)
    if request.htmx:
        return HttpResponse(results)
    return render(request, "knowledge/search.html", {"params": params, "results": results})


def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_resource_for_user(request.user, pk)
    return render(request, "knowledge/resource_detail.html", _detail_context(request, resource))


def _detail_context(
    request: HttpRequest, resource: Resource, review_form: ReviewForm | None = None
) -> dict:
    user = request.user
    can = {a: resource_policy.can(user, a, resource) for a in resource_policy.actions}
    return {
        "resource": resource,
        "can": can,
        "fields": list(resource.fields.all()),
        "levers": list(resource.levers.all()),
        "countries": list(resource.countries.all()),
        "attachments": list(resource.attachments.all()),
        "related": related_resources(user, resource) if resource.is_published else [],
        "bookmarked": user.is_authenticated
        and Bookmark.objects.filter(user=user, resource=resource).exists(),
        "review_form": review_form or (ReviewForm() if can["request_changes"] else None),
        "collection_form": AddToCollectionForm() if can["curate"] else None,
    }


def related_resources(user, resource: Resource) -> list[Resource]:
    """Published resources sharing fields or levers, most shared first (ids cached 10 min)."""
    visible = Resource.objects.readable_by(user)
    key = make_key("knowledge.related", resource.pk, audiences_for(user))
    ids = cache.get(key)
    if ids is None:
        field_ids = list(resource.fields.values_list("pk", flat=True))
        lever_ids = list(resource.levers.values_list("pk", flat=True))
        related = visible.related_to(resource, field_ids, lever_ids)
        ids = list(related.values_list("pk", flat=True)[:RELATED_COUNT])
        cache.set(key, ids, RELATED_SECONDS)
    by_id = visible.for_listing().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A file of a resource, after the same check as the resource page (never a public URL)."""
    attachment = get_attachment_for_user(request.user, pk, attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    inline = attachment.kind in {"pdf", "png", "jpeg"}
    response = FileResponse(handle, as_attachment=not inline, filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = (
        "private, no-store" if not attachment.resource.is_public else "private"
    )
    return response


# --- contributing ----------------------------------------------------------------------------


@login_required
@rate_limited("knowledge.contribute", limit=30)
def create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_coordinator(user) and not approved_memberships(user):
        messages.info(request, _("Join your city first: members contribute for their city."))
        return redirect("cities:join")
    form = ResourceForm(
        request.POST or None, request.FILES or None, user=user, initial={"languages": ["en"]}
    )
    if request.method == "POST" and form.is_valid():
        city = form.cleaned_data.get("city")
        if not can_contribute_for(user, city):
            raise PermissionDenied
        with transaction.atomic():
            resource = services.create_resource(actor=user, values=form.content())
            _attach(resource, form, user)
            if "submit" in request.POST:
                resource = services.send_for_review(resource, actor=user)
        messages.success(request, _status_message(resource))
        return redirect(resource)
    return render(request, "knowledge/resource_form.html", {"form": form, "resource": None})


@login_required
@rate_limited("knowledge.contribute", limit=30)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    resource = get_resource_for_user(user, pk, "edit")
    form = ResourceForm(request.POST or None, request.FILES or None, instance=resource, user=user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            resource = services.update_resource(resource, actor=user, values=form.content())
            _attach(resource, form, user)
            if "submit" in request.POST and resource_policy.can(user, "submit", resource):
                services.send_for_review(resource, actor=user)
        resource.refresh_from_db()
        messages.success(request, _status_message(resource))
        return redirect(resource)
    return render(
        request,
        "knowledge/resource_form.html",
        {"form": form, "resource": resource, "attachments": resource.attachments.all()},
    )


def _attach(resource: Resource, form: ResourceForm, user) -> None:
    for upload in form.cleaned_data.get("new_files") or []:
        services.add_attachment(resource, upload, actor=user)


def _status_message(resource: Resource) -> str:
    return {
        Resource.Status.DRAFT: _("Saved as a draft. Submit it for review when it is ready."),
        Resource.Status.SUBMITTED: _("Submitted: a reviewer will publish it or ask for changes."),
        Resource.Status.PUBLISHED: _("Published: everyone who may read it can now find it."),
        Resource.Status.CHANGES_REQUESTED: _("Saved. Submit it again when the changes are done."),
    }.get(resource.status, _("Saved."))


@login_required
@require_POST
def remove_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    resource = get_resource_for_user(request.user, pk, "edit")
    attachment = resource.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    services.remove_attachment(attachment, actor=request.user)
    messages.success(request, _("File removed."))
    return redirect("knowledge:edit", pk=resource.pk)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_resource_for_user(request.user, pk, "submit")
    services.submit_resource(resource, actor=request.user)
    messages.success(request, _status_message(Resource(status=Resource.Status.SUBMITTED)))
    return redirect(resource)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish, ask for changes (with a comment), archive, or publish an archived one again."""
    decision = request.POST.get("decision", "")
    action = {"publish": "publish", "changes": "request_changes", "archive": "archive"}.get(
        decision
    )
    if action is None:
        raise Http404
    resource = get_resource_for_user(request.user, pk, action)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if action == "publish":
            services.publish_resource(resource, actor=request.user)
            messages.success(request, _("Published. The contributor has been told."))
        elif action == "request_changes":
            services.request_changes(resource, actor=request.user, comment=comment)
            messages.success(request, _("Changes requested. The contributor has been told."))
        else:
            services.archive_resource(resource, actor=request.user, comment=comment)
            messages.success(request, _("Archived: it no longer appears in search."))
    except services.KnowledgeError as error:
        messages.error(request, str(error))
        if action == "request_changes":  # keep what the reviewer typed
            return _detail_with_review_form(request, resource, form)
    return redirect(resource)


def _detail_with_review_form(request: HttpRequest, resource: Resource, form: ReviewForm):
    context = _detail_context(request, resource, review_form=form)
    return render(request, "knowledge/resource_detail.html", context, status=400)


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_resource_for_user(request.user, pk, "view_history")
    versions = resource.versions.select_related("actor")
    return render(request, "knowledge/history.html", {"resource": resource, "versions": versions})


@login_required
def contributions(request: HttpRequest) -> HttpResponse:
    """The person's own contributions with their status and the reviewer's comment."""
    mine = Resource.objects.contributed_by(request.user).for_listing().order_by("-updated")
    page = paginate(mine, request.GET.get("page"))
    return render(request, "knowledge/contributions.html", {"page": page})


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    waiting = (
        Resource.objects.awaiting_review_by(request.user)
        .for_listing()
        .select_related("submitted_by")
        .order_by("updated")
    )
    page = paginate(waiting, request.GET.get("page"))
    return render(request, "knowledge/review_queue.html", {"page": page})


# --- my library ------------------------------------------------------------------------------


@login_required
@require_POST
def bookmark(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_resource_for_user(request.user, pk, "bookmark")
    kept = services.toggle_bookmark(resource, user=request.user)
    if request.htmx:
        return render(
            request, "knowledge/_bookmark.html", {"resource": resource, "bookmarked": kept}
        )
    messages.success(request, _("Saved in My library.") if kept else _("Removed from My library."))
    return redirect(resource)


@login_required
def library(request: HttpRequest) -> HttpResponse:
    readable = Resource.objects.readable_by(request.user)
    bookmarks = Bookmark.objects.filter(user=request.user, resource__in=readable).select_related(
        "resource__city__country", "resource__step"
    )
    page = paginate(bookmarks, request.GET.get("page"))
    return render(request, "knowledge/library.html", {"page": page})


# --- collections -----------------------------------------------------------------------------


def collections(request: HttpRequest) -> HttpResponse:
    listing = Collection.objects.visible_to(request.user)
    return render(
        request,
        "knowledge/collections.html",
        {"collections": listing, "can_manage": collection_policy.can(request.user, "manage")},
    )


def collection_detail(request: HttpRequest, slug: str) -> HttpResponse:
    collection = get_collection_for_user(request.user, slug)
    readable = Resource.objects.readable_by(request.user)
    items = collection.items.filter(resource__in=readable).select_related(
        "resource__city__country", "resource__step"
    )
    return render(
        request,
        "knowledge/collection_detail.html",
        {
            "collection": collection,
            "items": items,
            "can_manage": collection_policy.can(request.user, "manage", collection),
        },
    )


@login_required
def collection_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    if not collection_policy.can(request.user, "manage"):
        raise Http404
    collection = get_collection_for_user(request.user, slug, "manage") if slug else None
    form = CollectionForm(request.POST or None, instance=collection)
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.save_collection(
                collection, actor=request.user, values=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Collection saved."))
            return redirect(collection)
    items = collection.items.select_related("resource") if collection else []
    return render(
        request,
        "knowledge/collection_form.html",
        {"form": form, "collection": collection, "items": items},
    )


@login_required
@require_POST
def collection_add(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_resource_for_user(request.user, pk, "curate")
    form = AddToCollectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a collection."))
        return redirect(resource)
    collection = form.cleaned_data["collection"]
    try:
        services.add_to_collection(
            collection, resource, actor=request.user, note=form.cleaned_data["note"]
        )
    except services.KnowledgeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Added to %(title)s.") % {"title": collection.title})
    return redirect(resource)


@login_required
@require_POST
def collection_item(request: HttpRequest, slug: str, item_pk: int) -> HttpResponse:
    """Move an item up or down, or remove it."""
    collection = get_collection_for_user(request.user, slug, "manage")
    item = CollectionItem.objects.filter(collection=collection, pk=item_pk).first()
    if item is None:
        raise Http404
    operation = request.POST.get("operation")
    if operation == "remove":
        services.remove_from_collection(item, actor=request.user)
    elif operation in {"up", "down"}:
        services.move_collection_item(
            item, actor=request.user, offset=-1 if operation == "up" else 1
        )
    else:
        raise Http404
    return redirect("knowledge:collection-edit", slug=collection.slug)


# --- export ----------------------------------------------------------------------------------


@rate_limited("knowledge.export", limit=10)
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The catalogue the person may read, as CSV (the columns `import_resources` reads)."""
    resources = Resource.objects.exportable_by(request.user)
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(export_rows(resources), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="netzerohub-resources-{stamp}.csv"'
    return response

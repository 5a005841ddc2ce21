"""Pages of the knowledge repository, endpoint-level: URL, middleware, view and template.

Who sees which page (and the same 404 for missing and forbidden), the search page with its
facets and hostile input, what never leaks (members-only resources and drafts in results,
facets, related lists, collections, the library, the export and downloads), forms that keep
what was typed, sanitised Markdown, and pinned query counts."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.urls import reverse

from netzerohub.cities.tests.factories import CityFactory, CountryFactory
from netzerohub.core.models import AuditLog, Notification, SearchDocument
from netzerohub.core.tests.admin_forms import admin_form_data
from netzerohub.knowledge import services
from netzerohub.knowledge.models import Attachment, Bookmark, CollectionItem, Resource
from netzerohub.knowledge.tests.factories import (
    EXE,
    TINY_PDF,
    AttachmentFactory,
    BookmarkFactory,
    CollectionFactory,
    CollectionItemFactory,
    ResourceFactory,
    stored_files,
    term,
    upload,
)
from netzerohub.knowledge.tests.test_policies import ROLES, allowed, readers

pytestmark = pytest.mark.django_db

S = Resource.Status
V = Resource.Visibility
_TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def text(response) -> str:
    return response.content.decode()


def login(client, user) -> None:
    if user.is_authenticated:
        client.force_login(user)


def as_role(client, user_for, role: str):
    user = user_for(role)
    login(client, user)
    return user


@pytest.fixture
def shared(city, contributor):
    """A resource of `city` shared by `contributor`, in any status and visibility."""

    def make(status: str = S.PUBLISHED, visibility: str = V.PUBLIC, **kwargs) -> Resource:
        return ResourceFactory(
            status=status, visibility=visibility, city=city, submitted_by=contributor, **kwargs
        )

    return make


STATUSES = [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.PUBLISHED, S.ARCHIVED]
PAGE_CASES = [(s, v, role) for s in STATUSES for v in (V.PUBLIC, V.MEMBERS) for role in ROLES]


# --- who sees which page -------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "visibility", "role"), PAGE_CASES)
def test_resource_page_renders_for_its_readers_and_404s_for_the_others(
    client, shared, user_for, status, visibility, role
):
    resource = shared(status, visibility, title="Transition team terms of reference")
    attachment = AttachmentFactory(resource=resource)
    as_role(client, user_for, role)

    page = client.get(resource.get_absolute_url())
    download = client.get(attachment.get_absolute_url())

    if role in readers(status, visibility):
        assert page.status_code == 200
        assert "Transition team terms of reference" in text(page)
        assert download.status_code == 200
    else:
        assert page.status_code == 404
        assert "Transition team" not in text(page)
        assert download.status_code == 404


@pytest.mark.parametrize(
    ("status", "role"),
    [(s, role) for s in STATUSES for role in ROLES],
)
def test_edit_and_history_pages_follow_the_policy(client, shared, user_for, status, role):
    resource = shared(status)
    user = as_role(client, user_for, role)

    edit = client.get(reverse("knowledge:edit", args=[resource.pk]))
    history = client.get(reverse("knowledge:history", args=[resource.pk]))

    if not user.is_authenticated:
        assert edit.status_code == history.status_code == 302
        assert edit["Location"].startswith(reverse("account_login"))
        return
    assert edit.status_code == (200 if role in allowed("edit", status, V.PUBLIC) else 404)
    assert history.status_code == (
        200 if role in allowed("view_history", status, V.PUBLIC) else 404
    )


def without_tokens(response, *paths: str) -> str:
    """The page with its CSRF tokens and the given addresses blanked, to compare two pages."""
    page = _TOKENS.sub(r"\1", text(response))
    for path in paths:
        page = page.replace(path, "PATH")
    return page


@pytest.mark.parametrize("name", ["resource", "edit", "history"])
def test_forbidden_and_missing_resources_give_the_same_404(client, shared, member, name):
    draft = shared(S.DRAFT)
    login(client, member)
    forbidden_url = reverse(f"knowledge:{name}", args=[draft.pk])
    missing_url = reverse(f"knowledge:{name}", args=[draft.pk + 1000])

    forbidden = client.get(forbidden_url)
    missing = client.get(missing_url)

    assert forbidden.status_code == missing.status_code == 404
    assert without_tokens(forbidden, forbidden_url) == without_tokens(missing, missing_url)


def test_a_forbidden_file_and_a_missing_file_give_the_same_404(client, shared, visitor):
    attachment = AttachmentFactory(resource=shared(S.PUBLISHED, V.MEMBERS))
    forbidden_url = attachment.get_absolute_url()
    missing_url = reverse("knowledge:download", args=[attachment.resource_id, attachment.pk + 9])

    forbidden = client.get(forbidden_url)
    missing = client.get(missing_url)

    assert forbidden.status_code == missing.status_code == 404
    assert without_tokens(forbidden, forbidden_url) == without_tokens(missing, missing_url)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("visitor", 302), ("outsider", 302), ("member", 200), ("coordinator", 200)],
)
def test_the_share_page_needs_a_city_or_a_coordinator(client, user_for, role, expected):
    as_role(client, user_for, role)

    response = client.get(reverse("knowledge:create"))

    assert response.status_code == expected
    if role == "visitor":
        assert response["Location"].startswith(reverse("account_login"))
    elif role == "outsider":
        assert response["Location"] == reverse("cities:join")


@pytest.mark.parametrize("name", ["contributions", "review-queue", "library"])
@pytest.mark.parametrize("role", ROLES)
def test_personal_pages_render_for_everyone_signed_in(client, user_for, role, name):
    user = as_role(client, user_for, role)

    response = client.get(reverse(f"knowledge:{name}"))

    assert response.status_code == (200 if user.is_authenticated else 302)


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_render_for_every_role(client, user_for, role):
    as_role(client, user_for, role)
    collection = CollectionFactory()

    for url in [
        reverse("knowledge:search"),
        reverse("knowledge:collections"),
        collection.get_absolute_url(),
        reverse("knowledge:export"),
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
def test_collection_management_is_for_coordinators(client, user_for, role):
    user = as_role(client, user_for, role)
    draft = CollectionFactory(is_published=False)
    published = CollectionFactory()
    expected = 200 if role == "coordinator" else 404 if user.is_authenticated else 302

    assert client.get(reverse("knowledge:collection-create")).status_code == expected
    assert client.get(reverse("knowledge:collection-edit", args=[published.slug])).status_code == (
        expected
    )
    assert client.get(draft.get_absolute_url()).status_code == (
        200 if role == "coordinator" else 404
    )


# --- reading -------------------------------------------------------------------------------------


def test_the_resource_page_shows_its_facts_files_links_and_review_comment(
    client, shared, contributor
):
    resource = shared(
        S.CHANGES_REQUESTED,
        fields=["energy-systems"],
        levers=["finance-funding"],
        links=[{"url": "https://example.org/plan", "title": "The plan"}],
        review_comment="Please name the sources.",
        authors="Energy office",
    )
    AttachmentFactory(resource=resource, name="plan.pdf")
    login(client, contributor)

    page = text(client.get(resource.get_absolute_url()))

    assert "Energy systems" in page
    assert "Finance &amp; funding" in page
    assert "Energy office" in page
    assert 'href="https://example.org/plan" rel="noopener noreferrer nofollow">The plan</a>' in page
    assert "Please name the sources." in page
    assert resource.attachments.get().get_absolute_url() in page
    assert "Mission City" in page


HOSTILE_BODY = """Intro <script>alert('body')</script>

<img src=x onerror=alert(1)>

[click me](javascript:alert(2)) and [data](data:text/html;base64,PHNjcmlwdD4=)

<a href="javascript:alert(3)">raw link</a> <iframe src="https://evil.example"></iframe>

[fine](https://example.org/ok)
"""


def test_markdown_is_rendered_without_scripts_handlers_or_javascript_links(client):
    resource = ResourceFactory(body=HOSTILE_BODY)

    page = text(client.get(resource.get_absolute_url()))
    body = page.split('<div class="resource-body">', 1)[1].split("</div>", 1)[0]

    assert "<script" not in body
    assert "<img" not in body
    assert "<iframe" not in body
    assert not re.search(r"<[^>]+\sonerror\s*=", body)
    assert not re.search(r"""<a\s[^>]*href=["']?\s*(javascript|data):""", body, re.IGNORECASE)
    assert '<a href="https://example.org/ok" rel="noopener noreferrer nofollow">fine</a>' in body
    assert "<script>alert" not in page


def test_related_resources_share_fields_or_levers_and_respect_who_reads(client, member, visitor):
    resource = ResourceFactory(fields=["energy-systems"], levers=["finance-funding"])
    both = ResourceFactory(
        title="Both terms", fields=["energy-systems"], levers=["finance-funding"]
    )
    one = ResourceFactory(title="One term", fields=["energy-systems"])
    ResourceFactory(title="Unrelated", fields=["mobility-transport"])
    ResourceFactory(title="Members-only twin", members_only=True, fields=["energy-systems"])
    ResourceFactory(title="Draft twin", draft=True, fields=["energy-systems"])
    ResourceFactory(title="Archived twin", archived=True, fields=["energy-systems"])

    related = client.get(resource.get_absolute_url()).context["related"]
    assert related == [both, one]

    login(client, member)
    related = client.get(resource.get_absolute_url()).context["related"]
    assert related[0] == both  # most shared terms first
    assert {r.title for r in related} == {"Both terms", "One term", "Members-only twin"}


def test_a_members_only_file_is_served_through_the_view_to_members(client, member, visitor):
    resource = ResourceFactory(members_only=True)
    attachment = AttachmentFactory(resource=resource, name="inventory.pdf")

    assert client.get(attachment.get_absolute_url()).status_code == 404

    login(client, member)
    response = client.get(attachment.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'inline; filename="inventory.pdf"'
    assert b"".join(response.streaming_content) == TINY_PDF
    # Stored under a private path, never a public URL.
    assert attachment.file.name.startswith(f"knowledge/{resource.pk}/")


def test_an_office_file_is_downloaded_as_an_attachment(client):
    attachment = AttachmentFactory(name="budget.xlsx", kind="xlsx")

    response = client.get(attachment.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="budget.xlsx"'


def test_a_file_missing_from_storage_is_a_404(client):
    attachment = AttachmentFactory()
    default_storage.delete(attachment.file.name)

    assert client.get(attachment.get_absolute_url()).status_code == 404


# --- search --------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(city, other_city):
    """Public and members-only published resources, a draft, a submitted and an archived one."""
    sweden = CountryFactory(code="SE", name="Sweden")
    return {
        "guide": ResourceFactory(
            title="Heat pumps for schools",
            type=Resource.Type.GUIDE,
            fields=["energy-systems"],
            levers=["technology-infrastructure"],
            countries=[sweden],
            languages=["en", "sv"],
            published_on=dt.date(2024, 5, 1),
            city=other_city,
        ),
        "case": ResourceFactory(
            title="District heating in a Mission City",
            type=Resource.Type.CASE_STUDY,
            fields=["energy-systems"],
            levers=["finance-funding"],
            languages=["en"],
            published_on=dt.date(2025, 2, 1),
            city=city,
        ),
        "tool": ResourceFactory(
            title="Bike lane planner",
            type=Resource.Type.TOOL,
            fields=["mobility-transport"],
            step="act",
            languages=["de"],
            published_on=dt.date(2023, 1, 1),
        ),
        "members": ResourceFactory(
            title="Heating budget for members",
            type=Resource.Type.TEMPLATE,
            fields=["energy-systems"],
            members_only=True,
            published_on=dt.date(2025, 6, 1),
        ),
        "draft": ResourceFactory(
            title="Heating draft",
            draft=True,
            type=Resource.Type.DATASET,
            fields=["waste-circular-economy"],
        ),
        "submitted": ResourceFactory(
            title="Heating submitted", submitted=True, type=Resource.Type.DATASET
        ),
        "archived": ResourceFactory(
            title="Heating archived", archived=True, type=Resource.Type.REPORT
        ),
    }


def search(client, **params):
    response = client.get(reverse("knowledge:search"), params)
    assert response.status_code == 200
    return response


# Read from the HTML, not the context: the results area may come from the fragment cache.
RESULT_TITLE = re.compile(r'<li class="resource-item">\s*<h3><a href="[^"]*">(.*?)</a></h3>')
FACET_VALUE = re.compile(
    r'<input type="checkbox" name="(\w+)" value="([^"]*)"[^>]*>\s*'
    r'<label[^>]*>.*?<span class="count">\(([\d,]+)\)</span>',
    re.S,
)


def titles(response) -> list[str]:
    page = text(response)
    results = page[page.find('<div class="results">') :]
    return [html.unescape(title) for title in RESULT_TITLE.findall(results)]


def facet_counts(response) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for name, value, count in FACET_VALUE.findall(text(response)):
        counts.setdefault(name, {})[html.unescape(value)] = int(count.replace(",", ""))
    return counts


def test_search_without_words_lists_the_newest_readable_resources(client, catalogue):
    response = search(client)

    assert titles(response) == [
        "District heating in a Mission City",
        "Heat pumps for schools",
        "Bike lane planner",
    ]
    assert "3 resources" in text(response)


def test_search_with_words_ranks_and_highlights(client, catalogue):
    response = search(client, q="district")

    assert titles(response) == ["District heating in a Mission City"]
    assert "<mark>District</mark>" in text(response) or "District heating" in text(response)


def test_facet_counts_are_those_of_what_the_visitor_may_read(client, catalogue):
    counts = facet_counts(search(client))

    assert counts["type"] == {"guide": 1, "case-study": 1, "tool": 1}
    assert counts["field"] == {"energy-systems": 2, "mobility-transport": 1}
    assert counts["year"] == {"2025": 1, "2024": 1, "2023": 1}
    assert counts["mission"] == {"1": 1}
    assert counts["country"] == {"SE": 1}
    assert counts["language"] == {"en": 2, "sv": 1, "de": 1}
    assert counts["step"] == {"act": 1}


def test_members_see_members_only_resources_and_their_counts_but_never_drafts(
    client, catalogue, member
):
    login(client, member)
    response = search(client, q="heating")

    assert set(titles(response)) == {
        "Heat pumps for schools",  # heating, heat: the same stem
        "District heating in a Mission City",
        "Heating budget for members",
    }
    counts = facet_counts(search(client))
    assert counts["type"] == {"guide": 1, "case-study": 1, "tool": 1, "template": 1}
    assert counts["field"] == {"energy-systems": 3, "mobility-transport": 1}
    assert "dataset" not in counts["type"] and "report" not in counts["type"]


@pytest.mark.parametrize("role", ROLES)
def test_no_role_ever_finds_a_draft_a_submitted_or_an_archived_resource(
    client, catalogue, user_for, role
):
    as_role(client, user_for, role)

    for params in [{}, {"q": "heating"}, {"type": "dataset"}, {"type": "report"}]:
        response = search(client, **params)
        found_titles = " ".join(titles(response))
        assert "draft" not in found_titles
        assert "submitted" not in found_titles
        assert "archived" not in found_titles
        counts = facet_counts(response)
        assert counts.get("type", {}).get("dataset", 0) == 0
        assert counts.get("type", {}).get("report", 0) == 0
        assert "waste-circular-economy" not in counts.get("field", {})


DISTRICT = "District heating in a Mission City"
NEWEST_FIRST = [DISTRICT, "Heat pumps for schools", "Bike lane planner"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "guide"}, ["Heat pumps for schools"]),
        ({"type": ["guide", "tool"]}, ["Heat pumps for schools", "Bike lane planner"]),
        ({"field": "energy-systems", "lever": "finance-funding"}, [DISTRICT]),
        ({"step": "act"}, ["Bike lane planner"]),
        ({"country": "SE"}, ["Heat pumps for schools"]),
        ({"language": "sv"}, ["Heat pumps for schools"]),
        ({"year": "2025"}, [DISTRICT]),
        ({"mission": "1"}, [DISTRICT]),
        ({"q": "heat", "type": "tool"}, []),
        ({"sort": "date"}, NEWEST_FIRST),
        # Unknown values are dropped, never an error: a shared or edited URL always works.
        ({"type": "nonsense"}, NEWEST_FIRST),
        ({"sort": "nonsense", "year": "1066"}, NEWEST_FIRST),
    ],
)  # fmt: skip
def test_search_filters_and_sort(client, catalogue, params, expected):
    assert titles(search(client, **params)) == expected


def test_a_chosen_facet_keeps_the_counts_of_its_alternatives(client, catalogue):
    counts = facet_counts(search(client, type="guide"))

    # Ticking "tool" as well would add one: the type counts ignore the type filter.
    assert counts["type"] == {"guide": 1, "case-study": 1, "tool": 1}
    assert counts["field"] == {"energy-systems": 1}


def test_an_empty_search_offers_to_drop_a_filter(client, catalogue):
    response = search(client, q="heat", type="tool")

    page = text(response)
    assert "No resource matches this search." in page
    assert "Remove a filter:" in page
    assert 'href="?q=heat"' in page
    assert "sign in" in page


def test_the_search_url_is_the_whole_search_and_htmx_gets_the_results_only(client, catalogue):
    response = client.get(
        reverse("knowledge:search"), {"q": "heat", "type": "guide"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "<html" not in text(response)
    assert titles(response) == ["Heat pumps for schools"]


def test_search_pages(client):
    for n in range(25):
        ResourceFactory(title=f"Guide {n:02}", published_on=dt.date(2024, 1, 1) + dt.timedelta(n))

    first = search(client)
    second = search(client, page="2")
    beyond = search(client, page="99")
    bad = search(client, page="two")

    assert len(titles(first)) == 20
    assert titles(second) == [f"Guide {n:02}" for n in range(4, -1, -1)]
    assert titles(beyond) == titles(second)
    assert titles(bad) == titles(first)
    assert 'href="?page=2" rel="next"' in text(first)
    assert 'rel="prev"' in text(second)


HOSTILE_QUERIES = [
    "&|!:*()'\"",
    "heat & pumps | (schools) !",
    "x" * 1000,
    "heat " * 300,
    "🌍🔥 heating 💡",
    '"unclosed phrase',
    '-"',
    "- OR OR -",
    "the of and",
    "NEAR(heat pumps)",
    "heat*",
    "title:heat",
    "^heat",
    "'; DROP TABLE knowledge_resource; --",
    "\x00heat",
    "%_%",
    "\\",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
@pytest.mark.parametrize("role", ["visitor", "member"])
def test_hostile_search_text_never_fails(client, catalogue, user_for, role, q):
    as_role(client, user_for, role)

    response = search(client, q=q, type="guide", sort="date", page="2")

    assert "<script>alert(1)</script>" not in text(response)
    htmx = client.get(reverse("knowledge:search"), {"q": q}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"page": "²"},
        {"page": "-1"},
        {"page": "9" * 30},
        {"year": "²"},
        {"year": "99999999999999999999"},
        {"type": "x" * 5000},
        {"mission": "0"},
        {"sort": ["date", "relevance"]},
    ],
)
def test_hostile_parameters_never_fail(client, catalogue, params):
    assert search(client, **params).status_code == 200


# --- what never leaks ----------------------------------------------------------------------------


def test_collection_pages_show_only_what_the_person_may_read(client, member):
    collection = CollectionFactory()
    for title, kwargs in [
        ("Open guide", {}),
        ("Members guide", {"members_only": True}),
        ("Old guide", {"archived": True}),
    ]:
        CollectionItemFactory(
            collection=collection, resource=ResourceFactory(title=title, **kwargs)
        )

    def shown() -> list[str]:
        response = client.get(collection.get_absolute_url())
        assert response.status_code == 200
        return [item.resource.title for item in response.context["items"]]

    assert shown() == ["Open guide"]
    assert "Members guide" not in text(client.get(collection.get_absolute_url()))
    login(client, member)
    assert shown() == ["Open guide", "Members guide"]


def test_unpublished_collections_are_not_listed_for_others(client, coordinator):
    CollectionFactory(title="Open collection")
    CollectionFactory(title="Coordinators' draft", is_published=False)

    assert "Coordinators&#x27; draft" not in text(client.get(reverse("knowledge:collections")))
    login(client, coordinator)
    assert "Coordinators&#x27; draft" in text(client.get(reverse("knowledge:collections")))


def test_the_library_shows_only_bookmarks_the_person_may_still_read(client, outsider):
    kept = BookmarkFactory(user=outsider, resource__title="Still public").resource
    now_members_only = BookmarkFactory(user=outsider, resource__title="Now for members").resource
    Resource.objects.filter(pk=now_members_only.pk).update(visibility=V.MEMBERS)
    archived = BookmarkFactory(user=outsider, resource__title="Archived since").resource
    Resource.objects.filter(pk=archived.pk).update(status=S.ARCHIVED)
    BookmarkFactory(resource__title="Someone else's")
    login(client, outsider)

    response = client.get(reverse("knowledge:library"))

    assert [b.resource for b in response.context["page"].object_list] == [kept]
    assert "Now for members" not in text(response)


def export(client) -> list[dict[str, str]]:
    response = client.get(reverse("knowledge:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="netzerohub-resources-')
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


PUBLIC_TITLES = {
    "Bike lane planner",
    "District heating in a Mission City",
    "Heat pumps for schools",
}
MEMBER_TITLES = PUBLIC_TITLES | {"Heating budget for members"}
ALL_TITLES = MEMBER_TITLES | {"Heating draft", "Heating submitted", "Heating archived"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("visitor", PUBLIC_TITLES),
        ("outsider", PUBLIC_TITLES),
        ("member", MEMBER_TITLES),
        ("helpdesk_expert", MEMBER_TITLES),
        ("coordinator", ALL_TITLES),
    ],
)
def test_the_export_holds_what_the_person_may_read(client, catalogue, user_for, role, expected):
    as_role(client, user_for, role)

    assert {row["title"] for row in export(client)} == expected


def test_the_export_neutralises_formulas(client):
    ResourceFactory(title='=HYPERLINK("https://evil.example")', summary="+1+1", authors="@me")

    row = export(client)[0]

    assert row["title"] == '\'=HYPERLINK("https://evil.example")'
    assert row["summary"] == "'+1+1"
    assert row["authors"] == "'@me"


# --- contributing through the pages --------------------------------------------------------------


def form_data(city, **changes) -> dict:
    return {
        "title": "Heat pumps in schools",
        "summary": "How three schools replaced their oil boilers.",
        "type": Resource.Type.CASE_STUDY,
        "city": city.pk,
        "body": "## What we did\n\nWe surveyed every boiler.",
        "fields": ["1"],
        "licence": Resource.Licence.CC_BY,
        "visibility": V.PUBLIC,
        "links": "https://example.org/report The report",
        "languages": ["en"],
        **changes,
    }


@pytest.fixture
def energy(db):
    return term("field", "energy-systems")


def test_a_member_shares_a_resource_with_a_file_and_submits_it(
    client, city, contributor, mentor, energy, django_capture_on_commit_callbacks
):
    login(client, contributor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("knowledge:create"),
            form_data(city, fields=[energy.pk], submit="1", new_files=[upload("plan.pdf")]),
        )

    resource = Resource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == resource.get_absolute_url()
    assert (resource.status, resource.city, resource.submitted_by) == (
        S.SUBMITTED,
        city,
        contributor,
    )
    assert list(resource.fields.all()) == [energy]
    assert resource.links == [{"url": "https://example.org/report", "title": "The report"}]
    assert resource.attachments.get().name == "plan.pdf"
    assert Notification.objects.filter(user=mentor).exists()
    page = client.get(resource.get_absolute_url())
    assert "Submitted: a reviewer will publish it or ask for changes." in text(page)


def test_a_coordinator_saving_and_publishing_makes_it_findable(
    client, coordinator, city, energy, django_capture_on_commit_callbacks
):
    login(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("knowledge:create"),
            {**form_data(city, fields=[energy.pk], submit="1"), "city": ""},
        )

    resource = Resource.objects.get()
    assert (resource.status, resource.city) == (S.PUBLISHED, None)
    client.logout()
    assert titles(search(client, q="boilers")) == ["Heat pumps in schools"]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"links": "https://example.org/ok\nnot a web address"}, "Line 2 is not a web address"),
        ({"links": "javascript:alert(1) click"}, "Line 1 is not a web address"),
        ({"title": ""}, "This field is required."),
        ({"summary": "s" * 601}, "Ensure this value has at most 600 characters"),
        ({"published_on": "31/02/2025"}, "Enter a valid date."),
        ({"type": "novel"}, "Select a valid choice."),
    ],
)
def test_the_share_form_keeps_what_was_typed_on_errors(
    client, city, contributor, energy, changes, error
):
    login(client, contributor)
    data = form_data(city, fields=[energy.pk], **changes)

    response = client.post(reverse("knowledge:create"), data)

    assert response.status_code == 200
    page = text(response)
    assert error in page
    assert "Please correct the fields marked below." in page
    assert data["summary"] in page
    assert "We surveyed every boiler." in page
    if "links" in changes:
        assert changes["links"].splitlines()[-1] in page
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("setup.pdf", EXE, "not one of the accepted types"),
        ("huge.pdf", TINY_PDF + b"\0" * (26 * 1024 * 1024), "files may be at most 25"),
    ],
    ids=["exe-renamed-pdf", "26-mb"],
)
def test_a_refused_file_keeps_the_form_and_stores_nothing(
    client, city, contributor, energy, name, content, error
):
    login(client, contributor)

    response = client.post(
        reverse("knowledge:create"),
        form_data(city, fields=[energy.pk], new_files=[upload(name, content)]),
    )

    assert response.status_code == 200
    page = text(response)
    assert error in page
    assert "Files must be chosen again after an error." in page
    assert 'value="Heat pumps in schools"' in page
    assert not Resource.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files("knowledge") == set()


def test_a_member_cannot_contribute_for_another_city(client, contributor, other_city, energy):
    login(client, contributor)

    response = client.post(reverse("knowledge:create"), form_data(other_city, fields=[energy.pk]))

    assert response.status_code == 200
    assert "Select a valid choice." in text(response)
    assert not Resource.objects.exists()


def test_the_review_round_trip_through_the_pages(
    client, shared, contributor, mentor, django_capture_on_commit_callbacks
):
    resource = shared(S.SUBMITTED)
    login(client, mentor)
    review_url = reverse("knowledge:review", args=[resource.pk])

    # Asking for changes without a comment: refused, the page shown again.
    response = client.post(review_url, {"decision": "changes", "comment": ""})
    assert response.status_code == 400
    assert "Say what should change" in text(response)
    resource.refresh_from_db()
    assert resource.status == S.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url, {"decision": "changes", "comment": "Add the costs."})
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.status, resource.review_comment) == (S.CHANGES_REQUESTED, "Add the costs.")

    # The contributor sees the comment in their contributions and fixes the resource.
    login(client, contributor)
    assert "Add the costs." in text(client.get(reverse("knowledge:contributions")))
    edit_page = client.get(reverse("knowledge:edit", args=[resource.pk]))
    assert "Add the costs." in text(edit_page)
    data = {
        **form_data(resource.city, summary="Costs: 1.2 M EUR over three years.", submit="1"),
        "fields": [],
    }
    data.pop("city")
    response = client.post(reverse("knowledge:edit", args=[resource.pk]), data)
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.status == S.SUBMITTED

    login(client, mentor)
    queue = client.get(reverse("knowledge:review-queue"))
    assert [r.pk for r in queue.context["page"].object_list] == [resource.pk]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url, {"decision": "publish"})
    resource.refresh_from_db()
    assert resource.status == S.PUBLISHED
    history = client.get(reverse("knowledge:history", args=[resource.pk]))
    assert [v.action for v in history.context["versions"]] == [
        "published",
        "submitted",
        "edited",
        "changes-requested",
    ]


def test_an_unknown_review_decision_is_a_404(client, shared, mentor):
    resource = shared(S.SUBMITTED)
    login(client, mentor)

    response = client.post(reverse("knowledge:review", args=[resource.pk]), {"decision": "burn"})

    assert response.status_code == 404


def test_the_review_queue_holds_what_each_reviewer_reviews(
    client, shared, mentor, other_mentor, coordinator
):
    submitted = shared(S.SUBMITTED)
    shared(S.DRAFT)
    other = ResourceFactory(submitted=True, city=CityFactory())

    def queue(user) -> set[int]:
        login(client, user)
        response = client.get(reverse("knowledge:review-queue"))
        return {r.pk for r in response.context["page"].object_list}

    assert queue(mentor) == {submitted.pk}
    assert queue(other_mentor) == set()
    assert queue(coordinator) == {submitted.pk, other.pk}


def test_bookmarks_through_the_page_and_htmx(client, member):
    resource = ResourceFactory()
    login(client, member)
    url = reverse("knowledge:bookmark", args=[resource.pk])

    response = client.post(url)
    assert response.status_code == 302
    assert Bookmark.objects.filter(user=member, resource=resource).exists()
    assert "Remove from My library" in text(client.get(resource.get_absolute_url()))

    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Save to My library" in text(response)
    assert not Bookmark.objects.exists()


def test_nobody_bookmarks_what_they_may_not_read(client, outsider):
    resource = ResourceFactory(members_only=True)
    login(client, outsider)

    assert client.post(reverse("knowledge:bookmark", args=[resource.pk])).status_code == 404
    assert not Bookmark.objects.exists()


def test_a_coordinator_builds_a_collection_through_the_pages(client, coordinator):
    login(client, coordinator)
    response = client.post(
        reverse("knowledge:collection-create"),
        {"title": "Starting out", "slug": "starting-out", "description": "", "is_published": "on"},
    )
    assert response.status_code == 302
    first, second = ResourceFactory(title="First"), ResourceFactory(title="Second")
    collection_id = CollectionFactory._meta.model.objects.get(slug="starting-out").pk
    for resource in (first, second):
        response = client.post(
            reverse("knowledge:collect", args=[resource.pk]),
            {"collection": collection_id, "note": ""},
        )
        assert response.status_code == 302

    second_item = CollectionItem.objects.get(resource=second)
    item_url = reverse("knowledge:collection-item", args=["starting-out", second_item.pk])
    assert client.post(item_url, {"operation": "up"}).status_code == 302
    page = client.get(reverse("knowledge:collection", args=["starting-out"]))
    assert [i.resource.title for i in page.context["items"]] == ["Second", "First"]

    assert client.post(item_url, {"operation": "remove"}).status_code == 302
    assert client.post(item_url, {"operation": "remove"}).status_code == 404
    assert (
        client.post(
            reverse("knowledge:collection-item", args=["starting-out", 0]), {"operation": "up"}
        ).status_code
        == 404
    )


def test_the_collection_form_keeps_what_was_typed_on_a_taken_address(client, coordinator):
    CollectionFactory(slug="starting-out")
    login(client, coordinator)

    response = client.post(
        reverse("knowledge:collection-create"),
        {"title": "My new title", "slug": "starting-out", "description": "Kept text"},
    )

    assert response.status_code == 200
    assert 'value="My new title"' in text(response)
    assert "Kept text" in text(response)


def test_only_coordinators_add_to_collections(client, member):
    collection = CollectionFactory()
    resource = ResourceFactory()
    login(client, member)

    response = client.post(
        reverse("knowledge:collect", args=[resource.pk]), {"collection": collection.pk}
    )

    assert response.status_code == 404
    assert not collection.items.exists()


# --- pinned query counts -------------------------------------------------------------------------


@pytest.fixture(params=["small", "large"])
def data_size(request):
    return request.param


@pytest.fixture
def many(data_size, city):
    """3 (small) or 30 (large) published resources sharing terms, with files and bookmarks."""
    count = 30 if data_size == "large" else 3
    sweden = CountryFactory(code="SE", name="Sweden")
    resources = [
        ResourceFactory(
            title=f"Heat guide {n}",
            summary="Heat pumps and district heating for every district.",
            city=city if n % 2 else None,
            fields=["energy-systems", "built-environment"],
            levers=["finance-funding"],
            countries=[sweden],
            step="act",
            members_only=n % 3 == 0,
        )
        for n in range(count)
    ]
    for resource in resources[:3]:
        AttachmentFactory(resource=resource)
    cache.clear()
    return resources


SEARCH_QUERIES = {"visitor": 7, "member": 10}


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_search_page_query_count(
    client, many, user_for, role, data_size, django_assert_num_queries
):
    as_role(client, user_for, role)

    with django_assert_num_queries(SEARCH_QUERIES[role]):
        response = client.get(reverse("knowledge:search"), {"q": "heat", "field": "energy-systems"})

    assert response.status_code == 200
    assert len(titles(response)) == (20 if data_size == "large" else 3 - (role == "visitor"))


RESOURCE_QUERIES = {"visitor": 9, "member": 13}


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_resource_page_query_count(
    client, many, user_for, role, data_size, django_assert_num_queries
):
    user = as_role(client, user_for, role)
    resource = many[1]
    if user.is_authenticated:
        BookmarkFactory(user=user, resource=resource)

    with django_assert_num_queries(RESOURCE_QUERIES[role]):
        response = client.get(resource.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["related"]) == (
        4 if data_size == "large" else 1 + (role == "member")
    )
    assert len(response.context["attachments"]) == 1


# --- more pages ----------------------------------------------------------------------------------


def test_an_unpublished_and_a_missing_collection_give_the_same_404(client, member):
    collection = CollectionFactory(is_published=False)
    login(client, member)
    forbidden_url = collection.get_absolute_url()
    missing_url = reverse("knowledge:collection", args=["no-such-collection"])

    forbidden = client.get(forbidden_url)
    missing = client.get(missing_url)

    assert forbidden.status_code == missing.status_code == 404
    assert without_tokens(forbidden, forbidden_url) == without_tokens(missing, missing_url)


def test_the_contributor_removes_a_file_of_their_draft(
    client, shared, contributor, member, django_capture_on_commit_callbacks
):
    resource = shared(S.DRAFT)
    attachment = AttachmentFactory(resource=resource)
    url = reverse("knowledge:remove-attachment", args=[resource.pk, attachment.pk])

    login(client, member)
    assert client.post(url).status_code == 404
    assert default_storage.exists(attachment.file.name)

    login(client, contributor)
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:edit", args=[resource.pk])
    assert not Attachment.objects.exists()
    assert not default_storage.exists(attachment.file.name)


def test_search_snippets_escape_what_the_text_holds(client):
    ResourceFactory(summary='Heat <script>alert("x")</script> <b onmouseover=alert(1)>pumps</b>')

    response = search(client, q="alert")

    assert len(titles(response)) == 1
    assert "<script>alert" not in text(response)
    assert "<b onmouseover" not in text(response)
    assert "&lt;script&gt;" in text(response)


def test_the_history_of_an_imported_resource_names_no_person(client, coordinator):
    resource = services.create_resource(
        actor=None,
        values={"title": "Imported", "summary": "From a file.", "type": Resource.Type.GUIDE},
        key="imported",
    )
    login(client, coordinator)

    response = client.get(reverse("knowledge:history", args=[resource.pk]))

    assert response.status_code == 200
    assert "import or system" in text(response)


# --- changes made outside the services -----------------------------------------------------------


def test_a_stale_index_never_shows_what_the_person_may_no_longer_read(client, member):
    hidden = ResourceFactory(title="Heat pumps for members now")
    withdrawn = ResourceFactory(title="Heat pumps withdrawn")
    # Changed behind the services' back: the index still holds both as public and published.
    Resource.objects.filter(pk=hidden.pk).update(visibility=V.MEMBERS)
    Resource.objects.filter(pk=withdrawn.pk).update(status=S.DRAFT)

    assert titles(search(client, q="heat")) == []
    login(client, member)
    assert titles(search(client, q="heat")) == ["Heat pumps for members now"]


def test_an_edit_in_the_admin_is_reflected_in_the_search(client, superuser):
    resource = ResourceFactory(title="Heat pumps for schools", fields=["energy-systems"])
    AttachmentFactory(resource=resource)
    client.force_login(superuser)
    url = reverse("admin:knowledge_resource_change", args=[resource.pk])
    data = admin_form_data(client.get(url))

    response = client.post(url, {**data, "visibility": V.MEMBERS, "title": "Heat pumps, revised"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    version = resource.versions.order_by("-number").first()
    assert (version.action, version.actor) == ("edited-in-admin", superuser)
    assert (
        AuditLog.objects.for_object(resource).filter(action="knowledge.resource.updated").exists()
    )
    client.logout()
    assert titles(search(client, q="heat")) == []
    assert facet_counts(search(client)) == {}


def test_a_deletion_in_the_admin_takes_the_resource_out_of_the_index(client, superuser):
    resource = ResourceFactory(title="Heat pumps for schools")
    client.force_login(superuser)

    response = client.post(
        reverse("admin:knowledge_resource_delete", args=[resource.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Resource.objects.exists()
    assert not SearchDocument.objects.exists()


def test_a_repeated_search_is_served_from_the_fragment_cache(
    client, many, django_assert_num_queries
):
    params = {"q": "heat", "field": "energy-systems"}
    first = client.get(reverse("knowledge:search"), params)

    with django_assert_num_queries(0):
        again = client.get(reverse("knowledge:search"), params)

    assert titles(again) == titles(first) != []


def test_a_published_resource_is_found_at_once_despite_the_fragment_cache(
    client, catalogue, coordinator, django_capture_on_commit_callbacks
):
    assert "Ventilation retrofit" not in titles(search(client, q="ventilation"))
    draft = ResourceFactory(title="Ventilation retrofit", submitted=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_resource(draft, actor=coordinator)

    assert titles(search(client, q="ventilation")) == ["Ventilation retrofit"]

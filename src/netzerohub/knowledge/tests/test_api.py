"""The knowledge API at /api/v1/resources: search with facet counts, and one resource."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache

from netzerohub.accounts.services import create_api_token, revoke_api_token
from netzerohub.cities.tests.factories import CountryFactory
from netzerohub.knowledge.models import Resource
from netzerohub.knowledge.tests.factories import AttachmentFactory, ResourceFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/resources"
HUGE_ID = "9" * 30


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def token_for(user) -> str:
    _token, secret = create_api_token(user, name="script", actor=user)
    return secret


@pytest.fixture
def catalogue(city):
    sweden = CountryFactory(code="SE", name="Sweden")
    return {
        "guide": ResourceFactory(
            title="Heat pumps for schools",
            type=Resource.Type.GUIDE,
            fields=["energy-systems"],
            levers=["technology-infrastructure"],
            step="act",
            countries=[sweden],
            languages=["sv"],
            published_on=dt.date(2024, 5, 1),
        ),
        "case": ResourceFactory(
            title="District heating in a Mission City",
            type=Resource.Type.CASE_STUDY,
            fields=["energy-systems", "built-environment"],
            levers=["finance-funding"],
            languages=["en"],
            published_on=dt.date(2025, 2, 1),
            city=city,
        ),
        "tool": ResourceFactory(
            title="Bike lane planner",
            type=Resource.Type.TOOL,
            fields=["mobility-transport"],
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
        "draft": ResourceFactory(title="Heating draft", draft=True, city=city),
        "submitted": ResourceFactory(title="Heating submitted", submitted=True, city=city),
        "archived": ResourceFactory(title="Heating archived", archived=True),
    }


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["title"] for r in response.json()["results"]]


def counts(response, facet: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in response.json()["facets"][facet]}


# --- the list ------------------------------------------------------------------------------------


def test_the_list_holds_the_newest_public_resources_with_their_facts(client, catalogue, city):
    response = client.get(API)

    body = response.json()
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)
    assert titles(response) == [
        "District heating in a Mission City",
        "Heat pumps for schools",
        "Bike lane planner",
    ]
    case = catalogue["case"]
    assert body["results"][0] == {
        "id": case.pk,
        "title": "District heating in a Mission City",
        "summary": case.summary,
        "type": "case-study",
        "city": city.name,
        "city_country": city.country.code,
        "mission_city": True,
        "published_on": "2025-02-01",
        "visibility": "public",
        "url": f"/knowledge/{case.pk}/",
    }
    assert body["results"][1]["city"] is None
    assert set(body["facets"]) == {
        "type", "field", "lever", "step", "country", "language", "year", "mission",
    }  # fmt: skip
    assert counts(response, "type") == {"guide": 1, "case-study": 1, "tool": 1}
    assert counts(response, "field") == {
        "energy-systems": 2,
        "built-environment": 1,
        "mobility-transport": 1,
    }
    assert counts(response, "year") == {"2025": 1, "2024": 1, "2023": 1}
    energy = next(v for v in body["facets"]["field"] if v["value"] == "energy-systems")
    assert energy == {
        "value": "energy-systems",
        "label": "Energy systems",
        "count": 2,
        "selected": False,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "district"}, ["District heating in a Mission City"]),
        ({"q": "heating"}, ["Heat pumps for schools", "District heating in a Mission City"]),
        ({"q": '"bike lane"'}, ["Bike lane planner"]),
        ({"q": "heat -district"}, ["Heat pumps for schools"]),
        ({"q": "bike OR district"}, ["District heating in a Mission City", "Bike lane planner"]),
        ({"type": "guide"}, ["Heat pumps for schools"]),
        ({"type": ["guide", "tool"]}, ["Heat pumps for schools", "Bike lane planner"]),
        ({"field": "built-environment"}, ["District heating in a Mission City"]),
        ({"lever": "technology-infrastructure"}, ["Heat pumps for schools"]),
        ({"step": "act"}, ["Heat pumps for schools"]),
        ({"country": "SE"}, ["Heat pumps for schools"]),
        ({"language": "de"}, ["Bike lane planner"]),
        ({"year": "2025"}, ["District heating in a Mission City"]),
        ({"mission": "1"}, ["District heating in a Mission City"]),
        ({"field": "energy-systems", "language": "en"}, ["District heating in a Mission City"]),
        ({"type": "unknown", "field": "nonsense"}, [
            "District heating in a Mission City", "Heat pumps for schools", "Bike lane planner",
        ]),
        ({"q": "heat", "type": "tool"}, []),
    ],
)  # fmt: skip
def test_search_and_filters(client, catalogue, params, expected):
    found = titles(client.get(API, params))

    assert sorted(found) == sorted(expected)  # the order of ranked results is tested elsewhere


def test_facet_counts_combine_and_mark_the_chosen_values(client, catalogue):
    response = client.get(API, {"field": "energy-systems"})

    assert counts(response, "field") == {
        "energy-systems": 2,
        "built-environment": 1,
        "mobility-transport": 1,
    }
    assert counts(response, "type") == {"guide": 1, "case-study": 1}
    chosen = [v["value"] for v in response.json()["facets"]["field"] if v["selected"]]
    assert chosen == ["energy-systems"]


def test_pages_of_twenty(client):
    for n in range(25):
        ResourceFactory(title=f"Guide {n:02}", published_on=dt.date(2024, 1, 1) + dt.timedelta(n))

    first = client.get(API)
    second = client.get(API, {"page": 2})
    beyond = client.get(API, {"page": 50})

    assert (first.json()["count"], first.json()["pages"]) == (25, 2)
    assert len(titles(first)) == 20
    assert titles(second) == [f"Guide {n:02}" for n in range(4, -1, -1)]
    assert beyond.json()["page"] == 2
    assert titles(beyond) == titles(second)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "100001", HUGE_ID])
def test_a_bad_page_is_a_422(client, catalogue, page):
    response = client.get(API, {"page": page})

    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "q",
    ["&|!:*()'\"", "x" * 1000, "🌍🔥 heat 💡", '"unclosed', "-", "OR", "'; DROP TABLE x; --"],
)
def test_hostile_search_text_never_fails(client, catalogue, q):
    response = client.get(API, {"q": q, "year": "²", "sort": "date"})

    assert response.status_code == 200
    assert "results" in response.json()


# --- members-only resources only for members -----------------------------------------------------


MEMBER_TITLES = {
    "District heating in a Mission City",
    "Heat pumps for schools",
    "Bike lane planner",
    "Heating budget for members",
}
PUBLIC_TITLES = MEMBER_TITLES - {"Heating budget for members"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("visitor", PUBLIC_TITLES),
        ("outsider", PUBLIC_TITLES),
        ("member", MEMBER_TITLES),
        ("mentor", MEMBER_TITLES),
        ("helpdesk_expert", MEMBER_TITLES),
        ("coordinator", MEMBER_TITLES),
    ],
)
def test_members_only_resources_are_listed_for_members_only(
    client, catalogue, user_for, role, expected
):
    user = user_for(role)
    if user.is_authenticated:
        client.force_login(user)

    response = client.get(API)

    assert set(titles(response)) == expected
    assert response.json()["count"] == len(expected)
    assert counts(response, "type").get("template", 0) == (1 if len(expected) == 4 else 0)
    # Drafts, submitted and archived resources are never listed, nor counted.
    assert "dataset" not in counts(response, "type")
    assert sum(counts(response, "type").values()) == len(expected)


@pytest.mark.parametrize(
    ("role", "expected"), [("member", MEMBER_TITLES), ("outsider", PUBLIC_TITLES)]
)
def test_a_personal_token_reads_what_its_owner_may_read(
    client, catalogue, user_for, role, expected
):
    secret = token_for(user_for(role))

    response = client.get(API, headers=bearer(secret))

    assert set(titles(response)) == expected
    one = client.get(f"{API}/{catalogue['members'].pk}", headers=bearer(secret))
    assert one.status_code == (200 if role == "member" else 404)


def test_a_revoked_or_wrong_token_reads_nothing_more(client, catalogue, member):
    token, secret = create_api_token(member, name="script", actor=member)
    revoke_api_token(token, actor=member)

    for header in [bearer(secret), bearer("nzh_not-a-token")]:
        response = client.get(API, headers=header)
        assert response.status_code == 401
        assert "Heating budget" not in response.content.decode()
        one = client.get(f"{API}/{catalogue['members'].pk}", headers=header)
        assert one.status_code == 401


# --- one resource --------------------------------------------------------------------------------


def test_one_resource_with_its_content_and_files(client, catalogue):
    resource = catalogue["guide"]
    Resource.objects.filter(pk=resource.pk).update(
        body="## Plan\n\nRead <script>alert(1)</script> [this](javascript:alert(2)).",
        links=[{"url": "https://example.org", "title": "Example"}],
        authors="Energy office",
    )
    attachment = AttachmentFactory(resource=resource, name="plan.pdf")

    response = client.get(f"{API}/{resource.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Heat pumps for schools"
    assert (body["fields"], body["levers"], body["step"]) == (
        ["energy-systems"],
        ["technology-infrastructure"],
        "act",
    )
    assert (body["countries"], body["languages"]) == (["SE"], ["sv"])
    assert body["links"] == [{"url": "https://example.org", "title": "Example"}]
    assert body["authors"] == "Energy office"
    assert body["licence"] == "cc-by-4.0"
    assert body["attachments"] == [
        {
            "name": "plan.pdf",
            "kind": "pdf",
            "size": attachment.size,
            "url": attachment.get_absolute_url(),
        }
    ]
    assert body["body_markdown"].startswith("## Plan")
    assert "<h2>Plan</h2>" in body["body_html"]
    assert "<script" not in body["body_html"]
    assert not re.search(r'<a\s[^>]*href="javascript:', body["body_html"])


@pytest.mark.parametrize("name", ["draft", "submitted", "archived", "members", "missing"])
def test_one_resource_is_a_404_for_visitors_when_they_may_not_read_it(client, catalogue, name):
    resource_id = catalogue["draft"].pk + 1000 if name == "missing" else catalogue[name].pk

    response = client.get(f"{API}/{resource_id}")

    if name == "archived":  # still readable by its address, though no longer listed
        assert response.status_code == 200
        return
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_one_resource_404s_are_the_same_for_missing_and_forbidden(client, catalogue, member):
    client.force_login(member)

    draft = client.get(f"{API}/{catalogue['draft'].pk}")
    missing = client.get(f"{API}/{catalogue['draft'].pk + 1000}")
    huge = client.get(f"{API}/{HUGE_ID}")

    assert draft.status_code == missing.status_code == 404
    assert draft.json() == missing.json()
    assert huge.status_code in {404, 422}


def test_the_contributor_reads_their_own_draft(client, catalogue, city, contributor):
    draft = ResourceFactory(draft=True, city=city, submitted_by=contributor)
    client.force_login(contributor)

    assert client.get(f"{API}/{draft.pk}").status_code == 200


# --- pinned query counts -------------------------------------------------------------------------


@pytest.fixture(params=[3, 30])
def many(request, city):
    sweden = CountryFactory(code="SE", name="Sweden")
    resources = [
        ResourceFactory(
            title=f"Heat guide {n}",
            city=city if n % 2 else None,
            fields=["energy-systems"],
            levers=["finance-funding"],
            countries=[sweden],
            members_only=n % 3 == 0,
        )
        for n in range(request.param)
    ]
    cache.clear()
    return resources


LIST_QUERIES = {"visitor": 7, "token": 10}


@pytest.mark.parametrize("who", ["visitor", "token"])
def test_list_query_count(client, many, member, who, django_assert_num_queries):
    headers = bearer(token_for(member)) if who == "token" else {}

    with django_assert_num_queries(LIST_QUERIES[who]):
        response = client.get(API, {"q": "heat", "field": "energy-systems"}, headers=headers)

    assert response.status_code == 200
    readable = [r for r in many if who == "token" or r.is_public]
    assert len(response.json()["results"]) == min(20, len(readable))

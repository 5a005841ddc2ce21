"""The peer groups API: the list (filters, pages, drafts hidden) and one group."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from netzerohub.accounts.services import create_api_token
from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.community.models import Group
from netzerohub.core.models import Term
from netzerohub.events.models import Event
from netzerohub.events.tests.factories import MeetingFactory, in_days

from .factories import GroupFactory, PhaseFactory

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _token, secret = create_api_token(user, name="script", actor=user)
    return {"Authorization": f"Bearer {secret}"}


def slugs(body: dict) -> list[str]:
    return [group["slug"] for group in body["results"]]


def test_groups_list_listed_groups_by_title(client, coordinator):
    GroupFactory(slug="b-open", title="B open")
    GroupFactory(slug="a-closed", title="A closed", status=Group.Status.CLOSED)
    GroupFactory(slug="draft", title="Draft", status=Group.Status.DRAFT)
    GroupFactory(slug="archived", title="Archived", status=Group.Status.ARCHIVED)
    body = client.get("/api/v1/groups").json()
    assert slugs(body) == ["a-closed", "b-open"]
    assert body["count"] == 2
    assert body["results"][1]["theme"]["kind"] == "field"
    assert body["results"][1]["url"] == "/groups/b-open/"
    everything = client.get("/api/v1/groups", headers=bearer(coordinator)).json()
    assert everything["count"] == 4


def test_facilitators_see_their_draft_in_the_list(client, mentor):
    GroupFactory(slug="mine", status=Group.Status.DRAFT, facilitators=[mentor])
    GroupFactory(slug="not-mine", status=Group.Status.DRAFT)
    assert slugs(client.get("/api/v1/groups", headers=bearer(mentor)).json()) == ["mine"]


def test_groups_filters(client):
    finance = Term.objects.get(kind="lever", slug="finance-funding")
    GroupFactory(slug="finance", theme=finance, language="en")
    GroupFactory(slug="energy-fr", language="fr")

    def found(**params) -> list[str]:
        cache.clear()
        response = client.get("/api/v1/groups", params)
        assert response.status_code == 200
        return slugs(response.json())

    assert found(theme="finance-funding") == ["finance"]
    assert found(language="fr") == ["energy-fr"]
    assert found(theme="finance-funding", language="fr") == []
    assert client.get("/api/v1/groups", {"theme": "Not a slug!"}).status_code == 422


def test_group_detail(client, mentor):
    group = GroupFactory(
        slug="heat",
        description="## Why\n\nTalk about *heat*. <script>alert(1)</script>",
        admission=Group.Admission.APPLICATION,
        facilitators=[mentor, UserFactory(name="")],
    )
    PhaseFactory(
        group=group,
        position=1,
        title="Second",
        starts_on=dt.date(2027, 3, 1),
        ends_on=dt.date(2027, 4, 30),
    )
    PhaseFactory(group=group, position=0, title="First")
    soon = MeetingFactory(group=group, title="Next", starts_at=in_days(7), video_url="https://x")
    MeetingFactory(group=group, title="Later", starts_at=in_days(30))
    MeetingFactory(group=group, title="Done", starts_at=in_days(-30))
    MeetingFactory(group=group, title="Draft", status=Event.Status.DRAFT)
    body = client.get("/api/v1/groups/heat").json()
    assert body["description"].startswith("## Why")
    assert body["description_html"].startswith("<h2>Why</h2>")
    assert "<script>" not in body["description_html"]
    assert body["admission"] == "application"
    assert body["seats_per_city"] == 2
    assert body["facilitators"] == ["Max Mentor"]  # nobody shown by email address
    assert [p["title"] for p in body["phases"]] == ["First", "Second"]
    assert [m["title"] for m in body["meetings"]] == ["Next", "Later"]
    assert body["meetings"][0]["id"] == soon.pk
    assert body["meetings"][0]["starts_at"].endswith("Z")
    assert dt.datetime.fromisoformat(body["meetings"][0]["starts_at"]) == soon.starts_at
    assert "https://x" not in str(body)


def test_draft_and_missing_groups_are_404_except_for_those_who_run_them(
    client, member, mentor, coordinator
):
    GroupFactory(slug="draft", status=Group.Status.DRAFT, facilitators=[mentor])
    assert client.get("/api/v1/groups/draft").status_code == 404
    assert client.get("/api/v1/groups/draft", headers=bearer(member)).status_code == 404
    assert client.get("/api/v1/groups/missing").status_code == 404
    assert client.get("/api/v1/groups/draft", headers=bearer(mentor)).status_code == 200
    assert client.get("/api/v1/groups/draft", headers=bearer(coordinator)).status_code == 200


def test_a_wrong_token_is_401(client):
    headers = {"Authorization": "Bearer nzh_wrong"}
    assert client.get("/api/v1/groups", headers=headers).status_code == 401
    assert client.get("/api/v1/groups/any", headers=headers).status_code == 401


@pytest.fixture(params=[3, 30])
def groups(request):
    for _ in range(request.param):
        group = GroupFactory(facilitators=[UserFactory(), UserFactory()])
        PhaseFactory(group=group)
        MeetingFactory(group=group)
    cache.clear()
    return request.param


def test_groups_list_query_counts(client, groups, django_assert_num_queries):
    # the count and the page (with each group's theme)
    with django_assert_num_queries(2):
        body = client.get("/api/v1/groups").json()
    assert (body["count"], len(body["results"])) == (groups, min(groups, 25))
    slug = body["results"][0]["slug"]
    # the group (and theme), its facilitators, its phases, its upcoming meetings
    with django_assert_num_queries(4):
        body = client.get(f"/api/v1/groups/{slug}").json()
    assert len(body["facilitators"]) == 2

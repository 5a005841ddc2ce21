"""Submission and review: the lead submits a frozen version, members see who can, one version
waits at a time; coordinators comment per section and return or accept; the version page is
read-only; the queue; another city's pages are the same 404 as missing ones; query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from netzerohub.cities.tests.factories import CityFactory, LeadFactory
from netzerohub.contracts import services
from netzerohub.contracts.models import Action, ContractVersion, ReviewComment
from netzerohub.core.models import Notification

from .test_exports import full_contract


@pytest.fixture
def contract(city, member):
    return full_contract(city, member)


def test_the_lead_submits_a_frozen_version(client, contract, lead):
    client.force_login(lead)
    page = client.get(reverse("contracts:submit", args=[contract.city_id]))
    assert page.status_code == 200
    assert "Submit version 1" in page.content.decode()
    response = client.post(reverse("contracts:submit", args=[contract.city_id]))
    version = ContractVersion.objects.get(contract=contract)
    assert response.status_code == 302 and response.url == reverse(
        "contracts:version", args=[version.pk]
    )
    assert version.submitted_by == lead and version.status == "submitted"
    # the draft changes, the version does not
    Action.objects.filter(contract=contract, title="Heat pumps").update(title="Heat networks")
    page = client.get(reverse("contracts:version", args=[version.pk])).content.decode()
    assert "Heat pumps" in page and "Heat networks" not in page
    assert "frozen" in page
    with pytest.raises(ValueError):
        version.snapshot = {}
        version.save()


def test_a_second_submission_while_one_waits_is_refused_with_a_message(client, contract, lead):
    services.submit(contract, actor=lead)
    client.force_login(lead)
    response = client.post(reverse("contracts:submit", args=[contract.city_id]), follow=True)
    assert "already waiting for review" in response.content.decode()
    assert ContractVersion.objects.filter(contract=contract).count() == 1


def test_members_who_are_not_leads_see_who_can_submit(client, contract, member, lead):
    client.force_login(member)
    page = client.get(reverse("contracts:submit", args=[contract.city_id])).content.decode()
    assert (
        "Lea Lead" in page and '<form method="post" action="/' not in page.split('id="submit"')[1]
    )
    assert client.post(reverse("contracts:submit", args=[contract.city_id])).status_code == 404
    assert not ContractVersion.objects.exists()


def test_another_citys_pages_are_404_like_missing_ones(client, contract, lead, other_lead):
    version = services.submit(contract, actor=lead)
    client.force_login(other_lead)
    for url in [
        reverse("contracts:submit", args=[contract.city_id]),
        reverse("contracts:versions", args=[contract.city_id]),
        reverse("contracts:version", args=[version.pk]),
        reverse("contracts:version", args=[version.pk + 1000]),
        reverse("contracts:publishing", args=[contract.city_id]),
        reverse("contracts:review-queue"),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("contracts:submit", args=[contract.city_id])).status_code == 404
    assert (
        client.post(
            reverse("contracts:review", args=[version.pk]), {"decision": "accept"}
        ).status_code
        == 404
    )
    version.refresh_from_db()
    assert version.status == "submitted"


def test_a_coordinator_returns_with_comments_and_the_lead_reads_them(
    client, contract, lead, coordinator
):
    version = services.submit(contract, actor=lead)
    client.force_login(coordinator)
    page = client.get(reverse("contracts:version", args=[version.pk])).content.decode()
    assert "Return with comments" in page and 'for="id_comment_A-1"' in page
    response = client.post(
        reverse("contracts:review", args=[version.pk]),
        {"decision": "return", "comment_A-1": "Add the **scope 3** rows", "comment_B-3": " "},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "returned" and version.decided_by == coordinator
    assert list(ReviewComment.objects.values_list("section", flat=True)) == ["A-1"]
    client.force_login(lead)
    page = client.get(reverse("contracts:version", args=[version.pk])).content.decode()
    assert "<strong>scope 3</strong>" in page and "Return with comments" not in page
    assert "Submit a new version" in page
    assert 'href="#s-A1"' in page
    notice = Notification.objects.get(user=lead)
    assert notice.kind == "contracts.version.returned"
    assert notice.url == reverse("contracts:version", args=[version.pk])


def test_returning_without_a_comment_is_refused_and_keeps_what_was_typed(
    client, contract, lead, coordinator
):
    version = services.submit(contract, actor=lead)
    client.force_login(coordinator)
    response = client.post(reverse("contracts:review", args=[version.pk]), {"decision": "return"})
    assert response.status_code == 400
    assert "a returned version needs a comment" in response.content.decode()
    response = client.post(
        reverse("contracts:review", args=[version.pk]),
        {"decision": "maybe", "comment_C-3": "Typed <text> kept"},
    )
    assert response.status_code == 400
    assert "Typed &lt;text&gt; kept" in response.content.decode()
    version.refresh_from_db()
    assert version.status == "submitted"


def test_accepting_and_deciding_twice(client, contract, lead, coordinator):
    version = services.submit(contract, actor=lead)
    client.force_login(coordinator)
    client.post(reverse("contracts:review", args=[version.pk]), {"decision": "accept"})
    version.refresh_from_db()
    assert version.status == "accepted"
    response = client.post(
        reverse("contracts:review", args=[version.pk]),
        {"decision": "return", "comment_A-1": "late"},
    )
    assert response.status_code == 400
    assert "already been reviewed" in response.content.decode()


def test_members_cannot_review(client, contract, lead):
    version = services.submit(contract, actor=lead)
    client.force_login(lead)
    response = client.post(reverse("contracts:review", args=[version.pk]), {"decision": "accept"})
    assert response.status_code == 404


def test_the_history_shows_what_changed_in_the_key_figures(client, contract, lead, member):
    services.submit(contract, actor=lead)
    first = ContractVersion.objects.get()
    services.review(first, accept=False, comments={"A-1": "more"}, actor=lead)
    services.save_action(
        Action(contract=contract, title="Bike lanes"),
        actor=member,
        reductions={"transportation": Decimal(250)},
    )
    Action.objects.filter(title="Heat pumps").delete()
    services.submit(contract, actor=lead)
    services.save_action(Action(contract=contract, title="Solar roofs"), actor=member)
    client.force_login(member)
    page = client.get(reverse("contracts:versions", args=[contract.city_id])).content.decode()
    second = page.index("Version 2")
    assert "Actions added: Bike lanes" in page[second:]
    assert "Actions removed: Heat pumps" in page[second:]
    assert "Expected reductions of the portfolio" in page[second:]
    assert "+50" in page  # 500 → 550 t CO2e
    draft = page[: page.index("History")]
    assert "Actions added: Solar roofs" in draft
    assert "Returned with comments" in page and "Lea Lead" in page


def test_the_review_queue_lists_waiting_versions_oldest_first(client, lead, coordinator, member):
    cities = [CityFactory(name=f"Town {n}") for n in range(3)]
    for n, city in enumerate(cities):
        LeadFactory(city=city)
        contract = services.workspace(city)
        services.submit(contract, actor=lead)
        if n == 2:
            services.review(contract.versions.get(), accept=True, comments={}, actor=coordinator)
    client.force_login(coordinator)
    client.get(reverse("contracts:review-queue"))
    services.submit(services.workspace(CityFactory(name="Town late")), actor=lead)
    page = client.get(reverse("contracts:review-queue")).content.decode()
    waiting, decided = page.split("Recently reviewed")
    assert "Town late" in waiting  # not hidden by a count from before it came
    assert waiting.index("Town 0") < waiting.index("Town 1") and "Town 2" not in waiting
    assert "Town 2" in decided and "Accepted" in decided
    client.force_login(member)
    assert client.get(reverse("contracts:review-queue")).status_code == 404


def _grow(contract, member, lead, coordinator, n: int) -> None:
    for i in range(n):
        services.save_action(
            Action(contract=contract, title=f"Extra {i}"),
            actor=member,
            reductions={"waste": Decimal(i + 1)},
        )
        version = services.submit(contract, actor=lead)
        services.review(version, accept=False, comments={"B-2": f"again {i}"}, actor=coordinator)


@pytest.mark.parametrize("more", [0, 4])
def test_query_counts_do_not_grow_with_data(
    client, contract, member, lead, coordinator, django_assert_num_queries, more
):
    _grow(contract, member, lead, coordinator, more)
    version = services.submit(contract, actor=lead)
    client.force_login(coordinator)
    client.get(reverse("contracts:version", args=[version.pk]))  # warm the session
    pages = [
        (reverse("contracts:version", args=[version.pk]), 5),
        (reverse("contracts:versions", args=[contract.city_id]), 19),
        (reverse("contracts:submit", args=[contract.city_id]), 14),
        (reverse("contracts:review-queue"), 4),
    ]
    for url, queries in pages:
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200

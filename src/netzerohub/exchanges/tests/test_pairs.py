"""The pairs' shared pages and the coordinators' progress view, endpoint-level: who sees a
pair (both cities' members and coordinators once published; coordinators only before; the same
404 for everyone else), the contacts shown only after publishing, the timeline (activities and
the host's study visits of the call), the replication plan, the progress list with its filter
and CSV export, and pinned query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from netzerohub.accounts.tests.factories import CoordinatorFactory
from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, LeadFactory, MembershipFactory
from netzerohub.core.tests.browser import collect_console_errors, sign_in
from netzerohub.core.tests.test_accessibility import assert_accessible
from netzerohub.events.models import Event
from netzerohub.events.tests.factories import EventFactory
from netzerohub.exchanges import services
from netzerohub.exchanges.models import Activity, Pair

from .factories import ApplicationFactory, CallFactory, OfferFactory, PairFactory

pytestmark = pytest.mark.django_db

QUERIES = {"pair": 11, "pair proposed": 11, "progress": 9}


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def call(db):
    return CallFactory(title="Twinning 2027", matches_published_at=timezone.now())


@pytest.fixture
def pair(call, city, other_city):
    """`other_city` (the twin, led by `other_lead`) learns from `city` (the Mission City of the
    lead, mentor and member fixtures)."""
    city.contact_name = "Hilde Host"
    city.contact_email = "climate@host.example.org"
    city.website = "https://host.example.org"
    city.save()
    other_city.contact_email = "office@twin.example.org"
    other_city.save()
    return PairFactory(
        call=call,
        application=ApplicationFactory(call=call, city=other_city, status="accepted"),
        offer=OfferFactory(call=call, city=city),
    )


@pytest.fixture
def third_member(db):
    return MembershipFactory(city=CityFactory(), user__name="Theo Third").user


def pair_url(pair, name="pair") -> str:
    return reverse(f"exchanges:{name}", args=[pair.pk])


def activity_data(**changes) -> dict:
    data = {
        "kind": "meeting",
        "date": "2027-06-14",
        "title": "Kick-off call",
        "description": "We agreed on **three** topics.",
        "link": "https://docs.example.org/minutes",
    }
    data.update(changes)
    return data


# --- who sees a pair -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("other_lead", 200),  # the twin city's lead
        ("lead", 200),  # the host city's people
        ("mentor", 200),
        ("member", 200),
        ("coordinator", 200),
        ("third_member", 404),
        ("outsider", 404),
        ("visitor", 302),
    ],
)
def test_who_sees_a_published_pair(client, request, pair, role, expected):
    if role != "visitor":
        client.force_login(request.getfixturevalue(role))
    assert client.get(pair_url(pair)).status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [("coordinator", 200), ("other_lead", 404), ("lead", 404), ("member", 404)],
)
def test_a_proposed_pair_is_the_coordinators_only(client, request, pair, role, expected):
    pair.status = Pair.Status.PROPOSED
    pair.save()
    client.force_login(request.getfixturevalue(role))
    assert client.get(pair_url(pair)).status_code == expected


def test_a_missing_pair_is_the_same_404(client, member):
    client.force_login(member)
    assert client.get(reverse("exchanges:pair", args=[99999999])).status_code == 404


# --- contacts --------------------------------------------------------------------------------


def test_both_cities_see_each_others_contacts_once_published(client, pair, lead, other_lead):
    client.force_login(other_lead)
    page = text(client.get(pair_url(pair)))
    assert "Hilde Host" in page and "climate@host.example.org" in page
    assert "https://host.example.org" in page and "office@twin.example.org" in page
    assert lead.email in page and other_lead.email in page
    assert "Lea Lead" in page and "Otto Otherlead" in page
    assert "Why this pair" in page


def test_no_contact_before_publishing(client, coordinator, pair, lead, other_lead):
    pair.status = Pair.Status.PROPOSED
    pair.save()
    client.force_login(coordinator)
    page = text(client.get(pair_url(pair)))
    assert "not published yet" in page
    for private in ("climate@host.example.org", "office@twin.example.org", lead.email):
        assert private not in page
    assert other_lead.email not in page and "Add to the timeline" not in page


def test_publishing_shows_the_pair_to_both_cities_and_no_one_else(
    client, coordinator, city, other_city, other_lead, lead, third_member
):
    """The whole way: run, publish, then each side opens its pair page; a third city cannot."""
    call = CallFactory()
    ApplicationFactory(call=call, city=other_city, status="accepted", languages=["en"])
    OfferFactory(call=call, city=city, languages=["en"])
    services.run_matching(call, actor=coordinator)
    pair = Pair.objects.get(call=call)
    client.force_login(other_lead)
    assert client.get(pair_url(pair)).status_code == 404  # proposed only
    services.publish_matches(call, actor=coordinator)
    for person, expected in ((other_lead, 200), (lead, 200), (third_member, 404)):
        client.force_login(person)
        assert client.get(pair_url(pair)).status_code == expected


# --- the timeline ----------------------------------------------------------------------------


def test_a_member_adds_an_activity(client, pair, member):
    client.force_login(member)
    response = client.post(pair_url(pair, "activity"), activity_data())
    assert response.status_code == 302 and response.url.endswith("#timeline")
    activity = Activity.objects.get(pair=pair)
    assert activity.author == member and activity.date == dt.date(2027, 6, 14)
    page = text(client.get(pair_url(pair)))
    assert "Kick-off call" in page and "<strong>three</strong>" in page
    assert "added by Mia Member" in page


def test_the_twin_adds_an_output(client, pair, other_lead):
    client.force_login(other_lead)
    client.post(pair_url(pair, "activity"), activity_data(kind="output", title="Heat study"))
    assert Activity.objects.get(pair=pair).kind == "output"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"date": "14/14/2027"}, "date"),
        ({"kind": "party"}, "kind"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"description": "x" * 5001}, "description"),
    ],
)
def test_a_bad_activity_is_refused_and_the_input_kept(client, pair, member, changes, field):
    client.force_login(member)
    data = activity_data(**changes)
    response = client.post(pair_url(pair, "activity"), data)
    assert response.status_code == 200
    assert field in response.context["activity_form"].errors
    if field != "title":
        assert "Kick-off call" in text(response)
    assert not Activity.objects.exists()


@pytest.mark.parametrize("role", ["third_member", "outsider"])
def test_others_cannot_add_to_the_timeline(client, request, pair, role):
    client.force_login(request.getfixturevalue(role))
    assert client.post(pair_url(pair, "activity"), activity_data()).status_code == 404
    assert client.post(pair_url(pair, "plan"), {"replication_plan": "x"}).status_code == 404
    assert not Activity.objects.exists()


def test_nothing_is_added_to_a_proposed_pair(client, coordinator, pair):
    pair.status = Pair.Status.PROPOSED
    pair.save()
    client.force_login(coordinator)
    assert client.post(pair_url(pair, "activity"), activity_data()).status_code == 404
    assert not Activity.objects.exists()


def test_the_hosts_study_visits_of_the_call_are_on_the_timeline(client, pair, member):
    def visit(**kwargs):
        values = {
            "kind": Event.Kind.STUDY_VISIT,
            "offer": pair.offer,
            "audience": "call",
            "venue": "Town hall",
        }
        return EventFactory(**{**values, **kwargs})

    visit(title="Heat plant visit")
    visit(title="Draft visit", status="draft")
    visit(title="Another host's visit", offer=OfferFactory(call=pair.call))
    client.force_login(member)
    page = text(client.get(pair_url(pair)))
    assert "Heat plant visit" in page
    assert "Draft visit" not in page and "Another host&#x27;s visit" not in page


def test_the_page_needs_no_get_for_actions(client, pair, member):
    client.force_login(member)
    assert client.get(pair_url(pair, "activity")).status_code == 405
    assert client.get(pair_url(pair, "plan")).status_code == 405


# --- the replication plan --------------------------------------------------------------------


def test_the_plan_is_saved_then_submitted(client, pair, other_lead):
    client.force_login(other_lead)
    response = client.post(
        pair_url(pair, "plan"), {"replication_plan": "## Actions\n\n- a heat map", "action": "save"}
    )
    assert response.status_code == 302 and response.url.endswith("#plan")
    pair.refresh_from_db()
    assert pair.replication_plan.startswith("## Actions") and pair.plan_submitted_at is None
    page = text(client.get(pair_url(pair)))
    assert "A draft: not submitted yet." in page and "<h2>Actions</h2>" in page
    client.post(pair_url(pair, "plan"), {"replication_plan": "## Actions", "action": "submit"})
    pair.refresh_from_db()
    assert pair.plan_submitted_at is not None
    assert "Submitted as final on" in text(client.get(pair_url(pair)))


def test_an_empty_plan_cannot_be_submitted(client, pair, member):
    client.force_login(member)
    response = client.post(pair_url(pair, "plan"), {"replication_plan": "  ", "action": "submit"})
    assert response.status_code == 200
    assert "Write the plan before submitting it." in text(response)
    pair.refresh_from_db()
    assert pair.plan_submitted_at is None


def test_a_plan_too_long_is_refused_and_kept(client, pair, member):
    client.force_login(member)
    plan = "word " * 10_001
    response = client.post(pair_url(pair, "plan"), {"replication_plan": plan, "action": "save"})
    assert response.status_code == 200
    assert "replication_plan" in response.context["plan_form"].errors
    assert response.context["plan_form"]["replication_plan"].value() == plan
    pair.refresh_from_db()
    assert pair.replication_plan == ""


# --- progress --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("coordinator", 200), ("lead", 404), ("other_lead", 404), ("outsider", 404), ("visitor", 302)],
)
def test_who_sees_the_progress(client, request, role, expected):
    if role != "visitor":
        client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("exchanges:progress")).status_code == expected


def progress_pairs():
    """Two calls: in the first, a pair with two activities and a submitted plan, one with a
    draft plan; in the second, a pair with nothing yet; and a proposed pair of a third call."""
    first = CallFactory(title="First call", slug="first", matches_published_at=timezone.now())
    second = CallFactory(title="=Second call", slug="second", matches_published_at=timezone.now())
    busy = PairFactory(
        call=first,
        application__city__name="Aveiro",
        replication_plan="Plan",
        plan_submitted_at=timezone.now(),
    )
    Activity.objects.create(pair=busy, kind="meeting", date=dt.date(2027, 5, 1), title="One")
    Activity.objects.create(pair=busy, kind="visit", date=dt.date(2027, 6, 2), title="Two")
    drafting = PairFactory(call=first, application__city__name="Braga", replication_plan="Idea")
    quiet = PairFactory(call=second, application__city__name="Coimbra")
    proposed = PairFactory(status="proposed", application__city__name="Davos")
    return first, second, busy, drafting, quiet, proposed


def test_progress_lists_every_published_pair(client, coordinator):
    _first, _second, busy, drafting, quiet, proposed = progress_pairs()
    client.force_login(coordinator)
    response = client.get(reverse("exchanges:progress"))
    rows = {p.pk: p for p in response.context["pairs"]}
    assert set(rows) == {busy.pk, drafting.pk, quiet.pk}
    assert rows[busy.pk].activity_count == 2
    assert rows[busy.pk].last_activity == dt.date(2027, 6, 2)
    assert rows[busy.pk].plan_status == "submitted"
    assert rows[drafting.pk].plan_status == "draft"
    assert rows[quiet.pk].plan_status == "none" and rows[quiet.pk].activity_count == 0
    page = text(response)
    assert "Aveiro" in page and "Davos" not in page and "2 Jun 2027" in page


def test_progress_filters_by_call(client, coordinator):
    first, _second, busy, drafting, _quiet, _proposed = progress_pairs()
    client.force_login(coordinator)
    response = client.get(reverse("exchanges:progress"), {"call": first.slug})
    assert {p.pk for p in response.context["pairs"]} == {busy.pk, drafting.pk}
    response = client.get(reverse("exchanges:progress"), {"call": "no-such-call"})
    assert response.status_code == 200 and len(response.context["pairs"]) == 3


def test_progress_exports_csv(client, coordinator):
    progress_pairs()
    client.force_login(coordinator)
    response = client.get(reverse("exchanges:progress"), {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Twin city", "Host city", "Call"]
    by_twin = {row[0]: row for row in rows[1:]}
    assert set(by_twin) == {"Aveiro", "Braga", "Coimbra"}
    assert by_twin["Aveiro"][3:6] == ["2", "2027-06-02", "Submitted"]
    assert by_twin["Coimbra"][2] == "'=Second call"  # a formula is made plain text


# --- query counts ----------------------------------------------------------------------------


def fill(pair, size: int) -> None:
    for n in range(size):
        Activity.objects.create(pair=pair, kind="note", date=dt.date(2027, 1, 1 + n), title=f"N{n}")
        EventFactory(kind=Event.Kind.STUDY_VISIT, offer=pair.offer, audience="call", venue="Hall")
        LeadFactory(city=pair.application.city)


@pytest.mark.parametrize("size", [1, 9])
def test_pair_page_query_count(client, pair, member, size, django_assert_num_queries):
    fill(pair, size)
    client.force_login(member)
    with django_assert_num_queries(QUERIES["pair"]):
        response = client.get(pair_url(pair))
    assert len(response.context["timeline"]) == 2 * size


@pytest.mark.parametrize("size", [1, 9])
def test_proposed_pair_page_query_count(client, pair, coordinator, size, django_assert_num_queries):
    fill(pair, size)
    pair.status = Pair.Status.PROPOSED
    pair.save()
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES["pair proposed"]):
        assert client.get(pair_url(pair)).status_code == 200


@pytest.mark.parametrize("size", [1, 12])
def test_progress_query_count(client, coordinator, size, django_assert_num_queries):
    call = CallFactory(matches_published_at=timezone.now())
    for _ in range(size):
        pair = PairFactory(call=call)
        Activity.objects.create(pair=pair, kind="note", date=dt.date(2027, 1, 1), title="N")
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES["progress"]):
        response = client.get(reverse("exchanges:progress"))
    assert len(response.context["pairs"]) == size


# --- in a real browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_matching_publishing_and_the_pair_page_in_the_browser(live_server, page, settings):
    """A coordinator runs the matching, reads why the pair was made and publishes it; the
    twin's lead adds a meeting (a mistake first) and drafts the plan; the progress view lists
    the pair. Every page passes the axe scan and raises no console error."""
    settings.REQUIRE_STAFF_MFA = False
    coordinator = CoordinatorFactory(name="Cora Coordinator")
    host_city = CityFactory(name="Valencia", status=City.Status.MISSION)
    twin = CityFactory(name="Tartu", status=City.Status.PARTICIPATING)
    twin_lead = LeadFactory(city=twin, user__name="Tiina Twinlead").user
    call = CallFactory(title="Twinning 2027")
    ApplicationFactory(call=call, city=twin, status="accepted", languages=["en"])
    OfferFactory(call=call, city=host_city, languages=["en"])
    errors = collect_console_errors(page)
    sign_in(page.context, live_server, coordinator)
    page.goto(live_server.url + reverse("exchanges:matching", args=[call.slug]))
    assert_accessible(page)
    page.get_by_role("button", name="Run the matching").click()
    expect(page.locator("main")).to_contain_text("Pairs proposed: 1")
    page.locator("summary", has_text="Why this pair").first.click()
    expect(page.get_by_text("Why this pair: Tartu and Valencia")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish the pairs").click()
    expect(page.locator("main")).to_contain_text("read-only")
    assert_accessible(page)
    page.goto(live_server.url + reverse("exchanges:progress"))
    expect(page.locator("tbody")).to_contain_text("Tartu")
    assert_accessible(page)
    pair = Pair.objects.get(call=call)
    sign_in(page.context, live_server, twin_lead)
    page.goto(live_server.url + pair.get_absolute_url())
    expect(page.locator("main")).to_contain_text(twin_lead.email)
    page.get_by_label("Date").fill("2027-06-14")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("main")).to_contain_text("Give the activity a title.")
    expect(page.get_by_label("Date")).to_have_value("2027-06-14")
    assert_accessible(page)
    page.get_by_label("Title").fill("Kick-off in Valencia")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".timeline")).to_contain_text("Kick-off in Valencia")
    page.get_by_label("Text of the plan").fill("## What we take home\n\nA heat map.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".plan")).to_contain_text("What we take home")
    assert_accessible(page)
    assert errors == []

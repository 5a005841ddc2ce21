"""Matching, endpoint-level: who may open the coordinators' matching page; running it (pairs
with scores and a breakdown whose points add up to the score); locks kept and exclusions
respected on a new run; clear messages for no applicants, no places and too many locks;
the unmatched applicants' best hosts; publishing (both cities told, the page read-only); the
plain words of “why this pair”; and pinned query counts. (The solver itself is tested against
brute force in test_solver.py.)"""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from netzerohub.cities.tests.factories import CountryFactory, LeadFactory
from netzerohub.core.models import AuditLog, Term
from netzerohub.exchanges.explain import explain
from netzerohub.exchanges.matching import DEFAULT_WEIGHTS
from netzerohub.exchanges.models import Pair, PairRule

from .factories import ApplicationFactory, CallFactory, OfferFactory

pytestmark = pytest.mark.django_db

QUERIES = {"matching": 10}


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def call(db):
    return CallFactory(slug="twinning-2027", title="Twinning 2027")


@pytest.fixture
def fields(db):
    return list(Term.objects.fields().order_by("position")[:4])


@pytest.fixture
def levers(db):
    return list(Term.objects.levers().order_by("position")[:2])


def applicant(call, name, fields=(), levers=(), languages=("en",), challenges="", **city):
    application = ApplicationFactory(
        call=call,
        status="accepted",
        city__name=name,
        languages=list(languages),
        challenges=challenges,
        **{f"city__{k}": v for k, v in city.items()},
    )
    application.fields.set(fields)
    application.levers.set(levers)
    return application


def host(call, name, capacity=1, fields=(), levers=(), languages=("en",), challenges="", **city):
    offer = OfferFactory(
        call=call,
        capacity=capacity,
        city__name=name,
        languages=list(languages),
        challenges=challenges,
        **{f"city__{k}": v for k, v in city.items()},
    )
    offer.fields.set(fields)
    offer.levers.set(levers)
    return offer


def matching_url(call, name="matching") -> str:
    return reverse(f"exchanges:{name}", args=[call.slug])


def run(client, call):
    return client.post(matching_url(call, "matching-run"), follow=True)


def rule(client, call, application, offer, kind):
    data = {"application": application.pk, "offer": offer.pk, "rule": kind}
    return client.post(matching_url(call, "pair-rule"), data, follow=True)


def pairs_of(call) -> set[tuple[int, int]]:
    return set(Pair.objects.for_call(call).values_list("application_id", "offer_id"))


@pytest.fixture
def two_by_two(call, fields):
    """Ana wants fields 0 and 1 (Hub offers both), Bea wants field 2 (Port offers it); one
    place each: the best matching is Ana–Hub and Bea–Port."""
    ana = applicant(call, "Ana", fields=fields[:2])
    bea = applicant(call, "Bea", fields=fields[2:3])
    hub = host(call, "Hub", fields=fields[:2])
    port = host(call, "Port", fields=fields[2:3])
    return ana, bea, hub, port


# --- who may open what -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("coordinator", 200),
        ("lead", 404),
        ("mentor", 404),
        ("member", 404),
        ("other_lead", 404),
        ("outsider", 404),
        ("visitor", 302),
    ],
)
def test_who_opens_the_matching_page(client, request, call, role, expected):
    if role != "visitor":
        client.force_login(request.getfixturevalue(role))
    assert client.get(matching_url(call)).status_code == expected


@pytest.mark.parametrize("name", ["matching-run", "pair-rule", "matching-publish"])
@pytest.mark.parametrize("role", ["lead", "mentor", "outsider"])
def test_only_coordinators_run_lock_and_publish(client, request, call, two_by_two, name, role):
    ana, _bea, hub, _port = two_by_two
    client.force_login(request.getfixturevalue(role))
    data = {"application": ana.pk, "offer": hub.pk, "rule": "lock"}
    assert client.post(matching_url(call, name), data).status_code == 404
    assert not Pair.objects.exists() and not PairRule.objects.exists()


@pytest.mark.parametrize("name", ["matching-run", "pair-rule", "matching-publish"])
def test_the_actions_are_posts(client, coordinator, call, name):
    client.force_login(coordinator)
    assert client.get(matching_url(call, name)).status_code == 405


def test_an_unknown_call_is_a_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("exchanges:matching", args=["no-such-call"])).status_code == 404


# --- running ---------------------------------------------------------------------------------


def test_the_page_counts_what_there_is_to_match(client, coordinator, call, two_by_two):
    applicant(call, "Cid")  # a third accepted applicant
    ApplicationFactory(call=call, status="submitted")  # not accepted: not counted
    host(call, "Quay", capacity=3)
    client.force_login(coordinator)
    response = client.get(matching_url(call))
    assert response.context["accepted"] == 3
    assert len(response.context["hosts"]) == 3 and response.context["places"] == 5
    page = text(response)
    assert "Run the matching" in page and reverse("exchanges:call-edit", args=[call.slug]) in page
    assert "Fields of action" in page  # the weights, in plain words


def test_running_proposes_the_best_pairs_with_their_breakdown(
    client, coordinator, call, two_by_two
):
    ana, bea, hub, port = two_by_two
    client.force_login(coordinator)
    response = run(client, call)
    assert "Pairs proposed: 2" in text(response)
    assert pairs_of(call) == {(ana.pk, hub.pk), (bea.pk, port.pk)}
    for pair in Pair.objects.for_call(call):
        parts = pair.breakdown["parts"]
        assert [p["part"] for p in parts] == list(DEFAULT_WEIGHTS)
        assert sum(p["points"] for p in parts) == pytest.approx(pair.score)
        assert pair.status == Pair.Status.PROPOSED and pair.score > 0
    page = text(response)
    assert "Why this pair" in page
    assert "2 of the applicant&#x27;s 2 fields of action are offered" in page
    assert AuditLog.objects.filter(action="exchanges.matching.run").count() == 1


def test_the_breakdown_on_the_page_adds_up_to_the_score(client, coordinator, call, two_by_two):
    client.force_login(coordinator)
    run(client, call)
    hosts = client.get(matching_url(call)).context["hosts"]
    rows = [row for h in hosts for row in h.pairs]
    assert len(rows) == 2
    for row in rows:
        assert sum(part.points for part in row.parts) == pytest.approx(row.pair.score)
        assert [part.weight for part in row.parts] == [float(w) for w in DEFAULT_WEIGHTS.values()]


def test_a_locked_pair_is_kept_by_the_next_run(client, coordinator, call, two_by_two):
    ana, bea, hub, port = two_by_two
    client.force_login(coordinator)
    run(client, call)
    response = rule(client, call, ana, port, "lock")
    assert "Locked: Ana with Port" in text(response)
    assert "Locked: always paired" in text(response)  # in the list of rules
    run(client, call)
    assert (ana.pk, port.pk) in pairs_of(call)
    assert (bea.pk, port.pk) not in pairs_of(call)  # Port's only place is taken


def test_an_excluded_pair_is_never_made_again(client, coordinator, call, two_by_two):
    ana, _bea, hub, _port = two_by_two
    client.force_login(coordinator)
    run(client, call)
    assert (ana.pk, hub.pk) in pairs_of(call)
    rule(client, call, ana, hub, "exclude")
    for _ in range(2):
        run(client, call)
        assert (ana.pk, hub.pk) not in pairs_of(call)


def test_clearing_a_rule(client, coordinator, call, two_by_two):
    ana, _bea, hub, _port = two_by_two
    client.force_login(coordinator)
    rule(client, call, ana, hub, "exclude")
    response = rule(client, call, ana, hub, "clear")
    assert "is cleared" in text(response) and not PairRule.objects.exists()
    run(client, call)
    assert (ana.pk, hub.pk) in pairs_of(call)


def test_no_accepted_applicant_gives_a_clear_message(client, coordinator, call):
    host(call, "Hub", capacity=2)
    ApplicationFactory(call=call, status="submitted")
    client.force_login(coordinator)
    response = run(client, call)
    assert response.status_code == 200
    assert "No application is accepted yet" in text(response)
    assert not Pair.objects.exists()


@pytest.mark.parametrize("offers", [0, 1])
def test_no_place_gives_a_clear_message(client, coordinator, call, offers):
    applicant(call, "Ana")
    if offers:
        host(call, "Hub", capacity=0)
    client.force_login(coordinator)
    response = run(client, call)
    assert response.status_code == 200
    assert "No host offers a place yet" in text(response)
    assert not Pair.objects.exists()


def test_too_many_locks_give_a_clear_message(client, coordinator, call, two_by_two):
    ana, bea, hub, _port = two_by_two
    client.force_login(coordinator)
    rule(client, call, ana, hub, "lock")
    rule(client, call, bea, hub, "lock")  # Hub has one place
    response = run(client, call)
    assert "The matching was not run" in text(response)
    assert "locked to a host than it has places" in text(response)
    assert not Pair.objects.exists()


def test_a_forged_pair_is_a_404(client, coordinator, call, two_by_two):
    ana, _bea, hub, _port = two_by_two
    elsewhere = OfferFactory()  # another call's offer
    client.force_login(coordinator)
    data = {"application": ana.pk, "offer": elsewhere.pk, "rule": "lock"}
    assert client.post(matching_url(call, "pair-rule"), data).status_code == 404
    data = {"application": 99999999, "offer": hub.pk, "rule": "lock"}
    assert client.post(matching_url(call, "pair-rule"), data).status_code == 404
    assert not PairRule.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"application": "x", "offer": "1", "rule": "lock"}, {"application": "1", "rule": "keep"}],
)
def test_a_malformed_rule_gives_a_message(client, coordinator, call, data):
    client.force_login(coordinator)
    response = client.post(matching_url(call, "pair-rule"), data, follow=True)
    assert response.status_code == 200 and "Choose a pair" in text(response)


def test_unmatched_applicants_get_their_best_hosts(client, coordinator, call, fields):
    """One place for two applicants: the one left out is shown with its best hosts by score
    (excluded pairs left out) and a Lock button for each."""
    ana = applicant(call, "Ana", fields=fields[:2])
    bea = applicant(call, "Bea", fields=fields[:1])
    hub = host(call, "Hub", fields=fields[:2])
    quay = host(call, "Quay", capacity=0, fields=fields[:2])  # no place: never suggested
    client.force_login(coordinator)
    run(client, call)
    assert pairs_of(call) == {(ana.pk, hub.pk)}
    response = client.get(matching_url(call))
    unmatched = response.context["unmatched"]
    assert [row.application for row in unmatched] == [bea]
    suggestions = unmatched[0].suggestions
    assert [s.offer for s in suggestions] == [hub]
    assert suggestions[0].places_left == 0 and suggestions[0].score > 0
    assert quay not in [s.offer for s in suggestions]
    page = text(response)
    assert "Accepted applicants without a host" in page and "Lock<span" in page
    rule(client, call, bea, hub, "exclude")
    unmatched = client.get(matching_url(call)).context["unmatched"]
    assert unmatched[0].suggestions == []


# --- publishing ------------------------------------------------------------------------------


def test_publishing_tells_both_cities_and_freezes_the_matching(
    client, coordinator, call, two_by_two, django_capture_on_commit_callbacks
):
    ana, bea, hub, port = two_by_two
    leads = {c: LeadFactory(city=c.city).user for c in (ana, bea, hub, port)}
    client.force_login(coordinator)
    run(client, call)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(matching_url(call, "matching-publish"), follow=True)
    assert "Pairs published: 2" in text(response)
    assert set(Pair.objects.values_list("status", flat=True)) == {"published"}
    call.refresh_from_db()
    assert call.matches_published_at is not None
    told = {message.to[0] for message in mail.outbox}
    assert told == {user.email for user in leads.values()}
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert "Hub" in subjects[leads[ana].email] and "Ana" in subjects[leads[hub].email]
    page = text(client.get(matching_url(call)))
    assert "read-only" in page
    assert reverse("exchanges:matching-run", args=[call.slug]) not in page
    assert reverse("exchanges:pair-rule", args=[call.slug]) not in page
    # and posting anyway changes nothing
    before = pairs_of(call)
    assert "already published" in text(run(client, call))
    assert "the matching is final" in text(rule(client, call, ana, port, "lock"))
    response = client.post(matching_url(call, "matching-publish"), follow=True)
    assert "already published" in text(response)
    assert pairs_of(call) == before and not PairRule.objects.exists()


def test_publishing_nothing_gives_a_message(client, coordinator, call):
    client.force_login(coordinator)
    response = client.post(matching_url(call, "matching-publish"), follow=True)
    assert "run the matching first" in text(response)
    call.refresh_from_db()
    assert call.matches_published_at is None


def test_contacts_are_not_on_the_matching_page(client, coordinator, call, two_by_two):
    ana, _bea, hub, _port = two_by_two
    lead = LeadFactory(city=ana.city, user__email="ana.lead@example.org").user
    ana.city.contact_email = "contact@ana.example.org"
    ana.city.save()
    client.force_login(coordinator)
    run(client, call)
    page = text(client.get(matching_url(call)))
    assert lead.email not in page and "contact@ana.example.org" not in page


# --- why this pair, in plain words -----------------------------------------------------------


def test_why_this_pair_in_plain_words(call, fields, levers):
    country = CountryFactory(name="Portugal")
    ana = applicant(
        call,
        "Ana",
        fields=fields[:3],
        levers=levers[:1],
        languages=("en", "pt"),
        challenges="Retrofitting social housing and district heating",
        country=country,
        population=120_000,
    )
    hub = host(
        call,
        "Hub",
        fields=fields[1:3],
        levers=[],
        languages=("pt",),
        challenges="District heating for old housing",
        country=country,
        population=700_000,
    )
    parts = {p.part: p for p in explain(ana, hub, DEFAULT_WEIGHTS)}
    assert parts["fields"].says.startswith("2 of the applicant's 3 fields of action are offered")
    assert parts["fields"].value == pytest.approx(2 / 3, abs=1e-3)
    assert parts["levers"].says == "0 of the applicant's 1 lever of change is offered."
    assert parts["language"].says == "Both work in Portuguese."
    assert parts["population"].says.startswith("Applicant: 100,000")
    assert parts["distance"].says == "Same country (Portugal)."
    assert "district" in parts["challenges"].says and "heating" in parts["challenges"].says
    assert sum(p.points for p in parts.values()) > 0


def test_why_this_pair_when_nothing_is_known(call):
    ana = applicant(call, "Ana", languages=(), latitude=None)
    hub = host(call, "Hub", languages=("fr",), population=None)
    parts = {p.part: p for p in explain(ana, hub, DEFAULT_WEIGHTS)}
    assert parts["fields"].says == "The applicant named no field of action."
    assert parts["language"].says == "A working language is missing on one side."
    assert parts["population"].says == "The population of a city is not known."
    assert parts["distance"].says == "The location of a city is not known."
    assert parts["challenges"].says == "Challenges are not described on both sides."
    assert sum(p.points for p in parts.values()) == 0


def test_why_this_pair_far_apart(call):
    ana = applicant(call, "Ana", languages=("de",), latitude=52.52, longitude=13.40)
    hub = host(call, "Hub", languages=("fr",), latitude=48.86, longitude=2.35)
    parts = {p.part: p for p in explain(ana, hub, DEFAULT_WEIGHTS)}
    assert parts["distance"].says.startswith("8") and "km apart" in parts["distance"].says
    assert parts["language"].says == (
        "No shared working language (applicant: German; host: French)."
    )


# --- query counts ----------------------------------------------------------------------------


def populate(call, fields, size: int) -> None:
    """`size` accepted applicants and `size // 2` hosts of one place (half left out), a lock
    and an exclusion, after a run."""
    applicants = [
        applicant(call, f"Twin {n}", fields=fields[n % 3 : n % 3 + 2]) for n in range(size)
    ]
    hosts = [host(call, f"Host {n}", fields=fields[n % 4 :]) for n in range(size // 2)]
    PairRule.objects.create(call=call, application=applicants[0], offer=hosts[0], kind="lock")
    PairRule.objects.create(call=call, application=applicants[1], offer=hosts[0], kind="exclude")


@pytest.mark.parametrize("size", [2, 16])
def test_matching_page_query_count(
    client, coordinator, call, fields, size, django_assert_num_queries
):
    populate(call, fields, size)
    client.force_login(coordinator)
    run(client, call)
    with django_assert_num_queries(QUERIES["matching"]):
        response = client.get(matching_url(call))
    assert response.context["pair_count"] == size // 2
    assert len(response.context["unmatched"]) == size - size // 2


@pytest.mark.parametrize("size", [2, 16])
def test_published_matching_page_query_count(
    client, coordinator, call, fields, size, django_assert_num_queries
):
    populate(call, fields, size)
    client.force_login(coordinator)
    run(client, call)
    client.post(matching_url(call, "matching-publish"))
    with django_assert_num_queries(QUERIES["matching"]):
        assert client.get(matching_url(call)).status_code == 200

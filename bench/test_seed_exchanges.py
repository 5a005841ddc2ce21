"""The exchanges benchmark at toy scale: the seeded call, offers, applications, reviews and
decisions are what the portal would have stored (answers in their stored form, every rule met,
hosts Pilot Cities, reviewers never of the applicant city), idempotent; the solver run checks its
assignments; run_matching leaves nothing behind; the measured pages answer for the sessions the
benchmark makes.

No timings here: speed is what `make bench` measures, not what tests assert.
"""

from __future__ import annotations

import exchanges_matching as xm
import numpy as np
import pytest
import run
import seed
import seed_assessment
import seed_exchanges as sx
from django.db.models import Count

from netzerohub.cities.models import City, Country, Membership
from netzerohub.core.models import AuditLog
from netzerohub.exchanges import eligibility, services
from netzerohub.exchanges.manage_forms import standard_questions
from netzerohub.exchanges.models import Application, HostOffer, Pair, Review

pytestmark = pytest.mark.django_db

TARGETS = sx.Targets(applications=20, reviews=50, hosts=4, reviewers=2)


def quiet(*args: object) -> None:
    pass


@pytest.fixture
def cities() -> None:
    france = Country.objects.create(code="FR", name="France", is_eu_member=True)
    norway = Country.objects.create(code="NO", name="Norway", is_associated=True)
    for name, country, lat, lon, population in (
        ("Lyon", france, 45.76, 4.83, 520_000),
        ("Lille", france, 50.63, 3.06, 230_000),
        ("Albi", france, 43.93, 2.15, 49_000),
        ("Bergen", norway, 60.39, 5.32, 285_000),
        ("Mission city", france, 48.11, -1.68, 220_000),
    ):
        City.objects.create(
            name=name, country=country, latitude=lat, longitude=lon, population=population
        )
    City.objects.filter(name="Mission city").update(status=City.Status.MISSION)
    seed.seed(seed.Targets(cities=60, users=60, memberships=180), log=quiet)


def real_cities() -> list[tuple]:
    return list(
        City.objects.exclude(source=City.Source.SYNTHETIC)
        .order_by("pk")
        .values_list("pk", "status", "latitude", "longitude", "target_year", "updated")
    )


def test_seed_writes_the_call_offers_applications_and_reviews(cities):
    before = real_cities()

    report = sx.seed(TARGETS, log=quiet)

    assert report["call"] == 1
    assert report["offers"] == 4
    assert report["applications"] == 20
    assert report["reviews"] == 50
    call = sx.bench_call()
    assert call.is_open() is False and call.status == "published"
    assert [r.kind for r in eligibility.rules_of(call)] == [kind for kind, _v in sx.RULES]
    assert [q.kind for q in call.questions.all()] == [q.kind for q in standard_questions([])]
    assert [c.weight for c in call.criteria.all()] == [3, 2, 2]
    assert call.reviewers.count() == 2
    offers = sx.bench_offers().select_related("city")
    assert all(5 <= o.capacity <= 15 for o in offers)
    assert {o.city.status for o in offers} == {City.Status.PILOT}
    assert {o.city.source for o in offers} == {City.Source.SYNTHETIC}
    assert all(o.fields.count() >= 2 and o.levers.count() >= 2 and o.languages for o in offers)
    applications = sx.bench_applications()
    hosts = set(offers.values_list("city_id", flat=True))
    assert not hosts & set(applications.values_list("city_id", flat=True))
    assert set(applications.values_list("city__source", flat=True)) == {City.Source.SYNTHETIC}
    for application in applications:
        assert call.opens_at <= application.submitted_at < call.closes_at
        assert application.created <= application.submitted_at
    assert real_cities() == before  # real cities are never changed


def test_answers_are_stored_as_the_service_stores_them(cities):
    sx.seed(TARGETS, log=quiet)
    call = sx.bench_call()
    questions = list(call.questions.all())

    for application in sx.bench_applications().prefetch_related("fields", "levers"):
        assert set(application.answers) == {str(q.pk) for q in questions}
        for question in questions:
            value = application.answers[str(question.pk)]
            assert services._clean_answer(question, value) == value
        by_kind = {q.kind: application.answers[str(q.pk)] for q in questions}
        assert sorted(t.slug for t in application.fields.all()) == by_kind["fields"]
        assert sorted(t.slug for t in application.levers.all()) == by_kind["levers"]
        assert application.languages == by_kind["languages"]
        assert application.challenges == by_kind["challenges"]
        assert application.hours_per_month == by_kind["hours"]
        assert application.representatives == by_kind["representatives"]
        assert 1 <= len(application.languages) <= 3
        assert services.missing_answers(application) == []


def test_every_application_meets_the_calls_rules(cities):
    sx.seed(TARGETS, log=quiet)
    rules = eligibility.rules_of(sx.bench_call())

    for application in sx.bench_applications().select_related("city__country"):
        checks = eligibility.check(rules, application.city, application)
        assert [c.outcome for c in checks] == [eligibility.MET] * len(rules), application.city
        assert application.city.latitude is not None


def test_reviews_and_decisions(cities):
    sx.seed(TARGETS, log=quiet)
    call = sx.bench_call()
    criteria = {str(c.pk) for c in call.criteria.all()}

    reviews = sx.bench_reviews()
    assert reviews.count() == 50
    reviewers = {seed_assessment.coordinator().pk, *call.reviewers.values_list("pk", flat=True)}
    assert set(reviews.values_list("reviewer_id", flat=True)) <= reviewers
    assert not Membership.objects.filter(user_id__in=reviewers).exists()
    for review in reviews:
        assert set(review.scores) <= criteria
        assert all(0 <= v <= 5 for v in review.scores.values())
        assert review.created >= call.closes_at
    per_pair = reviews.values("application_id", "reviewer_id").annotate(n=Count("id"))
    assert {row["n"] for row in per_pair} == {1}

    scores = {}
    for application in sx.bench_applications().prefetch_related("reviews"):
        scores[application.pk] = services.weighted_score(application)
        if application.status in Application.DECIDED:
            assert application.reviews.count() >= 2
            assert application.decided_at is not None
        else:
            assert application.status == Application.Status.SUBMITTED
            assert application.decided_at is None
    decided = sx.bench_applications().filter(status__in=Application.DECIDED)
    assert decided.filter(status="accepted").exists()
    worst_accepted = min(
        scores[pk] for pk in decided.filter(status="accepted").values_list("pk", flat=True)
    )
    rejected = decided.filter(status="rejected").values_list("pk", flat=True)
    assert all(scores[pk] <= worst_accepted for pk in rejected)


def test_review_counts_add_up_within_the_reviewers():
    import random

    counts = sx.review_counts(random.Random(1), 100, 300, 6)

    assert sum(counts) == 300
    assert min(counts) >= 0 and max(counts) <= 6
    assert sum(sx.review_counts(random.Random(1), 3, 100, 2)) == 6


def test_seeding_again_adds_nothing_and_a_higher_target_tops_up(cities):
    sx.seed(TARGETS, log=quiet)
    before = (
        Application.objects.count(),
        HostOffer.objects.count(),
        Review.objects.count(),
        list(sx.bench_applications().order_by("pk").values_list("pk", "status")),
    )

    again = sx.seed(TARGETS, log=quiet)

    assert not any(v for k, v in again.items() if not k.endswith("_s"))
    after = (
        Application.objects.count(),
        HostOffer.objects.count(),
        Review.objects.count(),
        list(sx.bench_applications().order_by("pk").values_list("pk", "status")),
    )
    assert after == before

    more = sx.seed(sx.Targets(applications=24, reviews=60, hosts=5, reviewers=2), log=quiet)

    assert more["applications"] == 4
    assert more["offers"] == 1
    assert more["reviews"] == 60
    assert sx.bench_applications().count() == 24
    hosts = set(sx.bench_offers().values_list("city_id", flat=True))
    assert not hosts & set(sx.bench_applications().values_list("city_id", flat=True))


def test_solver_run_checks_its_assignments(cities):
    report = xm.solver(seeds=2, applicants=30, hosts=4, log=quiet)

    assert report["all_valid"]
    assert len(report["runs"]) == 2
    for found in report["runs"]:
        assert found["total"] >= found["greedy_total"]
        assert found["pairs"] <= min(30, found["places"])
        assert found["problems"] == []
    assert set(report["solve_s"]) == {"min", "median", "max"}
    assert "optimum vs greedy" in xm.note({"solver": report})


def test_instances_use_the_taxonomy_and_real_places(cities):
    fields, levers = xm.taxonomy()
    applicants, hosts = xm.instance(3, xm.places(), fields, levers, applicants=40, hosts=5)

    assert len(applicants) == 40 and len(hosts) == 5
    assert all(a.fields <= set(fields) and 1 <= len(a.fields) <= 4 for a in applicants)
    assert all(h.levers <= set(levers) and 2 <= len(h.levers) <= 4 for h in hosts)
    assert all(5 <= h.capacity <= 15 for h in hosts)
    assert all(h.population >= xm.HOST_POPULATION for h in hosts)
    assert all(a.words and 1 <= len(a.languages) <= 3 for a in applicants)
    assert {a.country for a in applicants} <= {"FR", "NO"}


def test_check_names_what_is_wrong():
    scores = np.array([[10.0, 0.0], [5.0, 4.0], [3.0, 2.0]])

    assert xm.check([(0, 0), (1, 1)], scores, [1, 1]) == []
    assert xm.check([(0, 0), (1, 0)], scores, [1, 1]) == ["1 hosts over capacity"]
    assert xm.check([(1, 0), (1, 1)], scores, [1, 1]) == ["1 applicants placed twice"]
    assert xm.check([(0, 1)], scores, [1, 1]) == ["a pair worth nothing"]


def test_run_matching_is_rolled_back(cities):
    sx.seed(TARGETS, log=quiet)
    statuses = list(sx.bench_applications().order_by("pk").values_list("status", flat=True))
    audit = AuditLog.objects.count()

    report = xm.run_matching(repeats=1, log=quiet)

    found = report["median"]
    assert found["accepted"] == 20
    assert found["pairs"] == found["pairs_written"] > 0
    assert found["queries"] > 0 and found["score_matrix_s"] > 0 and found["solve_s"] > 0
    assert not Pair.objects.exists()
    assert AuditLog.objects.count() == audit
    assert list(sx.bench_applications().order_by("pk").values_list("status", flat=True)) == (
        statuses
    )
    assert "services.run_matching" in xm.note({"run_matching": report})


def test_the_measured_pages_answer_for_the_sessions_run_makes(cities, client):
    sx.seed(TARGETS, log=quiet)
    exchange = run.exchanges_sessions()

    assert exchange.applications == 20
    client.cookies.load(exchange.coordinator)
    for page in run.exchanges_pages(exchange):
        for path, cookie in zip(page.rotate or [page.path], page.cookies or [None], strict=True):
            client.cookies.clear()
            if cookie:
                client.cookies.load(cookie)
            response = client.get(path)
            assert response.status_code == 200, path
    client.cookies.clear()
    client.cookies.load(exchange.coordinator)
    listed = client.get(f"/exchanges/calls/{sx.CALL_SLUG}/applications/?sort=score")
    assert b"Synthetic municipality" in listed.content

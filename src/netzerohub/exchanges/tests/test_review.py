"""Reviewing applications, endpoint-level: who may open the review list, the review page and
decide (coordinators and invited reviewers, never one of the applicant city; the same 404 for
everyone else), the list's scores, filters, order, pages and CSV, the scores form and its bad
input, what a reviewer sees of the others' reviews, decisions with their notification and
history, and pinned query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.tests.factories import CityFactory, CountryFactory, MembershipFactory
from netzerohub.core.models import AuditLog
from netzerohub.exchanges import services
from netzerohub.exchanges.models import Application, Question, Review

from .factories import ApplicationFactory, CallFactory, CriterionFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def call(db):
    return CallFactory(title="Twinning 2027", slug="twinning-2027")


@pytest.fixture
def criteria(call):
    return [
        CriterionFactory(call=call, title="Motivation", description="Clear aims.", weight=3),
        CriterionFactory(call=call, title="Capacity", description="Time and people.", weight=1),
    ]


@pytest.fixture
def application(call, city):
    """The application of `city` (whose member and lead are fixtures)."""
    return ApplicationFactory(call=call, city=city)


@pytest.fixture
def reviewer(call):
    """Invited to review `call`; of no city."""
    user = UserFactory(name="Rita Reviewer")
    call.reviewers.add(user)
    return user


@pytest.fixture
def city_reviewer(call, city):
    """Invited to review `call`, but a member of the applicant city."""
    user = MembershipFactory(city=city, user__name="Cecil Cityreviewer").user
    call.reviewers.add(user)
    return user


@pytest.fixture
def other_call_reviewer(db):
    """Invited to review another call only."""
    user = UserFactory(name="Otis Othercall")
    CallFactory().reviewers.add(user)
    return user


def review(application, reviewer, criteria, values, comment=""):
    return services.save_review(
        application,
        reviewer=reviewer,
        scores={c.pk: v for c, v in zip(criteria, values, strict=True)},
        comment=comment,
    )


# --- who may open what -----------------------------------------------------------------------

ROLES = [
    "coordinator",
    "reviewer",
    "city_reviewer",
    "other_call_reviewer",
    "member",
    "lead",
    "outsider",
    "visitor",
]
EXPECTED = {
    # role: (review list, review page, decide)
    "coordinator": (200, 200, 302),
    "reviewer": (200, 200, 404),
    "city_reviewer": (200, 404, 404),  # the list leaves their city's application out
    "other_call_reviewer": (404, 404, 404),
    "member": (404, 404, 404),
    "lead": (404, 404, 404),
    "outsider": (404, 404, 404),
    "visitor": (302, 302, 302),
}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_review_and_decide(client, request, call, application, criteria, role):
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)
    responses = (
        client.get(reverse("exchanges:review-list", args=[call.slug])),
        client.get(reverse("exchanges:review", args=[application.pk])),
        client.post(reverse("exchanges:decide", args=[application.pk]), {"decision": "accept"}),
    )
    assert tuple(r.status_code for r in responses) == EXPECTED[role]
    if role == "visitor":  # asked to sign in first
        assert all(r.url.startswith(reverse("account_login")) for r in responses)
    if role == "coordinator":
        assert responses[2].url == reverse("exchanges:review", args=[application.pk])
    application.refresh_from_db()
    assert application.status == ("accepted" if role == "coordinator" else "submitted")


def test_the_applicant_citys_reviewer_never_sees_its_application(
    client, call, application, city_reviewer
):
    other = ApplicationFactory(call=call)
    client.force_login(city_reviewer)
    response = client.get(reverse("exchanges:review-list", args=[call.slug]))
    assert [a.pk for a in response.context["applications"]] == [other.pk]
    assert client.get(reverse("exchanges:review", args=[other.pk])).status_code == 200


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_drafts_and_withdrawn_applications_are_not_reviewed(client, coordinator, call, status):
    application = ApplicationFactory(call=call, status=status)
    client.force_login(coordinator)
    assert client.get(reverse("exchanges:review", args=[application.pk])).status_code == 404
    body = text(client.get(reverse("exchanges:review-list", args=[call.slug])))
    assert application.city.name not in body


def test_a_draft_call_has_no_review_list_for_reviewers(client, reviewer, call):
    call.status = "draft"
    call.save()
    client.force_login(reviewer)
    assert client.get(reverse("exchanges:review-list", args=[call.slug])).status_code == 404


def test_missing_ones_are_the_same_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("exchanges:review-list", args=["nope"])).status_code == 404
    assert client.get(reverse("exchanges:review", args=[999_999])).status_code == 404
    assert client.post(reverse("exchanges:decide", args=[999_999])).status_code == 404


# --- the review list -------------------------------------------------------------------------


def test_the_list_shows_scores_reviews_and_decisions(
    client, coordinator, reviewer, call, criteria, application
):
    second = ApplicationFactory(call=call, status="accepted")
    ApplicationFactory(call=call, status="draft")
    review(application, reviewer, criteria, [5, 1])  # (3×5 + 1×1) / 4 = 4.0
    review(application, coordinator, criteria, [2, 2])  # 2.0
    client.force_login(coordinator)
    response = client.get(reverse("exchanges:review-list", args=[call.slug]))
    rows = {a.pk: a for a in response.context["applications"]}
    assert set(rows) == {application.pk, second.pk}
    assert rows[application.pk].score == pytest.approx(3.0)
    assert rows[application.pk].score == services.weighted_score(application)
    assert rows[application.pk].review_count == 2
    assert rows[application.pk].my_review is not None
    assert rows[second.pk].score is None and rows[second.pk].my_review is None
    body = text(response)
    assert "3.00" in body
    assert application.city.name in body and application.city.country.name in body
    assert "Not decided" in body and "Accepted" in body
    assert reverse("exchanges:review", args=[application.pk]) in body


def test_a_reviewer_sees_a_score_only_after_scoring(
    client, coordinator, reviewer, call, criteria, application
):
    second = ApplicationFactory(call=call)
    review(application, coordinator, criteria, [4, 4])
    review(second, coordinator, criteria, [1, 1])
    review(second, reviewer, criteria, [3, 3])
    client.force_login(reviewer)
    response = client.get(reverse("exchanges:review-list", args=[call.slug]), {"sort": "score"})
    rows = {a.pk: a for a in response.context["applications"]}
    assert rows[application.pk].score is None and rows[application.pk].score_hidden
    assert rows[second.pk].score == pytest.approx(2.0)
    assert "after your review" in text(response)
    # sorting by score is the coordinators' (it would tell the others' scores): by submission
    assert response.context["form"].filters()["sort"] == "submitted"


def test_the_list_sorts_by_score_with_unscored_last(client, coordinator, call, criteria):
    now = timezone.now()
    apps = [
        ApplicationFactory(call=call, submitted_at=now - dt.timedelta(days=n)) for n in range(4)
    ]
    review(apps[0], coordinator, criteria, [1, 1])
    review(apps[1], coordinator, criteria, [5, 5])
    review(apps[2], coordinator, criteria, [3, 3])
    client.force_login(coordinator)
    url = reverse("exchanges:review-list", args=[call.slug])
    ranked = [a.pk for a in client.get(url, {"sort": "score"}).context["applications"]]
    assert ranked == [apps[1].pk, apps[2].pk, apps[0].pk, apps[3].pk]
    oldest = [a.pk for a in client.get(url).context["applications"]]
    assert oldest == [apps[3].pk, apps[2].pk, apps[1].pk, apps[0].pk]
    newest = [a.pk for a in client.get(url, {"sort": "-submitted"}).context["applications"]]
    assert newest == oldest[::-1]


def test_the_database_score_is_the_services_score(call, coordinator):
    """`with_score` (which sorts the list) agrees with `services.weighted_score` (which the
    rows show) on partial scores, weights of 0, scores of a deleted criterion, no review."""
    rng = random.Random(7)
    criteria = [CriterionFactory(call=call, weight=w) for w in (3, 0, 1, 10)]
    people = [UserFactory() for _n in range(4)]
    applications = [ApplicationFactory(call=call) for _n in range(12)]
    for application in applications:
        for person in rng.sample(people, rng.randint(0, 4)):
            scores = {str(c.pk): rng.randint(0, 5) for c in criteria if rng.random() < 0.7}
            if rng.random() < 0.2:
                scores["999999"] = 5  # a criterion since deleted
            Review.objects.create(application=application, reviewer=person, scores=scores)
    only_zero = ApplicationFactory(call=call)  # scored on a criterion of weight 0 only
    Review.objects.create(
        application=only_zero, reviewer=people[0], scores={str(criteria[1].pk): 4}
    )
    weights = {str(c.pk): c.weight for c in criteria}
    found = {a.pk: a.score for a in Application.objects.for_call(call).with_score(weights)}
    for application in [*applications, only_zero]:
        expected = services.weighted_score(application)
        if expected is None:
            assert found[application.pk] is None
        else:
            assert found[application.pk] == pytest.approx(expected)
    assert found[only_zero.pk] is None
    assert Application.objects.for_call(call).with_score({}).first().score is None


def test_the_list_filters(client, coordinator, reviewer, call, criteria):
    spain = CountryFactory(code="ES", name="Spain")
    valencia = ApplicationFactory(call=call, city=CityFactory(name="Valencia", country=spain))
    ghent = ApplicationFactory(call=call, city=CityFactory(name="Gent"), status="rejected")
    review(valencia, reviewer, criteria, [3, 3])
    client.force_login(reviewer)
    url = reverse("exchanges:review-list", args=[call.slug])

    def listed(**query) -> set[int]:
        return {a.pk for a in client.get(url, query).context["applications"]}

    assert listed() == {valencia.pk, ghent.pk}
    assert listed(country="ES") == {valencia.pk}
    assert listed(status="rejected") == {ghent.pk}
    assert listed(status="submitted") == {valencia.pk}
    assert listed(mine="yes") == {valencia.pk}
    assert listed(mine="no") == {ghent.pk}


def test_the_list_ignores_bad_filters(client, coordinator, call, application):
    client.force_login(coordinator)
    url = reverse("exchanges:review-list", args=[call.slug])
    response = client.get(
        url, {"status": "<script>", "country": "\x00", "mine": "maybe", "sort": "x", "page": "²"}
    )
    assert response.status_code == 200
    assert [a.pk for a in response.context["applications"]] == [application.pk]
    assert "<script>" not in text(response)


def test_the_list_is_paginated(client, coordinator, call):
    for _n in range(30):
        ApplicationFactory(call=call)
    client.force_login(coordinator)
    url = reverse("exchanges:review-list", args=[call.slug])
    for sort in ("submitted", "score"):
        first = client.get(url, {"sort": sort}).context["applications"]
        second = client.get(url, {"sort": sort, "page": "2"}).context["applications"]
        assert len(first) == 25 and len(second) == 5
        assert not {a.pk for a in first} & {a.pk for a in second}


def test_coordinators_export_the_list_as_csv(client, coordinator, reviewer, call, criteria):
    sneaky = ApplicationFactory(call=call, city=CityFactory(name="=HYPERLINK(1)"))
    plain = ApplicationFactory(call=call, city=CityFactory(name="Gent"), status="accepted")
    review(plain, coordinator, criteria, [4, 0])  # 12 / 4 = 3.0
    client.force_login(coordinator)
    url = reverse("exchanges:review-list", args=[call.slug])
    response = client.get(url, {"export": "csv", "sort": "score"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["City", "Country", "Status"]
    assert [line[0] for line in lines[1:]] == ["Gent", "'=HYPERLINK(1)"]  # best score first
    assert lines[1][2] == "Accepted" and lines[1][4:6] == ["1", "3.00"]
    assert lines[2][3] == sneaky.submitted_at.strftime("%Y-%m-%d %H:%M:%S")
    # filtered like the page
    lines = list(
        csv.reader(
            io.StringIO(
                client.get(url, {"export": "csv", "status": "accepted"}).content.decode("utf-8-sig")
            )
        )
    )
    assert [line[0] for line in lines[1:]] == ["Gent"]
    # an invited reviewer has no export
    client.force_login(reviewer)
    assert client.get(url, {"export": "csv"}).status_code == 404


# --- the review page -------------------------------------------------------------------------


@pytest.fixture
def answered(call, application):
    """The application answers one question of each kind."""
    kinds = {
        Question.Kind.MOTIVATION: "We want to learn about district heating.",
        Question.Kind.FIELDS: ["energy-systems", "built-environment"],
        Question.Kind.LEVERS: ["finance-funding"],
        Question.Kind.LANGUAGES: ["en", "nl"],
        Question.Kind.REPRESENTATIVES: [
            {"name": "Ann Peeters", "role": "Climate officer", "english": "C1"}
        ],
        Question.Kind.HOURS: 16,
        Question.Kind.CHALLENGES: "",
    }
    answers = {}
    for position, (kind, value) in enumerate(kinds.items()):
        question = QuestionFactory(call=call, kind=kind, label=f"About {kind}", position=position)
        answers[str(question.pk)] = value
    application.answers = answers
    application.hours_per_month = 16
    application.save()
    return application


def test_the_review_page_reads_the_answers_in_words(client, reviewer, call, criteria, answered):
    client.force_login(reviewer)
    body = text(client.get(reverse("exchanges:review", args=[answered.pk])))
    assert "We want to learn about district heating." in body
    assert "Energy systems, Built environment" in body and "energy-systems" not in body
    assert "Finance &amp; funding" in body
    assert "English, Dutch" in body
    assert "Ann Peeters, Climate officer · English C1" in body
    assert "16 hours a month" in body
    assert "Not answered" in body  # the empty challenges
    assert "Clear aims." in body  # the criteria are explained on the form


def test_the_review_page_shows_the_eligibility_checks(
    client, reviewer, call, criteria, application
):
    from .factories import RuleFactory

    RuleFactory(call=call, kind="target-year", year=2040)
    RuleFactory(call=call, kind="hours", minimum=12)
    application.city.target_year = 2045
    application.city.save()
    client.force_login(reviewer)
    body = text(client.get(reverse("exchanges:review", args=[application.pk])))
    assert "Not met" in body and "target year is 2045" in body
    assert "To declare" in body


def score_data(criteria, values, comment="") -> dict:
    return {
        **{f"c{c.pk}": str(v) for c, v in zip(criteria, values, strict=True)},
        "comment": comment,
    }


def test_a_reviewer_scores_an_application(client, reviewer, criteria, application):
    client.force_login(reviewer)
    url = reverse("exchanges:review", args=[application.pk])
    response = client.post(url, score_data(criteria, [4, 2], "Strong motivation."))
    assert response.status_code == 302 and response.url == url
    saved = Review.objects.get(application=application, reviewer=reviewer)
    assert saved.scores == {str(criteria[0].pk): 4, str(criteria[1].pk): 2}
    assert saved.comment == "Strong motivation."
    # changing it replaces it
    client.post(url, score_data(criteria, [5, 5], "Even better."))
    saved.refresh_from_db()
    assert saved.scores[str(criteria[0].pk)] == 5 and Review.objects.count() == 1
    page = client.get(url)
    assert page.context["form"][f"c{criteria[0].pk}"].value() == 5  # shown back
    assert AuditLog.objects.filter(action="exchanges.review.saved", actor=reviewer).count() == 2


BAD_SCORES = {
    "above 5": ({0: "6"}, "from 0 to 5"),
    "below 0": ({0: "-1"}, "from 0 to 5"),
    "not a number": ({0: "five"}, "from 0 to 5"),
    "missing": ({1: ""}, "Give a score"),
}


@pytest.mark.parametrize("case", list(BAD_SCORES))
def test_bad_scores_are_refused_with_the_comment_kept(
    client, reviewer, criteria, application, case
):
    changes, words = BAD_SCORES[case]
    data = score_data(criteria, [3, 3], "My careful <comment>")
    for index, value in changes.items():
        data[f"c{criteria[index].pk}"] = value
    client.force_login(reviewer)
    response = client.post(reverse("exchanges:review", args=[application.pk]), data)
    assert response.status_code == 200
    assert words in " ".join(sum(response.context["form"].errors.values(), []))
    body = text(response)
    assert "My careful &lt;comment&gt;" in body and "not saved" in body
    assert not Review.objects.exists()


def test_a_score_for_another_calls_criterion_is_refused(client, reviewer, criteria, application):
    foreign = CriterionFactory(call=CallFactory())
    data = {**score_data(criteria, [3, 3]), f"c{foreign.pk}": "5"}
    client.force_login(reviewer)
    response = client.post(reverse("exchanges:review", args=[application.pk]), data)
    assert response.status_code == 200
    assert "another call" in text(response)
    assert not Review.objects.exists()
    # and the service refuses it too, as it refuses a score out of range
    with pytest.raises(ValidationError, match="another call"):
        services.save_review(application, reviewer=reviewer, scores={foreign.pk: 3})
    with pytest.raises(ValidationError, match="from 0 to 5"):
        services.save_review(application, reviewer=reviewer, scores={criteria[0].pk: 6})
    assert not Review.objects.exists()


def test_a_reviewer_sees_the_others_reviews_only_after_scoring(
    client, coordinator, reviewer, criteria, application
):
    review(application, coordinator, criteria, [1, 2], "The coordinator's secret view.")
    client.force_login(reviewer)
    url = reverse("exchanges:review", args=[application.pk])
    body = text(client.get(url))
    assert "secret view" not in body and "1 other reviewer has scored" in body
    assert client.get(url).context["score"] is None
    client.post(url, score_data(criteria, [5, 5]))
    response = client.get(url)
    assert "secret view" in text(response) and "Cora Coordinator" in text(response)
    assert response.context["score"] == pytest.approx(services.weighted_score(application))


def test_coordinators_see_every_review(client, coordinator, reviewer, criteria, application):
    review(application, reviewer, criteria, [3, 4], "Seen by the coordinators.")
    client.force_login(coordinator)
    body = text(client.get(reverse("exchanges:review", args=[application.pk])))
    assert "Seen by the coordinators." in body and "Rita Reviewer" in body
    assert "Motivation: <strong>3</strong> / 5" in body


def test_the_service_refuses_a_reviewer_of_the_applicant_city(city_reviewer, criteria, application):
    with pytest.raises(services.ExchangeError):
        review(application, city_reviewer, criteria, [3, 3])


# --- decisions -------------------------------------------------------------------------------


def test_decisions_notify_the_city_and_make_the_history(
    client, coordinator, lead, call, criteria, application
):
    client.force_login(coordinator)
    url = reverse("exchanges:decide", args=[application.pk])
    client.post(url, {"decision": "waitlist"})
    response = client.post(url, {"decision": "accept"}, follow=True)
    application.refresh_from_db()
    assert application.status == "accepted" and application.decided_at
    kinds = list(lead.notifications.order_by("created", "id").values_list("kind", flat=True))
    assert kinds == ["exchanges.application.waitlisted", "exchanges.application.accepted"]
    body = text(response)
    assert "Decision saved: Accepted" in body
    history = response.context["history"]
    assert [entry.action for entry in history] == [
        "exchanges.application.waitlisted",
        "exchanges.application.accepted",
    ]
    assert all(entry.actor == coordinator for entry in history)
    assert "Application put on the waiting list" in body and "Application accepted" in body
    assert body.count("Cora Coordinator") >= 2


def test_an_unknown_decision_is_a_message(client, coordinator, application):
    client.force_login(coordinator)
    response = client.post(
        reverse("exchanges:decide", args=[application.pk]), {"decision": "promote"}, follow=True
    )
    assert response.status_code == 200 and "Unknown decision" in text(response)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_decisions_are_final_once_the_pairs_are_published(client, coordinator, call, application):
    call.matches_published_at = timezone.now()
    call.save()
    client.force_login(coordinator)
    page = text(client.get(reverse("exchanges:review", args=[application.pk])))
    assert "decisions are final" in page and 'name="decision"' not in page
    response = client.post(
        reverse("exchanges:decide", args=[application.pk]), {"decision": "reject"}, follow=True
    )
    assert "decisions are final" in text(response)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_deciding_needs_a_post(client, coordinator, application):
    client.force_login(coordinator)
    assert client.get(reverse("exchanges:decide", args=[application.pk])).status_code == 405


# --- query counts ----------------------------------------------------------------------------
# The same number of queries with few and with many applications or reviews.

# The list: the count, the page's ids, then its rows (a page of ids first keeps the page fast
# with thousands of applications) and their reviews.
QUERIES = {
    ("list", "coordinator", "submitted"): 8,
    ("list", "coordinator", "score"): 8,  # sorted in the database
    ("list", "reviewer", "submitted"): 9,  # who reviews the call
    ("review", "coordinator"): 8,  # with the decision history
    ("review", "reviewer"): 8,  # with who reviews the call, without the history
}


def applications_with_reviews(call, criteria, count: int, reviewers: list) -> None:
    for n in range(count):
        application = ApplicationFactory(
            call=call, status="accepted" if n % 3 == 0 else "submitted"
        )
        for m, person in enumerate(reviewers):
            if (n + m) % 2 == 0:
                review(application, person, criteria, [n % 6, m % 6])


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize(
    ("role", "sort"),
    [("coordinator", "submitted"), ("coordinator", "score"), ("reviewer", "submitted")],
)
def test_review_list_query_count(
    client,
    request,
    call,
    criteria,
    reviewer,
    coordinator,
    role,
    sort,
    size,
    django_assert_num_queries,
):
    applications_with_reviews(call, criteria, size, [reviewer, coordinator, UserFactory()])
    client.force_login(request.getfixturevalue(role))
    url = reverse("exchanges:review-list", args=[call.slug])
    client.get(url)  # the country list is cached after the first page
    with django_assert_num_queries(QUERIES[("list", role, sort)]):
        response = client.get(url, {"sort": sort})
    assert len(response.context["applications"]) == min(size, 25)


@pytest.mark.parametrize("size", [1, 6])
@pytest.mark.parametrize("role", ["coordinator", "reviewer"])
def test_review_page_query_count(
    client,
    request,
    call,
    criteria,
    answered,
    reviewer,
    coordinator,
    role,
    size,
    django_assert_num_queries,
):
    from .factories import RuleFactory

    RuleFactory(call=call, kind="target-year")
    RuleFactory(call=call, kind="population", minimum=1)
    people = [reviewer, coordinator] + [UserFactory() for _n in range(size)]
    for person in people:
        review(answered, person, criteria, [2, 3], "A comment.")
    for decision in ("waitlist", "accept", "reject")[: 1 + size % 3]:
        services.decide_application(answered, decision, actor=coordinator)
    client.force_login(request.getfixturevalue(role))
    url = reverse("exchanges:review", args=[answered.pk])
    client.get(url)  # the taxonomy's names are cached after the first page
    with django_assert_num_queries(QUERIES[("review", role)]):
        response = client.get(url)
    assert len(response.context["reviews"]) == len(people)


def test_the_review_list_is_served_from_the_cache_until_something_changes(
    client,
    call,
    criteria,
    reviewer,
    coordinator,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    applications_with_reviews(call, criteria, 6, [reviewer])
    client.force_login(coordinator)
    url = reverse("exchanges:review-list", args=[call.slug])
    client.get(url)
    with django_assert_max_num_queries(QUERIES[("list", "coordinator", "submitted")] - 3):
        warm = client.get(url).content.decode()
    application = Application.objects.for_call(call).submitted().order_by("submitted_at").first()
    assert warm.count("Not yet") == 6
    with django_capture_on_commit_callbacks(execute=True):
        services.save_review(
            application, reviewer=coordinator, scores={criteria[0].pk: 4}, comment=""
        )
    fresh = client.get(url).content.decode()
    assert fresh.count("Not yet") == 5

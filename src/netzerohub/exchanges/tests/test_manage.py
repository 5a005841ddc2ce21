"""Running calls, endpoint-level: who may open the coordinators' pages, the list of calls with
its counts, the call form (the window typed in local time and stored in UTC, rules, questions
and criteria in order, reviewers by email, matching weights; every mistake shown with what was
typed kept), questions with answers that cannot be deleted, the admin, pinned query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.tests.factories import MembershipFactory
from netzerohub.community.tests.factories import GroupFactory
from netzerohub.core.models import AuditLog
from netzerohub.core.tests.admin_forms import admin_form_data
from netzerohub.exchanges import matching, services
from netzerohub.exchanges.models import Call, EligibilityRule, Question

from .factories import (
    ApplicationFactory,
    CallFactory,
    CriterionFactory,
    OfferFactory,
    QuestionFactory,
    RuleFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def text(response) -> str:
    return response.content.decode()


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def call(db):
    return CallFactory(title="Twinning 2027", slug="twinning-2027")


@pytest.fixture
def reviewer(call):
    """An invited reviewer of `call` (not a coordinator)."""
    user = UserFactory(name="Rita Reviewer")
    call.reviewers.add(user)
    return user


@pytest.fixture
def city_reviewer(call, city):
    """An invited reviewer of `call` who is a member of a city (one that could apply)."""
    user = MembershipFactory(city=city).user
    call.reviewers.add(user)
    return user


# --- who may open what -----------------------------------------------------------------------

ROLES = ["coordinator", "reviewer", "city_reviewer", "member", "lead", "outsider", "visitor"]
PAGES = {
    "manage": lambda c: reverse("exchanges:manage"),
    "call-create": lambda c: reverse("exchanges:call-create"),
    "call-edit": lambda c: reverse("exchanges:call-edit", args=[c.slug]),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_run_calls(client, request, call, role, page):
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(PAGES[page](call))
    expected = {"coordinator": 200, "visitor": 302}.get(role, 404)
    assert response.status_code == expected
    if expected == 302:  # visitors are asked to sign in first
        assert response.url.startswith(reverse("account_login"))


def test_a_missing_call_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("exchanges:call-edit", args=["no-such-call"])).status_code == 404


# --- the list of calls -----------------------------------------------------------------------


def test_the_list_counts_applications_by_status_and_offers(client, coordinator, call):
    for status in ("draft", "submitted", "submitted", "accepted", "rejected", "withdrawn"):
        ApplicationFactory(call=call, status=status)
    OfferFactory(call=call)
    draft = CallFactory(title="Study visits (draft)", status="draft")
    ApplicationFactory(call=draft)  # counted for its own call only
    client.force_login(coordinator)
    response = client.get(reverse("exchanges:manage"))
    rows = {c.pk: c for c in response.context["calls"]}
    statuses = [value for value, _label in response.context["statuses"]]
    counts = dict(zip(statuses, rows[call.pk].counts, strict=True))
    assert counts == {
        "draft": 1,
        "submitted": 2,
        "withdrawn": 1,
        "accepted": 1,
        "waitlisted": 0,
        "rejected": 1,
    }
    assert rows[call.pk].offer_count == 1 and rows[call.pk].handed_in == 4
    assert rows[draft.pk].counts[statuses.index("submitted")] == 1
    assert rows[draft.pk].offer_count == 0
    body = text(response)
    assert reverse("exchanges:call-edit", args=[call.slug]) in body
    assert reverse("exchanges:review-list", args=[call.slug]) in body
    assert reverse("exchanges:matching", args=[call.slug]) in body
    # a draft is not reviewed yet: no review list or matching link for it
    assert reverse("exchanges:review-list", args=[draft.slug]) not in body
    assert reverse("exchanges:call-create") in body


def test_the_list_says_where_each_published_call_is(client, coordinator):
    now = dt.datetime.now(UTC)
    CallFactory(title="Later", opens_at=now + dt.timedelta(days=3))
    CallFactory(title="Past", opens_at=now - dt.timedelta(days=60))
    CallFactory(title="Now open")
    client.force_login(coordinator)
    body = text(client.get(reverse("exchanges:manage")))
    for words in ("not open yet", "closed for applications", "open for applications"):
        assert words in body


# --- the call form ---------------------------------------------------------------------------


def rows(prefix: str, items: list[dict], initial: int = 0) -> dict:
    """The POST of an inline formset: its management form and its rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        for key, value in item.items():
            data[f"{prefix}-{n}-{key}"] = value
    return data


def call_data(
    rules: list[dict] | None = None,
    questions: list[dict] | None = None,
    criteria: list[dict] | None = None,
    **changes,
) -> dict:
    data = {
        "title": "Twinning learning programme 2027",
        "slug": "twinning-programme-2027",
        "kind": "twinning-programme",
        "summary": "Twin cities learn from Mission and Pilot Cities for a year.",
        "information": "## Timeline\n\nApply between 8 April and 31 May.",
        "status": "published",
        "time_zone": "Europe/Brussels",
        "opens_at": "2027-04-08T00:00",
        "closes_at": "2027-05-31T23:59",
        "reviewer_emails": "",
        **{f"weight_{part}": str(weight) for part, weight in matching.DEFAULT_WEIGHTS.items()},
    }
    data.update(changes)
    data.update(
        rows(
            "rules",
            rules
            if rules is not None
            else [
                {"kind": "country-eligible"},
                {"kind": "target-year", "year": "2050"},
                {"kind": "population", "minimum": "50000", "maximum": "250000"},
                {"kind": "", "year": "2050"},  # an empty row: ignored
            ],
        )
    )
    data.update(
        rows(
            "questions",
            questions
            if questions is not None
            else [
                {"kind": "motivation", "label": "Why twin?", "required": "on"},
                {"kind": "fields", "label": "Fields of interest", "help_text": "Pick some."},
                {"kind": "", "label": "", "required": "on"},
            ],
        )
    )
    data.update(
        rows(
            "criteria",
            criteria
            if criteria is not None
            else [
                {"title": "Motivation", "description": "Clear aims.", "weight": "3"},
                {"title": "Capacity", "description": "", "weight": "1"},
                {"title": "", "description": "", "weight": "1"},
            ],
        )
    )
    return {k: v for k, v in data.items() if v is not None}


def test_a_coordinator_creates_a_call_with_its_window_in_cest(client, coordinator):
    reviewer = UserFactory(email="rita@example.org")
    client.force_login(coordinator)
    response = client.post(
        reverse("exchanges:call-create"),
        call_data(reviewer_emails="Rita@Example.org\n", weight_challenges="0", weight_fields="2.5"),
    )
    assert response.status_code == 302, response.context["form"].errors
    call = Call.objects.get(slug="twinning-programme-2027")
    assert response.url == reverse("exchanges:call-edit", args=[call.slug])
    # 8 April 00:00 and 31 May 23:59 in Brussels are summer time (CEST, UTC+2)
    assert call.opens_at == utc(2027, 4, 7, 22, 0)
    assert call.closes_at == utc(2027, 5, 31, 21, 59)
    assert (call.kind, call.status, call.time_zone) == (
        "twinning-programme",
        "published",
        "Europe/Brussels",
    )
    assert call.created_by == coordinator
    assert [(r.kind, r.year, r.minimum, r.maximum) for r in call.rules.all()] == [
        ("country-eligible", None, None, None),
        ("target-year", 2050, None, None),
        ("population", None, 50000, 250000),
    ]
    assert [(q.kind, q.label, q.required, q.position) for q in call.questions.all()] == [
        ("motivation", "Why twin?", True, 0),
        ("fields", "Fields of interest", False, 1),
    ]
    assert [(c.title, c.weight) for c in call.criteria.all()] == [
        ("Motivation", 3),
        ("Capacity", 1),
    ]
    assert list(call.reviewers.all()) == [reviewer]
    assert call.match_weights == {**matching.DEFAULT_WEIGHTS, "challenges": 0, "fields": 2.5}
    assert AuditLog.objects.filter(action="exchanges.call.created", target_id=str(call.pk))


def test_the_edit_page_shows_the_window_back_in_the_calls_zone(client, coordinator):
    call = CallFactory(
        time_zone="Europe/Helsinki",
        opens_at=utc(2027, 1, 10, 7, 0),  # 09:00 in Helsinki in winter (UTC+2)
        closes_at=utc(2027, 6, 30, 20, 59),  # 23:59 in summer (UTC+3)
    )
    client.force_login(coordinator)
    body = text(client.get(reverse("exchanges:call-edit", args=[call.slug])))
    assert 'value="2027-01-10T09:00"' in body and 'value="2027-06-30T23:59"' in body


def test_a_new_call_starts_in_the_coordinators_zone_with_the_default_weights(client, coordinator):
    coordinator.time_zone = "Europe/Lisbon"
    coordinator.save()
    client.force_login(coordinator)
    response = client.get(reverse("exchanges:call-create"))
    form = response.context["form"]
    assert form["time_zone"].value() == "Europe/Lisbon"
    assert form["weight_fields"].value() == matching.DEFAULT_WEIGHTS["fields"]
    body = text(response)
    for part in matching.PARTS:  # each weight is explained in plain words
        assert f'id="id_weight_{part}_helptext"' in body


@pytest.mark.parametrize(
    ("zone", "opens", "expected"),
    [
        ("Europe/Brussels", "2027-03-01T00:00", utc(2027, 2, 28, 23)),  # CET, UTC+1
        ("Europe/Brussels", "2027-04-08T00:00", utc(2027, 4, 7, 22)),  # CEST, UTC+2
        ("Europe/London", "2027-04-08T00:00", utc(2027, 4, 7, 23)),  # BST, UTC+1
        ("America/New_York", "2027-04-08T00:00", utc(2027, 4, 8, 4)),  # EDT, UTC−4
    ],
)
def test_the_window_is_read_in_the_chosen_zone(client, coordinator, zone, opens, expected):
    client.force_login(coordinator)
    response = client.post(
        reverse("exchanges:call-create"), call_data(time_zone=zone, opens_at=opens)
    )
    assert response.status_code == 302
    assert Call.objects.get().opens_at == expected


BAD_INPUT = {
    "closes before it opens": (
        {"closes_at": "2027-04-01T12:00"},
        "closes_at",
        "close after it opens",
    ),
    "closes when it opens": (
        {"closes_at": "2027-04-08T00:00"},
        "closes_at",
        "close after it opens",
    ),
    "a time that does not exist": (
        {"opens_at": "2027-03-28T02:30"},
        "opens_at",
        "does not exist",
    ),
    "a time that happens twice": (
        {"closes_at": "2027-10-31T02:30"},
        "closes_at",
        "happens twice",
    ),
    "an unreadable date": ({"opens_at": "8 Apr"}, "opens_at", "valid date"),
    "an unknown reviewer": (
        {"reviewer_emails": "nobody@example.org, rita@example.org"},
        "reviewer_emails",
        "nobody@example.org",
    ),
    "a matching weight below 0": ({"weight_language": "-1"}, "weight_language", "0 or more"),
    "a matching weight that is not a number": (
        {"weight_distance": "much"},
        "weight_distance",
        "number",
    ),
    "no title": ({"title": ""}, "title", "required"),
    "a slug with spaces": ({"slug": "my call"}, "slug", "letters"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_refused_with_what_was_typed_kept(client, coordinator, case):
    UserFactory(email="rita@example.org")
    changes, field, words = BAD_INPUT[case]
    client.force_login(coordinator)
    data = call_data(**{"information": "Kept <typed> text", **changes})
    response = client.post(reverse("exchanges:call-create"), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert words in errors, response.context["form"].errors
    body = text(response)
    assert "nothing was saved" in body and "Kept &lt;typed&gt; text" in body
    assert 'value="Why twin?"' in body  # the rows typed are kept too
    assert not Call.objects.exists()


ROW_ERRORS = {
    "a target year without a year": (
        "rules",
        {"kind": "target-year", "year": ""},
        "year",
        "needs a year",
    ),
    "a population without a range": (
        "rules",
        {"kind": "population", "year": "2050"},
        "minimum",
        "minimum, a maximum",
    ),
    "a population range upside down": (
        "rules",
        {"kind": "population", "minimum": "90000", "maximum": "1000"},
        "maximum",
        "below the minimum",
    ),
    "meetings without a group": (
        "rules",
        {"kind": "meetings", "minimum": "2"},
        "group",
        "peer group",
    ),
    "meetings without a count": (
        "rules",
        {"kind": "meetings", "group": "GROUP"},
        "minimum",
        "number of meetings",
    ),
    "a year out of range": ("rules", {"kind": "target-year", "year": "1999"}, "year", "2025"),
    "a question without a label": (
        "questions",
        {"kind": "motivation", "label": ""},
        "label",
        "required",
    ),
    "a question of an unknown kind": (
        "questions",
        {"kind": "poem", "label": "A poem"},
        "kind",
        "valid choice",
    ),
    "a criterion weight below 0": (
        "criteria",
        {"title": "Fit", "weight": "-2"},
        "weight",
        "0 or more",
    ),
    "a criterion weight above 10": (
        "criteria",
        {"title": "Fit", "weight": "11"},
        "weight",
        "at most 10",
    ),
}


@pytest.mark.parametrize("case", list(ROW_ERRORS))
def test_a_row_without_what_its_kind_needs_is_refused(client, coordinator, case):
    group = GroupFactory(title="Heat networks")
    prefix, row, field, words = ROW_ERRORS[case]
    row = {k: (str(group.pk) if v == "GROUP" else v) for k, v in row.items()}
    client.force_login(coordinator)
    response = client.post(reverse("exchanges:call-create"), call_data(**{prefix: [row]}))
    assert response.status_code == 200
    errors = " ".join(response.context[prefix].forms[0].errors.get(field, []))
    assert words in errors, response.context[prefix].errors
    assert "nothing was saved" in text(response)
    assert not Call.objects.exists()


def test_a_rule_keeps_only_the_parameters_of_its_kind(client, coordinator):
    group = GroupFactory()
    client.force_login(coordinator)
    rules = [
        {"kind": "population", "year": "2050", "minimum": "1000", "group": str(group.pk)},
        {
            "kind": "meetings",
            "year": "2050",
            "minimum": "3",
            "maximum": "9",
            "group": str(group.pk),
        },
        {"kind": "hours", "year": "2050", "minimum": "", "maximum": "40"},
    ]
    response = client.post(reverse("exchanges:call-create"), call_data(rules=rules))
    assert response.status_code == 302
    assert [
        (r.kind, r.year, r.minimum, r.maximum, r.group_id) for r in EligibilityRule.objects.all()
    ] == [
        ("population", None, 1000, None, None),
        ("meetings", None, 3, None, group.pk),
        ("hours", None, None, None, None),
    ]


def test_the_standard_questions_are_added_once(client, coordinator):
    client.force_login(coordinator)
    data = call_data(standard="1")
    response = client.post(reverse("exchanges:call-create"), data)
    assert response.status_code == 302
    call = Call.objects.get()
    kinds = [q.kind for q in call.questions.all()]
    # the two typed first, then the standard ones not there yet, in the standard order
    assert kinds == [
        "motivation", "fields", "levers", "challenges", "languages", "representatives", "hours"
    ]  # fmt: skip
    assert call.questions.get(kind="motivation").label == "Why twin?"
    # pressing it again adds nothing more
    page = client.get(reverse("exchanges:call-edit", args=[call.slug]))
    data = resend(page, standard="1")
    assert client.post(reverse("exchanges:call-edit", args=[call.slug]), data).status_code == 302
    assert call.questions.count() == 7


def resend(response, **changes) -> dict:
    """What the call form of `response` sends back unchanged (with `changes`)."""
    context = response.context
    data = {}
    for form in [context["form"]]:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    for prefix in ("rules", "questions", "criteria"):
        formset = context[prefix]
        for field in formset.management_form:
            data[field.html_name] = field.value()
        for form in formset.forms:
            for field in form:
                value = field.value()
                if value is None or value is False:
                    continue
                data[field.html_name] = "on" if value is True else value
    data["opens_at"] = context["form"]["opens_at"].value().strftime("%Y-%m-%dT%H:%M")
    data["closes_at"] = context["form"]["closes_at"].value().strftime("%Y-%m-%dT%H:%M")
    data.update(changes)
    return data


def test_editing_keeps_the_order_and_deletes_the_rows_left_out(client, coordinator, call):
    first = QuestionFactory(call=call, label="First", position=0)
    second = QuestionFactory(call=call, label="Second", position=1)
    rule = RuleFactory(call=call, kind="pledge")
    criterion = CriterionFactory(call=call, title="Old criterion")
    client.force_login(coordinator)
    url = reverse("exchanges:call-edit", args=[call.slug])
    data = resend(client.get(url))
    data["questions-0-DELETE"] = "on"  # "First" has no answer yet: it may go
    data["questions-1-label"] = "Second, reworded"
    data["rules-0-DELETE"] = "on"
    data["criteria-1-title"] = "New criterion"
    data["criteria-1-weight"] = "4"
    data["title"] = "Twinning 2027, renamed"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert list(call.questions.values_list("pk", "label", "position")) == [
        (second.pk, "Second, reworded", 0)
    ]
    assert not Question.objects.filter(pk=first.pk).exists()
    assert not EligibilityRule.objects.filter(pk=rule.pk).exists()
    assert list(call.criteria.values_list("title", "weight")) == [
        (criterion.title, criterion.weight),
        ("New criterion", 4),
    ]
    call.refresh_from_db()
    assert call.title == "Twinning 2027, renamed"
    assert AuditLog.objects.filter(action="exchanges.call.updated", target_id=str(call.pk))


def test_a_question_with_answers_cannot_be_deleted(client, coordinator, call):
    answered = QuestionFactory(call=call, label="Why twin?")
    ApplicationFactory(call=call, answers={str(answered.pk): "To learn."})
    client.force_login(coordinator)
    url = reverse("exchanges:call-edit", args=[call.slug])
    data = resend(client.get(url), title="Changed title")
    data["questions-0-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    body = text(response)
    assert "cannot be deleted" in body and "“Why twin?”" in body
    assert 'value="Changed title"' in body  # kept as typed
    assert Question.objects.filter(pk=answered.pk).exists()
    call.refresh_from_db()
    assert call.title == "Twinning 2027"  # nothing was saved
    # the page's title names the call as saved
    assert "Edit Twinning 2027</h1>" in body


def test_the_service_refuses_to_delete_an_answered_question(call, coordinator):
    answered = QuestionFactory(call=call, label="Answered")
    unanswered = QuestionFactory(call=call, label="Not answered")
    ApplicationFactory(call=call, answers={str(answered.pk): ""})
    ApplicationFactory(call=CallFactory(), answers={str(unanswered.pk): "another call's"})
    with pytest.raises(services.ExchangeError, match="Answered"):
        services.save_call(call, actor=coordinator, questions=[unanswered])
    assert call.questions.count() == 2
    services.save_call(call, actor=coordinator, questions=[answered])
    assert list(call.questions.all()) == [answered]
    # changing the wording of an answered question is fine
    answered.label = "Answered, reworded"
    services.save_call(call, actor=coordinator, questions=[answered])
    assert call.questions.get().label == "Answered, reworded"


def test_a_slug_already_taken_is_refused(client, coordinator, call):
    client.force_login(coordinator)
    response = client.post(reverse("exchanges:call-create"), call_data(slug=call.slug))
    assert response.status_code == 200 and response.context["form"].errors["slug"]
    assert Call.objects.count() == 1


def test_the_edit_page_links_to_the_preview(client, coordinator, call):
    client.force_login(coordinator)
    body = text(client.get(reverse("exchanges:call-edit", args=[call.slug])))
    assert f'href="{call.get_absolute_url()}"' in body
    assert "Preview" in body


def test_forged_rows_of_another_call_are_never_changed(client, coordinator, call):
    foreign = QuestionFactory(call=CallFactory(), label="Foreign")
    client.force_login(coordinator)
    url = reverse("exchanges:call-edit", args=[call.slug])
    data = resend(client.get(url))
    data.update(rows("questions", [{"id": str(foreign.pk), "kind": "text", "label": "Stolen"}], 1))
    client.post(url, data)
    foreign.refresh_from_db()
    assert (foreign.label, foreign.call_id) != ("Stolen", call.pk)
    assert not call.questions.filter(pk=foreign.pk).exists()


# --- the admin -------------------------------------------------------------------------------


def admin_call_data(response) -> dict:
    """The admin's call form sent back unchanged (a date-time is two inputs there)."""
    data = admin_form_data(response)
    for name in ("opens_at", "closes_at"):
        local = timezone.localtime(data.pop(name))
        data[f"{name}_0"], data[f"{name}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
    return data


def test_the_admin_lists_load(client, superuser, call):
    ApplicationFactory(call=call)
    client.force_login(superuser)
    for name in ("call", "application", "hostoffer", "review", "pair", "activity"):
        assert client.get(reverse(f"admin:exchanges_{name}_changelist")).status_code == 200


def test_the_admin_pages_of_one_object_load(client, superuser, call):
    application = ApplicationFactory(call=call, answers={"1": "An answer"})
    client.force_login(superuser)
    assert client.get(reverse("admin:exchanges_call_add")).status_code == 200
    assert client.get(reverse("admin:exchanges_call_change", args=[call.pk])).status_code == 200
    url = reverse("admin:exchanges_application_change", args=[application.pk])
    response = client.get(url)
    assert response.status_code == 200 and "An answer" in text(response)
    assert client.get(reverse("admin:exchanges_application_add")).status_code == 403


def test_the_admin_creates_a_call_with_its_rows_through_the_service(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:exchanges_call_add")
    data = admin_form_data(client.get(url))
    data.update(
        {
            "title": "Study visits 2028",
            "slug": "study-visits-2028",
            "kind": "study-visits",
            "summary": "Visit a Mission City.",
            "status": "draft",
            "time_zone": "Europe/Brussels",
            "opens_at_0": "2028-01-10",
            "opens_at_1": "09:00:00",
            "closes_at_0": "2028-02-10",
            "closes_at_1": "17:00:00",
            "match_weights": '{"fields": 1}',
            "rules-TOTAL_FORMS": "1",
            "rules-0-kind": "target-year",
            "rules-0-year": "2045",
            "questions-TOTAL_FORMS": "1",
            "questions-0-kind": "motivation",
            "questions-0-label": "Why?",
            "questions-0-required": "on",
            "criteria-TOTAL_FORMS": "1",
            "criteria-0-title": "Fit",
            "criteria-0-weight": "2",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    call = Call.objects.get(slug="study-visits-2028")
    assert call.rules.get().year == 2045 and call.questions.get().label == "Why?"
    assert call.criteria.get().weight == 2 and call.created_by == superuser
    assert AuditLog.objects.filter(action="exchanges.call.created", target_id=str(call.pk))
    # the portal form's rules hold in the admin: a population rule needs a range
    data.update({"slug": "other", "rules-0-kind": "population", "rules-0-year": ""})
    response = client.post(url, data)
    assert response.status_code == 200 and "minimum, a maximum" in text(response)


def test_the_admin_saves_calls_through_the_service(client, superuser, call):
    QuestionFactory(call=call, label="Kept")
    client.force_login(superuser)
    url = reverse("admin:exchanges_call_change", args=[call.pk])
    data = admin_call_data(client.get(url))
    data["title"] = "Renamed in the admin"
    response = client.post(url, data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title == "Renamed in the admin"
    assert AuditLog.objects.filter(
        action="exchanges.call.updated", target_id=str(call.pk), actor=superuser
    ).exists()


def test_the_admin_refuses_to_delete_an_answered_question(client, superuser, call):
    question = QuestionFactory(call=call, label="Answered")
    ApplicationFactory(call=call, answers={str(question.pk): "Yes"})
    client.force_login(superuser)
    url = reverse("admin:exchanges_call_change", args=[call.pk])
    data = admin_call_data(client.get(url))
    data["questions-0-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "cannot be deleted" in text(response)
    assert Question.objects.filter(pk=question.pk).exists()


def test_the_admin_refuses_a_bad_matching_weight(client, superuser, call):
    client.force_login(superuser)
    url = reverse("admin:exchanges_call_change", args=[call.pk])
    data = admin_call_data(client.get(url))
    data["match_weights"] = '{"fields": -1}'
    response = client.post(url, data)
    assert response.status_code == 200
    assert "0 or more" in text(response)


def test_the_admin_decides_through_the_service(client, superuser, call, lead, city):
    application = ApplicationFactory(call=call, city=city)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:exchanges_application_changelist"),
        {"action": "waitlist", "_selected_action": [str(application.pk)]},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "waitlisted"
    assert lead.notifications.filter(kind="exchanges.application.waitlisted").exists()


# --- query counts ----------------------------------------------------------------------------
# The same number of queries with few and with many rows: nothing runs per call or per row.

QUERIES = {"manage": 10, "edit": 12}


@pytest.mark.parametrize("size", [2, 12])
def test_manage_list_query_count(client, coordinator, size, django_assert_num_queries):
    for _n in range(size):
        call = CallFactory()
        for status in ("submitted", "accepted", "draft"):
            ApplicationFactory(call=call, status=status)
        OfferFactory(call=call)
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES["manage"]):
        response = client.get(reverse("exchanges:manage"))
    assert response.status_code == 200 and len(response.context["calls"]) == size


@pytest.mark.parametrize("size", [1, 8])
def test_edit_page_query_count(client, coordinator, size, django_assert_num_queries):
    call = CallFactory()
    for _n in range(size):
        RuleFactory(call=call, kind="meetings", minimum=2, group=GroupFactory())
        QuestionFactory(call=call)
        CriterionFactory(call=call)
        call.reviewers.add(UserFactory())
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES["edit"]):
        response = client.get(reverse("exchanges:call-edit", args=[call.slug]))
    assert response.status_code == 200
    assert len(response.context["rules"].forms) == size + 2


# --- in a real browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_running_a_call_and_reviewing_in_the_browser(live_server, page, settings, tmp_path):
    """A coordinator sets up a call through the form (a window closing before it opens first),
    adds the standard questions, then reviews and decides an application; every page passes the
    axe scan and raises no console error (no CSP violation)."""
    from playwright.sync_api import expect

    from netzerohub.accounts.tests.factories import CoordinatorFactory
    from netzerohub.cities.tests.factories import LeadFactory
    from netzerohub.core.tests.browser import collect_console_errors, sign_in
    from netzerohub.core.tests.test_accessibility import assert_accessible

    settings.REQUIRE_STAFF_MFA = False
    coordinator = CoordinatorFactory(name="Cora Coordinator")
    errors = collect_console_errors(page)
    sign_in(page.context, live_server, coordinator)
    page.goto(live_server.url + reverse("exchanges:call-create"))
    page.get_by_label("Title").fill("Twinning learning programme")
    page.get_by_label("Address").fill("twinning")
    page.locator("#id_kind").select_option("twinning-programme")
    page.get_by_label("Summary").fill("Twin cities learn from Mission Cities.")
    page.locator("#id_status").select_option("published")
    page.get_by_label("Time zone").select_option("Europe/Brussels")
    page.get_by_label("Applications open").fill("2027-04-08T00:00")
    page.get_by_label("Applications close").fill("2027-04-01T23:59")
    page.locator("#id_rules-0-kind").select_option("target-year")
    page.locator("#id_criteria-0-title").fill("Motivation")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("main")).to_contain_text("The call must close after it opens.")
    expect(page.get_by_label("Title")).to_have_value("Twinning learning programme")
    assert_accessible(page)
    page.get_by_label("Applications close").fill("2027-05-31T23:59")
    page.get_by_role("button", name="Save and add the standard questions").click()
    expect(page.locator("main")).to_contain_text("Call saved")
    call = Call.objects.get(slug="twinning")
    assert call.closes_at == utc(2027, 5, 31, 21, 59) and call.questions.count() == 7
    assert call.rules.get().year == 2050  # the default year of a target-year rule
    page.screenshot(path=str(tmp_path / "call-form.png"), full_page=True)
    assert_accessible(page)
    application = ApplicationFactory(call=call)
    LeadFactory(city=application.city)
    for url in (
        reverse("exchanges:manage"),
        reverse("exchanges:review-list", args=[call.slug]),
    ):
        page.goto(live_server.url + url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
    page.get_by_role("link", name=application.city.name).click()
    page.get_by_role("radio", name="4").check()
    page.get_by_label("Comment").fill("A convincing motivation.")
    page.get_by_role("button", name="Save my review").click()
    expect(page.locator("main")).to_contain_text("Your review is saved.")
    assert_accessible(page)
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("main")).to_contain_text("Decision saved: Accepted")
    expect(page.locator("table.review-history tbody tr")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    assert_accessible(page)
    assert errors == []
    print(tmp_path)

"""The city side of exchanges, page by page and role by role: the calls, a call's page, applying,
the application (answers saved one at a time or as a whole, submitting, withdrawing) and My
applications. The window, the rules and the merging of answers are the service's (see
test_applying.py); here the pages must show them and never let a request around them."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, LeadFactory, MembershipFactory
from netzerohub.core.models import Notification
from netzerohub.core.ratelimit import hit
from netzerohub.events.models import Event
from netzerohub.events.tests.factories import EventFactory
from netzerohub.exchanges import services
from netzerohub.exchanges.models import Application, Call, EligibilityRule, Question
from netzerohub.exchanges.tests.factories import (
    ApplicationFactory,
    CallFactory,
    CriterionFactory,
    OfferFactory,
    PairFactory,
    QuestionFactory,
    RuleFactory,
)

CALLS = reverse("exchanges:calls")
MINE = reverse("exchanges:mine")
BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    """The page's text with tags removed and spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("\xa0", " ").split())


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def url(name: str, *args) -> str:
    return reverse(f"exchanges:{name}", args=args)


def add_questions(call: Call) -> dict[str, Question]:
    """One question of each kind the city side renders, the first two required."""
    kinds = [
        ("motivation", Question.Kind.MOTIVATION, True),
        ("fields", Question.Kind.FIELDS, True),
        ("languages", Question.Kind.LANGUAGES, False),
        ("representatives", Question.Kind.REPRESENTATIVES, False),
        ("hours", Question.Kind.HOURS, False),
        ("title", Question.Kind.TEXT, False),
    ]
    return {
        key: QuestionFactory(call=call, kind=kind, required=required, label=f"About {key}")
        for key, kind, required in kinds
    }


@pytest.fixture
def call(db) -> Call:
    """An open twinning call (closing in 12 days 4 hours and a half) for cities that are not
    Mission, Pilot or Twin Cities and aim at 2050 or earlier."""
    now = timezone.now()
    call = CallFactory(
        title="Twinning 2027",
        opens_at=now - dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=12, hours=4, minutes=30),
    )
    RuleFactory(call=call, kind=EligibilityRule.Kind.COUNTRY_ELIGIBLE, position=0)
    RuleFactory(call=call, kind=EligibilityRule.Kind.NOT_PARTICIPATING, position=1)
    RuleFactory(call=call, kind=EligibilityRule.Kind.TARGET_YEAR, year=2050, position=2)
    return call


@pytest.fixture
def questions(call) -> dict[str, Question]:
    return add_questions(call)


@pytest.fixture
def twin_city(other_city) -> City:
    """The applicant: a participating city with a 2040 target (eligible)."""
    other_city.target_year = 2040
    other_city.save()
    return other_city


@pytest.fixture
def twin_member(twin_city):
    return MembershipFactory(city=twin_city, user__name="Tim Twinmember").user


@pytest.fixture
def draft(call, twin_city, other_lead, questions) -> Application:
    return ApplicationFactory(
        call=call, city=twin_city, status=Application.Status.DRAFT, submitted_at=None
    )


def answer_all(application: Application, questions: dict[str, Question], actor) -> Application:
    return services.save_answers(
        application,
        {
            questions["motivation"].pk: "We want to learn.",
            questions["fields"].pk: ["energy-systems"],
        },
        actor=actor,
    )


def close(call: Call, seconds: float = -1) -> None:
    """Move the call's deadline to `seconds` from now (negative: closed)."""
    call.closes_at = timezone.now() + dt.timedelta(seconds=seconds)
    call.opens_at = call.closes_at - dt.timedelta(days=30)
    call.save()


# --- the calls -----------------------------------------------------------------------------------


def test_calls_lists_open_upcoming_and_closed_calls_with_the_window(client, call):
    CallFactory(
        title="Study visits 2099",
        kind=Call.Kind.STUDY_VISITS,
        opens_at=dt.datetime(2099, 4, 8, 0, 0, tzinfo=BRUSSELS),
        closes_at=dt.datetime(2099, 5, 31, 23, 59, tzinfo=BRUSSELS),
    )
    CallFactory(
        title="Bilateral 2020",
        kind=Call.Kind.BILATERAL,
        opens_at=dt.datetime(2020, 4, 8, tzinfo=BRUSSELS),
        closes_at=dt.datetime(2020, 5, 31, tzinfo=BRUSSELS),
    )
    CallFactory(title="Draft call", status=Call.Status.DRAFT)
    page = text(client.get(CALLS))
    open_part, rest = page.split("Opening soon")
    upcoming_part, closed_part = rest.split("Closed", 1)
    assert "Twinning 2027" in open_part and "12 days 4 hours left" in open_part
    assert "Twinning learning programme" in open_part
    assert "Study visits 2099" in upcoming_part and "Group study visits" in upcoming_part
    assert "8 April 00:00 – 31 May 2099 23:59 CEST (Europe/Brussels" in upcoming_part
    assert "Bilateral 2020" in closed_part
    assert "Draft call" not in page


def test_calls_show_the_window_in_the_viewers_zone_and_in_the_calls_own(client, outsider):
    outsider.time_zone = "Europe/Helsinki"
    outsider.save()
    CallFactory(
        opens_at=dt.datetime(2099, 4, 8, 0, 0, tzinfo=BRUSSELS),
        closes_at=dt.datetime(2099, 5, 31, 23, 59, tzinfo=BRUSSELS),
    )
    client.force_login(outsider)
    page = text(client.get(CALLS))
    assert "8 April 01:00 – 1 June 2099 00:59 EEST (Europe/Helsinki)" in page
    assert "In the call's time zone: 8 April 00:00 – 31 May 2099 23:59 CEST (Europe/Brussels)" in (
        page
    )


def test_a_lead_sees_per_city_whether_it_is_eligible_and_how_to_fix_it(
    client, call, lead, city, twin_city, other_lead
):
    third = CityFactory(status=City.Status.PARTICIPATING, name="Thirdtown")  # no target year
    LeadFactory(city=third, user=other_lead)
    client.force_login(other_lead)
    response = client.get(CALLS)
    page = text(response)
    assert f"{twin_city.name}: eligible" in page
    assert "Thirdtown: not eligible yet" in page
    assert "Thirdtown has not set a climate-neutrality target year." in page
    profile = reverse("cities:edit-profile", args=[third.pk])
    assert f'href="{profile}">Set your target year on the city profile.</a>' in (
        response.content.decode()
    )
    # The Mission City's lead reads why it cannot be a twin.
    client.force_login(lead)
    page = text(client.get(CALLS))
    assert f"{city.name}: not eligible yet" in page and "is already a Mission City" in page


def test_calls_show_the_citys_application_status_with_a_link(client, draft, other_lead):
    client.force_login(other_lead)
    response = client.get(CALLS)
    assert "Application: Draft" in text(response)
    assert f'href="{draft.get_absolute_url()}"' in response.content.decode()


def test_calls_are_paged_open_ones_first(client, db):
    now = timezone.now()
    for n in range(22):
        CallFactory(title=f"Open {n:02}", closes_at=now + dt.timedelta(days=n + 1))
    CallFactory(title="Upcoming one", opens_at=now + dt.timedelta(days=5))
    CallFactory(title="Closed one", opens_at=now - dt.timedelta(days=60))
    first = text(client.get(CALLS))
    assert "Open 00" in first and "Open 19" in first and "Open 20" not in first
    assert "Opening soon" not in first and "No call is announced yet" not in first
    assert first.index("Open 00") < first.index("Open 01")  # closing soonest first
    second = text(client.get(CALLS, {"page": 2}))
    assert "Open 20" in second and "Open 21" in second
    assert second.index("Open 21") < second.index("Upcoming one") < second.index("Closed one")


CALLS_QUERIES = {"visitor": 3, "lead": 9}


@pytest.mark.parametrize("who", ["visitor", "lead"])
def test_calls_query_count_does_not_grow(
    client, other_lead, twin_city, who, django_assert_num_queries
):
    second = CityFactory(status=City.Status.PARTICIPATING, target_year=2045)
    LeadFactory(city=second, user=other_lead)
    if who == "lead":
        client.force_login(other_lead)
    for count in (1, 25):
        for n in range(count):
            open_call = CallFactory()
            RuleFactory(call=open_call, kind=EligibilityRule.Kind.TARGET_YEAR, year=2050)
            RuleFactory(call=open_call, kind=EligibilityRule.Kind.POPULATION, minimum=10)
            ApplicationFactory(call=open_call, city=twin_city, status="draft")
            CallFactory(opens_at=timezone.now() + dt.timedelta(days=n + 1))
            CallFactory(opens_at=timezone.now() - dt.timedelta(days=90 + n))
        cache.clear()
        with django_assert_num_queries(CALLS_QUERIES[who]):
            assert client.get(CALLS).status_code == 200


# --- a call's page -------------------------------------------------------------------------------


def test_call_page_states_rules_questions_and_weighted_criteria(client, call, questions):
    call.information = "## Timeline\n\nKick-off in **June**."
    call.save()
    CriterionFactory(call=call, title="Motivation", description="Why the city applies", weight=3)
    response = client.get(call.get_absolute_url())
    page = text(response)
    assert "<strong>June</strong>" in response.content.decode()
    assert "A climate-neutrality target year of 2050 or earlier." in page
    assert "Not already a Mission, Pilot or Twin City." in page
    assert "About motivation" in page and "About hours" in page
    assert "Motivation Why the city applies 3" in page
    assert "12 days 4 hours left" in page
    assert "Sign in to see whether your city is eligible" in page


def test_call_page_for_an_eligible_lead_offers_to_apply(client, call, twin_city, other_lead):
    client.force_login(other_lead)
    response = client.get(call.get_absolute_url())
    page = text(response)
    assert f"{twin_city.name} meets the call's rules about the city." in page
    assert "Met: A climate-neutrality target year of 2050 or earlier." in page
    assert f"Apply for {twin_city.name}" in page
    assert url("apply", call.slug) in response.content.decode()


def test_call_page_for_an_ineligible_lead_says_why_and_offers_no_button(
    client, call, other_city, other_lead
):
    client.force_login(other_lead)
    response = client.get(call.get_absolute_url())
    page = text(response)
    assert "Not met: A climate-neutrality target year of 2050 or earlier." in page
    assert "Set your target year on the city profile." in page
    assert reverse("cities:edit-profile", args=[other_city.pk]) in response.content.decode()
    assert "Apply for" not in page


def test_call_page_shows_declared_rules_as_to_declare(client, call, twin_city, other_lead):
    RuleFactory(call=call, kind=EligibilityRule.Kind.HOURS, minimum=12, position=5)
    client.force_login(other_lead)
    page = text(client.get(call.get_absolute_url()))
    assert (
        "To declare in the application: Commits at least 12 hours a month to the exchange." in page
    )
    assert f"Apply for {twin_city.name}" in page  # to declare is not a failure yet


def test_call_page_continues_an_existing_application(client, call, draft, other_lead):
    client.force_login(other_lead)
    response = client.get(call.get_absolute_url())
    assert "Continue the application" in text(response)
    assert draft.get_absolute_url() in response.content.decode()


def test_call_page_for_a_member_links_the_application_without_apply(
    client, call, draft, twin_member
):
    client.force_login(twin_member)
    page = text(client.get(call.get_absolute_url()))
    assert "Read the city's application" in page
    assert "Apply for" not in page and "Met:" not in page


def test_call_page_for_an_outsider_invites_to_join_a_city(client, call, outsider):
    client.force_login(outsider)
    page = text(client.get(call.get_absolute_url()))
    assert "Join your city" in page and "Apply for" not in page


@pytest.mark.parametrize("who", ["lead", "mentor"])
def test_mission_city_leads_and_mentors_may_offer_to_host(client, call, city, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(call.get_absolute_url())
    assert f"Offer to host as {city.name}" in text(response)
    assert f"{url('offer', call.slug)}?city={city.pk}" in response.content.decode()


def test_a_participating_citys_lead_is_not_offered_to_host(client, call, twin_city, other_lead):
    client.force_login(other_lead)
    assert "Offer to host" not in text(client.get(call.get_absolute_url()))


def test_coordinators_get_the_links_to_run_the_call(client, call, coordinator, other_lead):
    client.force_login(coordinator)
    body = client.get(call.get_absolute_url()).content.decode()
    for name in ("call-edit", "review-list", "matching"):
        assert url(name, call.slug) in body
    client.force_login(other_lead)
    body = client.get(call.get_absolute_url()).content.decode()
    assert url("call-edit", call.slug) not in body and url("matching", call.slug) not in body


def test_invited_reviewers_get_the_review_link_only(client, call, outsider):
    call.reviewers.add(outsider)
    client.force_login(outsider)
    body = client.get(call.get_absolute_url()).content.decode()
    assert url("review-list", call.slug) in body and url("matching", call.slug) not in body


def test_a_draft_call_is_a_404_except_for_coordinators(client, coordinator, other_lead):
    draft_call = CallFactory(status=Call.Status.DRAFT)
    assert client.get(draft_call.get_absolute_url()).status_code == 404
    client.force_login(other_lead)
    assert client.get(draft_call.get_absolute_url()).status_code == 404
    client.force_login(coordinator)
    assert client.get(draft_call.get_absolute_url()).status_code == 200
    assert client.get(url("call", "no-such-call")).status_code == 404


def test_call_page_lists_its_upcoming_study_visits(client, call, city):
    offer = OfferFactory(call=call, city=CityFactory(status=City.Status.PILOT, name="Hostville"))
    visit = EventFactory(
        kind=Event.Kind.STUDY_VISIT, offer=offer, title="Visit the heat network", audience="call"
    )
    EventFactory(
        kind=Event.Kind.STUDY_VISIT,
        offer=offer,
        title="Past visit",
        audience="call",
        starts_at=timezone.now() - dt.timedelta(days=10),
        ends_at=timezone.now() - dt.timedelta(days=9),
    )
    EventFactory(title="Unrelated national event")
    response = client.get(call.get_absolute_url())
    page = text(response)
    assert "Visit the heat network" in page and "hosted by Hostville" in page
    assert reverse("events:event", args=[visit.pk]) in response.content.decode()
    assert "Past visit" not in page and "Unrelated national event" not in page


CALL_QUERIES = {"visitor": 5, "lead": 12}


@pytest.mark.parametrize("who", ["visitor", "lead"])
def test_call_page_query_count_does_not_grow(
    client, call, twin_city, other_lead, who, django_assert_num_queries
):
    if who == "lead":
        client.force_login(other_lead)
        ApplicationFactory(call=call, city=twin_city, status="draft")
    for count in (1, 10):
        add_questions(call)
        CriterionFactory.create_batch(count, call=call)
        for _n in range(count):
            RuleFactory(call=call, kind=EligibilityRule.Kind.POPULATION, minimum=10)
            EventFactory(
                kind=Event.Kind.STUDY_VISIT, offer=OfferFactory(call=call), audience="call"
            )
            ApplicationFactory(call=call)
        cache.clear()
        with django_assert_num_queries(CALL_QUERIES[who]):
            assert client.get(call.get_absolute_url()).status_code == 200


# --- applying ------------------------------------------------------------------------------------


def test_a_lead_applies_and_lands_on_the_application(client, call, twin_city, other_lead):
    client.force_login(other_lead)
    response = client.post(url("apply", call.slug), {"city": twin_city.pk})
    application = Application.objects.get(call=call, city=twin_city)
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert application.status == "draft" and application.created_by == other_lead
    assert "is started" in said(response)


def test_a_second_application_opens_the_existing_one(client, draft, call, twin_city, other_lead):
    client.force_login(other_lead)
    response = client.post(url("apply", call.slug), {"city": twin_city.pk})
    assert response["Location"] == draft.get_absolute_url()
    assert Application.objects.filter(call=call, city=twin_city).count() == 1
    assert "already has an application" in said(response)


def test_applying_again_after_withdrawing_reopens_the_same_row(
    client, draft, call, twin_city, other_lead
):
    draft.status = Application.Status.WITHDRAWN
    draft.save()
    client.force_login(other_lead)
    response = client.post(url("apply", call.slug), {"city": twin_city.pk})
    assert response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.parametrize("forged", ["member-city", "other-city", "missing", "junk", "huge", "zero"])
def test_a_forged_city_in_apply_is_a_404(client, call, city, twin_city, twin_member, lead, forged):
    """The lead of `city` (and member only of another) applies for a city they do not lead."""
    MembershipFactory(city=twin_city, user=lead)
    client.force_login(lead)
    value = {
        "member-city": twin_city.pk,
        "other-city": CityFactory(status=City.Status.PARTICIPATING, target_year=2040).pk,
        "missing": 999_999,
        "junk": "abc",
        "huge": "12345678901234",
        "zero": "0",
    }[forged]
    assert client.post(url("apply", call.slug), {"city": value}).status_code == 404
    assert not Application.objects.exists()


def test_applying_to_a_draft_or_missing_call_is_a_404(client, twin_city, other_lead):
    client.force_login(other_lead)
    draft_call = CallFactory(status=Call.Status.DRAFT)
    assert client.post(url("apply", draft_call.slug), {"city": twin_city.pk}).status_code == 404
    assert client.post(url("apply", "nope"), {"city": twin_city.pk}).status_code == 404


def test_an_ineligible_city_posting_apply_directly_is_refused(client, call, other_city, other_lead):
    client.force_login(other_lead)  # other_city has no target year
    response = client.post(url("apply", call.slug), {"city": other_city.pk})
    assert response["Location"] == call.get_absolute_url()
    assert "Set your target year on the city profile." in said(response)
    assert not Application.objects.exists()


@pytest.mark.parametrize("when", ["before", "after"])
def test_applying_outside_the_window_is_refused(client, call, twin_city, other_lead, when):
    now = timezone.now()
    if when == "before":
        call.opens_at, call.closes_at = now + dt.timedelta(days=1), now + dt.timedelta(days=9)
    else:
        call.opens_at, call.closes_at = now - dt.timedelta(days=9), now - dt.timedelta(seconds=1)
    call.save()
    client.force_login(other_lead)
    response = client.post(url("apply", call.slug), {"city": twin_city.pk})
    assert response.status_code == 302
    assert ("not open for applications yet" if when == "before" else "closed") in said(response)
    assert not Application.objects.exists()


def test_apply_asks_visitors_to_sign_in_and_refuses_get(client, call, twin_city, other_lead):
    response = client.post(url("apply", call.slug), {"city": twin_city.pk})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(other_lead)
    assert client.get(url("apply", call.slug)).status_code == 405


def test_apply_is_rate_limited(client, call, twin_city, other_lead):
    client.force_login(other_lead)
    while hit(f"exchanges.apply:user:{other_lead.pk}", limit=60, period=3600):
        pass
    response = client.post(url("apply", call.slug), {"city": twin_city.pk})
    assert "too often" in said(response)
    assert not Application.objects.exists()


# --- the application: who sees what --------------------------------------------------------------


def test_the_lead_gets_the_form_with_the_time_left(client, draft, questions, other_lead):
    client.force_login(other_lead)
    response = client.get(draft.get_absolute_url())
    body, page = response.content.decode(), text(response)
    assert response.status_code == 200
    assert "12 days 4 hours left ; closes" in page and "(Europe/Brussels)" in page
    closes = timezone.localtime(draft.call.closes_at, BRUSSELS)
    assert closes.strftime("%-d %B %Y %H:%M") in page
    assert f'hx-post="{url("answer", draft.pk)}"' in body
    assert f'name="q{questions["motivation"].pk}"' in body
    assert f'name="q{questions["representatives"].pk}-2-english"' in body
    assert f'formaction="{url("submit", draft.pk)}"' in body
    assert url("withdraw", draft.pk) in body
    # The missing required answers link to their questions.
    assert f'href="#question-{questions["motivation"].pk}"' in body
    assert f'id="question-{questions["motivation"].pk}"' in body


@pytest.mark.parametrize("who", ["twin_member", "coordinator"])
def test_members_and_coordinators_read_the_application_without_a_form(
    client, draft, questions, other_lead, who, request
):
    answer_all(draft, questions, other_lead)
    client.force_login(request.getfixturevalue(who))
    response = client.get(draft.get_absolute_url())
    body, page = response.content.decode(), text(response)
    assert response.status_code == 200
    assert "We want to learn." in page and "Energy systems" in page
    assert "hx-post" not in body and url("submit", draft.pk) not in body
    assert "the city's leads write and submit it" in page


@pytest.mark.parametrize("who", ["lead", "outsider", "mentor"])
def test_anyone_else_gets_a_404_for_every_application_url(client, draft, who, request):
    """The lead (and mentor) of city A can never read or write city B's application."""
    client.force_login(request.getfixturevalue(who))
    before = (draft.status, dict(draft.answers))
    assert client.get(draft.get_absolute_url()).status_code == 404
    for name in ("answer", "submit", "withdraw"):
        assert client.post(url(name, draft.pk), {"asked-1": "1"}).status_code == 404
        assert client.post(url(name, draft.pk), {"asked-1": "1"}, **HTMX).status_code == 404
    draft.refresh_from_db()
    assert (draft.status, draft.answers) == before


def test_a_member_cannot_write_the_application(client, draft, questions, twin_member):
    client.force_login(twin_member)
    q = questions["motivation"]
    for name in ("answer", "submit", "withdraw"):
        response = client.post(url(name, draft.pk), {f"asked-{q.pk}": "1", f"q{q.pk}": "Mine"})
        assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.answers == {} and draft.status == "draft"


@pytest.mark.parametrize("pk", [999_999, 12_345_678_901_234])
def test_a_missing_application_is_the_same_404(client, other_lead, pk):
    client.force_login(other_lead)
    assert client.get(url("application", pk)).status_code == 404
    assert client.post(url("answer", pk), **HTMX).status_code == 404
    assert client.post(url("submit", pk)).status_code == 404


def test_visitors_are_asked_to_sign_in(client, draft):
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(url("answer", draft.pk), **HTMX).status_code == 401


# --- answering -----------------------------------------------------------------------------------


def test_one_question_saved_by_htmx_returns_its_save_line(client, draft, questions, other_lead):
    client.force_login(other_lead)
    q = questions["motivation"]
    response = client.post(
        url("answer", draft.pk),
        {f"asked-{q.pk}": "1", f"q{q.pk}": "  Learn district heating. "},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<p class="save-state"')
    saved_at = timezone.localtime(Application.objects.get().updated, BRUSSELS).strftime("%H:%M")
    assert f"Saved at {saved_at}" in body
    assert 'id="missing-answers"' in body and 'hx-swap-oob="true"' in body
    assert "Question 1 saved." in body
    # The save line carries the answer now saved, for a later save of the whole form.
    assert f'name="was-{q.pk}" value="&quot;Learn district heating.&quot;"' in body
    draft.refresh_from_db()
    assert draft.answers == {str(q.pk): "Learn district heating."}


@pytest.mark.parametrize(
    ("key", "data", "stored"),
    [
        (
            "fields",
            {"q": ["energy-systems", "mobility-transport"]},
            ["energy-systems", "mobility-transport"],
        ),
        ("languages", {"q": ["fr", "en"]}, ["en", "fr"]),
        ("hours", {"q": "16"}, 16),
        ("title", {"q": "Heat"}, "Heat"),
        (
            "representatives",
            {"1-name": "Ana", "1-role": "Energy officer", "1-english": "B2", "2-name": ""},
            [{"name": "Ana", "role": "Energy officer", "english": "B2"}],
        ),
    ],
)
def test_each_kind_of_question_saves_in_its_stored_form(
    client, draft, questions, other_lead, key, data, stored
):
    client.force_login(other_lead)
    q = questions[key]
    post = {f"asked-{q.pk}": "1"}
    for name, value in data.items():
        post[f"q{q.pk}" if name == "q" else f"q{q.pk}-{name}"] = value
    response = client.post(url("answer", draft.pk), post, **HTMX)
    assert "Saved at" in response.content.decode()
    draft.refresh_from_db()
    assert draft.answers[str(q.pk)] == stored


def test_the_structured_answers_follow(client, draft, questions, other_lead):
    client.force_login(other_lead)
    for key, post in (
        ("fields", {"q": ["energy-systems"]}),
        ("languages", {"q": ["de"]}),
        ("hours", {"q": "20"}),
    ):
        q = questions[key]
        client.post(url("answer", draft.pk), {f"asked-{q.pk}": "1", f"q{q.pk}": post["q"]}, **HTMX)
    draft.refresh_from_db()
    assert [t.slug for t in draft.fields.all()] == ["energy-systems"]
    assert draft.languages == ["de"] and draft.hours_per_month == 20


@pytest.mark.parametrize(
    ("key", "value", "error"),
    [
        ("hours", "many", "Give a whole number of hours."),
        ("hours", "500", "less than or equal to 200"),
        ("fields", "not-a-field", "Choose from the list."),
        ("title", "x" * 301, "at most 300 characters"),
    ],
)
def test_a_wrong_answer_says_why_next_to_it_and_is_not_saved(
    client, draft, questions, other_lead, key, value, error
):
    client.force_login(other_lead)
    q = questions[key]
    response = client.post(
        url("answer", draft.pk), {f"asked-{q.pk}": "1", f"q{q.pk}": value}, **HTMX
    )
    body = html.unescape(response.content.decode())
    assert response.status_code == 200 and "save-state error" in body
    assert error in body and "is not saved" in body
    draft.refresh_from_db()
    assert str(q.pk) not in draft.answers


def test_htmx_sends_one_question_at_a_time(client, draft, questions, other_lead):
    client.force_login(other_lead)
    post = {f"asked-{q.pk}": "1" for q in questions.values()}
    assert client.post(url("answer", draft.pk), post, **HTMX).status_code == 400


def test_saving_the_whole_form_saves_only_the_answers_that_changed(
    client, draft, questions, other_lead, twin_city
):
    """Without JavaScript the whole form is sent. A colleague's answer given after the page
    was loaded (motivation) is not put back to what the page showed."""
    colleague = LeadFactory(city=twin_city).user
    client.force_login(other_lead)
    page = client.get(draft.get_absolute_url()).content.decode()
    was = {
        int(pk): html.unescape(value)
        for pk, value in re.findall(r'name="was-(\d+)" value="([^"]*)"', page)
    }
    services.save_answers(draft, {questions["motivation"].pk: "Colleague's text"}, actor=colleague)
    post = {}
    for q in questions.values():
        post[f"asked-{q.pk}"] = "1"
        post[f"was-{q.pk}"] = was[q.pk]
    post[f"q{questions['motivation'].pk}"] = ""  # as loaded
    post[f"q{questions['hours'].pk}"] = "14"  # changed
    response = client.post(url("answer", draft.pk), post)
    assert response.status_code == 302 and "Your answers are saved." in said(response)
    draft.refresh_from_db()
    assert draft.answers[str(questions["motivation"].pk)] == "Colleague's text"
    assert draft.answers[str(questions["hours"].pk)] == 14
    assert str(questions["fields"].pk) not in draft.answers  # unchanged, not written


def test_saving_the_whole_form_with_a_mistake_keeps_what_was_typed(
    client, draft, questions, other_lead
):
    client.force_login(other_lead)
    hours, motivation = questions["hours"], questions["motivation"]
    post = {
        f"asked-{hours.pk}": "1",
        f"q{hours.pk}": "lots",
        f"asked-{motivation.pk}": "1",
        f"q{motivation.pk}": "Typed text",
    }
    response = client.post(url("answer", draft.pk), post)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Give a whole number of hours." in body and 'aria-invalid="true"' in body
    assert 'value="lots"' in body and "Typed text" in body
    draft.refresh_from_db()
    assert draft.answers == {str(motivation.pk): "Typed text"}  # the valid one is kept


def test_saving_nothing_changed_says_so(client, draft, questions, other_lead):
    client.force_login(other_lead)
    response = client.post(url("answer", draft.pk), {})
    assert response.status_code == 302 and "nothing to save" in said(response)


def test_two_leads_answering_different_questions_keep_both(
    client, draft, questions, other_lead, twin_city
):
    colleague = LeadFactory(city=twin_city).user
    motivation, hours = questions["motivation"], questions["hours"]
    client.force_login(other_lead)
    client.post(
        url("answer", draft.pk), {f"asked-{motivation.pk}": "1", f"q{motivation.pk}": "A"}, **HTMX
    )
    client.force_login(colleague)
    client.post(url("answer", draft.pk), {f"asked-{hours.pk}": "1", f"q{hours.pk}": "12"}, **HTMX)
    draft.refresh_from_db()
    assert draft.answers == {str(motivation.pk): "A", str(hours.pk): 12}


def test_answering_is_rate_limited_with_a_429_for_htmx(client, draft, questions, other_lead):
    client.force_login(other_lead)
    while hit(f"exchanges.answer:user:{other_lead.pk}", limit=600, period=3600):
        pass
    q = questions["motivation"]
    response = client.post(url("answer", draft.pk), {f"asked-{q.pk}": "1", f"q{q.pk}": "x"}, **HTMX)
    assert response.status_code == 429


# --- the deadline --------------------------------------------------------------------------------


def test_after_the_deadline_the_page_is_read_only_with_a_message(
    client, draft, questions, other_lead
):
    answer_all(draft, questions, other_lead)
    close(draft.call)
    client.force_login(other_lead)
    response = client.get(draft.get_absolute_url())
    body, page = response.content.decode(), text(response)
    assert "The call closed: applications were taken until" in page
    assert "The call closed; the application can no longer be changed." in page
    assert "hx-post" not in body and url("submit", draft.pk) not in body
    assert "We want to learn." in page


def test_replaying_a_saved_form_after_closing_is_refused_and_shows_it_back(
    client, draft, questions, other_lead
):
    client.force_login(other_lead)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "hx-post" in page  # the form was loaded while open
    close(draft.call)
    q = questions["motivation"]
    post = {f"asked-{q.pk}": "1", f"q{q.pk}": "Typed after the deadline"}
    response = client.post(url("answer", draft.pk), post)
    assert response.status_code == 409
    assert "This call closed for applications; nothing can be changed now." in text(response)
    assert "Typed after the deadline" in response.content.decode()
    response = client.post(url("answer", draft.pk), post, **HTMX)
    assert "This call closed for applications" in response.content.decode()
    response = client.post(url("submit", draft.pk), post)
    assert response.status_code == 409 and "Typed after the deadline" in response.content.decode()
    response = client.post(url("withdraw", draft.pk))
    assert "This call closed" in said(response)
    draft.refresh_from_db()
    assert draft.answers == {} and draft.status == "draft"


@pytest.mark.parametrize(("offset", "saved"), [(-1, True), (1, False)])
def test_one_second_before_and_after_closing_in_another_zone(
    client, draft, questions, other_lead, monkeypatch, offset, saved
):
    """The call closes at 23:59:59 New York time; the clock is frozen one second before and
    after (the server compares in UTC)."""
    call = draft.call
    call.time_zone = "America/New_York"
    closes = dt.datetime(2031, 5, 31, 23, 59, 59, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    call.opens_at, call.closes_at = closes - dt.timedelta(days=30), closes
    call.save()
    frozen = closes + dt.timedelta(seconds=offset)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    client.force_login(other_lead)
    q = questions["motivation"]
    client.post(url("answer", draft.pk), {f"asked-{q.pk}": "1", f"q{q.pk}": "On time?"}, **HTMX)
    draft.refresh_from_db()
    assert (draft.answers.get(str(q.pk)) == "On time?") is saved
    page = text(client.get(draft.get_absolute_url()))
    if saved:
        assert "less than a minute left" in page
        assert "In the call's time zone" not in page or "EDT (America/New_York)" in page
    else:
        assert "The call closed" in page


def test_an_upcoming_call_does_not_take_answers_yet(client, draft, questions, other_lead):
    call = draft.call
    call.opens_at = timezone.now() + dt.timedelta(days=1)
    call.closes_at = call.opens_at + dt.timedelta(days=10)
    call.save()
    client.force_login(other_lead)
    page = text(client.get(draft.get_absolute_url()))
    assert "The call is not open yet" in page and "Applications open" in page
    q = questions["motivation"]
    response = client.post(url("answer", draft.pk), {f"asked-{q.pk}": "1", f"q{q.pk}": "Early"})
    assert "not open for applications yet" in text(response)
    draft.refresh_from_db()
    assert draft.answers == {}


def test_an_archived_calls_application_is_read_only(client, draft, questions, other_lead):
    draft.call.status = Call.Status.ARCHIVED
    draft.call.save()
    client.force_login(other_lead)
    response = client.get(draft.get_absolute_url())
    page = text(response)
    assert "This call is not open for applications." in page and "left" not in page
    assert "hx-post" not in response.content.decode()


# --- submitting and withdrawing ------------------------------------------------------------------


def test_submitting_with_missing_answers_names_them(client, draft, questions, other_lead):
    client.force_login(other_lead)
    response = client.post(url("submit", draft.pk))
    assert response.status_code == 302
    assert "Answer these questions first: “About motivation”; “About fields”." in said(response)
    draft.refresh_from_db()
    assert draft.status == "draft"
    page = text(client.get(draft.get_absolute_url()))
    assert "Still to answer These required questions have no answer yet: About motivation" in page


def test_submitting_sends_the_confirmation(
    client, draft, questions, other_lead, twin_city, django_capture_on_commit_callbacks
):
    second_lead = LeadFactory(city=twin_city).user
    answer_all(draft, questions, other_lead)
    client.force_login(other_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("submit", draft.pk))
    assert response["Location"] == draft.get_absolute_url()
    assert "The application is submitted" in said(response)
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.submitted_at is not None
    notified = Notification.objects.filter(kind="exchanges.application.submitted")
    assert {n.user for n in notified} == {other_lead, second_lead}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([other_lead.email, second_lead.email])
    assert "Application submitted: Twinning 2027" in mail.outbox[0].subject


def test_submitting_without_javascript_saves_what_was_typed_first(
    client, draft, questions, other_lead
):
    client.force_login(other_lead)
    motivation, fields = questions["motivation"], questions["fields"]
    post = {
        f"asked-{motivation.pk}": "1",
        f"q{motivation.pk}": "Typed, then submitted",
        f"asked-{fields.pk}": "1",
        f"q{fields.pk}": ["energy-systems"],
    }
    response = client.post(url("submit", draft.pk), post)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert draft.answers[str(motivation.pk)] == "Typed, then submitted"


def test_an_ineligible_city_posting_submit_directly_is_refused(
    client, draft, questions, other_lead, twin_city
):
    answer_all(draft, questions, other_lead)
    twin_city.target_year = 2060  # changed since the application was started
    twin_city.save()
    client.force_login(other_lead)
    response = client.post(url("submit", draft.pk))
    assert f"{twin_city.name}'s target year is 2060." in said(response)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_declared_commitments_are_checked_on_the_page_and_on_submit(
    client, draft, questions, other_lead
):
    RuleFactory(call=draft.call, kind=EligibilityRule.Kind.HOURS, minimum=12, position=9)
    answer_all(draft, questions, other_lead)
    client.force_login(other_lead)
    page = text(client.get(draft.get_absolute_url()))
    assert "To declare in the application: Commits at least 12 hours a month" in page
    services.save_answers(draft, {questions["hours"].pk: 8}, actor=other_lead)
    page = text(client.get(draft.get_absolute_url()))
    assert "Not met: Commits at least 12 hours a month to the exchange." in page
    assert "The application declares 8 hours a month." in page
    response = client.post(url("submit", draft.pk))
    assert "The exchange needs at least 12 hours a month." in said(response)
    services.save_answers(draft, {questions["hours"].pk: 12}, actor=other_lead)
    client.post(url("submit", draft.pk))
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_a_submitted_application_can_be_changed_until_the_deadline(
    client, draft, questions, other_lead
):
    answer_all(draft, questions, other_lead)
    services.submit_application(draft, actor=other_lead)
    client.force_login(other_lead)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "hx-post" in page and url("submit", draft.pk) not in page
    q = questions["motivation"]
    client.post(url("answer", draft.pk), {f"asked-{q.pk}": "1", f"q{q.pk}": "Better"}, **HTMX)
    draft.refresh_from_db()
    assert draft.answers[str(q.pk)] == "Better" and draft.status == "submitted"


def test_withdrawing(client, draft, other_lead):
    client.force_login(other_lead)
    response = client.post(url("withdraw", draft.pk))
    assert "The application is withdrawn." in said(response)
    draft.refresh_from_db()
    assert draft.status == "withdrawn"
    page = text(client.get(draft.get_absolute_url()))
    assert "This application is withdrawn; it can no longer be changed." in page


def test_a_decided_application_is_read_only_and_cannot_be_withdrawn(
    client, draft, questions, other_lead
):
    draft.status = Application.Status.ACCEPTED
    draft.save()
    client.force_login(other_lead)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "hx-post" not in page and "This application is accepted" in text(
        client.get(draft.get_absolute_url())
    )
    response = client.post(url("withdraw", draft.pk))
    assert "cannot be withdrawn" in said(response)
    q = questions["motivation"]
    response = client.post(url("answer", draft.pk), {f"asked-{q.pk}": "1", f"q{q.pk}": "x"})
    assert response.status_code == 409 and "can no longer be changed" in text(response)


APPLICATION_QUERIES = 9


def test_application_page_query_count_does_not_grow(
    client, draft, other_lead, django_assert_num_queries
):
    client.force_login(other_lead)
    call = draft.call
    for count in (1, 10):
        for _n in range(count):
            extra = add_questions(call)
            answer_all(draft, extra, other_lead)
            RuleFactory(call=call, kind=EligibilityRule.Kind.HOURS, minimum=5)
            ApplicationFactory(call=call)
        cache.clear()
        with django_assert_num_queries(APPLICATION_QUERIES):
            assert client.get(draft.get_absolute_url()).status_code == 200


# --- my applications -----------------------------------------------------------------------------


def test_mine_lists_my_cities_applications_and_published_pairs(
    client, draft, twin_city, twin_member, call
):
    elsewhere = ApplicationFactory(call=call)  # another city's
    pair = PairFactory(
        call=CallFactory(title="Twinning 2026"),
        application__city=twin_city,
        offer__city=CityFactory(status=City.Status.PILOT, name="Hostville"),
    )
    PairFactory(application__city=twin_city, status="proposed", offer__city__name="Secretville")
    client.force_login(twin_member)
    response = client.get(MINE)
    page, body = text(response), response.content.decode()
    assert "Twinning 2027" in page and draft.get_absolute_url() in body
    assert elsewhere.get_absolute_url() not in body
    assert f"{twin_city.name} and Hostville" in page and pair.get_absolute_url() in body
    assert "Secretville" not in page


def test_mine_for_someone_without_a_city(client, outsider):
    client.force_login(outsider)
    assert "You are not a member of a city yet" in text(client.get(MINE))


def test_mine_query_count_does_not_grow(client, twin_city, other_lead, django_assert_num_queries):
    client.force_login(other_lead)
    for count in (1, 10):
        for _n in range(count):
            ApplicationFactory(city=twin_city)
            PairFactory(application__city=twin_city)
        cache.clear()
        with django_assert_num_queries(7):
            assert client.get(MINE).status_code == 200

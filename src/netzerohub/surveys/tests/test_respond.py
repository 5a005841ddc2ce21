"""Answering a survey over the web: the list, a survey's page and starting (per city, per
person, several cities), the section page with every kind of question, the autosave of one
answer and the section sent without JavaScript, bad input (each a message, nothing lost, never a
500), the city boundary, the review and the submission, the read-only answers, the city card,
and pinned query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from netzerohub.cities.models import City
from netzerohub.cities.tests.factories import CityFactory, MembershipFactory
from netzerohub.surveys import answering, services
from netzerohub.surveys.models import Answer, Question, Response, Survey

from .factories import SectionFactory, SurveyFactory, question, sample_survey

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def q(survey: Survey, key: str) -> Question:
    return Question.objects.get(survey=survey, key=key)


def oid(survey: Survey, key: str, label: str) -> int:
    return q(survey, key).options.get(label=label).pk


def answer_url(response: Response, question_: Question) -> str:
    return reverse("surveys:answer", args=[response.pk, question_.pk])


def section_url(response: Response, title: str) -> str:
    section = response.survey.sections.get(title=title)
    return reverse("surveys:section", args=[response.pk, section.pk])


def post_answer(client, response, question_, data, **extra):
    """An htmx autosave of one question (its fields carry the question's prefix)."""
    named = {f"q{question_.pk}-{name}": value for name, value in data.items()}
    return client.post(answer_url(response, question_), named, **{**HTMX, **extra})


def stored(response: Response, key: str) -> Answer | None:
    return answering.load_answers(response).get(q(response.survey, key).pk)


def chosen(response: Response, key: str) -> dict[int, int | None]:
    found = stored(response, key)
    return {s.option_id: s.value for s in found.chosen} if found else {}


@pytest.fixture
def survey():
    return sample_survey()


@pytest.fixture
def response(survey, city, member):
    return services.start_response(survey, actor=member, city=city)


# --- the list and a survey's page --------------------------------------------------------------


def test_list_shows_open_surveys_with_time_and_closing_then_closed_ones(client, survey, member):
    closed = SurveyFactory(
        title="Last year’s survey",
        opens_at=timezone.now() - dt.timedelta(days=400),
        closes_at=timezone.now() - dt.timedelta(days=300),
    )
    SurveyFactory(title="A draft", status=Survey.Status.DRAFT)
    client.force_login(member)
    page = client.get(reverse("surveys:list"))
    text = page.content.decode()
    assert page.status_code == 200
    minutes = answering.estimated_minutes(answering.structure(survey.pk))
    assert f"about {minutes} minutes" in text
    assert answering.moment(survey, survey.closes_at) in text
    assert text.index(survey.title) < text.index("Closed surveys") < text.index(closed.title)
    assert "A draft" not in text
    assert "Not started" in text


def test_list_shows_where_the_city_response_stands(client, survey, response, member, lead):
    post_answer(client_for(client, member), response, q(survey, "staff"), {"value": "3"})
    text = client.get(reverse("surveys:list")).content.decode()
    state = answering.state_of(answering.structure(survey.pk), response)
    assert f"{state.percent} % answered" in text
    Response.objects.filter(pk=response.pk).update(status="submitted", submitted_at=timezone.now())
    assert "Submitted on" in client.get(reverse("surveys:list")).content.decode()


def client_for(client, user):
    client.force_login(user)
    return client


def test_survey_page_for_a_visitor_asks_to_sign_in(client, survey):
    page = client.get(survey.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert "Tell us what your city needs." in text  # the introduction, as Markdown
    assert "Sign in</a> to answer" in text
    assert answering.moment(survey, survey.closes_at) in text


def test_a_draft_is_not_found_except_for_coordinators(client, member, coordinator):
    draft = sample_survey(status=Survey.Status.DRAFT)
    assert client_for(client, member).get(draft.get_absolute_url()).status_code == 404
    page = client_for(client, coordinator).get(draft.get_absolute_url())
    assert page.status_code == 200
    assert "This survey is not published." in page.content.decode()


def test_people_outside_the_audience_are_told_why(client, survey, outsider, other_city):
    text = client_for(client, outsider).get(survey.get_absolute_url()).content.decode()
    assert "Join your city" in text
    assert "<button" not in text.split('id="answer"')[1].split("</main>")[0]
    only_pilots = sample_survey(audience=Survey.Audience.STATUSES, city_statuses=["pilot"])
    participant = MembershipFactory(city=other_city).user
    text = client_for(client, participant).get(only_pilots.get_absolute_url()).content.decode()
    assert "Your cities are not among them" in text
    assert other_city.name in text


def test_closed_and_not_yet_open_surveys_say_so_and_refuse_to_start(client, city, member):
    closed = sample_survey(
        opens_at=timezone.now() - dt.timedelta(days=10),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    soon = sample_survey(
        opens_at=timezone.now() + dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=10),
    )
    client.force_login(member)
    for survey_, words in [(closed, "This survey closed on"), (soon, "This survey opens on")]:
        text = client.get(survey_.get_absolute_url()).content.decode()
        assert words in text
        assert ">Start" not in text
        page = client.post(survey_.get_absolute_url(), {"city": city.pk}, follow=True)
        assert words in page.content.decode()
        assert not Response.objects.filter(survey=survey_).exists()


def test_starting_goes_to_the_first_section_and_a_colleague_continues_the_same(
    client, survey, city, member, lead
):
    page = client_for(client, member).post(survey.get_absolute_url(), {"city": city.pk})
    response = Response.objects.get(survey=survey)
    assert page.url == section_url(response, "Profile")
    page = client_for(client, lead).post(survey.get_absolute_url(), {"city": city.pk}, follow=True)
    assert Response.objects.filter(survey=survey).count() == 1
    assert page.redirect_chain[-1][0] == section_url(response, "Profile")
    assert "answers this survey once, together" in page.content.decode()


def test_continue_resumes_at_the_first_unfinished_section(client, survey, city, member, response):
    for key, data in [
        ("plan", {"option": oid(survey, "plan", "No")}),
        ("formats", {"option": oid(survey, "formats", "Training")}),
        ("staff", {"value": "4"}),
        ("department", {"text": "Climate"}),
    ]:
        services.save_answer(
            response, q(survey, key), {k: str(v) for k, v in data.items()}, actor=member
        )
    page = client_for(client, member).post(survey.get_absolute_url(), {"city": city.pk})
    assert page.url == section_url(response, "Needs")


def test_a_member_of_two_cities_chooses_and_cannot_start_for_another_city(
    client, survey, city, member, other_city
):
    MembershipFactory(city=other_city, user=member)
    client.force_login(member)
    text = client.get(survey.get_absolute_url()).content.decode()
    assert text.count('name="city"') == 2
    stranger = CityFactory(status=City.Status.MISSION)
    page = client.post(survey.get_absolute_url(), {"city": stranger.pk}, follow=True)
    assert "Choose one of your cities." in page.content.decode()
    page = client.post(survey.get_absolute_url(), {"city": "not-a-number"}, follow=True)
    assert page.status_code == 200
    assert not Response.objects.filter(survey=survey).exists()
    client.post(survey.get_absolute_url(), {"city": other_city.pk})
    assert Response.objects.get(survey=survey).city == other_city


def test_a_survey_per_person_gives_each_their_own_response(client, city, member, lead):
    survey = sample_survey(respondent=Survey.Respondent.PERSON)
    client_for(client, member).post(survey.get_absolute_url())
    mine = Response.objects.get(survey=survey, person=member)
    client_for(client, lead).post(survey.get_absolute_url())
    theirs = Response.objects.get(survey=survey, person=lead)
    assert mine.pk != theirs.pk and mine.city is None
    # A colleague of the same city does not see another person's response.
    assert client.get(section_url(mine, "Profile")).status_code == 404
    # Per person, the respondent submits their own.
    review = client_for(client, member).get(reverse("surveys:review", args=[mine.pk]))
    assert "Submit the response" in review.content.decode()


# --- the section page ------------------------------------------------------------------------


def test_section_pages_render_every_kind_with_labels(client, survey, response, member):
    client.force_login(member)
    profile = client.get(section_url(response, "Profile")).content.decode()
    plan, formats, staff = q(survey, "plan"), q(survey, "formats"), q(survey, "staff")
    assert f'type="radio" name="q{plan.pk}-option"' in profile
    assert f'name="q{plan.pk}-other"' in profile  # "Other" with its text
    assert f'type="checkbox" name="q{formats.pk}-option"' in profile
    assert f'name="q{staff.pk}-value"' in profile
    assert 'maxlength="300"' in profile  # the short text
    assert "Describe the plan" not in profile  # conditional: not shown yet
    assert 'id="slot-plan-text"' in profile  # ... but its place is there
    needs = client.get(section_url(response, "Needs")).content.decode()
    capacity, rank = q(survey, "capacity"), q(survey, "rank")
    data = capacity.options.get(label="Data")
    assert f'name="q{capacity.pk}-row-{data.pk}"' in needs
    assert "Data: 3 of 5</label>" in needs  # every matrix radio names its row and value
    webinars = rank.options.get(label="Webinars")
    assert f'<select name="q{rank.pk}-rank-{webinars.pk}"' in needs
    assert "not ranked" in needs
    assert "Energy systems" in needs  # the fields picker's options are the taxonomy's
    assert needs.count("<fieldset") == 5
    assert 'hx-post="' in needs


def test_a_shown_conditional_question_has_a_character_count(client, survey, response, member):
    plan = q(survey, "plan")
    services.save_answer(
        response, plan, {"option": [str(oid(survey, "plan", "Yes"))]}, actor=member
    )
    page = client_for(client, member).get(section_url(response, "Profile")).content.decode()
    assert "Describe the plan" in page
    assert 'maxlength="5000"' in page
    assert "0 of 5000 characters" in page


def test_the_section_page_shows_who_saved_an_answer(client, survey, response, member, lead):
    services.save_answer(response, q(survey, "staff"), {"value": "7"}, actor=lead)
    page = client_for(client, member).get(section_url(response, "Profile")).content.decode()
    assert "by Lea Lead" in page
    assert 'value="7"' in page


# --- autosave of one answer, each kind ------------------------------------------------------------


def test_each_kind_is_saved_by_autosave(client, survey, response, member):
    client.force_login(member)
    fields = q(survey, "fields")
    energy = fields.options.get(label="Energy systems").pk
    capacity, rank = q(survey, "capacity"), q(survey, "rank")
    rows = {f"row-{o.pk}": str(n) for n, o in enumerate(capacity.options.all(), start=3)}
    ranks = {f"rank-{o.pk}": str(n) for n, o in enumerate(rank.options.all(), start=1)}
    cases = [
        ("plan", {"option": "other", "other": "A draft plan"}),
        (
            "formats",
            {"option": [oid(survey, "formats", "Twinning"), oid(survey, "formats", "Training")]},
        ),
        ("staff", {"value": "12,5"}),
        ("department", {"text": "Climate unit"}),
        ("urgency", {"value": "4"}),
        ("capacity", rows),
        ("rank", ranks),
        ("fields", {"option": energy}),
    ]
    for key, data in cases:
        page = post_answer(client, response, q(survey, key), data)
        assert page.status_code == 200, key
        assert "Saved" in page.content.decode(), (key, page.content.decode()[:300])
    assert stored(response, "plan").text == "A draft plan"
    assert set(chosen(response, "formats")) == {
        oid(survey, "formats", "Twinning"),
        oid(survey, "formats", "Training"),
    }
    assert stored(response, "staff").number == Decimal("12.50")
    assert stored(response, "department").text == "Climate unit"
    assert stored(response, "urgency").number == 4
    assert sorted(chosen(response, "capacity").values()) == [3, 4, 5]
    assert sorted(chosen(response, "rank").values()) == [1, 2, 3]
    assert chosen(response, "fields") == {energy: None}
    # The answer's status line and the progress come back; the progress out of band.
    page = post_answer(client, response, q(survey, "levers"), {})
    text = page.content.decode()
    assert 'id="status-levers"' in text
    assert 'id="survey-progress" class="progress-line" hx-swap-oob="true"' in text
    assert 'id="section-nav"' in text


def test_unticking_every_box_clears_the_answer(client, survey, response, member):
    formats = q(survey, "formats")
    post_answer(
        client_for(client, member),
        response,
        formats,
        {"option": oid(survey, "formats", "Twinning")},
    )
    post_answer(client, response, formats, {})
    assert stored(response, "formats") is None


def test_long_text_is_saved_while_typing(client, survey, response, member):
    plan = q(survey, "plan")
    services.save_answer(
        response, plan, {"option": [str(oid(survey, "plan", "Yes"))]}, actor=member
    )
    page = post_answer(
        client_for(client, member), response, q(survey, "plan-text"), {"text": "Our plan…"}
    )
    assert page.status_code == 200
    assert stored(response, "plan-text").text == "Our plan…"


# --- conditional questions appear and disappear -----------------------------------------------


def test_a_choice_shows_and_hides_its_dependent_question(client, survey, response, member):
    client.force_login(member)
    plan = q(survey, "plan")
    page = post_answer(
        client, response, plan, {"option": oid(survey, "plan", "Yes")}
    ).content.decode()
    assert 'id="slot-plan-text" class="question-slot" hx-swap-oob="true"' in page
    assert "Describe the plan" in page
    assert "A further question is shown below" in page
    page = post_answer(client, response, q(survey, "plan-text"), {"text": "Ambitious"})
    assert stored(response, "plan-text").text == "Ambitious"
    page = post_answer(
        client, response, plan, {"option": oid(survey, "plan", "No")}
    ).content.decode()
    slot = page.split('id="slot-plan-text"')[1].split("</div>")[0]
    assert "<fieldset" not in slot  # gone from the page
    # Unchanged visibility: no slot is swapped.
    page = post_answer(
        client, response, plan, {"option": oid(survey, "plan", "No")}
    ).content.decode()
    assert "slot-plan-text" not in page


# --- bad input over the web -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "data", "message"),
    [
        ("plan", {"option": "OTHER-Q"}, "not one of this question"),
        ("plan", {"option": "nonsense"}, "not one of this question"),
        ("plan", {"option": "other", "other": ""}, "say what it is"),
        ("urgency", {"value": "9"}, "Choose a value from 1 to 5"),
        ("staff", {"value": "-3"}, "or more"),
        ("staff", {"value": "lots"}, "Enter a number"),
        ("department", {"text": "x" * 301}, "Keep this answer to 300 characters"),
        ("rank", {"rank-ALL": "1"}, "without gaps"),
        ("capacity", {"row-FOREIGN": "2"}, "not one of this question"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    client, survey, response, member, key, data, message
):
    foreign = q(survey, "formats").options.first().pk
    rank = q(survey, "rank")
    data = {
        name.replace("FOREIGN", str(foreign)): str(value).replace("OTHER-Q", str(foreign))
        for name, value in data.items()
    }
    if "rank-ALL" in data:  # two items on the same place
        data = {f"rank-{o.pk}": "1" for o in rank.options.all()}
    page = post_answer(client_for(client, member), response, q(survey, key), data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Not saved:" in text and message in text
    assert stored(response, key) is None


def test_an_answer_to_a_hidden_question_is_refused(client, survey, response, member):
    page = post_answer(
        client_for(client, member), response, q(survey, "plan-text"), {"text": "Sneaky"}
    )
    assert page.status_code == 200
    assert "applies only after a particular answer" in page.content.decode()
    assert stored(response, "plan-text") is None


def test_a_question_hidden_by_the_builder_is_refused(client, survey, response, member, coordinator):
    staff = services.set_hidden(q(survey, "staff"), True, actor=coordinator)
    page = post_answer(client_for(client, member), response, staff, {"value": "3"})
    assert "no longer asked" in page.content.decode()
    assert stored(response, "staff") is None


def test_a_question_of_another_survey_is_not_found(client, response, member):
    stranger = sample_survey()
    page = post_answer(client_for(client, member), response, q(stranger, "staff"), {"value": "3"})
    assert page.status_code == 404


def test_answers_to_a_closed_or_not_yet_open_survey_are_refused(client, survey, response, member):
    client.force_login(member)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    page = post_answer(client, response, q(survey, "staff"), {"value": "3"})
    assert page.status_code == 200
    assert "This survey closed on" in page.content.decode()
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=timezone.now() + dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=2),
    )
    page = post_answer(client, response, q(survey, "staff"), {"value": "3"})
    assert "This survey opens on" in page.content.decode()
    assert stored(response, "staff") is None


def test_without_htmx_a_refused_answer_comes_back_as_a_message(client, survey, response, member):
    staff = q(survey, "staff")
    page = client_for(client, member).post(
        answer_url(response, staff), {f"q{staff.pk}-value": "lots"}, follow=True
    )
    assert page.status_code == 200
    assert "Enter a number" in page.content.decode()


def test_a_signed_out_autosave_gets_401_not_the_sign_in_page(client, survey, response):
    page = post_answer(client, response, q(survey, "staff"), {"value": "3"})
    assert page.status_code == 401


def test_a_submitted_response_refuses_answers(client, survey, response, member, lead):
    services.save_answer(
        response, q(survey, "plan"), {"option": [str(oid(survey, "plan", "No"))]}, actor=lead
    )
    services.submit_response(response, actor=lead)
    page = post_answer(client_for(client, member), response, q(survey, "staff"), {"value": "3"})
    assert page.status_code == 200
    assert "was submitted on" in page.content.decode()
    # The section page goes to the answers, read-only.
    assert client.get(section_url(response, "Profile")).url == reverse(
        "surveys:response", args=[response.pk]
    )


# --- the city boundary ------------------------------------------------------------------------


def test_another_citys_response_is_the_same_404_as_a_missing_one(
    client, survey, response, other_lead, coordinator
):
    client.force_login(other_lead)
    plan = q(survey, "plan")
    missing = response.pk + 1000
    urls = [
        (
            reverse("surveys:section", args=[response.pk, plan.section_id]),
            reverse("surveys:section", args=[missing, plan.section_id]),
        ),
        (reverse("surveys:review", args=[response.pk]), reverse("surveys:review", args=[missing])),
        (
            reverse("surveys:response", args=[response.pk]),
            reverse("surveys:response", args=[missing]),
        ),
    ]
    for theirs, nothing in urls:
        assert client.get(theirs).status_code == client.get(nothing).status_code == 404
    assert post_answer(client, response, plan, {"option": "other", "other": "x"}).status_code == 404
    assert client.post(reverse("surveys:submit", args=[response.pk])).status_code == 404
    assert stored(response, "plan") is None
    # A coordinator reads the response but answers nothing.
    client.force_login(coordinator)
    assert client.get(reverse("surveys:response", args=[response.pk])).status_code == 200
    assert post_answer(client, response, plan, {"option": "other", "other": "x"}).status_code == 404


# --- a section sent without JavaScript ---------------------------------------------------------


def _section_post(page, changes: dict[str, object]) -> dict[str, object]:
    """What the browser sends for the section page `page` (its was- fields and its inputs as
    rendered), with `changes` applied."""
    data: dict[str, object] = {}
    for row in page.context["rows"]:
        if row["shown"]:
            data[f"was-q{row['question'].pk}"] = row["was"]
    data.update(changes)
    return data


def test_a_section_sent_without_javascript_saves_only_what_changed(
    client, survey, response, member, lead
):
    staff, department = q(survey, "staff"), q(survey, "department")
    services.save_answer(response, staff, {"value": "3"}, actor=member)
    client.force_login(member)
    page = client.get(section_url(response, "Profile"))
    # Meanwhile a colleague answers two questions (one of them the member leaves as it was).
    services.save_answer(response, staff, {"value": "9"}, actor=lead)
    services.save_answer(response, department, {"text": "Energy office"}, actor=lead)
    sent = _section_post(
        page,
        {
            f"q{staff.pk}-value": "3",  # as it was rendered: not changed here
            f"q{department.pk}-text": "",  # rendered empty, left empty
            f"q{q(survey, 'plan').pk}-option": str(oid(survey, "plan", "No")),  # the change
            "next": "1",
        },
    )
    result = client.post(section_url(response, "Profile"), sent)
    assert result.status_code == 302
    assert result.url == section_url(response, "Needs")
    assert stored(response, "staff").number == 9  # the colleague's
    assert stored(response, "department").text == "Energy office"
    assert chosen(response, "plan") == {oid(survey, "plan", "No"): None}
    assert stored(response, "plan").answered_by == member


def test_a_section_with_a_bad_answer_saves_nothing_and_keeps_what_was_typed(
    client, survey, response, member
):
    staff, department = q(survey, "staff"), q(survey, "department")
    client.force_login(member)
    page = client.get(section_url(response, "Profile"))
    sent = _section_post(page, {f"q{staff.pk}-value": "lots", f"q{department.pk}-text": "Typed"})
    result = client.post(section_url(response, "Profile"), sent)
    text = result.content.decode()
    assert result.status_code == 200
    assert "Nothing was saved" in text
    assert "Not saved: Enter a number" in text
    assert 'value="lots"' in text and 'value="Typed"' in text
    assert stored(response, "department") is None


def test_a_section_sent_with_a_hidden_question_ignores_it(client, survey, response, member):
    """The dependent question was on the page (plan was Yes) and its text changed, but the
    same page now answers No: the dependent is not saved, and the rest is."""
    plan = q(survey, "plan")
    services.save_answer(
        response, plan, {"option": [str(oid(survey, "plan", "Yes"))]}, actor=member
    )
    client.force_login(member)
    page = client.get(section_url(response, "Profile"))
    sent = _section_post(
        page,
        {
            f"q{plan.pk}-option": str(oid(survey, "plan", "No")),
            f"q{q(survey, 'plan-text').pk}-text": "Will be dropped",
        },
    )
    assert client.post(section_url(response, "Profile"), sent).status_code == 302
    assert chosen(response, "plan") == {oid(survey, "plan", "No"): None}
    assert stored(response, "plan-text") is None


def test_a_section_sent_after_closing_is_refused_with_the_message(client, survey, response, member):
    client.force_login(member)
    page = client.get(section_url(response, "Profile"))
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    sent = _section_post(page, {f"q{q(survey, 'staff').pk}-value": "4"})
    result = client.post(section_url(response, "Profile"), sent, follow=True)
    assert "This survey closed on" in result.content.decode()
    assert stored(response, "staff") is None


def test_an_unknown_section_is_not_found(client, response, member):
    client.force_login(member)
    other = SectionFactory()
    assert client.get(reverse("surveys:section", args=[response.pk, other.pk])).status_code == 404


# --- review, submission, the answers read-only ------------------------------------------------


def test_review_lists_missing_answers_with_links_and_the_leads(client, survey, response, member):
    client.force_login(member)
    page = client.get(reverse("surveys:review", args=[response.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert f'href="{section_url(response, "Profile")}#q-plan"' in text
    assert "Your city lead submits" in text
    assert "Submit the response" not in text


def test_the_lead_submits_and_lands_on_the_answers(client, survey, response, member, lead):
    services.save_answer(
        response, q(survey, "plan"), {"option": "other", "other": "Draft"}, actor=member
    )
    client.force_login(lead)
    review = client.get(reverse("surveys:review", args=[response.pk])).content.decode()
    assert "Submit the response" in review
    assert "Other: Draft" in review  # the summary
    page = client.post(reverse("surveys:submit", args=[response.pk]), follow=True)
    assert page.redirect_chain[-1][0] == reverse("surveys:response", args=[response.pk])
    text = page.content.decode()
    assert "the response is submitted" in text
    assert "Other: Draft" in text
    response.refresh_from_db()
    assert response.is_submitted and response.submitted_by == lead
    again = client.post(reverse("surveys:submit", args=[response.pk]), follow=True)
    assert "already submitted" in again.content.decode()


def test_submitting_with_missing_answers_lists_them(client, survey, response, lead):
    page = client_for(client, lead).post(reverse("surveys:submit", args=[response.pk]), follow=True)
    text = page.content.decode()
    assert "One required question is not answered yet." in text
    assert page.redirect_chain[-1][0].endswith("#missing")
    assert "#q-plan" in text
    assert not Response.objects.get(pk=response.pk).is_submitted


def test_a_member_may_not_submit(client, survey, response, member):
    services.save_answer(
        response, q(survey, "plan"), {"option": "other", "other": "x"}, actor=member
    )
    assert (
        client_for(client, member).post(reverse("surveys:submit", args=[response.pk])).status_code
        == 404
    )
    assert not Response.objects.get(pk=response.pk).is_submitted


def test_after_closing_submitting_is_refused_and_answers_stay_readable(
    client, survey, response, member, lead
):
    services.save_answer(
        response, q(survey, "plan"), {"option": "other", "other": "Kept"}, actor=member
    )
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(lead)
    page = client.post(reverse("surveys:submit", args=[response.pk]), follow=True)
    text = page.content.decode()
    assert "This survey closed on" in text
    assert "Submit the response" not in text
    assert not Response.objects.get(pk=response.pk).is_submitted
    readable = client.get(reverse("surveys:response", args=[response.pk])).content.decode()
    assert "Other: Kept" in readable
    section = client.get(section_url(response, "Profile")).content.decode()
    assert "This survey closed on" in section
    assert "disabled" in section and "hx-post" not in section


# --- the city card ----------------------------------------------------------------------------


def test_the_city_card_shows_open_surveys_and_the_response_state(
    client, survey, city, lead, response
):
    services.save_answer(response, q(survey, "staff"), {"value": "3"}, actor=lead)
    page = client_for(client, lead).get(reverse("cities:my-city", args=[city.pk])).content.decode()
    assert survey.title in page
    assert "The city's response:" in page
    state = answering.state_of(answering.structure(survey.pk), response)
    assert f"{state.percent} % answered" in page


def test_the_city_card_query_count_does_not_grow(city, lead, django_assert_num_queries):
    from netzerohub.surveys.panels import city_panel

    surveys = [sample_survey() for _ in range(3)]
    for survey_ in surveys:
        response_ = services.start_response(survey_, actor=lead, city=city)
        services.save_answer(response_, q(survey_, "staff"), {"value": "3"}, actor=lead)
        answering.structure(survey_.pk)
    with django_assert_num_queries(CARD_QUERIES):
        panel = city_panel(city, lead)
    assert len(panel["rows"]) == 3


# --- query counts -------------------------------------------------------------------------------

CARD_QUERIES = 5  # open surveys, memberships, the responses, their answers and selections
# The person, the response, their memberships, then: the answers and their selections (section,
# review; the review also names the city's leads); the response locked, the options chosen, the
# answer written, the audit entry and the state read again (answer); the surveys, the person's
# responses and their answers (list).
QUERIES = {"section": 6, "review": 6, "answer": 16, "list": 7, "survey": 7}


@pytest.fixture(params=["small", "large"])
def answered(request, survey, response, member, lead):
    """The sample response with one answer (small), or every question of both sections
    answered and eight more questions in another section (large)."""
    services.save_answer(response, q(survey, "plan"), {"option": "other", "other": "x"}, actor=lead)
    if request.param == "large":
        extra = SectionFactory(survey=survey, title="More", position=3)
        for n in range(8):
            question(extra, "short_text", f"Extra {n}", key=f"extra-{n}")
        for n in range(8):
            services.save_answer(response, q(survey, f"extra-{n}"), {"text": "y"}, actor=lead)
        services.save_answer(response, q(survey, "urgency"), {"value": "3"}, actor=lead)
        services.save_answer(response, q(survey, "department"), {"text": "z"}, actor=lead)
    answering.structure(survey.pk)  # the structure is cached, as on a running portal
    return response


def test_section_page_query_count(client, answered, member, django_assert_num_queries):
    client.force_login(member)
    client.get(section_url(answered, "Profile"))
    with django_assert_num_queries(QUERIES["section"]):
        assert client.get(section_url(answered, "Profile")).status_code == 200


def test_review_page_query_count(client, answered, member, django_assert_num_queries):
    client.force_login(member)
    client.get(reverse("surveys:review", args=[answered.pk]))
    with django_assert_num_queries(QUERIES["review"]):
        assert client.get(reverse("surveys:review", args=[answered.pk])).status_code == 200


def test_answer_query_count(client, survey, answered, member, django_assert_num_queries):
    client.force_login(member)
    staff = q(survey, "staff")
    post_answer(client, answered, staff, {"value": "1"})
    with django_assert_num_queries(QUERIES["answer"]):
        assert post_answer(client, answered, staff, {"value": "2"}).status_code == 200


def test_list_and_survey_page_query_counts(
    client, survey, answered, member, django_assert_num_queries
):
    client.force_login(member)
    client.get(reverse("surveys:list"))
    with django_assert_num_queries(QUERIES["list"]):
        assert client.get(reverse("surveys:list")).status_code == 200
    with django_assert_num_queries(QUERIES["survey"]):
        assert client.get(survey.get_absolute_url()).status_code == 200

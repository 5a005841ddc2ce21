"""Questionnaire versions: loading the default, drafts, publishing (and what stops it), the
frozen published version, and the coordinators' pages that do it."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from netzerohub.assessment import authoring, services
from netzerohub.assessment.models import Dimension, Question, Questionnaire, Stage
from netzerohub.assessment.tests.factories import questions_of
from netzerohub.core.models import AuditLog

pytestmark = pytest.mark.django_db


def default_data() -> dict:
    return json.loads(authoring.DEFAULT_FILE.read_text())


def test_loading_the_default_twice_creates_one_published_version(questionnaire):
    again, created = authoring.load_default()
    assert not created and again == questionnaire
    assert Questionnaire.objects.count() == 1
    assert questionnaire.status == Questionnaire.Status.PUBLISHED
    assert questionnaire.questions.count() == 47


def test_the_load_command_reports_what_it_did(db, capsys):
    call_command("load_questionnaire")
    call_command("load_questionnaire")
    out = capsys.readouterr().out
    assert "Published City readiness self-assessment" in out and "nothing loaded" in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["dimensions"][0].update(step="no-such-step"), "Unknown step: no-such-step"),
        (lambda d: d["dimensions"][0]["questions"][0]["levels"].pop(), "levels must be 0 to 4"),
        (lambda d: d["dimensions"][0].pop("gap"), "lacks 'gap'"),
        (lambda d: d["stages"][1].update(min=0), "higher score than the one before"),
        (lambda d: d.update(dimensions=d["dimensions"][:2]), "30 to 60 questions"),
    ],
)
def test_a_file_with_a_problem_writes_nothing(db, change, message):
    data = default_data()
    change(data)
    with pytest.raises(services.AssessmentError, match=message):
        authoring.import_questionnaire(data)
    assert not Questionnaire.objects.exists() and not Question.objects.exists()


def test_a_draft_copies_every_stage_dimension_question_and_tag(questionnaire, coordinator):
    draft = authoring.create_draft(questionnaire, actor=coordinator, version="2027.1")
    assert draft.is_draft and draft.based_on == questionnaire and draft.key == questionnaire.key

    def shape(q):
        return [
            (x.key, x.text, x.required, x.weight, x.field_id, x.levels, x.dimension.key)
            for x in questions_of(q)
        ]

    assert shape(draft) == shape(questionnaire)
    original = questionnaire.dimensions.get(key="finance")
    copied = draft.dimensions.get(key="finance")
    assert list(copied.levers.all()) == list(original.levers.all())
    assert copied.step_id == original.step_id
    assert [s.min_score for s in draft.stages.all()] == [0, 25, 50, 75]
    assert authoring.publication_problems(draft) == []


def test_a_published_version_is_frozen(questionnaire, coordinator):
    dimension = questionnaire.dimensions.first()
    question = questions_of(questionnaire)[0]
    values = {"text": "Changed", "help": "", "required": True, "weight": Decimal(1),
              "field": None, "levels": question.levels}  # fmt: skip
    for change in [
        lambda: authoring.save_question(dimension, question, actor=coordinator, values=values),
        lambda: authoring.delete_question(question, actor=coordinator),
        lambda: authoring.move_dimension(dimension, actor=coordinator, offset=1),
        lambda: authoring.delete_draft(questionnaire, actor=coordinator),
        lambda: authoring.publish(questionnaire, actor=coordinator),
    ]:
        with pytest.raises(services.AssessmentError, match="published and frozen"):
            change()
    question.refresh_from_db()
    assert question.text != "Changed"


def test_publishing_a_draft_retires_the_old_version_but_not_its_assessments(
    questionnaire, coordinator, city, other_city, member, other_lead
):
    in_progress = services.start_assessment(city, actor=member)
    draft = authoring.create_draft(questionnaire, actor=coordinator, version="2027.1")
    question = draft.questions.get(key="mandate-scope")
    authoring.save_question(
        question.dimension,
        question,
        actor=coordinator,
        values={"text": "Does the commitment cover the whole territory?", "help": "",
                "required": True, "weight": Decimal(1), "field": None, "levels": question.levels},
    )  # fmt: skip
    authoring.publish(draft, actor=coordinator)
    questionnaire.refresh_from_db()
    assert questionnaire.status == Questionnaire.Status.RETIRED
    assert Questionnaire.objects.current() == draft
    assert services.start_assessment(city, actor=member) == in_progress  # keeps its version
    assert in_progress.questionnaire == questionnaire
    assert services.start_assessment(other_city, actor=other_lead).questionnaire == draft
    entry = AuditLog.objects.get(action="assessment.questionnaire.published")
    assert entry.data["replaced"] == ["2026.1"]


def test_publication_problems_name_what_to_fix(questionnaire, coordinator):
    draft = authoring.create_draft(questionnaire, actor=coordinator, version="2027.1")
    Stage.objects.filter(questionnaire=draft, key="advanced").update(min_score=20)
    finance = draft.dimensions.get(key="finance")
    finance.questions.update(required=False)
    question = draft.questions.get(key="mandate-scope")
    question.levels = question.levels[:4]
    question.save()
    for q in draft.questions.filter(
        dimension__key__in=["fields", "capabilities", "monitoring", "engagement"]
    ):
        authoring.delete_question(q, actor=coordinator)
    problems = authoring.publication_problems(draft)
    assert "Each stage must start at a higher score than the one before it." in problems
    assert "“Finance and investment” needs at least one required question." in problems
    assert any("needs a name and a description for each of the levels" in p for p in problems)
    assert any("this one has 26" in p for p in problems)
    with pytest.raises(services.AssessmentError):
        authoring.publish(draft, actor=coordinator)
    assert Questionnaire.objects.get(pk=draft.pk).is_draft


def test_a_new_question_gets_a_unique_key_and_moves_between_dimensions(questionnaire, coordinator):
    draft = authoring.create_draft(questionnaire, actor=coordinator, version="2027.1")
    finance = draft.dimensions.get(key="finance")
    mandate = draft.dimensions.get(key="mandate")
    values = {"text": "Is there a budget line?", "help": "", "required": False,
              "weight": Decimal(1), "field": None,
              "levels": [{"label": f"L{n}", "description": f"D{n}"} for n in range(5)]}  # fmt: skip
    first = authoring.save_question(finance, None, actor=coordinator, values=values)
    second = authoring.save_question(finance, None, actor=coordinator, values=values)
    assert first.key == "finance-is-there-a-budget-line" and second.key != first.key
    assert first.position == finance.questions.count() - 1
    moved = authoring.save_question(
        finance, first, actor=coordinator, values={**values, "dimension": mandate}
    )
    assert moved.dimension == mandate and moved.key == first.key


def test_a_new_dimension_gets_a_key_from_its_title(questionnaire, coordinator):
    draft = authoring.create_draft(questionnaire, actor=coordinator, version="2027.1")
    values = {"title": "Data and digital", "description": "D", "weight": Decimal(1),
              "step": None, "strength": "S", "gap": "G", "fields": [], "levers": []}  # fmt: skip
    dimension = authoring.save_dimension(draft, None, actor=coordinator, values=values)
    assert dimension.key == "data-and-digital" and dimension.position == 10
    assert "“Data and digital” needs at least one required question." in (
        authoring.publication_problems(draft)
    )


# --- the coordinators' pages ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "lead", "helpdesk_expert"])
def test_version_pages_are_404_for_everyone_but_coordinators(request, client, questionnaire, role):
    client.force_login(request.getfixturevalue(role))
    for url in [
        reverse("assessment:manage"),
        reverse("assessment:version", args=[questionnaire.pk]),
        reverse("assessment:distribution"),
        reverse("assessment:weights"),
    ]:
        assert client.get(url).status_code == 404, url


def test_a_coordinator_drafts_edits_and_publishes_in_the_portal(client, questionnaire, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("assessment:new-draft", args=[questionnaire.pk]), {"version": "2027.1"}
    )
    draft = Questionnaire.objects.get(version="2027.1")
    assert response.url == reverse("assessment:version", args=[draft.pk])
    question = draft.questions.get(key="mandate-scope")
    data = {
        "dimension": question.dimension_id,
        "text": "Does the commitment cover all emissions of the territory?",
        "help": "",
        "required": "on",
        "weight": "1.5",
        "field": "",
    }
    for n, level in enumerate(question.levels):
        data[f"level_{n}_label"] = level["label"]
        data[f"level_{n}_description"] = level["description"]
    response = client.post(reverse("assessment:question-edit", args=[draft.pk, question.pk]), data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.weight == Decimal("1.5") and question.text.startswith("Does the commitment")
    client.post(reverse("assessment:publish", args=[draft.pk]))
    assert Questionnaire.objects.current() == draft


def test_a_question_form_with_a_missing_level_keeps_what_was_typed(
    client, questionnaire, coordinator
):
    draft = authoring.create_draft(questionnaire, actor=coordinator, version="2027.1")
    question = draft.questions.get(key="mandate-scope")
    client.force_login(coordinator)
    data = {"dimension": question.dimension_id, "text": "My new wording", "help": "",
            "weight": "1", "field": "", "level_0_label": "None"}  # fmt: skip
    response = client.post(reverse("assessment:question-edit", args=[draft.pk, question.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200 and "This field is required." in body
    assert 'value="My new wording"' in body
    question.refresh_from_db()
    assert question.text != "My new wording"


def test_editing_a_published_version_in_the_portal_goes_back_to_it(
    client, questionnaire, coordinator
):
    client.force_login(coordinator)
    question = questionnaire.questions.first()
    url = reverse("assessment:question-edit", args=[questionnaire.pk, question.pk])
    assert client.get(url).url == reverse("assessment:version", args=[questionnaire.pk])
    response = client.post(
        reverse("assessment:question-action", args=[questionnaire.pk, question.pk]),
        {"action": "delete"},
    )
    assert response.status_code == 302 and Question.objects.filter(pk=question.pk).exists()


def test_the_stage_form_saves_every_stage(client, questionnaire, coordinator):
    draft = authoring.create_draft(questionnaire, actor=coordinator, version="2027.1")
    client.force_login(coordinator)
    data = {}
    for stage in draft.stages.all():
        data[f"{stage.key}-label"] = stage.label.upper()
        data[f"{stage.key}-min_score"] = stage.min_score
        data[f"{stage.key}-description"] = stage.description
    client.post(reverse("assessment:stages", args=[draft.pk]), data)
    assert list(draft.stages.values_list("label", flat=True)) == [
        "STARTING", "DEVELOPING", "ADVANCED", "LEADING"
    ]  # fmt: skip


def test_a_version_label_is_unique(client, questionnaire, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("assessment:new-draft", args=[questionnaire.pk]), {"version": "2026.1"}
    )
    assert response.status_code == 302
    assert Questionnaire.objects.count() == 1


def test_deleting_a_dimension_of_a_draft_takes_its_questions(client, questionnaire, coordinator):
    draft = authoring.create_draft(questionnaire, actor=coordinator, version="2027.1")
    dimension = draft.dimensions.get(key="fields")
    client.force_login(coordinator)
    client.post(
        reverse("assessment:dimension-action", args=[draft.pk, dimension.pk]), {"action": "delete"}
    )
    assert not Dimension.objects.filter(pk=dimension.pk).exists()
    assert draft.questions.count() == 40
    assert questionnaire.questions.count() == 47


def test_data_is_not_copied_by_reference(questionnaire, coordinator):
    """Editing a draft's levels leaves the published version's levels as they were."""
    before = copy.deepcopy(questionnaire.questions.get(key="mandate-scope").levels)
    draft = authoring.create_draft(questionnaire, actor=coordinator, version="2027.1")
    question = draft.questions.get(key="mandate-scope")
    question.levels[0]["label"] = "Changed"
    question.save()
    assert questionnaire.questions.get(key="mandate-scope").levels == before

"""The scoring rule, computed by hand for fixed answer sets (see data/README.md, "Scoring").

Each expected value is worked out in the comment beside it from the default questionnaire's
weights: in every dimension one foundational question weighs 1.5 and the others 1; all nine
dimensions weigh 1; stages start at 0, 25, 50 and 75.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netzerohub.assessment import scoring
from netzerohub.assessment.models import Questionnaire
from netzerohub.assessment.tests.factories import uniform

pytestmark = pytest.mark.django_db


@pytest.fixture
def structure(questionnaire):
    return Questionnaire.objects.with_structure().get(pk=questionnaire.pk)


def test_the_default_questionnaire_has_47_questions_in_nine_dimensions(structure):
    assert len(structure.dimensions.all()) == 9
    assert len(structure.questions.all()) == 47
    assert sum(not q.required for q in structure.questions.all()) == 10
    assert [s.min_score for s in structure.stages.all()] == [0, 25, 50, 75]


def test_all_lowest_answers_score_zero_and_the_first_stage(structure):
    result = scoring.score(structure, uniform(structure, 0))
    assert set(result.dimensions.values()) == {0}
    assert result.overall == 0
    assert result.stage.key == "starting"


def test_all_highest_answers_score_100_and_the_top_stage(structure):
    result = scoring.score(structure, uniform(structure, 4))
    assert set(result.dimensions.values()) == {100}
    assert result.overall == 100
    assert result.stage.key == "leading"


@pytest.mark.parametrize(
    ("level", "expected", "stage"),
    [(1, 25, "developing"), (2, 50, "advanced"), (3, 75, "leading")],
)
def test_one_level_everywhere_lands_exactly_on_a_stage_threshold(structure, level, expected, stage):
    # Σ(w × level) / Σ(w × 4) = level / 4 whatever the weights: 25, 50, 75.
    result = scoring.score(structure, uniform(structure, level))
    assert set(result.dimensions.values()) == {expected}
    assert result.overall == expected
    assert result.stage.key == stage


def test_skipping_every_optional_question_changes_nothing_when_all_answers_are_equal(structure):
    result = scoring.score(structure, uniform(structure, 3, skip_optional=True))
    assert set(result.dimensions.values()) == {75}


def test_the_readme_example_of_a_weighted_question(structure):
    # system: baseline inventory (1.5) at 2, the other four required at 1, 2, 2, 3, the
    # optional one skipped: 100 × (1.5×2 + 8) / (1.5×4 + 16) = 100 × 11/22 = 50.
    answers = {
        "system-baseline-inventory": 2,
        "system-data-quality": 1,
        "system-emissions-gap": 2,
        "system-policy-review": 2,
        "system-stakeholder-map": 3,
        "system-barriers": None,
    }
    result = scoring.score(structure, answers)
    assert result.dimensions["system"] == 50


def test_an_answered_optional_question_counts_and_a_skipped_one_does_not(structure):
    # mandate: target year (1.5) at 4, the three other required at 2 and the optional one
    # skipped: 100 × (6 + 6) / (6 + 12) = 66.67; answered at 0 instead:
    # 100 × 12 / 22 = 54.55.
    base = {
        "mandate-target-year": 4,
        "mandate-political-backing": 2,
        "mandate-scope": 2,
        "mandate-strategy-alignment": 2,
    }
    skipped = scoring.score(structure, {**base, "mandate-multilevel": None})
    at_zero = scoring.score(structure, {**base, "mandate-multilevel": 0})
    assert skipped.dimensions["mandate"] == Fraction(200, 3)
    assert scoring.shown(skipped.dimensions["mandate"]) == 67
    assert at_zero.dimensions["mandate"] == Fraction(600, 11)
    assert scoring.shown(at_zero.dimensions["mandate"]) == 55


def test_a_whole_questionnaire_worked_by_hand(structure):
    # Every question at 2, except: the target year at 4, every finance question at 0 (its
    # optional one skipped), the two optional fields (industry, agriculture) skipped.
    #   mandate     = 100 × (1.5×4 + 2+2+2+2) / (1.5×4 + 4×4) = 1400/22 = 700/11 (63.6)
    #   finance     = 0
    #   the other 7 = 50 each (every answer at 2)
    #   overall     = (700/11 + 7×50 + 0) / 9 = 4550/99 = 45.96 → shown 46: Developing
    answers = uniform(structure, 2)
    answers["mandate-target-year"] = 4
    for key in answers:
        if key.startswith("finance-"):
            answers[key] = 0
    answers["finance-project-preparation"] = None
    answers["fields-industrial-processes"] = None
    answers["fields-agriculture-forestry-land-use"] = None
    result = scoring.score(structure, answers)
    assert result.dimensions["mandate"] == Fraction(700, 11)
    assert result.dimensions["finance"] == 0
    others = {k: v for k, v in result.dimensions.items() if k not in {"mandate", "finance"}}
    assert set(others.values()) == {50} and len(others) == 7
    assert result.overall == Fraction(4550, 99)
    assert scoring.shown(result.overall) == 46
    assert result.stage.key == "developing"


def test_missing_required_lists_only_required_questions_in_order(structure):
    answers = uniform(structure, 1, skip_optional=True)
    del answers["mandate-scope"]
    del answers["fields-energy-systems"]
    del answers["mandate-multilevel"]  # optional: not missing
    missing = scoring.missing_required(structure, answers)
    assert [q.key for q in missing] == ["mandate-scope", "fields-energy-systems"]


def _q(key, weight, required=True):
    return SimpleNamespace(key=key, weight=Decimal(weight), required=required)


def test_a_dimension_with_nothing_answered_has_no_score_and_leaves_the_overall_score():
    assert scoring.dimension_score([_q("a", "1", False)], {"a": None}) is None
    dimensions = [SimpleNamespace(key="x", weight=Decimal(1)), SimpleNamespace(key="y", weight=2)]
    assert scoring.overall_score(dimensions, {"x": None, "y": Fraction(30)}) == 30
    assert scoring.overall_score(dimensions, {"x": None, "y": None}) is None
    assert scoring.stage_for([SimpleNamespace(min_score=0)], None) is None


def test_dimension_weights_weigh_the_overall_score():
    # (1 × 90 + 2 × 30) / 3 = 50
    dimensions = [SimpleNamespace(key="x", weight=Decimal(1)), SimpleNamespace(key="y", weight=2)]
    assert scoring.overall_score(dimensions, {"x": Fraction(90), "y": Fraction(30)}) == 50


def test_the_stage_is_decided_on_the_exact_score_and_only_display_rounds():
    stages = [SimpleNamespace(key=k, min_score=m) for k, m in [("s", 0), ("a", 50), ("l", 75)]]
    just_below = Fraction(746, 10)  # 74.6 shows as 75 and is still below "leading"
    assert scoring.shown(just_below) == 75
    assert scoring.stage_for(stages, just_below).key == "a"
    assert scoring.stage_for(stages, Fraction(75)).key == "l"
    assert scoring.shown(62.5) == 63 and scoring.shown(Fraction(125, 2)) == 63
    assert scoring.shown(0.5) == 1 and scoring.shown(49.49) == 49 and scoring.shown(None) is None


LEVEL_OR_SKIP = st.one_of(st.none(), st.integers(min_value=0, max_value=4))


@given(levels=st.lists(LEVEL_OR_SKIP, min_size=1, max_size=8), weights=st.data())
def test_a_dimension_score_stays_within_0_and_100_and_never_falls_when_an_answer_rises(
    levels, weights
):
    questions = [
        _q(f"q{i}", weights.draw(st.sampled_from(["1", "1.5", "0.5", "2"])))
        for i in range(len(levels))
    ]
    answers = {q.key: level for q, level in zip(questions, levels, strict=True)}
    value = scoring.dimension_score(questions, answers)
    if all(level is None for level in levels):
        assert value is None
        return
    assert 0 <= value <= 100
    for key, level in answers.items():
        if level is not None and level < 4:
            raised = scoring.dimension_score(questions, {**answers, key: level + 1})
            assert raised > value

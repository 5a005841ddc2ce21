"""Factories for surveys: an open survey, sections, questions of each kind, and `sample_survey`,
a small survey with one question of every kind and a conditional question."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from netzerohub.surveys import services
from netzerohub.surveys.models import Option, Question, Section, Survey


class SurveyFactory(factory.django.DjangoModelFactory):
    """A published survey, open since yesterday for thirty days, one response per city."""

    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"Needs survey {n}")
    slug = factory.Sequence(lambda n: f"needs-survey-{n}")
    introduction = "Tell us what your city needs."
    status = Survey.Status.PUBLISHED
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    survey = factory.SubFactory(SurveyFactory)
    title = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(lambda n: n + 1)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A single-choice question; pass `options=["A", "B"]` to give it options."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    section = factory.SubFactory(SectionFactory)
    survey = factory.SelfAttribute("section.survey")
    key = factory.Sequence(lambda n: f"q{n}")
    kind = Question.Kind.SINGLE
    text = factory.Sequence(lambda n: f"Question {n}?")
    position = factory.Sequence(lambda n: n + 1)

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        if create and extracted:
            for position, label in enumerate(extracted, start=1):
                Option.objects.create(question=self, label=label, position=position)


def question(section: Section, kind: str, text: str, **extra: Any) -> Question:
    """A question saved through the builder's service (pickers get their terms as options)."""
    options = extra.pop("options", None)
    condition_options = extra.pop("condition_options", None)
    made = Question(survey=section.survey, section=section, kind=kind, text=text, **extra)
    return services.save_question(
        made, actor=None, options=options, condition_options=condition_options
    )


def sample_survey(**survey_fields: Any) -> Survey:
    """Two sections: 'Profile' (single choice with other, required; multiple choice; number;
    short text; a long text shown only when the single choice is 'Yes') and 'Needs' (Likert,
    matrix, ranking, fields picker, levers picker)."""
    survey = SurveyFactory(**survey_fields)
    profile = SectionFactory(survey=survey, title="Profile", position=1)
    needs = SectionFactory(survey=survey, title="Needs", position=2)
    plan = question(
        profile,
        "single",
        "Does your city have a climate plan?",
        key="plan",
        required=True,
        allow_other=True,
        options=["Yes", "No"],
    )
    question(
        profile,
        "multiple",
        "Which formats help you?",
        key="formats",
        options=["Peer groups", "Study visits", "Twinning", "Helpdesk", "Training"],
    )
    question(
        profile,
        "number",
        "How many staff work on climate?",
        key="staff",
        number_min=0,
        number_max=10000,
    )
    question(profile, "short_text", "Your department", key="department")
    question(
        profile,
        "long_text",
        "Describe the plan",
        key="plan-text",
        condition_question=plan,
        condition_options=[plan.options.get(label="Yes")],
    )
    question(needs, "likert", "How urgent is support?", key="urgency", scale_min=1, scale_max=5)
    question(
        needs,
        "matrix",
        "Rate your capacity",
        key="capacity",
        options=["Data", "Finance", "Engagement"],
    )
    question(
        needs,
        "ranking",
        "Rank these formats",
        key="rank",
        options=["Webinars", "Workshops", "Visits"],
    )
    question(needs, "fields", "Fields where you need support", key="fields")
    question(needs, "levers", "Levers where you need support", key="levers")
    return survey

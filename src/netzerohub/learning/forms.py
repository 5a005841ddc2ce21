"""Forms of the capability-building programme: the learner's quiz and the authoring forms."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from netzerohub.knowledge.models import Resource

from .authoring import format_answers, parse_answers
from .models import Cohort, Course, Lesson, Module, Pathway, Question

_RESOURCE_REF = re.compile(r"(?:/knowledge/)?(\d+)/?$")


class EnrolForm(forms.Form):
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("This cohort is not open for enrolment.")},
    )

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = course.cohorts.all()


class MoveLessonForm(forms.Form):
    module = forms.ModelChoiceField(
        queryset=Module.objects.none(),
        error_messages={
            "required": _("Choose a module of this course."),
            "invalid_choice": _("Choose a module of this course."),
        },
    )

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = course.modules.all()


class QuizForm(forms.Form):
    """One field per question (`q<id>`); the token makes a resubmission count once."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["token"] = secrets.token_urlsafe(16)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            choices = [(str(c.pk), c.text) for c in question.choices.all()]
            label = f"{number}. {question.text}"
            error = {"required": _("Answer this question.")}
            if question.kind == Question.Kind.MULTIPLE:
                self.fields[f"q{question.pk}"] = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("Choose every right answer."),
                    error_messages=error,
                )
            else:
                self.fields[f"q{question.pk}"] = forms.ChoiceField(
                    label=label, choices=choices, widget=forms.RadioSelect, error_messages=error
                )

    def answers(self) -> dict[int, list[int]]:
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}") or []
            result[question.pk] = [int(v) for v in ([value] if isinstance(value, str) else value)]
        return result


def _resources_from_text(text: str) -> list[Resource]:
    """Published resources named one per line by their address (…/knowledge/123/) or number."""
    ids, wrong = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = _RESOURCE_REF.search(line)
        if match is None:
            wrong.append(line)
        else:
            ids.append(int(match.group(1)))
    found = Resource.objects.published().in_bulk(ids)
    wrong += [str(i) for i in ids if i not in found]
    if wrong:
        raise forms.ValidationError(
            _("No published resource at: %(refs)s.") % {"refs": ", ".join(wrong[:5])}
        )
    return [found[i] for i in dict.fromkeys(ids)]


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "title", "summary", "description", "level", "duration_minutes", "fields", "levers",
            "step", "language", "prerequisites", "pass_mark",
        ]  # fmt: skip
        widgets = {
            "fields": forms.CheckboxSelectMultiple,
            "levers": forms.CheckboxSelectMultiple,
            "prerequisites": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = Course.objects.exclude(status=Course.Status.ARCHIVED).order_by("title")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["prerequisites"].queryset = others


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Module title"), max_length=200)


class LessonForm(forms.ModelForm):
    video_url = forms.URLField(
        label=_("Video link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Opens on the video's own site; add the transcript below."),
    )
    materials = forms.CharField(
        label=_("Materials from the knowledge repository"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: the resource's address (…/knowledge/123/) or its number."),
    )

    class Meta:
        model = Lesson
        fields = ["title", "body", "video_url", "transcript"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["materials"] = "\n".join(
                r.get_absolute_url() for r in self.instance.resources.all()
            )

    def clean_materials(self) -> list[Resource]:
        return _resources_from_text(self.cleaned_data["materials"])

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return {**data, "resources": self.cleaned_data["materials"]}


class QuestionForm(forms.ModelForm):
    answers = forms.CharField(
        label=_("Answers"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One answer per line. Start the right ones with [x], the others with [ ]."),
    )

    class Meta:
        model = Question
        fields = ["text", "kind", "explanation"]
        labels = {"kind": _("Type of question")}
        widgets = {"kind": forms.RadioSelect, "explanation": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["answers"] = format_answers(self.instance)

    def clean_answers(self) -> list[tuple[str, bool]]:
        answers = parse_answers(self.cleaned_data["answers"])
        if len(answers) < 2 or not any(right for _text, right in answers):
            raise forms.ValidationError(
                _("Give at least two answers and start the right one(s) with [x].")
            )
        return answers

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        answers = data.get("answers") or []
        right = sum(1 for _text, is_right in answers if is_right)
        if data.get("kind") == Question.Kind.SINGLE and answers and right != 1:
            self.add_error("answers", _("A one-answer question has exactly one right answer."))
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PathwayForm(forms.ModelForm):
    class Meta:
        model = Pathway
        fields = ["title", "goal", "description", "position"]


class StepForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.none(), required=False
    )
    resource = forms.CharField(
        label=_("or a knowledge resource"),
        required=False,
        help_text=_("Its address (…/knowledge/123/) or its number."),
    )
    note = forms.CharField(label=_("Why it is here (optional)"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.exclude(
            status=Course.Status.ARCHIVED
        ).order_by("title")

    def clean_resource(self) -> Resource | None:
        text = self.cleaned_data["resource"].strip()
        return _resources_from_text(text)[0] if text else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and (data.get("course") is None) == (data.get("resource") is None):
            raise forms.ValidationError(_("Choose a course or name a resource (one of them)."))
        return data


class CohortForm(forms.ModelForm):
    facilitator_email = forms.EmailField(
        label=_("Facilitator's email address"),
        required=False,
        help_text=_("The person must have an account."),
    )

    class Meta:
        model = Cohort
        fields = ["title", "starts_on", "ends_on", "description"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.facilitator_id and not self.is_bound:
            self.initial["facilitator_email"] = self.instance.facilitator.email

    def clean_facilitator_email(self) -> Any:
        email = self.cleaned_data["facilitator_email"]
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(_("Nobody has an account with this address."))
        return user

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("A cohort ends on or after the day it starts."))
        return data

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return {**data, "facilitator": self.cleaned_data["facilitator_email"]}

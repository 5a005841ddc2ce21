"""Forms of the survey builder: a survey's settings, a section, a question, and duplicating a
survey for a new round.

Opening and closing times are typed as local date-times in the survey's own time zone and stored
in UTC, with the events' helpers (`LocalDateTimeField`, `to_utc`, `to_local`): a time that does
not exist on that day (the clocks jump forward) or happens twice is refused rather than guessed.

The question form reads the survey's cached structure (`answering.structure`) for the earlier
choice questions a condition may name and for the questions that depend on this one, so it costs
no query per question.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from netzerohub.cities.models import City
from netzerohub.events.manage_forms import LocalDateTimeField, to_local, to_utc

from .models import SCALE_MAX, SCALE_MIN, Option, Question, Section, Survey, zone_choices

MAX_OPTIONS = 100
OPTION_LIMIT = Option._meta.get_field("label").max_length

# Which kinds each group of the question form applies to (the page hides the others with
# JavaScript; without it every group is shown, each saying which kinds it is for).
KIND_GROUPS = {
    "options": sorted(Question.OPTION_KINDS - set(Question.PICKER_TERMS)),
    "other": ["single", "multiple"],
    "max_choices": ["multiple", "fields", "levers"],
    "scale": sorted(Question.SCALE_KINDS),
    "number": ["number"],
    "picker": sorted(Question.PICKER_TERMS),
}


def status_choices() -> list[tuple[str, str]]:
    """The city statuses an audience may name (cities not yet participating are left out)."""
    return [(v, label) for v, label in City.Status.choices if v != City.Status.DIRECTORY]


def _local_times(form: forms.Form, zone: str | None, target: Any) -> None:
    """Read `opens_at` and `closes_at` of `form` in `zone` and set them, in UTC, on `target`."""
    for name in ("opens_at", "closes_at"):
        local = form.cleaned_data.get(name)
        if name in form.errors or zone is None or local is None:
            continue
        try:
            setattr(target, name, to_utc(local, zone))
        except ValidationError as error:
            form.add_error(name, error)


class SurveyForm(forms.ModelForm):
    """A survey's settings. `Survey.clean()` (closing after opening, a status for an audience of
    statuses, one response per person for everyone) gives its errors on the fields it names."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=zone_choices,
        help_text=_("The opening and closing times are entered and shown in this zone."),
    )
    opens_at = LocalDateTimeField(label=_("Opens"), help_text=_("In the survey's time zone."))
    closes_at = LocalDateTimeField(
        label=_("Closes"),
        help_text=_("In the survey's time zone, e.g. 23:59 on the last day."),
    )
    city_statuses = forms.MultipleChoiceField(
        label=_("City statuses"),
        choices=status_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For “Cities of a status”: the statuses whose cities may answer."),
    )

    class Meta:
        model = Survey
        fields = ["title", "introduction", "time_zone", "audience", "city_statuses", "respondent"]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 6}),
            "audience": forms.RadioSelect,
            "respondent": forms.RadioSelect,
        }

    ORDER = [
        "title", "introduction", "time_zone", "opens_at", "closes_at", "audience",
        "city_statuses", "respondent",
    ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        survey: Survey = self.instance
        for name in ("opens_at", "closes_at"):
            if getattr(survey, name, None) is not None:
                self.initial[name] = to_local(getattr(survey, name), survey.time_zone)
        self.order_fields(self.ORDER)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        _local_times(self, data.get("time_zone"), self.instance)
        if data.get("audience") != Survey.Audience.STATUSES:
            data["city_statuses"] = []
        return data


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class QuestionForm(forms.ModelForm):
    """A question of any kind; the groups of fields that do not apply to its kind are ignored.

    Build it with a `Question` whose survey and section are set, and the survey's structure
    (`answering.structure`): the conditions offered are the earlier choice questions that are
    asked (and the current condition, even when hidden since).
    """

    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One per line, in order: the answers of a single or multiple choice, the items to "
            "rank, the rows of a matrix. Changing a line renames that option (its answers stay); "
            "an option that has been chosen cannot be removed."
        ),
    )
    condition_question = forms.TypedChoiceField(
        label=_("Show only when the answer to"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={
            "invalid_choice": _(
                "Only an earlier choice question of this survey can decide whether this one "
                "is shown."
            )
        },
        help_text=_("Leave empty to always show this question."),
    )
    condition_options = forms.TypedMultipleChoiceField(
        label=_("includes one of"),
        coerce=int,
        required=False,
        error_messages={
            "invalid_choice": _("Choose answers of the question the condition is on."),
        },
    )

    scale_min = forms.IntegerField(
        label=_("Scale from"), min_value=SCALE_MIN, max_value=SCALE_MAX, required=False
    )
    scale_max = forms.IntegerField(
        label=_("Scale to"), min_value=SCALE_MIN, max_value=SCALE_MAX, required=False
    )
    max_choices = forms.IntegerField(
        label=_("At most this many choices"),
        min_value=1,
        max_value=MAX_OPTIONS,
        required=False,
        help_text=_("Empty for no limit."),
    )

    class Meta:
        model = Question
        fields = [
            "kind", "text", "help_text", "required", "allow_other", "max_choices", "scale_min",
            "scale_max", "scale_min_label", "scale_max_label", "number_min", "number_max", "unit",
        ]  # fmt: skip
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "help_text": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, structure: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        question: Question = self.instance
        self.structure = structure
        self.earlier = self._earlier_choices(question)
        self.dependents = [
            q for q in structure.questions.all() if q.condition_question_id == question.pk
        ] if question.pk else []  # fmt: skip
        self.fields["condition_question"].choices = [("", gettext("Always shown"))] + [
            (q.pk, self._describe(q)) for q in self.earlier
        ]
        self.fields["condition_options"].choices = [
            (o.pk, o.label) for q in self.earlier for o in q.options.all()
        ]
        if question.pk:
            self.initial["options"] = "\n".join(o.label for o in self._own_options())
            self.initial["condition_question"] = question.condition_question_id
            self.initial["condition_options"] = [o.pk for o in self._own_condition_options()]

    # --- what the structure says --------------------------------------------------------------

    def _own(self) -> Question | None:
        pk = self.instance.pk
        return next((q for q in self.structure.questions.all() if q.pk == pk), None)

    def _own_options(self) -> list[Option]:
        own = self._own()
        return list(own.options.all()) if own is not None else []

    def _own_condition_options(self) -> list[Option]:
        own = self._own()
        return list(own.condition_options.all()) if own is not None else []

    def _earlier_choices(self, question: Question) -> list[Question]:
        """The choice questions before `question` (a new one goes last in its section)."""
        order = [s.pk for s in self.structure.sections.all()]
        place = order.index(question.section_id) if question.section_id in order else len(order)
        earlier = []
        for q in self.structure.questions.all():
            if q.pk == question.pk and question.pk is not None:
                break
            if q.section_id in order and order.index(q.section_id) > place:
                break
            if q.is_choice and (not q.hidden or q.pk == question.condition_question_id):
                earlier.append(q)
        return earlier

    def _describe(self, question: Question) -> str:
        hidden = gettext(" (hidden)") if question.hidden else ""
        return f"{question.text}{hidden}"

    def condition_groups(self) -> list[tuple[Question, list[tuple[Option, bool]]]]:
        """For the page: each earlier choice question with its options and whether each is
        ticked (as typed when the form was sent back)."""
        if self.is_bound:
            raw = self.data.getlist("condition_options") if hasattr(self.data, "getlist") else []
            ticked = {str(v) for v in raw}
        else:
            ticked = {str(v) for v in self.initial.get("condition_options", [])}
        return [(q, [(o, str(o.pk) in ticked) for o in q.options.all()]) for q in self.earlier]

    def option_labels(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("options", "").splitlines()]

    def chosen_condition(self) -> tuple[Question | None, list[Option] | None]:
        """The condition's question and options (objects of the structure), for the service."""
        pk = self.cleaned_data.get("condition_question")
        condition = next((q for q in self.earlier if q.pk == pk), None)
        if condition is None:
            return None, []
        wanted = set(self.cleaned_data.get("condition_options") or [])
        return condition, [o for o in condition.options.all() if o.pk in wanted]

    # --- checks -------------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind is None:
            return data
        if kind in KIND_GROUPS["options"]:
            labels = [line.strip() for line in data.get("options", "").splitlines()]
            labels = [label for label in labels if label]
            if not labels:
                self.add_error("options", gettext("Give at least one option, one per line."))
            elif len(labels) > MAX_OPTIONS:
                self.add_error("options", gettext("At most %(n)s options.") % {"n": MAX_OPTIONS})
            elif too_long := [label for label in labels if len(label) > OPTION_LIMIT]:
                self.add_error(
                    "options",
                    gettext("Keep each option to %(n)s characters: “%(option)s…” is longer.")
                    % {"n": OPTION_LIMIT, "option": too_long[0][:40]},
                )
            elif len({label.casefold() for label in labels}) != len(labels):
                self.add_error("options", gettext("Give each option once."))
            else:
                self._check_options_kept(labels)
        for name in ("scale_min", "scale_max"):
            if data.get(name) is None and name not in self.errors:
                if kind in Question.SCALE_KINDS:
                    self.add_error(name, gettext("Give the scale's end points."))
                else:  # not asked for this kind: kept as it was
                    data[name] = getattr(self.instance, name)
        if kind in Question.SCALE_KINDS:
            low, high = data.get("scale_min"), data.get("scale_max")
            if low is not None and high is not None and low >= high:
                self.add_error(
                    "scale_max",
                    gettext("The scale must go up: its top (%(high)s) above its bottom (%(low)s).")
                    % {"low": low, "high": high},
                )
        if kind == Question.Kind.NUMBER:
            low, high = data.get("number_min"), data.get("number_max")
            if low is not None and high is not None and low > high:
                self.add_error(
                    "number_max", gettext("The largest number cannot be below the smallest.")
                )
        if self.dependents and kind not in Question.CHOICE_KINDS:
            self.add_error(
                "kind",
                gettext(
                    "“%(q)s” is shown depending on this question's answer: it stays a choice "
                    "question until that condition changes."
                )
                % {"q": self.dependents[0].text},
            )
        self._clean_condition(data)
        return data

    def _check_options_kept(self, labels: list[str]) -> None:
        """An option a later question's condition names is not removed from under it."""
        kept = len(labels)
        for dependent in self.dependents:
            for option in dependent.condition_options.all():
                own = self._own_options()
                if option in own and own.index(option) >= kept:
                    self.add_error(
                        "options",
                        gettext(
                            "“%(option)s” decides whether “%(q)s” is shown: change that "
                            "condition before removing it."
                        )
                        % {"option": option.label, "q": dependent.text},
                    )
                    return

    def _clean_condition(self, data: dict[str, Any]) -> None:
        pk = data.get("condition_question")
        chosen = set(data.get("condition_options") or [])
        if pk is None:
            data["condition_options"] = []
            return
        condition = next((q for q in self.earlier if q.pk == pk), None)
        if condition is None:  # not offered: refused by the choice field already
            return
        own = {o.pk for o in condition.options.all()}
        if chosen - own:
            self.add_error(
                "condition_options",
                gettext("Choose answers of “%(q)s”, the question the condition is on.")
                % {"q": condition.text},
            )
        elif not chosen:
            self.add_error(
                "condition_options", gettext("Choose the answers that show this question.")
            )


class DuplicateForm(forms.Form):
    """A new round of a survey: its title and dates (in the survey's time zone)."""

    title = forms.CharField(label=_("Title of the new round"), max_length=200)
    opens_at = LocalDateTimeField(label=_("Opens"))
    closes_at = LocalDateTimeField(label=_("Closes"))

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        zone = survey.time_zone
        for name in ("opens_at", "closes_at"):
            self.fields[name].help_text = gettext("In the survey's time zone (%(zone)s).") % {
                "zone": zone
            }
        self.times = Survey(time_zone=zone)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        _local_times(self, self.survey.time_zone, self.times)
        opens, closes = self.times.opens_at, self.times.closes_at
        if opens is not None and closes is not None and closes <= opens:
            self.add_error("closes_at", gettext("The survey must close after it opens."))
        return data

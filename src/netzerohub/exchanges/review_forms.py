"""Forms of the review pages: the list's filters and sorting, and a reviewer's scores."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from netzerohub.cities.forms import country_choices

from .models import Application, Review, ReviewCriterion
from .services import MAX_SCORE, TEXT_MAX

Status = Application.Status
SCORE_CHOICES = [(n, str(n)) for n in range(MAX_SCORE + 1)]
_CRITERION_KEY = re.compile(r"c\d{1,12}")


class ReviewFilterForm(forms.Form):
    """The review list's filters and order. An invalid value is dropped, never an error page;
    sorting by score is the coordinators' (a reviewer sees others' scores only after scoring)."""

    STATUSES = [
        ("", _("Submitted and decided")),
        (Status.SUBMITTED, _("Not decided yet")),
        (Status.ACCEPTED, Status.ACCEPTED.label),
        (Status.WAITLISTED, Status.WAITLISTED.label),
        (Status.REJECTED, Status.REJECTED.label),
    ]
    MINE = [("", _("All")), ("no", _("Not reviewed by me")), ("yes", _("Reviewed by me"))]
    SORTS = [
        ("submitted", _("Submitted, oldest first")),
        ("-submitted", _("Submitted, newest first")),
        ("score", _("Score, highest first")),
    ]

    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    mine = forms.ChoiceField(label=_("My review"), choices=MINE, required=False)
    sort = forms.ChoiceField(label=_("Order"), choices=SORTS, required=False)

    def __init__(self, *args: Any, by_score: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices(str(_("All countries")))
        if not by_score:
            self.fields["sort"].choices = self.SORTS[:2]

    def filters(self) -> dict[str, str]:
        """The valid filters only ("" for no filter; the order defaults to "submitted")."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        chosen = {name: "" if name in self.errors else data.get(name) or "" for name in self.fields}
        chosen["sort"] = chosen["sort"] or "submitted"
        return chosen


class ScoreForm(forms.Form):
    """A reviewer's score (0–5) for each criterion of the call (`c<criterion id>`) and a
    comment. A score sent for a criterion that is not the call's is refused, not dropped."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For the coordinators and the other reviewers; not shown to the city."),
    )

    def __init__(
        self,
        *args: Any,
        criteria: list[ReviewCriterion],
        review: Review | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        scores = review.scores if review is not None else {}
        messages = {
            "required": gettext("Give a score from 0 to %(max)s.") % {"max": MAX_SCORE},
            "invalid_choice": gettext("Scores go from 0 to %(max)s.") % {"max": MAX_SCORE},
        }
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.title,
                help_text=criterion.description,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                initial=scores.get(str(criterion.pk)),
                error_messages=messages,
            )
        self.fields["comment"].initial = review.comment if review is not None else ""
        self.order_fields([*(f"c{c.pk}" for c in criteria), "comment"])

    def score_fields(self) -> list[forms.BoundField]:
        return [self[f"c{c.pk}"] for c in self.criteria]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        foreign = [k for k in self.data if _CRITERION_KEY.fullmatch(k) and k not in self.fields]
        if foreign:
            raise forms.ValidationError(
                gettext("A score for a criterion of another call was sent; nothing was saved."),
                code="foreign_criterion",
            )
        return data

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}

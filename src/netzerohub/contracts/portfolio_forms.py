"""Forms of the action portfolio and the investment plan: the table's filters (GET), the action
form with its expected reductions per inventory sector, and the row formsets of an action's
indicators, measured values, capital needs and funding (plain forms with a hidden id; the views
turn them into `portfolio.Change`s for the writes). Numbers are typed in text inputs with a
decimal keyboard, so that what was typed comes back as it was with the message."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netzerohub.core.models import Term

from . import portfolio, sectors, trajectory
from .models import Action, CoBenefit, Funding

TONNES = {"max_digits": 14, "decimal_places": 2}
EUROS = {"max_digits": 16, "decimal_places": 2}


def number_input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **attrs})


def year_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Year"),
        min_value=trajectory.FIRST_YEAR,
        max_value=trajectory.LAST_YEAR,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6, "autocomplete": "off"}),
        error_messages={"invalid": _("Enter a year, such as 2027.")},
        **kwargs,
    )


# --- the table's filters ---------------------------------------------------------------------

SORT_CHOICES = [
    ("", _("Portfolio order")),
    ("title", _("Title (A–Z)")),
    ("-title", _("Title (Z–A)")),
    ("field", _("Field of action")),
    ("lever", _("Lever of change")),
    ("status", _("Status")),
    ("starts", _("Start (earliest first)")),
    ("-starts", _("Start (latest first)")),
    ("ends", _("End (earliest first)")),
    ("-ends", _("End (latest first)")),
    ("-expected", _("Expected reduction (largest first)")),
    ("expected", _("Expected reduction (smallest first)")),
    ("-capital", _("Capital cost (largest first)")),
    ("capital", _("Capital cost (smallest first)")),
    ("-operating", _("Operating cost (largest first)")),
    ("operating", _("Operating cost (smallest first)")),
]


class ActionFilterForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=100)
    field = forms.ChoiceField(label=_("Field of action"), required=False)
    lever = forms.ChoiceField(label=_("Lever of change"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Action.Status.choices],
    )
    sector = forms.ChoiceField(
        label=_("Reduces emissions in"),
        required=False,
        choices=[("", _("Any sector")), *((s.code, s.label) for s in sectors.SECTORS)],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taxonomy = portfolio.terms()
        self.fields["field"].choices = [
            ("", _("Any field")),
            *((t.slug, t.name) for t in taxonomy["field"]),
            ("none", _("No field set")),
        ]
        self.fields["lever"].choices = [
            ("", _("Any lever")),
            *((t.slug, t.name) for t in taxonomy["lever"]),
            ("none", _("No lever set")),
        ]

    def filters(self) -> portfolio.Filters:
        """The valid part of the choice (a value that is not offered is left out, and said)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return portfolio.Filters(
            **{name: (data.get(name) or "").strip() for name in self.fields}  # type: ignore[arg-type]
        )


def sort_links(filters: portfolio.Filters) -> dict[str, str]:
    """The sort value each column header links to: ascending first, then descending."""
    links = {}
    for key in portfolio.SORTS:
        links[key] = f"-{key}" if filters.sort == key else key
    return links


# --- an action -------------------------------------------------------------------------------


def reduction_name(code: str) -> str:
    return f"reduction_{code}"


class ActionForm(forms.ModelForm):
    co_benefits = forms.MultipleChoiceField(
        label=_("Co-benefits"),
        required=False,
        choices=CoBenefit.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Action
        fields = [
            "title",
            "field",
            "lever",
            "description",
            "responsible",
            "stakeholders",
            "starts",
            "ends",
            "status",
            "capital_cost",
            "operating_cost",
        ]
        widgets = {
            "starts": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 6}),
            "stakeholders": forms.Textarea(attrs={"rows": 3}),
            "capital_cost": number_input(),
            "operating_cost": number_input(),
        }
        help_texts = {
            "description": _("Markdown: **bold**, *italic*, lists, links."),
            "capital_cost": _("In euros, such as 1250000 or 1250000.50."),
            "operating_cost": _("In euros a year."),
        }

    def __init__(self, *args: Any, reductions: dict[str, Decimal] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["field"].queryset = Term.objects.fields().order_by("position", "name")
        self.fields["lever"].queryset = Term.objects.levers().order_by("position", "name")
        self.fields["field"].empty_label = _("(not set)")
        self.fields["lever"].empty_label = _("(not set)")
        for name in ("capital_cost", "operating_cost"):
            self.fields[name].validators.append(_at_least_zero)
        self.fields["co_benefits"].initial = list(self.instance.co_benefits or [])
        reductions = reductions or {}
        for sector in sectors.SECTORS:
            self.fields[reduction_name(sector.code)] = forms.DecimalField(
                label=sector.label,
                required=False,
                widget=number_input(size=12),
                validators=[_at_least_zero],
                initial=reductions.get(sector.code),
                **TONNES,
            )

    def reduction_fields(self) -> list[forms.BoundField]:
        return [self[reduction_name(s.code)] for s in sectors.SECTORS]

    def main_fields(self) -> list[forms.BoundField]:
        skip = {reduction_name(s.code) for s in sectors.SECTORS}
        return [f for f in self if f.name not in skip]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("starts", "ends"):
            day = data.get(name)
            if day and not trajectory.FIRST_YEAR <= day.year <= trajectory.LAST_YEAR:
                self.add_error(
                    name,
                    _("Enter a date between %(first)s and %(last)s.")
                    % {"first": trajectory.FIRST_YEAR, "last": trajectory.LAST_YEAR},
                )
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error(
                "ends",
                _("The end comes after the start (%(start)s).") % {"start": starts.isoformat()},
            )
        return data

    def reductions(self) -> dict[str, Decimal]:
        """The expected reductions typed, per sector code (empty and zero left out)."""
        found = {}
        for sector in sectors.SECTORS:
            value = self.cleaned_data.get(reduction_name(sector.code))
            if value:
                found[sector.code] = value
        return found

    def action(self, contract: Any) -> Action:
        """The form's action, not saved (`services.save_action` saves it)."""
        action = self.save(commit=False)
        action.contract = contract
        action.co_benefits = list(self.cleaned_data.get("co_benefits") or [])
        return action


def _at_least_zero(value: Decimal | None) -> None:
    if value is not None and value < 0:
        raise forms.ValidationError(_("Enter zero or more."), code="negative")


# --- rows of an action: indicators, measured values, capital needs, funding ----------------


class RowForm(forms.Form):
    """A row of a formset: `id` is the stored row's (empty for a new one)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    row_fields: tuple[str, ...] = ()

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.row_fields}


class IndicatorForm(RowForm):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    target_2025 = forms.DecimalField(
        label=_("Target 2025"), required=False, widget=number_input(size=10), **TONNES
    )
    target_2027 = forms.DecimalField(
        label=_("Target 2027"), required=False, widget=number_input(size=10), **TONNES
    )
    target_2030 = forms.DecimalField(
        label=_("Target 2030"), required=False, widget=number_input(size=10), **TONNES
    )
    row_fields = ("name", "unit", "target_2025", "target_2027", "target_2030")


class MeasurementForm(RowForm):
    indicator = forms.TypedChoiceField(label=_("Indicator"), coerce=int)
    year = year_field()
    value = forms.DecimalField(label=_("Measured value"), widget=number_input(size=10), **TONNES)
    row_fields = ("indicator", "year", "value")

    def __init__(self, *args: Any, indicators: list[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", _("(choose)")), *indicators]

    def values(self) -> dict[str, Any]:
        values = super().values()
        return {
            "indicator_id": values.pop("indicator"),
            **values,
        }


class CapitalNeedForm(RowForm):
    year = year_field()
    amount = forms.DecimalField(
        label=_("Amount (EUR)"),
        widget=number_input(size=14),
        validators=[_at_least_zero],
        **EUROS,
    )
    row_fields = ("year", "amount")


class FundingForm(RowForm):
    year = year_field()
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("(choose)")), *Funding.Source.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("(choose)")), *Funding.Status.choices]
    )
    amount = forms.DecimalField(
        label=_("Amount (EUR)"),
        widget=number_input(size=14),
        validators=[_at_least_zero],
        **EUROS,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    row_fields = ("year", "source", "status", "amount", "note")


def formset_class(form: type[RowForm]) -> type[forms.BaseFormSet]:
    return forms.formset_factory(form, extra=2, can_delete=True, max_num=200, validate_max=True)


IndicatorFormSet = formset_class(IndicatorForm)
MeasurementFormSet = formset_class(MeasurementForm)
CapitalNeedFormSet = formset_class(CapitalNeedForm)
FundingFormSet = formset_class(FundingForm)


def changes_of(formset: forms.BaseFormSet) -> list[portfolio.Change]:
    """The rows of a valid formset that add, change or remove something."""
    changes = []
    for form in formset.forms:
        if not form.has_changed():
            continue
        data = form.cleaned_data
        pk = data.get("id")
        if data.get("DELETE"):
            if pk is not None:
                changes.append(portfolio.Change(pk, {}, delete=True))
            continue
        if not data:
            continue
        changes.append(portfolio.Change(pk, form.values()))
    return changes

"""Forms of the workspace pages: commitments (shares typed as percentages), interim targets and
signatories (formsets), a section's text, the inventory year's grid of sub-sectors × scopes, the
year to add, and the inventory upload.

The inventory grid is not a Django form: its cells come from `sectors.py` (a row per sub-sector,
grouped by sector; a column per scope, and removals), every cell keeps what was typed, and each
wrong cell carries its own message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.core.uploads import UploadValidator

from . import sectors, trajectory
from .commitments import Signer, Target
from .models import Contract
from .services import Row

HUNDRED = Decimal(100)
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_TONNES = Decimal(10) ** 12  # TONNES: 14 digits, 2 of them decimals


def _percent(share: Decimal | None) -> Decimal | None:
    return None if share is None else (share * HUNDRED).normalize()


class CommitmentsForm(forms.ModelForm):
    residual_percent = forms.DecimalField(
        label=_l("Residual emissions offset (% of the baseline)"),
        min_value=0,
        max_value=20,
        decimal_places=1,
        help_text=_l("At most 20 %: climate neutrality needs a reduction of at least 80 %."),
    )
    bau_percent = forms.DecimalField(
        label=_l("Business-as-usual change a year (%)"),
        min_value=-50,
        max_value=50,
        decimal_places=2,
        help_text=_l("How emissions would change each year without action: 1 for +1 % a year."),
    )
    covered_sectors = forms.MultipleChoiceField(
        label=_l("Sectors covered"),
        choices=[(s.code, s.label) for s in sectors.SECTORS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    covered_scopes = forms.TypedMultipleChoiceField(
        label=_l("Scopes covered"),
        choices=[(n, _l("Scope %(n)s") % {"n": n}) for n in sectors.SCOPES],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Contract
        fields = [
            "target_year",
            "baseline_year",
            "covered_sectors",
            "covered_scopes",
            "ambition",
            "priorities",
            "principles",
        ]
        widgets = {
            "target_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "baseline_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "ambition": forms.Textarea(attrs={"rows": 5}),
            "priorities": forms.Textarea(attrs={"rows": 5}),
            "principles": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "target_year": _l("2030 for Mission Cities, 2050 at the latest for other cities."),
            "baseline_year": _l("The year of the inventory every reduction is measured against."),
            "ambition": _l("Markdown."),
            "priorities": _l("Markdown."),
            "principles": _l("Markdown."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["residual_percent"] = _percent(self.instance.residual_share)
            self.initial["bau_percent"] = _percent(self.instance.bau_annual_change)
        self.order_fields(
            [
                "target_year",
                "baseline_year",
                "residual_percent",
                "bau_percent",
                "covered_sectors",
                "covered_scopes",
            ]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("residual_percent") is not None:
            self.instance.residual_share = (data["residual_percent"] / HUNDRED).quantize(
                Decimal("0.001")
            )
        if data.get("bau_percent") is not None:
            self.instance.bau_annual_change = (data["bau_percent"] / HUNDRED).quantize(
                Decimal("0.0001")
            )
        return data


class InterimTargetForm(forms.Form):
    year = forms.IntegerField(
        label=_l("Year"),
        min_value=trajectory.FIRST_YEAR,
        max_value=trajectory.LAST_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reduction_percent = forms.DecimalField(
        label=_l("Reduction below the baseline (%)"), min_value=0, max_value=100, decimal_places=1
    )
    note = forms.CharField(label=_l("Note"), max_length=300, required=False)


class BaseListFormSet(forms.BaseFormSet):
    """A formset whose empty extra forms are ignored and whose deleted forms are left out."""

    def kept(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form))
        ]


class InterimTargetFormSet(BaseListFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        years: set[int] = set()
        for form in self.kept():
            year = form.cleaned_data.get("year")
            if year in years:
                form.add_error("year", _("One interim target a year."))
            years.add(year)

    def targets(self) -> list[Target]:
        return [
            Target(
                f.cleaned_data["year"],
                (f.cleaned_data["reduction_percent"] / HUNDRED).quantize(Decimal("0.001")),
                f.cleaned_data.get("note") or "",
            )
            for f in self.kept()
        ]


InterimTargetForms = forms.formset_factory(
    InterimTargetForm, formset=InterimTargetFormSet, extra=2, can_delete=True, max_num=50
)


class SignatoryForm(forms.Form):
    organisation = forms.CharField(label=_l("Organisation"), max_length=200)
    commitment = forms.CharField(
        label=_l("Its commitment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_l("Markdown."),
    )
    signed_on = forms.DateField(
        label=_l("Signed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    order = forms.IntegerField(
        label=_l("Order"),
        required=False,
        min_value=0,
        max_value=1000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class SignatoryFormSet(BaseListFormSet):
    def signers(self) -> list[Signer]:
        kept = self.kept()
        ordered = sorted(
            enumerate(kept),
            key=lambda pair: (
                pair[1].cleaned_data.get("order")
                if pair[1].cleaned_data.get("order") is not None
                else 10_000,
                pair[0],
            ),
        )
        return [
            Signer(
                f.cleaned_data["organisation"],
                f.cleaned_data.get("commitment") or "",
                f.cleaned_data.get("signed_on"),
            )
            for _number, f in ordered
        ]


SignatoryForms = forms.formset_factory(
    SignatoryForm, formset=SignatoryFormSet, extra=2, can_delete=True, max_num=100
)


class NarrativeForm(forms.Form):
    text = forms.CharField(
        label=_l("Text"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_l("Markdown: headings with ##, lists with -, links as [text](https://…)."),
    )


class YearForm(forms.Form):
    """The year of an inventory to add or edit (the inventory page's small form)."""

    year = forms.IntegerField(
        label=_l("Year"),
        min_value=trajectory.FIRST_YEAR,
        max_value=trajectory.LAST_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _l("Type the year as a whole number, such as 2022.")},
    )


class ImportForm(forms.Form):
    workbook = forms.FileField(
        label=_l("Filled inventory workbook (XLSX)"),
        validators=[UploadValidator(kinds=frozenset({"xlsx"}), max_bytes=MAX_UPLOAD_BYTES)],
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=_l("An XLSX workbook of at most 2 MB, made from the template."),
    )


# --- the inventory year's grid ------------------------------------------------------------------


def allows_removals(sector: sectors.Sector) -> bool:
    """Whether a sector's sub-sectors get a removals column. `sectors.py` does not restrict
    removals (the import accepts them on any row), so every sector does unless a sector says
    otherwise with an `allows_removals` attribute."""
    return bool(getattr(sector, "allows_removals", True))


def parse_tonnes(text: str) -> Decimal:
    """A typed amount: spaces (thousands) ignored, a lone comma read as the decimal mark.
    ValueError with the message to show."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not number.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text})
    if number < 0:
        raise ValueError(_("Zero or more (removals go in their own column)."))
    if number >= MAX_TONNES:
        raise ValueError(_("Too large for an inventory line."))
    return number.quantize(Decimal("0.01"))


@dataclass
class Cell:
    name: str
    label: str  # the accessible name: sub-sector and column
    value: str = ""
    error: str = ""


@dataclass
class GridRow:
    subsector: sectors.SubSector
    cells: list[Cell | None]  # None where the column does not apply


@dataclass
class GridSector:
    sector: sectors.Sector
    rows: list[GridRow]


@dataclass
class InventoryGrid:
    """Sub-sectors (rows, by sector) × emission scopes and removals (columns)."""

    data: Mapping[str, Any] | None = None
    stored: Mapping[tuple[str, int, bool], Decimal] = field(default_factory=dict)
    removal_scopes: list[int] = field(default_factory=list)
    groups: list[GridSector] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    errors: int = 0

    @staticmethod
    def name(subsector: str, scope: int, removal: bool) -> str:
        return f"{'r' if removal else 'e'}-{subsector}-{scope}"

    def __post_init__(self) -> None:
        # Removals go in scope 1 (sinks inside the boundary); other scopes' removals get a
        # column only when the year has or was sent one, so that nothing stored is lost.
        scopes = {1}
        for (_code, scope, removal), _value in self.stored.items():
            if removal:
                scopes.add(scope)
        if self.data is not None:
            for key, value in self.data.items():
                match = re.fullmatch(r"r-[a-z-]+-([123])", key)
                if match and str(value).strip():
                    scopes.add(int(match.group(1)))
        self.removal_scopes = sorted(scopes)
        self.columns = [(scope, False) for scope in sectors.SCOPES] + [
            (scope, True) for scope in self.removal_scopes
        ]
        for sector in sectors.SECTORS:
            rows = []
            for sub in sector.subsectors:
                cells: list[Cell | None] = []
                for scope, removal in self.columns:
                    if removal and not allows_removals(sector):
                        cells.append(None)
                        continue
                    cells.append(self._cell(sub, scope, removal))
                rows.append(GridRow(sub, cells))
            self.groups.append(GridSector(sector, rows))

    def _cell(self, sub: sectors.SubSector, scope: int, removal: bool) -> Cell:
        name = self.name(sub.code, scope, removal)
        if removal:
            label = _("%(subsector)s: removals, scope %(scope)s") % {
                "subsector": sub.label,
                "scope": scope,
            }
        else:
            label = _("%(subsector)s: scope %(scope)s") % {"subsector": sub.label, "scope": scope}
        cell = Cell(name, label)
        if self.data is None:
            stored = self.stored.get((sub.code, scope, removal))
            cell.value = "" if stored is None else f"{stored.normalize():f}"
            return cell
        cell.value = str(self.data.get(name, "")).strip()[:40]
        if cell.value:
            try:
                amount = parse_tonnes(cell.value)
            except ValueError as error:
                cell.error = str(error)
                self.errors += 1
            else:
                self.rows.append(Row(sub.code, scope, amount, removal))
        return cell

    def column_labels(self) -> list[str]:
        return [
            _("Removals, scope %(n)s") % {"n": scope}
            if removal
            else _("Scope %(n)s") % {"n": scope}
            for scope, removal in self.columns
        ]

    def is_valid(self) -> bool:
        return self.data is not None and self.errors == 0

"""The inventory's XLSX template and its import, checked row by row: nothing is imported until
every row is right, and every wrong row is named with its spreadsheet row number."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from . import caching, sectors, trajectory
from .models import Contract
from .services import ContractError, Row, save_inventory_year

SHEET = "Inventory"
MAX_ROWS = 5000
YES, NO = {"yes", "y", "true", "1", "x"}, {"", "no", "n", "false", "0"}


def headers() -> list[str]:
    return [
        _("Year"),
        _("Sector"),
        _("Sub-sector code"),
        _("Sub-sector"),
        _("Scope"),
        _("t CO2e"),
        _("Removal (yes/no)"),
    ]


def template(year: int | None = None) -> bytes:
    """A workbook with one row per sub-sector and scope (amounts empty) for `year`."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(headers())
    for sector in sectors.SECTORS:
        for sub in sector.subsectors:
            for scope in sectors.SCOPES:
                sheet.append([year, str(sector.label), sub.code, str(sub.label), scope, None, "no"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class Problem:
    row: int  # the spreadsheet's row number
    message: str


def _number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    number = Decimal(text)
    if not number.is_finite():
        raise InvalidOperation
    return number


def read(data: bytes) -> tuple[dict[int, list[Row]], list[Problem]]:
    """The rows of an uploaded workbook by year, and the problems of its rows."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file gets the same message
        return {}, [Problem(0, _("This is not an XLSX workbook; start from the template."))]
    sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    by_year: dict[int, list[Row]] = defaultdict(list)
    lines: dict[int, list[int]] = defaultdict(list)  # year → spreadsheet rows of its lines
    problems: list[Problem] = []
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if number > MAX_ROWS + 1:
            problems.append(Problem(number, _("At most %(n)s rows.") % {"n": MAX_ROWS}))
            break
        cells = list(values) + [None] * 7
        year, _sector, code, _label, scope, amount, removal = cells[:7]
        if amount is None or str(amount).strip() == "":
            continue  # a template row left empty
        found = []
        try:
            year = int(str(year).strip())
            if not trajectory.FIRST_YEAR <= year <= trajectory.LAST_YEAR:
                raise ValueError
        except (TypeError, ValueError):
            found.append(
                _("The year must be a whole number from %(first)s to %(last)s.")
                % {"first": trajectory.FIRST_YEAR, "last": trajectory.LAST_YEAR}
            )
        code = str(code or "").strip()
        if code not in sectors.SUBSECTOR_BY_CODE:
            found.append(_("Unknown sub-sector code “%(code)s”.") % {"code": code})
        try:
            scope = int(str(scope).strip())
            if scope not in sectors.SCOPES:
                raise ValueError
        except (TypeError, ValueError):
            found.append(_("The scope is 1, 2 or 3."))
        try:
            tonnes = _number(amount)
            if tonnes < 0:
                found.append(_("Emissions are zero or more (mark removals as removals)."))
        except (InvalidOperation, ValueError):
            found.append(_("“%(value)s” is not a number of tonnes.") % {"value": amount})
        flag = str(removal or "").strip().lower()
        if flag not in YES | NO:
            found.append(_("Removal is “yes” or “no”."))
        if found:
            problems.extend(Problem(number, message) for message in found)
            continue
        by_year[year].append(Row(code, scope, tonnes.quantize(Decimal("0.01")), flag in YES))
        lines[year].append(number)
    for year, rows in by_year.items():
        seen: dict[tuple[str, int, bool], int] = {}
        for row, number in zip(rows, lines[year], strict=True):
            key = (row.subsector, row.scope, row.removal)
            if key in seen:
                problems.append(
                    Problem(
                        number,
                        _("The same year, sub-sector, scope and kind as row %(row)s.")
                        % {"row": seen[key]},
                    )
                )
            else:
                seen[key] = number
    if not by_year and not problems:
        problems.append(Problem(0, _("The workbook has no amounts to import.")))
    return dict(by_year), sorted(problems, key=lambda p: p.row)


@transaction.atomic
def import_inventory(contract: Contract, data: bytes, *, actor: Any) -> dict[int, int]:
    """Import every year of the workbook ({year: rows}), replacing those years' rows; raises
    ImportProblems (nothing imported) when any row is wrong."""
    by_year, problems = read(data)
    if problems:
        raise ImportProblems(problems)
    for year, rows in sorted(by_year.items()):
        save_inventory_year(contract, year, rows, actor=actor, source=_("Imported workbook"))
    caching.contract_changed(contract.pk)
    return {year: len(rows) for year, rows in by_year.items()}


class ImportProblems(ContractError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            _("%(n)s rows need fixing; nothing was imported.")
            % {"n": len({p.row for p in problems})}
        )

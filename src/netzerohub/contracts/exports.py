"""The whole contract as a document, following the template's sections in order — Commitments,
A-1 … C-3, the investment plan — read from a version's JSON (`snapshot.snapshot_of` and
`Figures.as_json`), so that the draft and every frozen version go through one code path:

- `document(snapshot, figures)`: the sections as plain values (what the version page, the PDF
  and the XLSX show);
- `render_pdf(snapshot, figures, site=...)`: the PDF (WeasyPrint, nothing fetched; Markdown
  through `core.markdown`);
- `write_xlsx(snapshot, figures, out)`: one sheet per section, written row by row
  (openpyxl's write-only mode), every user string neutralised.

Two optional keys of the snapshot, added by the views (a version's JSON does not keep them):
`"is_sample": True` makes a sample say so on the first page and the first sheet; `"version"`
(a number, or None for the draft) is printed on the title page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from netzerohub.core import pdf
from netzerohub.core.models import Term
from netzerohub.core.spreadsheets import neutralise

from . import sectors, trajectory
from .models import NARRATIVES, Action, CoBenefit, Funding

# The template's sections in order (the review's section codes, `services.SECTIONS`).
SECTION_TITLES = (
    ("commitments", _l("Commitments")),
    ("A-1", _l("A-1 Greenhouse gas emissions baseline inventory")),
    ("A-2", _l("A-2 Current policies and strategies, and the emissions gap")),
    ("A-3", _l("A-3 Systemic barriers and opportunities")),
    ("B-1", _l("B-1 Climate neutrality scenarios and impact pathways")),
    ("B-2", _l("B-2 Action portfolio and action outlines")),
    ("B-3", _l("B-3 Indicators for monitoring, evaluation and learning")),
    ("C-1", _l("C-1 Organisational and governance innovation")),
    ("C-2", _l("C-2 Social and other innovation")),
    ("C-3", _l("C-3 Financing the action portfolio")),
    ("investment", _l("Investment plan")),
)
TARGET_YEARS = ("2025", "2027", "2030")
ZERO = Decimal(0)


def number(value: Any) -> Decimal | None:
    """A stored amount (a string in the JSON) as a Decimal; None when missing or unreadable."""
    if value is None or value == "":
        return None
    try:
        found = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return found if found.is_finite() else None


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


def _terms() -> dict[str, dict[str, str]]:
    """Fields of action and levers of change: {kind: {slug: name}} in the taxonomy's order."""
    found: dict[str, dict[str, str]] = {"field": {}, "lever": {}}
    for kind, slug, name in Term.objects.filter(kind__in=("field", "lever")).values_list(
        "kind", "slug", "name"
    ):
        found[kind][slug] = name
    return found


def _subsector_order() -> dict[str, int]:
    return {code: n for n, code in enumerate(sectors.SUBSECTOR_BY_CODE)}


# --- the sections -------------------------------------------------------------------------------


def _percent(share: Decimal | None) -> Decimal | None:
    return None if share is None else (share * 100).normalize()


def _commitments(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "residual_percent": _percent(number(c.get("residual_share"))),
        "bau_percent": _percent(number(c.get("bau_annual_change"))),
        "target_year": c.get("target_year"),
        "baseline_year": c.get("baseline_year"),
        "residual_share": number(c.get("residual_share")),
        "bau_annual_change": number(c.get("bau_annual_change")),
        "sectors": [
            str(sectors.SECTOR_BY_CODE[code].label)
            for code in c.get("covered_sectors", [])
            if code in sectors.SECTOR_BY_CODE
        ],
        "scopes": list(c.get("covered_scopes", [])),
        "ambition": c.get("ambition", ""),
        "priorities": c.get("priorities", ""),
        "principles": c.get("principles", ""),
        "interim_targets": [
            {
                "year": t["year"],
                "reduction_share": number(t.get("reduction_share")),
                "reduction_percent": _percent(number(t.get("reduction_share"))),
                "note": t.get("note", ""),
            }
            for t in c.get("interim_targets", [])
        ],
        "signatories": list(c.get("signatories", [])),
    }


def _inventory(inventory: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each year: its rows (sector order), sub-sectors × scopes, removals apart, totals."""
    order = _subsector_order()
    years = []
    for year in sorted(inventory, key=lambda y: y["year"]):
        rows = []
        for row in sorted(
            year.get("rows", []),
            key=lambda r: (order.get(r["subsector"], 999), r["scope"], r["removal"]),
        ):
            sub = sectors.SUBSECTOR_BY_CODE.get(row["subsector"])
            rows.append(
                {
                    "code": row["subsector"],
                    "sector": str(sectors.SECTOR_BY_CODE[sub.sector].label) if sub else "",
                    "sector_code": sub.sector if sub else "",
                    "subsector": str(sub.label) if sub else row["subsector"],
                    "scope": row["scope"],
                    "tco2e": number(row["tco2e"]) or ZERO,
                    "removal": bool(row["removal"]),
                }
            )
        pivot: dict[str, dict[str, Any]] = {}
        by_sector: dict[str, Decimal] = {}
        for row in rows:
            if row["removal"]:
                continue
            line = pivot.setdefault(
                row["code"],
                {"sector": row["sector"], "subsector": row["subsector"], "scopes": {}},
            )
            line["scopes"][row["scope"]] = row["tco2e"]
            by_sector[row["sector"]] = by_sector.get(row["sector"], ZERO) + row["tco2e"]
        for line in pivot.values():
            line["by_scope"] = [line["scopes"].get(scope) for scope in sectors.SCOPES]
            line["total"] = _sum(line["scopes"].values())
        gross = _sum(r["tco2e"] for r in rows if not r["removal"])
        removals = _sum(r["tco2e"] for r in rows if r["removal"])
        years.append(
            {
                "year": year["year"],
                "source": year.get("source", ""),
                "rows": rows,
                "pivot": list(pivot.values()),
                "removal_rows": [r for r in rows if r["removal"]],
                "by_sector": by_sector,
                "gross": gross,
                "removals": removals,
                "net": gross - removals,
            }
        )
    return years


def gap_of(snapshot: dict[str, Any], figures: dict[str, Any]) -> dict[str, Any] | None:
    """A-2.3: BAU in the target year, residual, required, expected and gap, overall and per
    sector (None without a baseline and a target year, or without a baseline inventory)."""
    c = snapshot.get("commitments", {})
    base, target = c.get("baseline_year"), c.get("target_year")
    baseline = figures.get("years", {}).get(str(base)) if base else None
    if base is None or target is None or baseline is None or target <= base:
        return None
    settings = trajectory.Settings(
        base,
        target,
        number(c.get("residual_share")) or ZERO,
        number(c.get("bau_annual_change")) or ZERO,
    )
    baseline_by_sector = {k: number(v) or ZERO for k, v in baseline.get("by_sector", {}).items()}
    expected = {k: number(v) or ZERO for k, v in figures.get("expected_by_sector", {}).items()}
    report = trajectory.gaps(baseline_by_sector, expected, settings)
    rows = [
        {"label": str(sectors.SECTOR_BY_CODE[code].label), "gap": report.sectors[code]}
        for code in sectors.SECTOR_BY_CODE
        if code in report.sectors
    ]
    return {"target_year": target, "overall": report.overall, "sectors": rows}


def _actions(actions: list[dict[str, Any]], terms: dict[str, dict[str, str]]) -> list[dict]:
    statuses = dict(Action.Status.choices)
    benefits = dict(CoBenefit.choices)
    found = []
    for number_, a in enumerate(actions, start=1):
        reductions = [
            {"sector": str(sectors.SECTOR_BY_CODE[code].label), "tco2e": number(amount)}
            for code in sectors.SECTOR_BY_CODE
            if (amount := a.get("reductions", {}).get(code)) is not None
        ]
        needs = {int(y): number(v) or ZERO for y, v in a.get("capital_needs", {}).items()}
        found.append(
            {
                "number": number_,
                "id": a.get("id"),
                "title": a.get("title", ""),
                "field_slug": a.get("field"),
                "lever_slug": a.get("lever"),
                "field": terms["field"].get(a.get("field") or "", ""),
                "lever": terms["lever"].get(a.get("lever") or "", ""),
                "description": a.get("description", ""),
                "responsible": a.get("responsible", ""),
                "stakeholders": a.get("stakeholders", ""),
                "starts": a.get("starts"),
                "ends": a.get("ends"),
                "status": str(statuses.get(a.get("status"), a.get("status") or "")),
                "capital_cost": number(a.get("capital_cost")),
                "operating_cost": number(a.get("operating_cost")),
                "co_benefits": [str(benefits.get(b, b)) for b in a.get("co_benefits", [])],
                "reductions": reductions,
                "reduction": _sum(r["tco2e"] for r in reductions),
                "indicators": a.get("indicators", []),
                "needs": needs,
                "need": _sum(needs.values()),
                "funding": a.get("funding", []),
            }
        )
    return found


def _matrix(actions: list[dict], terms: dict[str, dict[str, str]]) -> dict[str, Any]:
    """B-1: how many actions sit at each field of action × lever of change."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    unplaced = 0
    for a in actions:
        if a["field_slug"] and a["lever_slug"]:
            counts[(a["field_slug"], a["lever_slug"])] += 1
        else:
            unplaced += 1
    levers = list(terms["lever"].items())
    rows = [
        {
            "field": name,
            "cells": [counts.get((slug, lever), 0) for lever, _name in levers],
            "total": sum(counts.get((slug, lever), 0) for lever, _name in levers),
        }
        for slug, name in terms["field"].items()
    ]
    return {"levers": [name for _slug, name in levers], "rows": rows, "unplaced": unplaced}


def _indicators(actions: list[dict]) -> list[dict[str, Any]]:
    rows = []
    for a in actions:
        for i in a["indicators"]:
            measured = sorted(i.get("measured", {}).items())
            rows.append(
                {
                    "action": a["title"],
                    "name": i.get("name", ""),
                    "unit": i.get("unit", ""),
                    "targets": [number(i.get("targets", {}).get(y)) for y in TARGET_YEARS],
                    "measured": [(int(year), number(value)) for year, value in measured],
                }
            )
    return rows


def _investment(actions: list[dict], terms: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Capital needs and funding per year, funding by source and status, the funding gap per
    year (needs not covered by secured or expected funding) and per field of action."""
    needs: dict[int, Decimal] = defaultdict(Decimal)
    found: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_source: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_field: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for a in actions:
        field = a["field"] or str(_("No field of action"))
        for year, amount in a["needs"].items():
            needs[year] += amount
            by_field[field]["need"] += amount
        for f in a["funding"]:
            amount = number(f.get("amount")) or ZERO
            found[int(f["year"])][f["status"]] += amount
            by_source[f["source"]][f["status"]] += amount
            if f["status"] in ("secured", "expected"):
                by_field[field]["covered"] += amount
    statuses = [code for code, _label in Funding.Status.choices]
    years = []
    for year in sorted({*needs, *found}):
        covered = found[year]["secured"] + found[year]["expected"]
        years.append(
            {
                "year": year,
                "need": needs.get(year, ZERO),
                "by_status": [found[year][s] for s in statuses],
                "gap": max(ZERO, needs.get(year, ZERO) - covered),
            }
        )
    sources = [
        {
            "source": str(label),
            "by_status": [by_source[code][s] for s in statuses],
            "total": _sum(by_source[code].values()),
        }
        for code, label in Funding.Source.choices
        if code in by_source
    ]
    fields = [
        {
            "field": name,
            "need": by_field[name]["need"],
            "covered": by_field[name]["covered"],
            "gap": max(ZERO, by_field[name]["need"] - by_field[name]["covered"]),
        }
        for name in [*terms["field"].values(), str(_("No field of action"))]
        if name in by_field
    ]
    labels = [str(label) for _code, label in Funding.Status.choices]
    by_status = [_sum(y["by_status"][n] for y in years) for n in range(len(statuses))]
    return {
        "statuses": labels,
        "years": years,
        "sources": sources,
        "fields": fields,
        "need": _sum(y["need"] for y in years),
        "by_status": by_status,
        "totals": list(zip(labels, by_status, strict=True)),
        "gap": _sum(y["gap"] for y in years),
        "actions": [a for a in actions if a["need"] or a["funding"]],
    }


def document(snapshot: dict[str, Any], figures: dict[str, Any]) -> dict[str, Any]:
    """The contract's sections as plain values, from a version's JSON (one query: the
    taxonomy's names)."""
    terms = _terms()
    c = snapshot.get("commitments", {})
    texts = c.get("narratives", {})
    actions = _actions(snapshot.get("actions", []), terms)
    inventory = _inventory(snapshot.get("inventory", []))
    baseline = next((y for y in inventory if y["year"] == c.get("baseline_year")), None)
    return {
        "city": snapshot.get("city", {}).get("name", ""),
        "is_sample": bool(snapshot.get("is_sample")),
        # keys without the hyphen ("A1"): templates read them as `doc.titles.A1`
        "titles": {code.replace("-", ""): label for code, label in SECTION_TITLES},
        "narrative_titles": {code.replace("-", ""): label for code, label in NARRATIVES},
        "texts": {code.replace("-", ""): texts.get(code, "") for code, _label in NARRATIVES},
        "commitments": _commitments(c),
        "inventory": inventory,
        "baseline": baseline,
        "latest": inventory[-1] if inventory else None,
        "gap": gap_of(snapshot, figures),
        "expected": number(figures.get("expected")),
        "matrix": _matrix(actions, terms),
        "actions": actions,
        "indicators": _indicators(actions),
        "investment": _investment(actions, terms),
        "funding_gap": number(figures.get("funding_gap")),
    }


# --- PDF ----------------------------------------------------------------------------------------


def render_pdf(snapshot: dict[str, Any], figures: dict[str, Any], *, site: str) -> bytes:
    """The contract as a PDF; `site` (the portal's address) is printed as where it comes from."""
    return pdf.render_pdf(
        "contracts/contract_pdf.html",
        {
            "doc": document(snapshot, figures),
            "version": snapshot.get("version"),
            "site": site.rstrip("/"),
        },
    )


# --- XLSX ---------------------------------------------------------------------------------------


def _text(value: Any) -> Any:
    """A cell: user strings neutralised (never a formula) and stripped of characters XLSX
    refuses; numbers as they are."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _sheets(doc: dict[str, Any], figures: dict[str, Any]) -> Iterator[tuple[str, list[list]]]:
    titles = doc["titles"]
    c = doc["commitments"]
    texts = doc["texts"]
    first = [[str(titles["commitments"])], [_("City"), doc["city"]]]
    if doc["is_sample"]:
        first.insert(
            0, [_("Sample content (demo): invented figures that say nothing about this city.")]
        )
    first += [
        [_("Climate neutrality by"), c["target_year"]],
        [_("Baseline year"), c["baseline_year"]],
        [_("Residual emissions offset (share of the baseline)"), c["residual_share"]],
        [_("Business-as-usual change a year"), c["bau_annual_change"]],
        [_("Sectors covered"), ", ".join(c["sectors"])],
        [_("Scopes covered"), ", ".join(str(s) for s in c["scopes"])],
        [_("Ambition"), c["ambition"]],
        [_("Strategic priorities"), c["priorities"]],
        [_("Principles and process"), c["principles"]],
        [],
        [_("Interim targets"), _("Reduction below the baseline"), _("Note")],
        *([t["year"], t["reduction_share"], t["note"]] for t in c["interim_targets"]),
        [],
        [_("Signatory"), _("Its commitment"), _("Signed on")],
        *(
            [s.get("organisation", ""), s.get("commitment", ""), s.get("signed_on")]
            for s in c["signatories"]
        ),
    ]
    yield _("Commitments"), first

    a1 = [[str(titles["A1"])]]
    a1.append([_("Year"), _("Sector"), _("Sub-sector code"), _("Sub-sector"), _("Scope"),
               _("t CO2e"), _("Removal (yes/no)")])  # fmt: skip
    for year in doc["inventory"]:
        for row in year["rows"]:
            a1.append(
                [
                    year["year"],
                    row["sector"],
                    row["code"],
                    row["subsector"],
                    row["scope"],
                    row["tco2e"],
                    _("yes") if row["removal"] else _("no"),
                ]  # fmt: skip
            )
    a1 += [[], [_("Year"), _("Gross emissions (t CO2e)"), _("Removals (t CO2e)"), _("Net")]]
    a1 += [[y["year"], y["gross"], y["removals"], y["net"]] for y in doc["inventory"]]
    yield "A-1", a1

    a2 = [[str(titles["A2"])], [texts["A2"]], [], [_("A-2.3 The emissions gap")]]
    gap = doc["gap"]
    if gap is None:
        a2.append([_("No gap without a baseline year, a target year and a baseline inventory.")])
    else:
        a2.append(
            [
                _("Sector"),
                _("Baseline (t CO2e)"),
                _("BAU in %(year)s") % {"year": gap["target_year"]},
                _("Residual"),
                _("Required reduction"),
                _("Expected reduction"),
                _("Gap"),
            ]  # fmt: skip
        )
        for label, g in [(_("All sectors"), gap["overall"])] + [
            (r["label"], r["gap"]) for r in gap["sectors"]
        ]:
            a2.append([label, g.baseline, g.bau, g.residual, g.required, g.expected, g.gap])
    a2 += [[], [str(_("How the remaining emissions gap will be closed"))], [texts["gap"]]]
    yield "A-2", a2

    yield "A-3", [[str(titles["A3"])], [texts["A3"]]]

    matrix = doc["matrix"]
    b1 = [[str(titles["B1"])], [_("Field of action"), *matrix["levers"], _("Total")]]
    b1 += [[row["field"], *row["cells"], row["total"]] for row in matrix["rows"]]
    if matrix["unplaced"]:
        b1.append([_("Actions without a field or lever"), matrix["unplaced"]])
    b1 += [[], [texts["B1"]]]
    yield "B-1", b1

    b2 = [[str(titles["B2"])]]
    b2.append(
        [
            _("No."),
            _("Action"),
            _("Field of action"),
            _("Lever of change"),
            _("Status"),
            _("Start"),
            _("End"),
            _("Responsible body"),
            _("Stakeholders"),
            _("Expected reduction (t CO2e a year)"),
            _("Capital cost (EUR)"),
            _("Operating cost a year (EUR)"),
            _("Co-benefits"),
            _("Description"),
        ]  # fmt: skip
    )
    for a in doc["actions"]:
        b2.append(
            [
                a["number"],
                a["title"],
                a["field"],
                a["lever"],
                a["status"],
                a["starts"],
                a["ends"],
                a["responsible"],
                a["stakeholders"],
                a["reduction"],
                a["capital_cost"],
                a["operating_cost"],
                ", ".join(a["co_benefits"]),
                a["description"],
            ]  # fmt: skip
        )
    b2 += [[], [_("Action"), _("Sector"), _("Expected reduction (t CO2e a year)")]]
    b2 += [[a["title"], r["sector"], r["tco2e"]] for a in doc["actions"] for r in a["reductions"]]
    b2 += [[], [str(_("Residual emissions strategy"))], [texts["B2"]]]
    yield "B-2", b2

    b3 = [[str(titles["B3"])]]
    b3.append([_("Action"), _("Indicator"), _("Unit"), *(_("Target %(year)s") % {"year": y}
               for y in TARGET_YEARS), _("Measured values")])  # fmt: skip
    for i in doc["indicators"]:
        measured = "; ".join(f"{year}: {value}" for year, value in i["measured"])
        b3.append([i["action"], i["name"], i["unit"], *i["targets"], measured])
    yield "B-3", b3

    yield "C-1", [[str(titles["C1"])], [texts["C1"]]]
    yield "C-2", [[str(titles["C2"])], [texts["C2"]]]
    inv = doc["investment"]
    c3 = [[str(titles["C3"])], [texts["C3"]], [], [_("Financing summary")]]
    c3 += [
        [_("Capital needs (EUR)"), inv["need"]],
        *([label, amount] for label, amount in zip(inv["statuses"], inv["by_status"], strict=True)),
        [_("Funding gap (EUR)"), inv["gap"]],
    ]
    yield "C-3", c3

    plan = [[str(titles["investment"])], [_("Year"), _("Capital needs (EUR)"), *inv["statuses"],
            _("Funding gap (EUR)")]]  # fmt: skip
    plan += [[y["year"], y["need"], *y["by_status"], y["gap"]] for y in inv["years"]]
    plan += [[], [_("Source"), *inv["statuses"], _("Total")]]
    plan += [[s["source"], *s["by_status"], s["total"]] for s in inv["sources"]]
    plan += [[], [_("Field of action"), _("Capital needs (EUR)"), _("Secured or expected"),
             _("Funding gap (EUR)")]]  # fmt: skip
    plan += [[f["field"], f["need"], f["covered"], f["gap"]] for f in inv["fields"]]
    plan += [[], [_("Action"), _("Year"), _("Capital need (EUR)")]]
    plan += [
        [a["title"], y, amount] for a in inv["actions"] for y, amount in sorted(a["needs"].items())
    ]
    plan += [[], [_("Action"), _("Year"), _("Source"), _("Status"), _("Amount (EUR)"), _("Note")]]
    sources, statuses = dict(Funding.Source.choices), dict(Funding.Status.choices)
    plan += [
        [
            a["title"],
            f["year"],
            str(sources.get(f["source"], f["source"])),
            str(statuses.get(f["status"], f["status"])),
            number(f.get("amount")),
            f.get("note", ""),
        ]  # fmt: skip
        for a in inv["actions"]
        for f in a["funding"]
    ]
    yield _("Investment plan"), plan


def write_xlsx(snapshot: dict[str, Any], figures: dict[str, Any], out: BinaryIO) -> None:
    """The contract as a workbook, one sheet per section, written into `out`."""
    book = Workbook(write_only=True)
    for title, rows in _sheets(document(snapshot, figures), figures):
        sheet = book.create_sheet(title=str(title)[:31])
        for row in rows:
            sheet.append([_text(v) for v in row])
    book.save(out)

"""The contract's exports (PDF, XLSX) from a version's JSON: the template's sections in order,
the gap and the investment plan as computed by hand, user text never a formula, the sample
notice, and the export pages (who may, formats, rate limit, file names)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from netzerohub.contracts import exports, services
from netzerohub.contracts.figures import figures_of
from netzerohub.contracts.models import (
    Action,
    CapitalNeed,
    Contract,
    Funding,
    Indicator,
    InterimTarget,
    Measurement,
    Signatory,
)
from netzerohub.contracts.review_views import EXPORTS_PER_HOUR
from netzerohub.contracts.services import Row
from netzerohub.contracts.snapshot import snapshot_of
from netzerohub.core.models import Term

D = Decimal


def full_contract(city, actor, *, secret: str = "") -> Contract:
    """A workspace with every part filled: baseline 2020 of 1,000 t (residential 600 scope 1,
    on-road 400 scope 1) and 50 t of removals, target 2030, residual 20 %, no BAU change, so
    required = 1000 − 200 = 800; two actions expecting 300 + 200 = 500 (gap 300); capital needs
    2026: 1,000,000 and 2027: 500,000; funding 2026 secured 600,000, 2027 expected 100,000 and
    a 'gap' row of 200,000 (not covering): funding gap 400,000 + 400,000 = 800,000."""
    contract = services.workspace(city)
    contract.baseline_year, contract.target_year = 2020, 2030
    contract.residual_share, contract.bau_annual_change = D("0.2"), D(0)
    contract.covered_sectors, contract.covered_scopes = ["stationary", "transportation"], [1, 2]
    contract.ambition = f"Climate neutral by **2030**{secret}"
    contract.priorities = "Buildings first"
    contract.narratives = {"A-2": "Policies text", "C-3": "Green bonds", "gap": "We explain it."}
    contract.save()
    InterimTarget.objects.create(contract=contract, year=2025, reduction_share=D("0.4"))
    Signatory.objects.create(
        contract=contract, organisation='=HYPERLINK("x")', commitment="We sign"
    )
    services.save_inventory_year(
        contract,
        2020,
        [
            Row("residential", 1, D(600)),
            Row("on-road", 1, D(400)),
            Row("afolu", 1, D(50), removal=True),
        ],
        actor=actor,
    )
    services.save_inventory_year(contract, 2022, [Row("residential", 1, D(700))], actor=actor)
    field = Term.objects.filter(kind="field").order_by("position").first()
    lever = Term.objects.filter(kind="lever").order_by("position").first()
    tram = services.save_action(
        Action(
            contract=contract,
            title=f"Tram line{secret}",
            field=field,
            lever=lever,
            description="Build a *tram*",
            starts=dt.date(2025, 1, 1),
            ends=dt.date(2028, 12, 31),
            co_benefits=["health"],
        ),
        actor=actor,
        reductions={"transportation": D(300)},
    )
    heat = services.save_action(
        Action(contract=contract, title="Heat pumps"),
        actor=actor,
        reductions={"stationary": D(200)},
    )
    indicator = Indicator.objects.create(
        action=tram, name="Tram riders", unit="k/day", target_2025=D(10), target_2030=D(50)
    )
    Measurement.objects.create(indicator=indicator, year=2024, value=D(8))
    CapitalNeed.objects.create(action=tram, year=2026, amount=D(1_000_000))
    CapitalNeed.objects.create(action=heat, year=2027, amount=D(500_000))
    Funding.objects.create(action=tram, year=2026, source="eu", status="secured", amount=D(600_000))
    Funding.objects.create(
        action=heat, year=2027, source="municipal", status="expected", amount=D(100_000)
    )
    Funding.objects.create(action=heat, year=2027, source="loans", status="gap", amount=D(200_000))
    return contract


def _json(contract: Contract) -> tuple[dict, dict]:
    return snapshot_of(contract), figures_of(contract).as_json()


@pytest.fixture
def contract(city, member):
    return full_contract(city, member)


def test_the_document_follows_the_template_with_the_gap_computed_by_hand(contract):
    doc = exports.document(*_json(contract))
    assert list(doc["titles"]) == [
        "commitments", "A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3", "investment",
    ]  # fmt: skip
    gap = doc["gap"]["overall"]
    assert (gap.baseline, gap.bau, gap.residual) == (D(1000), D(1000), D(200))
    assert (gap.required, gap.expected, gap.gap) == (D(800), D(500), D(300))
    baseline = doc["baseline"]
    assert (baseline["gross"], baseline["removals"], baseline["net"]) == (D(1000), D(50), D(950))
    inv = doc["investment"]
    assert [(y["year"], y["need"], y["gap"]) for y in inv["years"]] == [
        (2026, D(1_000_000), D(400_000)),
        (2027, D(500_000), D(400_000)),
    ]
    assert inv["gap"] == D(800_000) == exports.number(figures_of(contract).as_json()["funding_gap"])
    assert doc["matrix"]["unplaced"] == 1 and sum(r["total"] for r in doc["matrix"]["rows"]) == 1


def test_the_xlsx_has_one_sheet_per_section_and_never_a_formula(contract):
    out = io.BytesIO()
    exports.write_xlsx(*_json(contract), out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == [
        "Commitments", "A-1", "A-2", "A-3", "B-1", "B-2", "B-3", "C-1", "C-2", "C-3",
        "Investment plan",
    ]  # fmt: skip
    values = [c for ws in book for row in ws.iter_rows(values_only=True) for c in row]
    assert '\'=HYPERLINK("x")' in values  # the signatory's name, neutralised
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    a2 = list(book["A-2"].iter_rows(values_only=True))
    overall = next(r for r in a2 if r[0] == "All sectors")
    assert [D(str(v)) for v in overall[1:7]] == [D(1000), D(1000), D(200), D(800), D(500), D(300)]
    a1 = [r for r in book["A-1"].iter_rows(values_only=True) if r[0] == 2020]
    assert ("afolu", "yes") in {(r[2], r[6]) for r in a1}


def test_the_pdf_is_a_pdf_and_a_sample_says_so(contract):
    snapshot, figures = _json(contract)
    data = exports.render_pdf({**snapshot, "is_sample": True}, figures, site="https://hub.test/")
    assert data.startswith(b"%PDF")
    html = exports.pdf.render_to_string(  # the same template, read as text
        "contracts/contract_pdf.html",
        {"doc": exports.document({**snapshot, "is_sample": True}, figures), "site": "x"},
    )
    assert "Sample workspace (demo)" in html
    assert "<strong>2030</strong>" in html  # Markdown rendered
    heads = ['">A-1 ', "A-2.3", '">B-1 ', '">B-3 ', '">C-3 ', '">Investment plan']
    positions = [html.index(head) for head in heads]
    assert positions == sorted(positions)


def test_an_empty_workspace_exports(city, member):
    contract = services.workspace(city)
    snapshot, figures = _json(contract)
    assert exports.render_pdf(snapshot, figures, site="").startswith(b"%PDF")
    exports.write_xlsx(snapshot, figures, io.BytesIO())


# --- the export pages ----------------------------------------------------------------------------


def test_members_download_the_draft_as_pdf_and_xlsx(client, contract, member):
    client.force_login(member)
    response = client.get(reverse("contracts:export", args=[contract.city_id, "pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(
        response.streaming_content if response.streaming else [response.content]
    ).startswith(b"%PDF")
    assert "draft" in response["Content-Disposition"]
    response = client.get(reverse("contracts:export", args=[contract.city_id, "xlsx"]))
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]


def test_an_unknown_format_and_another_city_are_404(
    client, contract, member, other_lead, other_city
):
    client.force_login(member)
    assert (
        client.get(reverse("contracts:export", args=[contract.city_id, "docx"])).status_code == 404
    )
    client.force_login(other_lead)
    assert (
        client.get(reverse("contracts:export", args=[contract.city_id, "pdf"])).status_code == 404
    )
    assert client.get(reverse("contracts:export", args=[999999, "pdf"])).status_code == 404


def test_a_version_exports_its_frozen_snapshot(client, contract, lead, member, coordinator):
    version = services.submit(contract, actor=lead)
    Action.objects.filter(contract=contract).update(title="Renamed after submission")
    client.force_login(coordinator)
    response = client.get(reverse("contracts:version-export", args=[version.pk, "xlsx"]))
    assert response.status_code == 200
    assert f"v{version.number}" in response["Content-Disposition"]
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    titles = [r[1] for r in book["B-2"].iter_rows(values_only=True)]
    assert "Heat pumps" in titles and "Renamed after submission" not in titles
    assert (
        client.get(reverse("contracts:version-export", args=[version.pk, "csv"])).status_code == 404
    )


def test_exports_are_rate_limited(client, contract, member, settings):
    client.force_login(member)
    url = reverse("contracts:export", args=[contract.city_id, "xlsx"])
    codes = [client.get(url).status_code for _ in range(EXPORTS_PER_HOUR + 1)]
    assert codes[:-1] == [200] * EXPORTS_PER_HOUR and codes[-1] == 302

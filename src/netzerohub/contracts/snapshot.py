"""A workspace as plain JSON: what a submitted version keeps, and what its exports and history
read. Amounts are strings (exact decimals), dates ISO; every list in a stable order."""

from __future__ import annotations

from typing import Any

from .models import NARRATIVE_CODES, Action, Contract


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def snapshot_of(contract: Contract) -> dict[str, Any]:
    actions = (
        Action.objects.filter(contract=contract)
        .select_related("field", "lever")
        .prefetch_related("reductions", "indicators__measurements", "capital_needs", "funding")
        .order_by("position", "id")
    )
    return {
        "city": {"id": contract.city_id, "name": contract.city.name},
        "commitments": {
            "target_year": contract.target_year,
            "baseline_year": contract.baseline_year,
            "residual_share": _text(contract.residual_share),
            "bau_annual_change": _text(contract.bau_annual_change),
            "covered_sectors": list(contract.covered_sectors),
            "covered_scopes": list(contract.covered_scopes),
            "ambition": contract.ambition,
            "priorities": contract.priorities,
            "principles": contract.principles,
            "narratives": {code: contract.narratives.get(code, "") for code in NARRATIVE_CODES},
            "interim_targets": [
                {"year": t.year, "reduction_share": _text(t.reduction_share), "note": t.note}
                for t in contract.interim_targets.all()
            ],
            "signatories": [
                {
                    "organisation": s.organisation,
                    "commitment": s.commitment,
                    "signed_on": s.signed_on.isoformat() if s.signed_on else None,
                }
                for s in contract.signatories.all()
            ],
        },
        "inventory": [
            {
                "year": year.year,
                "source": year.source,
                "rows": [
                    {
                        "subsector": e.subsector,
                        "scope": e.scope,
                        "tco2e": _text(e.tco2e),
                        "removal": e.removal,
                    }
                    for e in year.emissions.all()
                ],
            }
            for year in contract.inventory.prefetch_related("emissions")
        ],
        "actions": [
            {
                "id": a.pk,
                "title": a.title,
                "field": a.field.slug if a.field else None,
                "lever": a.lever.slug if a.lever else None,
                "description": a.description,
                "responsible": a.responsible,
                "stakeholders": a.stakeholders,
                "starts": a.starts.isoformat() if a.starts else None,
                "ends": a.ends.isoformat() if a.ends else None,
                "status": a.status,
                "capital_cost": _text(a.capital_cost),
                "operating_cost": _text(a.operating_cost),
                "co_benefits": list(a.co_benefits),
                "reductions": {r.sector: _text(r.tco2e) for r in a.reductions.all()},
                "indicators": [
                    {
                        "name": i.name,
                        "unit": i.unit,
                        "targets": {
                            "2025": _text(i.target_2025),
                            "2027": _text(i.target_2027),
                            "2030": _text(i.target_2030),
                        },
                        "measured": {str(m.year): _text(m.value) for m in i.measurements.all()},
                    }
                    for i in a.indicators.all()
                ],
                "capital_needs": {str(n.year): _text(n.amount) for n in a.capital_needs.all()},
                "funding": [
                    {
                        "year": f.year,
                        "source": f.source,
                        "status": f.status,
                        "amount": _text(f.amount),
                        "note": f.note,
                    }
                    for f in a.funding.all()
                ],
            }
            for a in actions
        ],
    }

"""What the public summary and the public API show of a contract: only the parts its city
published (`Contract.publish_trajectory`, `publish_portfolio`), as plain values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import trajectory
from .figures import Figures
from .models import Action, Contract


def public_trajectory(contract: Contract, figures: Figures) -> dict[str, Any] | None:
    """The published trajectory: inventory totals per year, the straight path and BAU to the
    target, the required reduction (None when not published or without a baseline)."""
    settings = contract.trajectory_settings()
    baseline = figures.baseline
    if not contract.publish_trajectory or settings is None or baseline is None:
        return None
    gap = figures.gap.overall if figures.gap else None
    return {
        "baseline_year": settings.baseline_year,
        "target_year": settings.target_year,
        "baseline": baseline.gross,
        "years": [
            {"year": year, "gross": t.gross, "removals": t.removals, "net": t.net}
            for year, t in sorted(figures.years.items())
        ],
        "path": trajectory.straight_path(baseline.gross, settings),
        "bau": gap.bau if gap else None,
        "residual": gap.residual if gap else None,
        "required": gap.required if gap else None,
    }


def public_portfolio(contract: Contract) -> dict[str, Any] | None:
    """The published portfolio: actions with field, lever, status, period and expected
    reduction (None when not published). Two queries."""
    if not contract.publish_portfolio:
        return None
    actions = (
        Action.objects.filter(contract=contract)
        .select_related("field", "lever")
        .prefetch_related("reductions")
        .order_by("position", "pk")
    )
    rows = [
        {
            "title": a.title,
            "field": a.field.name if a.field else "",
            "lever": a.lever.name if a.lever else "",
            "status": a.status,
            "status_label": a.get_status_display(),
            "starts": a.starts,
            "ends": a.ends,
            "reduction": sum((r.tco2e for r in a.reductions.all()), Decimal(0)),
        }
        for a in actions
    ]
    return {"actions": rows, "expected": sum((r["reduction"] for r in rows), Decimal(0))}


def public_gap(contract: Contract, figures: Figures) -> Any:
    """The gap mixes the trajectory's and the portfolio's numbers: shown when both are
    published (the API's rule; the page shows it in `_trajectory.html` under the same rule)."""
    if contract.publish_trajectory and contract.publish_portfolio and figures.gap:
        return figures.gap.overall
    return None

"""The Mission Label readiness checklist of a workspace: is every part of the Climate City
Contract filled, and is the emissions gap closed or explained?

`readiness(contract, figures)` is a pure function of the workspace (`contract`, with its city)
and its key figures (`figures.figures_of`), plus two queries of its own: one aggregate over the
actions (how many, how many lack an indicator with targets, how many with a capital cost lack
capital needs or funding) and one for the signatories. The overview and the review pages show
the same list. Each item says what is checked, whether it is done, where to fix it and, when it
is not done, how.

The rules, item by item (codes are stable; the tests check each one):

- ``commitments``: the target year, the baseline year, at least one covered sector and one
  covered scope, and the ambition text are filled.
- ``A-1``: the baseline year's inventory has rows (`figures.baseline`).
- ``A-2``, ``A-3``, ``B-1``, ``B-2``, ``C-1``, ``C-2``, ``C-3``: the section's text in
  `contract.narratives` is not blank (``B-2`` is the residual emissions strategy).
- ``portfolio`` (B-2): the portfolio has at least one action.
- ``B-3``: every action has at least one indicator with all three targets (2025, 2027, 2030);
  not done without actions.
- ``investment``: every action with a capital cost above zero has capital needs per year and
  at least one funding line; done when no action has a capital cost.
- ``signatories``: at least one signatory organisation.
- ``gap``: the gap is closed (`trajectory.Gap.closed`) or explained (the "gap" text); not done
  while there is no gap to compute (no target, baseline year or baseline inventory).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from .figures import Figures
from .models import NARRATIVES, Action, CapitalNeed, Contract, Funding, Indicator

TEXT_SECTIONS = ("A-2", "A-3", "B-1", "B-2", "C-1", "C-2", "C-3")


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    done: bool
    url: str
    fix: str = ""  # how to get it done (empty when done)


def _portfolio(contract: Contract) -> dict[str, int]:
    """Counts over the contract's actions in one query."""
    with_targets = Indicator.objects.filter(
        action=OuterRef("pk"),
        target_2025__isnull=False,
        target_2027__isnull=False,
        target_2030__isnull=False,
    )
    needs = CapitalNeed.objects.filter(action=OuterRef("pk"))
    funding = Funding.objects.filter(action=OuterRef("pk"))
    costed = Q(capital_cost__gt=Decimal(0))
    return Action.objects.filter(contract=contract).aggregate(
        actions=Count("pk"),
        without_indicator=Count("pk", filter=~Q(Exists(with_targets))),
        unplanned=Count("pk", filter=costed & (~Q(Exists(needs)) | ~Q(Exists(funding)))),
    )


def readiness(contract: Contract, figures: Figures) -> list[Item]:
    """The checklist, in the template's order (see the module's docstring for each rule)."""
    city_id = contract.city_id
    labels = dict(NARRATIVES)
    texts = contract.narratives or {}

    def url(name: str, *args: object) -> str:
        return reverse(f"contracts:{name}", args=[city_id, *args])

    def written(code: str) -> bool:
        return bool(str(texts.get(code) or "").strip())

    items: list[Item] = []

    missing = [
        label
        for label, filled in (
            (_("the target year"), contract.target_year is not None),
            (_("the baseline year"), contract.baseline_year is not None),
            (_("the sectors covered"), bool(contract.covered_sectors)),
            (_("the scopes covered"), bool(contract.covered_scopes)),
            (_("the ambition"), bool((contract.ambition or "").strip())),
        )
        if not filled
    ]
    items.append(
        Item(
            "commitments",
            _("Commitments: target, baseline, scope and ambition"),
            not missing,
            url("commitments"),
            _("Fill in %(missing)s.") % {"missing": ", ".join(missing)} if missing else "",
        )
    )

    has_baseline = figures.baseline is not None
    if contract.baseline_year is None:
        a1_fix = _("Choose a baseline year in the commitments, then enter its inventory.")
    else:
        a1_fix = _("Enter or import the inventory of the baseline year %(year)s.") % {
            "year": contract.baseline_year
        }
    items.append(
        Item(
            "A-1",
            _("A-1 Baseline emission inventory"),
            has_baseline,
            url("inventory"),
            "" if has_baseline else a1_fix,
        )
    )

    counts = _portfolio(contract)
    for code in TEXT_SECTIONS:
        done = written(code)
        items.append(
            Item(
                code,
                f"{code} {labels[code]}",
                done,
                url("narrative", code),
                "" if done else _("Write the section's text."),
            )
        )
        if code == "B-2":
            has_actions = counts["actions"] > 0
            items.append(
                Item(
                    "portfolio",
                    _("B-2 Action portfolio"),
                    has_actions,
                    url("actions"),
                    "" if has_actions else _("Add the actions of the portfolio."),
                )
            )
            if not has_actions:
                b3_fix = _("Add actions, then their indicators with 2025, 2027 and 2030 targets.")
            else:
                b3_fix = _(
                    "%(n)s actions have no indicator with 2025, 2027 and 2030 targets yet."
                ) % {"n": counts["without_indicator"]}
            b3_done = has_actions and counts["without_indicator"] == 0
            items.append(
                Item(
                    "B-3",
                    _("B-3 Indicators with 2025, 2027 and 2030 targets"),
                    b3_done,
                    url("actions"),
                    "" if b3_done else b3_fix,
                )
            )

    planned = counts["unplanned"] == 0
    items.append(
        Item(
            "investment",
            _("Investment plan: capital needs and funding of every costed action"),
            planned,
            url("investment"),
            ""
            if planned
            else _("%(n)s actions with a capital cost lack capital needs per year or funding.")
            % {"n": counts["unplanned"]},
        )
    )

    signed = contract.signatories.exists()
    items.append(
        Item(
            "signatories",
            _("Signatories and their commitments"),
            signed,
            url("signatories"),
            "" if signed else _("Add the organisations that sign the contract."),
        )
    )

    gap = figures.gap
    if gap is None:
        gap_done = False
        gap_fix = _("Set the target and baseline years and enter the baseline inventory first.")
    elif gap.overall.closed:
        gap_done, gap_fix = True, ""
    else:
        gap_done = written("gap")
        gap_fix = (
            ""
            if gap_done
            else _("Add actions that close the gap, or explain how it will be closed.")
        )
    items.append(
        Item(
            "gap",
            _("The emissions gap is closed or explained"),
            gap_done,
            url("narrative", "gap") if gap is not None and not gap_done else url("trajectory"),
            gap_fix,
        )
    )
    return items


def ready(items: list[Item]) -> bool:
    return all(item.done for item in items)

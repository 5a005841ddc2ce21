"""Writes of the Climate City Contract workspace: commitments, the inventory (entered or
imported), actions, submission of a version and its review.

Every function is atomic and audited. A submission freezes the whole workspace into a version
(a JSON snapshot with its key figures) that never changes; the draft stays editable for the next
version. Only one version waits for review at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.cities.models import City
from netzerohub.core.audit import log_action, register_labels

from . import notices, sectors, trajectory
from .figures import figures_of
from .models import (
    NARRATIVE_CODES,
    Action,
    ActionReduction,
    CoBenefit,
    Contract,
    ContractVersion,
    Emission,
    InventoryYear,
    ReviewComment,
)
from .snapshot import snapshot_of

register_labels(
    {
        "contracts.commitments.saved": _l("Climate contract commitments saved"),
        "contracts.narratives.saved": _l("Climate contract section texts saved"),
        "contracts.publishing.saved": _l("Climate contract publishing changed"),
        "contracts.inventory.saved": _l("Emission inventory saved"),
        "contracts.action.saved": _l("Climate contract action saved"),
        "contracts.action.deleted": _l("Climate contract action deleted"),
        "contracts.version.submitted": _l("Climate contract submitted"),
        "contracts.version.returned": _l("Climate contract returned with comments"),
        "contracts.version.accepted": _l("Climate contract accepted"),
    }
)

SECTIONS = (
    "commitments",
    "A-1",
    "A-2",
    "A-3",
    "B-1",
    "B-2",
    "B-3",
    "C-1",
    "C-2",
    "C-3",
    "investment",
)


class ContractError(Exception):
    """A request the workspace refuses; the message is shown as it is."""


def workspace(city: City) -> Contract:
    """The city's workspace, created empty the first time (a Mission City aims at 2030)."""
    contract, _created = Contract.objects.get_or_create(
        city=city,
        defaults={
            "target_year": trajectory.MISSION_TARGET_YEAR
            if city.status == City.Status.MISSION
            else None
        },
    )
    return contract


@transaction.atomic
def save_commitments(contract: Contract, *, actor: Any) -> Contract:
    """Save the commitments of a form's instance, refusing impossible years and shares."""
    settings = contract.trajectory_settings()
    if settings is not None:
        try:
            trajectory.check(settings, mission_city=contract.city.status == City.Status.MISSION)
        except trajectory.TrajectoryError as error:
            raise ContractError(str(error)) from None
    unknown = set(contract.covered_sectors) - set(sectors.SECTOR_BY_CODE)
    if unknown or not set(contract.covered_scopes) <= set(sectors.SCOPES):
        raise ContractError(_("Choose sectors and scopes from the inventory's lists."))
    contract.save()
    log_action("contracts.commitments.saved", actor=actor, target=contract, city=contract.city)
    return contract


@transaction.atomic
def save_narratives(contract: Contract, texts: Mapping[str, str], *, actor: Any) -> Contract:
    """Save the texts of the template's sections given (others are kept), by section code."""
    if set(texts) - set(NARRATIVE_CODES):
        raise ContractError(_("Write in the template's sections only."))
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    locked.narratives = {**locked.narratives, **{k: v.strip() for k, v in texts.items()}}
    locked.save(update_fields=["narratives", "updated"])
    contract.narratives = locked.narratives
    log_action(
        "contracts.narratives.saved",
        actor=actor,
        target=contract,
        city=contract.city,
        data={"sections": sorted(texts)},
    )
    return contract


PUBLISH_FLAGS = ("publish_summary", "publish_trajectory", "publish_portfolio")


@transaction.atomic
def save_publishing(contract: Contract, flags: Mapping[str, bool], *, actor: Any) -> Contract:
    """Choose what others see: the summary, the trajectory, the portfolio. The trajectory and
    the portfolio are parts of the public summary: publishing either publishes the summary."""
    if set(flags) - set(PUBLISH_FLAGS):
        raise ContractError(_("Choose what to publish from the list."))
    values = {name: bool(flags.get(name, getattr(contract, name))) for name in PUBLISH_FLAGS}
    if values["publish_trajectory"] or values["publish_portfolio"]:
        values["publish_summary"] = True
    for name, value in values.items():
        setattr(contract, name, value)
    contract.save(update_fields=[*PUBLISH_FLAGS, "updated"])
    log_action(
        "contracts.publishing.saved",
        actor=actor,
        target=contract,
        city=contract.city,
        data=values,
    )
    return contract


@dataclass(frozen=True)
class Row:
    """One inventory line as entered or imported."""

    subsector: str
    scope: int
    tco2e: Decimal
    removal: bool = False


def check_rows(rows: Iterable[Row]) -> list[tuple[int, str]]:
    """[(line number from 1, message)] for rows that cannot be stored: an unknown sub-sector or
    scope, a negative amount, the same sub-sector, scope and kind twice."""
    errors = []
    seen: dict[tuple[str, int, bool], int] = {}
    for number, row in enumerate(rows, start=1):
        if row.subsector not in sectors.SUBSECTOR_BY_CODE:
            errors.append((number, _("Unknown sub-sector “%(code)s”.") % {"code": row.subsector}))
        if row.scope not in sectors.SCOPES:
            errors.append((number, _("The scope is 1, 2 or 3.")))
        if row.tco2e < 0:
            errors.append((number, _("Emissions are zero or more (mark removals as removals).")))
        key = (row.subsector, row.scope, row.removal)
        if key in seen:
            errors.append(
                (
                    number,
                    _("The same sub-sector and scope as line %(line)s.") % {"line": seen[key]},
                )
            )
        else:
            seen[key] = number
    return errors


@transaction.atomic
def save_inventory_year(
    contract: Contract, year: int, rows: Iterable[Row], *, actor: Any, source: str = ""
) -> InventoryYear:
    """Replace the rows of one inventory year (all or nothing; ContractError lists the lines)."""
    rows = list(rows)
    if not trajectory.FIRST_YEAR <= year <= trajectory.LAST_YEAR:
        raise ContractError(
            _("An inventory year is between %(first)s and %(last)s.")
            % {"first": trajectory.FIRST_YEAR, "last": trajectory.LAST_YEAR}
        )
    errors = check_rows(rows)
    if errors:
        raise ContractError(
            "; ".join(_("line %(n)s: %(error)s") % {"n": n, "error": e} for n, e in errors)
        )
    inventory, _created = InventoryYear.objects.update_or_create(
        contract=contract, year=year, defaults={"source": source}
    )
    inventory.emissions.all().delete()
    Emission.objects.bulk_create(
        Emission(
            inventory_year=inventory,
            subsector=row.subsector,
            scope=row.scope,
            tco2e=row.tco2e,
            removal=row.removal,
        )
        for row in rows
    )
    from . import caching  # (imported here: this function is the one bulk write of the file)

    caching.contract_changed(contract.pk)  # bulk_create sends no signal
    log_action(
        "contracts.inventory.saved",
        actor=actor,
        target=contract,
        city=contract.city,
        data={"year": year, "rows": len(rows)},
    )
    return inventory


@transaction.atomic
def save_action(
    action: Action, *, actor: Any, reductions: Mapping[str, Decimal] | None = None
) -> Action:
    """Save an action (a form's instance) and, when given, its expected reductions per sector
    (sectors left out are removed)."""
    if action.starts and action.ends and action.ends < action.starts:
        raise ContractError(_("An action ends after it starts."))
    if set(action.co_benefits) - set(CoBenefit.values):
        raise ContractError(_("Choose co-benefits from the list."))
    if action.pk is None and not action.position:
        last = Action.objects.filter(contract=action.contract).aggregate(Max("position"))
        action.position = (last["position__max"] or 0) + 1
    action.save()
    if reductions is not None:
        wrong = [code for code in reductions if code not in sectors.SECTOR_BY_CODE]
        if wrong or any(Decimal(v) < 0 for v in reductions.values()):
            raise ContractError(_("Expected reductions are zero or more, per inventory sector."))
        action.reductions.exclude(sector__in=list(reductions)).delete()
        for code, amount in reductions.items():
            ActionReduction.objects.update_or_create(
                action=action, sector=code, defaults={"tco2e": amount}
            )
    log_action(
        "contracts.action.saved",
        actor=actor,
        target=action.contract,
        city=action.contract.city,
        data={"action": action.pk, "title": action.title},
    )
    return action


@transaction.atomic
def delete_action(action: Action, *, actor: Any) -> None:
    contract, title = action.contract, action.title
    action.delete()
    log_action(
        "contracts.action.deleted",
        actor=actor,
        target=contract,
        city=contract.city,
        data={"title": title},
    )


def waiting(contract: Contract) -> ContractVersion | None:
    return contract.versions.filter(status=ContractVersion.Status.SUBMITTED).first()


@transaction.atomic
def submit(contract: Contract, *, actor: Any) -> ContractVersion:
    """Freeze the workspace into a new version waiting for review (refused while another one
    waits)."""
    locked = Contract.objects.select_for_update().select_related("city").get(pk=contract.pk)
    if waiting(locked) is not None:
        raise ContractError(
            _("A version is already waiting for review; submit again once it is reviewed.")
        )
    number = (locked.versions.aggregate(Max("number"))["number__max"] or 0) + 1
    version = ContractVersion.objects.create(
        contract=locked,
        number=number,
        snapshot=snapshot_of(locked),
        figures=figures_of(locked).as_json(),
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    log_action(
        "contracts.version.submitted",
        actor=actor,
        target=locked,
        city=locked.city,
        data={"version": number},
    )
    return version


@transaction.atomic
def review(
    version: ContractVersion, *, accept: bool, comments: Mapping[str, str], actor: Any
) -> ContractVersion:
    """Return a waiting version with comments per section, or accept it (comments optional)."""
    locked = ContractVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != ContractVersion.Status.SUBMITTED:
        raise ContractError(_("This version has already been reviewed."))
    comments = {section: body.strip() for section, body in comments.items() if body.strip()}
    if set(comments) - set(SECTIONS):
        raise ContractError(_("Comment on the contract's sections only."))
    if not accept and not comments:
        raise ContractError(_("Say what to change: a returned version needs a comment."))
    ReviewComment.objects.bulk_create(
        ReviewComment(version=locked, section=section, body=body, author=actor)
        for section, body in comments.items()
    )
    locked.status = ContractVersion.Status.ACCEPTED if accept else ContractVersion.Status.RETURNED
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    contract = locked.contract
    notices.version_reviewed(locked)
    log_action(
        "contracts.version.accepted" if accept else "contracts.version.returned",
        actor=actor,
        target=contract,
        city=contract.city,
        data={"version": locked.number, "sections": sorted(comments)},
    )
    return locked

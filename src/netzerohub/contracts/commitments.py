"""Writes of the commitments' lists: interim targets and signatories. Each replaces the whole
list at once (what the page's formset shows is what is kept), atomic and audited.

These belong in `services.py` (`save_interim_targets`, `save_signatories`); they live here until
they move there, with the same contract: typed rows, keyword-only `actor`, `ContractError` with
a message for a refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.core.audit import log_action, register_labels

from . import caching, trajectory
from .models import Contract, InterimTarget, Signatory
from .services import ContractError

register_labels(
    {
        "contracts.targets.saved": _l("Climate contract interim targets saved"),
        "contracts.signatories.saved": _l("Climate contract signatories saved"),
    }
)


@dataclass(frozen=True)
class Target:
    year: int
    reduction_share: Decimal  # 0.4 for 40 % below the baseline
    note: str = ""


@dataclass(frozen=True)
class Signer:
    organisation: str
    commitment: str = ""
    signed_on: dt.date | None = None


@transaction.atomic
def save_interim_targets(
    contract: Contract, targets: Iterable[Target], *, actor: Any
) -> list[InterimTarget]:
    """Replace the interim targets: one a year, between the baseline and the target year when
    they are set, a reduction share from 0 to 1."""
    targets = sorted(targets, key=lambda t: t.year)
    years = [t.year for t in targets]
    if len(set(years)) != len(years):
        raise ContractError(_("One interim target a year."))
    for target in targets:
        if not trajectory.FIRST_YEAR <= target.year <= trajectory.LAST_YEAR:
            raise ContractError(
                _("An interim target's year is between %(first)s and %(last)s.")
                % {"first": trajectory.FIRST_YEAR, "last": trajectory.LAST_YEAR}
            )
        if contract.baseline_year is not None and target.year <= contract.baseline_year:
            raise ContractError(_("Interim targets come after the baseline year."))
        if contract.target_year is not None and target.year > contract.target_year:
            raise ContractError(_("Interim targets come before the target year."))
        if not Decimal(0) <= target.reduction_share <= Decimal(1):
            raise ContractError(_("A reduction is between 0 % and 100 %."))
    Contract.objects.select_for_update().filter(pk=contract.pk).first()
    contract.interim_targets.all().delete()
    saved = InterimTarget.objects.bulk_create(
        InterimTarget(
            contract=contract,
            year=t.year,
            reduction_share=t.reduction_share,
            note=t.note.strip(),
        )
        for t in targets
    )
    caching.contract_changed(contract.pk)  # bulk_create sends no signal
    log_action(
        "contracts.targets.saved",
        actor=actor,
        target=contract,
        city=contract.city,
        data={"years": years},
    )
    return saved


@transaction.atomic
def save_signatories(
    contract: Contract, signers: Iterable[Signer], *, actor: Any
) -> list[Signatory]:
    """Replace the signatories, in the order given; every one names its organisation."""
    signers = list(signers)
    if any(not s.organisation.strip() for s in signers):
        raise ContractError(_("Every signatory names its organisation."))
    Contract.objects.select_for_update().filter(pk=contract.pk).first()
    contract.signatories.all().delete()
    saved = Signatory.objects.bulk_create(
        Signatory(
            contract=contract,
            organisation=s.organisation.strip(),
            commitment=s.commitment.strip(),
            signed_on=s.signed_on,
            position=number,
        )
        for number, s in enumerate(signers, start=1)
    )
    caching.contract_changed(contract.pk)  # bulk_create sends no signal
    log_action(
        "contracts.signatories.saved",
        actor=actor,
        target=contract,
        city=contract.city,
        data={"organisations": [s.organisation.strip() for s in signers]},
    )
    return saved

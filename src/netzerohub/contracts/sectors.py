"""The emission inventory's sectors and sub-sectors (GPC style, as in the Climate City Contract
template's A-1 tables), and the scopes. Codes are stable identifiers (imports, the API, stored
rows); labels are what people read."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

SCOPES = (1, 2, 3)


@dataclass(frozen=True)
class SubSector:
    code: str
    label: str
    sector: str  # the sector's code


@dataclass(frozen=True)
class Sector:
    code: str
    label: str
    subsectors: tuple[SubSector, ...]


def _sector(code: str, label, subsectors: list[tuple[str, object]] | None = None) -> Sector:
    # Waste, IPPU and AFOLU are reported as one line each: their sub-sector is the sector.
    rows = subsectors or [(code, label)]
    return Sector(code, label, tuple(SubSector(c, lab, code) for c, lab in rows))


SECTORS: tuple[Sector, ...] = (
    _sector(
        "stationary",
        _("Stationary energy"),
        [
            ("residential", _("Residential buildings")),
            ("commercial", _("Commercial and institutional buildings and facilities")),
            ("manufacturing", _("Manufacturing industries and construction")),
            ("energy-industries", _("Energy industries")),
            ("agriculture-energy", _("Agriculture, forestry and fishing activities")),
            ("non-specified", _("Non-specified sources")),
            ("fugitive", _("Fugitive emissions")),
        ],
    ),
    _sector(
        "transportation",
        _("Transportation"),
        [
            ("on-road", _("On-road")),
            ("rail", _("Railways")),
            ("waterborne", _("Waterborne navigation")),
            ("aviation", _("Aviation")),
            ("off-road", _("Off-road")),
        ],
    ),
    _sector("waste", _("Waste")),
    _sector("ippu", _("Industrial processes and product use (IPPU)")),
    _sector("afolu", _("Agriculture, forestry and other land use (AFOLU)")),
)

SECTOR_BY_CODE = {s.code: s for s in SECTORS}
SUBSECTOR_BY_CODE = {sub.code: sub for s in SECTORS for sub in s.subsectors}


def sector_of(subsector_code: str) -> str:
    """The sector code of a sub-sector code (KeyError for an unknown one)."""
    return SUBSECTOR_BY_CODE[subsector_code].sector

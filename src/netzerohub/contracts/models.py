"""The Climate City Contract workspace of a city: commitments, emission inventory, action
portfolio and investment plan, entered once and read by every part (the trajectory and gap in
`trajectory.py`, the template's sections in the exports).

A city has one workspace (`Contract`), which its members edit as a draft. A lead submits it: the
whole workspace is frozen into a `ContractVersion` (a JSON snapshot and its key figures), which
never changes; coordinators comment per section and return or accept the version. What others
see is what the city chose to publish.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import sectors, trajectory

SUBSECTOR_CHOICES = [(sub.code, sub.label) for s in sectors.SECTORS for sub in s.subsectors]
SECTOR_CHOICES = [(s.code, s.label) for s in sectors.SECTORS]
SCOPE_CHOICES = [(n, _("Scope %(n)s") % {"n": n}) for n in sectors.SCOPES]
YEAR_VALIDATORS = [
    MinValueValidator(trajectory.FIRST_YEAR),
    MaxValueValidator(trajectory.LAST_YEAR),
]
TONNES = {"max_digits": 14, "decimal_places": 2}
EUROS = {"max_digits": 16, "decimal_places": 2}


class CoBenefit(models.TextChoices):
    MITIGATION = "mitigation", _("Climate mitigation")
    ADAPTATION = "adaptation", _("Climate adaptation")
    ECONOMIC = "economic", _("Economic")
    SOCIAL = "social", _("Social")
    HEALTH = "health", _("Public health")
    ENVIRONMENTAL = "environmental", _("Environmental")


# The template's sections told in words (Markdown), each kept under its code in
# `Contract.narratives`; the numbers of, B-1.1, B-2, B-3 and the investment plan come
# from the inventory, the actions and the funding. "gap" explains an emissions gap the portfolio
# does not close yet (the Mission Label's readiness checklist accepts a gap closed or explained).
NARRATIVES = (
    ("A-2", _("Current policies and strategies")),
    ("A-3", _("Systemic barriers and opportunities")),
    ("B-1", _("Climate neutrality scenarios and impact pathways")),
    ("B-2", _("Residual emissions strategy")),
    ("C-1", _("Organisational and governance innovation")),
    ("C-2", _("Social and other innovation")),
    ("C-3", _("Financing the action portfolio")),
    ("gap", _("How the remaining emissions gap will be closed")),
)
NARRATIVE_CODES = tuple(code for code, _label in NARRATIVES)


class Contract(models.Model):
    """A city's workspace: the live draft, always editable by its members (what was submitted
    lives on, frozen, in its versions; the latest version's state is the contract's state)."""

    city = models.OneToOneField(
        "cities.City", on_delete=models.CASCADE, related_name="contract", verbose_name=_("city")
    )
    # Commitments
    target_year = models.PositiveSmallIntegerField(
        _("climate neutrality by"), validators=YEAR_VALIDATORS, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"), validators=YEAR_VALIDATORS, null=True, blank=True
    )
    residual_share = models.DecimalField(
        _("residual emissions offset (share of the baseline)"),
        max_digits=4,
        decimal_places=3,
        default=trajectory.MAX_RESIDUAL_SHARE,
        validators=[
            MinValueValidator(Decimal(0)),
            MaxValueValidator(trajectory.MAX_RESIDUAL_SHARE),
        ],
    )
    bau_annual_change = models.DecimalField(
        _("business-as-usual change a year"),
        max_digits=6,
        decimal_places=4,
        default=Decimal(0),
        help_text=_("0.01 for emissions growing by 1 % a year without action."),
    )
    covered_sectors = models.JSONField(_("sectors covered"), default=list, blank=True)
    covered_scopes = models.JSONField(_("scopes covered"), default=list, blank=True)
    ambition = models.TextField(_("ambition"), blank=True, help_text=_("Markdown."))
    priorities = models.TextField(_("strategic priorities"), blank=True, help_text=_("Markdown."))
    principles = models.TextField(_("principles and process"), blank=True, help_text=_("Markdown."))
    narratives = models.JSONField(
        _("section texts"),
        default=dict,
        blank=True,
        help_text=_("Markdown by template section code (NARRATIVES)."),
    )
    # What others may see (a public summary: commitments, trajectory, portfolio).
    publish_summary = models.BooleanField(_("publish a summary"), default=False)
    publish_trajectory = models.BooleanField(_("publish the trajectory"), default=False)
    publish_portfolio = models.BooleanField(_("publish the action portfolio"), default=False)
    is_sample = models.BooleanField(_("sample content"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("climate city contract")
        verbose_name_plural = _("climate city contracts")

    def __str__(self) -> str:
        return str(_("Climate City Contract of %(city)s") % {"city": self.city})

    def trajectory_settings(self) -> trajectory.Settings | None:
        if self.baseline_year is None or self.target_year is None:
            return None
        return trajectory.Settings(
            self.baseline_year, self.target_year, self.residual_share, self.bau_annual_change
        )


class InterimTarget(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="interim_targets")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    reduction_share = models.DecimalField(
        _("reduction below the baseline"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="contracts_one_target_a_year")
        ]
        verbose_name = _("interim target")
        verbose_name_plural = _("interim targets")

    def __str__(self) -> str:
        return f"{self.year}: −{self.reduction_share:.0%}"


class Signatory(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="signatories")
    organisation = models.CharField(_("organisation"), max_length=200)
    commitment = models.TextField(_("its commitment"), blank=True, help_text=_("Markdown."))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self) -> str:
        return self.organisation


class InventoryYear(models.Model):
    """The emissions of one year (the baseline year is the contract's `baseline_year`)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="inventory")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    source = models.CharField(_("source and method"), max_length=300, blank=True)

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "year"], name="contracts_one_inventory_a_year"
            )
        ]
        verbose_name = _("inventory year")
        verbose_name_plural = _("inventory years")

    def __str__(self) -> str:
        return str(self.year)


class Emission(models.Model):
    """A sub-sector's emissions of one scope in one inventory year (t CO2e); a removal (a sink)
    is a positive amount marked as such."""

    inventory_year = models.ForeignKey(
        InventoryYear, on_delete=models.CASCADE, related_name="emissions"
    )
    subsector = models.CharField(_("sub-sector"), max_length=30, choices=SUBSECTOR_CHOICES)
    scope = models.PositiveSmallIntegerField(_("scope"), choices=SCOPE_CHOICES)
    tco2e = models.DecimalField(_("t CO2e"), validators=[MinValueValidator(Decimal(0))], **TONNES)
    removal = models.BooleanField(_("removal"), default=False)

    class Meta:
        ordering = ["subsector", "scope", "removal"]
        constraints = [
            models.UniqueConstraint(
                fields=["inventory_year", "subsector", "scope", "removal"],
                name="contracts_one_emission_row",
            )
        ]
        verbose_name = _("emission")
        verbose_name_plural = _("emissions")

    def __str__(self) -> str:
        return f"{self.subsector} scope {self.scope}: {self.tco2e}"

    @property
    def sector(self) -> str:
        return sectors.sector_of(self.subsector)


class Action(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DELAYED = "delayed", _("Delayed")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("title"), max_length=200)
    field = models.ForeignKey(
        "core.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "field"},
        verbose_name=_("field of action"),
    )
    lever = models.ForeignKey(
        "core.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "lever"},
        verbose_name=_("lever of change"),
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    responsible = models.CharField(_("responsible body"), max_length=200, blank=True)
    stakeholders = models.TextField(_("stakeholders"), blank=True)
    starts = models.DateField(_("start"), null=True, blank=True)
    ends = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    capital_cost = models.DecimalField(_("capital cost (EUR)"), null=True, blank=True, **EUROS)
    operating_cost = models.DecimalField(
        _("operating cost a year (EUR)"), null=True, blank=True, **EUROS
    )
    co_benefits = models.JSONField(_("co-benefits"), default=list, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["contract", "status"], name="contracts_action_status_idx")]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title


class ActionReduction(models.Model):
    """An action's expected annual reduction in one sector (t CO2e a year)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reductions")
    sector = models.CharField(_("sector"), max_length=20, choices=SECTOR_CHOICES)
    tco2e = models.DecimalField(
        _("t CO2e a year"), validators=[MinValueValidator(Decimal(0))], **TONNES
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "sector"], name="contracts_one_reduction_a_sector"
            )
        ]
        verbose_name = _("expected reduction")
        verbose_name_plural = _("expected reductions")

    def __str__(self) -> str:
        return f"{self.sector}: {self.tco2e}"


class Indicator(models.Model):
    """How an action's progress is measured, with the template's 2025/2027/2030 targets."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    target_2025 = models.DecimalField(_("target 2025"), null=True, blank=True, **TONNES)
    target_2027 = models.DecimalField(_("target 2027"), null=True, blank=True, **TONNES)
    target_2030 = models.DecimalField(_("target 2030"), null=True, blank=True, **TONNES)

    class Meta:
        ordering = ["id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class Measurement(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    value = models.DecimalField(_("measured value"), **TONNES)

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"], name="contracts_one_measurement_a_year"
            )
        ]
        verbose_name = _("measured value")
        verbose_name_plural = _("measured values")

    def __str__(self) -> str:
        return f"{self.year}: {self.value}"


class CapitalNeed(models.Model):
    """An action's capital need in one year (EUR)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="capital_needs")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    amount = models.DecimalField(
        _("amount (EUR)"), validators=[MinValueValidator(Decimal(0))], **EUROS
    )

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["action", "year"], name="contracts_one_need_a_year")
        ]
        verbose_name = _("capital need")
        verbose_name_plural = _("capital needs")

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class Funding(models.Model):
    class Source(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipal budget")
        NATIONAL = "national", _("National funds")
        EU = "eu", _("EU funds")
        PRIVATE = "private", _("Private investment")
        LOANS = "loans", _("Loans")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SECURED = "secured", _("Secured")
        EXPECTED = "expected", _("Expected")
        GAP = "gap", _("Not found yet (gap)")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="funding")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    amount = models.DecimalField(
        _("amount (EUR)"), validators=[MinValueValidator(Decimal(0))], **EUROS
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["year", "id"]
        verbose_name = _("funding")
        verbose_name_plural = _("funding")

    def __str__(self) -> str:
        return f"{self.year} {self.source} ({self.status}): {self.amount}"


class ContractVersion(models.Model):
    """A submitted version: the whole workspace frozen as JSON (`snapshot`) with its key figures
    (`figures`: totals, gap, costs) for the history's comparisons. Never changes once written,
    except its review state."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        RETURNED = "returned", _("Returned with comments")
        ACCEPTED = "accepted", _("Accepted")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    snapshot = models.JSONField(_("snapshot"))
    figures = models.JSONField(_("key figures"), default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    decided_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="contracts_unique_version_number"
            )
        ]
        indexes = [
            # The review queue: versions waiting, oldest first; then the latest decided.
            models.Index(fields=["status", "submitted_at"], name="contracts_version_queue"),
            models.Index(fields=["-decided_at"], name="contracts_version_decided"),
        ]
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")

    def __str__(self) -> str:
        return f"{self.contract} v{self.number}"

    REVIEW_FIELDS = frozenset({"status", "decided_by", "decided_at"})

    def save(self, *args, **kwargs) -> None:
        """A version is written once; afterwards only its review state changes."""
        update_fields = kwargs.get("update_fields")
        reviewing = update_fields is not None and set(update_fields) <= self.REVIEW_FIELDS
        if self.pk is not None and not kwargs.get("force_insert") and not reviewing:
            raise ValueError("A submitted version never changes; only its review does.")
        super().save(*args, **kwargs)


class ReviewComment(models.Model):
    """A coordinator's comment on one section of a submitted version (template codes: A-1 …
    C-3, and "commitments" and "investment")."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(_("section"), max_length=20)
    body = models.TextField(_("comment"), help_text=_("Markdown."))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["section", "created", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        return f"{self.section}: {self.body[:40]}"

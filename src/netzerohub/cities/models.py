"""Countries, cities, the people who belong to them, and cities proposed for the directory."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from netzerohub.core.text import fold

from .querysets import CityQuerySet, CountryQuerySet, MembershipQuerySet, ProposalQuerySet


class Country(models.Model):
    """A country of the directory, with the facts that decide whether its cities are eligible."""

    code = models.CharField(
        _("code"), max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2 (XK for Kosovo).")
    )
    name = models.CharField(_("name"), max_length=100)
    is_european = models.BooleanField(_("European"), default=True)
    is_eu_member = models.BooleanField(_("EU member state"), default=False)
    is_associated = models.BooleanField(_("associated with Horizon Europe"), default=False)
    associated_since = models.DateField(_("associated since (date)"), null=True, blank=True)
    association_year = models.PositiveSmallIntegerField(
        _("associated since (year)"), null=True, blank=True
    )
    pillar_ii_only = models.BooleanField(
        _("Pillar II only"),
        default=False,
        help_text=_("Associated for Pillar II only: its cities are not eligible."),
    )
    association_note = models.TextField(_("association note"), blank=True)

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name


class City(models.Model):
    """A city or municipality of the directory. Public facts plus a profile its leads edit."""

    class Status(models.TextChoices):
        MISSION = "mission", _("Mission City")
        PILOT = "pilot", _("Pilot City")
        TWIN = "twin", _("Twin City")
        PARTICIPATING = "participating", _("Participating city")
        DIRECTORY = "directory", _("Not yet participating")

    class Source(models.TextChoices):
        GEONAMES = "geonames", _("GeoNames")
        MISSION_LIST = "mission-list", _("Mission Cities list")
        PROPOSED = "proposed", _("Proposed by a user")
        SYNTHETIC = "synthetic", _("Synthetic (benchmark)")

    name = models.CharField(_("name"), max_length=200)
    name_folded = models.CharField(max_length=200, editable=False, db_index=True)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="cities"
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    geonameid = models.PositiveIntegerField(_("GeoNames id"), null=True, blank=True, unique=True)
    alternate_names = models.JSONField(_("alternate names"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DIRECTORY
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.GEONAMES
    )
    source_note = models.TextField(_("source note"), blank=True)

    # Profile, edited by the city's leads.
    target_year = models.PositiveSmallIntegerField(
        _("climate-neutrality target year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2025), MaxValueValidator(2100)],
    )
    com_signatory = models.BooleanField(_("Covenant of Mayors signatory"), default=False)
    com_year = models.PositiveSmallIntegerField(
        _("Covenant of Mayors: year joined"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2008), MaxValueValidator(2100)],
    )
    national_initiatives = models.TextField(_("national initiatives"), blank=True)
    pledges_other = models.TextField(_("other pledges"), blank=True)
    working_languages = models.JSONField(_("working languages"), default=list, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = CityQuerySet.as_manager()

    class Meta:
        ordering = ["-population", "name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        indexes = [
            models.Index(fields=["-population", "id"], name="cities_city_pop_idx"),
            models.Index(fields=["country", "-population"], name="cities_city_country_pop_idx"),
            models.Index(fields=["status", "-population"], name="cities_city_status_pop_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_folded = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_folded"}
        super().save(*args, **kwargs)

    @property
    def is_mission_city(self) -> bool:
        return self.status == self.Status.MISSION


class CityName(models.Model):
    """A folded search key of a city: its name, alternate names and every word-suffix of them.

    "vitoria gasteiz" and "gasteiz" both point at Vitoria-Gasteiz, so a prefix range scan on
    this one indexed column finds a city by any word of any of its names.
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="search_names")
    key = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["key", "city"], name="cities_cityname_key_idx")]
        constraints = [
            models.UniqueConstraint(fields=["city", "key"], name="cities_cityname_unique")
        ]

    def __str__(self) -> str:
        return self.key


class Membership(models.Model):
    """A person's place in a city: a request, then an approved member or lead."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        LEAD = "lead", _("City lead")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        LEFT = "left", _("Left")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    is_mentor = models.BooleanField(
        _("mentor"),
        default=False,
        help_text=_("Facilitates groups and hosts exchanges (Mission and Pilot Cities)."),
    )
    needs_coordinator = models.BooleanField(
        _("awaits a coordinator"),
        default=False,
        help_text=_("The city had no lead: a coordinator confirms this person as its first lead."),
    )
    message = models.TextField(_("message"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)
    created = models.DateTimeField(_("requested"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "city"],
                condition=Q(status__in=["pending", "approved"]),
                name="cities_membership_one_open_per_user_city",
            )
        ]
        indexes = [
            models.Index(fields=["city", "status", "role"], name="cities_membership_city_idx"),
            models.Index(fields=["user", "status"], name="cities_membership_user_idx"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.city} ({self.role}, {self.status})"


class CityProposal(models.Model):
    """A city a user could not find in the directory; a coordinator approves or merges it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Added to the directory")
        MERGED = "merged", _("Matched to an existing city")
        REJECTED = "rejected", _("Rejected")

    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="city_proposals",
    )
    name = models.CharField(_("city name"), max_length=200)
    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    website = models.URLField(_("official website"), blank=True)
    note = models.TextField(_("anything a coordinator should know"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    city = models.ForeignKey(
        City,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("resulting city"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("proposed city")
        verbose_name_plural = _("proposed cities")

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})"

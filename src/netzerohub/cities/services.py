"""Writes about cities and memberships. Each function is atomic, audited and notifies on commit."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.accounts.models import User
from netzerohub.core import personal_data
from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.notifications import notify

from .caching import forget_profile
from .eligibility import country_verdict
from .models import City, CityName, CityProposal, Country, Membership
from .naming import search_keys
from .policies import forget_memberships

PROFILE_FIELDS = (
    "population",
    "target_year",
    "com_signatory",
    "com_year",
    "national_initiatives",
    "pledges_other",
    "working_languages",
    "website",
    "contact_name",
    "contact_email",
)


register_labels(
    {
        "cities.membership.requested": _l("Asked to join"),
        "cities.membership.approved": _l("Request to join approved"),
        "cities.membership.rejected": _l("Request to join rejected"),
        "cities.membership.left": _l("Left the city or withdrew a request"),
        "cities.membership.role_changed": _l("Role changed"),
        "cities.membership.mentor_changed": _l("Mentor role changed"),
        "cities.city.profile_updated": _l("Profile updated"),
        "cities.city.status_changed": _l("Status changed"),
        "cities.proposal.approved": _l("Added to the directory from a proposal"),
        "cities.proposal.merged": _l("A proposed city was matched to this city"),
    }
)


class CityError(Exception):
    """A request the domain refuses; the message is shown to the person as it is."""


def _coordinators() -> list[User]:
    return list(User.objects.filter(is_staff=True, is_active=True))


def _leads(city: City) -> list[User]:
    return [m.user for m in Membership.objects.leads().for_city(city).select_related("user")]


# --- search index ------------------------------------------------------------------------------


def index_city_names(cities: list[City]) -> int:
    """(Re)build the search keys of `cities`; returns the number of keys written."""
    CityName.objects.filter(city__in=cities).delete()
    rows = [
        CityName(city=city, key=key)
        for city in cities
        for key in search_keys(city.name, city.alternate_names)
    ]
    CityName.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# --- memberships -------------------------------------------------------------------------------


@transaction.atomic
def request_membership(city: City, *, actor: User, message: str = "") -> Membership:
    """Ask to join `city`. Goes to its leads, or to coordinators when the city has no lead
    (that first person becomes lead once a coordinator confirms)."""
    verdict = country_verdict(city.country)
    if not verdict.eligible:
        raise CityError(
            _("Cities in %(country)s cannot join the programme: %(reason)s")
            % {"country": city.country.name, "reason": verdict.reasons[0]}
        )
    existing = Membership.objects.open_between(actor, city).first()
    if existing is not None:
        if existing.status == Membership.Status.APPROVED:
            raise CityError(_("You are already a member of %(city)s.") % {"city": city.name})
        raise CityError(
            _("You have already asked to join %(city)s; your request is waiting for a decision.")
            % {"city": city.name}
        )
    has_lead = Membership.objects.leads().for_city(city).exists()
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=actor,
                city=city,
                role=Membership.Role.MEMBER if has_lead else Membership.Role.LEAD,
                needs_coordinator=not has_lead,
                message=message,
            )
    except IntegrityError as error:  # a parallel request won the race
        raise CityError(
            _("You have already asked to join %(city)s; your request is waiting for a decision.")
            % {"city": city.name}
        ) from error
    log_action(
        "cities.membership.requested", actor=actor, target=membership, data={"lead": not has_lead}
    )
    recipients = _leads(city) if has_lead else _coordinators()
    notify(
        recipients,
        kind="cities.membership.requested",
        title=_("%(person)s asks to join %(city)s") % {"person": actor, "city": city.name},
        body=message,
        url=reverse("cities:requests"),
    )
    return membership


def _lock_pending(membership: Membership) -> Membership:
    locked = (
        Membership.objects.select_for_update().select_related("city", "user").get(pk=membership.pk)
    )
    if locked.status != Membership.Status.PENDING:
        raise CityError(_("This request has already been decided."))
    return locked


@transaction.atomic
def approve_membership(membership: Membership, *, actor: User) -> Membership:
    """Approve a pending request. A request awaiting a coordinator makes its person the lead."""
    membership = _lock_pending(membership)
    membership.status = Membership.Status.APPROVED
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "decided_by", "decided_at"])
    city = membership.city
    if city.status == City.Status.DIRECTORY:
        City.objects.filter(pk=city.pk).update(status=City.Status.PARTICIPATING)
        transaction.on_commit(partial(forget_profile, city.pk))
        city.status = City.Status.PARTICIPATING
        log_action(
            "cities.city.status_changed", actor=actor, target=city, data={"status": city.status}
        )
    log_action(
        "cities.membership.approved", actor=actor, target=membership, data={"role": membership.role}
    )
    forget_memberships(membership.user)
    notify(
        [membership.user],
        kind="cities.membership.approved",
        title=_("You are now a member of %(city)s") % {"city": city.name},
        url=reverse("cities:my-city", args=[city.pk]),
    )
    return membership


@transaction.atomic
def reject_membership(membership: Membership, *, actor: User, reason: str = "") -> Membership:
    membership = _lock_pending(membership)
    membership.status = Membership.Status.REJECTED
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.decision_note = reason
    membership.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    log_action(
        "cities.membership.rejected", actor=actor, target=membership, data={"reason": reason}
    )
    notify(
        [membership.user],
        kind="cities.membership.rejected",
        title=_("Your request to join %(city)s was not accepted") % {"city": membership.city.name},
        body=reason,
        url=reverse("cities:my-cities"),
    )
    return membership


@transaction.atomic
def leave_city(membership: Membership, *, actor: User) -> Membership:
    """Withdraw a pending request or leave a city."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    membership.status = Membership.Status.LEFT
    membership.save(update_fields=["status"])
    log_action("cities.membership.left", actor=actor, target=membership)
    forget_memberships(membership.user)
    return membership


@transaction.atomic
def set_membership_role(membership: Membership, *, role: str, actor: User) -> Membership:
    """A lead (or coordinator) makes an approved member a lead, or a lead a member again."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.APPROVED:
        raise CityError(_("Only approved members can change role."))
    if role == Membership.Role.MEMBER and membership.role == Membership.Role.LEAD:
        other_leads = (
            Membership.objects.leads().for_city(membership.city_id).exclude(pk=membership.pk)
        )
        if not other_leads.exists():
            raise CityError(_("A city needs at least one lead; make someone else lead first."))
    membership.role = role
    membership.save(update_fields=["role"])
    log_action(
        "cities.membership.role_changed", actor=actor, target=membership, data={"role": role}
    )
    forget_memberships(membership.user)
    return membership


@transaction.atomic
def set_mentor(membership: Membership, *, is_mentor: bool, actor: User) -> Membership:
    """Coordinators name mentors among the members of Mission and Pilot Cities."""
    if is_mentor and membership.city.status not in {City.Status.MISSION, City.Status.PILOT}:
        raise CityError(_("Mentors come from Mission and Pilot Cities."))
    membership.is_mentor = is_mentor
    membership.save(update_fields=["is_mentor"])
    log_action(
        "cities.membership.mentor_changed",
        actor=actor,
        target=membership,
        data={"mentor": is_mentor},
    )
    return membership


# --- cities ------------------------------------------------------------------------------------


@transaction.atomic
def update_city_profile(city: City, *, actor: User, **changes: Any) -> City:
    """Change the profile fields a city's leads may edit; audited with old and new values."""
    diff: dict[str, list[Any]] = {}
    for field, value in changes.items():
        if field not in PROFILE_FIELDS:
            raise ValueError(f"{field} is not a profile field")
        old = getattr(city, field)
        if old != value:
            diff[field] = [old, value]
            setattr(city, field, value)
    if diff:
        city.save(update_fields=[*diff.keys(), "updated"])
        transaction.on_commit(partial(forget_profile, city.pk))
        log_action("cities.city.profile_updated", actor=actor, target=city, data={"changes": diff})
    return city


@transaction.atomic
def set_city_status(city: City, *, status: str, actor: User) -> City:
    if status not in City.Status.values:
        raise CityError(_("Unknown status."))
    if city.status != status:
        old = city.status
        city.status = status
        city.save(update_fields=["status", "updated"])
        transaction.on_commit(partial(forget_profile, city.pk))
        log_action(
            "cities.city.status_changed",
            actor=actor,
            target=city,
            data={"from": old, "status": status},
        )
    return city


@transaction.atomic
def propose_city(
    *,
    actor: User,
    name: str,
    country: Country,
    population: int | None = None,
    website: str = "",
    note: str = "",
) -> CityProposal:
    """A user proposes a city missing from the directory; coordinators are notified."""
    if (
        CityProposal.objects.pending()
        .filter(proposed_by=actor, name__iexact=name, country=country)
        .exists()
    ):
        raise CityError(
            _("You have already proposed %(city)s; a coordinator will look at it.") % {"city": name}
        )
    proposal = CityProposal.objects.create(
        proposed_by=actor,
        name=name,
        country=country,
        population=population,
        website=website,
        note=note,
    )
    log_action(
        "cities.proposal.created",
        actor=actor,
        target=proposal,
        data={"name": name, "country": country.code},
    )
    notify(
        _coordinators(),
        kind="cities.proposal.created",
        title=_("New city proposed: %(city)s (%(country)s)")
        % {"city": name, "country": country.name},
        url=reverse("dashboard:coordinator"),
    )
    return proposal


def _decide_proposal(
    proposal: CityProposal, *, status: str, actor: User, city: City | None, note: str
) -> None:
    proposal.status = status
    proposal.city = city
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save(update_fields=["status", "city", "decided_by", "decided_at", "decision_note"])


def _lock_pending_proposal(proposal: CityProposal) -> CityProposal:
    locked = (
        # Lock the proposal only: the proposer is nullable, an outer join PostgreSQL cannot lock.
        CityProposal.objects.select_for_update(of=("self",))
        .select_related("country", "proposed_by")
        .get(pk=proposal.pk)
    )
    if locked.status != CityProposal.Status.PENDING:
        raise CityError(_("This proposal has already been decided."))
    return locked


def _join_after_proposal(proposal: CityProposal, city: City, actor: User) -> None:
    proposer = proposal.proposed_by
    if proposer is None or Membership.objects.open_between(proposer, city).exists():
        return
    request_membership(city, actor=proposer, message=_("Proposed this city for the directory."))


@transaction.atomic
def approve_proposal(proposal: CityProposal, *, actor: User) -> City:
    """Add the proposed city to the directory and file its proposer's request to join it."""
    proposal = _lock_pending_proposal(proposal)
    city = City.objects.create(
        name=proposal.name,
        country=proposal.country,
        population=proposal.population,
        website=proposal.website,
        source=City.Source.PROPOSED,
    )
    index_city_names([city])
    _decide_proposal(proposal, status=CityProposal.Status.APPROVED, actor=actor, city=city, note="")
    log_action("cities.proposal.approved", actor=actor, target=proposal, city=city)
    _join_after_proposal(proposal, city, actor)
    return city


@transaction.atomic
def merge_proposal(proposal: CityProposal, *, city: City, actor: User) -> City:
    """The proposed city already exists: point the proposal (and its proposer) to it."""
    proposal = _lock_pending_proposal(proposal)
    _decide_proposal(proposal, status=CityProposal.Status.MERGED, actor=actor, city=city, note="")
    log_action("cities.proposal.merged", actor=actor, target=proposal, city=city)
    _join_after_proposal(proposal, city, actor)
    return city


@transaction.atomic
def reject_proposal(proposal: CityProposal, *, actor: User, reason: str) -> CityProposal:
    proposal = _lock_pending_proposal(proposal)
    _decide_proposal(
        proposal, status=CityProposal.Status.REJECTED, actor=actor, city=None, note=reason
    )
    log_action("cities.proposal.rejected", actor=actor, target=proposal, data={"reason": reason})
    if proposal.proposed_by:
        notify(
            [proposal.proposed_by],
            kind="cities.proposal.rejected",
            title=_("Your proposed city %(city)s was not added") % {"city": proposal.name},
            body=reason,
        )
    return proposal


def _membership_data(user: User) -> list[dict[str, Any]]:
    return [
        {
            "city": m.city.name,
            "country": m.city.country.code,
            "role": m.role,
            "status": m.status,
            "mentor": m.is_mentor,
            "requested": m.created.isoformat(),
            "message": m.message,
        }
        for m in Membership.objects.for_user(user).select_related("city__country")
    ]


personal_data.register("memberships", _membership_data)

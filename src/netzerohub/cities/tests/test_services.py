"""Writes about cities and memberships: the rules, the audit log and the notifications."""

from __future__ import annotations

import pytest

from netzerohub.accounts.tests.factories import CoordinatorFactory, UserFactory
from netzerohub.cities import services
from netzerohub.cities.models import City, CityName, CityProposal, Membership
from netzerohub.cities.services import CityError
from netzerohub.cities.tests.factories import (
    CityFactory,
    CityProposalFactory,
    IneligibleCountryFactory,
    LeadFactory,
    MembershipFactory,
    PillarTwoCountryFactory,
    RequestFactory,
)
from netzerohub.core.models import AuditLog, Notification

pytestmark = pytest.mark.django_db(transaction=False)


def actions_for(obj) -> list[str]:
    return list(AuditLog.objects.for_object(obj).order_by("id").values_list("action", flat=True))


# --- request_membership --------------------------------------------------------------------------


def test_first_person_of_a_city_without_lead_asks_a_coordinator_to_become_its_lead(
    django_capture_on_commit_callbacks, mailoutbox
):
    city = CityFactory()
    coordinator = CoordinatorFactory()
    person = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        membership = services.request_membership(
            city, actor=person, message="I run our climate office."
        )

    assert membership.status == Membership.Status.PENDING
    assert membership.role == Membership.Role.LEAD
    assert membership.needs_coordinator is True
    assert actions_for(membership) == ["cities.membership.requested"]
    assert AuditLog.objects.get(action="cities.membership.requested").actor == person
    notification = Notification.objects.get(user=coordinator)
    assert notification.kind == "cities.membership.requested"
    assert city.name in notification.title
    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    assert "I run our climate office." in mailoutbox[0].body


def test_request_to_a_city_with_a_lead_goes_to_its_leads_as_a_plain_member_request(
    django_capture_on_commit_callbacks, mailoutbox
):
    lead = LeadFactory()
    CoordinatorFactory()
    person = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        membership = services.request_membership(lead.city, actor=person)

    assert membership.role == Membership.Role.MEMBER
    assert membership.needs_coordinator is False
    assert list(Notification.objects.values_list("user", flat=True)) == [lead.user.pk]
    assert [m.to for m in mailoutbox] == [[lead.user.email]]


def test_second_request_to_the_same_city_is_refused_with_a_clear_message():
    city = CityFactory(name="Malmö")
    person = UserFactory()
    services.request_membership(city, actor=person)

    with pytest.raises(CityError, match="already asked to join Malmö"):
        services.request_membership(city, actor=person)
    assert Membership.objects.filter(user=person).count() == 1


def test_member_asking_again_is_told_they_are_already_a_member():
    membership = MembershipFactory(city__name="Lund")

    with pytest.raises(CityError, match="already a member of Lund"):
        services.request_membership(membership.city, actor=membership.user)


def test_a_person_who_left_may_ask_again():
    membership = MembershipFactory(status=Membership.Status.LEFT)

    again = services.request_membership(membership.city, actor=membership.user)

    assert again.pk != membership.pk
    assert again.status == Membership.Status.PENDING


@pytest.mark.parametrize(
    ("code", "name"), [("BY", "Belarus"), ("RU", "Russia")], ids=["belarus", "russia"]
)
def test_cities_of_an_ineligible_country_cannot_be_joined(code, name):
    city = CityFactory(country=IneligibleCountryFactory(code=code, name=name))

    with pytest.raises(CityError, match=f"Cities in {name} cannot join"):
        services.request_membership(city, actor=UserFactory())
    assert not Membership.objects.exists()
    assert not AuditLog.objects.exists()


def test_cities_of_a_pillar_two_only_country_cannot_be_joined():
    city = CityFactory(country=PillarTwoCountryFactory(code="CA", name="Canada"))

    with pytest.raises(CityError, match="Pillar II only"):
        services.request_membership(city, actor=UserFactory())


# --- approve / reject ----------------------------------------------------------------------------


def test_lead_approves_a_request_and_the_person_is_told(
    django_capture_on_commit_callbacks, mailoutbox
):
    lead = LeadFactory(city__status=City.Status.PARTICIPATING)
    request = RequestFactory(city=lead.city)

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_membership(request, actor=lead.user)

    request.refresh_from_db()
    assert request.status == Membership.Status.APPROVED
    assert request.decided_by == lead.user
    assert request.decided_at is not None
    assert actions_for(request) == ["cities.membership.approved"]
    assert Notification.objects.get(user=request.user).kind == "cities.membership.approved"
    assert [m.to for m in mailoutbox] == [[request.user.email]]
    assert f"/my-city/{lead.city.pk}/" in mailoutbox[0].body


def test_approving_the_first_lead_makes_a_directory_city_participating():
    city = CityFactory(status=City.Status.DIRECTORY)
    request = services.request_membership(city, actor=UserFactory())

    services.approve_membership(request, actor=CoordinatorFactory())

    city.refresh_from_db()
    assert city.status == City.Status.PARTICIPATING
    status_change = AuditLog.objects.get(action="cities.city.status_changed")
    assert status_change.city == city
    request.refresh_from_db()
    assert (request.status, request.role) == (Membership.Status.APPROVED, Membership.Role.LEAD)


def test_lead_rejects_a_request_with_a_reason_the_person_reads(
    django_capture_on_commit_callbacks, mailoutbox
):
    lead = LeadFactory()
    request = RequestFactory(city=lead.city)

    with django_capture_on_commit_callbacks(execute=True):
        services.reject_membership(request, actor=lead.user, reason="Not from our city hall.")

    request.refresh_from_db()
    assert request.status == Membership.Status.REJECTED
    assert request.decision_note == "Not from our city hall."
    log = AuditLog.objects.get(action="cities.membership.rejected")
    assert log.data == {"reason": "Not from our city hall."}
    assert "Not from our city hall." in mailoutbox[0].body


@pytest.mark.parametrize("status", [Membership.Status.APPROVED, Membership.Status.REJECTED])
@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_a_decided_request_cannot_be_decided_again(status, decide):
    lead = LeadFactory()
    request = RequestFactory(city=lead.city, status=status)

    with pytest.raises(CityError, match="already been decided"):
        if decide == "approve":
            services.approve_membership(request, actor=lead.user)
        else:
            services.reject_membership(request, actor=lead.user)
    assert not AuditLog.objects.exists()


def test_deciding_a_stale_copy_of_a_request_reads_the_current_state():
    lead = LeadFactory()
    request = RequestFactory(city=lead.city)
    stale = Membership.objects.get(pk=request.pk)
    services.reject_membership(request, actor=lead.user)

    with pytest.raises(CityError):
        services.approve_membership(stale, actor=lead.user)
    assert Membership.objects.get(pk=request.pk).status == Membership.Status.REJECTED


# --- roles and mentors ---------------------------------------------------------------------------


def test_lead_makes_a_member_a_lead_and_back():
    lead = LeadFactory()
    other = MembershipFactory(city=lead.city)

    services.set_membership_role(other, role=Membership.Role.LEAD, actor=lead.user)
    services.set_membership_role(lead, role=Membership.Role.MEMBER, actor=lead.user)

    other.refresh_from_db()
    lead.refresh_from_db()
    assert (other.role, lead.role) == (Membership.Role.LEAD, Membership.Role.MEMBER)
    assert AuditLog.objects.filter(action="cities.membership.role_changed").count() == 2


def test_the_last_lead_cannot_be_demoted():
    lead = LeadFactory()
    MembershipFactory(city=lead.city)
    LeadFactory(city=lead.city, status=Membership.Status.LEFT)

    with pytest.raises(CityError, match="at least one lead"):
        services.set_membership_role(lead, role=Membership.Role.MEMBER, actor=lead.user)
    lead.refresh_from_db()
    assert lead.role == Membership.Role.LEAD


def test_a_pending_request_cannot_change_role():
    request = RequestFactory()

    with pytest.raises(CityError, match="Only approved members"):
        services.set_membership_role(request, role=Membership.Role.LEAD, actor=CoordinatorFactory())


@pytest.mark.parametrize("status", [City.Status.MISSION, City.Status.PILOT])
def test_mentors_come_from_mission_and_pilot_cities(status):
    membership = MembershipFactory(city__status=status)

    services.set_mentor(membership, is_mentor=True, actor=CoordinatorFactory())

    membership.refresh_from_db()
    assert membership.is_mentor is True
    log = AuditLog.objects.get(action="cities.membership.mentor_changed")
    assert log.data == {"mentor": True}


@pytest.mark.parametrize(
    "status", [City.Status.TWIN, City.Status.PARTICIPATING, City.Status.DIRECTORY]
)
def test_members_of_other_cities_cannot_be_mentors(status):
    membership = MembershipFactory(city__status=status)

    with pytest.raises(CityError, match="Mission and Pilot"):
        services.set_mentor(membership, is_mentor=True, actor=CoordinatorFactory())
    membership.refresh_from_db()
    assert membership.is_mentor is False


# --- the city ------------------------------------------------------------------------------------


def test_profile_update_is_audited_with_old_and_new_values():
    lead = LeadFactory(city__target_year=None, city__website="")
    city = lead.city

    services.update_city_profile(
        city, actor=lead.user, target_year=2030, website="https://city.example", com_signatory=False
    )

    city.refresh_from_db()
    assert city.target_year == 2030
    log = AuditLog.objects.get(action="cities.city.profile_updated")
    assert log.actor == lead.user
    assert log.city == city
    assert log.data == {
        "changes": {"target_year": [None, 2030], "website": ["", "https://city.example"]}
    }


def test_profile_update_without_changes_writes_no_log():
    city = CityFactory(target_year=2040)

    services.update_city_profile(city, actor=CoordinatorFactory(), target_year=2040)

    assert not AuditLog.objects.exists()


def test_profile_update_refuses_fields_that_are_not_the_profile():
    city = CityFactory(name="Gent")

    with pytest.raises(ValueError, match="status"):
        services.update_city_profile(city, actor=CoordinatorFactory(), status=City.Status.MISSION)
    city.refresh_from_db()
    assert city.status == City.Status.DIRECTORY


def test_coordinator_sets_a_city_status():
    city = CityFactory(status=City.Status.PARTICIPATING)

    services.set_city_status(city, status=City.Status.PILOT, actor=CoordinatorFactory())

    city.refresh_from_db()
    assert city.status == City.Status.PILOT
    log = AuditLog.objects.get(action="cities.city.status_changed")
    assert log.data == {"from": "participating", "status": "pilot"}


def test_unknown_city_status_is_refused():
    city = CityFactory()

    with pytest.raises(CityError, match="Unknown status"):
        services.set_city_status(city, status="capital", actor=CoordinatorFactory())


# --- proposals -----------------------------------------------------------------------------------


def test_proposing_a_city_notifies_coordinators(django_capture_on_commit_callbacks, mailoutbox):
    coordinator = CoordinatorFactory()
    person = UserFactory()
    country = CityFactory().country

    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.propose_city(actor=person, name="Smallville", country=country)

    assert proposal.status == CityProposal.Status.PENDING
    assert actions_for(proposal) == ["cities.proposal.created"]
    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    assert "Smallville" in mailoutbox[0].subject


def test_proposing_the_same_city_twice_is_refused():
    proposal = CityProposalFactory(name="Smallville")

    with pytest.raises(CityError, match="(?i)already proposed smallville"):
        services.propose_city(
            actor=proposal.proposed_by, name="smallville", country=proposal.country
        )


def test_approving_a_proposal_adds_the_city_and_files_the_proposers_request():
    proposal = CityProposalFactory(name="Nová Ves")
    coordinator = CoordinatorFactory()

    city = services.approve_proposal(proposal, actor=coordinator)

    proposal.refresh_from_db()
    assert (proposal.status, proposal.city, proposal.decided_by) == (
        CityProposal.Status.APPROVED,
        city,
        coordinator,
    )
    assert city.source == City.Source.PROPOSED
    assert city.country == proposal.country
    assert list(City.objects.search("nova ves")) == [city]
    assert CityName.objects.filter(city=city).exists()
    request = Membership.objects.get(user=proposal.proposed_by, city=city)
    assert (request.status, request.needs_coordinator) == (Membership.Status.PENDING, True)
    assert "cities.proposal.approved" in actions_for(proposal)


def test_merging_a_proposal_points_it_to_the_existing_city_and_files_a_request():
    lead = LeadFactory()
    proposal = CityProposalFactory(name=lead.city.name, country=lead.city.country)

    services.merge_proposal(proposal, city=lead.city, actor=CoordinatorFactory())

    proposal.refresh_from_db()
    assert (proposal.status, proposal.city) == (CityProposal.Status.MERGED, lead.city)
    request = Membership.objects.get(user=proposal.proposed_by)
    assert (request.city, request.role) == (lead.city, Membership.Role.MEMBER)
    assert actions_for(proposal) == ["cities.proposal.merged"]


def test_merging_into_a_city_the_proposer_already_belongs_to_files_no_second_request():
    membership = MembershipFactory()
    proposal = CityProposalFactory(proposed_by=membership.user, country=membership.city.country)

    services.merge_proposal(proposal, city=membership.city, actor=CoordinatorFactory())

    assert Membership.objects.filter(user=membership.user).count() == 1


def test_rejecting_a_proposal_tells_the_proposer_why(
    django_capture_on_commit_callbacks, mailoutbox
):
    proposal = CityProposalFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.reject_proposal(proposal, actor=CoordinatorFactory(), reason="It is a village.")

    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note) == (
        CityProposal.Status.REJECTED,
        "It is a village.",
    )
    assert AuditLog.objects.get(action="cities.proposal.rejected").data == {
        "reason": "It is a village."
    }
    assert [m.to for m in mailoutbox] == [[proposal.proposed_by.email]]
    assert "It is a village." in mailoutbox[0].body


@pytest.mark.parametrize(
    "decide",
    [
        lambda p, c, existing: services.approve_proposal(p, actor=c),
        lambda p, c, existing: services.merge_proposal(p, city=existing, actor=c),
        lambda p, c, existing: services.reject_proposal(p, actor=c, reason=""),
    ],
    ids=["approve", "merge", "reject"],
)
def test_a_decided_proposal_cannot_be_decided_again(decide):
    proposal = CityProposalFactory(status=CityProposal.Status.REJECTED)
    existing = CityFactory()

    with pytest.raises(CityError, match="already been decided"):
        decide(proposal, CoordinatorFactory(), existing)
    assert list(City.objects.all()) == [existing]
    assert not Membership.objects.exists()


# --- every state change is audited with a dotted code --------------------------------------------


def test_every_audit_entry_has_a_dotted_action_code():
    city = CityFactory(status=City.Status.PILOT)
    coordinator = CoordinatorFactory()
    first = services.request_membership(city, actor=UserFactory())
    services.approve_membership(first, actor=coordinator)
    second = services.request_membership(city, actor=UserFactory())
    services.approve_membership(second, actor=first.user)
    services.set_membership_role(second, role=Membership.Role.LEAD, actor=first.user)
    services.set_mentor(second, is_mentor=True, actor=coordinator)
    services.update_city_profile(city, actor=first.user, target_year=2035)
    services.set_city_status(city, status=City.Status.MISSION, actor=coordinator)
    services.leave_city(second, actor=second.user)
    proposal = services.propose_city(actor=first.user, name="Elsewhere", country=city.country)
    services.reject_proposal(proposal, actor=coordinator, reason="")

    codes = list(AuditLog.objects.order_by("id").values_list("action", flat=True))
    assert codes == [
        "cities.membership.requested",
        "cities.membership.approved",
        "cities.membership.requested",
        "cities.membership.approved",
        "cities.membership.role_changed",
        "cities.membership.mentor_changed",
        "cities.city.profile_updated",
        "cities.city.status_changed",
        "cities.membership.left",
        "cities.proposal.created",
        "cities.proposal.rejected",
    ]
    assert all(entry.count(".") == 2 for entry in codes)
    assert set(
        AuditLog.objects.exclude(target_type="cities.cityproposal").values_list("city", flat=True)
    ) == {city.pk}

"""Routing (category and theme → queue) and assignment (the least-loaded expert present)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from netzerohub.accounts.tests.factories import HelpdeskExpertFactory, UserFactory
from netzerohub.core.models import Notification, Term
from netzerohub.helpdesk import services
from netzerohub.helpdesk.models import Category, Ticket

from .factories import (
    AbsenceFactory,
    QueueFactory,
    RoutingRuleFactory,
    ServiceLevelFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db
S = Ticket.Status


def open_expert_ticket(term=None, category=Category.EXPERT) -> Ticket:
    return services.open_ticket(
        actor=UserFactory(),
        city=None,
        category=category,
        subject="A question",
        description="Details",
        term=term,
    )


# --- routing ---------------------------------------------------------------------------------


def test_a_rule_with_a_theme_beats_the_categorys_rule():
    term, other_term = Term.objects.all()[:2]
    general = QueueFactory()
    themed = QueueFactory()
    RoutingRuleFactory(category=Category.EXPERT, queue=general)
    RoutingRuleFactory(category=Category.EXPERT, term=term, queue=themed)
    assert services.route(Category.EXPERT, term.pk) == themed
    assert services.route(Category.EXPERT, other_term.pk) == general
    assert services.route(Category.EXPERT, None) == general
    assert open_expert_ticket(term).queue == themed
    assert open_expert_ticket(other_term).queue == general


def test_without_a_rule_the_default_queue():
    default = QueueFactory(is_default=True)
    RoutingRuleFactory(category=Category.EVENTS)
    assert services.route(Category.PORTAL, None) == default
    assert open_expert_ticket(category=Category.PORTAL).queue == default


def test_without_a_rule_nor_a_default_queue_the_ticket_has_no_queue():
    ticket = open_expert_ticket(category=Category.PORTAL)
    assert ticket.queue is None and ticket.assignee is None and ticket.status == S.NEW


def test_an_inactive_queue_is_skipped():
    term = Term.objects.first()
    default = QueueFactory(is_default=True)
    general = QueueFactory()
    RoutingRuleFactory(category=Category.EXPERT, queue=general)
    RoutingRuleFactory(category=Category.EXPERT, term=term, queue=QueueFactory(is_active=False))
    assert services.route(Category.EXPERT, term.pk) == general
    general.is_active = False
    general.save()
    assert services.route(Category.EXPERT, term.pk) == default
    default.is_active = False
    default.save()
    assert services.route(Category.EXPERT, term.pk) is None


# --- automatic assignment --------------------------------------------------------------------


def test_the_expert_with_the_fewest_active_tickets_gets_the_ticket():
    busy, idle = HelpdeskExpertFactory(), HelpdeskExpertFactory()
    queue = QueueFactory(experts=[busy, idle])
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    for status in (S.NEW, S.OPEN, S.WAITING):
        TicketFactory(assignee=busy, status=status)
    # Resolved and closed tickets do not count: `idle` has more tickets but none active.
    for status in (S.RESOLVED, S.CLOSED, S.CLOSED, S.RESOLVED):
        TicketFactory(assignee=idle, status=status)
    assert services.available_expert(queue, today=timezone.localdate()) == idle
    assert open_expert_ticket(category=Category.PORTAL).assignee == idle


def test_load_counts_tickets_of_every_queue():
    first, second = HelpdeskExpertFactory(), HelpdeskExpertFactory()
    queue = QueueFactory(experts=[first, second])
    TicketFactory(assignee=first, status=S.OPEN, queue=QueueFactory())
    assert services.available_expert(queue, today=timezone.localdate()) == second


def test_ties_go_to_the_lowest_id_every_time():
    experts = sorted([HelpdeskExpertFactory() for _ in range(3)], key=lambda u: u.pk)
    queue = QueueFactory(experts=list(reversed(experts)))
    today = timezone.localdate()
    assert {services.available_expert(queue, today=today) for _ in range(5)} == {experts[0]}
    TicketFactory(assignee=experts[0], status=S.OPEN)
    assert services.available_expert(queue, today=today) == experts[1]
    # Round robin by load when tickets keep coming.
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    got = [open_expert_ticket(category=Category.PORTAL).assignee for _ in range(5)]
    assert got == [experts[1], experts[2], experts[0], experts[1], experts[2]]


def test_an_expert_away_today_is_skipped_but_not_on_other_days():
    away, present = HelpdeskExpertFactory(), HelpdeskExpertFactory()
    TicketFactory(assignee=present, status=S.OPEN)
    queue = QueueFactory(experts=[away, present])
    today = timezone.localdate()
    AbsenceFactory(expert=away, starts_on=today - dt.timedelta(days=2), ends_on=today)
    tomorrow = today + dt.timedelta(days=1)
    AbsenceFactory(expert=present, starts_on=tomorrow, ends_on=tomorrow)
    assert services.available_expert(queue, today=today) == present
    assert services.available_expert(queue, today=today + dt.timedelta(days=1)) == away


def test_absences_of_other_experts_do_not_hide_a_present_one():
    """The subquery of absences must not drop experts on PostgreSQL or SQLite."""
    first, second = HelpdeskExpertFactory(), HelpdeskExpertFactory()
    queue = QueueFactory(experts=[first, second])
    today = timezone.localdate()
    AbsenceFactory(expert=HelpdeskExpertFactory(), starts_on=today, ends_on=today)
    TicketFactory(assignee=first, status=S.OPEN)
    TicketFactory(assignee=first, status=S.OPEN)
    assert services.available_expert(queue, today=today) == second


def test_an_inactive_user_is_skipped():
    gone, here = HelpdeskExpertFactory(is_active=False), HelpdeskExpertFactory()
    TicketFactory(assignee=here, status=S.OPEN)
    queue = QueueFactory(experts=[gone, here])
    assert services.available_expert(queue, today=timezone.localdate()) == here


def test_a_queue_without_automatic_assignment_leaves_the_ticket_unassigned():
    expert = HelpdeskExpertFactory()
    queue = QueueFactory(experts=[expert], auto_assign=False)
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    ServiceLevelFactory()
    ticket = open_expert_ticket(category=Category.PORTAL)
    assert ticket.queue == queue and ticket.assignee is None
    # The queue's experts are told instead.
    assert Notification.objects.filter(user=expert).count() == 1


def test_when_every_expert_is_away_the_ticket_waits_unassigned_in_the_queue():
    experts = [HelpdeskExpertFactory(), HelpdeskExpertFactory()]
    queue = QueueFactory(experts=experts)
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    today = timezone.localdate()
    for expert in experts:
        AbsenceFactory(expert=expert, starts_on=today, ends_on=today + dt.timedelta(days=3))
    ticket = open_expert_ticket(category=Category.PORTAL)
    assert ticket.queue == queue and ticket.assignee is None
    assert ticket in Ticket.objects.in_queues([queue.pk]).active()


def test_a_visitors_ticket_is_assigned_when_confirmed_not_before():
    expert = HelpdeskExpertFactory()
    queue = QueueFactory(experts=[expert])
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    ticket = services.open_visitor_ticket(
        name="Vera",
        email="vera@example.org",
        category=Category.PORTAL,
        subject="Hi",
        description="?",
    )
    assert ticket.queue is None and ticket.assignee is None
    assert services.confirm_visitor_ticket(ticket)
    ticket.refresh_from_db()
    assert ticket.queue == queue and ticket.assignee == expert


# --- manual assignment and moving queues -------------------------------------------------------


def test_manual_assignment_tells_the_new_assignee(coordinator):
    first, second = HelpdeskExpertFactory(), HelpdeskExpertFactory()
    queue = QueueFactory(experts=[first, second])
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    ticket = open_expert_ticket(category=Category.PORTAL)
    assert ticket.assignee == first
    services.change_ticket(ticket, actor=coordinator, assignee=second)
    ticket.refresh_from_db()
    assert ticket.assignee == second
    assert Notification.objects.filter(user=second, title__contains="assigned to you").exists()
    services.change_ticket(ticket, actor=coordinator, unassign=True)
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_only_an_active_expert_can_be_assigned(coordinator):
    ticket = open_expert_ticket(category=Category.PORTAL)
    for person in (UserFactory(), HelpdeskExpertFactory(is_active=False)):
        with pytest.raises(services.HelpdeskError, match="active helpdesk expert"):
            services.change_ticket(ticket, actor=coordinator, assignee=person)
    services.change_ticket(ticket, actor=coordinator, assignee=coordinator)
    ticket.refresh_from_db()
    assert ticket.assignee == coordinator


def test_moving_to_an_automatic_queue_assigns_its_least_loaded_expert_who_is_told(coordinator):
    old_expert, busy, idle = (HelpdeskExpertFactory() for _ in range(3))
    RoutingRuleFactory(category=Category.PORTAL, queue=QueueFactory(experts=[old_expert]))
    target = QueueFactory(experts=[busy, idle])
    TicketFactory(assignee=busy, status=S.OPEN)
    ticket = open_expert_ticket(category=Category.PORTAL)
    assert ticket.assignee == old_expert
    services.change_ticket(ticket, actor=coordinator, queue=target)
    ticket.refresh_from_db()
    assert (ticket.queue, ticket.assignee) == (target, idle)
    assert Notification.objects.filter(user=idle, title__contains="assigned to you").exists()


def test_moving_to_a_manual_queue_unassigns(coordinator):
    expert = HelpdeskExpertFactory()
    RoutingRuleFactory(category=Category.PORTAL, queue=QueueFactory(experts=[expert]))
    target = QueueFactory(experts=[HelpdeskExpertFactory()], auto_assign=False)
    ticket = open_expert_ticket(category=Category.PORTAL)
    services.change_ticket(ticket, actor=coordinator, queue=target)
    ticket.refresh_from_db()
    assert (ticket.queue, ticket.assignee) == (target, None)


def test_moving_with_an_assignee_keeps_that_assignee(coordinator):
    expert, chosen = HelpdeskExpertFactory(), HelpdeskExpertFactory()
    RoutingRuleFactory(category=Category.PORTAL, queue=QueueFactory(experts=[expert]))
    target = QueueFactory(experts=[HelpdeskExpertFactory(), chosen])
    ticket = open_expert_ticket(category=Category.PORTAL)
    services.change_ticket(ticket, actor=coordinator, queue=target, assignee=chosen)
    ticket.refresh_from_db()
    assert (ticket.queue, ticket.assignee) == (target, chosen)

"""Who may do what with events and registrations.

- Published events (and cancelled ones, which say so) are visible to everyone: a meeting's time
  and agenda are not secret. Drafts are for coordinators, the event's organisers and, for a
  meeting, its group's facilitators.
- The video link is for confirmed participants of a published event (not once it is cancelled)
  and the people who run the event.
- Running an event (edit, cancel, registrations, attendance, exports, check-in list): coordinators;
  a national event's organisers; a meeting's group facilitators; a study visit's host city's
  leads and mentors.
- Registering: a person registers for one of their cities (an approved membership) within the
  event's audience: all cities; cities of the event's country; invited cities; for a meeting,
  members of the peer group (and its facilitators); for a study visit, cities accepted in the
  exchange call.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from netzerohub.cities.models import City
from netzerohub.cities.policies import approved_memberships, is_coordinator
from netzerohub.community.models import GroupMembership
from netzerohub.core.policies import Policy, fetch_or_404
from netzerohub.exchanges.models import Application

from .models import CalendarFeed, Event, Registration


def _facilitates(user: Any, event: Event) -> bool:
    if event.group_id is None or not user.is_authenticated:
        return False
    cached = getattr(event, "_facilitator_ids", None)
    if cached is None:
        cached = set(event.group.facilitators.values_list("pk", flat=True))
        event._facilitator_ids = cached
    return user.pk in cached


def _organises(user: Any, event: Event) -> bool:
    if not user.is_authenticated:
        return False
    cached = getattr(event, "_organiser_ids", None)
    if cached is None:
        cached = set(event.organisers.values_list("pk", flat=True))
        event._organiser_ids = cached
    return user.pk in cached


def _hosts(user: Any, event: Event) -> bool:
    """The leads and mentors of a study visit's host city."""
    if event.offer_id is None or not user.is_authenticated:
        return False
    membership = approved_memberships(user).get(event.offer.city_id)
    return membership is not None and (membership.role == "lead" or membership.is_mentor)


def runs(user: Any, event: Event) -> bool:
    """Coordinators, the organisers, the facilitators of a meeting's group and the host city's
    leads and mentors of a study visit."""
    return (
        is_coordinator(user)
        or _organises(user, event)
        or _facilitates(user, event)
        or _hosts(user, event)
    )


class EventPolicy(Policy):
    actions = ("view", "register", "see_video", "manage")

    def can_view(self, user: Any, event: Event) -> bool:
        if event.status != Event.Status.DRAFT:
            return True
        return runs(user, event)

    def can_register(self, user: Any, event: Event) -> bool:
        """May `user` register at all (for at least one of their cities)? Deadlines and seats
        are the engine's to check."""
        return event.status == Event.Status.PUBLISHED and bool(registration_cities(user, event))

    def can_see_video(self, user: Any, event: Event) -> bool:
        if runs(user, event):
            return True
        if not user.is_authenticated or event.status != Event.Status.PUBLISHED:
            return False
        return Registration.objects.for_event(event).for_user(user).confirmed().exists()

    def can_manage(self, user: Any, event: Event | None) -> bool:
        if event is None:
            return is_coordinator(user)
        return runs(user, event)


class RegistrationPolicy(Policy):
    actions = ("cancel", "accept")

    def can_cancel(self, user: Any, registration: Registration) -> bool:
        if not user.is_authenticated:
            return False
        return registration.user_id == user.pk or runs(user, registration.event)

    def can_accept(self, user: Any, registration: Registration) -> bool:
        return bool(user.is_authenticated and registration.user_id == user.pk)


event_policy = EventPolicy()
registration_policy = RegistrationPolicy()


def registration_refusal(event: Event, user: Any, city: Any) -> str | None:
    """Why `user` may not register for `event` on behalf of `city`, in plain words; None when
    they may (deadlines and seats aside)."""
    if not user.is_authenticated:
        return _("Sign in to register.")
    if city is None or city.pk not in approved_memberships(user):
        return _("You can register only for a city you are a member of.")
    audience = event.audience
    if audience == Event.Audience.COUNTRY and city.country_id != event.country_id:
        return _("This event is open to cities of %(country)s only.") % {
            "country": event.country.name if event.country_id else _("its country")
        }
    if audience == Event.Audience.INVITED and not event.invited_cities.filter(pk=city.pk).exists():
        return _("This event is open to invited cities only, and %(city)s is not one of them.") % {
            "city": city.name
        }
    if audience == Event.Audience.CALL and not (
        event.offer_id
        and Application.objects.accepted().filter(call_id=event.offer.call_id, city=city).exists()
    ):
        return _("This study visit is for the cities accepted in its call.")
    if audience == Event.Audience.GROUP and not (
        _facilitates(user, event)
        or GroupMembership.objects.approved().filter(group_id=event.group_id, user=user).exists()
    ):
        return _("This meeting is for members of the peer group: join the group first.")
    return None


def registration_cities(user: Any, event: Event) -> list[Any]:
    """The cities `user` may register for `event` on behalf of, by name."""
    if not user.is_authenticated:
        return []
    city_ids = list(approved_memberships(user))
    if not city_ids:
        return []
    cities = City.objects.filter(pk__in=city_ids).select_related("country").order_by("name")
    return [city for city in cities if registration_refusal(event, user, city) is None]


def get_event_for_user(user: Any, event_id: int, action: str = "view") -> Event:
    """An event `user` may `action`; 404 for a missing and a forbidden one alike."""
    queryset = Event.objects.select_related("group", "country", "phase", "offer")
    return fetch_or_404(queryset, event_policy, user, action, pk=event_id)


def get_registration_for_user(user: Any, registration_id: int, action: str) -> Registration:
    queryset = Registration.objects.select_related("event", "event__group", "city", "user")
    return fetch_or_404(queryset, registration_policy, user, action, pk=registration_id)


def get_active_feed(token: str) -> CalendarFeed:
    """The feed behind a calendar address; 404 for an unknown or revoked one."""
    feed = CalendarFeed.objects.active().select_related("user").filter(token=token).first()
    if feed is None:
        raise Http404
    return feed

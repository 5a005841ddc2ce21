"""Hosts' pages: a Mission or Pilot City declares its offer in a call (themes, places, working
languages, challenges, visit dates) and keeps it up to date until the pairs are published; the
page lists the city's study visits in the call and links to publishing one.

Leads and mentors of a Mission or Pilot City (and coordinators, for any of them) open it; a
person who may host for several cities chooses one (`?city=<id>`). Everyone else gets a 404.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from netzerohub.cities.models import City, Membership
from netzerohub.cities.policies import approved_memberships, is_coordinator
from netzerohub.events.models import Event

from . import services
from .models import Call, HostOffer, Pair
from .pair_forms import OfferForm
from .policies import can_host_for, get_call_for_user

HOST_STATUSES = (City.Status.MISSION, City.Status.PILOT)


def _own_host_cities(user) -> list[City]:
    """The Mission and Pilot Cities `user` leads or mentors, by name."""
    ids = [
        city_id
        for city_id, membership in approved_memberships(user).items()
        if membership.role == Membership.Role.LEAD or membership.is_mentor
    ]
    if not ids:
        return []
    cities = City.objects.filter(pk__in=ids, status__in=HOST_STATUSES)
    return list(cities.select_related("country").order_by("name"))


def _chosen_city(request: HttpRequest) -> City | list[City]:
    """The city whose offer the page is about, or the cities to choose from; 404 for a city the
    person may not host for (or a person who may host for none)."""
    user = request.user
    wanted = request.GET.get("city", "")
    if wanted:
        city = None
        if wanted.isdigit() and len(wanted) <= 10:
            city = City.objects.select_related("country").filter(pk=int(wanted)).first()
        if city is None or not can_host_for(user, city):
            raise Http404
        return city
    own = _own_host_cities(user)
    if len(own) == 1:
        return own[0]
    if own:
        return own
    if is_coordinator(user):
        hosts = City.objects.filter(status__in=HOST_STATUSES).select_related("country")
        return list(hosts.order_by("name"))
    raise Http404


def _page(call: Call, city: City, several: bool) -> str:
    url = reverse("exchanges:offer", args=[call.slug])
    return f"{url}?city={city.pk}" if several else url


@login_required
def offer_edit(request: HttpRequest, slug: str) -> HttpResponse:
    call = get_call_for_user(request.user, slug)
    chosen = _chosen_city(request)
    if isinstance(chosen, list):
        return render(request, "exchanges/offer_choose.html", {"call": call, "cities": chosen})
    city = chosen
    offer = (
        HostOffer.objects.for_call(call)
        .filter(city=city)
        .prefetch_related("fields", "levers")
        .first()
    ) or HostOffer(call=call, city=city)
    offer.call, offer.city = call, city
    final = call.matches_published_at is not None
    form = None
    if not final:
        # The form works on a copy: the saved offer shown beside it keeps its saved values
        # while a mistake is being corrected.
        form = OfferForm(request.POST or None, instance=copy.copy(offer))
        if request.method == "POST" and form.is_valid():
            try:
                services.save_offer(form.instance, actor=request.user, **form.related())
            except services.ExchangeError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The offer of %(city)s is saved.") % {"city": city})
                return redirect(_page(call, city, bool(request.GET.get("city"))))
    elif request.method == "POST":
        messages.error(request, _("The pairs of this call are published; the offer is final."))
    visits, pairs = [], []
    if offer.pk:
        visits = list(Event.objects.filter(offer=offer).order_by("starts_at", "id"))
        if final:
            pairs = list(
                Pair.objects.filter(offer=offer)
                .published()
                .select_related("application__city")
                .order_by("application__city__name")
            )
    context = {
        "call": call,
        "city": city,
        "offer": offer,
        "form": form,
        "final": final,
        "visits": visits,
        "pairs": pairs,
        "chosen": bool(request.GET.get("city")),
    }
    return render(request, "exchanges/offer.html", context)

"""The demo's sample city-to-city exchanges, read from JSON (`data/demo/calls.json`, described in
the README.md beside it) and created through the services, so they are what the portal itself
would have made: audited, notified, eligibility checked, matched by the solver.

- Three sample calls (`is_sample=True`): a twinning learning programme open now, group study
  visits closed ten days ago, and a bilateral twinning call open now. Windows are counted from
  the load day (a clock time in the call's zone), so the demo never looks stale.
- The Mission City Lund's offer in the study-visits call, declared by the demo mentor, and its
  sample study visit (an event of kind `study-visit`, open to the call's accepted cities).
- The demo city Gent's applications, through the demo lead: a submitted, reviewed and accepted
  one to the study-visits call, matched with Lund and published, with one activity on the
  pair's timeline; and a draft to the bilateral call, partly answered. Gent applies to no
  twinning programme: the reference data gives it no climate-neutrality target year and the
  demo does not invent one, so the call's page shows the rule it fails and how to fix it.

The study-visits call is closed, but its application was handed in while it was open: the
loader opens the window for the moment it writes the application (through `save_call`), sets
it back, and dates the submission inside the window.

Loading is idempotent: a call is known by its address, an offer by its call and city, a study
visit by its offer and title, an application by its call and city, a review by its reviewer,
an activity by its pair and title. What exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from netzerohub.cities.models import Country
from netzerohub.events import services as event_services
from netzerohub.events.demo import DemoError, _city, _moment, _person, _terms
from netzerohub.events.models import Event

from . import services
from .models import (
    Activity,
    Application,
    Call,
    EligibilityRule,
    HostOffer,
    Pair,
    Question,
    Review,
    ReviewCriterion,
)

CALLS_FILE = Path(__file__).parent / "data" / "demo" / "calls.json"

__all__ = ["CALLS_FILE", "DemoError", "load_exchanges", "summary"]


def load_exchanges(
    people: Mapping[str, Any],
    *,
    actor: Any,
    today: dt.date | None = None,
    path: Path = CALLS_FILE,
) -> Counter:
    """Create the sample calls (with their offers and study visits), the demo city's
    applications (submitted, reviewed and decided as the file says), the matching runs and
    published pairs with their activity. `people` maps the emails the file names to users;
    `actor` (a coordinator) creates the calls. Returns what was created, counted by kind."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("calls"), list):
        raise DemoError(f"{path.name}: expected an object with a list 'calls'.")
    today = today or timezone.localdate()
    report: Counter = Counter()
    standard = data.get("standard_questions", [])
    for item in data["calls"]:
        call = _call(item, standard, people, actor, today, report)
        for offer in item.get("offers", []):
            _offer(call, offer, people, report)
        for visit in item.get("study_visits", []):
            _study_visit(call, visit, people, today, report)
    for item in data.get("applications", []):
        _application(item, people, actor, report)
    for item in data.get("matching", []):
        _matching(item, people, today, report)
    return report


def _invalid(what: str, error: Exception) -> DemoError:
    messages = error.messages if isinstance(error, ValidationError) else [str(error)]
    return DemoError(f"{what}: {'; '.join(messages)}")


# --- calls, offers and study visits ----------------------------------------------------------


def _questions(item: dict[str, Any], standard: list[dict[str, Any]]) -> list[Question]:
    """The call's questions: "standard" (every one of the standard set) or a list of kinds
    of the standard set."""
    by_kind = {q["kind"]: q for q in standard}
    kinds = list(by_kind) if item.get("questions") == "standard" else item.get("questions", [])
    if set(kinds) - set(by_kind):
        raise DemoError(
            f"{item['slug']}: unknown question kinds {sorted(set(kinds) - set(by_kind))}"
        )
    return [
        Question(
            kind=kind,
            label=by_kind[kind]["label"],
            help_text=by_kind[kind].get("help_text", ""),
            required=by_kind[kind].get("required", True),
        )
        for kind in kinds
    ]


def _call(
    item: dict[str, Any],
    standard: list[dict[str, Any]],
    people: Mapping[str, Any],
    actor: Any,
    today: dt.date,
    report: Counter,
) -> Call:
    call = Call.objects.filter(slug=item["slug"]).first()
    if call is not None:
        report["calls already there"] += 1
        return call
    zone = item.get("time_zone", "Europe/Brussels")
    call = Call(
        slug=item["slug"],
        title=item["title"],
        kind=item["kind"],
        summary=item["summary"],
        information=item.get("information", ""),
        opens_at=_moment(today + dt.timedelta(days=item["opens_in_days"]), item["opens"], zone),
        closes_at=_moment(today + dt.timedelta(days=item["closes_in_days"]), item["closes"], zone),
        time_zone=zone,
        status=Call.Status.PUBLISHED,
        is_sample=True,
    )
    if item.get("match_weights"):
        call.match_weights = item["match_weights"]
    rules = [
        EligibilityRule(
            kind=rule["kind"],
            year=rule.get("year"),
            minimum=rule.get("minimum"),
            maximum=rule.get("maximum"),
        )
        for rule in item.get("rules", [])
    ]
    criteria = [
        ReviewCriterion(
            title=c["title"], description=c.get("description", ""), weight=c.get("weight", 1)
        )
        for c in item.get("criteria", [])
    ]
    for row in [call, *rules, *criteria]:
        try:
            row.full_clean(exclude=["call"])
        except ValidationError as error:
            raise _invalid(f"{item['slug']}: {row!r}", error) from error
    try:
        services.save_call(
            call,
            actor=actor,
            rules=rules,
            questions=_questions(item, standard),
            criteria=criteria,
            reviewers=[_person(people, email) for email in item.get("reviewers", [])],
        )
    except (ValidationError, services.ExchangeError) as error:
        raise _invalid(item["slug"], error) from error
    report["calls"] += 1
    return call


def _offer(call: Call, item: dict[str, Any], people: Mapping[str, Any], report: Counter) -> None:
    city = _city(*item["city"])
    if HostOffer.objects.for_call(call).for_city(city).exists():
        return
    offer = HostOffer(
        call=call,
        city=city,
        capacity=item["capacity"],
        languages=item.get("languages", []),
        challenges=item.get("challenges", ""),
        visit_dates=item.get("visit_dates", ""),
    )
    try:
        services.save_offer(
            offer,
            actor=_person(people, item["by"]),
            fields=_terms("field", item.get("fields", [])),
            levers=_terms("lever", item.get("levers", [])),
        )
    except services.ExchangeError as error:
        raise _invalid(f"{city.name}'s offer in {call.slug}", error) from error
    report["offers"] += 1


def _study_visit(
    call: Call, item: dict[str, Any], people: Mapping[str, Any], today: dt.date, report: Counter
) -> None:
    host = _city(*item["host"])
    offer = HostOffer.objects.for_call(call).for_city(host).first()
    if offer is None:
        raise DemoError(f"{item['title']}: {host.name} makes no offer in {call.slug}.")
    if Event.objects.filter(kind=Event.Kind.STUDY_VISIT, offer=offer, title=item["title"]).exists():
        return
    country = Country.objects.filter(code=item["country"]).first()
    if country is None:
        raise DemoError(f"No country {item['country']}: load the reference data.")
    days = item.get("days", 1)
    day = today + dt.timedelta(days=item["in_days"])
    while not all(_working(day + dt.timedelta(days=n)) for n in range(days)):
        day += dt.timedelta(days=1)
    zone = item.get("time_zone", "Europe/Brussels")
    visit = Event(
        kind=Event.Kind.STUDY_VISIT,
        offer=offer,
        title=item["title"],
        summary=item.get("summary", ""),
        agenda=item.get("agenda", ""),
        country=country,
        languages=item.get("languages", []),
        format=item.get("format", Event.Format.IN_PERSON),
        venue=item.get("venue", ""),
        starts_at=_moment(day, item["start"], zone),
        ends_at=_moment(day + dt.timedelta(days=days - 1), item["end"], zone),
        time_zone=zone,
        capacity=item.get("capacity"),
        seats_per_city=item.get("seats_per_city"),
        audience=Event.Audience.CALL,
        status=Event.Status.PUBLISHED,
        is_sample=True,
    )
    m2m = {
        "fields": _terms("field", item.get("fields", [])),
        "levers": _terms("lever", item.get("levers", [])),
    }
    try:
        event_services.save_event(visit, actor=_person(people, item["by"]), m2m=m2m)
    except ValidationError as error:
        raise _invalid(f"“{item['title']}” is not a valid study visit", error) from error
    report["study visits"] += 1


# --- applications ----------------------------------------------------------------------------


def _working(day: dt.date) -> bool:
    """A weekday outside the year-end holidays (24 December to 1 January)."""
    holidays = (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1)
    return day.weekday() < 5 and not holidays


@contextmanager
def _open_while_writing(call: Call, *, actor: Any) -> Iterator[None]:
    """Open a closed call's window while the demo writes an application handed in when it was
    open, then set the window back (both changes through `save_call`, audited)."""
    if call.is_open():
        yield
        return
    opens, closes = call.opens_at, call.closes_at
    now = timezone.now()
    call.opens_at = min(opens, now - dt.timedelta(minutes=1))
    call.closes_at = now + dt.timedelta(hours=1)
    services.save_call(call, actor=actor)
    try:
        yield
    finally:
        call.opens_at, call.closes_at = opens, closes
        services.save_call(call, actor=actor)


def _answers(call: Call, given: dict[str, Any]) -> dict[int, Any]:
    """The file's answers (by question kind) by the call's question ids."""
    by_kind = {q.kind: q.pk for q in call.questions.all()}
    unknown = set(given) - set(by_kind)
    if unknown:
        raise DemoError(f"{call.slug} asks no question of kind {', '.join(sorted(unknown))}.")
    return {by_kind[kind]: value for kind, value in given.items()}


def _application(
    item: dict[str, Any], people: Mapping[str, Any], actor: Any, report: Counter
) -> None:
    call = Call.objects.filter(slug=item["call"]).first()
    if call is None:
        raise DemoError(f"No call {item['call']} in the demo file.")
    city = _city(*item["city"])
    lead = _person(people, item["by"])
    application = Application.objects.for_call(call).for_city(city).first()
    if application is None:
        application = _write_application(call, city, lead, item, actor)
        report["applications"] += 1
    review = item.get("review")
    if review and application.status == Application.Status.SUBMITTED:
        _review(application, review, people, report)
    if item.get("decision") and application.status == Application.Status.SUBMITTED:
        try:
            services.decide_application(application, item["decision"], actor=actor)
        except services.ExchangeError as error:
            raise _invalid(f"{city.name}'s application to {call.slug}", error) from error
        report[f"applications {item['decision']}"] += 1


def _write_application(
    call: Call, city: Any, lead: Any, item: dict[str, Any], actor: Any
) -> Application:
    """Start the application, save its answers and (when the file says so) submit it."""
    where = f"{city.name}'s application to {call.slug}"
    closed = not call.is_open()
    try:
        with _open_while_writing(call, actor=actor):
            application = services.start_application(call, city=city, actor=lead)
            if item.get("answers"):
                services.save_answers(application, _answers(call, item["answers"]), actor=lead)
            if item.get("submit"):
                application = services.submit_application(application, actor=lead)
    except (ValidationError, services.ExchangeError) as error:
        raise _invalid(where, error) from error
    if closed and application.submitted_at is not None:
        # Handed in before the call closed, as the file says (the audit log keeps the load day).
        days = item.get("submitted_days_before_closing", 1)
        submitted = max(call.closes_at - dt.timedelta(days=days), call.opens_at)
        Application.objects.filter(pk=application.pk).update(
            created=submitted - dt.timedelta(days=2), submitted_at=submitted
        )
        application.refresh_from_db()
    return application


def _review(
    application: Application, item: dict[str, Any], people: Mapping[str, Any], report: Counter
) -> None:
    reviewer = _person(people, item["by"])
    if Review.objects.filter(application=application, reviewer=reviewer).exists():
        return
    criteria = list(application.call.criteria.order_by("position", "id"))
    if len(criteria) != len(item["scores"]):
        raise DemoError(f"{application}: give one score per review criterion.")
    scores = {c.pk: score for c, score in zip(criteria, item["scores"], strict=True)}
    try:
        services.save_review(
            application, reviewer=reviewer, scores=scores, comment=item.get("comment", "")
        )
    except (ValidationError, services.ExchangeError) as error:
        raise _invalid(f"the review of {application}", error) from error
    report["reviews"] += 1


# --- matching and the pairs' timeline --------------------------------------------------------


def _matching(
    item: dict[str, Any], people: Mapping[str, Any], today: dt.date, report: Counter
) -> None:
    call = Call.objects.filter(slug=item["call"]).first()
    if call is None:
        raise DemoError(f"No call {item['call']} in the demo file.")
    coordinator = _person(people, item["by"])
    try:
        if call.matches_published_at is None:
            if not Pair.objects.for_call(call).exists():
                report["pairs proposed"] += len(services.run_matching(call, actor=coordinator))
            if item.get("publish"):
                report["pairs published"] += services.publish_matches(call, actor=coordinator)
    except services.ExchangeError as error:
        raise _invalid(f"matching {call.slug}", error) from error
    for activity in item.get("activities", []):
        _activity(call, activity, people, today, report)


def _activity(
    call: Call, item: dict[str, Any], people: Mapping[str, Any], today: dt.date, report: Counter
) -> None:
    applicant = _city(*item["applicant"])
    pair = (
        Pair.objects.for_call(call)
        .published()
        .filter(application__city=applicant)
        .select_related("application__city")
        .first()
    )
    if pair is None:
        raise DemoError(f"{applicant.name} has no published pair in {call.slug}.")
    if pair.activities.filter(title=item["title"]).exists():
        return
    activity = Activity(
        kind=item["kind"],
        date=today + dt.timedelta(days=item.get("in_days", 0)),
        title=item["title"],
        description=item.get("description", ""),
        link=item.get("link", ""),
    )
    try:
        services.add_activity(pair, activity, actor=_person(people, item["by"]))
    except services.ExchangeError as error:
        raise _invalid(f"the activity “{item['title']}”", error) from error
    report["activities"] += 1


def summary(report: Counter) -> list[str]:
    """Short lines for the demo command's output."""
    return [
        f"Sample exchange calls: {report['calls']} created, {report['calls already there']} "
        f"already there; host offers: {report['offers']}; study visits: "
        f"{report['study visits']}; applications: {report['applications']} "
        f"({report['applications accept']} accepted); reviews: {report['reviews']}; pairs "
        f"proposed: {report['pairs proposed']}, published: {report['pairs published']}; pair "
        f"activities: {report['activities']}.",
    ]

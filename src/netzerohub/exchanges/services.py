"""Writes of city-to-city exchanges: calls, applications, host offers, reviews, decisions,
matching and the pairs' shared activity.

Every function is atomic and audited (the decision history of an application is read from the
audit log); notifications go out after commit. The application window is checked here, on the
server, in UTC: a form saved before the deadline and sent after it is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from netzerohub.cities.models import City, Membership
from netzerohub.core import personal_data, versions
from netzerohub.core.audit import log_action, register_labels
from netzerohub.core.languages import LANGUAGE_NAMES
from netzerohub.core.models import Term
from netzerohub.core.notifications import notify

from . import eligibility, matching
from .models import (
    Activity,
    Application,
    Call,
    EligibilityRule,
    HostOffer,
    Pair,
    PairRule,
    Question,
    Review,
    ReviewCriterion,
)

register_labels(
    {
        "exchanges.call.created": _l("Call created"),
        "exchanges.call.updated": _l("Call changed"),
        "exchanges.application.started": _l("Application started"),
        "exchanges.application.saved": _l("Application saved"),
        "exchanges.application.submitted": _l("Application submitted"),
        "exchanges.application.withdrawn": _l("Application withdrawn"),
        "exchanges.application.accepted": _l("Application accepted"),
        "exchanges.application.waitlisted": _l("Application put on the waiting list"),
        "exchanges.application.rejected": _l("Application not selected"),
        "exchanges.offer.saved": _l("Host offer saved"),
        "exchanges.review.saved": _l("Application reviewed"),
        "exchanges.matching.run": _l("Matching run"),
        "exchanges.pair.rule": _l("Pair locked or excluded"),
        "exchanges.matching.published": _l("Pairs published"),
        "exchanges.activity.added": _l("Pair activity added"),
        "exchanges.plan.saved": _l("Replication plan saved"),
    }
)

MAX_SCORE = 5
REPRESENTATIVES_MAX = 2
TEXT_MAX = 5000
HOURS_MAX = 200


def reviews_version(call: Call) -> str:
    """The version of what a call's review list shows (cache keys of its renderings)."""
    return versions.current(f"exchanges:reviews:{call.pk}")


def _reviews_changed(call_id: int) -> None:
    versions.bump(f"exchanges:reviews:{call_id}")


class ExchangeError(Exception):
    """A request the programme refuses; the message is shown to the person as it is."""


# --- calls -----------------------------------------------------------------------------------


@transaction.atomic
def save_call(
    call: Call,
    *,
    actor: Any,
    rules: Sequence[EligibilityRule] | None = None,
    questions: Sequence[Question] | None = None,
    criteria: Sequence[ReviewCriterion] | None = None,
    reviewers: Iterable[Any] | None = None,
) -> Call:
    """Create or change a call with, when given, all its rules, questions and review criteria
    in order (rows left out are deleted) and its invited reviewers."""
    if call.opens_at and call.closes_at and call.closes_at <= call.opens_at:
        raise ValidationError({"closes_at": _("The call must close after it opens.")})
    unknown = set(call.match_weights or {}) - set(matching.PARTS)
    if unknown or any(float(w) < 0 for w in (call.match_weights or {}).values()):
        raise ValidationError({"match_weights": _("Weights are numbers of 0 or more.")})
    if questions is not None and call.pk is not None:
        answered = answered_questions(call, keep=[q.pk for q in questions if q.pk is not None])
        if answered:
            raise ExchangeError(
                _(
                    "Applications have answered %(questions)s: a question with answers cannot "
                    "be deleted (change its wording, or make it optional, instead)."
                )
                % {"questions": "; ".join(f"“{q.label}”" for q in answered)}
            )
    created = call.pk is None
    if created:
        call.created_by = actor
    call.save()
    for rows, model in (
        (rules, EligibilityRule),
        (questions, Question),
        (criteria, ReviewCriterion),
    ):
        if rows is None:
            continue
        kept = []
        for position, row in enumerate(rows):
            if row.pk is not None and row.call_id != call.pk:
                raise ValidationError(_("A row of another call was sent."))
            row.call = call
            row.position = position
            row.save()
            kept.append(row.pk)
        model.objects.filter(call=call).exclude(pk__in=kept).delete()
    if reviewers is not None:
        call.reviewers.set(reviewers)
    _reviews_changed(call.pk)
    log_action(
        "exchanges.call.created" if created else "exchanges.call.updated",
        actor=actor,
        target=call,
        data={"status": call.status},
    )
    return call


def answered_questions(call: Call, *, keep: Iterable[int] = ()) -> list[Question]:
    """The call's questions, other than those in `keep`, that an application has answered:
    deleting one would lose its answers. (One query per question left out, usually none.)"""
    dropped = call.questions.exclude(pk__in=list(keep)).order_by("position", "id")
    return [
        question
        for question in dropped
        if Application.objects.for_call(call).filter(answers__has_key=str(question.pk)).exists()
    ]


# --- applications ----------------------------------------------------------------------------


def _check_open(call: Call, now=None) -> None:
    now = now or timezone.now()
    if call.status != Call.Status.PUBLISHED:
        raise ExchangeError(_("This call is not open for applications."))
    if now < call.opens_at:
        raise ExchangeError(_("This call is not open for applications yet."))
    if now >= call.closes_at:
        raise ExchangeError(_("This call closed for applications; nothing can be changed now."))


@transaction.atomic
def start_application(call: Call, *, city: City, actor: Any) -> Application:
    """The city's application to `call` (a new draft, or the one it has: one per city and
    call; a withdrawn one becomes a draft again). Refused outside the window and for a city
    that fails a rule about itself (the reasons are given)."""
    _check_open(call)
    checks = eligibility.check(eligibility.rules_of(call), city)
    failed = eligibility.failures(checks)
    if failed:
        raise ExchangeError(" ".join(f"{c.why} {c.fix}".strip() for c in failed))
    existing = Application.objects.filter(call=call, city=city).first()
    if existing is not None:
        if existing.status == Application.Status.WITHDRAWN:
            existing.status = Application.Status.DRAFT
            existing.save(update_fields=["status", "updated"])
            log_action("exchanges.application.started", actor=actor, target=existing)
        return existing
    try:
        with transaction.atomic():
            application = Application.objects.create(call=call, city=city, created_by=actor)
    except IntegrityError:  # two tabs at once: the other made it
        return Application.objects.get(call=call, city=city)
    log_action("exchanges.application.started", actor=actor, target=application)
    return application


def _clean_answer(question: Question, value: Any) -> Any:
    """The answer to `question` in its stored form; ValidationError with the reason."""
    if question.kind in (Question.Kind.FIELDS, Question.Kind.LEVERS):
        kind = "field" if question.kind == Question.Kind.FIELDS else "lever"
        values = [str(v) for v in (value or [])]
        known = set(Term.objects.filter(kind=kind, slug__in=values).values_list("slug", flat=True))
        if set(values) - known:
            raise ValidationError(_("Choose from the list."))
        return sorted(known)
    if question.kind == Question.Kind.LANGUAGES:
        values = [str(v) for v in (value or [])]
        if set(values) - set(LANGUAGE_NAMES):
            raise ValidationError(_("Choose from the list."))
        return sorted(set(values))
    if question.kind == Question.Kind.REPRESENTATIVES:
        people = []
        for person in value or []:
            name = str(person.get("name", "")).strip()[:150]
            role = str(person.get("role", "")).strip()[:150]
            english = str(person.get("english", "")).strip().upper()[:2]
            if not name:
                continue
            if english not in ("", "A1", "A2", "B1", "B2", "C1", "C2"):
                raise ValidationError(_("English levels are A1 to C2."))
            people.append({"name": name, "role": role, "english": english})
        if len(people) > REPRESENTATIVES_MAX:
            raise ValidationError(
                _("Name at most %(count)s representatives.") % {"count": REPRESENTATIVES_MAX}
            )
        return people
    if question.kind == Question.Kind.HOURS:
        if value in (None, ""):
            return None
        try:
            hours = int(value)
        except (TypeError, ValueError) as error:
            raise ValidationError(_("Give a whole number of hours.")) from error
        if not 0 <= hours <= HOURS_MAX:
            raise ValidationError(
                _("Give a number of hours between 0 and %(max)s.") % {"max": HOURS_MAX}
            )
        return hours
    text = str(value or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationError(
            _("At most %(count)s characters, please (this has %(length)s).")
            % {"count": TEXT_MAX, "length": len(text)}
        )
    return text


@transaction.atomic
def save_answers(
    application: Application,
    answers: Mapping[int, Any],
    *,
    actor: Any,
) -> Application:
    """Save some answers of an application (a draft, or a submitted one before the deadline),
    merging them into what is saved: two people answering different questions never erase
    each other's answers. Raises ValidationError keyed by question id."""
    application = (
        Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    )
    if application.status not in (Application.Status.DRAFT, Application.Status.SUBMITTED):
        raise ExchangeError(_("This application can no longer be changed."))
    _check_open(application.call)
    questions = {q.pk: q for q in application.call.questions.filter(pk__in=list(answers))}
    errors: dict[str, Any] = {}
    cleaned: dict[int, Any] = {}
    for pk, value in answers.items():
        question = questions.get(int(pk))
        if question is None:
            errors[str(pk)] = _("This question is not part of the call.")
            continue
        try:
            cleaned[question.pk] = _clean_answer(question, value)
        except ValidationError as error:
            errors[str(question.pk)] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    stored = dict(application.answers)
    for pk, value in cleaned.items():
        stored[str(pk)] = value
        kind = questions[pk].kind
        if kind == Question.Kind.FIELDS:
            application.fields.set(Term.objects.filter(kind="field", slug__in=value))
        elif kind == Question.Kind.LEVERS:
            application.levers.set(Term.objects.filter(kind="lever", slug__in=value))
        elif kind == Question.Kind.LANGUAGES:
            application.languages = value
        elif kind == Question.Kind.CHALLENGES:
            application.challenges = value
        elif kind == Question.Kind.REPRESENTATIVES:
            application.representatives = value
        elif kind == Question.Kind.HOURS:
            application.hours_per_month = value
    application.answers = stored
    application.save()
    log_action(
        "exchanges.application.saved",
        actor=actor,
        target=application,
        data={"questions": sorted(cleaned)},
    )
    return application


def missing_answers(application: Application) -> list[Question]:
    """The required questions the application leaves unanswered, in order."""
    return [
        q
        for q in application.call.questions.order_by("position", "id")
        if q.required and application.answers.get(str(q.pk)) in (None, "", [])
    ]


@transaction.atomic
def submit_application(application: Application, *, actor: Any) -> Application:
    """Hand in the application: refused outside the window, with required answers missing (each
    named) or when a rule fails (each reason given); every rule is checked again here."""
    application = (
        Application.objects.select_for_update()
        .select_related("call", "city")
        .get(pk=application.pk)
    )
    call = application.call
    _check_open(call)
    if application.status not in (Application.Status.DRAFT, Application.Status.SUBMITTED):
        raise ExchangeError(_("This application can no longer be submitted."))
    missing = missing_answers(application)
    if missing:
        raise ExchangeError(
            _("Answer these questions first: %(questions)s.")
            % {"questions": "; ".join(f"“{q.label}”" for q in missing)}
        )
    checks = eligibility.check(eligibility.rules_of(call), application.city, application)
    problems = [c for c in checks if c.outcome != eligibility.MET]
    if problems:
        raise ExchangeError(" ".join(f"{c.says} {c.why} {c.fix}".strip() for c in problems))
    first = application.status == Application.Status.DRAFT
    application.status = Application.Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["status", "submitted_at", "updated"])
    _reviews_changed(call.pk)
    log_action("exchanges.application.submitted", actor=actor, target=application)
    if first:
        notify(
            _leads(application.city),
            kind="exchanges.application.submitted",
            title=_("Application submitted: %(call)s") % {"call": call.title},
            body=_(
                "The application of %(city)s to “%(call)s” is submitted. It can be changed until "
                "the call closes."
            )
            % {"city": application.city.name, "call": call.title},
            url=application.get_absolute_url(),
        )
    return application


@transaction.atomic
def withdraw_application(application: Application, *, actor: Any) -> Application:
    """Withdraw a draft or submitted application (while the call is open)."""
    application = (
        Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    )
    if application.status not in (Application.Status.DRAFT, Application.Status.SUBMITTED):
        raise ExchangeError(_("A decided application cannot be withdrawn; write to the team."))
    _check_open(application.call)
    application.status = Application.Status.WITHDRAWN
    application.save(update_fields=["status", "updated"])
    _reviews_changed(application.call_id)
    log_action("exchanges.application.withdrawn", actor=actor, target=application)
    return application


def _leads(city: City) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.approved()
        .filter(city=city, role=Membership.Role.LEAD)
        .select_related("user")
    ]


# --- hosts -----------------------------------------------------------------------------------


@transaction.atomic
def save_offer(
    offer: HostOffer, *, actor: Any, fields: Iterable[Term] = (), levers: Iterable[Term] = ()
) -> HostOffer:
    """Declare or change what a Mission or Pilot City offers in a call."""
    if offer.city.status not in (City.Status.MISSION, City.Status.PILOT):
        raise ExchangeError(_("Only Mission and Pilot Cities host in city-to-city exchanges."))
    if offer.call.matches_published_at:
        raise ExchangeError(_("The pairs of this call are published; the offer is final."))
    if offer.pk is None:
        offer.created_by = actor
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError as error:
        raise ExchangeError(_("The city has already made an offer in this call.")) from error
    offer.fields.set(fields)
    offer.levers.set(levers)
    log_action(
        "exchanges.offer.saved",
        actor=actor,
        target=offer,
        data={"call": offer.call.slug, "capacity": offer.capacity},
    )
    return offer


# --- review and decisions --------------------------------------------------------------------


@transaction.atomic
def save_review(
    application: Application, *, reviewer: Any, scores: Mapping[int, int], comment: str = ""
) -> Review:
    """A reviewer's scores (0–5 per criterion) and comment; never by someone of the
    applicant city. Scores for criteria of another call are refused."""
    if Membership.objects.approved().filter(city=application.city, user=reviewer).exists():
        raise ExchangeError(_("Reviewers never review an application of their own city."))
    criteria = set(application.call.criteria.values_list("pk", flat=True))
    cleaned: dict[str, int] = {}
    for pk, value in scores.items():
        if int(pk) not in criteria:
            raise ValidationError(_("A score for a criterion of another call was sent."))
        if value is None or value == "":
            continue
        if not 0 <= int(value) <= MAX_SCORE:
            raise ValidationError(_("Scores go from 0 to %(max)s.") % {"max": MAX_SCORE})
        cleaned[str(int(pk))] = int(value)
    _reviews_changed(application.call_id)
    review, _created = Review.objects.update_or_create(
        application=application,
        reviewer=reviewer,
        defaults={"scores": cleaned, "comment": comment.strip()[:TEXT_MAX]},
    )
    log_action(
        "exchanges.review.saved",
        actor=reviewer,
        target=application,
        data={"scores": cleaned},
    )
    return review


def weighted_score(
    application: Application, reviews: Iterable[Review] | None = None
) -> float | None:
    """The mean over reviewers of Σ weight × score / Σ weight, out of 5; None before any
    review (or when every weight is 0)."""
    weights = {str(c.pk): c.weight for c in application.call.criteria.all()}
    totals = []
    for review in reviews if reviews is not None else application.reviews.all():
        scored = {k: v for k, v in review.scores.items() if k in weights}
        weight = sum(weights[k] for k in scored)
        if weight:
            totals.append(sum(weights[k] * v for k, v in scored.items()) / weight)
    return sum(totals) / len(totals) if totals else None


DECISIONS = {
    "accept": Application.Status.ACCEPTED,
    "waitlist": Application.Status.WAITLISTED,
    "reject": Application.Status.REJECTED,
}


@transaction.atomic
def decide_application(application: Application, decision: str, *, actor: Any) -> Application:
    """Accept, waitlist or reject a submitted application (and change a decision while the
    pairs are not published); the city's leads are told."""
    if decision not in DECISIONS:
        raise ExchangeError(_("Unknown decision."))
    application = (
        Application.objects.select_for_update()
        .select_related("call", "city")
        .get(pk=application.pk)
    )
    if application.status not in (Application.Status.SUBMITTED, *Application.DECIDED):
        raise ExchangeError(_("Only submitted applications are decided."))
    if application.call.matches_published_at:
        raise ExchangeError(_("The pairs of this call are published; decisions are final."))
    status = DECISIONS[decision]
    if application.status == status:
        return application
    application.status = status
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated"])
    _reviews_changed(application.call_id)
    if status != Application.Status.ACCEPTED:
        Pair.objects.filter(application=application).delete()
    log_action(f"exchanges.application.{status}", actor=actor, target=application)
    notify(
        _leads(application.city),
        kind=f"exchanges.application.{status}",
        title=_("Decision on your application: %(call)s") % {"call": application.call.title},
        body=_("The application of %(city)s is now: %(status)s.")
        % {"city": application.city.name, "status": application.get_status_display()},
        url=application.get_absolute_url(),
    )
    return application


# --- matching --------------------------------------------------------------------------------


def _side(obj: Application | HostOffer, capacity: int = 0) -> matching.Side:
    city = obj.city
    return matching.Side(
        id=obj.pk,
        fields=frozenset(t.slug for t in obj.fields.all()),
        levers=frozenset(t.slug for t in obj.levers.all()),
        languages=frozenset(obj.languages or []),
        population=city.population,
        country=city.country.code,
        latitude=city.latitude,
        longitude=city.longitude,
        words=matching.words_of(obj.challenges),
        capacity=capacity,
        label=city.name,
    )


@transaction.atomic
def run_matching(call: Call, *, actor: Any) -> list[Pair]:
    """Propose pairs of the call's accepted applicants and its hosts with the highest total
    compatibility within the hosts' capacities, keeping locked pairs and never making excluded
    ones; replaces the earlier proposal. Refused once the pairs are published, and with a
    clear message when there are no accepted applicants or no places."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.matches_published_at:
        raise ExchangeError(_("The pairs of this call are already published."))
    applications = list(
        Application.objects.for_call(call)
        .accepted()
        .select_related("city__country")
        .prefetch_related("fields", "levers")
        .order_by("pk")
    )
    offers = list(
        HostOffer.objects.for_call(call)
        .select_related("city__country")
        .prefetch_related("fields", "levers")
        .order_by("pk")
    )
    if not applications:
        raise ExchangeError(_("No application is accepted yet: accept applicants first."))
    if not offers or sum(o.capacity for o in offers) == 0:
        raise ExchangeError(_("No host offers a place yet: hosts declare their offers first."))
    applicants = [_side(a) for a in applications]
    hosts = [_side(o, o.capacity) for o in offers]
    weights = call.match_weights or matching.DEFAULT_WEIGHTS
    scores = matching.score_matrix(applicants, hosts, weights)
    row_of = {a.pk: i for i, a in enumerate(applications)}
    col_of = {o.pk: j for j, o in enumerate(offers)}
    locked, excluded = [], []
    for rule in PairRule.objects.filter(call=call):
        if rule.application_id in row_of and rule.offer_id in col_of:
            pair = (row_of[rule.application_id], col_of[rule.offer_id])
            (locked if rule.kind == PairRule.Kind.LOCK else excluded).append(pair)
    try:
        chosen = matching.solve(
            scores, [h.capacity for h in hosts], locked=locked, excluded=excluded
        )
    except matching.MatchingError as error:
        raise ExchangeError(str(error)) from error
    Pair.objects.filter(call=call).delete()
    pairs = Pair.objects.bulk_create(
        [
            Pair(
                call=call,
                application=applications[i],
                offer=offers[j],
                score=float(scores[i, j]),
                breakdown={
                    "parts": matching.breakdown(matching.parts(applicants[i], hosts[j]), weights),
                    "weights": dict(weights),
                },
            )
            for i, j in chosen
        ]
    )
    log_action(
        "exchanges.matching.run",
        actor=actor,
        target=call,
        data={
            "pairs": len(pairs),
            "total": round(matching.total(scores, chosen), 2),
            "unmatched": len(applications) - len(pairs),
        },
    )
    return pairs


@transaction.atomic
def set_pair_rule(
    call: Call, application: Application, offer: HostOffer, kind: str | None, *, actor: Any
) -> None:
    """Lock or exclude a pair for the next run (None removes the rule); refused once the pairs
    are published."""
    if application.call_id != call.pk or offer.call_id != call.pk:
        raise ExchangeError(_("This pair is not part of the call."))
    if call.matches_published_at:
        raise ExchangeError(_("The pairs of this call are published; the matching is final."))
    PairRule.objects.filter(application=application, offer=offer).delete()
    if kind is not None:
        if kind not in PairRule.Kind.values:
            raise ExchangeError(_("Unknown rule."))
        PairRule.objects.create(
            call=call, application=application, offer=offer, kind=kind, created_by=actor
        )
    log_action(
        "exchanges.pair.rule",
        actor=actor,
        target=call,
        data={"application": application.pk, "offer": offer.pk, "rule": kind},
    )


@transaction.atomic
def publish_matches(call: Call, *, actor: Any) -> int:
    """Publish the proposed pairs: both cities are told and see each other's contacts."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.matches_published_at:
        raise ExchangeError(_("The pairs of this call are already published."))
    pairs = list(Pair.objects.for_call(call).select_related("application__city", "offer__city"))
    if not pairs:
        raise ExchangeError(_("There are no proposed pairs to publish: run the matching first."))
    Pair.objects.for_call(call).update(status=Pair.Status.PUBLISHED)
    call.matches_published_at = timezone.now()
    call.save(update_fields=["matches_published_at", "updated"])
    for pair in pairs:
        twin, host = pair.application.city, pair.offer.city
        for city, other in ((twin, host), (host, twin)):
            notify(
                _leads(city),
                kind="exchanges.pair.published",
                title=_("Your exchange partner: %(city)s") % {"city": other.name},
                body=_("%(city)s and %(other)s are paired in “%(call)s”.")
                % {"city": city.name, "other": other.name, "call": call.title},
                url=pair.get_absolute_url(),
            )
    log_action("exchanges.matching.published", actor=actor, target=call, data={"pairs": len(pairs)})
    return len(pairs)


# --- the pairs' shared page ------------------------------------------------------------------


@transaction.atomic
def add_activity(pair: Pair, activity: Activity, *, actor: Any) -> Activity:
    """Add a meeting, visit, output or note to the pair's timeline."""
    if pair.status != Pair.Status.PUBLISHED:
        raise ExchangeError(_("The pair is not published yet."))
    activity.pair = pair
    activity.author = actor
    activity.save()
    log_action(
        "exchanges.activity.added",
        actor=actor,
        target=pair,
        city=pair.application.city,
        data={"kind": activity.kind, "title": activity.title},
    )
    return activity


@transaction.atomic
def save_replication_plan(pair: Pair, text: str, *, actor: Any, submit: bool = False) -> Pair:
    """Save the twin's replication plan (and mark it final with `submit`); a plan submitted as
    final is no longer changed."""
    if pair.status != Pair.Status.PUBLISHED:
        raise ExchangeError(_("The pair is not published yet."))
    if pair.plan_submitted_at is not None:
        raise ExchangeError(_("The replication plan was submitted as final; it is kept as it is."))
    if len(text) > 50_000:
        raise ValidationError(_("The plan is too long (at most 50,000 characters)."))
    pair.replication_plan = text.strip()
    if submit:
        if not pair.replication_plan:
            raise ExchangeError(_("Write the plan before submitting it."))
        pair.plan_submitted_at = timezone.now()
    pair.save(update_fields=["replication_plan", "plan_submitted_at"])
    log_action(
        "exchanges.plan.saved",
        actor=actor,
        target=pair,
        city=pair.application.city,
        data={"submitted": submit},
    )
    return pair


def _personal_data(user: Any) -> dict[str, Any]:
    return {
        "applications_started": [
            {"call": a.call.title, "city": a.city.name, "status": a.status}
            for a in Application.objects.filter(created_by=user).select_related("call", "city")
        ],
        "reviews": [
            {"application": r.application_id, "scores": r.scores, "comment": r.comment}
            for r in Review.objects.filter(reviewer=user)
        ],
    }


personal_data.register("exchanges", _personal_data)

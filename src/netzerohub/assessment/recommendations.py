"""Recommendations from a result: learning pathways, courses, knowledge resources, peer groups
and events, ranked by how well they cover what the city most needs, each with its reason.

The rule (README, "How recommendations are ranked"):

- A *source* of need is a scored dimension, need = (100 − score) / 100, or an answered
  question about one field of action (the "readiness per field" part), need = (4 − level) / 4;
  a field the city said does not apply, or left unanswered, asks for nothing.
- A source shares its need equally among its tags: a dimension's are its Transition Map step,
  its levers and those of its fields that have no question of their own; a field question's is
  its field. *demand(tag)* = Σ weight(dimension) × need × weight(tag) / (the source's number of
  tags) over the sources with that tag. Coordinators set the weights (`RecommendationWeight`;
  1 without a row, 0 switches a dimension or a tag off); a field question carries the weight
  of its dimension. Sharing keeps a dimension with six levers from outweighing one with a
  single lever.
- *Relevance* of an item = Σ demand(tag) over the item's tags / √(its number of tags) (a
  pathway's tags are those of its steps): the cosine similarity of the item's tags with the
  city's demand, so that an item about everything does not outrank one about what the city
  needs most. Items are ranked by relevance, then title; an item without a demanded tag is
  never recommended. The reason shown is the source that gives the item most.

Only published content the person may read is considered: pathways as the learning catalogue
lists them, courses and resources through `core.search` (the index holds only what may be
found, by audience): the `CANDIDATES` most recently indexed of each of the `TOP_TAGS` most
demanded tags. Peer groups: those open to new members, tagged with their theme. Events: the
`CANDIDATES` soonest national events of each of those tags that still take registrations and
are open to the assessed city (all cities, its country, or invited), tagged with their fields
and levers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from netzerohub.community.models import Group
from netzerohub.core import search
from netzerohub.core.models import Term
from netzerohub.core.querysets import make_key
from netzerohub.events import caching as events_caching
from netzerohub.events.models import Event
from netzerohub.knowledge.models import Resource
from netzerohub.knowledge.search import audiences_for
from netzerohub.learning.caching import content_version
from netzerohub.learning.models import Course, Enrolment, Pathway

from .models import HIGHEST, RecommendationWeight
from .results import Result

TOP_TAGS = 4
CANDIDATES = 40
LIMITS = {"pathway": 3, "course": 5, "resource": 5, "group": 3, "event": 3}
KINDS = tuple(LIMITS)
MATCHES_SHOWN = 3  # the item's most demanded tags, named beside the reason
CACHE_SECONDS = 600
_WEIGHTS_KEY = "assessment:recommendation-weights"

Tag = tuple[str, str]  # (term kind, slug)


def weights() -> dict[tuple[str, str], float]:
    """{(kind, key): weight} of the rows coordinators set (cached; saving forgets it)."""
    found = cache.get(_WEIGHTS_KEY)
    if found is None:
        found = {(w.kind, w.key): float(w.weight) for w in RecommendationWeight.objects.all()}
        cache.set(_WEIGHTS_KEY, found, None)
    return found


def forget_weights() -> None:
    transaction.on_commit(partial(cache.delete, _WEIGHTS_KEY))


@dataclass
class Contribution:
    amount: float
    reason: str


@dataclass
class Demand:
    """What a result asks for, by tag, with the reason each part comes from."""

    by_tag: dict[Tag, list[Contribution]] = field(default_factory=lambda: defaultdict(list))

    def total(self, tag: Tag) -> float:
        return sum(c.amount for c in self.by_tag.get(tag, []))

    def top_tags(self, count: int) -> list[Tag]:
        ranked = sorted(self.by_tag, key=lambda t: (-self.total(t), t))
        return [t for t in ranked if self.total(t) > 0][:count]


def demand_of(result: Result, weight_of: dict[tuple[str, str], float]) -> Demand:
    """The demand per tag of a result (see the module's rule)."""
    demand = Demand()
    asked = {f.question.field.slug: f for f in result.fields}
    sources: list[tuple[float, float, list[Tag], str]] = []  # (weight, need, tags, reason)
    for row in result.scored:
        dimension = row.dimension
        w_dimension = weight_of.get(("dimension", dimension.key), 1.0)
        reason = _("Your score in “%(dimension)s” is %(score)s of 100.") % {
            "dimension": dimension.title,
            "score": row.shown,
        }
        tags: list[Tag] = [("step", dimension.step.slug)] if dimension.step_id else []
        tags += [("lever", t.slug) for t in dimension.levers.all()]
        # A field with a question of its own is that question's; the others are the dimension's.
        tags += [("field", t.slug) for t in dimension.fields.all() if t.slug not in asked]
        sources.append((w_dimension, (100 - row.score) / 100, tags, reason))
        for term in dimension.fields.all():
            answer = asked.get(term.slug)
            if answer is None or answer.level is None:  # unanswered, or does not apply
                continue
            field_reason = _(
                "Your readiness in %(field)s is level %(level)s of %(highest)s (%(label)s)."
            ) % {
                "field": term.name,
                "level": answer.level,
                "highest": HIGHEST,
                "label": answer.label,
            }
            need = (HIGHEST - answer.level) / HIGHEST
            sources.append((w_dimension, need, [("field", term.slug)], field_reason))
    for weight, need, tags, reason in sources:
        for tag in tags:
            amount = weight * need * weight_of.get(tag, 1.0) / len(tags)
            if amount > 0:
                demand.by_tag[tag].append(Contribution(amount, reason))
    return demand


@dataclass
class Recommendation:
    kind: str  # pathway, course or resource
    pk: int
    title: str
    summary: str
    url: str
    key: str  # course or pathway key (enrolment), "" for the others
    relevance: float
    reason: str
    matches: list[str]
    is_sample: bool = False
    starts_at: Any = None  # an event's start


def _rank(
    kind: str, items: list[dict], demand: Demand, labels: dict[str, dict[str, str]]
) -> list[Recommendation]:
    """The best `LIMITS[kind]` of `items` by relevance (see the module's rule), with reasons."""
    totals = {t: demand.total(t) for t in demand.by_tag}
    best_of = {t: max(found, key=lambda c: c.amount) for t, found in demand.by_tag.items()}
    scored = []
    for item in items:
        tags = [t for t in item["tags"] if totals.get(t, 0) > 0]
        if tags:
            relevance = sum(totals[t] for t in tags) / math.sqrt(len(item["tags"]))
            scored.append((relevance, item, tags))
    scored.sort(key=lambda s: (-s[0], s[1]["title"].casefold(), s[1]["pk"]))
    top = []
    for relevance, item, tags in scored[: LIMITS[kind]]:
        shown = sorted(tags, key=lambda t: (-totals[t], t))[:MATCHES_SHOWN]
        top.append(
            Recommendation(
                kind=kind,
                pk=item["pk"],
                title=item["title"],
                summary=item["summary"],
                # Only the few shown need an address (a resource's is built from its id).
                url=item.get("url")
                or item["model"](pk=item["pk"], key=item["key"]).get_absolute_url(),
                key=item.get("key", ""),
                relevance=relevance,
                reason=max((best_of[t] for t in tags), key=lambda c: c.amount).reason,
                matches=[labels.get(k, {}).get(slug, slug) for k, slug in shown],
                is_sample=item.get("is_sample", False),
                starts_at=item.get("starts_at"),
            )
        )
    return top


def _tags_of(obj: Any) -> set[Tag]:
    tags = {("field", t.slug) for t in obj.fields.all()} | {
        ("lever", t.slug) for t in obj.levers.all()
    }
    if obj.step_id:
        tags.add(("step", obj.step.slug))
    return tags


def _pathways() -> list[dict]:
    """Published pathways with the tags of their steps (cached under the learning content)."""
    key = make_key("assessment.pathway-tags", content_version())
    found = cache.get(key)
    if found is None:
        pathways = (
            Pathway.objects.published()
            .with_steps()
            .prefetch_related(
                "steps__course__fields",
                "steps__course__levers",
                "steps__course__step",
                "steps__resource__fields",
                "steps__resource__levers",
                "steps__resource__step",
            )
        )
        found = []
        for pathway in pathways:
            tags: set[Tag] = set()
            for step in pathway.steps.all():
                tags |= _tags_of(step.course or step.resource)
            found.append(
                {
                    "pk": pathway.pk,
                    "key": pathway.key,
                    "title": pathway.title,
                    "summary": pathway.goal,
                    "url": pathway.get_absolute_url(),
                    "tags": sorted(tags),
                    "is_sample": pathway.is_sample,
                }
            )
        cache.set(key, found, CACHE_SECONDS)
    return [{**p, "tags": [tuple(t) for t in p["tags"]]} for p in found]


TAG_FACETS = ("field", "lever", "step")


def _candidates(model: Any, audiences: list[str], tags: list[Tag]) -> dict[int, list[Tag]]:
    """{id: its tags} of the most recently indexed findable objects of `model` with any of
    `tags`, as the search index holds them. Each tag's list is cached under the index
    generation and shared by every result that asks for that tag."""
    kind = search.kind_of(model)
    found: dict[int, list[Tag]] = {}
    for facet, slug in tags:
        key = make_key(
            "assessment.candidates", kind, audiences, facet, slug, search.generation(kind)
        )
        tagged = cache.get(key)
        if tagged is None:
            ids = search.recent(
                kind, audiences=audiences, filters={facet: [slug]}, limit=CANDIDATES
            )
            indexed = search.facets_of(kind, ids, TAG_FACETS)
            tagged = [
                (pk, sorted((f, v) for f, values in indexed.get(pk, {}).items() for v in values))
                for pk in ids
            ]
            cache.set(key, tagged, CACHE_SECONDS)
        found.update(tagged)
    return found


def _items(queryset: Any, candidates: dict[int, list[Tag]]) -> list[dict]:
    """The candidates that `queryset` lets through (published, readable), as plain values."""
    rows = queryset.filter(pk__in=list(candidates)).values_list(
        "pk", "key", "title", "summary", "is_sample"
    )
    return [
        {
            "pk": pk,
            "key": key,
            "title": title,
            "summary": summary,
            "tags": candidates[pk],
            "is_sample": is_sample,
            "model": queryset.model,
        }
        for pk, key, title, summary, is_sample in rows
    ]


def _groups() -> list[dict]:
    """Peer groups open to new members, each tagged with its theme (cached under the
    groups-and-events version)."""
    key = make_key("assessment.group-tags", events_caching.content_version())
    found = cache.get(key)
    if found is None:
        rows = (
            Group.objects.filter(status=Group.Status.OPEN)
            .values_list(
                "pk", "slug", "title", "summary", "theme__kind", "theme__slug", "is_sample"
            )
            .order_by("pk")
        )
        found = [
            {
                "pk": pk,
                "title": title,
                "summary": summary,
                "url": reverse("community:group", args=[slug]),
                "tags": [(kind, theme)],
                "is_sample": is_sample,
            }
            for pk, slug, title, summary, kind, theme, is_sample in rows
        ]
        cache.set(key, found, CACHE_SECONDS)
    return found


def _event_candidates(tags: list[Tag], hour: str) -> list[dict]:
    """The `CANDIDATES` soonest upcoming published national events of each tag, with their
    tags, audience, country and registration close (cached per tag, hour and version)."""
    version = events_caching.content_version()
    keys = {
        (facet, slug): make_key("assessment.event-candidates", facet, slug, hour, version)
        for facet, slug in tags
        if facet in ("field", "lever")
    }
    cached = cache.get_many(list(keys.values()))
    now = timezone.now()
    fresh: dict[str, list[dict]] = {}
    for (facet, slug), key in keys.items():
        if key in cached:
            continue
        tagged = Event.objects.national().filter(status=Event.Status.PUBLISHED, starts_at__gt=now)
        tagged = tagged.filter(**{f"{facet}s__slug": slug}).order_by("starts_at", "pk")
        fresh[key] = list(
            tagged.values(
                "pk",
                "title",
                "summary",
                "is_sample",
                "starts_at",
                "registration_deadline",
                "audience",
                "country_id",
            )[:CANDIDATES]
        )
    if fresh:  # the tags of every new candidate, in one query per kind of term
        ids = {row["pk"] for rows in fresh.values() for row in rows}
        terms: dict[int, list[Tag]] = defaultdict(list)
        for name in ("fields", "levers"):
            through = Event._meta.get_field(name).remote_field.through
            pairs = through.objects.filter(event_id__in=ids).values_list(
                "event_id", "term__kind", "term__slug"
            )
            for event_id, kind, term in pairs:
                terms[event_id].append((kind, term))
        for rows in fresh.values():
            for row in rows:
                row["tags"] = sorted(terms[row["pk"]])
        cache.set_many(fresh, CACHE_SECONDS)
    found: dict[int, dict] = {}
    for rows in (*cached.values(), *fresh.values()):
        found.update((row["pk"], row) for row in rows)
    return list(found.values())


def _events(city: Any, tags: list[Tag], hour: str) -> list[dict]:
    """Candidate events that still take registrations and are open to `city`."""
    now = timezone.now()
    candidates = [
        row
        for row in _event_candidates(tags, hour)
        if min(row["registration_deadline"] or row["starts_at"], row["starts_at"]) > now
    ]
    invited_ids = [r["pk"] for r in candidates if r["audience"] == Event.Audience.INVITED]
    invited = set()
    if invited_ids:
        through = Event.invited_cities.through
        invited = set(
            through.objects.filter(event_id__in=invited_ids, city_id=city.pk).values_list(
                "event_id", flat=True
            )
        )
    open_to_city = {
        Event.Audience.ALL: lambda row: True,
        Event.Audience.COUNTRY: lambda row: row["country_id"] == city.country_id,
        Event.Audience.INVITED: lambda row: row["pk"] in invited,
    }
    return [
        {
            **row,
            "tags": [tuple(t) for t in row["tags"]],
            "url": reverse("events:event", args=[row["pk"]]),
        }
        for row in candidates
        if open_to_city.get(row["audience"], lambda row: False)(row)
    ]


def _hour() -> str:
    """Event recommendations change as events start: part of their cache keys."""
    return timezone.now().strftime("%Y-%m-%dT%H")


def inputs(user: Any) -> tuple:
    """What recommendations depend on besides the result: who may read what, the weights, and
    the versions of the learning content and of the search index (all from the cache)."""
    return (
        sorted(audiences_for(user)),
        sorted(weights().items()),
        content_version(),
        search.generation(search.kind_of(Resource)),
        search.generation(search.kind_of(Course)),
        events_caching.content_version(),
        _hour(),
    )


def recommend(result: Result, user: Any) -> dict[str, list[Recommendation]]:
    """{kind: ranked recommendations} for `user` looking at `result` (cached per result,
    audience, weights and content: a change to any of them gives a fresh ranking)."""
    weight_of = weights()
    audiences = sorted(audiences_for(user))
    key = make_key("assessment.recommendations", result.assessment.pk, *inputs(user))
    found = cache.get(key)
    if found is not None:
        return found
    demand = demand_of(result, weight_of)
    tags = demand.top_tags(TOP_TAGS)
    labels = Term.objects.labels()
    courses = _items(Course.objects.published(), _candidates(Course, audiences, tags))
    resources = _items(Resource.objects.readable_by(user), _candidates(Resource, audiences, tags))
    events = _events(result.assessment.city, tags, _hour())
    found = {
        "pathway": _rank("pathway", _pathways(), demand, labels),
        "course": _rank("course", courses, demand, labels),
        "resource": _rank("resource", resources, demand, labels),
        "group": _rank("group", _groups(), demand, labels),
        "event": _rank("event", events, demand, labels),
    }
    cache.set(key, found, CACHE_SECONDS)
    return found


@dataclass
class Section:
    kind: str
    title: str
    items: list[tuple[Recommendation, bool | None]]  # (item, completed) or None: not followed


def sections(user: Any, found: dict[str, list[Recommendation]]) -> list[Section]:
    """The recommendations by kind, each with whether `user` follows it (one query)."""
    states = enrolled(user, found)
    titles = {
        "pathway": _("Learning pathways"),
        "course": _("Courses"),
        "resource": _("From the knowledge repository"),
        "group": _("Peer discussion groups"),
        "event": _("Events"),
    }
    return [
        Section(kind, titles[kind], [(r, states.get(kind, {}).get(r.pk)) for r in found[kind]])
        for kind in KINDS
    ]


def enrolled(user: Any, found: dict[str, list[Recommendation]]) -> dict[str, dict[int, bool]]:
    """{"course"/"pathway": {id: completed}} of the recommended items `user` already follows."""
    courses = [r.pk for r in found.get("course", [])]
    pathways = [r.pk for r in found.get("pathway", [])]
    states: dict[str, dict[int, bool]] = {"course": {}, "pathway": {}}
    if not user.is_authenticated or not (courses or pathways):
        return states
    rows = (
        Enrolment.objects.for_user(user)
        .filter(Q(course_id__in=courses) | Q(pathway_id__in=pathways))
        .values_list("course_id", "pathway_id", "completed")
    )
    for course_id, pathway_id, completed in rows:
        if course_id:
            states["course"][course_id] = completed is not None
        else:
            states["pathway"][pathway_id] = completed is not None
    return states

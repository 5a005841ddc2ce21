"""Synthetic knowledge repository for the benchmark: 100,000 published resources and their index.

Each resource has about 300 words of climate-planning text: ordinary words drawn with a Zipf-like
distribution from a vocabulary of a few thousand (real words first, then invented ones for the
long tail) plus domain phrases ("heat pump", "district heating", "citizen assembly"…) each with
its own document frequency (0.1 %–30 %), more likely in the fields of action they belong to. Every
resource has a type, 1–2 fields, 1–2 levers, a step, 0–1 country, its languages and a publication
date in 2019–2026; about 10 % are members-only and about 5 % come from Mission Cities.

Rows are built in memory and written with `bulk_create`: resources, the three many-to-many
tables, and the search index rows exactly as `knowledge.indexing.reindex_resource` writes them
(`test_seed_knowledge.py` checks that), without a query per row. The full-text index is then
built the way a bulk load should build it, and timed:

- PostgreSQL: the GIN index is dropped before the load; `core.search.build_vectors()` fills the
  tsvectors in one UPDATE, then the GIN index is created again.
- SQLite: the FTS5 insert trigger is dropped during the load, the FTS5 table is rebuilt in one
  statement (`'rebuild'`), and the trigger is created again (from migration 0004's own SQL).

Synthetic resources have keys `bench-resource-000042`. Seeding tops up to the target and does
nothing when it is met; the whole step is one transaction.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from netzerohub.cities.models import City, Country
from netzerohub.core import search
from netzerohub.core.models import SearchDocument, SearchFacet, Term
from netzerohub.core.search import engine
from netzerohub.core.search.engine import MAX_INDEX_CHARS
from netzerohub.knowledge.models import Resource

RESOURCES = 100_000
BATCH = 2_000
KEY_PREFIX = "bench-resource-"
KIND = search.kind_of(Resource)
MEMBERS_SHARE = 0.10
MISSION_SHARE = 0.05
OTHER_CITY_SHARE = 0.20  # from a city that is not a Mission City
COUNTRY_SHARE = 0.60  # of resources without a source city
FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2026, 11, 30)
VOCABULARY_SIZE = 4_000
ZIPF_EXPONENT = 1.0
PG_GIN_INDEX = "core_searchdoc_vector_gin"
PG_GIN_CREATE = f"CREATE INDEX {PG_GIN_INDEX} ON core_searchdocument USING gin (vector)"

# Function words first (the most frequent; both databases drop them from the index), then
# ordinary words of the domain in rough order of frequency; invented words fill the long tail.
FUNCTION_WORDS = """
    the of and to in for with on by as is are be that this from at which their it an or
""".split()  # noqa: SIM905 - word lists read best as text
COMMON_WORDS = """
    city municipal local energy climate plan data local project people public council
    emissions buildings action network support process urban national regional measures
    sector target targets housing cost costs funding services use new partners district
    approach working group results evidence monitoring scope neighbourhood residents
    households transport mobility heat electricity gas transition strategy policy
    governance budget finance investment investments team department staff experts
    private companies business businesses schools university universities citizens
    community communities engagement workshop workshops survey interviews pilot pilots
    programme programmes framework indicators indicator report reports tool tools method
    methods guidance lessons learned challenges barriers opportunities benefits risks
    impact impacts reduction reductions carbon dioxide methane tonnes baseline inventory
    scenario scenarios pathway pathways modelling analysis assessment mapping map maps
    portfolio portfolios interventions intervention demonstration procurement tender
    contract contracts agreement agreements commitment commitments mandate mayor
    political leadership coalition alliance partnership partnerships cooperation
    collaboration learning capacity capabilities skills training knowledge exchange
    replication scaling upscaling mainstreaming stakeholders actors owners tenants
    landlords developers utilities operators grid grids storage demand supply renewable
    renewables solar wind photovoltaic rooftop rooftops insulation windows facade
    facades boilers heating cooling ventilation lighting street streets roads parking
    cycling walking bus buses tram trams rail metro freight logistics delivery vehicles
    electric charging stations fleet fleets fuel fuels diesel petrol hydrogen biomass
    waste recycling reuse repair materials construction demolition concrete timber steel
    food agriculture farms forestry trees parks green blue water rivers flooding drought
    heatwaves adaptation resilience biodiversity soil land planning zoning permits
    regulation regulations legislation directive standards certification labels
    incentives subsidies grants loans bonds revenue taxes fees tariffs prices savings
    payback financing financial economic economy jobs employment social justice fair
    poverty vulnerable inclusion equity health air quality noise wellbeing behaviour
    awareness communication campaign campaigns media website platform digital twin
    dashboard sensors smart metering meters open portal accounting reporting review
    evaluation verification targets milestones timeline phases phase implementation
    delivery roadmap vision ambition priorities priority objectives goals outcomes
    outputs activities tasks roles responsibilities office unit agency agencies region
    province metropolitan area areas zone zones site sites pilot existing retrofit
    refurbishment upgrade upgrades deep shallow stock typology typologies archetypes
    apartments dwellings homes offices hospitals libraries pools depots warehouses
    factories industry industrial processes manufacturing ports airports harbour
    shipping ferries tourism hotels retail shops markets consumers producers
    cooperatives associations foundations charities youth elderly students families
    volunteers ambassadors champions facilitators moderators experts consultants
    researchers scientists engineers architects planners designers lawyers economists
""".split()  # noqa: SIM905
_SYLLABLES = """
    ka ri to me la no sa ve di lu pa ter mon bel cor dan fel gar hal jor kel lin mar nor
    pel ros sal tor val ber cas del fin gol hem ist jun kor lam mer nat ost pra qua rem sol
    tam ulm ver wes
""".split()  # noqa: SIM905


def _invented_words(count: int, rng: random.Random, taken: set[str]) -> list[str]:
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


# Domain phrases: (text, share of documents it appears in, fields it belongs to). A document in
# one of those fields is three times as likely to contain it (the shares are approximate).
PHRASES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("climate neutrality", 0.30, ()),
    ("renovation", 0.25, ("built-environment",)),
    ("energy efficiency", 0.18, ("energy-systems", "built-environment")),
    ("public transport", 0.12, ("mobility-transport",)),
    ("emission reduction", 0.12, ()),
    ("climate city contract", 0.10, ()),
    ("investment plan", 0.08, ()),
    ("heat pump", 0.06, ("energy-systems", "built-environment")),
    ("solar panels", 0.06, ("energy-systems",)),
    ("circular economy", 0.05, ("waste-circular-economy",)),
    ("stakeholder engagement", 0.05, ()),
    ("district heating", 0.04, ("energy-systems",)),
    ("cycling infrastructure", 0.035, ("mobility-transport",)),
    ("nature-based solutions", 0.035, ("green-infrastructure-nbs",)),
    ("baseline inventory", 0.03, ()),
    ("building retrofit", 0.025, ("built-environment",)),
    ("waste collection", 0.025, ("waste-circular-economy",)),
    ("carbon budget", 0.02, ()),
    ("green roofs", 0.015, ("green-infrastructure-nbs", "built-environment")),
    ("citizen assembly", 0.015, ()),
    ("electric buses", 0.015, ("mobility-transport",)),
    ("energy community", 0.012, ("energy-systems",)),
    ("low emission zone", 0.01, ("mobility-transport",)),
    ("car sharing", 0.01, ("mobility-transport",)),
    ("urban forest", 0.008, ("green-infrastructure-nbs", "agriculture-forestry-land-use")),
    ("participatory budgeting", 0.008, ()),
    ("green procurement", 0.008, ()),
    ("industrial symbiosis", 0.005, ("industrial-processes",)),
    ("green bonds", 0.004, ()),
    ("mobility hub", 0.004, ("mobility-transport",)),
    ("geothermal", 0.003, ("energy-systems",)),
    ("biogas", 0.003, ("waste-circular-economy", "agriculture-forestry-land-use")),
    ("one-stop shop", 0.002, ("built-environment",)),
    ("agrivoltaics", 0.001, ("agriculture-forestry-land-use", "energy-systems")),
    ("peatland rewetting", 0.001, ("agriculture-forestry-land-use",)),
)
HEADINGS = ("Context", "What was done", "Results", "Lessons learned", "Next steps", "Approach")
TYPE_WEIGHTS = {
    "case-study": 25,
    "guide": 18,
    "tool": 8,
    "template": 6,
    "report": 18,
    "fact-sheet": 10,
    "webinar": 6,
    "dataset": 4,
    "contract-example": 5,
}
OTHER_LANGUAGES = ("de", "fr", "es", "it", "nl", "pl", "sv", "pt", "fi", "da", "cs", "el")
# The form `core.search.index_object` stores title and text in (folded words without stop words;
# an earlier version only stripped accents).
index_form = getattr(engine, "index_text", None) or search.unaccent
HAS_BODY_TEXT = any(f.name == "body_text" for f in Resource._meta.concrete_fields)
LICENCES = ("cc-by-4.0", "cc-by-sa-4.0", "cc0-1.0", "all-rights-reserved")


@dataclass(frozen=True)
class Vocabulary:
    words: list[str]
    cum_weights: list[float]

    @classmethod
    def build(cls, size: int = VOCABULARY_SIZE, seed_value: int = 7) -> Vocabulary:
        rng = random.Random(seed_value)
        common = list(dict.fromkeys(COMMON_WORDS))
        taken = set(FUNCTION_WORDS) | set(common)
        words = FUNCTION_WORDS + common
        words += _invented_words(max(0, size - len(words)), rng, taken)
        cum, total = [], 0.0
        for rank in range(1, len(words) + 1):
            total += 1 / rank**ZIPF_EXPONENT
            cum.append(total)
        return cls(words, cum)

    def rank(self, word: str) -> int:
        return self.words.index(word) + 1

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum_weights, k=k)


@dataclass
class Taxonomy:
    fields: dict[str, int]  # slug -> Term id
    levers: dict[str, int]
    steps: dict[str, int]
    countries: dict[str, int]  # code -> Country id
    eligible: list[str]  # codes of the eligible countries
    mission_cities: list[tuple[int, str, str]]  # (id, name, country code)
    other_cities: list[tuple[int, str, str]]

    @classmethod
    def load(cls, rng: random.Random, other_cities: int = 5_000) -> Taxonomy:
        terms: dict[str, dict[str, int]] = {"field": {}, "lever": {}, "step": {}}
        for kind, slug, pk in Term.objects.order_by("kind", "position").values_list(
            "kind", "slug", "pk"
        ):
            terms[kind][slug] = pk
        if not all(terms.values()):
            raise RuntimeError("The taxonomy terms are missing: run the migrations first.")
        countries = dict(Country.objects.values_list("code", "pk"))
        cities = City.objects.select_related("country").order_by("pk")
        mission = [
            (c.pk, c.name, c.country.code) for c in cities.filter(status=City.Status.MISSION)
        ]
        others = list(
            cities.exclude(status=City.Status.MISSION).values_list("pk", "name", "country__code")[
                : other_cities * 4
            ]
        )
        others = rng.sample(others, min(other_cities, len(others)))
        eligible = list(Country.objects.eligible().order_by("code").values_list("code", flat=True))
        return cls(
            terms["field"], terms["lever"], terms["step"], countries, eligible, mission, others
        )


@dataclass
class Generated:
    """One synthetic resource, with what the index holds for it."""

    resource: Resource
    field_ids: list[int]
    lever_ids: list[int]
    country_ids: list[int]
    index_text: str  # knowledge.indexing.search_text(resource), computed without Markdown
    facets: dict[str, list[str]]


def _paragraph(
    rng: random.Random, vocabulary: Vocabulary, words: int, phrases: list[str]
) -> list[str]:
    tokens = vocabulary.sample(rng, words)
    for phrase in phrases:
        tokens.insert(rng.randrange(len(tokens) + 1), phrase)
    return tokens


def _sentences(tokens: list[str]) -> str:
    """Words to sentences: a capital letter at the start and a full stop every ~15 words."""
    out, length = [], 0
    for token in tokens:
        if length == 0:
            token = token[:1].upper() + token[1:]
        length += 1
        if length >= 15:
            token += "."
            length = 0
        out.append(token)
    text = " ".join(out)
    return text if text.endswith(".") else text + "."


def _phrases_for(rng: random.Random, fields: list[str]) -> list[str]:
    chosen = []
    for phrase, share, related in PHRASES:
        boost = 3.0 if any(f in related for f in fields) else 1.0
        if rng.random() < min(share * boost, 0.95):
            chosen.append(phrase)
    return chosen


def generate(
    number: int, rng: random.Random, vocabulary: Vocabulary, taxonomy: Taxonomy
) -> Generated:
    """Resource `number` (not saved), its relations, index text and facets."""
    field_slugs = rng.sample(list(taxonomy.fields), rng.choice((1, 1, 2)))
    lever_slugs = rng.sample(list(taxonomy.levers), rng.choice((1, 2)))
    step_slug = rng.choice(list(taxonomy.steps))
    type_ = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
    draw = rng.random()
    city = None
    if draw < MISSION_SHARE and taxonomy.mission_cities:
        city = rng.choice(taxonomy.mission_cities)
    elif draw < MISSION_SHARE + OTHER_CITY_SHARE and taxonomy.other_cities:
        city = rng.choice(taxonomy.other_cities)
    if city:
        country_codes = [city[2]]
    elif rng.random() < COUNTRY_SHARE:
        country_codes = [rng.choice(taxonomy.eligible)]
    else:
        country_codes = []
    english_only = rng.random() < 0.7
    languages = ["en"] if english_only else sorted({"en", rng.choice(OTHER_LANGUAGES)})
    published_on = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))

    phrases = _phrases_for(rng, field_slugs)
    rng.shuffle(phrases)
    topic = phrases[0] if phrases else rng.choice(vocabulary.words[30:200])
    place = city[1] if city else "European cities"
    type_label = str(Resource.Type(type_).label)
    title = f"{type_label}: {topic} in {place} ({number})"
    summary = _sentences(_paragraph(rng, vocabulary, 28, phrases[:1]))
    parts: list[str] = []  # the Markdown body
    plain: list[str] = []  # the same words without markup (what plain_text() gives)
    rest = phrases[1:]
    for index, size in enumerate((85, 80, 75)):
        heading = HEADINGS[(number + index) % len(HEADINGS)]
        paragraph = _sentences(_paragraph(rng, vocabulary, size, rest[index::3]))
        parts += [f"## {heading}", paragraph]
        plain += [heading, paragraph]
        if index == 1:
            items = [_sentences(vocabulary.sample(rng, 4)) for _ in range(3)]
            parts.append("\n".join(f"- {item}" for item in items))
            plain += items
    body = "\n\n".join(parts)
    body_text = " ".join(" ".join(plain).split())
    resource = Resource(
        key=f"{KEY_PREFIX}{number:06d}",
        title=title[:200],
        summary=summary[:600],
        body=body,
        type=type_,
        step_id=taxonomy.steps[step_slug],
        languages=languages,
        city_id=city[0] if city else None,
        authors="NetZero Hub benchmark",
        published_on=published_on,
        licence=rng.choice(LICENCES),
        visibility=Resource.Visibility.MEMBERS
        if rng.random() < MEMBERS_SHARE
        else Resource.Visibility.PUBLIC,
        status=Resource.Status.PUBLISHED,
    )
    if HAS_BODY_TEXT:  # the Markdown-free body the model keeps for snippets, when it has one
        resource.body_text = body_text
    facets = {
        "type": [type_],
        "field": field_slugs,
        "lever": lever_slugs,
        "step": [step_slug],
        "country": country_codes,
        "language": languages,
        "year": [str(published_on.year)],
    }
    if city and draw < MISSION_SHARE:
        facets["mission"] = ["1"]
    return Generated(
        resource=resource,
        field_ids=[taxonomy.fields[s] for s in field_slugs],
        lever_ids=[taxonomy.levers[s] for s in lever_slugs],
        country_ids=[taxonomy.countries[c] for c in country_codes],
        index_text="\n".join([resource.summary, body_text]),
        facets=facets,
    )


def _index_rows(items: list[Generated]) -> tuple[list[SearchDocument], list[list[SearchFacet]]]:
    """What `core.search.index_object` writes for each resource (vector left empty)."""
    documents = [
        SearchDocument(
            kind=KIND,
            object_id=g.resource.pk,
            audience=g.resource.visibility,
            title=index_form(g.resource.title)[:300],
            text=index_form(g.index_text[:MAX_INDEX_CHARS])[:MAX_INDEX_CHARS],
            date=g.resource.published_on,
        )
        for g in items
    ]
    facets = [
        [
            SearchFacet(facet=name, value=str(value)[:80])
            for name, values in g.facets.items()
            for value in set(values)
        ]
        for g in items
    ]
    return documents, facets


def _write_batch(items: list[Generated]) -> None:
    resources = Resource.objects.bulk_create([g.resource for g in items], batch_size=BATCH)
    if any(r.pk is None for r in resources):  # a backend that does not return primary keys
        by_key = dict(
            Resource.objects.filter(key__in=[r.key for r in resources]).values_list("key", "pk")
        )
        for r in resources:
            r.pk = by_key[r.key]
    Fields, Levers = Resource.fields.through, Resource.levers.through
    Countries = Resource.countries.through
    Fields.objects.bulk_create(
        [Fields(resource_id=g.resource.pk, term_id=t) for g in items for t in g.field_ids],
        batch_size=BATCH * 2,
    )
    Levers.objects.bulk_create(
        [Levers(resource_id=g.resource.pk, term_id=t) for g in items for t in g.lever_ids],
        batch_size=BATCH * 2,
    )
    Countries.objects.bulk_create(
        [Countries(resource_id=g.resource.pk, country_id=c) for g in items for c in g.country_ids],
        batch_size=BATCH * 2,
    )
    documents, facets = _index_rows(items)
    documents = SearchDocument.objects.bulk_create(documents, batch_size=BATCH)
    if any(d.pk is None for d in documents):
        by_object = dict(
            SearchDocument.objects.filter(
                kind=KIND, object_id__in=[d.object_id for d in documents]
            ).values_list("object_id", "pk")
        )
        for d in documents:
            d.pk = by_object[d.object_id]
    rows = []
    for document, document_facets in zip(documents, facets, strict=True):
        for facet in document_facets:
            facet.document_id = document.pk
            rows.append(facet)
    SearchFacet.objects.bulk_create(rows, batch_size=BATCH * 5)


def bench_resources():
    return Resource.objects.filter(key__startswith=KEY_PREFIX)


# --- the full-text index -------------------------------------------------------------------


def _sqlite_insert_trigger() -> str:
    migration = importlib.import_module("netzerohub.core.migrations.0004_search_fulltext")
    (statement,) = [s for s in migration.SQLITE_CREATE if "fts_ai" in s]
    return statement


def _suspend_index(cursor: Any) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(f"DROP INDEX IF EXISTS {PG_GIN_INDEX}")
    else:
        cursor.execute("DROP TRIGGER IF EXISTS core_searchdocument_fts_ai")


def _build_index(cursor: Any, timings: dict[str, float]) -> None:
    """Fill and index the full text of every document (timed, in `timings`)."""
    started = time.monotonic()
    if connection.vendor == "postgresql":
        search.build_vectors(KIND)
        timings["vectors_s"] = round(time.monotonic() - started, 2)
        started = time.monotonic()
        cursor.execute(f"DROP INDEX IF EXISTS {PG_GIN_INDEX}")
        cursor.execute(PG_GIN_CREATE)
        timings["gin_index_s"] = round(time.monotonic() - started, 2)
    else:
        cursor.execute(
            "INSERT INTO core_searchdocument_fts(core_searchdocument_fts) VALUES('rebuild')"
        )
        timings["fts5_rebuild_s"] = round(time.monotonic() - started, 2)
        cursor.execute("DROP TRIGGER IF EXISTS core_searchdocument_fts_ai")
        cursor.execute(_sqlite_insert_trigger())
    timings["index_build_s"] = round(
        timings.get("vectors_s", 0)
        + timings.get("gin_index_s", 0)
        + timings.get("fts5_rebuild_s", 0),
        2,
    )


@transaction.atomic
def rebuild_index() -> dict[str, float]:
    """Build the full-text index of the existing documents again, and time it."""
    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            SearchDocument.objects.filter(kind=KIND).update(vector=None)
            cursor.execute(f"DROP INDEX IF EXISTS {PG_GIN_INDEX}")
        _build_index(cursor, timings)
    return timings


def analyze(*, full: bool = False) -> dict[str, float]:
    """VACUUM ANALYZE the documents on PostgreSQL (the vector UPDATE left a dead copy of every
    row); `full` compacts the table after rows were rewritten more than once (a refresh or a
    rebuild), so scans read what a freshly loaded table holds. SQLite is left as the product
    leaves it."""
    if connection.vendor != "postgresql":
        return {}
    started = time.monotonic()
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:  # VACUUM cannot run inside a transaction
            cursor.execute(f"VACUUM {'FULL ' if full else ''}ANALYZE core_searchdocument")
        cursor.execute("ANALYZE")
    return {"vacuum_analyze_s": round(time.monotonic() - started, 2)}


# --- seeding -------------------------------------------------------------------------------


@transaction.atomic
def _seed(count: int, first: int, seed_value: int, log: Any) -> dict[str, float]:
    rng = random.Random(seed_value + first)
    vocabulary = Vocabulary.build()
    taxonomy = Taxonomy.load(rng)
    timings: dict[str, float] = {}
    started = time.monotonic()
    with connection.cursor() as cursor:
        _suspend_index(cursor)
        for start in range(0, count, BATCH):
            numbers = range(first + start, first + min(start + BATCH, count))
            _write_batch([generate(n, rng, vocabulary, taxonomy) for n in numbers])
            if (start // BATCH) % 10 == 9:
                log(f"    {start + BATCH:,} resources written ({time.monotonic() - started:.0f}s)")
        timings["insert_s"] = round(time.monotonic() - started, 2)
        _build_index(cursor, timings)
    return timings


def index_form_is_stale() -> bool:
    """True when the index holds the synthetic resources in another form than `index_object`
    writes today (the product changed how it indexes since they were seeded)."""
    document = SearchDocument.objects.filter(kind=KIND).order_by("pk").first()
    if document is None:
        return False
    resource = Resource.objects.filter(pk=document.object_id).only("title").first()
    return resource is not None and document.title != index_form(resource.title)[:300]


@transaction.atomic
def refresh_index_form(log: Any = print) -> dict[str, float]:
    """Write title and text of every synthetic resource's document again in today's form."""
    from netzerohub.core.markdown import plain_text

    started = time.monotonic()
    fields = ["pk", "title", "summary", "body_text" if HAS_BODY_TEXT else "body"]
    resources = bench_resources().only(*fields).order_by("pk")
    documents = SearchDocument.objects.filter(kind=KIND)
    batch: list[SearchDocument] = []
    for resource in resources.iterator(chunk_size=BATCH):
        body_text = resource.body_text if HAS_BODY_TEXT else plain_text(resource.body)
        text = f"{resource.summary}\n{body_text}"
        batch.append(
            SearchDocument(
                object_id=resource.pk,
                title=index_form(resource.title)[:300],
                text=index_form(text[:MAX_INDEX_CHARS])[:MAX_INDEX_CHARS],
            )
        )
        if len(batch) >= BATCH:
            _rewrite(documents, batch)
            batch = []
    _rewrite(documents, batch)
    log(f"  rewrote the index text of the synthetic resources in {time.monotonic() - started:.1f}s")
    return rebuild_index()


def _rewrite(documents: Any, batch: list[SearchDocument]) -> None:
    ids = dict(
        documents.filter(object_id__in=[d.object_id for d in batch]).values_list("object_id", "pk")
    )
    for document in batch:
        document.pk = ids[document.object_id]
    SearchDocument.objects.bulk_update(batch, ["title", "text"], batch_size=BATCH)


def seed(
    target: int = RESOURCES, *, seed_value: int = 2050, rebuild: bool = False, log: Any = print
) -> dict[str, Any]:
    """Top the synthetic resources up to `target`; returns what it added and the timings.

    With `rebuild`, the full-text index is built (and timed) again even if nothing was added.
    When the product has changed the form of the index since the resources were seeded, their
    documents are written again in the new form and the index rebuilt (and timed).
    """
    if index_form_is_stale():
        report = {"refreshed_index_form": True} | refresh_index_form(log)
        return report | seed(target, seed_value=seed_value, log=log) | analyze(full=True)
    existing = bench_resources().count()
    missing = max(0, target - existing)
    report: dict[str, Any] = {"added": missing, "resources": existing + missing}
    if missing:
        started = time.monotonic()
        report |= _seed(missing, existing + 1, seed_value, log)
        report["seed_s"] = round(time.monotonic() - started, 2)
        log(
            f"  seeded {missing:,} resources in {report['seed_s']:.1f}s "
            f"(rows {report['insert_s']:.1f}s, full-text index {report['index_build_s']:.1f}s)"
        )
    elif rebuild:
        report |= rebuild_index()
        log(f"  rebuilt the full-text index in {report['index_build_s']:.1f}s")
    if missing or rebuild:
        report |= analyze(full=rebuild and not missing)
    return report

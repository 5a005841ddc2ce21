"""The knowledge benchmark's seeding, at toy scale: rows as the product writes them, idempotent.

No timings here: speed is what `make bench` measures, not what tests assert.
"""

from __future__ import annotations

import random

import pytest
import seed_knowledge as sk

from netzerohub.cities.models import City, Country
from netzerohub.core import search
from netzerohub.core.markdown import plain_text
from netzerohub.core.models import SearchDocument, SearchFacet
from netzerohub.knowledge.indexing import reindex_resource, search_facets
from netzerohub.knowledge.models import Resource

pytestmark = pytest.mark.django_db

ALL = ["public", "members"]


def quiet(*args: object) -> None:
    pass


@pytest.fixture
def places() -> None:
    france = Country.objects.create(code="FR", name="France", is_eu_member=True)
    sweden = Country.objects.create(code="SE", name="Sweden", is_eu_member=True)
    Country.objects.create(code="BY", name="Belarus")
    City.objects.create(name="Malmö", country=sweden, status=City.Status.MISSION)
    City.objects.create(name="Lyon", country=france, status=City.Status.MISSION)
    for name in ("Arles", "Nîmes", "Uppsala"):
        City.objects.create(name=name, country=france if name != "Uppsala" else sweden)


def index_rows() -> dict[int, tuple]:
    """What the index holds per resource: document fields and its set of facet values."""
    rows = {}
    for document in SearchDocument.objects.filter(kind=sk.KIND):
        facets = frozenset(
            SearchFacet.objects.filter(document=document).values_list("facet", "value")
        )
        rows[document.object_id] = (
            document.audience,
            document.title,
            document.text,
            document.date,
            facets,
        )
    return rows


def test_seed_writes_published_resources_and_their_index(places):
    report = sk.seed(30, log=quiet)

    assert report["added"] == 30
    assert "index_build_s" in report
    resources = sk.bench_resources()
    assert resources.count() == 30
    assert set(resources.values_list("status", flat=True)) == {"published"}
    assert SearchDocument.objects.filter(kind=sk.KIND).count() == 30
    for resource in resources.prefetch_related("fields", "levers", "countries"):
        assert 1 <= resource.fields.count() <= 2
        assert 1 <= resource.levers.count() <= 2
        assert resource.step_id is not None
        assert resource.countries.count() <= 1
        assert 2019 <= resource.published_on.year <= 2026
        assert "en" in resource.languages
        assert not resource.countries.filter(code="BY").exists()


def test_bulk_index_rows_equal_what_reindex_resource_writes(places):
    sk.seed(30, log=quiet)
    bulk = index_rows()
    for resource in sk.bench_resources():
        body_text = plain_text(resource.body)  # written without rendering the Markdown
        assert bulk[resource.pk][2] == sk.index_form(f"{resource.summary}\n{body_text}")
        if sk.HAS_BODY_TEXT:
            assert resource.body_text == body_text

    for resource in sk.bench_resources():
        reindex_resource(resource)

    assert index_rows() == bulk
    mission = sk.bench_resources().filter(city__status=City.Status.MISSION).first()
    if mission is not None:
        assert search_facets(mission)["mission"] == ["1"]


def test_the_full_text_index_finds_seeded_and_later_resources(places):
    sk.seed(30, log=quiet)
    everything = search.search(sk.KIND, audiences=ALL, query="climate OR energy OR city")
    assert everything.total == 30
    phrase = search.search(sk.KIND, audiences=ALL, query='"climate neutrality"')
    assert 0 < phrase.total < 30

    # The index keeps working for resources indexed the ordinary way afterwards
    # (on SQLite: the FTS5 insert trigger is back).
    later = Resource.objects.create(
        key="later",
        title="Zanzibarine heat plan",
        summary="A zanzibarine summary.",
        type="guide",
        status="published",
    )
    reindex_resource(later)
    found = search.search(sk.KIND, audiences=ALL, query="zanzibarine")
    assert found.object_ids == [later.pk]


def test_seeding_again_adds_nothing_and_a_higher_target_tops_up(places):
    sk.seed(20, log=quiet)

    assert sk.seed(20, log=quiet)["added"] == 0
    assert sk.seed(25, log=quiet)["added"] == 5
    assert sk.bench_resources().count() == 25
    assert Resource.objects.filter(key="bench-resource-000025").exists()
    assert SearchDocument.objects.filter(kind=sk.KIND).count() == 25


def test_rebuilding_the_index_keeps_every_document_findable(places):
    sk.seed(20, log=quiet)

    report = sk.seed(20, rebuild=True, log=quiet)

    assert report["added"] == 0
    assert report["index_build_s"] >= 0
    assert search.search(sk.KIND, audiences=ALL, query="climate OR energy OR city").total == 20


def test_generated_text_has_realistic_size_and_spread():
    rng = random.Random(1)
    vocabulary = sk.Vocabulary.build()
    taxonomy = sk.Taxonomy(
        fields={f"field-{i}": i for i in range(7)},
        levers={f"lever-{i}": 10 + i for i in range(6)},
        steps={f"step-{i}": 20 + i for i in range(6)},
        countries={"FR": 1, "SE": 2},
        eligible=["FR", "SE"],
        mission_cities=[(1, "Malmö", "SE")],
        other_cities=[(2, "Arles", "FR")],
    )
    items = [sk.generate(n, rng, vocabulary, taxonomy) for n in range(1, 1_001)]

    assert len(vocabulary.words) == sk.VOCABULARY_SIZE
    words = [len(g.index_text.split()) for g in items]
    assert 270 <= sum(words) / len(words) <= 340
    text = [g.index_text.lower() for g in items]
    share = {p: sum(p in t for t in text) / len(text) for p, _s, _f in sk.PHRASES}
    assert 0.25 <= share["climate neutrality"] <= 0.40
    assert 0.02 <= share["heat pump"] <= 0.15
    assert share["agrivoltaics"] <= 0.01
    members = sum(g.resource.visibility == "members" for g in items) / len(items)
    assert 0.05 <= members <= 0.15
    mission = sum("mission" in g.facets for g in items) / len(items)
    assert 0.02 <= mission <= 0.08
    years = {g.resource.published_on.year for g in items}
    assert years == set(range(2019, 2027))
    assert len({g.resource.key for g in items}) == len(items)


def test_documents_in_an_older_index_form_are_written_again(places):
    sk.seed(10, log=quiet)
    expected = index_rows()
    SearchDocument.objects.filter(kind=sk.KIND).update(title="Old Form", text="Old form text")
    assert sk.index_form_is_stale()

    report = sk.seed(10, log=quiet)

    assert report["refreshed_index_form"] is True
    assert report["added"] == 0
    assert index_rows() == expected
    assert not sk.index_form_is_stale()
    assert search.search(sk.KIND, audiences=ALL, query="climate OR energy OR city").total == 10

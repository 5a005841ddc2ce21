"""Portal-wide full-text search (`core.search`): the same behaviour on SQLite and PostgreSQL.

`make test` runs this file on SQLite (FTS5) and CI runs it again with a PostgreSQL
`DATABASE_URL` (tsvector): every expectation here must hold on both. The indexed objects are
taxonomy terms made for the test, so nothing depends on the apps that use the search.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netzerohub.core import search
from netzerohub.core.models import SearchDocument, Term
from netzerohub.core.search import engine
from netzerohub.core.search.query import STOP_WORDS

KIND = "core.term"
_slugs = itertools.count()


@dataclass
class Index:
    """Index terms under made-up titles and texts, then search them by name."""

    capture: Callable[..., Any]
    names: dict[int, str] = field(default_factory=dict)

    def add(
        self,
        name: str,
        *,
        title: str,
        text: str = "",
        audience: str = "public",
        on: date | None = None,
        facets: dict[str, list[str]] | None = None,
    ) -> Term:
        term = Term.objects.create(kind=Term.Kind.FIELD, slug=f"search-{next(_slugs)}", name=name)
        self.index(term, title=title, text=text, audience=audience, on=on, facets=facets)
        self.names[term.pk] = name
        return term

    def index(self, term: Term, *, title: str, text: str = "", **kwargs: Any) -> None:
        """(Re)index and commit, as a service's transaction would."""
        with self.capture(execute=True):
            search.index_object(
                term,
                title=title,
                text=text,
                audience=kwargs.get("audience", "public"),
                date=kwargs.get("on"),
                facets=kwargs.get("facets") or {},
            )

    def unindex(self, term: Term) -> None:
        with self.capture(execute=True):
            search.unindex_object(term)

    def results(
        self, query: str = "", *, audiences: tuple[str, ...] = ("public",), **kwargs: Any
    ) -> search.SearchResults:
        kwargs.setdefault("per_page", 100)
        return search.search(KIND, audiences=audiences, query=query, **kwargs)

    def find(self, query: str = "", **kwargs: Any) -> list[str]:
        return [self.names[pk] for pk in self.results(query, **kwargs).object_ids]


@pytest.fixture
def index(db, django_capture_on_commit_callbacks):
    return Index(django_capture_on_commit_callbacks)


# --- ranking and the words of a query -----------------------------------------------------------


def test_a_title_match_outranks_a_body_match(index):
    # The body match is newer and indexed later: only the ranking puts the title match first.
    index.add("title", title="Heat pumps in schools", text="A guide for facility managers.",
              on=date(2020, 1, 1))  # fmt: skip
    index.add("body", title="Guide for facility managers", text="It covers heat pumps too.",
              on=date(2024, 1, 1))  # fmt: skip
    results = index.results("heat pump")
    assert [index.names[pk] for pk in results.object_ids] == ["title", "body"]
    assert results.sort == search.RELEVANCE


def test_every_word_is_required_anywhere_in_the_document(index):
    index.add("both", title="District heat", text="Each block has its own pump.")
    index.add("heat only", title="Heat", text="Insulation first.")
    index.add("pump only", title="Pump", text="Insulation first.")
    assert index.find("heat pump") == ["both"]
    assert index.find("heat insulation") == ["heat only"]
    assert set(index.find("pump")) == {"both", "pump only"}


def test_a_phrase_needs_its_words_together_and_in_order(index):
    index.add("phrase", title="Report", text="A heat pump for every home.")
    index.add("reversed", title="Report", text="Pump the heat into every home.")
    index.add("apart", title="Report", text="Heat comes first, the pump second.")
    assert index.find('"heat pump"') == ["phrase"]
    assert set(index.find("heat pump")) == {"phrase", "reversed", "apart"}


def test_stop_words_inside_a_phrase_count_for_nothing(index):
    # PostgreSQL does not index stop words: "city of Malmo" and "city in Malmo" look alike to it.
    index.add("of", title="Report", text="The city of Malmö.")
    index.add("in", title="Report", text="A city in Malmö.")
    index.add("turned", title="Report", text="Malmö, a city.")
    assert set(index.find('"city of malmo"')) == {"of", "in"}
    assert set(index.find('"the city"')) == {"of", "in", "turned"}


def test_a_phrase_does_not_run_from_the_title_into_the_text(index):
    index.add("across", title="District heat", text="Pump rooms of the city.")
    index.add("inside", title="District heat pump", text="Pump rooms of the city.")
    assert index.find('"heat pump"') == ["inside"]


def test_a_minus_excludes_a_word(index):
    index.add("pump", title="Heat pump", text="")
    index.add("pumps", title="Heat", text="Two pumps.")
    index.add("boiler", title="Heat", text="A gas boiler.")
    assert index.find("heat -pump") == ["boiler"]


def test_a_minus_excludes_a_phrase_only_when_its_words_are_together(index):
    index.add("phrase", title="Heat pump", text="")
    index.add("apart", title="Pump", text="It moves heat.")
    index.add("neither", title="Heat", text="A gas boiler.")
    assert set(index.find('heat -"heat pump"')) == {"apart", "neither"}


def test_or_offers_alternatives_of_all_the_words_around_it(index):
    index.add("solar panel", title="Solar", text="Panel on the roof.")
    index.add("solar", title="Solar", text="On the roof.")
    index.add("panel", title="Panel", text="On the roof.")
    index.add("wind", title="Wind", text="Offshore.")
    assert set(index.find("solar panel OR wind")) == {"solar panel", "wind"}
    assert set(index.find("solar panel or wind")) == {"solar panel", "wind"}
    assert set(index.find("wind OR solar panel")) == {"solar panel", "wind"}


def test_only_negative_words_find_every_document_without_them(index):
    index.add("pump", title="Heat pump", text="")
    index.add("pumps", title="Heat", text="Two pumps.")
    index.add("boiler", title="Heat", text="A gas boiler.")
    index.add("empty", title="Wind", text="")
    assert set(index.find("-pump")) == {"boiler", "empty"}
    assert set(index.find("-pump -boiler")) == {"empty"}
    assert set(index.find('-"heat pump"')) == {"pumps", "boiler", "empty"}
    assert set(index.find("-pump OR boiler")) == {"boiler", "empty"}


def test_a_query_with_an_only_negative_alternative_lists_newest_first(index):
    # Nothing to rank the "-pump" side by: both databases list the matches by date.
    index.add("wind old", title="Wind wind wind", text="", on=date(2020, 1, 1))
    index.add("boiler new", title="Boiler", text="", on=date(2024, 1, 1))
    index.add("pump", title="Pump", text="", on=date(2022, 1, 1))
    results = index.results("-pump OR wind")
    assert [index.names[pk] for pk in results.object_ids] == ["boiler new", "wind old"]
    assert results.sort == search.NEWEST


# --- words in other forms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "queries"),
    [
        (["Malmö harbour", "Malmo harbour"], ["Malmö", "malmo", "MALMÖ", "MALMO"]),
        (["Straßenbahn", "Strassenbahn", "STRASSENBAHN"],
         ["straßenbahn", "strassenbahn", "STRASSENBAHN", "STRAẞENBAHN"]),
        (["Øresund bridge", "Oresund bridge"], ["øresund", "Oresund", "ØRESUND"]),
        (["Αθήνα", "ΑΘΗΝΑ"], ["αθηνα", "ΑΘΉΝΑ", "Αθήνα"]),
        (["δρόμος", "ΔΡΟΜΟΣ"], ["δρόμος", "ΔΡΌΜΟΣ", "δρομοσ"]),  # final sigma ς is σ
        (["Москва", "МОСКВА"], ["москва", "МОСКВА"]),
    ],
)  # fmt: skip
def test_case_and_accents_do_not_matter_either_way(index, texts, queries):
    for n, text in enumerate(texts):
        index.add(f"doc{n}", title="Report", text=text)
    expected = {f"doc{n}" for n in range(len(texts))}
    for query in queries:
        assert set(index.find(query)) == expected, query


def test_a_title_is_folded_like_the_text(index):
    index.add("title", title="MALMÖ", text="")
    assert index.find("malmo") == ["title"]


@pytest.mark.parametrize(
    ("texts", "query"),
    [
        (["a renovation plan", "renovations planned"], "renovation"),
        (["a renovation plan", "renovations planned"], "renovations"),
        (["public building", "public buildings"], "building"),
        (["public building", "public buildings"], "Buildings"),
    ],
)
def test_english_words_are_found_in_their_other_forms(index, texts, query):
    index.add("one", title="Report", text=texts[0])
    index.add("other", title="Report", text=texts[1])
    index.add("neither", title="Report", text="a bridge")
    assert set(index.find(query)) == {"one", "other"}


def test_only_stop_words_find_nothing_and_say_so(index):
    index.add("doc", title="The state of the city", text="the of and")
    results = index.results("the of")
    assert results.object_ids == []
    assert results.total == 0
    assert results.query.only_stop_words
    assert index.results('"of the"').total == 0


def test_a_contraction_needs_only_its_word(index):
    # PostgreSQL's stop words include "don" (of "don't"); SQLite must not require it either.
    index.add("panic", title="Panic room", text="")
    index.add("don", title="Don river", text="")
    assert index.find("don't panic") == ["panic"]
    assert index.results("don't").query.only_stop_words


def test_our_stop_words_are_postgresqls(db):
    # With as many words as PostgreSQL's list (see test_search_query), the lists are equal.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own stop word list")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w FROM unnest(%s::text[]) AS w WHERE ts_lexize('english_stem', w) <> '{}'",
            [sorted(STOP_WORDS)],
        )
        assert cursor.fetchall() == []


@pytest.mark.parametrize("query", ["co-design", "co design", '"co-design"', "CO‑DESIGN"])
def test_a_hyphenated_word_is_found_as_written_or_as_two_words(index, query):
    index.add("hyphen", title="Co-design a portfolio", text="")
    index.add("spaced", title="Report", text="We co design it.")
    index.add("co only", title="Report", text="Co-operation.")
    assert set(index.find(query)) == {"hyphen", "spaced"}


def test_numbers_addresses_and_emoji_split_into_words_alike(index):
    # PostgreSQL's parser sees "2.5", e-mail addresses, URLs as single tokens; FTS5 splits them.
    index.add("doc", title="Report 🌍", text="Keep 2.5 degrees; mail info@example.org or "
              "see https://example.org/heat. Heat🔥pump.")  # fmt: skip
    for query in ["2.5", "2 5", "example", "info@example.org", "example.org/heat", "heat pump"]:
        assert index.find(query) == ["doc"], query
    assert index.find('"heat pump"') == ["doc"]


# --- who may find what, and facets --------------------------------------------------------------


def test_members_documents_are_hidden_from_the_public(index):
    index.add("public", title="Heat plan", text="", facets={"type": ["guide"]})
    index.add("members", title="Heat plan", text="", audience="members",
              facets={"type": ["guide"]})  # fmt: skip
    public = index.results("heat", facets=["type"])
    assert [index.names[pk] for pk in public.object_ids] == ["public"]
    assert public.total == 1
    assert public.facets == {"type": {"guide": 1}}
    assert index.results("", facets=["type"]).total == 1
    both = index.results("heat", audiences=("public", "members"), facets=["type"])
    assert {index.names[pk] for pk in both.object_ids} == {"public", "members"}
    assert both.facets == {"type": {"guide": 2}}


def test_no_audience_finds_nothing(index):
    index.add("public", title="Heat plan", text="")
    for query in ["", "heat", "-pump"]:
        results = index.results(query, audiences=())
        assert (results.total, results.object_ids) == (0, [])


@pytest.fixture
def faceted(index):
    index.add("guide energy", title="Heat", facets={"type": ["guide"], "field": ["energy"],
              "year": ["2024"]})  # fmt: skip
    index.add("guide mobility", title="Heat", facets={"type": ["guide"], "field": ["mobility"],
              "year": ["2023"]})  # fmt: skip
    index.add("case both", title="Heat", facets={"type": ["case"],
              "field": ["energy", "mobility"], "year": ["2024"]})  # fmt: skip
    index.add("case waste", title="Heat", facets={"type": ["case"], "field": ["waste"],
              "year": ["2022"]})  # fmt: skip
    index.add("other words", title="Wind", facets={"type": ["guide"], "field": ["energy"],
              "year": ["2024"]})  # fmt: skip
    return index


def test_facets_combine_across_and_alternate_within(faceted):
    filters = {"type": ["guide"], "field": ["energy", "mobility"]}
    results = faceted.results("heat", filters=filters, facets=["type", "field", "year"])
    assert {faceted.names[pk] for pk in results.object_ids} == {"guide energy", "guide mobility"}
    assert results.total == 2
    assert results.facets == {
        # Each facet's counts apply the other facets' choices, not its own.
        "type": {"guide": 2, "case": 1},
        "field": {"energy": 1, "mobility": 1},
        # A facet without a choice counts what is listed.
        "year": {"2024": 1, "2023": 1},
    }


def test_facet_counts_without_a_choice_count_the_matches(faceted):
    results = faceted.results("heat", facets=["type", "field"])
    assert results.total == 4
    assert results.facets == {
        "type": {"guide": 2, "case": 2},
        "field": {"energy": 2, "mobility": 2, "waste": 1},
    }


def test_an_empty_choice_filters_nothing(faceted):
    results = faceted.results("heat", filters={"type": []}, facets=["type"])
    assert results.total == 4


def test_a_value_chosen_twice_counts_once(faceted):
    results = faceted.results("heat", filters={"type": ["case", "case"]})
    assert {faceted.names[pk] for pk in results.object_ids} == {"case both", "case waste"}


# --- order and pages ----------------------------------------------------------------------------


# Undated documents count as the newest: PostgreSQL's order for `date DESC`, which its index
# on (kind, audience, -date) serves; SQLite would put them last unless told.


def test_sort_by_date_lists_newest_first_and_undated_first(index):
    index.add("old", title="Heat pump", text="heat pump heat pump", on=date(2020, 1, 1))
    index.add("undated", title="Heat", text="a pump")
    index.add("new", title="Heat", text="a pump", on=date(2024, 1, 1))
    index.add("middle", title="Heat", text="a pump", on=date(2022, 1, 1))
    results = index.results("heat pump", sort=search.NEWEST)
    assert [index.names[pk] for pk in results.object_ids] == ["undated", "new", "middle", "old"]
    assert results.sort == search.NEWEST
    assert index.find("", sort=search.NEWEST) == ["undated", "new", "middle", "old"]
    assert index.find("") == ["undated", "new", "middle", "old"]  # no words: newest first
    assert index.find("heat pump")[0] == "old"  # by relevance


def test_ties_in_relevance_are_broken_newest_first_and_undated_first(index):
    index.add("old", title="Heat", text="", on=date(2020, 1, 1))
    index.add("new", title="Heat", text="", on=date(2024, 1, 1))
    index.add("undated", title="Heat", text="")
    index.add("older", title="Heat", text="", on=date(2019, 1, 1))
    assert index.find("heat") == ["undated", "new", "old", "older"]


@pytest.mark.parametrize("query", ["", "heat", "-pump", "heat OR -pump"])
def test_pages_split_the_results_without_gaps_or_repeats(index, query):
    for n in range(7):
        index.add(f"doc{n}", title="Heat", text="heat " * n, on=date(2020, 1, 1 + n % 3))
    seen = []
    for page in (1, 2, 3, 4):
        results = index.results(query, page=page, per_page=2)
        assert results.page == page
        assert (results.total, results.pages, results.per_page) == (7, 4, 2)
        assert (results.has_previous, results.has_next) == (page > 1, page < 4)
        assert (results.start_index, results.end_index) == (2 * page - 1, min(7, 2 * page))
        seen += results.object_ids
    assert sorted(seen) == sorted(index.names)


def test_a_page_beyond_the_last_gives_the_last_page(index):
    for n in range(5):
        index.add(f"doc{n}", title="Heat", text="", on=date(2020, 1, 1 + n))
    last = index.results("heat", page=3, per_page=2)
    for page in (4, 99, 10**9):
        beyond = index.results("heat", page=page, per_page=2)
        assert (beyond.page, beyond.object_ids) == (3, last.object_ids)
    assert len(last.object_ids) == 1
    for page in (0, -5):
        assert index.results("heat", page=page, per_page=2).page == 1


def test_nothing_found_is_one_empty_page(index):
    results = index.results("heat", page=7)
    assert (results.page, results.pages, results.total, results.object_ids) == (1, 1, 0, [])
    assert (results.start_index, results.end_index) == (0, 0)


# --- the cache ----------------------------------------------------------------------------------


def test_a_repeated_search_sees_a_committed_change(index):
    term = index.add("doc", title="Heat pump", text="")
    assert index.find("heat") == ["doc"]
    index.unindex(term)
    assert index.find("heat") == []
    index.index(term, title="Heat pump", text="")
    assert index.find("heat") == ["doc"]
    index.index(term, title="Boiler", text="")
    assert index.find("heat") == []
    assert index.find("boiler") == ["doc"]


def test_counts_and_facets_follow_a_committed_change(index):
    term = index.add("doc", title="Heat", facets={"type": ["guide"]})
    assert index.results("heat", facets=["type"]).facets == {"type": {"guide": 1}}
    index.index(term, title="Heat", facets={"type": ["case"]})
    results = index.results("heat", facets=["type"], filters={"type": ["case"]})
    assert (results.total, results.facets) == (1, {"type": {"case": 1}})


def test_a_lost_generation_counter_never_serves_stale_results(index):
    # A cache may evict the counter (LRU, a restarted node) while the cached pages live on:
    # starting it again must not bring back a number that older pages are cached under.
    assert index.find("heat") == []  # cached while nothing is indexed
    term = index.add("doc", title="Heat pump", text="")
    assert index.find("heat") == ["doc"]
    cache.delete(engine._generation_key(KIND))  # lost, then read again by a search
    assert index.find("heat") == ["doc"]
    cache.delete(engine._generation_key(KIND))  # lost, then bumped by a change
    index.unindex(term)
    assert index.find("heat") == []


def test_one_search_costs_a_fixed_number_of_queries_then_none(index, django_assert_num_queries):
    def add_documents(count: int) -> None:
        for n in range(count):
            index.add(f"doc{len(index.names)}", title="Heat pump", text="district heat",
                      on=date(2020, 1, 1), facets={"type": ["guide", "case"][n % 2:][:1],
                                                   "field": ["energy"]})  # fmt: skip

    def ask() -> search.SearchResults:
        return index.results(
            "heat pump", filters={"type": ["guide"]}, facets=["type", "field"], per_page=5
        )

    for count in (3, 30):  # the count does not grow with the number of documents
        add_documents(count)
        cache.clear()
        # total, facets without a choice, facets of the chosen facet, the page
        with django_assert_num_queries(4):
            cold = ask()
        with django_assert_num_queries(0):
            warm = ask()
        assert warm == cold
    assert cold.total == 17


# --- hostile input ------------------------------------------------------------------------------

HOSTILE = [
    "&|!:*()'\"",
    "x" * 1000,
    "heat " * 200,
    "🔥🌍 heat 🔥",
    "heat\x00pump",
    "\x00",
    '"',
    '"heat',
    'heat"',
    '""',
    '"""',
    "OR",
    "OR OR",
    "heat OR OR",
    "-",
    "--heat",
    '-""',
    "- -",
    "ελληνικά",
    "русский",
    "'; DROP TABLE core_searchdocument; --",
    "NEAR",
    "NEAR(heat pump, 2)",
    "heat AND pump",
    "heat NOT pump",
    "title:heat",
    "text:station",
    "{title text}:heat",
    "^heat",
    "heat*",
    "*",
    "heat + pump",
    "\\",
    "%_",
    "\u202e\u200b\ufeff",
    "\ud7ff\ue000\U0010ffff",
]


@pytest.fixture
def stations(index):
    index.add("near", title="Homes near the station", text="Heat pump, district heat.")
    index.add("title", title="Heat", text="The title of a station, its text.")
    index.add("greek", title="Ελληνικά", text="Русский текст.")
    return index


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_never_raises(stations, query):
    before = SearchDocument.objects.count()
    for sort in (search.RELEVANCE, search.NEWEST):
        results = stations.results(query, per_page=2, page=2, sort=sort, facets=["type"])
        assert len(results.object_ids) <= 2
        assert set(results.object_ids) <= set(stations.names)
        assert results.total >= len(results.object_ids)
    assert SearchDocument.objects.count() == before


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("NEAR", {"near"}),
        ("near station", {"near"}),
        ("title:station", {"title"}),  # two words, not FTS5's column filter
        ("text:station", {"title"}),
        ("{title text}:heat", {"title"}),
        ("^station", {"near", "title"}),  # not FTS5's "first token"
        ("station*", {"near", "title"}),  # no prefix search: the word itself
        ("stat*", set()),
        ("heat AND pump", {"near"}),  # "and" is a stop word, the words are all required
        ("heat NOT pump", {"near"}),  # "not" is a stop word too, not FTS5's operator
        ("ελληνικά", {"greek"}),
        ("русский", {"greek"}),
        ("'; DROP TABLE core_searchdocument; --", set()),
    ],
)
def test_search_syntax_of_the_databases_is_just_words(stations, query, expected):
    assert set(stations.find(query)) == expected


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.one_of(
        st.text(max_size=300),
        st.lists(
            st.sampled_from([*HOSTILE, "heat", "pump", "station", "Malmö", "the"]), max_size=6
        ).map(" ".join),  # fmt: skip
    ),
    per_page=st.integers(1, 3),
    page=st.integers(-2, 5),
    sort=st.sampled_from([search.RELEVANCE, search.NEWEST]),
)
def test_search_never_raises_and_returns_at_most_a_page(stations, query, per_page, page, sort):
    results = stations.results(query, per_page=per_page, page=page, sort=sort, facets=["type"])
    assert len(results.object_ids) <= per_page
    assert set(results.object_ids) <= set(stations.names)
    assert 1 <= results.page <= results.pages


# --- both databases answer like a plain reference implementation --------------------------------

VOCABULARY = ("alpha", "bravo", "delta", "kilo", "lima", "tango")
STOPS = ("the", "of", "and", "a")


@dataclass
class Doc:
    pk: int
    title: list[str]
    text: list[str]
    on: date | None
    parity: str


@pytest.fixture
def corpus(index):
    rng = random.Random(2050)
    docs = []
    for n in range(18):
        title = [rng.choice(VOCABULARY + STOPS) for _ in range(rng.randint(1, 3))]
        text = [rng.choice(VOCABULARY + STOPS) for _ in range(rng.randint(0, 7))]
        on = None if n % 5 == 0 else date(2020, 1, 1) + timedelta(days=rng.randint(0, 3))
        parity = "even" if n % 2 == 0 else "odd"
        term = index.add(f"d{n}", title=" ".join(title).title(), text=" ".join(text), on=on,
                         facets={"parity": [parity]})  # fmt: skip
        docs.append(Doc(term.pk, title, text, on, parity))
    return docs


def _contains(tokens: list[str], words: list[str]) -> bool:
    tokens = [t for t in tokens if t not in STOPS]
    return any(tokens[i : i + len(words)] == words for i in range(len(tokens) - len(words) + 1))


def _expected(docs: list[Doc], clauses: list[list[tuple[bool, list[str]]]]) -> list[Doc] | None:
    """The documents a query finds; None for "only stop words"."""
    kept = [
        [(negated, content) for negated, words in clause
         if (content := [w for w in words if w not in STOPS])]
        for clause in clauses
    ]  # fmt: skip
    kept = [clause for clause in kept if clause]
    if not kept:
        return None
    return [
        doc
        for doc in docs
        if any(
            all(
                negated != (_contains(doc.title, words) or _contains(doc.text, words))
                for negated, words in clause
            )
            for clause in kept
        )
    ]


_terms = st.tuples(
    st.booleans(),  # negated
    st.lists(st.sampled_from(VOCABULARY + STOPS), min_size=1, max_size=3),
    st.booleans(),  # quoted (an unquoted term is its first word)
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    clauses=st.lists(st.lists(_terms, min_size=1, max_size=3), min_size=1, max_size=3),
    upper=st.booleans(),
)
def test_both_databases_answer_like_the_reference(index, corpus, clauses, upper):
    structure = [
        [(negated, words if quoted else words[:1]) for negated, words, quoted in clause]
        for clause in clauses
    ]
    query = " OR ".join(
        " ".join(
            ("-" if negated else "") + (f'"{" ".join(words)}"' if quoted else words[0])
            for negated, words, quoted in clause
        )
        for clause in clauses
    )
    query = query.upper() if upper else query
    expected = _expected(corpus, structure)
    results = index.results(query, facets=["parity"], sort=search.NEWEST)
    if expected is None:
        assert results.query.only_stop_words
        assert (results.total, results.object_ids) == (0, [])
        return
    newest_first = sorted(
        expected, key=lambda d: (d.on is not None, -(d.on or date.min).toordinal(), -d.pk)
    )
    assert results.object_ids == [d.pk for d in newest_first], query
    assert results.total == len(expected)
    assert results.facets == {"parity": dict(Counter(d.parity for d in expected))}
    ranked = index.results(query)
    assert sorted(ranked.object_ids) == sorted(d.pk for d in expected), query


# --- recent: candidates without a query ------------------------------------------------------


def test_recent_lists_the_most_recently_indexed_matches_that_the_audience_may_find(index):
    first = index.add("first", title="A", facets={"field": ["energy"]}, on=date(2026, 1, 1))
    index.add("members", title="B", facets={"field": ["energy"]}, audience="members")
    index.add("other field", title="C", facets={"field": ["waste"]})
    index.add("third", title="D", facets={"field": ["energy", "waste"]}, on=date(2019, 1, 1))
    energy = {"field": ["energy"]}
    found = search.recent(KIND, audiences=["public"], filters=energy, limit=10)
    assert [index.names[pk] for pk in found] == ["third", "first"]  # indexed last comes first
    both = search.recent(KIND, audiences=["public", "members"], filters=energy, limit=2)
    assert [index.names[pk] for pk in both] == ["third", "members"]
    index.unindex(first)  # a change of the index is seen at once, despite the cache
    assert search.recent(KIND, audiences=["public"], filters=energy, limit=10) == [
        pk for pk, name in index.names.items() if name == "third"
    ]


def test_facets_of_gives_the_indexed_values_of_the_objects_asked_for(index):
    one = index.add("one", title="A", facets={"field": ["energy", "waste"], "type": ["guide"]})
    two = index.add("two", title="B", facets={"field": ["energy"]})
    index.add("three", title="C", facets={"field": ["mobility"]})
    found = search.facets_of(KIND, [one.pk, two.pk, 999_999], ["field"])
    assert {pk: sorted(v["field"]) for pk, v in found.items()} == {
        one.pk: ["energy", "waste"],
        two.pk: ["energy"],
    }

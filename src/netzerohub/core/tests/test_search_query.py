"""The search box language (`core.search.query`): parsing, rendering and highlighting, no database.

What the two databases are asked is rendered from the parsed form, so these tests pin the
parsed form; `test_search.py` checks that both databases answer it alike.
"""

from __future__ import annotations

import re

import pytest
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from netzerohub.core.search import MAX_QUERY_CHARS, highlight, parse, unaccent
from netzerohub.core.search.query import MAX_TERMS, STOP_WORDS, Clause, Term


def words(raw: str) -> list[list[tuple[str, ...]]]:
    """The parsed query as plain data: per clause, the words of each term (`-` marks a negation)."""
    return [
        [(("-",) if t.negated else ()) + t.words for t in clause.terms]
        for clause in parse(raw).clauses
    ]


# --- words, phrases, exclusions, alternatives --------------------------------------------------


def test_every_word_is_required():
    assert words("heat pump") == [[("heat",), ("pump",)]]


def test_a_quoted_phrase_is_one_term():
    parsed = parse('"heat pump" school')
    assert parsed.clauses == (Clause((Term(("heat", "pump")), Term(("school",)))),)
    assert parsed.clauses[0].terms[0].is_phrase


def test_an_unclosed_quote_runs_to_the_end():
    assert words('school "heat pump') == [[("school",), ("heat", "pump")]]


def test_a_minus_excludes_a_word_or_a_phrase():
    assert words('heat -pump -"gas boiler"') == [[("heat",), ("-", "pump"), ("-", "gas", "boiler")]]


def test_a_minus_inside_a_word_joins_two_words():
    assert words("heat-pump") == [[("heat",), ("pump",)]]  # not an exclusion of `pump`


def test_or_separates_alternatives_of_all_the_words_around_it():
    assert words("solar panel OR wind") == [[("solar",), ("panel",)], [("wind",)]]
    assert words("solar panel or wind") == words("solar panel OR wind")


@pytest.mark.parametrize("raw", ["OR", "OR OR", "OR solar", "solar OR", "solar OR OR", "or or or"])
def test_or_without_a_term_on_each_side_leaves_no_empty_alternative(raw):
    parsed = parse(raw)
    assert all(clause.terms for clause in parsed.clauses)
    assert words(raw) in ([], [[("solar",)]])


def test_a_negated_or_is_a_word_not_an_operator():
    # `-or` is the stop word "or", excluded and so dropped; it must not split the query.
    assert words("solar -or wind") == [[("solar",), ("wind",)]]


def test_only_negative_terms_make_a_clause_of_their_own():
    parsed = parse("-pump OR heat")
    assert words("-pump OR heat") == [[("-", "pump")], [("heat",)]]
    assert parsed.has_negative_only_clause


# --- stop words ---------------------------------------------------------------------------------


def test_only_stop_words_is_said_so_and_searches_nothing():
    parsed = parse("the of")
    assert not parsed
    assert parsed.only_stop_words


@pytest.mark.parametrize("raw", ["", "   ", "&|!", "-", '""', "OR", "🌍"])
def test_no_words_at_all_is_not_only_stop_words(raw):
    parsed = parse(raw)
    assert not parsed
    assert not parsed.only_stop_words


def test_stop_words_are_dropped_beside_other_words():
    assert words("the city of Malmo") == [[("city",), ("malmo",)]]


def test_stop_words_inside_a_phrase_are_dropped_too():
    # PostgreSQL drops them from the index; both databases must then see the same phrase.
    assert words('"city of Malmo"') == [[("city", "malmo")]]
    assert words('"the city"') == [[("city",)]]
    assert not parse('"of the"')
    assert parse('"of the"').only_stop_words


def test_stop_words_match_postgresqls_english_list():
    # `don` is in PostgreSQL's list (from "don't"); kept here it would be required on SQLite only.
    # PostgreSQL's english.stop has 127 words; `test_search` checks each of ours is one of them.
    assert len(STOP_WORDS) == 127
    assert {"don", "s", "t"} <= STOP_WORDS
    assert not parse("don't").clauses


# --- case, accents, special letters, hyphens ---------------------------------------------------


@pytest.mark.parametrize(
    "variants",
    [
        ("Malmö", "malmo", "MALMÖ", "MALMO", "malmö"),
        ("Straße", "strasse", "STRASSE", "STRAẞE", "straße"),
        ("Øresund", "oresund", "ØRESUND", "øresund"),
        ("Łódź", "lodz", "ŁÓDŹ"),
        ("Αθήνα", "αθηνα", "ΑΘΗΝΑ", "ΑΘΉΝΑ"),
        ("δρόμος", "ΔΡΟΜΟΣ", "δρομοσ"),  # final sigma: the same letter as σ
        ("Москва", "МОСКВА", "москва"),
    ],
)
def test_case_and_accents_do_not_matter_either_way(variants):
    expected = words(variants[0])
    assert all(words(v) == expected for v in variants)
    assert expected[0][0][0].isalpha()


def test_unaccent_keeps_case_and_punctuation():
    assert unaccent("Malmö, Øresund & Straße!") == "Malmo, Oresund & Strasse!"


@pytest.mark.parametrize("raw", ["co-design", "co‐design", "co‑design", "CO-DESIGN"])
def test_a_hyphenated_word_is_two_words(raw):
    assert words(raw) == [[("co",), ("design",)]]


def test_a_nul_byte_separates_words():
    assert words("heat\x00pump") == [[("heat",), ("pump",)]]
    assert "\x00" not in parse("heat\x00pump").websearch()


# --- limits and rendering -----------------------------------------------------------------------


def test_the_query_is_cut_at_the_limit():
    parsed = parse("x" * 1000)
    assert len(parsed.raw) == MAX_QUERY_CHARS
    assert parsed.clauses[0].terms[0].words == ("x" * MAX_QUERY_CHARS,)


def test_at_most_max_terms_terms_are_searched():
    parsed = parse(" ".join(f"w{n}" for n in range(40)))
    assert sum(len(c.terms) for c in parsed.clauses) == MAX_TERMS


def test_the_websearch_form_is_clean():
    parsed = parse('Heat -pump "gas boiler" OR -"old stove" wind&&solar:')
    assert parsed.websearch() == 'heat -pump "gas boiler" or -"old stove" wind solar'


_SAFE_WEBSEARCH = re.compile(r'^[^\W_]*(?:[ "\-]+[^\W_]*)*$')


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_to_clean_words(raw):
    parsed = parse(raw)
    rendered = parsed.websearch()
    assert _SAFE_WEBSEARCH.match(rendered), rendered
    assert "\x00" not in rendered
    for clause in parsed.clauses:
        assert clause.terms
        for term in clause.terms:
            assert term.words
            assert all(re.fullmatch(r"[^\W_]+", w) for w in term.words)
            # A word already folded: what the databases index is folded the same way.
            assert all(w == unaccent(w).casefold() for w in term.words)
            assert not (set(term.words) & STOP_WORDS)
    assert bool(parsed) or not parsed.highlight_roots


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8))
def test_the_websearch_form_means_what_was_parsed(raw):
    # PostgreSQL reads `websearch()` with the same grammar: parsing it again changes nothing.
    parsed = parse(raw)
    assert parse(parsed.websearch()).clauses == parsed.clauses


# --- highlighting -------------------------------------------------------------------------------


def test_highlight_escapes_the_text():
    out = highlight('<script>alert("x")</script> a heat pump & <b>boiler</b>', parse("heat"))
    assert isinstance(out, SafeString)
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in out
    assert "<mark>heat</mark>" in out
    assert "&amp;" in out


def test_highlight_escapes_a_marked_word():
    out = highlight("<b>heat</b>", parse("heat"))
    assert out == "<mark>&lt;b&gt;heat&lt;/b&gt;</mark>"


def test_highlight_marks_other_forms_of_the_word():
    text = "Buildings need renovation; one building, many renovations."
    out = highlight(text, parse("building renovations"))
    assert out == (
        "<mark>Buildings</mark> need <mark>renovation;</mark> one <mark>building,</mark> "
        "many <mark>renovations.</mark>"
    )


def test_highlight_marks_accented_words_for_a_plain_query():
    assert highlight("Port of Malmö", parse("malmo")) == "Port of <mark>Malmö</mark>"
    assert highlight("Port of Malmo", parse("MALMÖ")) == "Port of <mark>Malmo</mark>"


def test_highlight_does_not_mark_excluded_words():
    assert highlight("heat pump", parse("heat -pump")) == "<mark>heat</mark> pump"


def test_highlight_does_not_mark_stop_words_of_a_phrase():
    assert highlight("the city of Malmo", parse('"city of malmo"')) == (
        "the <mark>city</mark> of <mark>Malmo</mark>"
    )


def test_highlight_shows_an_excerpt_around_the_first_match():
    text = " ".join([*(f"w{n}" for n in range(100)), "heat", *(f"v{n}" for n in range(100))])
    out = highlight(text, parse("heat"), words=8)
    assert out == "… w98 w99 <mark>heat</mark> v0 v1 v2 v3 v4 …"


def test_highlight_without_a_match_shows_the_start():
    assert highlight("one two three", parse("heat"), words=2) == "one two …"
    assert highlight("one two", parse(""), words=5) == "one two"


def test_highlight_of_nothing_is_empty():
    assert highlight("", parse("heat")) == ""
    assert highlight(None, parse("heat")) == ""  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.text(max_size=60))
def test_highlight_never_lets_markup_through(text, raw):
    out = highlight(text, parse(raw))
    assert "<" not in out.replace("<mark>", "").replace("</mark>", "")

"""Properties of `fold()`, the search key of every name, checked over generated text."""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from netzerohub.cities.naming import search_keys
from netzerohub.core.text import fold, is_latin, prefix_upper_bound

# Letters of the Latin-script languages of the programme's countries.
EUROPEAN_LETTERS = (
    string.ascii_letters
    + "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ"
    + "ĀāĂăĄąĆćĊċČčĎďĐđĒēĖėĘęĚěĞğĠġĢģĦħĪīĮįİıĶķĹĺĻļĽľŁłŃńŅņŇňŌōŐőŒœŔŕŘřŚśŞşŠšŢţŤťŪūŮůŰűŲųŹźŻżŽžȘșȚț"
)
# What separates the words of a place name: spaces, hyphens, dashes, apostrophes, dots, slashes.
SEPARATORS = " -‐–—'’‘`./,_\t"

# The same examples on every run: a property test that fails only sometimes would be flaky.
deterministic = settings(derandomize=True, database=None, max_examples=300)

letters = st.text(alphabet=EUROPEAN_LETTERS, min_size=2, max_size=12)
names = st.lists(letters, min_size=1, max_size=4).flatmap(
    lambda words: st.lists(
        st.sampled_from(SEPARATORS), min_size=len(words) - 1, max_size=len(words) - 1
    ).map(lambda seps: words[0] + "".join(s + w for s, w in zip(seps, words[1:], strict=True)))
)


@deterministic
@given(st.text())
def test_fold_is_idempotent(value):
    assert fold(fold(value)) == fold(value)


@deterministic
@given(st.text())
def test_fold_trims_and_collapses_separators(value):
    folded = fold(value)

    assert folded == folded.strip()
    assert "  " not in folded
    assert not any(ch in folded for ch in "-–—_/'’‘ʼ`.,\t\n\x00")


@deterministic
@given(st.text())
def test_fold_leaves_no_combining_marks(value):
    assert not any(unicodedata.combining(ch) for ch in fold(value))


@deterministic
@given(names)
@example("Malmö")
@example("Modi‘in Makkabbim Re‘ut")  # Israeli names in GeoNames use U+2018 as the ayin
@example("L’Aquila")
@example("Þórshöfn")
@example("Gasteiz / Vitoria")
def test_a_european_name_folds_to_searchable_ascii(name):
    folded = fold(name)

    assert folded.isascii()
    assert is_latin(folded)
    assert search_keys(name), f"{name!r} would not be findable"


@deterministic
@given(names)
def test_fold_ignores_case_and_accents(name):
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )

    assert fold(name.upper()) == fold(name) == fold(name.lower()) == fold(stripped)


@deterministic
@given(names, st.data())
def test_every_prefix_of_a_word_start_finds_the_name(name, data):
    """What `CityQuerySet.search` relies on: a key range holds every key starting with the query."""
    keys = search_keys(name)
    key = data.draw(st.sampled_from(sorted(keys)))
    query = key[: data.draw(st.integers(min_value=1, max_value=len(key)))]

    assert fold(query) <= key < prefix_upper_bound(fold(query))


@deterministic
@given(st.text(), st.text())
def test_prefix_upper_bound_is_above_every_extension(prefix, rest):
    assert prefix <= prefix + rest < prefix_upper_bound(prefix)


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("Köln", "KOLN"),
        ("Malmö", "malmo"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("Ærøskøbing", "aeroskobing"),
        ("Sankt Pölten", "sankt-polten"),
        ("Saint-Étienne", "saint etienne"),
        ("Þórshöfn", "thorshofn"),
        ("Reşiţa", "resita"),
        ("Göteborg", "GÖTEBORG"),
    ],
)
def test_names_and_how_people_type_them_fold_alike(name, typed):
    assert fold(name) == fold(typed)

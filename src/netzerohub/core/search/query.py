"""The search box language, parsed once and rendered for each database and for highlighting.

The syntax is PostgreSQL's `websearch_to_tsquery`: words are all required, `"a phrase"` must
appear as written (stop words aside: neither database indexes them, see `index_text`), `-word`
(or `-"a phrase"`) must not appear, and `OR` between terms offers alternatives (`a b OR c` is
`(a AND b) OR c`). Everything else (`&|!:*()'`, emoji) separates words. The parsed form renders
back to a clean websearch string for PostgreSQL and to an equivalent FTS5 expression for SQLite,
so both databases answer the same question.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..text import fold

MAX_QUERY_CHARS = 200
MAX_TERMS = 16

# PostgreSQL's English stop words: it drops them from queries, so FTS5 must too (outside phrases).
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can did do does doing don down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other
    our ours ourselves out over own s same she should so some such t than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with you your yours
    yourself yourselves
    """.split()  # noqa: SIM905 - a word list reads best as text
)

_WORD = re.compile(r"[^\W_]+")
_INNER_HYPHEN = re.compile(r"(?<=[^\W_])[-‐‑](?=[^\W_])")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_SPECIAL = str.maketrans({"ß": "ss", "ẞ": "SS", "ς": "σ", "ø": "o", "Ø": "O", "æ": "ae",
                          "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d",
                          "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i",
                          "ħ": "h", "Ħ": "H"})  # fmt: skip


def unaccent(value: str) -> str:
    """Strip accents and unify special letters, keeping case and punctuation.

    Both the indexed text and the query pass through it, so `Malmö` finds `Malmo` and the other
    way round on both databases. Hyphens inside words become spaces (`co-design` is two words)
    because the two databases split hyphenated words differently.
    """
    value = unicodedata.normalize("NFKD", value.translate(_SPECIAL))
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = value.replace("\x00", " ")
    return _INNER_HYPHEN.sub(" ", value)


def _words(text: str) -> list[str]:
    # Case-folded here, not by the database: PostgreSQL's lower() depends on its locale.
    return _WORD.findall(text.casefold())


def index_text(value: str) -> str:
    """The form in which both databases index a text: its words, folded, without stop words.

    The databases split text differently (PostgreSQL keeps `2.5`, `info@example.org` or a URL as
    one token, FTS5 splits them) and only PostgreSQL drops stop words, so phrases would match
    differently; given only the words that `parse` searches for, both index the same tokens.
    """
    return " ".join(w for w in _words(unaccent(value)) if w not in STOP_WORDS)


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or the words of a phrase
    negated: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class Clause:
    """Terms that must all hold; a query is a disjunction (OR) of clauses."""

    terms: tuple[Term, ...]

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negated)


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    clauses: tuple[Clause, ...] = ()
    only_stop_words: bool = False  # the user typed words, but all are too common to search
    highlight_roots: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    @property
    def has_negative_only_clause(self) -> bool:
        return any(not c.positive for c in self.clauses)

    def websearch(self) -> str:
        """The query as a clean `websearch_to_tsquery` string (PostgreSQL)."""
        return " or ".join(" ".join(_websearch_term(t) for t in c.terms) for c in self.clauses)


def _websearch_term(term: Term) -> str:
    text = " ".join(term.words)
    if term.is_phrase:
        text = f'"{text}"'
    return f"-{text}" if term.negated else text


def fts5_phrase(term: Term) -> str:
    return '"' + " ".join(term.words) + '"'  # words are alphanumeric: no quote to escape


def fts5_all(terms: tuple[Term, ...]) -> str:
    return " AND ".join(fts5_phrase(t) for t in terms)


def fts5_any(terms: tuple[Term, ...]) -> str:
    return " OR ".join(fts5_phrase(t) for t in terms)


def parse(raw: str) -> ParsedQuery:
    """Parse what the user typed (any text: it never raises)."""
    raw = (raw or "")[:MAX_QUERY_CHARS]
    text = unaccent(raw)
    clauses: list[list[Term]] = [[]]
    typed_words = False
    count = 0
    for match in _TOKEN.finditer(text):
        neg_phrase, phrase, neg_word, word = match.groups()
        if phrase is not None:
            words = tuple(_words(phrase))
            negated = bool(neg_phrase)
            if not words:
                continue
            typed_words = True
            # Stop words are not indexed (see `index_text`): a phrase is its other words.
            words = tuple(w for w in words if w not in STOP_WORDS)
            if not words:
                continue
            clauses[-1].append(Term(words, negated))
            count += 1
        else:
            if word.lower() == "or" and not neg_word:
                if clauses[-1]:
                    clauses.append([])
                continue
            words = tuple(_words(word))
            if not words:
                continue
            typed_words = True
            # `heat/pump` or `a&b` are several words; a leading `-` negates the first only.
            for index, w in enumerate(words):
                if w in STOP_WORDS:
                    continue
                clauses[-1].append(Term((w,), bool(neg_word) and index == 0))
                count += 1
        if count >= MAX_TERMS:
            break
    kept = tuple(Clause(tuple(c)) for c in clauses if c)
    roots = frozenset(root(w) for c in kept for t in c.terms if not t.negated for w in t.words)
    return ParsedQuery(
        raw=raw, clauses=kept, only_stop_words=typed_words and not kept, highlight_roots=roots
    )


_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")


def root(word: str) -> str:
    """A crude English stem, only for highlighting: `buildings`, `building` -> `build`."""
    word = fold(word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix in {"ies", "ied"} else "")
            break
    return word.rstrip("e") if len(word) > 3 else word


def highlight(text: str, query: ParsedQuery, *, words: int = 40) -> SafeString:
    """An escaped excerpt of `text` around the first matching word, matches in `<mark>`.

    Without a match (the hit came from the title), the excerpt is the start of the text.
    """
    tokens = list(re.finditer(r"\S+", text or ""))
    if not tokens:
        return mark_safe("")  # noqa: S308 - empty string
    roots = query.highlight_roots

    def matches(token: str) -> bool:
        return any(root(w) in roots for w in _WORD.findall(unaccent(token)))

    first = next((i for i, t in enumerate(tokens) if roots and matches(t.group())), 0)
    start = max(0, first - words // 4)
    end = min(len(tokens), start + words)
    parts = []
    for token in tokens[start:end]:
        value = escape(token.group())
        parts.append(f"<mark>{value}</mark>" if roots and matches(token.group()) else value)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(tokens) else ""
    return mark_safe(prefix + " ".join(parts) + suffix)  # noqa: S308 - every token is escaped

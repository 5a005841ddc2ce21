"""Portal-wide full-text search (see `engine` for the contract and `query` for the syntax)."""

from .engine import (
    NEWEST,
    RELEVANCE,
    SearchResults,
    build_vectors,
    facets_of,
    generation,
    index_object,
    kind_of,
    recent,
    search,
    unindex_object,
)
from .query import MAX_QUERY_CHARS, ParsedQuery, highlight, parse, unaccent

__all__ = [
    "MAX_QUERY_CHARS",
    "NEWEST",
    "RELEVANCE",
    "ParsedQuery",
    "SearchResults",
    "build_vectors",
    "facets_of",
    "generation",
    "highlight",
    "index_object",
    "kind_of",
    "recent",
    "parse",
    "search",
    "unaccent",
    "unindex_object",
]

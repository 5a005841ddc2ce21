"""Text folding for search: case- and accent-insensitive keys that every database can index.

`fold("Malmö") == fold("MALMO") == "malmo"`. The folded form is stored beside the original so
that prefix searches become an indexed range scan instead of a function over every row.
"""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and a combining mark.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "ss",
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "ħ": "h",
        "Ħ": "h",
    }
)
# Control characters count as spaces: a NUL byte cannot even be sent to PostgreSQL.
_SPACES = re.compile(r"[\s\x00-\x1f\x7f\-‐‑–—_/'’‘ʼ`.,]+")


def fold(value: str) -> str:
    """Lower-case, strip accents and collapse punctuation to single spaces."""
    value = value.translate(_SPECIAL)
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = value.casefold().translate(_SPECIAL)
    return _SPACES.sub(" ", value).strip()


def is_latin(value: str) -> bool:
    """True when the folded text is plain ASCII (used to keep only Latin alternate names)."""
    return value.isascii() and any(ch.isalpha() for ch in value)


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`.

    `name >= prefix AND name < prefix_upper_bound(prefix)` is a prefix match that a plain
    B-tree index serves on PostgreSQL and SQLite alike, whatever the collation of LIKE.
    """
    return prefix + "\U0010ffff"

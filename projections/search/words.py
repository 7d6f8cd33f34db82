"""How text becomes search words, once, in Python: the same words on SQLite and PostgreSQL by construction.

Text is case-folded, its accents taken off and reduced to ASCII, and split on everything that is not a letter or
a digit. Neither database tokenises anything itself: what the views store is already words joined by spaces, which
FTS5's `unicode61` and PostgreSQL's `simple` configuration split alike, so no engine's own rules (or locale) decide
what a word is. A query is tokenised the same way, so characters that mean something to either engine's query
syntax (quotes, `*`, `:`, `&`, `-`, NEAR) never reach it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_QUERY_LENGTH = 200  # characters of `q`
MAX_QUERY_WORDS = 8
WORD_LENGTH = 64  # a longer word is cut: each database keeps long words, but none is sought by more than this

_WORD = re.compile(r"[a-z0-9]+")


class BadSearch(ValueError):
    """A search query that asks for nothing, or for too much: the caller's fault, named as `q`."""


def words_of(text: str) -> list[str]:
    """The words of a text, in order: lower case ASCII letters and digits."""
    folded = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode("ascii")
    return [word[:WORD_LENGTH] for word in _WORD.findall(folded)]


def joined_words(texts: Iterable[str]) -> str:
    """The words of several texts, as one space-separated text: what a view stores and the index reads."""
    return " ".join(word for text in texts for word in words_of(text))


def search_words(q: str) -> tuple[str, ...]:
    """The distinct words of a query, in the order given; each must begin a word of what is found."""
    if len(q) > MAX_QUERY_LENGTH:
        raise BadSearch(f"A search is at most {MAX_QUERY_LENGTH} characters.")
    found = tuple(dict.fromkeys(words_of(q)))
    if not found:
        raise BadSearch("A search needs at least one word of letters or digits.")
    if len(found) > MAX_QUERY_WORDS:
        raise BadSearch(f"A search is at most {MAX_QUERY_WORDS} words.")
    return found

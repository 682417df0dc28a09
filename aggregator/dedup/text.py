"""Text normalisation for comparison: paragraphs and tokens that survive quote,
dash, case and spacing edits, so a lightly edited repost still matches."""

from __future__ import annotations

import re
import unicodedata

_PARAGRAPH_BREAK = re.compile(r"\n\s*")
_WORD = re.compile(r"\w+")


def paragraphs(text: str) -> list[str]:
    """Non-empty lines of an extracted text; extraction puts one paragraph per line."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def tokens(paragraph: str) -> list[str]:
    """Case-folded words; punctuation (curly or straight quotes, dashes) is dropped."""
    return _WORD.findall(unicodedata.normalize("NFKC", paragraph).casefold())


def paragraph_tokens(text: str) -> list[list[str]]:
    """``tokens`` of each of ``paragraphs`` (paragraphs without words may be left out).

    Words are runs of what ``\\w`` matches (``str.isalnum`` or ``_``): every other
    character becomes a space and ``split`` cuts the words, in a third of the time the
    regular expression takes. The few non-ASCII ones a text has (typographic quotes and
    dashes mostly) are replaced one by one, so that most texts are then ASCII, which
    ``str.translate`` maps fastest.
    """
    normal = unicodedata.normalize("NFKC", text).casefold()
    if not normal.isascii():
        for mark in {c for c in set(normal) if ord(c) > 127 and not c.isalnum()}:
            normal = normal.replace(mark, " ")
    return [p.split() for p in _PARAGRAPH_BREAK.split(normal.translate(_ASCII_NON_WORD))]


# Every ASCII character \w does not match, but newline (it separates paragraphs).
_ASCII_NON_WORD = str.maketrans(
    {chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) in "_\n")}
)

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

    Most news text is ASCII once its typographic quotes and dashes are gone: then a
    ``str.translate`` and ``split`` give exactly the regular expression's words in a
    third of the time; any other text takes the regular expression.
    """
    normal = unicodedata.normalize("NFKC", text).casefold()
    plain = normal
    for mark in _TYPOGRAPHY:
        if mark in plain:
            plain = plain.replace(mark, " ")
    if plain.isascii():
        return [p.split() for p in _PARAGRAPH_BREAK.split(plain.translate(_ASCII_NON_WORD))]
    return [_WORD.findall(p) for p in _PARAGRAPH_BREAK.split(normal) if p.strip()]


# Characters \w does not match that news text is full of; and every ASCII one but newline.
_TYPOGRAPHY = "\u2019\u2018\u201c\u201d\u201e\u201a\u2013\u2014\u2015\u2026\u00ab\u00bb\u2022\u00b7"
_ASCII_NON_WORD = str.maketrans(
    {chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) in "_\n")}
)

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
    """``tokens`` of each of ``paragraphs``, normalising the whole text at once (faster)."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    return [_WORD.findall(p) for p in _PARAGRAPH_BREAK.split(normal) if p.strip()]

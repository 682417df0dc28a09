"""Text normalisation for comparison: paragraphs and tokens that survive quote,
dash, case and spacing edits, so a lightly edited repost still matches."""

from __future__ import annotations

import re
import unicodedata

import numpy as np

_PARAGRAPH_BREAK = re.compile(r"\n\s*")
_WORD = re.compile(r"\w+")
# What \w does not match, outside ASCII (typographic quotes and dashes mostly).
_NON_ASCII_NON_WORD = re.compile(r"[^\x00-\x7f\w]")  # the range first: 3x faster


def paragraphs(text: str) -> list[str]:
    """Non-empty lines of an extracted text; extraction puts one paragraph per line."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def tokens(paragraph: str) -> list[str]:
    """Case-folded words; punctuation (curly or straight quotes, dashes) is dropped."""
    return _WORD.findall(unicodedata.normalize("NFKC", paragraph).casefold())


def word_bytes(text: str) -> bytes:
    """The text as ``tokens`` reads it, in UTF-8: NFKC-normalised and case-folded, every
    character ``\\w`` does not match a space, but newlines (they separate paragraphs).
    Splitting its lines on spaces gives each paragraph's ``tokens``.

    Words are runs of what ``\\w`` matches (``str.isalnum`` or ``_``). Case folding and
    the ``\\w`` test map one character at a time, so a text's few distinct non-ASCII
    characters (typographic quotes and dashes mostly) are replaced one by one (a
    one-character ``str.replace`` is fast) and one ``bytes.translate`` maps the ASCII
    rest: ``str.casefold`` and a substitution on the whole text cost four times as much,
    ``str.translate`` thirty times.
    """
    if text.isascii():
        return text.encode().translate(_ASCII_FOLD)
    if not unicodedata.is_normalized("NFKC", text):
        text = _nfkc_lines(text)
    raw = np.frombuffer(text.encode(), np.uint8)
    # A UTF-8 byte past ASCII is part of a non-ASCII character, whole, so those bytes
    # decode to the text's non-ASCII characters.
    marks = set(raw[raw > 127].tobytes().decode())
    if len(marks) > _FEW_MARKS:  # a script of its own: one pass over the text is cheaper
        return _NON_ASCII_NON_WORD.sub(" ", text.casefold()).encode().translate(_ASCII_FOLD)
    for mark in marks:
        folded = _fold(mark)
        if folded != mark:  # folds are final (case folding twice is folding once)
            text = text.replace(mark, folded)
    return text.encode().translate(_ASCII_FOLD)


def _nfkc_lines(text: str) -> str:
    """NFKC of a text, line by line: a newline neither composes nor reorders with what is
    around it, so only the lines that need it are normalised (costly: 30 ns a character,
    and most texts that need it have an ellipsis or a no-break space on a line or two)."""
    return "\n".join(
        line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line)
        for line in text.split("\n")
    )


def _fold(mark: str) -> str:
    """One character as ``word_bytes`` maps it: case-folded, what ``\\w`` does not match a space."""
    return _NON_ASCII_NON_WORD.sub(" ", mark.casefold())


# Distinct non-ASCII characters past which a text is mapped whole.
_FEW_MARKS = 24
# Every ASCII byte \w does not match becomes a space, but newline; capitals are folded.
_ASCII_FOLD = bytes(
    (32 if not (chr(c).isalnum() or chr(c) in "_\n") else ord(chr(c).lower())) if c < 128 else c
    for c in range(256)
)

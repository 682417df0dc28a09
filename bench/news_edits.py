"""How ``news_corpus.py`` cuts and edits an article's paragraphs into a repost's body."""

from __future__ import annotations

import random
import re

MIN_EXCERPT_WORDS = 40  # the corpus's default; see build_news_corpus
PROSE_WORDS = 12  # a one-line block of at least this many words is a paragraph of prose
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘(])")


def _is_prose(block: str) -> bool:
    """A paragraph of prose: one line of ``PROSE_WORDS`` words or more (not a heading, a
    list, a table or code)."""
    return "\n" not in block and len(block.split()) >= PROSE_WORDS


def span(blocks: list[str], start: int, paragraphs: int, min_words: int) -> list[str]:
    """``paragraphs`` prose paragraphs from ``start`` (with the other blocks between them),
    extended until its prose has ``min_words`` words."""
    span: list[str] = []
    prose = words = 0
    for block in blocks[start:]:
        span.append(block)
        if _is_prose(block):
            prose += 1
            words += len(block.split())
        if prose >= paragraphs and words >= min_words:
            break
    return span


def first_share(blocks: list[str], share: float) -> list[str]:
    """The first whole paragraphs holding ``share`` of the words."""
    total = sum(len(b.split()) for b in blocks)
    taken, words = [], 0
    for block in blocks:
        if words >= share * total:
            break
        taken.append(block)
        words += len(block.split())
    return taken


def edit(blocks: list[str], rng: random.Random) -> list[str]:
    """Two paragraphs swapped, a sentence dropped, a few words changed (lines kept as lines)."""
    edited = blocks[:]
    prose = [i for i, b in enumerate(edited) if _is_prose(b)]
    if len(prose) >= 2:
        first, second = sorted(rng.sample(prose, 2))
        edited[first], edited[second] = edited[second], edited[first]
    long = [i for i in prose if len(_SENTENCE.split(edited[i])) >= 2]
    if long:
        at = rng.choice(long)
        sentences = _SENTENCE.split(edited[at])
        del sentences[rng.randrange(len(sentences))]
        edited[at] = " ".join(sentences)
    vocabulary = [w for b in blocks for w in b.split() if w.isalpha() and len(w) >= 4]
    for _ in range(rng.randrange(3, 7)):
        at = rng.choice(prose or range(len(edited)))
        words = edited[at].split(" ")
        words[rng.randrange(len(words))] = rng.choice(vocabulary or ["news"])
        edited[at] = " ".join(words)
    return edited

"""Which paragraphs of the original a repost took, and which words of them it kept.

A story stores each repost's similarity and containment against its canonical
text, but not *where* the shared text lies. This module finds it: paragraphs
are matched by the share of their word shingles (the dedup fingerprint's, so
quotes, dashes and case edits do not count as changes) found in one paragraph
of the original; inside a matched pair, runs of at least ``MIN_SHARED_RUN``
words in the same order (``difflib``) are the shared passages a page highlights.
Paragraphs of the repost that match nothing are what it added (an intro, a
credit line); runs of original paragraphs it left out are kept as skipped rows.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace

import numpy as np

from aggregator.dedup import DedupConfig, Fingerprinter
from aggregator.dedup.text import paragraphs, tokens

# A repost paragraph was taken from an original paragraph when this share of its shingles
# is found there: below it, a rewritten paragraph is new writing, not a copy.
MATCH_SHARE = 0.5
# Shorter runs of common words ("of the") say nothing about copying.
MIN_SHARED_RUN = 3
_DISPLAY_WORD = re.compile(r"\S+")

TAKEN, ADDED, SKIPPED = "taken", "added", "skipped"


@dataclass(frozen=True)
class Segment:
    """A piece of a paragraph's text, as printed, and whether the other side has it too."""

    text: str
    shared: bool


@dataclass(frozen=True)
class Paragraph:
    """One paragraph (numbered from 1 in its article) cut into segments."""

    number: int
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)


@dataclass(frozen=True)
class AlignedRow:
    """One row of the side-by-side view.

    ``taken``: an original paragraph and the repost's copy of it; ``added``: a
    repost paragraph found nowhere in the original (``label`` says where:
    intro, added, after); ``skipped``: original paragraphs the repost left out.
    """

    kind: str
    original: tuple[Paragraph, ...]
    repost: Paragraph | None
    share: float = 0.0  # taken: share of the repost paragraph's shingles in the original one
    label: str = ""

    @property
    def skipped_words(self) -> int:
        return sum(len(p.text.split()) for p in self.original) if self.kind == SKIPPED else 0

    @property
    def numbers(self) -> str:
        """The original paragraphs of this row as printed: "¶2", "¶5–7", "¶1, ¶3–4"."""
        runs: list[list[int]] = []
        for number in (p.number for p in self.original):
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        return ", ".join(f"¶{r[0]}" if len(r) == 1 else f"¶{r[0]}–{r[-1]}" for r in runs)


@dataclass(frozen=True)
class Alignment:
    rows: tuple[AlignedRow, ...]
    original_paragraphs: int

    @property
    def taken(self) -> tuple[int, ...]:
        """Numbers of the original paragraphs the repost carries, in the original's order."""
        return tuple(
            sorted({p.number for row in self.rows if row.kind == TAKEN for p in row.original})
        )

    @property
    def added(self) -> tuple[AlignedRow, ...]:
        return tuple(row for row in self.rows if row.kind == ADDED)


class Original:
    """The canonical text prepared once, to align any number of reposts against it.

    >>> original = Original("One two three four five six.\\nSeven eight nine ten eleven twelve.")
    >>> alignment = original.align("An intro of our own here.\\nSeven eight nine ten eleven twelve.")
    >>> [row.kind for row in alignment.rows], alignment.taken
    (['added', 'skipped', 'taken'], (2,))
    """

    def __init__(self, text: str, config: DedupConfig | None = None) -> None:
        self._fingerprinter = Fingerprinter(config or DedupConfig())
        self._word_keys: dict[str, tuple[str, ...]] = {}  # printed word -> its tokens
        self.paragraphs = paragraphs(text)
        self._words = [self._split(p) for p in self.paragraphs]
        self._verbatim: dict[tuple[tuple[str, ...], ...], int] = {}  # words -> first paragraph
        for index, words in enumerate(self._words):
            if words.keys:
                self._verbatim.setdefault(words.keys, index)
        self._owners: dict[int, list[int]] = {}
        for index, paragraph in enumerate(self.paragraphs):
            for shingle in self._shingles(paragraph):
                self._owners.setdefault(shingle, []).append(index)

    def align(self, repost_text: str) -> Alignment:
        """The side-by-side rows for one repost, in the repost's order.

        Before each taken paragraph come the original paragraphs up to it that the
        repost never takes (so a reordered repost shows none of them twice); the rest
        of the original follows the last paragraph taken, before the repost's ending.
        """
        repost = [self._split(p) for p in paragraphs(repost_text)]
        matches = [self._best_match(words) for words in repost]
        taken = {match[0] for match in matches if match is not None}
        rows: list[AlignedRow] = []
        shown = 0  # original paragraphs before this one have a row
        for number, (words, match) in enumerate(zip(repost, matches, strict=True), start=1):
            if match is None:
                rows.append(AlignedRow(ADDED, (), _plain(number, words.text)))
                continue
            index, share = match
            rows += self._skipped(range(shown, index), taken)
            rows.append(self._taken(index, number, words, share))
            shown = max(shown, index + 1)
        last_taken = max((i for i, row in enumerate(rows) if row.kind == TAKEN), default=-1)
        rows[last_taken + 1 : last_taken + 1] = self._skipped(
            range(shown, len(self.paragraphs)), taken
        )
        return Alignment(_labelled(rows), len(self.paragraphs))

    def _best_match(self, words: _Words) -> tuple[int, float] | None:
        """The original paragraph holding most of this one's shingles, if it holds enough."""
        same = self._verbatim.get(words.keys)
        if same is not None:  # copied word for word: most paragraphs of most reposts
            return same, 1.0
        shingles = self._shingles(words.text)
        if not shingles:  # too short to shingle, and no identical paragraph
            return None
        hits: dict[int, int] = {}
        for shingle in shingles:
            for index in self._owners.get(shingle, ()):
                hits[index] = hits.get(index, 0) + 1
        if not hits:
            return None
        index, count = min(hits.items(), key=lambda item: (-item[1], item[0]))
        share = count / len(shingles)
        return (index, share) if share >= MATCH_SHARE else None

    def _taken(self, index: int, number: int, words: _Words, share: float) -> AlignedRow:
        original = self._words[index]
        marks: tuple[tuple[Segment, ...], tuple[Segment, ...]]
        if original.keys == words.keys:  # a verbatim copy (up to quotes and case): all shared
            marks = (Segment(original.text, True),), (Segment(words.text, True),)
        else:
            marks = _shared_runs(original, words)
        return AlignedRow(
            TAKEN, (Paragraph(index + 1, marks[0]),), Paragraph(number, marks[1]), share=share
        )

    def _skipped(self, indexes: range, taken: set[int]) -> list[AlignedRow]:
        """One row for the paragraphs among ``indexes`` the repost never takes (if any)."""
        left_out = tuple(_plain(i + 1, self.paragraphs[i]) for i in indexes if i not in taken)
        return [AlignedRow(SKIPPED, left_out, None)] if left_out else []

    def _shingles(self, paragraph: str) -> frozenset[int]:
        fingerprint = self._fingerprinter.fingerprint(paragraph)
        return frozenset(np.unique(fingerprint.shingles).tolist())

    def _split(self, paragraph: str) -> _Words:
        """The paragraph's printed words with their tokens (cached: reposts repeat words)."""
        spans, keys = [], []
        for word in _DISPLAY_WORD.finditer(paragraph):
            key = self._word_keys.get(word.group())
            if key is None:
                key = self._word_keys[word.group()] = tuple(tokens(word.group()))
            spans.append(word.span())
            keys.append(key)
        return _Words(paragraph, tuple(spans), tuple(keys))


@dataclass(frozen=True)
class _Words:
    """A paragraph's printed words (where they stand) and what dedup reads in each."""

    text: str
    spans: tuple[tuple[int, int], ...]
    keys: tuple[tuple[str, ...], ...]


def _labelled(rows: list[AlignedRow]) -> tuple[AlignedRow, ...]:
    """Added paragraphs say where they stand: before the first taken one (the repost's
    intro), after the last (its ending), or in between."""
    taken = [i for i, row in enumerate(rows) if row.kind == TAKEN]
    if not taken:
        return tuple(replace(row, label="added") if row.kind == ADDED else row for row in rows)

    def label(index: int) -> str:
        return "intro" if index < taken[0] else "after" if index > taken[-1] else "added"

    return tuple(
        replace(row, label=label(i)) if row.kind == ADDED else row for i, row in enumerate(rows)
    )


def _plain(number: int, text: str) -> Paragraph:
    return Paragraph(number, (Segment(text, False),))


def _shared_runs(
    original: _Words, repost: _Words
) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Both paragraphs cut into segments, shared ones being runs of words both have in order."""
    matcher = difflib.SequenceMatcher(None, original.keys, repost.keys, autojunk=False)
    runs = [block for block in matcher.get_matching_blocks() if block.size >= MIN_SHARED_RUN]
    original_spans = [_span(original, run.a, run.size) for run in runs]
    repost_spans = [_span(repost, run.b, run.size) for run in runs]
    return _cut(original.text, original_spans), _cut(repost.text, repost_spans)


def _span(words: _Words, first: int, size: int) -> tuple[int, int]:
    return words.spans[first][0], words.spans[first + size - 1][1]


def _cut(text: str, spans: list[tuple[int, int]]) -> tuple[Segment, ...]:
    """``text`` as alternating plain and shared segments (``spans`` sorted, disjoint)."""
    segments: list[Segment] = []
    at = 0
    for start, end in spans:
        if start > at:
            segments.append(Segment(text[at:start], False))
        segments.append(Segment(text[start:end], True))
        at = end
    if at < len(text):
        segments.append(Segment(text[at:], False))
    return tuple(segments)

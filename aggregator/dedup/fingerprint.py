"""Fingerprints: what dedup keeps of an article's text.

A fingerprint holds, per paragraph, the hash of its normalised words (for
spotting chrome that recurs across an outlet) and its word shingles (for exact
containment checks). A fixed share of the shingles, chosen by their hash values,
are *anchors*: two texts that share a passage share that passage's
anchors whatever else they contain, so an excerpt of two paragraphs finds its
seven-paragraph source by exact lookups (see ``index.py``), where a MinHash of
the whole text would put their Jaccard similarity at about 0.3. Anchors are
chosen by winnowing, so even a short excerpt is sure to have some.

Fingerprints are stored (``to_bytes``) so that later crawls and
``aggregator dedup --rebuild`` never re-read a text.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import xxhash
from datasketch import LeanMinHash

from aggregator.dedup import arrays
from aggregator.dedup.arrays import unique
from aggregator.dedup.config import DedupConfig
from aggregator.dedup.text import word_bytes

# Paragraphs shorter than this ("Follow", "Key Conclusions") carry no signal.
MIN_PARAGRAPH_TOKENS = 3
_HEADER = struct.Struct("<4sBBII")
_MAGIC = b"AGFP"
_FORMAT_VERSION = 2  # 2: shingle hashes by _Powers (1 rolled xxh64 word hashes)
_P = 0x100000001B3  # the FNV-1 64-bit prime: odd, so invertible modulo 2**64
_Q = pow(_P, -1, 1 << 64)
_SPACE, _NEWLINE = np.uint8(32), np.uint8(10)


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """Paragraph hashes and shingles of one text (arrays are read-only by convention)."""

    shingle_size: int
    paragraph_hashes: np.ndarray  # uint64, one per paragraph
    paragraph_tokens: np.ndarray  # uint32 word count per paragraph
    offsets: np.ndarray  # uint32, shingles of paragraph i are shingles[offsets[i]:offsets[i+1]]
    shingles: np.ndarray  # uint32 shingle hashes, in paragraph order

    @property
    def token_count(self) -> int:
        return int(self.paragraph_tokens.sum())

    @cached_property
    def _content(self) -> dict[frozenset[int], tuple[np.ndarray, dict[int, np.ndarray]]]:
        # chrome set -> (shingle set, {anchor rate: anchors}); an article has one chrome
        # set at a time, so this holds one entry but for the moment chrome changes.
        return {}

    @cached_property
    def sketches(self) -> dict[tuple[int, int], LeanMinHash]:
        """MinHash sketches of this text by (num_perm, seed), filled by ``sketch.Sketcher``."""
        return {}

    @cached_property
    def every_shingle(self) -> np.ndarray:
        """Sorted unique shingles of the whole text."""
        return unique(self.shingles)

    def shingle_set(self, skip_paragraphs: frozenset[int] = frozenset()) -> np.ndarray:
        """Sorted unique shingles, leaving out the paragraphs whose hash is in ``skip_paragraphs``."""
        if not skip_paragraphs:
            return self.every_shingle
        return self._entry(skip_paragraphs)[0]

    def anchors(self, rate: int, skip_paragraphs: frozenset[int] = frozenset()) -> np.ndarray:
        """The anchors (see ``anchors``) of the text outside the paragraphs in ``skip_paragraphs``."""
        entry = self._content.get(skip_paragraphs)
        if entry is None or rate not in entry[1]:
            sequence = self._sequence(skip_paragraphs)
            entry = self._entry(skip_paragraphs, sequence)
            entry[1][rate] = anchors(sequence, rate)
        return entry[1][rate]

    def _entry(
        self, skip_paragraphs: frozenset[int], sequence: np.ndarray | None = None
    ) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """The shingle set and anchors outside ``skip_paragraphs`` (``sequence``: the
        shingles there, if already taken out)."""
        found = self._content.get(skip_paragraphs)
        if found is None:
            if len(self._content) > 1:
                self._content.clear()
            if not skip_paragraphs:
                own = self.every_shingle
            else:
                own = unique(self._sequence(skip_paragraphs) if sequence is None else sequence)
            found = self._content[skip_paragraphs] = (own, {})
        return found

    def framing_lines(self, other: np.ndarray, skip_paragraphs: frozenset[int]) -> int:
        """Lines before the first and after the last paragraph that shares a shingle with the
        sorted ``other`` (paragraphs in ``skip_paragraphs`` left out): what a copy puts
        around a text (a page line, an intro, a trailer), not what it dropped inside it.
        Read from both ends, so a copy costs a few paragraphs' lookups."""
        lines = [
            (int(start), int(end))
            for start, end, paragraph in zip(
                self.offsets[:-1].tolist(),
                self.offsets[1:].tolist(),
                self.paragraph_hashes.tolist(),
                strict=True,
            )
            if paragraph not in skip_paragraphs
        ]
        leading = _until_shared(lines, self.shingles, other)
        if leading == len(lines):
            return leading
        return leading + _until_shared(lines[::-1], self.shingles, other)

    def _sequence(self, skip_paragraphs: frozenset[int]) -> np.ndarray:
        """The shingles in text order, those of the paragraphs in ``skip_paragraphs`` left out."""
        if skip_paragraphs:
            keep = np.fromiter(
                (h not in skip_paragraphs for h in self.paragraph_hashes.tolist()),
                bool,
                len(self.paragraph_hashes),
            )
            if not keep.all():
                lengths = np.diff(self.offsets.astype(np.int64))
                # numpy's stubs type diff() of these offsets as timedelta64
                return self.shingles[np.repeat(keep, lengths)]  # type: ignore[arg-type]
        return self.shingles

    def to_bytes(self) -> bytes:
        header = _HEADER.pack(
            _MAGIC,
            _FORMAT_VERSION,
            self.shingle_size,
            len(self.paragraph_hashes),
            len(self.shingles),
        )
        return b"".join(
            (
                header,
                self.paragraph_hashes.astype("<u8").tobytes(),
                self.paragraph_tokens.astype("<u4").tobytes(),
                self.offsets.astype("<u4").tobytes(),
                self.shingles.astype("<u4").tobytes(),
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        magic, version, shingle_size, n_par, n_sh = _HEADER.unpack_from(data)
        if magic != _MAGIC or version != _FORMAT_VERSION:
            raise ValueError(f"not an aggregator fingerprint (magic {magic!r}, version {version})")
        at = _HEADER.size

        def take(dtype: str, count: int) -> np.ndarray:
            nonlocal at
            array = np.frombuffer(data, dtype=dtype, count=count, offset=at)
            at += array.nbytes
            return array.astype(dtype[1:])

        return cls(
            shingle_size=shingle_size,
            paragraph_hashes=take("<u8", n_par),
            paragraph_tokens=take("<u4", n_par),
            offsets=take("<u4", n_par + 1),
            shingles=take("<u4", n_sh),
        )


def _until_shared(lines: list[tuple[int, int]], shingles: np.ndarray, other: np.ndarray) -> int:
    """How many of ``lines`` (shingle ranges) come before one with a shingle in ``other``."""
    for number, (start, end) in enumerate(lines):
        if len(other) and arrays.shared(unique(shingles[start:end]), other):
            return number
    return len(lines)


class Fingerprinter:
    """Turns texts into fingerprints; one per matcher, so its word-hash cache is not shared.

    >>> fp = Fingerprinter(DedupConfig())
    >>> f = fp.fingerprint("One two three four five six.\\nSeven eight nine ten eleven.")
    >>> len(f.paragraph_hashes), len(f.shingles)
    (2, 3)
    """

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self._powers = _Powers()

    def fingerprint(self, text: str) -> Fingerprint:
        lines, lengths, sizes = _lines(np.frombuffer(word_bytes(text), np.uint8))
        paragraph_hashes = np.fromiter(map(xxhash.xxh64_intdigest, lines), np.uint64, len(lines))
        shingles, offsets = self._powers.shingles(
            np.frombuffer(b"\n".join(lines), np.uint8), sizes, lengths, self.config.shingle_size
        )
        return Fingerprint(self.config.shingle_size, paragraph_hashes, lengths, offsets, shingles)


def _lines(data: np.ndarray) -> tuple[list[bytes], np.ndarray, np.ndarray]:
    """The paragraphs of ``word_bytes`` with ``MIN_PARAGRAPH_TOKENS`` words or more, their
    words joined by one space; the words of each, and the bytes of each of their words.

    Found with numpy on the bytes (each word and the byte after it, which becomes a
    newline where the next word is in another paragraph) rather than by splitting
    paragraphs and words in Python: a third of the time.
    """
    word = np.concatenate(([False], data > _SPACE, [False]))  # else a space or a newline
    edges = (word[1:] != word[:-1]).nonzero()[0]
    starts, ends = edges[::2], edges[1::2]
    if not len(starts):
        return [], np.zeros(0, np.uint32), np.zeros(0, np.int64)
    # The first word after each newline (the last newlines may have none).
    firsts = starts.searchsorted((data == _NEWLINE).nonzero()[0])
    firsts = firsts[(firsts > 0) & (firsts < len(starts))]
    if len(firsts):  # several newlines in a row: one paragraph break
        firsts = firsts[np.concatenate(([True], firsts[1:] != firsts[:-1]))]
    raw = data.copy()
    raw[ends[:-1]] = _SPACE  # the byte after each word separates it from the next
    raw[ends[firsts - 1]] = _NEWLINE
    keep = word[1:-1].copy()
    keep[1:] |= word[1:-2]
    lines = raw[keep].tobytes().rstrip(b" \n").split(b"\n")
    bounds = np.concatenate(([0], firsts, [len(starts)]))
    lengths = bounds[1:] - bounds[:-1]
    sizes = ends - starts
    kept = lengths >= MIN_PARAGRAPH_TOKENS
    if not kept.all():
        lines = [line for line, keep_it in zip(lines, kept.tolist(), strict=True) if keep_it]
        sizes, lengths = sizes[kept.repeat(lengths)], lengths[kept]
    return lines, lengths.astype(np.uint32), sizes


class _Powers:
    """Shingle hashes of a text of space-separated words, one paragraph per line, at once.

    A shingle's hash is the polynomial ``sum(b[j] * P**(e-1-j))`` (mod 2**64) of the
    bytes of its words, read off prefix sums weighted by powers of the inverse of
    ``P``, then mixed by splitmix64's finalizer and folded to 32 bits: a few numpy
    operations for the whole text, where hashing word by word and rolling the
    hashes cost twice as much. The power tables grow as needed.
    """

    def __init__(self) -> None:
        self._p = np.ones(1, np.uint64)  # P**j
        self._q = np.ones(1, np.uint64)  # P**-j

    def shingles(
        self, raw: np.ndarray, sizes: np.ndarray, lengths: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Hashes of the word k-grams inside each paragraph (a shorter paragraph is one
        shingle), in paragraph order, and the offsets of each paragraph's among them
        (``raw``: the words, ``sizes`` bytes each, ``lengths`` words a paragraph)."""
        if not len(raw):
            return np.zeros(0, np.uint32), np.zeros(len(lengths) + 1, np.uint32)
        self._grow(len(raw))
        weighted = raw.astype(np.uint64)
        weighted *= self._q[: len(raw)]
        ends = np.add.accumulate(sizes + 1) - 1  # of each word in ``raw``
        starts = ends - sizes
        # Prefix sums at word bounds only: a sum per word and the separator after it
        # (``reduceat``), then a running sum over words, cost half a running sum over bytes.
        before = np.zeros(len(sizes) + 1, np.uint64)  # the sum before each word
        np.add.accumulate(np.add.reduceat(weighted, starts), out=before[1:])
        through = before[1:].copy()  # the sum through each word, its separator left out
        through[:-1] -= weighted[ends[:-1]]
        # Shingles per paragraph: one per k consecutive words, one for a shorter paragraph.
        count = np.maximum(lengths.astype(np.int64) - (k - 1), 1)
        offsets = np.concatenate(([0], np.add.accumulate(count)))
        owner = np.arange(len(lengths)).repeat(count)
        first_word = np.concatenate(([0], np.add.accumulate(lengths[:-1], dtype=np.int64)))
        first = np.arange(offsets[-1]) + (first_word - offsets[:-1])[owner]
        last = np.minimum(first + (k - 1), (first_word + lengths - 1)[owner])
        end = ends[last]
        mixed = (through[last] - before[first]) * self._p[end - 1]
        mixed += (end - starts[first]).astype(np.uint64)
        _splitmix64(mixed)
        mixed ^= mixed >> np.uint64(32)  # folded: the low 32 bits, xor the high
        return mixed.astype(np.uint32), offsets.astype(np.uint32)

    def _grow(self, size: int) -> None:
        if len(self._p) >= size:
            return
        size = max(size, 2 * len(self._p), 4096)
        self._p = np.concatenate(([np.uint64(1)], np.cumprod(np.full(size - 1, _P, np.uint64))))
        self._q = np.concatenate(([np.uint64(1)], np.cumprod(np.full(size - 1, _Q, np.uint64))))


def anchors(sequence: np.ndarray, rate: int) -> np.ndarray:
    """Anchors of a shingle sequence, by winnowing (Schleimer, Wilkerson and Aiken, 2003):
    the smallest shingle hash in every window of ``2 * rate - 1`` consecutive shingles,
    sorted and unique. About one shingle in ``rate`` is chosen, and a passage of that many
    shingles that two texts share gives both at least one anchor in common, whatever
    surrounds it (a value-sampled one in ``rate`` gives a short excerpt none now and then:
    a 40-shingle one, three times in a hundred). Shingle hashes are already well mixed."""
    window = 2 * rate - 1
    if rate == 1 or len(sequence) <= 1:
        return unique(sequence)
    if len(sequence) <= window:
        return sequence[[int(sequence.argmin())]]
    return unique(window_minima(sequence, window))


def window_minima(values: np.ndarray, window: int) -> np.ndarray:
    """The minimum of every run of ``window`` consecutive values: minima of runs of 1, 2,
    4, ... by doubling, then two overlapping runs of the largest power of two."""
    span, minima = 1, values
    while span * 2 <= window:
        minima = np.minimum(minima[:-span], minima[span:])
        span *= 2
    rest = window - span
    return np.minimum(minima[: len(minima) - rest], minima[rest:]) if rest else minima


def fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer: spreads the shingle hash before anchors are sampled."""
    h = values.astype(np.uint32)  # a copy, mixed in place
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def _splitmix64(h: np.ndarray) -> None:
    """splitmix64's finalizer, in place."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)

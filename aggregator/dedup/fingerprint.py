"""Fingerprints: what dedup keeps of an article's text.

A fingerprint holds, per paragraph, the hash of its normalised words (for
spotting chrome that recurs across an outlet) and its word shingles (for exact
containment checks). A fixed share of the shingles, chosen by their hash value
alone, are *anchors*: two texts that share a passage share that passage's
anchors whatever else they contain, so an excerpt of two paragraphs finds its
seven-paragraph source by exact lookups (see ``index.py``), where a MinHash of
the whole text would put their Jaccard similarity at about 0.3.

Fingerprints are stored (``to_bytes``) so that later crawls and
``aggregator dedup --rebuild`` never re-read a text.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property
from itertools import chain

import numpy as np
import xxhash

from aggregator.dedup.config import DedupConfig
from aggregator.dedup.text import paragraphs, tokens

# Paragraphs shorter than this ("Follow", "Key Conclusions") carry no signal.
MIN_PARAGRAPH_TOKENS = 3
_SHINGLE_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_LOW32 = np.uint64(0xFFFFFFFF)
_HEADER = struct.Struct("<4sBBII")
_MAGIC = b"AGFP"
_FORMAT_VERSION = 1
_TOKEN_CACHE_LIMIT = 2_000_000


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

    def shingle_set(self, skip_paragraphs: frozenset[int] = frozenset()) -> np.ndarray:
        """Sorted unique shingles, leaving out the paragraphs whose hash is in ``skip_paragraphs``."""
        found = self._content.get(skip_paragraphs)
        if found is None:
            if len(self._content) > 1:
                self._content.clear()
            found = self._content[skip_paragraphs] = (self._shingle_set(skip_paragraphs), {})
        return found[0]

    def anchors(self, rate: int, skip_paragraphs: frozenset[int] = frozenset()) -> np.ndarray:
        """The anchors (see ``anchors``) among ``shingle_set(skip_paragraphs)``."""
        shingles = self.shingle_set(skip_paragraphs)
        by_rate = self._content[skip_paragraphs][1]
        if rate not in by_rate:
            by_rate[rate] = anchors(shingles, rate)
        return by_rate[rate]

    def _shingle_set(self, skip_paragraphs: frozenset[int]) -> np.ndarray:
        if skip_paragraphs:
            keep = ~np.isin(self.paragraph_hashes, np.fromiter(skip_paragraphs, np.uint64))
            if not keep.all():
                lengths = np.diff(self.offsets.astype(np.int64))
                return np.unique(self.shingles[np.repeat(keep, lengths)])
        return np.unique(self.shingles)

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


class Fingerprinter:
    """Turns texts into fingerprints; one per matcher, so its word-hash cache is not shared.

    >>> fp = Fingerprinter(DedupConfig())
    >>> f = fp.fingerprint("One two three four five six.\\nSeven eight nine ten eleven.")
    >>> len(f.paragraph_hashes), len(f.shingles)
    (2, 3)
    """

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self._token_hashes = _TokenHashes()

    def fingerprint(self, text: str) -> Fingerprint:
        k = self.config.shingle_size
        paragraph_words = [
            w for w in map(tokens, paragraphs(text)) if len(w) >= MIN_PARAGRAPH_TOKENS
        ]
        lengths = np.fromiter(map(len, paragraph_words), np.uint32, len(paragraph_words))
        paragraph_hashes = np.fromiter(
            (xxhash.xxh64_intdigest(" ".join(words).encode()) for words in paragraph_words),
            np.uint64,
            len(paragraph_words),
        )
        words = list(chain.from_iterable(paragraph_words))
        token_hashes = np.fromiter(
            map(self._token_hashes.__getitem__, words), np.uint64, len(words)
        )
        owner = np.repeat(np.arange(len(paragraph_words), dtype=np.int64), lengths)
        shingles, shingle_owner = _shingles(token_hashes, owner, lengths, k)
        offsets = np.searchsorted(shingle_owner, np.arange(len(paragraph_words) + 1)).astype(
            np.uint32
        )
        return Fingerprint(k, paragraph_hashes, lengths, offsets, shingles)


def anchors(shingles: np.ndarray, rate: int) -> np.ndarray:
    """The shingles whose mixed hash is 0 modulo ``rate``: about one in ``rate``, chosen by
    value, so a passage two texts share yields the same anchors in both."""
    if rate == 1:
        return shingles
    return shingles[_fmix32(shingles) % np.uint32(rate) == 0]


class _TokenHashes(dict[str, int]):
    """Word -> 64-bit hash, computed once per word (bounded: cleared when it grows too large)."""

    def __missing__(self, word: str) -> int:
        if len(self) >= _TOKEN_CACHE_LIMIT:
            self.clear()
        value = self[word] = xxhash.xxh64_intdigest(word.encode())
        return value


def _shingles(
    token_hashes: np.ndarray, owner: np.ndarray, lengths: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Word k-gram hashes that stay inside one paragraph; a shorter paragraph is one shingle."""
    n = len(token_hashes)
    parts, owners = [], []
    if n >= k:
        rolling = token_hashes[: n - k + 1].copy()
        for j in range(1, k):
            rolling = rolling * _SHINGLE_MULTIPLIER + token_hashes[j : n - k + 1 + j]
        inside = owner[: n - k + 1] == owner[k - 1 :]
        parts.append(rolling[inside])
        owners.append(owner[: n - k + 1][inside])
    short = np.flatnonzero(lengths < k)
    if len(short):
        starts = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))[short]
        whole = np.zeros(len(short), np.uint64)
        for j in range(int(lengths[short].max())):
            present = lengths[short] > j
            whole[present] = (
                whole[present] * _SHINGLE_MULTIPLIER + token_hashes[starts[present] + j]
            )
        parts.append(whole)
        owners.append(short.astype(np.int64))
    if not parts:
        return np.zeros(0, np.uint32), np.zeros(0, np.int64)
    hashes, owned_by = np.concatenate(parts), np.concatenate(owners)
    order = np.argsort(owned_by, kind="stable")
    folded = ((hashes >> np.uint64(32)) ^ (hashes & _LOW32)).astype(np.uint32)
    return folded[order], owned_by[order]


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer: spreads the shingle hash before anchors are sampled."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))

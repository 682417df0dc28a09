"""Fingerprints: what dedup keeps of an article's text.

A fingerprint holds, per paragraph, the hash of its normalised words (for exact
matching and for spotting chrome that recurs across an outlet) and its word
shingles (for exact containment checks). From the shingles the ``Fingerprinter``
derives MinHash sketches of paragraph *windows* (runs of paragraphs of at least
``window_tokens`` words): an excerpt of two paragraphs shares a window with its
source even though its Jaccard similarity to the whole source is only ~0.3.

Sketches use datasketch's ``affine32`` scheme, computed for the whole document
in one numpy pass; they equal ``MinHash(scheme="affine32", hashfunc=identity)``
fed the same shingle hashes, so they index in a plain ``MinHashLSH``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import xxhash
from datasketch import LeanMinHash, MinHash

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

    def shingle_set(self, skip_paragraphs: frozenset[int] = frozenset()) -> np.ndarray:
        """Unique shingles, leaving out the paragraphs whose hash is in ``skip_paragraphs``."""
        if not skip_paragraphs:
            return np.unique(self.shingles)
        keep = ~np.isin(self.paragraph_hashes, np.fromiter(skip_paragraphs, np.uint64))
        lengths = np.diff(self.offsets.astype(np.int64))
        return np.unique(self.shingles[np.repeat(keep, lengths)])

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
    """Turns texts into fingerprints and fingerprints into MinHash window sketches.

    >>> fp = Fingerprinter(DedupConfig(num_perm=64))
    >>> f = fp.fingerprint("One two three four five six.\\nSeven eight nine ten eleven.")
    >>> len(f.paragraph_hashes), fp.window_sketches(f)[0].hashvalues.shape
    (2, (64,))
    """

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self._a, self._b = MinHash(
            num_perm=config.num_perm, seed=config.seed, scheme="affine32"
        ).permutations
        self._token_hashes: dict[str, int] = {}

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
        words = [w for ws in paragraph_words for w in ws]
        token_hashes = np.fromiter(map(self._hash_token, words), np.uint64, len(words))
        owner = np.repeat(np.arange(len(paragraph_words), dtype=np.int64), lengths)
        shingles, shingle_owner = _shingles(token_hashes, owner, lengths, k)
        offsets = np.searchsorted(shingle_owner, np.arange(len(paragraph_words) + 1)).astype(
            np.uint32
        )
        return Fingerprint(k, paragraph_hashes, lengths, offsets, shingles)

    def window_starts(self, fingerprint: Fingerprint) -> np.ndarray:
        """Shingle offsets where windows of at least ``window_tokens`` words begin."""
        starts, size = [], 0
        for index, count in enumerate(fingerprint.paragraph_tokens.tolist()):
            if size == 0:
                starts.append(index)
            size += count
            if size >= self.config.window_tokens:
                size = 0
        if len(starts) > 1 and size and size < self.config.window_tokens:
            starts.pop()  # a short tail joins the window before it
        return fingerprint.offsets[starts].astype(np.int64)

    def window_sketches(self, fingerprint: Fingerprint) -> list[LeanMinHash]:
        if len(fingerprint.shingles) == 0:
            return []
        permuted = self._permute(fingerprint.shingles)
        mins = np.minimum.reduceat(permuted, self.window_starts(fingerprint), axis=0)
        return [self._lean(row) for row in mins]

    def sketch(self, fingerprint: Fingerprint) -> LeanMinHash:
        """One MinHash of the whole text."""
        if len(fingerprint.shingles) == 0:
            raise ValueError("cannot sketch an empty fingerprint")
        return self._lean(self._permute(fingerprint.shingles).min(axis=0))

    def _permute(self, shingles: np.ndarray) -> np.ndarray:
        mixed = _fmix32(shingles.astype(np.uint32))
        return mixed[:, None] * self._a[None, :] + self._b[None, :]

    def _lean(self, hashvalues: np.ndarray) -> LeanMinHash:
        return LeanMinHash(seed=self.config.seed, hashvalues=hashvalues, scheme="affine32")

    def _hash_token(self, word: str) -> int:
        cached = self._token_hashes.get(word)
        if cached is None:
            if len(self._token_hashes) >= _TOKEN_CACHE_LIMIT:
                self._token_hashes.clear()
            cached = self._token_hashes[word] = xxhash.xxh64_intdigest(word.encode())
        return cached


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
    """MurmurHash3's 32-bit finalizer, the pre-mix datasketch's affine32 scheme applies."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))

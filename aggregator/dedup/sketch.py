"""MinHash sketches of whole texts (datasketch), and the LSH index that finds near-duplicates by them.

Two candidate searches run side by side (``matcher.py``): anchors find the
passages two texts share, excerpts included (a two-paragraph excerpt of a
seven-paragraph article has a Jaccard similarity of about 0.3, which Jaccard
LSH cannot see); this index finds near-duplicates the classic way, by the
Jaccard similarity of the whole texts, which survives edits spread over a copy
that leave few anchors in common. Both relations are symmetric in the pair, so
neither depends on the order articles arrive in.

Sketches use datasketch's ``affine32`` scheme, computed in one numpy pass; they
equal ``MinHash(num_perm, seed, scheme="affine32", hashfunc=identity)`` fed the
fingerprint's shingle hashes, and are stored as ``LeanMinHash`` bytes with the
``num_perm`` and ``seed`` they can only be compared under.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from aggregator.dedup.config import DedupConfig
from aggregator.dedup.fingerprint import Fingerprint, fmix32

SCHEME = "affine32"
# Shingles permuted per numpy pass: bounds the (shingles x num_perm) work array.
_CHUNK = 4096
_EMPTY = np.array([0], np.uint32)  # an empty text still gets a sketch (it matches nothing)


class Sketcher:
    """Whole-text MinHash sketches under one ``num_perm`` and ``seed``.

    >>> sketcher = Sketcher(DedupConfig(num_perm=16))
    >>> from aggregator.dedup.fingerprint import Fingerprinter
    >>> fingerprint = Fingerprinter(DedupConfig()).fingerprint("a b c d e f g")
    >>> sketcher.sketch(fingerprint).jaccard(sketcher.sketch(fingerprint))
    1.0
    """

    def __init__(self, config: DedupConfig) -> None:
        self.num_perm, self.seed = config.num_perm, config.seed
        self._a, self._b = MinHash(
            num_perm=config.num_perm, seed=config.seed, scheme=SCHEME
        ).permutations

    def sketch(self, fingerprint: Fingerprint) -> LeanMinHash:
        """The sketch of all of ``fingerprint``'s shingles, memoised on the fingerprint."""
        memo = fingerprint.sketches
        key = (self.num_perm, self.seed)
        if key not in memo:
            # The minima of the shingles are those of their set: no need to sort them first.
            memo[key] = self._sketch(fingerprint.shingles)
        return memo[key]

    def _sketch(self, shingles: np.ndarray) -> LeanMinHash:
        mixed = fmix32(shingles if len(shingles) else _EMPTY)
        low = np.full(self.num_perm, np.iinfo(np.uint32).max, np.uint32)
        for start in range(0, len(mixed), _CHUNK):
            # (permutations x shingles): the min runs along contiguous rows, 1.7x faster
            # than the other orientation; uint32 arithmetic wraps, as affine32 intends.
            block = np.multiply.outer(self._a, mixed[start : start + _CHUNK])
            block += self._b[:, None]
            np.minimum(low, block.min(axis=1), out=low)
        return LeanMinHash(seed=self.seed, hashvalues=low, scheme=SCHEME)

    def load(
        self, data: bytes | None, num_perm: int | None, seed: int | None
    ) -> LeanMinHash | None:
        """A stored sketch, if it was made under this sketcher's ``num_perm`` and ``seed``."""
        if data is None or (num_perm, seed) != (self.num_perm, self.seed):
            return None
        return LeanMinHash.deserialize(data)


def sketch_bytes(sketch: LeanMinHash) -> bytes:
    buffer = bytearray(sketch.bytesize())
    sketch.serialize(buffer)
    return bytes(buffer)


class NearDuplicates:
    """A datasketch ``MinHashLSH`` over whole-text sketches, keyed by article key.

    ``lsh_threshold`` is the Jaccard similarity at which two texts become
    candidates; verification (exact containment) decides whether they are linked.
    """

    def __init__(self, config: DedupConfig) -> None:
        self.lsh = MinHashLSH(threshold=config.lsh_threshold, num_perm=config.num_perm)
        self._keys: set[Hashable] = set()

    def add(self, key: Hashable, sketch: LeanMinHash) -> None:
        if key in self._keys:
            self.lsh.remove(key)
        self.lsh.insert(key, sketch, check_duplication=False)
        self._keys.add(key)

    def remove(self, key: Hashable) -> None:
        if key in self._keys:
            self.lsh.remove(key)
            self._keys.discard(key)

    def query(self, key: Hashable, sketch: LeanMinHash) -> set[Hashable]:
        """Indexed articles whose sketch shares a band with ``sketch`` (``key`` itself left out)."""
        found = set(self.lsh.query(sketch))
        found.discard(key)
        return found

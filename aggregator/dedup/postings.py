"""Postings: which article slots carry a term (an anchor shingle, a paragraph hash).

A dict of lists costs about 100 bytes per posting in CPython; an index of
100,000 articles holds some ten million. Here postings live in sorted numpy
segments (one term and one slot per posting, 8 or 12 bytes) that a lookup
binary-searches; new postings go into a small sorted buffer until there are
enough to make a segment, and segments of similar size are merged (as in a
log-structured merge tree), so an insert costs O(log n) amortised and a
lookup one ``searchsorted`` per segment.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

BUFFER_POSTINGS = 4096


class Postings:
    """Term -> slot postings. Slots are non-negative ints; dead slots are dropped when
    segments merge (``alive`` says which are live).

    >>> p = Postings(np.uint32, alive=lambda slots: slots >= 0)
    >>> p.add(np.array([7, 9], np.uint32), 0); p.add(np.array([9], np.uint32), 1)
    >>> positions, slots = p.lookup(np.array([9, 5], np.uint32))
    >>> sorted(slots.tolist()), positions.tolist()
    ([0, 1], [0, 0])
    """

    def __init__(
        self,
        term_dtype: type[np.unsignedinteger],
        alive: Callable[[np.ndarray], np.ndarray],
        buffer_postings: int = BUFFER_POSTINGS,
    ) -> None:
        self._dtype = np.dtype(term_dtype)
        self._alive = alive
        self._buffer_postings = buffer_postings
        self._buffer = (np.zeros(0, self._dtype), np.zeros(0, np.int32))  # sorted, small
        self._segments: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(len(terms) for terms, _ in (*self._segments, self._buffer))

    @property
    def nbytes(self) -> int:
        """Bytes held by the sorted segments and the buffer."""
        return sum(terms.nbytes + slots.nbytes for terms, slots in (*self._segments, self._buffer))

    def add(self, terms: np.ndarray, slot: int) -> None:
        """Post ``slot`` under each of ``terms``."""
        if not len(terms):
            return
        terms = terms.astype(self._dtype)  # a copy, sorted in place
        terms.sort()
        keys, owners = self._buffer
        size = len(keys) + len(terms)
        placed = keys.searchsorted(terms) + np.arange(len(terms))  # where the new ones go
        old = np.ones(size, bool)
        old[placed] = False
        merged_keys, merged_owners = np.empty(size, keys.dtype), np.empty(size, owners.dtype)
        merged_keys[old], merged_keys[placed] = keys, terms
        merged_owners[old], merged_owners[placed] = owners, slot
        self._buffer = (merged_keys, merged_owners)
        if len(self._buffer[0]) >= self._buffer_postings:
            self._segments.append(self._live(*self._buffer))
            self._buffer = (keys[:0], owners[:0])
            self._merge()

    def lookup(self, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every posting of ``terms``: (index into ``terms``, slot) pairs, dead slots included."""
        terms = terms.astype(self._dtype, copy=False)
        positions, slots = [], []
        for keys, owners in (*self._segments, self._buffer):
            first = keys.searchsorted(terms)
            found = keys.searchsorted(terms, "right")
            found -= first
            hits = found.nonzero()[0]
            if not len(hits):
                continue
            first = first[hits]
            if np.add.reduce(found) == len(hits):  # one posting each, the usual case
                positions.append(hits)
                slots.append(owners[first])
                continue
            found = found[hits]
            ends = found.cumsum()
            # posting i of hit h sits at first[h] + i
            at = np.arange(ends[-1]) + (first - ends + found).repeat(found)
            positions.append(hits.repeat(found))
            slots.append(owners[at])
        if not slots:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(positions), np.concatenate(slots).astype(np.int64)

    def renumber(self, new_slots: np.ndarray) -> None:
        """Move every posting of slot ``s`` to ``new_slots[s]``, dropping those mapped below 0
        (an index compacting its slots: the memory of forgotten ones is given back)."""
        self._segments = [
            segment
            for segment in (_renumbered(terms, slots, new_slots) for terms, slots in self._segments)
            if len(segment[0])
        ]
        self._buffer = _renumbered(*self._buffer, new_slots)

    def _merge(self) -> None:
        """Merge the newest segments while the older is at most four times the newer,
        so there are O(log n) segments and each posting is merged O(log n) times."""
        while len(self._segments) > 1 and (
            len(self._segments[-2][0]) <= 4 * len(self._segments[-1][0])
        ):
            (a_terms, a_slots), (b_terms, b_slots) = self._segments.pop(), self._segments.pop()
            terms, slots = np.concatenate((b_terms, a_terms)), np.concatenate((b_slots, a_slots))
            order = np.argsort(terms, kind="stable")  # two sorted runs: a linear merge
            self._segments.append(self._live(terms[order], slots[order]))

    def _live(self, terms: np.ndarray, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keep = self._alive(slots)
        if keep.all():
            return terms, slots.astype(np.int32, copy=False)
        return terms[keep], slots[keep].astype(np.int32, copy=False)


def _renumbered(
    terms: np.ndarray, slots: np.ndarray, new_slots: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    moved = new_slots[slots]
    keep = moved >= 0
    return terms[keep], moved[keep].astype(np.int32)

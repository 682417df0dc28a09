"""Postings: which article slots carry a term (an anchor shingle, a paragraph hash).

A dict of lists costs about 100 bytes per posting in CPython; an index of
100,000 articles holds some ten million. Here postings live in sorted numpy
segments (one term and one slot per posting, 8 or 12 bytes) that a lookup
binary-searches; new postings wait in a small dict until there are enough to
sort into a segment, and segments of similar size are merged (as in a
log-structured merge tree), so an insert costs O(log n) amortised and a
lookup one ``searchsorted`` per segment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import chain

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
        self._buffer: defaultdict[int, list[int]] = defaultdict(list)
        self._buffered = 0
        self._segments: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return self._buffered + sum(len(terms) for terms, _ in self._segments)

    @property
    def nbytes(self) -> int:
        """Bytes held by the sorted segments (the buffer is small and bounded)."""
        return sum(terms.nbytes + slots.nbytes for terms, slots in self._segments)

    def add(self, terms: np.ndarray, slot: int) -> None:
        buffer = self._buffer
        for term in terms.tolist():
            buffer[term].append(slot)
        self._buffered += len(terms)
        if self._buffered >= self._buffer_postings:
            self._flush()

    def lookup(self, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every posting of ``terms``: (index into ``terms``, slot) pairs, dead slots included."""
        terms = terms.astype(self._dtype, copy=False)
        positions, slots = [], []
        for keys, owners in self._segments:
            left = np.searchsorted(keys, terms, "left")
            found = np.searchsorted(keys, terms, "right") - left
            total = int(found.sum())
            if total:
                first = np.repeat(left - np.cumsum(found) + found, found)
                positions.append(np.repeat(np.arange(len(terms)), found))
                slots.append(owners[first + np.arange(total)])
        if self._buffered:
            buffered_positions: list[int] = []
            buffered_slots: list[int] = []
            get = self._buffer.get
            for position, term in enumerate(terms.tolist()):
                found_slots = get(term)
                if found_slots:
                    buffered_positions.extend([position] * len(found_slots))
                    buffered_slots.extend(found_slots)
            if buffered_slots:
                positions.append(np.array(buffered_positions, np.int64))
                slots.append(np.array(buffered_slots, np.int64))
        if not slots:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(positions), np.concatenate(slots).astype(np.int64, copy=False)

    def _flush(self) -> None:
        buffer, count = self._buffer, self._buffered
        keys = np.fromiter(buffer.keys(), self._dtype, len(buffer))
        terms = np.repeat(keys, np.fromiter(map(len, buffer.values()), np.int64, len(buffer)))
        slots = np.fromiter(chain.from_iterable(buffer.values()), np.int64, count)
        self._buffer = defaultdict(list)
        self._buffered = 0
        self._segments.append(self._sorted(terms, slots))
        self._merge()

    def _merge(self) -> None:
        """Merge the newest segments while the older is at most four times the newer,
        so there are O(log n) segments and each posting is merged O(log n) times."""
        while len(self._segments) > 1 and (
            len(self._segments[-2][0]) <= 4 * len(self._segments[-1][0])
        ):
            (a_terms, a_slots), (b_terms, b_slots) = self._segments.pop(), self._segments.pop()
            self._segments.append(
                self._sorted(np.concatenate((b_terms, a_terms)), np.concatenate((b_slots, a_slots)))
            )

    def _sorted(self, terms: np.ndarray, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keep = self._alive(slots)
        if not keep.all():
            terms, slots = terms[keep], slots[keep]
        order = np.argsort(terms, kind="stable")
        return terms[order], slots[order].astype(np.int32)

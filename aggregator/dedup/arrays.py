"""Small numpy helpers on sorted arrays.

``np.unique`` in numpy 2.x hashes before it sorts and costs about seven times a
plain sort on the few hundred values an article has (measured: 111 µs against
16 µs for 800 uint32), so the hot paths use these.
"""

from __future__ import annotations

import numpy as np


def unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values."""
    ordered = values.copy()
    ordered.sort()
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and how often each occurs."""
    ordered = values.copy()
    ordered.sort()
    if not len(ordered):
        return ordered, np.zeros(0, np.int64)
    starts = np.concatenate(([True], ordered[1:] != ordered[:-1])).nonzero()[0]
    ends = np.append(starts[1:], len(ordered))
    return ordered[starts], ends - starts


def shared(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sorted distinct arrays have in common."""
    if not len(a) or not len(b):
        return 0
    if len(a) > len(b):
        a, b = b, a
    at = b.searchsorted(a)
    at[at == len(b)] = 0
    return int(np.count_nonzero(b[at] == a))

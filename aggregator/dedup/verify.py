"""Verification: exact shingle containment between two candidate articles.

Candidates come from sketches; merging needs proof. Containment of A in B is
the share of A's shingles (outside its outlet's chrome) that B also carries:
an excerpt of two paragraphs is ~1.0 contained in its seven-paragraph source.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

from aggregator.dedup.arrays import shared as count_shared
from aggregator.dedup.config import DedupConfig


@dataclass(frozen=True)
class Link:
    """Measured overlap of two articles ``a`` and ``b``."""

    a: Hashable
    b: Hashable
    a_in_b: float  # share of a's shingles found in b
    b_in_a: float
    jaccard: float
    shared: int  # shingles in common
    # Lines of a (outside chrome) before and after all it shares with b, and of b: what a
    # copy puts around a text (page lines, an intro, a "read more" trailer). None: unknown.
    a_framing: int | None = None
    b_framing: int | None = None

    @property
    def strength(self) -> float:
        return max(self.a_in_b, self.b_in_a)

    def containment_of(self, key: Hashable) -> float:
        """Share of ``key``'s text found in the other article."""
        return self.a_in_b if key == self.a else self.b_in_a

    def other(self, key: Hashable) -> Hashable:
        return self.b if key == self.a else self.a

    def swapped(self) -> Link:
        """The same link measured from ``b``'s side."""
        return Link(
            self.b,
            self.a,
            self.b_in_a,
            self.a_in_b,
            self.jaccard,
            self.shared,
            self.b_framing,
            self.a_framing,
        )

    def framing_of(self, key: Hashable) -> int | None:
        """Lines of ``key`` around the text it shares with the other article."""
        return self.a_framing if key == self.a else self.b_framing


def measure(a: Hashable, a_shingles: np.ndarray, b: Hashable, b_shingles: np.ndarray) -> Link:
    """Overlap of two sorted unique shingle arrays."""
    shared = count_shared(a_shingles, b_shingles)
    union = len(a_shingles) + len(b_shingles) - shared
    return Link(
        a=a,
        b=b,
        a_in_b=shared / len(a_shingles) if len(a_shingles) else 0.0,
        b_in_a=shared / len(b_shingles) if len(b_shingles) else 0.0,
        jaccard=shared / union if union else 0.0,
        shared=shared,
    )


def is_repost(link: Link, config: DedupConfig) -> bool:
    """Enough shared text, and most of one article found in the other."""
    return link.shared >= config.min_shared and link.strength >= config.containment

"""Matcher: finds the verified reposts of an article among those already indexed."""

from __future__ import annotations

from collections.abc import Hashable

from aggregator.dedup.config import DedupConfig
from aggregator.dedup.fingerprint import Fingerprint, Fingerprinter
from aggregator.dedup.index import CandidateIndex
from aggregator.dedup.verify import Link, is_repost, measure


class Matcher:
    """Candidate search plus verification; the same object serves crawls and batch clustering.

    >>> m = Matcher(DedupConfig(min_shared=5))
    >>> text = "\\n".join(f"Paragraph {i} says something rather long about topic {i} today." for i in range(4))
    >>> m.add("a", "outlet-1", m.fingerprint(text))
    >>> [(l.b, round(l.a_in_b, 2)) for l in m.links("b", "outlet-2", m.fingerprint(text))]
    [('a', 1.0)]
    """

    def __init__(self, config: DedupConfig | None = None) -> None:
        self.config = config or DedupConfig()
        self.fingerprinter = Fingerprinter(self.config)
        self.index = CandidateIndex(self.fingerprinter)

    def fingerprint(self, text: str) -> Fingerprint:
        return self.fingerprinter.fingerprint(text)

    def add(self, key: Hashable, outlet: str | None, fingerprint: Fingerprint) -> None:
        self.index.add(key, outlet, fingerprint)

    def remove(self, key: Hashable) -> None:
        if key in self.index:
            self.index.remove(key)

    def links(self, key: Hashable, outlet: str | None, fingerprint: Fingerprint) -> list[Link]:
        """Verified reposts between ``key`` and indexed articles (``key`` itself excluded)."""
        own = fingerprint.shingle_set(self.index.boilerplate(key, outlet, fingerprint))
        if len(own) == 0:
            return []
        found = []
        for other in sorted(self.index.candidates(key, outlet, fingerprint), key=str):
            other_outlet, other_fp = self.index.entry(other)
            theirs = other_fp.shingle_set(self.index.boilerplate(other, other_outlet, other_fp))
            link = measure(key, own, other, theirs)
            if is_repost(link, self.config):
                found.append(link)
        return found

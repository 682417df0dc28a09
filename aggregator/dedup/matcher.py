"""Matcher: finds the verified reposts of an article among the indexed ones.

Candidates come from two symmetric searches: shared anchors outside chrome
(``index.py``: excerpts and copies) and whole-text MinHash LSH (``sketch.py``:
near-duplicates); each candidate is then verified by exact containment.

The same object serves batch clustering (``cluster``), crawls (the dedup
pipeline) and ``aggregator dedup --rebuild``. Links are a function of the set of
indexed articles, not of their order: when an article changes an outlet's
chrome, the articles of that outlet it affects are re-verified, and ``ingest``
returns their new links alongside the new article's (``Links.relinked``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime

from datasketch import LeanMinHash

from aggregator.dedup.config import DedupConfig
from aggregator.dedup.fingerprint import Fingerprint, Fingerprinter
from aggregator.dedup.index import CandidateIndex
from aggregator.dedup.precedence import containment_decides
from aggregator.dedup.sketch import NearDuplicates, Sketcher
from aggregator.dedup.verify import Link, is_repost, measure
from aggregator.dedup.window import Window

logger = logging.getLogger(__name__)

Key = Hashable


class Links(list[Link]):
    """The verified links of one article, plus ``relinked``: the complete new link lists of
    other articles whose chrome this one changed (their stored links must be replaced).

    ``compared`` says which articles these lists were measured against when that is not
    every stored one (a windowed matcher): stored links to the others are not replaced.
    """

    def __init__(
        self,
        links: Iterable[Link] = (),
        relinked: dict[Key, list[Link]] | None = None,
        compared: Callable[[Key], bool] | None = None,
    ) -> None:
        super().__init__(links)
        self.relinked: dict[Key, list[Link]] = relinked or {}
        self.compared = compared


class FingerprintCache:
    """Fingerprints by key: all in memory, or the ``size`` most recent with ``load`` for the rest."""

    def __init__(self, size: int | None = None, load: Callable[[Key], Fingerprint] | None = None):
        if size is not None and load is None:
            raise ValueError("a bounded fingerprint cache needs a loader for what it drops")
        self.size = size
        self._load = load
        self._items: OrderedDict[Key, Fingerprint] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def put(self, key: Key, fingerprint: Fingerprint) -> None:
        self._items[key] = fingerprint
        self._items.move_to_end(key)
        if self.size is not None and len(self._items) > self.size:
            self._items.popitem(last=False)

    def get(self, key: Key) -> Fingerprint:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
            return found
        if self._load is None:
            raise KeyError(key)
        found = self._load(key)
        self.put(key, found)
        return found

    def discard(self, key: Key) -> None:
        self._items.pop(key, None)


class Matcher:
    """Candidate search plus verification.

    >>> m = Matcher(DedupConfig(min_shared=5))
    >>> text = "\\n".join(f"Paragraph {i} says something rather long about topic {i} today." for i in range(4))
    >>> m.add("a", "outlet-1", m.fingerprint(text))
    set()
    >>> [(l.b, round(l.a_in_b, 2)) for l in m.ingest("b", "outlet-2", m.fingerprint(text))]
    [('a', 1.0)]
    """

    def __init__(
        self,
        config: DedupConfig | None = None,
        load: Callable[[Key], Fingerprint] | None = None,
        window: Window | None = None,
    ) -> None:
        self.config = config or DedupConfig()
        self.window = window
        self.fingerprinter = Fingerprinter(self.config)
        self.sketcher = Sketcher(self.config)
        size = self.config.cache_size if load is not None else None
        self.fingerprints = FingerprintCache(size, load)
        self.index = CandidateIndex(self.config, self.fingerprints.get)
        self.near_duplicates = NearDuplicates(self.config)

    def __contains__(self, key: Key) -> bool:
        return key in self.index

    def __len__(self) -> int:
        return len(self.index)

    def fingerprint(self, text: str) -> Fingerprint:
        return self.fingerprinter.fingerprint(text)

    def sketch(self, fingerprint: Fingerprint) -> LeanMinHash:
        """The whole-text MinHash of a fingerprint (computed once per fingerprint)."""
        return self.sketcher.sketch(fingerprint)

    def add(
        self,
        key: Key,
        outlet: str | None,
        fingerprint: Fingerprint,
        sketch: LeanMinHash | None = None,
        fetched: datetime | None = None,
    ) -> set[Key]:
        """Index an article (``sketch``: its stored sketch, if any; ``fetched``: its fetch
        date, which a windowed matcher needs); return the other articles whose chrome (and
        so links) changed."""
        if self.window is not None:
            if fetched is None:
                raise ValueError(f"a windowed matcher needs the fetch date of {key}")
            self.window.add(key, fetched)
        self.fingerprints.put(key, fingerprint)
        self.near_duplicates.add(key, sketch or self.sketch(fingerprint))
        return self.index.add(key, outlet, fingerprint)

    def remove(self, key: Key) -> set[Key]:
        if key not in self.index:
            return set()
        if self.window is not None:
            self.window.discard(key)
        self.fingerprints.discard(key)
        self.near_duplicates.remove(key)
        return self.index.remove(key)

    def ingest(
        self,
        key: Key,
        outlet: str | None,
        fingerprint: Fingerprint,
        fetched: datetime | None = None,
    ) -> Links:
        """Index an article and return its verified links, with the re-verified links of
        every article whose chrome it changed. A windowed matcher first forgets the
        articles ``fetched`` moves out of its window."""
        compared = None
        if self.window is not None and fetched is not None:
            self._evict(self.window, fetched)
            compared = self.__contains__
        changed = self.add(key, outlet, fingerprint, fetched=fetched)
        if changed:
            logger.debug("%s changed the chrome of %d articles", key, len(changed))
        relinked = {other: self.links(other) for other in sorted(changed, key=str)}
        return Links(self.links(key), relinked, compared)

    def _evict(self, window: Window, fetched: datetime) -> None:
        """Forget the articles that left the window. Their leaving may change the chrome of
        others of their outlets (the index re-anchors those), but those others' links are
        not measured again: a stored link stands, so a story does not split because its
        older articles aged out."""
        gone = window.advance(fetched)
        for key in gone:
            self.remove(key)
        if gone:
            logger.debug("%d articles left the window (now from %s)", len(gone), window.start)

    def _with_framing(self, link: Link, fingerprint: Fingerprint) -> Link:
        """``link`` with each side's framing lines (outside its chrome) against the other's
        whole text (chrome included: a story a site reposted thrice is its chrome). Measured
        only where the canonical choice may need them: neither text is inside the other."""
        other = self.fingerprints.get(link.b)
        return dataclasses.replace(
            link,
            a_framing=fingerprint.framing_lines(other.every_shingle, self.index.chrome(link.a)),
            b_framing=other.framing_lines(fingerprint.every_shingle, self.index.chrome(link.b)),
        )

    def links(self, key: Key) -> list[Link]:
        """Verified reposts between the indexed article ``key`` and the other indexed ones."""
        fingerprint = self.fingerprints.get(key)
        candidates = set(self.index.candidates(key, fingerprint))
        candidates |= self.near_duplicates.query(key, self.sketch(fingerprint))
        if not candidates:  # most articles: their shingle set is not needed
            return []
        own = fingerprint.shingle_set(self.index.chrome(key))
        if len(own) == 0:
            return []
        found = []
        for other in sorted(candidates, key=str):
            try:
                theirs = self.fingerprints.get(other).shingle_set(self.index.chrome(other))
            except KeyError:  # indexed but never stored (its write failed) and not cached
                logger.warning("no fingerprint for candidate %s of %s: skipped", other, key)
                continue
            link = measure(key, own, other, theirs)
            if is_repost(link, self.config):
                if not containment_decides(link, self.config.containment):
                    link = self._with_framing(link, fingerprint)
                found.append(link)
        return found

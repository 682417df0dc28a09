"""The candidate index: which indexed articles might share text with a given one, and
which of an article's paragraphs are its outlet's chrome.

Both answers are functions of the set of indexed articles alone, never of the
order they arrived in (issue 4: incremental ingest == ``dedup --rebuild``):

* **Chrome.** A paragraph found in ``boilerplate_articles`` or more articles of
  one outlet is that outlet's chrome ("Leave a Reply", a newsletter pitch the
  extractor missed) and is left out when its articles are compared. When an
  insert or a removal moves a paragraph across that threshold, every article
  of the outlet carrying it changes its chrome; ``add`` and ``remove`` return
  those articles so the matcher re-verifies their links.
* **Candidates.** Two articles are candidates when they share at least
  ``min_anchors`` anchors (``fingerprint.anchors``) outside their chrome, and
  those are at least ``anchor_share`` of the smaller article's anchors: a
  symmetric test on the pair, looked up exactly in ``Postings``. Anchors are a
  sample of the shingles, so a repost (60% or more of one text in the other)
  shares about that share of the smaller one's anchors, while two unrelated
  articles share a few stock phrases ("the value of the", "according to a
  report"); without the share test those pairs, whose number grows with the
  store, would each cost an exact verification.

Articles live in *slots*; an article whose anchors change (new text, new
chrome) moves to a fresh slot and the old one dies, so postings are only ever
appended. Once dead slots outnumber half the live ones (a windowed writer
forgets its oldest articles all the time: issue 15, item 3), the live ones are
renumbered and the dead ones' postings and arrays given back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable

import numpy as np

from aggregator.dedup.arrays import counts, unique
from aggregator.dedup.config import DedupConfig
from aggregator.dedup.fingerprint import Fingerprint
from aggregator.dedup.postings import Postings

logger = logging.getLogger(__name__)

Key = Hashable
NO_CHROME: frozenset[int] = frozenset()
_SLOTS = 1024  # the per-slot arrays' first size
_MIN_DEAD = 64  # a small index is not compacted for every article it forgets


class CandidateIndex:
    """Candidate search and chrome bookkeeping over fingerprints, keyed by article key.

    ``load(key)`` returns the fingerprint of an indexed article; the index keeps
    only paragraph hashes and anchors in memory, and needs the full fingerprint
    when an article's chrome changes.
    """

    def __init__(self, config: DedupConfig, load: Callable[[Key], Fingerprint]) -> None:
        self.config = config
        self._load = load
        self._slot_of: dict[Key, int] = {}
        self._key_of: list[Key] = []
        self._outlet_ids: dict[str, int] = {}
        self._outlet_names: list[str] = []
        self._outlet_of = np.zeros(_SLOTS, np.int32)  # -1: no outlet, so no chrome
        self._anchor_count = np.zeros(_SLOTS, np.int32)  # anchors outside chrome, per slot
        self._alive = np.zeros(_SLOTS, bool)
        self._terms: list[np.ndarray] = []  # per slot: its paragraphs, mixed with its outlet
        self._chrome: list[frozenset[int]] = []
        self._paragraph_postings = Postings(np.uint64, self._is_alive)
        self._anchor_postings = Postings(np.uint32, self._is_alive)

    def __contains__(self, key: Key) -> bool:
        return key in self._slot_of

    def __len__(self) -> int:
        return len(self._slot_of)

    @property
    def nbytes(self) -> int:
        """Memory held by postings and per-slot arrays (not counting keys and small objects)."""
        return (
            self._paragraph_postings.nbytes
            + self._anchor_postings.nbytes
            + self._outlet_of.nbytes
            + self._anchor_count.nbytes
            + self._alive.nbytes
            + sum(t.nbytes for t in self._terms)
        )

    def outlet(self, key: Key) -> str | None:
        outlet_id = int(self._outlet_of[self._slot_of[key]])
        return None if outlet_id < 0 else self._outlet_names[outlet_id]

    def chrome(self, key: Key) -> frozenset[int]:
        """Hashes of the paragraphs of ``key`` that are its outlet's chrome."""
        return self._chrome[self._slot_of[key]]

    def add(self, key: Key, outlet: str | None, fingerprint: Fingerprint) -> set[Key]:
        """Index an article (replacing one indexed under ``key``); return the other
        articles whose chrome changed as a result."""
        changed = self.remove(key) if key in self._slot_of else set()
        outlet_id = self._outlet_id(outlet)
        terms = _outlet_terms(unique(fingerprint.paragraph_hashes), outlet_id)
        threshold = self.config.boilerplate_articles
        positions, holders = self._holders(terms if outlet_id >= 0 else terms[:0])
        before = np.bincount(positions, minlength=len(terms))
        chrome = NO_CHROME
        if outlet_id >= 0:
            chrome = frozenset(
                _paragraph_hashes(terms, outlet_id)[before + 1 >= threshold].tolist()
            )
        self._place(key, outlet_id, terms, chrome, fingerprint)
        crossing = (before + 1 == threshold).nonzero()[0]
        if len(crossing):
            affected = holders[np.isin(positions, crossing)]
            changed |= self._recompute_chrome(set(affected.tolist()))
        changed.discard(key)
        self._compact_if_sparse()
        return changed

    def remove(self, key: Key) -> set[Key]:
        """Forget an article; return the articles whose chrome changed as a result."""
        slot = self._slot_of.pop(key)
        self._alive[slot] = False
        terms = self._terms[slot]
        positions, holders = self._holders(terms)
        after = np.bincount(positions, minlength=len(terms))
        crossing = (after + 1 == self.config.boilerplate_articles).nonzero()[0]
        changed = set()
        if len(crossing):
            changed = self._recompute_chrome(set(holders[np.isin(positions, crossing)].tolist()))
        self._compact_if_sparse()
        return changed

    def candidates(self, key: Key, fingerprint: Fingerprint) -> list[Key]:
        """Indexed articles sharing at least ``min_anchors`` anchors with ``key`` (itself indexed),
        and at least ``anchor_share`` of the smaller one's, neither side counting its chrome."""
        slot = self._slot_of[key]
        own = fingerprint.anchors(self.config.anchor_rate, self._chrome[slot])
        _, slots = self._anchor_postings.lookup(own)
        slots = slots[self._alive[slots] & (slots != slot)]
        if not len(slots):
            return []
        found, shared = counts(slots)
        smaller = np.minimum(self._anchor_count[found], len(own))
        enough = (shared >= self.config.min_anchors) & (
            shared >= self.config.anchor_share * smaller
        )
        return [self._key_of[s] for s in found[enough].tolist()]

    def _place(
        self,
        key: Key,
        outlet_id: int,
        terms: np.ndarray,
        chrome: frozenset[int],
        fingerprint: Fingerprint,
    ) -> None:
        slot = len(self._key_of)
        if slot >= len(self._alive):
            self._alive = np.concatenate((self._alive, np.zeros(len(self._alive), bool)))
            self._outlet_of = np.concatenate((self._outlet_of, np.zeros_like(self._outlet_of)))
            self._anchor_count = np.concatenate(
                (self._anchor_count, np.zeros_like(self._anchor_count))
            )
        self._key_of.append(key)
        self._terms.append(terms if outlet_id >= 0 else terms[:0])
        self._chrome.append(chrome)
        self._alive[slot] = True
        self._outlet_of[slot] = outlet_id
        self._slot_of[key] = slot
        if outlet_id >= 0:
            self._paragraph_postings.add(terms, slot)
        anchors = fingerprint.anchors(self.config.anchor_rate, chrome)
        self._anchor_count[slot] = len(anchors)
        self._anchor_postings.add(anchors, slot)

    def _recompute_chrome(self, slots: set[int]) -> set[Key]:
        """Give each slot's article the chrome its outlet has now (in a fresh slot, as its
        anchors change); return the keys whose chrome changed."""
        changed = set()
        for slot in sorted(slots):
            outlet_id, terms = int(self._outlet_of[slot]), self._terms[slot]
            positions, _ = self._holders(terms)
            counts = np.bincount(positions, minlength=len(terms))
            paragraphs = _paragraph_hashes(terms, outlet_id)
            chrome = frozenset(paragraphs[counts >= self.config.boilerplate_articles].tolist())
            if chrome == self._chrome[slot]:
                continue
            key = self._key_of[slot]
            try:
                fingerprint = self._load(key)
            except KeyError:  # indexed, but its store write failed and the cache dropped it
                logger.warning("no fingerprint for %s: its chrome is updated, not its anchors", key)
                self._chrome[slot] = chrome
                continue
            self._alive[slot] = False
            self._place(key, outlet_id, terms, chrome, fingerprint)
            changed.add(key)
        return changed

    def _compact_if_sparse(self) -> None:
        """Renumber the live slots from 0 once the dead ones outnumber half of them: each
        posting is then copied O(1) times per death, amortised."""
        live = len(self._slot_of)
        if len(self._key_of) - live <= max(live // 2, _MIN_DEAD):
            return
        slots = np.flatnonzero(self._alive[: len(self._key_of)])
        new_slots = np.full(len(self._alive), -1, np.int64)
        new_slots[slots] = np.arange(len(slots))
        self._paragraph_postings.renumber(new_slots)
        self._anchor_postings.renumber(new_slots)
        kept = slots.tolist()
        self._key_of = [self._key_of[s] for s in kept]
        self._terms = [self._terms[s] for s in kept]
        self._chrome = [self._chrome[s] for s in kept]
        self._slot_of = {key: slot for slot, key in enumerate(self._key_of)}
        size = max(_SLOTS, 2 * len(kept))
        self._outlet_of = _resized(self._outlet_of[slots], size)
        self._anchor_count = _resized(self._anchor_count[slots], size)
        self._alive = _resized(self._alive[slots], size)
        logger.debug("candidate index compacted to %d slots", len(kept))

    def _holders(self, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Live slots carrying each (outlet, paragraph) term: (index into ``terms``, slot)."""
        if not len(terms):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        positions, slots = self._paragraph_postings.lookup(terms)
        live = self._alive[slots]
        return positions[live], slots[live]

    def _outlet_id(self, outlet: str | None) -> int:
        if outlet is None:
            return -1
        if outlet not in self._outlet_ids:
            self._outlet_ids[outlet] = len(self._outlet_names)
            self._outlet_names.append(outlet)
        return self._outlet_ids[outlet]

    def _is_alive(self, slots: np.ndarray) -> np.ndarray:
        return self._alive[slots]


_OUTLET_MIX = 0x9E3779B97F4A7C15
_MASK64 = (1 << 64) - 1


def _outlet_terms(paragraphs: np.ndarray, outlet_id: int) -> np.ndarray:
    """Paragraph hashes made outlet-specific, so a lookup finds one outlet's articles only.

    The mix is a xor, so applying it again (``_paragraph_hashes``) gives the hashes back.
    """
    return paragraphs ^ np.uint64(((outlet_id + 1) * _OUTLET_MIX) & _MASK64)


_paragraph_hashes = _outlet_terms  # xor undoes itself


def _resized(values: np.ndarray, size: int) -> np.ndarray:
    """``values`` at the start of a zeroed array of ``size``."""
    resized = np.zeros(size, values.dtype)
    resized[: len(values)] = values
    return resized

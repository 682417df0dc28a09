"""The in-process candidate index: which stored articles might share text with a new one.

Two lookups, both symmetric in the pair (so the candidates of a pair do not
depend on which article arrived first):

* exact postings of normalised paragraphs (most reposts copy paragraphs verbatim);
* a datasketch ``MinHashLSH`` over paragraph-window sketches, for edited paragraphs.

It also counts, per outlet, in how many articles each paragraph occurs: a
paragraph that recurs across one outlet's articles is that site's chrome and is
left out when two articles are compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

from datasketch import MinHashLSH

from aggregator.dedup.config import DedupConfig
from aggregator.dedup.fingerprint import Fingerprint, Fingerprinter

# Paragraphs shorter than this do not make two articles candidates on their own.
MIN_POSTING_TOKENS = 8
# A paragraph posted by more articles than this is too common to generate candidates.
MAX_POSTINGS = 200

Key = Hashable


class CandidateIndex:
    """Candidate search over fingerprints, keyed by any hashable article key."""

    def __init__(self, fingerprinter: Fingerprinter) -> None:
        config: DedupConfig = fingerprinter.config
        self.config = config
        self.fingerprinter = fingerprinter
        self.lsh = MinHashLSH(threshold=config.lsh_threshold, num_perm=config.num_perm)
        self._postings: defaultdict[int, list[Key]] = defaultdict(list)
        self._entries: dict[Key, tuple[str | None, Fingerprint, int]] = {}

    def __contains__(self, key: Key) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, key: Key, outlet: str | None, fingerprint: Fingerprint) -> None:
        """Index an article; an article already indexed under ``key`` is replaced."""
        if key in self._entries:
            self.remove(key)
        sketches = self.fingerprinter.window_sketches(fingerprint)
        for number, sketch in enumerate(sketches):
            self.lsh.insert((key, number), sketch, check_duplication=False)
        for paragraph in set(fingerprint.paragraph_hashes.tolist()):
            self._postings[paragraph].append(key)
        self._entries[key] = (outlet, fingerprint, len(sketches))

    def remove(self, key: Key) -> None:
        _, fingerprint, windows = self._entries.pop(key)
        for number in range(windows):
            self.lsh.remove((key, number))
        for paragraph in set(fingerprint.paragraph_hashes.tolist()):
            keys = self._postings[paragraph]
            keys.remove(key)
            if not keys:
                del self._postings[paragraph]

    def candidates(self, key: Key, outlet: str | None, fingerprint: Fingerprint) -> set[Key]:
        """Indexed articles that share a paragraph or a similar window with ``fingerprint``."""
        found: set[Key] = set()
        skip = self.boilerplate(key, outlet, fingerprint)
        hashes = fingerprint.paragraph_hashes.tolist()
        for paragraph, size in zip(hashes, fingerprint.paragraph_tokens.tolist(), strict=True):
            keys = self._postings.get(paragraph, ())
            if size >= MIN_POSTING_TOKENS and paragraph not in skip and len(keys) <= MAX_POSTINGS:
                found.update(keys)
        for sketch in self.fingerprinter.window_sketches(fingerprint):
            found.update(window_key for window_key, _ in self.lsh.query(sketch))
        found.discard(key)
        return found

    def boilerplate(self, key: Key, outlet: str | None, fingerprint: Fingerprint) -> frozenset[int]:
        """Paragraphs of ``fingerprint`` that occur in many articles of its own outlet.

        The article itself counts once whether or not it is indexed yet, so the
        answer is the same for the incremental and the batch path.
        """
        if outlet is None:
            return frozenset()
        threshold = self.config.boilerplate_articles
        chrome = set()
        for paragraph in set(fingerprint.paragraph_hashes.tolist()):
            keys = self._postings.get(paragraph, ())
            if len(keys) + 1 < threshold:
                continue
            same_outlet = sum(1 for k in keys if k != key and self._entries[k][0] == outlet)
            if same_outlet + 1 >= threshold:
                chrome.add(paragraph)
        return frozenset(chrome)

    def entry(self, key: Key) -> tuple[str | None, Fingerprint]:
        outlet, fingerprint, _ = self._entries[key]
        return outlet, fingerprint

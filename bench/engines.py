"""The three engines ``bench/dedup.py`` compares, each turning a list of docs into stories.

* ``ours``: ``aggregator.dedup`` as a crawl runs it, one article at a time
  (its credit line read from the text as ``cluster`` does, then ``Matcher.ingest``:
  shingles, anchors, candidate search, verification, re-verification when chrome
  changes), then the canonical-centred assignment.
* ``datasketch``: what a user builds first: a 128-permutation ``MinHash`` of each
  text's word 5-grams (``MinHash.bulk``) in a ``MinHashLSH`` at Jaccard 0.8;
  each article joins the stories of the articles the LSH returns (union-find).
* ``containment``: the plain containment baseline: the same MinHashes in a
  datasketch ``MinHashLSHEnsemble`` (containment 0.6); each article's *best
  parent* is the larger article that contains most of it (containment
  estimated from the two sketches and set sizes); stories are the trees, the
  root (the article no other contains) is the canonical.
* ``exact``: a hash of the text, whitespace and case normalised.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Hashable, Sequence

from datasketch import MinHash, MinHashLSH, MinHashLSHEnsemble

from aggregator.dedup import DedupConfig, Doc, Matcher, assign, doc_facts, read_credit
from aggregator.dedup.text import paragraphs, tokens

Stories = list[list[Hashable]]
_WORDS = re.compile(r"\s+")


def ours(docs: Sequence, config: DedupConfig | None = None) -> Stories:
    matcher = Matcher(config or DedupConfig())
    links = {}
    facts = []
    for labelled in docs:
        doc = read_credit(
            Doc(labelled.id, labelled.text, labelled.published, labelled.outlet, labelled.credit)
        )
        fingerprint = matcher.fingerprint(doc.text)
        facts.append(doc_facts(doc, fingerprint.token_count))
        found = matcher.ingest(doc.id, doc.outlet, fingerprint)
        for key, relinks in found.relinked.items():  # chrome changed: replace their links
            for pair in [pair for pair in links if key in pair]:
                del links[pair]
            links.update((frozenset((link.a, link.b)), link) for link in relinks)
        links.update((frozenset((link.a, link.b)), link) for link in found)
    return [story.keys for story in assign(facts, links.values(), matcher.config)]


def shingles(text: str, size: int = 5) -> list[bytes]:
    words = [w for p in paragraphs(text) for w in tokens(p)]
    return [" ".join(words[i : i + size]).encode() for i in range(max(1, len(words) - size + 1))]


def datasketch_lsh(docs: Sequence, threshold: float = 0.8, num_perm: int = 128) -> Stories:
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    union = _UnionFind()
    for doc in docs:
        (sketch,) = MinHash.bulk([shingles(doc.text)], num_perm=num_perm)
        for other in lsh.query(sketch):
            union.join(other, doc.id)
        lsh.insert(doc.id, sketch)
        union.find(doc.id)
    return union.groups()


def containment_best_parent(docs: Sequence, threshold: float = 0.6, num_perm: int = 128) -> Stories:
    grams = [set(shingles(doc.text)) for doc in docs]
    sketches = MinHash.bulk(grams, num_perm=num_perm)
    size = {doc.id: len(g) for doc, g in zip(docs, grams, strict=True)}
    sketch = {doc.id: s for doc, s in zip(docs, sketches, strict=True)}
    ensemble = MinHashLSHEnsemble(threshold=threshold, num_perm=num_perm, num_part=16)
    ensemble.index((doc.id, sketch[doc.id], size[doc.id]) for doc in docs)
    rank = {doc.id: (size[doc.id], str(doc.id)) for doc in docs}
    parent: dict[Hashable, Hashable] = {}
    for doc in docs:
        shares = {}
        for other in ensemble.query(sketch[doc.id], size[doc.id]):
            if rank[other] > rank[doc.id]:  # a parent is larger, so the trees have no cycles
                jaccard = sketch[doc.id].jaccard(sketch[other])
                shares[other] = (
                    jaccard * (size[doc.id] + size[other]) / ((1 + jaccard) * size[doc.id])
                )
        best = max(shares, key=lambda other: (shares[other], rank[other]), default=None)
        if best is not None and shares[best] >= threshold:
            parent[doc.id] = best
    trees: dict[Hashable, list[Hashable]] = {}
    for doc in docs:
        root = doc.id
        while root in parent:
            root = parent[root]
        trees.setdefault(root, [root])
        if doc.id != root:
            trees[root].append(doc.id)
    return list(trees.values())


def exact(docs: Sequence) -> Stories:
    groups: dict[str, list[Hashable]] = {}
    for doc in docs:
        normal = _WORDS.sub(" ", unicodedata.normalize("NFKC", doc.text)).strip().casefold()
        groups.setdefault(hashlib.blake2b(normal.encode()).hexdigest(), []).append(doc.id)
    return list(groups.values())


ENGINES: dict[str, Callable[[Sequence], Stories]] = {
    "ours": ours,
    "datasketch LSH 0.8": datasketch_lsh,
    "containment": containment_best_parent,
    "exact hash": exact,
}


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Hashable, Hashable] = {}

    def find(self, node: Hashable) -> Hashable:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def join(self, a: Hashable, b: Hashable) -> None:
        self.parent[self.find(b)] = self.find(a)

    def groups(self) -> Stories:
        found: dict[Hashable, list[Hashable]] = {}
        for node in self.parent:
            found.setdefault(self.find(node), []).append(node)
        return list(found.values())


# The news table's columns are narrow: short names.
NEWS_ENGINES: dict[str, Callable[[Sequence], Stories]] = {
    "ours": ours,
    "MinHashLSH": datasketch_lsh,
    "containment": containment_best_parent,
}

"""What ``bench/dedup.py`` counts on the news corpus (``news_corpus.py``), per engine.

* **pairwise** precision, recall and F1: over every pair of pages, same labelled
  story vs same predicted story (orphans' label is their absent original's story);
* **recall per kind**: the share of reposts of a kind (their original present)
  that end in their original's story;
* **negatives merged**: unrelated articles and orphan excerpts that share a
  predicted story with a page of another labelled story;
* **canonical is the original**: per labelled story with its original and at
  least one repost, whether the original is the canonical (first member) of the
  predicted story holding it; by the story's date mode.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

from news_corpus import KINDS, NewsDoc

Stories = list[list[Hashable]]


def predicted_story(stories: Stories) -> dict[Hashable, int]:
    return {key: number for number, story in enumerate(stories) for key in story}


def pairwise(docs: Sequence[NewsDoc], stories: Stories) -> dict[str, float]:
    predicted = predicted_story(stories)
    pairs = lambda groups: sum(n * (n - 1) // 2 for n in groups.values())  # noqa: E731
    true = pairs(Counter((predicted[d.id], d.story) for d in docs))
    found = pairs(Counter(predicted[d.id] for d in docs))
    wanted = pairs(Counter(d.story for d in docs))
    precision = true / found if found else 1.0
    recall = true / wanted if wanted else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def recall_by_kind(docs: Sequence[NewsDoc], stories: Stories) -> dict[str, float]:
    predicted = predicted_story(stories)
    present = {d.id for d in docs}
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for doc in docs:
        if doc.kind in KINDS and doc.story in present:
            totals[doc.kind] += 1
            hits[doc.kind] += predicted[doc.id] == predicted[doc.story]
    return {kind: hits[kind] / totals[kind] for kind in KINDS if totals[kind]}


def negatives_merged(docs: Sequence[NewsDoc], stories: Stories) -> dict[str, tuple[int, int]]:
    """(merged, total) for unrelated articles and for orphan excerpts."""
    label = {d.id: d.story for d in docs}
    mixed = set()
    for story in stories:
        if len({label[key] for key in story}) > 1:
            mixed.update(story)
    found = {}
    for name, wanted in (("unrelated", lambda d: d.kind == "unrelated"), ("orphan", _orphan)):
        negatives = [d for d in docs if wanted(d)]
        found[name] = (sum(d.id in mixed for d in negatives), len(negatives))
    return found


def _orphan(doc: NewsDoc) -> bool:
    return doc.orphan


def canonical_is_original(docs: Sequence[NewsDoc], stories: Stories) -> dict[str, tuple[int, int]]:
    """(right, total) by date mode, over labelled stories with their original and a repost."""
    predicted = predicted_story(stories)
    with_reposts = {d.story for d in docs if d.kind in KINDS and not d.orphan}
    found: dict[str, list[int]] = {}
    for doc in docs:
        if doc.kind == "original" and doc.id in with_reposts:
            right, total = found.setdefault(doc.dates, [0, 0])
            found[doc.dates] = [right + (stories[predicted[doc.id]][0] == doc.id), total + 1]
    return {mode: (right, total) for mode, (right, total) in found.items()}

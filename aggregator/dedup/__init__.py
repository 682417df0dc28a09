"""Stories, not pages: near-duplicate and excerpt detection.

``cluster`` groups whole corpora in memory; crawls use the same ``Matcher`` and
``assign`` incrementally through ``aggregator.ingest``, and get the same stories
whatever order the articles arrive in.

    >>> import random
    >>> def prose(seed: int) -> str:  # five paragraphs of made-up words
    ...     rng = random.Random(seed)
    ...     return "\\n".join(" ".join(f"w{rng.randrange(5000)}" for _ in range(40)) for _ in range(5))
    >>> original, other = prose(1), prose(2)
    >>> excerpt = "\\n".join(original.split("\\n")[:2])  # two paragraphs of the original
    >>> cluster([("a", original), ("b", other), ("c", excerpt)])
    [['a', 'c'], ['b']]
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from aggregator.dedup.assign import (
    ROLE_CANONICAL,
    ROLE_EXCERPT,
    ROLE_REPOST,
    StoryAssignment,
    assign,
)
from aggregator.dedup.config import DedupConfig
from aggregator.dedup.credit import find_credit
from aggregator.dedup.fingerprint import Fingerprint, Fingerprinter
from aggregator.dedup.matcher import Links, Matcher
from aggregator.dedup.precedence import Facts
from aggregator.dedup.verify import Link


@dataclass(frozen=True)
class Doc:
    """A text to cluster, with what helps choose its story's original."""

    id: Hashable
    text: str
    published: datetime | None = None
    outlet: str | None = None
    credit: str | None = None  # the outlet the text names as its source ("Source: X")
    credit_line: bool = False  # the text credits a source (set with ``credit``, or found)


DocLike = Doc | tuple


def read_credit(doc: Doc) -> Doc:
    """The doc with its credit line read: given (``credit``), or found in the text's first
    or last lines ("Source: X", "via X", ...) and taken out of the text it is compared by."""
    if doc.credit is not None or doc.credit_line:
        return replace(doc, credit_line=True)
    found = find_credit(doc.text)
    if found.attribution is None:
        return doc
    return replace(doc, text=found.text, credit=found.attribution.outlet, credit_line=True)


def doc_facts(doc: Doc, length: int) -> Facts:
    """What the canonical choice knows of a doc (``length``: its words)."""
    names = (doc.outlet,) if doc.outlet else ()
    return Facts(doc.id, length, doc.published, doc.outlet, names, doc.credit, doc.credit_line)


def cluster(docs: Iterable[DocLike], config: DedupConfig | None = None) -> list[list[Hashable]]:
    """Stories as lists of doc ids, canonical first.

    ``docs`` holds ``Doc`` objects or tuples ``(id, text)``, ``(id, text, published)``
    or ``(id, text, published, outlet)``; a doc without an outlet whose id is a URL
    has its host as outlet (lines many pages of one site share are that site's
    chrome). A credit line in a text ("Source: X") is read unless the doc gives
    ``credit``. Texts with nothing to compare (empty) form stories of their own.
    """
    return [story.keys for story in cluster_stories(docs, config)]


def cluster_stories(
    docs: Iterable[DocLike], config: DedupConfig | None = None
) -> list[StoryAssignment]:
    """Like ``cluster``, with each member's role and the reason for the canonical choice."""
    matcher = Matcher(config)
    items = [read_credit(_as_doc(d)) for d in docs]
    if len({d.id for d in items}) != len(items):
        raise ValueError("doc ids must be unique")
    prints = {d.id: matcher.fingerprint(d.text) for d in items}
    for d in items:
        matcher.add(d.id, d.outlet, prints[d.id])
    links: dict[frozenset[Hashable], Link] = {}
    for d in items:
        for link in matcher.links(d.id):
            links.setdefault(frozenset((link.a, link.b)), link)
    facts = [doc_facts(d, prints[d.id].token_count) for d in items]
    return assign(facts, links.values(), matcher.config)


def _as_doc(doc: DocLike) -> Doc:
    if not isinstance(doc, Doc):
        if not isinstance(doc, tuple) or not 2 <= len(doc) <= 4:
            raise TypeError(f"expected Doc or (id, text[, published[, outlet]]), got {doc!r:.80}")
        doc = Doc(*doc)
    if doc.outlet is None and (site := _site_of(doc.id)):
        doc = replace(doc, outlet=site)
    return doc


def _site_of(key: Hashable) -> str | None:
    """The site of a doc whose id is an http(s) URL (its host, without "www."), else None:
    a doc without an outlet has no chrome, and its site is what chrome is counted over."""
    if not isinstance(key, str) or not key.startswith(("http://", "https://")):
        return None
    try:
        host = urlsplit(key).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


__all__ = [
    "ROLE_CANONICAL",
    "ROLE_EXCERPT",
    "ROLE_REPOST",
    "DedupConfig",
    "Doc",
    "Facts",
    "Fingerprint",
    "Fingerprinter",
    "Link",
    "Links",
    "Matcher",
    "StoryAssignment",
    "assign",
    "cluster",
    "cluster_stories",
    "doc_facts",
    "read_credit",
]

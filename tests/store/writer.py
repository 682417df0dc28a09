"""A crawl's write path in a loop, to be killed mid-write: ``python -m tests.store.writer URL``.

Every round stores one article through ``aggregator.ingest.save_article`` (the
storage pipeline's unit of work: article, fingerprint, links and stories in
one transaction); every other article reposts part of an earlier one, so
stories are re-formed as it goes. Runs until it is killed.
"""

from __future__ import annotations

import itertools
import sys

from aggregator.config import Outlet
from aggregator.dedup import DedupConfig, Matcher
from aggregator.extract import Article
from aggregator.ingest import save_article
from aggregator.store import Store

OUTLETS = [Outlet(key=f"w{n}", url=f"http://w{n}.test/", name=f"Writer {n}") for n in range(3)]
WORDS = [
    "river",
    "border",
    "broker",
    "night",
    "winter",
    "family",
    "letter",
    "embassy",
    "train",
    "market",
    "camp",
]


def paragraph(seed: int) -> str:
    """A paragraph of 40 words that no other seed produces."""
    words = [WORDS[(seed * 7 + i * (seed % 5 + 1)) % len(WORDS)] for i in range(36)]
    return f"Report {seed} number {seed * 31} says " + " ".join(words) + f" ends {seed}."


def article(n: int) -> Article:
    base = n - 1 if n % 2 else n  # odd articles repost their even predecessor's first paragraphs
    paragraphs = [paragraph(base * 10 + k) for k in range(6)]
    text = "\n".join(paragraphs[:3] if n % 2 else paragraphs)
    return Article(url=f"http://w{n % 3}.test/{n}/", title=f"Article {n}", text=text)


def main(url: str) -> None:
    config = DedupConfig()
    matcher = Matcher(config)
    store = Store(url)
    for n in itertools.count():
        item = article(n)
        outlet = OUTLETS[n % 3]
        fingerprint = matcher.fingerprint(item.text)
        links = matcher.ingest(item.url, outlet.key, fingerprint)
        with store.session() as session, session.begin():
            save_article(session, outlet, item, fingerprint, links, config)


if __name__ == "__main__":
    main(sys.argv[1])

"""What the frontier decides and hears, as plain data: a ``Fetch`` out, an ``Answer`` in.

The spider turns a ``Fetch`` into a ``scrapy.Request`` (and back, from the
request's meta, when the answer comes) and a response into an ``Answer``;
counts and faults go to a ``Report``, which the spider turns into Scrapy stats
and log lines and ``Tally`` keeps in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

from aggregator import crawlstate as cs

# What reads an answer: a discovery source of its kind, or the page reader.
SOURCES = (cs.ROBOTS, cs.API, cs.FEED, cs.SITEMAP)
PAGE = "page"


@dataclass(frozen=True)
class Fetch:
    """One request the frontier decided on."""

    url: str  # normalised; the crawl state's key for the answer, whatever redirects follow
    outlet: str
    kind: str  # robots, api, feed, sitemap (sources); listing or page (pages)
    found_via: str
    priority: int = 0
    headers: Mapping[str, str] = field(default_factory=dict)  # conditional GET
    page: int = 1  # of a paged feed or API
    depth: int = 0  # of a sitemap inside indexes
    source: str = ""  # the first page of the feed, API or archive this page continues
    # Known to the crawl state before this run (a re-read, resume, retry or change): fetched
    # again on purpose, so a dupefilter that remembers earlier runs must let it through.
    again: bool = False

    @property
    def reader(self) -> str:
        """What reads the answer: ``robots``, ``api``, ``feed``, ``sitemap`` or ``page``."""
        return self.kind if self.kind in SOURCES else PAGE


@dataclass(frozen=True)
class Answer:
    """What came back for a fetch: its status, final URL and validators."""

    status: int
    url: str
    etag: str | None = None
    last_modified: str | None = None


class Report(Protocol):
    """Where the frontier's counts and faults go (the spider: Scrapy stats and the log)."""

    def count(self, outlet: str, name: str, value: int = 1) -> None: ...

    def fault(self, outlet: str, kind: str, url: str, message: str) -> None: ...


class Tally:
    """A ``Report`` kept in memory: for a frontier used without Scrapy, and for tests."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self.faults: list[tuple[str, str, str]] = []  # (outlet, kind, url)

    def count(self, outlet: str, name: str, value: int = 1) -> None:
        self.counts[outlet, name] += value

    def fault(self, outlet: str, kind: str, url: str, message: str) -> None:
        self.faults.append((outlet, kind, url))


def source_priority(kind: str, url: str) -> int:
    """Newest first: robots.txt, the REST API, feeds, news sitemaps, other sitemaps."""
    if kind == cs.SITEMAP:
        return cs.PRIORITY[cs.NEWS_SITEMAP if "news" in url.lower() else cs.SITEMAP]
    return cs.PRIORITY[kind]


def source_page(kind: str, url: str) -> tuple[str, int]:
    """A feed or API page's first-page URL and its number, to resume paging from it.

    >>> source_page("feed", "http://a.example/feed/?paged=3")
    ('http://a.example/feed/', 3)
    """
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if kind == cs.API and query.get("page", "").isdigit():
        return parts._replace(query="").geturl(), int(query["page"])
    if kind == cs.FEED and query.get("paged", "").isdigit():
        rest = urlencode({k: v for k, v in query.items() if k != "paged"})
        return parts._replace(query=rest).geturl(), int(query["paged"])
    return url, 1

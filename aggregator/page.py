"""The item a crawl produces: one fetched page, before and after extraction and dedup."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from datasketch import LeanMinHash

from aggregator.config import Outlet
from aggregator.dedup import Fingerprint, Link
from aggregator.extract import Article


@dataclass
class PageItem:
    """A fetched page; the pipelines fill in ``article``, ``fingerprint``, ``sketch`` and ``links``."""

    url: str
    outlet: Outlet
    status: int
    html: str
    content_type: str
    fetched_at: datetime
    headers: dict[str, str] = field(default_factory=dict)
    state_url: str = ""  # the URL as queued in the crawl state (before redirects)
    found_via: str = ""  # how the URL was found: api, feed, news_sitemap, sitemap, archive, link
    drop_reason: str | None = None  # set by the pipeline that drops the page
    article: Article | None = None
    fingerprint: Fingerprint | None = None
    sketch: LeanMinHash | None = None  # whole-text MinHash, stored beside the fingerprint
    links: list[Link] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """A response header, case-insensitively."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def __repr__(self) -> str:  # Scrapy logs dropped items: keep the HTML out of the log
        return f"<PageItem {self.status} {self.url} ({self.outlet.key})>"

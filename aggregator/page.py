"""The item a crawl produces: one fetched page, read once for its article and its links.

``read_page`` runs in an extraction worker (``aggregator.workers``): the page is
parsed there once, for the links the crawl follows and for its article, so the
crawl's event loop parses no HTML (issue 12, item 7: the spider's own parse of
every page cost the crawl process a fifth of its time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from aggregator.config import Outlet
from aggregator.discovery import announced_feeds, page_links
from aggregator.extract import Article, Extraction, ExtractOptions, extract_page
from aggregator.extract.bodies import parse_html
from aggregator.sites import Site


@dataclass(frozen=True)
class PageRead:
    """What one parse of a page gave: its extraction, and the URLs it links to.

    ``error`` names an exception extraction raised ("TypeError: ..."); the links
    are still read, as a page that breaks the extractor is a counted drop, not a dead end.
    """

    extraction: Extraction | None
    links: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)  # announced with <link rel="alternate">
    nexts: list[str] = field(default_factory=list)  # the archive's next pages (the site's rule)
    error: tuple[str, str] | None = None  # (exception class, message)


def read_page(html: str, url: str, base_url: str, options: ExtractOptions, site: Site) -> PageRead:
    """Extract ``html`` (the page at ``url``) and read its links against ``base_url`` (the URL
    it was fetched from). Links are read first: extraction cleans the tree in place."""
    try:
        tree = parse_html(html)
    except (etree.ParserError, ValueError):
        tree = None  # no links; extraction says why it cannot read the page
    links: tuple[list[str], list[str], list[str]] = ([], [], [])
    if tree is not None:
        links = (
            page_links(tree, base_url),
            announced_feeds(tree, base_url),
            site.next_pages(tree, base_url),
        )
    try:
        extraction = extract_page(html, url, options, tree=tree)
    except Exception as exc:  # told to the crawl, which logs and counts it
        return PageRead(None, *links, error=(type(exc).__name__, str(exc)))
    return PageRead(extraction, *links)


@dataclass
class PageItem:
    """A fetched page; ``read`` is set for an HTML page, the pipelines fill in ``article``."""

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
    read: PageRead | None = None  # the page's extraction and links (spiders.reader)
    article: Article | None = None

    def header(self, name: str) -> str | None:
        """A response header, case-insensitively."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def __repr__(self) -> str:  # Scrapy logs dropped items: keep the HTML out of the log
        return f"<PageItem {self.status} {self.url} ({self.outlet.key})>"

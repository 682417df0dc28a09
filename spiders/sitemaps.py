"""Sitemaps and robots.txt read by Scrapy's own parsers (issue 12, item 5).

``scrapy.utils.sitemap.Sitemap`` reads urlsets and indexes (entities never
expanded, comments and processing instructions dropped, huge trees refused);
``sitemap_urls_from_robots`` reads robots.txt. What they do not do is kept
here: a size limit before parsing (``aggregator.discovery.read_limited``, a
gzip bomb stops at the limit), the protocol's cap of 50,000 entries, and the
date of a news sitemap's entry, which Scrapy's flat entry dicts drop.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from lxml import etree
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from aggregator.discovery import MAX_SITEMAP_URLS, SitemapEntry, parse_date, read_limited
from aggregator.errors import NotASitemap

logger = logging.getLogger(__name__)

_NEWS_DATE = "{http://www.google.com/schemas/sitemap-news/0.9}publication_date"


def sitemap_entries(body: bytes, max_bytes: int) -> list[SitemapEntry]:
    """Entries of a sitemap (page URLs) or sitemap index (sitemap URLs), news dates included.

    Raises ``TooLarge`` past ``max_bytes`` (decompressed), ``NotASitemap`` for
    anything but a urlset or sitemapindex; reads at most ``MAX_SITEMAP_URLS``.
    """
    try:
        sitemap = Sitemap(read_limited(body, max_bytes))
    except (etree.XMLSyntaxError, StopIteration) as exc:
        raise NotASitemap(f"not XML: {exc or 'no element'}") from None
    if sitemap.type not in ("urlset", "sitemapindex"):
        raise NotASitemap(f"root element <{sitemap.type}> is neither urlset nor sitemapindex")
    news = _NewsDates()
    sitemap.xmliter = news.noting(sitemap.xmliter)
    entries = []
    for entry in sitemap:
        loc = entry["loc"]
        if not loc:
            continue
        published = parse_date(news.date) if "news" in entry else None
        lastmod = parse_date(entry.get("lastmod"))
        entries.append(SitemapEntry(loc, lastmod, sitemap.type == "sitemapindex", published))
        if len(entries) >= MAX_SITEMAP_URLS:
            logger.warning("sitemap has more than %d entries; reading the first", MAX_SITEMAP_URLS)
            break
    return entries


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, absolute, without duplicates."""
    return list(dict.fromkeys(sitemap_urls_from_robots(body, base_url)))


class _NewsDates:
    """The ``<news:publication_date>`` of the entry being parsed.

    Scrapy's entries keep the text of an entry's direct children, and the news
    date is a grandchild; so the parse events pass through here on their way to
    Scrapy's iterator, which turns an entry into a dict at its end event, after
    its date's end event and before the next entry starts.
    """

    def __init__(self) -> None:
        self.date: str | None = None

    def noting(self, events: Any) -> Iterator[tuple[str, Any]]:
        for event, element in events:
            tag = element.tag if isinstance(element.tag, str) else ""
            if event == "start" and tag.rpartition("}")[2] in ("url", "sitemap"):
                self.date = None
            elif event == "end" and tag == _NEWS_DATE:
                self.date = (element.text or "").strip() or None
            yield event, element

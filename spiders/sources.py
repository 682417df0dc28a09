"""Discovery answers read into ``Found`` entries: the WordPress REST API, feeds, sitemaps, robots.txt.

Parsing is ``aggregator.discovery``'s (feedparser, JSON) and ``spiders.sitemaps``'s
(Scrapy's sitemap and robots.txt utilities); what is fetched from the entries is
the frontier's decision. Each reader raises ``DiscoveryError`` for an answer
that is not what its source should be.
"""

from __future__ import annotations

from urllib.parse import urljoin

from scrapy.http import Response

from aggregator import crawlstate as cs
from aggregator.crawlstate import Found
from aggregator.discovery import api_entries, feed_entries
from aggregator.frontier import Answer
from aggregator.urls import normalize_url
from spiders.headers import header
from spiders.sitemaps import robots_sitemaps, sitemap_entries


def answer_of(response: Response) -> Answer:
    """The response's status, final URL and validators, for the frontier."""
    return Answer(
        response.status,
        response.url,
        etag=header(response, "ETag"),
        last_modified=header(response, "Last-Modified"),
    )


def api_found(response: Response) -> list[Found]:
    """The posts a REST API page lists, with their dates."""
    return [
        Found(_absolute(response, e.url), cs.API, lastmod=e.modified, published=e.published)
        for e in api_entries(response.body)
    ]


def api_total_pages(response: Response) -> int | None:
    """``X-WP-TotalPages``: how many pages the API has."""
    value = header(response, "X-WP-TotalPages")
    return int(value) if value and value.strip().isdigit() else None


def feed_found(response: Response) -> list[Found]:
    """The posts a feed (RSS, Atom, JSON Feed) lists, with their dates."""
    return [
        Found(normalize_url(e.url), cs.FEED, lastmod=e.updated, published=e.published)
        for e in feed_entries(response.body, response.url)
    ]


def sitemap_found(response: Response, max_bytes: int) -> tuple[list[Found], list[Found]]:
    """The sitemaps an index names, and the pages a sitemap lists."""
    entries = sitemap_entries(response.body, max_bytes)
    children = [
        Found(_absolute(response, e.url), cs.SITEMAP, cs.SITEMAP, lastmod=e.lastmod)
        for e in entries
        if e.is_sitemap
    ]
    pages = [
        Found(
            _absolute(response, e.url),
            cs.NEWS_SITEMAP if e.is_news else cs.SITEMAP,
            lastmod=e.lastmod,
            published=e.published,
        )
        for e in entries
        if not e.is_sitemap
    ]
    return children, pages


def robots_found(response: Response) -> list[str]:
    """The sitemaps a robots.txt names (nothing when it answered an error)."""
    return robots_sitemaps(response.body, response.url) if response.status < 400 else []


def _absolute(response: Response, url: str) -> str:
    """Entries should be absolute; relative ones are read against the page they are on."""
    return normalize_url(urljoin(response.url, url))

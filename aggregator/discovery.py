"""Finding article URLs: links on pages, feeds announced in <head>, RSS, Atom and JSON Feed
items, and the WordPress REST API; the entries a sitemap yields and its limits.

Pure functions over bytes and strings, so the spider stays a thin adapter.
Feeds are read by feedparser, the field's library (issue 12, item 5); sitemaps
and robots.txt by Scrapy's own utilities in ``spiders.sitemaps``. Each parser
raises a ``DiscoveryError`` subclass (``aggregator.errors``) with a short reason
the crawl counts as an error kind (``feed_invalid``, ``sitemap_too_large``, ...).
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from urllib.parse import urljoin

import feedparser
from lxml import html

from aggregator.errors import NotAFeed, NotAnApiPage, NotASitemap, TooLarge
from aggregator.extract.dates import parse_date as parse_page_date

logger = logging.getLogger(__name__)

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
# Entity declarations in a feed's prolog: feedparser strips only those that start a line,
# and expat expands the rest (a billion laughs, bounded only by expat's amplification cap).
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_JSON_FEED = "https://jsonfeed.org/version/"
_GZIP_MAGIC = b"\x1f\x8b"
# The sitemaps.org protocol's own limit: 50,000 URLs per sitemap.
MAX_SITEMAP_URLS = 50_000


@dataclass(frozen=True)
class FeedEntry:
    url: str
    published: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: datetime | None = None
    is_sitemap: bool = False  # an entry of a sitemap index: another sitemap to read
    published: datetime | None = None  # news sitemaps: <news:publication_date>

    @property
    def is_news(self) -> bool:
        return self.published is not None


@dataclass(frozen=True)
class ApiEntry:
    """One post of a WordPress REST API page (``/wp-json/wp/v2/posts``)."""

    url: str
    published: datetime | None
    modified: datetime | None


def parse_date(value: str | None) -> datetime | None:
    """An aware UTC datetime from a feed, sitemap or API date (naive dates are UTC);
    None for anything that is not a full, plausible date."""
    return parse_page_date(value, UTC, fuzzy=False) if value else None


def page_links(tree: html.HtmlElement, base_url: str) -> list[str]:
    """Absolute http(s) link targets of a page, in document order, without duplicates."""
    base = (tree.xpath("//base/@href") or [base_url])[0]
    links = []
    for href in tree.xpath("//a/@href"):
        href = href.strip()
        if href.startswith(("http://", "https://")):
            links.append(href)  # absolute already: urljoin would only parse it again
        elif href and not href.startswith(("#", "mailto:", "javascript:", "tel:")):
            links.append(urljoin(base, href))
    return list(dict.fromkeys(links))


def announced_feeds(tree: html.HtmlElement, base_url: str) -> list[str]:
    """Feeds a page announces with <link rel="alternate">, comment feeds left out."""
    feeds = []
    for link in tree.xpath("//link[contains(concat(' ', @rel, ' '), ' alternate ')]"):
        kind = (link.get("type") or "").lower()
        title = (link.get("title") or "").lower()
        href = (link.get("href") or "").strip()
        if kind in _FEED_TYPES and href and "comment" not in title:
            feeds.append(urljoin(base_url, href))
    return list(dict.fromkeys(feeds))


def feed_entries(body: bytes, base_url: str) -> list[FeedEntry]:
    """Entries of an RSS, Atom or JSON Feed document; raise NotAFeed for anything else."""
    if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return _json_feed_entries(body, base_url)
    prolog = body[: m.start()] if (m := _FIRST_ELEMENT.search(body)) else body
    if _ENTITY_DECLARATION.search(prolog):
        raise NotAFeed("declares XML entities (refused: entity expansion)")
    # A stream, never bytes: feedparser opens bytes that name a file as that file.
    parsed = feedparser.parse(
        BytesIO(body),
        response_headers={"content-location": base_url},
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    if not parsed.version:
        raise NotAFeed(f"neither RSS nor Atom: {parsed.get('bozo_exception') or 'no feed'}")
    entries = []
    for entry in parsed.entries:
        # dict.get: feedparser maps a missing ``updated`` to ``published``, with a warning.
        link, updated = dict.get(entry, "link"), parse_date(dict.get(entry, "updated"))
        if link:
            published = parse_date(dict.get(entry, "published")) or updated
            entries.append(FeedEntry(urljoin(base_url, link), published, updated))
    return entries


def _json_feed_entries(body: bytes, base_url: str) -> list[FeedEntry]:
    """Items of a JSON Feed (jsonfeed.org 1.0 and 1.1): feedparser 6 does not read JSON."""
    try:
        feed: Any = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotAFeed(f"not JSON: {exc}") from None
    version = feed.get("version") if isinstance(feed, dict) else None
    if not isinstance(version, str) or not version.startswith(_JSON_FEED):
        raise NotAFeed("JSON without a jsonfeed.org version")
    items = feed.get("items")
    entries = []
    for item in items if isinstance(items, list) else []:
        url = item.get("url") if isinstance(item, dict) else None
        if isinstance(url, str) and url.strip():
            updated = _text_date(item.get("date_modified"))
            published = _text_date(item.get("date_published")) or updated
            entries.append(FeedEntry(urljoin(base_url, url.strip()), published, updated))
    return entries


def _text_date(value: object) -> datetime | None:
    """A date from a JSON value (WordPress's ``*_gmt`` fields are UTC without an offset)."""
    return parse_date(value) if isinstance(value, str) else None


def read_limited(body: bytes, max_bytes: int) -> bytes:
    """The body, gunzipped when it is gzip (``sitemap.xml.gz``), refusing more than ``max_bytes``.

    Decompression stops at the limit, so a gzip bomb costs at most ``max_bytes``.
    """
    if body[:2] == _GZIP_MAGIC:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            data = inflater.decompress(body, max_bytes + 1)
        except zlib.error as exc:
            raise NotASitemap(f"broken gzip: {exc}") from None
        if len(data) > max_bytes:
            raise TooLarge(f"more than {max_bytes} bytes once decompressed")
        return data
    if len(body) > max_bytes:
        raise TooLarge(f"{len(body)} bytes, more than {max_bytes}")
    return body


def api_entries(body: bytes) -> list[ApiEntry]:
    """Posts of one WordPress REST API page: their link and GMT dates."""
    try:
        posts = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotAnApiPage(f"not JSON: {exc}") from None
    if not isinstance(posts, list):
        raise NotAnApiPage(f"expected a list of posts, got {type(posts).__name__}")
    entries = []
    for post in posts:
        if isinstance(post, dict) and isinstance(post.get("link"), str):
            entries.append(
                ApiEntry(
                    post["link"],
                    _text_date(post.get("date_gmt")) or parse_date(post.get("date")),
                    _text_date(post.get("modified_gmt")) or parse_date(post.get("modified")),
                )
            )
    return entries

"""Finding article URLs: links on pages, feeds announced in <head>, RSS/Atom items, sitemaps,
robots.txt and the WordPress REST API.

Pure functions over bytes and strings, so the spider stays a thin adapter.
Each parser raises a ``DiscoveryError`` subclass with a short reason the
crawl counts as an error kind (``feed_not_xml``, ``sitemap_too_large``, ...).
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

from lxml import etree, html

from aggregator.extract.dates import parse_date as parse_page_date

logger = logging.getLogger(__name__)

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
_ATOM = "{http://www.w3.org/2005/Atom}"
_SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, recover=False
)
_ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
_GZIP_MAGIC = b"\x1f\x8b"
# The sitemaps.org protocol's own limit: 50,000 URLs per sitemap.
MAX_SITEMAP_URLS = 50_000


class DiscoveryError(ValueError):
    """A discovery page could not be used; ``kind`` names the error for the crawl's counts."""

    kind = "parse"


class NotAFeed(DiscoveryError):
    """The body is not an RSS or Atom document."""

    kind = "feed_not_xml"


class NotASitemap(DiscoveryError):
    """The body is not a sitemaps.org urlset or sitemap index."""

    kind = "sitemap_invalid"


class TooLarge(DiscoveryError):
    """The (decompressed) body is larger than the limit: a sitemap bomb, say."""

    kind = "sitemap_too_large"


class NotAnApiPage(DiscoveryError):
    """The body is not a WordPress REST API list of posts."""

    kind = "api_invalid"


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
    """Entries of an RSS 2.0, RSS 1.0 or Atom feed; raise NotAFeed for anything else."""
    try:
        root = etree.fromstring(body, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotAFeed(f"not XML: {exc}") from None
    tag = etree.QName(root).localname.lower()
    if tag in ("rss", "rdf"):
        return _rss_entries(root, base_url)
    if tag == "feed":
        return _atom_entries(root, base_url)
    raise NotAFeed(f"root element <{tag}> is neither RSS nor Atom")


def _rss_entries(root: etree._Element, base_url: str) -> list[FeedEntry]:
    entries = []
    for item in root.iter("item", "{http://purl.org/rss/1.0/}item"):
        link = _child_text(item, "link", "{http://purl.org/rss/1.0/}link")
        if not link:
            guid = item.find("guid")
            if guid is not None and guid.get("isPermaLink", "true") == "true":
                link = (guid.text or "").strip()
        if link:
            published = parse_date(
                _child_text(item, "pubDate", "{http://purl.org/dc/elements/1.1/}date")
            )
            entries.append(FeedEntry(urljoin(base_url, link), published))
    return entries


def _atom_entries(root: etree._Element, base_url: str) -> list[FeedEntry]:
    entries = []
    for entry in root.iter(f"{_ATOM}entry"):
        href = next(
            (
                link.get("href")
                for link in entry.iter(f"{_ATOM}link")
                if link.get("rel", "alternate") == "alternate" and link.get("href")
            ),
            None,
        )
        if href:
            published = parse_date(_child_text(entry, f"{_ATOM}published"))
            updated = parse_date(_child_text(entry, f"{_ATOM}updated"))
            entries.append(FeedEntry(urljoin(base_url, href), published or updated, updated))
    return entries


def _child_text(element: etree._Element, *tags: str) -> str | None:
    for tag in tags:
        child = element.find(tag)
        if child is not None and child.text and child.text.strip():
            return child.text.strip()
    return None


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


def sitemap_entries(body: bytes) -> list[SitemapEntry]:
    """Entries of a sitemap (page URLs) or sitemap index (sitemap URLs); news dates included.

    At most ``MAX_SITEMAP_URLS`` entries are read (the protocol's limit).
    """
    try:
        root = etree.fromstring(body, _XML_PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise NotASitemap(f"not XML: {exc}") from None
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise NotASitemap(f"root element <{kind}> is neither urlset nor sitemapindex")
    child = "sitemap" if kind == "sitemapindex" else "url"
    entries = []
    for node in root.iter(f"{_SITEMAP}{child}", child):
        loc = _child_text(node, f"{_SITEMAP}loc", "loc")
        if not loc:
            continue
        lastmod = parse_date(_child_text(node, f"{_SITEMAP}lastmod", "lastmod"))
        published = None
        news = node.find(f"{_NEWS}news")
        if news is not None:
            published = parse_date(_child_text(news, f"{_NEWS}publication_date"))
        entries.append(SitemapEntry(loc, lastmod, kind == "sitemapindex", published))
        if len(entries) >= MAX_SITEMAP_URLS:
            logger.warning("sitemap has more than %d entries; reading the first", MAX_SITEMAP_URLS)
            break
    return entries


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, absolute."""
    return list(dict.fromkeys(urljoin(base_url, m) for m in _ROBOTS_SITEMAP.findall(text)))


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
                    _gmt(post.get("date_gmt")) or parse_date(post.get("date")),
                    _gmt(post.get("modified_gmt")) or parse_date(post.get("modified")),
                )
            )
    return entries


def _gmt(value: object) -> datetime | None:
    """WordPress's ``*_gmt`` fields are UTC without an offset."""
    return parse_date(value) if isinstance(value, str) else None

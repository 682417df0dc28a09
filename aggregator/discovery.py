"""Finding article URLs: links on pages, feeds announced in <head>, RSS/Atom items, sitemaps.

Pure functions over bytes and strings, so the spider stays a thin adapter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree, html

logger = logging.getLogger(__name__)

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
_ATOM = "{http://www.w3.org/2005/Atom}"
_SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, recover=False
)


class NotAFeed(ValueError):
    """The body is not an RSS or Atom document."""


class NotASitemap(ValueError):
    """The body is not a sitemaps.org urlset or sitemap index."""


@dataclass(frozen=True)
class FeedEntry:
    url: str
    published: str | None = None


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: str | None = None
    is_sitemap: bool = False  # an entry of a sitemap index: another sitemap to read


def page_links(tree: html.HtmlElement, base_url: str) -> list[str]:
    """Absolute http(s) link targets of a page, in document order, without duplicates."""
    base = (tree.xpath("//base/@href") or [base_url])[0]
    links = []
    for href in tree.xpath("//a/@href"):
        href = href.strip()
        if href and not href.startswith(("#", "mailto:", "javascript:", "tel:")):
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
    entries = []
    if tag in ("rss", "rdf"):
        for item in root.iter("item", "{http://purl.org/rss/1.0/}item"):
            link = _child_text(item, "link", "{http://purl.org/rss/1.0/}link")
            if not link:
                guid = item.find("guid")
                if guid is not None and guid.get("isPermaLink", "true") == "true":
                    link = (guid.text or "").strip()
            if link:
                entries.append(FeedEntry(urljoin(base_url, link), _child_text(item, "pubDate")))
    elif tag == "feed":
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
                published = _child_text(entry, f"{_ATOM}published", f"{_ATOM}updated")
                entries.append(FeedEntry(urljoin(base_url, href), published))
    else:
        raise NotAFeed(f"root element <{tag}> is neither RSS nor Atom")
    return entries


def _child_text(element: etree._Element, *tags: str) -> str | None:
    for tag in tags:
        child = element.find(tag)
        if child is not None and child.text and child.text.strip():
            return child.text.strip()
    return None


def sitemap_entries(body: bytes) -> list[SitemapEntry]:
    """Entries of a sitemap (page URLs) or sitemap index (sitemap URLs)."""
    try:
        root = etree.fromstring(body, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotASitemap(f"not XML: {exc}") from None
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise NotASitemap(f"root element <{kind}> is neither urlset nor sitemapindex")
    child = "sitemap" if kind == "sitemapindex" else "url"
    entries = []
    for node in root.iter(f"{_SITEMAP}{child}", child):
        loc = _child_text(node, f"{_SITEMAP}loc", "loc")
        if loc:
            lastmod = _child_text(node, f"{_SITEMAP}lastmod", "lastmod")
            entries.append(SitemapEntry(loc, lastmod, is_sitemap=kind == "sitemapindex"))
    return entries

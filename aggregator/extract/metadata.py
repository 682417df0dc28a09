"""Page metadata that does not need the article body: title, author, site, language, links."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import html

_BYLINE_PREFIX = re.compile(r"^\s*(?:by|posted by|written by|von|par)\s+", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s+[|–—:»-]\s+")
# Most to least specific; a reader's name in a comment is never the author.
_AUTHOR_XPATHS = (
    "//*[contains(@class, 'byline')]//a[contains(@rel, 'author') or contains(@class, 'author')]",
    "//a[contains(concat(' ', @rel, ' '), ' author ')]",
    "//*[contains(@class, 'author') and contains(@class, 'vcard')]//*[contains(@class, 'fn')]",
    "//*[contains(@class, 'byline')]//a",
)
_IN_COMMENTS = (
    "ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' comment')"
    " or starts-with(@id, 'comment') or @id='respond']"
)


@dataclass(frozen=True)
class PageMetadata:
    title: str | None
    author: str | None
    site_name: str | None
    language: str | None
    canonical_url: str | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]


def read_metadata(tree: html.HtmlElement, url: str | None) -> PageMetadata:
    site_name = _meta(tree, "og:site_name") or _json_ld_field(tree, "publisher", "name")
    return PageMetadata(
        title=_title(tree, site_name),
        author=_author(tree),
        site_name=site_name,
        language=_language(tree),
        canonical_url=_canonical(tree, url),
        categories=_unique(
            tree.xpath("//a[contains(concat(' ', @rel, ' '), ' category ')]/text()")
            + tree.xpath("//meta[@property='article:section']/@content")
        ),
        tags=_unique(
            tree.xpath(
                "//a[contains(concat(' ', @rel, ' '), ' tag ') and not(contains(@rel, 'category'))]/text()"
            )
            + tree.xpath("//meta[@property='article:tag']/@content")
        ),
    )


def _meta(tree: html.HtmlElement, name: str) -> str | None:
    for value in tree.xpath(f"//meta[@property='{name}' or @name='{name}']/@content"):
        value = " ".join(value.split())
        if value:
            return value
    return None


def _title(tree: html.HtmlElement, site_name: str | None) -> str | None:
    """The headline: the article's <h1>, else og:title, else <title> without the site name."""
    for candidate in (
        _first_text(
            tree,
            "//article//h1[contains(@class, 'title')] | //h1[contains(@class, 'entry-title')]"
            " | //h1[contains(@class, 'post-title')] | //*[contains(@class, 'post')]//h2[contains(@class, 'entry-title')]",
        ),
        _meta(tree, "og:title"),
        _json_ld_field(tree, "headline"),
        _first_text(tree, "//article//h1 | //h1"),
        _strip_site(" ".join(tree.xpath("string(//title)").split()), site_name),
    ):
        if candidate and candidate != site_name:
            return candidate
    return None


def _strip_site(title: str, site_name: str | None) -> str | None:
    parts = _TITLE_SEPARATORS.split(title)
    if site_name and len(parts) > 1:
        parts = [p for p in parts if p.strip() != site_name]
    return parts[0].strip() if parts and parts[0].strip() else None


def _author(tree: html.HtmlElement) -> str | None:
    profile = _meta(tree, "article:author")  # often a profile URL, not a name
    candidates = [
        _meta(tree, "author"),
        None if profile and profile.startswith("http") else profile,
        _json_ld_field(tree, "author", "name"),
    ]
    candidates += (_first_text(tree, xpath, skip_comments=True) for xpath in _AUTHOR_XPATHS)
    for candidate in candidates:
        if candidate:
            name = _BYLINE_PREFIX.sub("", candidate).strip(" ,|")
            if 2 <= len(name) <= 100:
                return name
    return None


def _language(tree: html.HtmlElement) -> str | None:
    value = tree.get("lang") or _meta(tree, "og:locale") or _meta(tree, "content-language")
    return value.replace("_", "-").split("-")[0].lower() if value else None


def _canonical(tree: html.HtmlElement, url: str | None) -> str | None:
    for href in tree.xpath("//link[contains(concat(' ', @rel, ' '), ' canonical ')]/@href"):
        href = href.strip()
        if href:
            return urljoin(url or "", href)
    return None


def _first_text(tree: html.HtmlElement, xpath: str, skip_comments: bool = False) -> str | None:
    for element in tree.xpath(xpath):
        if skip_comments and element.xpath(_IN_COMMENTS):
            continue
        text = " ".join(element.text_content().split())
        if text:
            return text
    return None


def _json_ld_field(tree: html.HtmlElement, *path: str) -> str | None:
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        for item in data if isinstance(data, list) else data.get("@graph", [data]):
            value = item
            for key in path:
                if isinstance(value, list):
                    value = value[0] if value else None
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(" ".join(v.split()) for v in values if v and v.strip()))

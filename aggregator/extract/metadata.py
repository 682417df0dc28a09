"""Page metadata that does not need the article body: title, authors, site, language, links, terms.

Read before any chrome is removed (bylines and tag links live in the chrome),
never from the comment section (a reader's name is not the author).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from urllib.parse import urljoin

from lxml import etree, html

from aggregator.extract.authors import fallback_author
from aggregator.extract.content import IN_COMMENTS
from aggregator.extract.jsonld import JsonLd

# Meta tags that name the author, as trafilatura reads them (``author`` first).
_META_AUTHORS = (
    "author",
    "authors",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "citation_author",
    "byl",
)
_NOT_NAMES = frozenset(
    ["author", "the author", "authors", "written by", "by", "name", "undefined", "null", "none"]
)
_DATE_WORDS = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "updated",
        "published",
        "posted",
        "last",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
_BYLINE_PREFIX = re.compile(r"^\s*(?:by|posted by|written by|submitted by|von|par)\s+", re.I)
# What sites put between a headline and their name ("Title | Site", "Title - Site").
TITLE_SEPARATORS = re.compile(r"\s+[|–—:»-]\s+")
_SPLIT_KEYWORDS = re.compile(r"\s*[,;]\s*")
# The headline, most to least specific (the <title> without the site name comes last).
_TITLE_XPATHS = tuple(
    etree.XPath(x)
    for x in (
        "//*[@itemprop='headline']",
        "//article//h1[contains(@class, 'title')] | //h1[contains(@class, 'entry-title')]"
        " | //h1[contains(@class, 'post-title')] | //h1[@id='page-title']"
        " | //h1[contains(@class, 'page-title')] | //h1[contains(@class, 'headline')]",
        "//*[contains(@class, 'post') or contains(@class, 'hentry')]"
        "//*[self::h2 or self::h3][contains(@class, 'entry-title') or contains(@class, 'post-title')]",
        # Kubrick and the themes that copied it: the headline is the post's own <h2>.
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' post ')]/h2",
    )
)
_LATE_TITLE_XPATH = etree.XPath("//article//h1 | //h1")
# Bylines, most to least specific; every name in the first that matches is an author.
_AUTHOR_XPATHS = tuple(
    etree.XPath(x)
    for x in (
        "//*[@itemprop='author']//*[@itemprop='name'] | //*[@itemprop='author'][not(.//*[@itemprop='name'])]",
        "//*[contains(@class, 'byline')]//a[contains(@rel, 'author') or contains(@class, 'author')]",
        "//a[contains(concat(' ', @rel, ' '), ' author ')]",
        "//*[contains(@class, 'author') and contains(@class, 'vcard')]//*[contains(@class, 'fn')]",
        "//*[contains(@class, 'post-author')]//*[contains(@class, 'fn')]",
        "//*[contains(@class, 'submitted')]//*[contains(@class, 'username')]",
        "//*[contains(@class, 'byline')]//a | //*[contains(@class, 'byline')]//*[contains(@class, 'author')]",
    )
)
# Whether any byline rule can match at all: one scan instead of seven on a page with none.
_ANY_BYLINE = etree.XPath(
    "boolean(//*[@itemprop='author' or contains(@class, 'byline') or contains(@rel, 'author')"
    " or contains(@class, 'author') or contains(@class, 'submitted')])"
)
_CATEGORY_XPATH = etree.XPath(
    "//a[contains(concat(' ', @rel, ' '), ' category ')]"
    " | //*[contains(@class, 'field-name-field-category') or contains(@class, 'field--name-field-category')]//a"
)
_TAG_XPATH = etree.XPath(
    "//a[contains(concat(' ', @rel, ' '), ' tag ') and not(contains(@rel, 'category'))]"
    " | //*[contains(@class, 'field-name-field-tags') or contains(@class, 'field--name-field-tags')]//a"
)
_SITE_NAME_XPATH = etree.XPath(
    "//*[contains(@class, 'site-title') or @id='site-name' or @id='site-title' or contains(@class, 'sitename')"
    " or @id='blog_title'] | //*[@id='headerimg']//h1 | //h1/a[@rel='home']"
    " | //*[contains(concat(' ', @class, ' '), ' Header ')]//h1"  # Blogger's header widget
)
_CANONICAL_XPATH = etree.XPath("//link[contains(concat(' ', @rel, ' '), ' canonical ')]/@href")


@dataclass(frozen=True)
class PageMetadata:
    title: str | None
    authors: tuple[str, ...]
    site_name: str | None
    language: str | None
    canonical_url: str | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]


def read_metadata(tree: html.HtmlElement, url: str | None, ld: JsonLd) -> PageMetadata:
    """Everything but the dates (``dates.find_dates``) and the body."""
    site_name = _meta(tree, "og:site_name") or ld.publisher_name() or _site_name(tree)
    return PageMetadata(
        title=_title(tree, site_name, ld),
        authors=_authors(tree, ld, site_name),
        site_name=site_name,
        language=_language(tree, ld),
        canonical_url=_canonical(tree, url),
        categories=_unique(
            _texts(tree, _CATEGORY_XPATH)
            + _metas(tree, "article:section")
            + ld.strings("articleSection")
        ),
        tags=_unique(
            _texts(tree, _TAG_XPATH)
            + _metas(tree, "article:tag")
            + [k for value in ld.strings("keywords") for k in _SPLIT_KEYWORDS.split(value)]
        ),
    )


def _meta(tree: html.HtmlElement, name: str) -> str | None:
    values = _metas(tree, name)
    return values[0] if values else None


def _metas(tree: html.HtmlElement, name: str) -> list[str]:
    found = []
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("http-equiv") or ""
        value = " ".join((meta.get("content") or "").split())
        if key.lower() == name and value:
            found.append(value)
    return found


def _title(tree: html.HtmlElement, site_name: str | None, ld: JsonLd) -> str | None:
    """The headline: the article's heading, else og:title or JSON-LD, else <title> without the site.

    Candidates are tried lazily, most specific first: most pages answer the first.
    """
    candidates: Iterator[Callable[[], str | None]] = iter(
        [
            *(partial(_first_text, tree, xpath) for xpath in _TITLE_XPATHS),
            partial(_meta, tree, "og:title"),
            lambda: next(iter(ld.strings("headline")), None),
            partial(_first_text, tree, _LATE_TITLE_XPATH),
            lambda: _strip_site(" ".join(tree.xpath("string(//title)").split()), site_name),
        ]
    )
    for candidate in candidates:
        title = candidate()
        if title and title != site_name:
            return title
    return None


def _strip_site(title: str, site_name: str | None) -> str | None:
    parts = TITLE_SEPARATORS.split(title)
    if site_name and len(parts) > 1:
        parts = [p for p in parts if p.strip() != site_name]
    return parts[0].strip() if parts and parts[0].strip() else None


def _site_name(tree: html.HtmlElement) -> str | None:
    """The blog's name from its header, else the application-name meta tag."""
    return _first_text(tree, _SITE_NAME_XPATH) or _meta(tree, "application-name")


def _authors(tree: html.HtmlElement, ld: JsonLd, site_name: str | None) -> tuple[str, ...]:
    """Every author the first source that names a person gives: JSON-LD, meta tags, bylines,
    then trafilatura's own author rules (library first: on wcxb-dev they find an author
    where ours found none on 69 of 152 such article pages, issue 9).

    A name that is the site's or the publisher's is the organisation, not an author
    ("Instructables", "CDC" where a person wrote the piece): that source is passed over.
    """
    organisations = {n.casefold() for n in (site_name, ld.publisher_name()) if n}
    sources: list[Callable[[], list[str]]] = [
        ld.author_names,
        lambda: [v for name in _META_AUTHORS for v in _metas(tree, name)],
        lambda: [p for p in _metas(tree, "article:author") if not p.startswith("http")],
        *(partial(_texts, tree, xpath) for xpath in (_AUTHOR_XPATHS if _ANY_BYLINE(tree) else ())),
        lambda: _split_names(fallback_author(tree) or ""),
    ]
    organisation: tuple[str, ...] = ()
    for source in sources:
        cleaned = _unique([_BYLINE_PREFIX.sub("", n).strip(" ,|") for n in source()])
        cleaned = tuple(n for n in cleaned if _could_be_a_name(n))
        people = tuple(n for n in cleaned if n.casefold() not in organisations)
        if people:
            return people
        organisation = organisation or cleaned
    return organisation  # the site itself, when nothing names a person ("Swoogo", "EcoFlow")


def _could_be_a_name(text: str) -> bool:
    """Not a label, a date or a CSS class printed where a byline goes ("Author", "Dec",
    "Updated January", "wp-block-co-authors-plus ...")."""
    words = text.split()
    if not 2 <= len(text) <= 100 or not words:
        return False
    if text.casefold() in _NOT_NAMES or words[0].casefold().rstrip(".:") in _DATE_WORDS:
        return False
    return not any(word.count("-") >= 2 for word in words)


def _split_names(names: str) -> list[str]:
    """trafilatura joins several authors with "; "."""
    return [name.strip() for name in names.split(";") if name.strip()]


def _language(tree: html.HtmlElement, ld: JsonLd) -> str | None:
    languages = ld.strings("inLanguage")
    value = (
        tree.get("lang")
        or tree.get("xml:lang")
        or _meta(tree, "og:locale")
        or _meta(tree, "content-language")
        or (languages[0] if languages else None)
    )
    return value.replace("_", "-").split("-")[0].lower() if value else None


def _canonical(tree: html.HtmlElement, url: str | None) -> str | None:
    for href in _CANONICAL_XPATH(tree):
        href = href.strip()
        if href:
            return urljoin(url or "", href)
    return None


def _first_text(tree: html.HtmlElement, xpath: etree.XPath) -> str | None:
    texts = _texts(tree, xpath)
    return texts[0] if texts else None


def _texts(tree: html.HtmlElement, xpath: etree.XPath) -> list[str]:
    """The text of each match outside the comment section."""
    found = []
    for element in xpath(tree):
        if IN_COMMENTS(element):
            continue
        text = " ".join(element.text_content().split())
        if text:
            found.append(text)
    return found


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(" ".join(v.split()) for v in values if v and v.strip()))

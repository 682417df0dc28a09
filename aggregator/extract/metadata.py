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

from aggregator.extract import finders
from aggregator.extract.authors import fallback_author
from aggregator.extract.content import IN_COMMENTS
from aggregator.extract.elements import Elements
from aggregator.extract.finders import Finder
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
_TITLE_FINDERS: tuple[Finder, ...] = (
    finders.itemprop_headlines,
    finders.titled_h1s,
    finders.post_headings,
    finders.kubrick_headings,
)
_LATE_TITLE_XPATH = etree.XPath("//article//h1 | //h1")
# Bylines, most to least specific; every name in the first that matches is an author. Each
# with the words it needs in one attribute (``Marked``'s) of some element: on a page where
# they are nowhere it finds nothing and is not run (libxml2 tests its predicates on every
# element; on bench/crawl.py's pages the seven cost a tenth of a page's read).
_AUTHOR_XPATHS = tuple(
    (etree.XPath(xpath), attribute, needs)
    for xpath, attribute, needs in (
        (
            "//*[@itemprop='author']//*[@itemprop='name'] | //*[@itemprop='author'][not(.//*[@itemprop='name'])]",
            "itemprop",
            ("author",),
        ),
        (
            "//*[contains(@class, 'byline')]//a[contains(@rel, 'author') or contains(@class, 'author')]",
            "cls",
            ("byline",),
        ),
        ("//a[contains(concat(' ', @rel, ' '), ' author ')]", "rel", ("author",)),
        (
            "//*[contains(@class, 'author') and contains(@class, 'vcard')]//*[contains(@class, 'fn')]",
            "cls",
            ("author", "vcard"),
        ),
        (
            "//*[contains(@class, 'post-author')]//*[contains(@class, 'fn')]",
            "cls",
            ("post-author",),
        ),
        (
            "//*[contains(@class, 'submitted')]//*[contains(@class, 'username')]",
            "cls",
            ("submitted",),
        ),
        (
            "//*[contains(@class, 'byline')]//a | //*[contains(@class, 'byline')]//*[contains(@class, 'author')]",
            "cls",
            ("byline",),
        ),
    )
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


def read_metadata(
    tree: html.HtmlElement, url: str | None, ld: JsonLd, elements: Elements
) -> PageMetadata:
    """Everything but the dates (``dates.find_dates``) and the body."""
    site_name = _meta(tree, "og:site_name") or ld.publisher_name() or _site_name(tree, elements)
    return PageMetadata(
        title=_title(tree, elements, site_name, ld),
        authors=_authors(tree, elements, ld, site_name),
        site_name=site_name,
        language=_language(tree, ld),
        canonical_url=_canonical(tree, url),
        categories=_unique(
            _texts(finders.category_links(elements))
            + _metas(tree, "article:section")
            + ld.strings("articleSection")
        ),
        tags=_unique(
            _texts(finders.tag_links(elements))
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


def _title(
    tree: html.HtmlElement, elements: Elements, site_name: str | None, ld: JsonLd
) -> str | None:
    """The headline: the article's heading, else og:title or JSON-LD, else <title> without the site.

    Candidates are tried lazily, most specific first: most pages answer the first.
    """
    candidates: Iterator[Callable[[], str | None]] = iter(
        [
            *(partial(_first_found, finder, elements) for finder in _TITLE_FINDERS),
            partial(_meta, tree, "og:title"),
            lambda: next(iter(ld.strings("headline")), None),
            lambda: _first_text(_LATE_TITLE_XPATH(tree)),
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


def _site_name(tree: html.HtmlElement, elements: Elements) -> str | None:
    """The blog's name from its header, else the application-name meta tag."""
    return _first_text(finders.site_names(elements)) or _meta(tree, "application-name")


def _authors(
    tree: html.HtmlElement, elements: Elements, ld: JsonLd, site_name: str | None
) -> tuple[str, ...]:
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
        *(partial(_texts_of, xpath, tree) for xpath in _byline_xpaths(elements)),
        lambda: _split_names(fallback_author(elements) or ""),
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


def _byline_xpaths(elements: Elements) -> list[etree.XPath]:
    """The byline XPaths that may find something on the page (in their order)."""
    if not finders.may_have_byline(elements):
        return []
    return [
        xpath
        for xpath, attribute, needs in _AUTHOR_XPATHS
        if all(elements.mention(attribute, word) for word in needs)
    ]


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


def _first_found(finder: Finder, elements: Elements) -> str | None:
    return _first_text(finder(elements))


def _first_text(found: list[html.HtmlElement]) -> str | None:
    texts = _texts(found)
    return texts[0] if texts else None


def _texts_of(xpath: etree.XPath, tree: html.HtmlElement) -> list[str]:
    return _texts(xpath(tree))


def _texts(found: list[html.HtmlElement]) -> list[str]:
    """The text of each element found outside the comment section."""
    texts = []
    for element in found:
        if IN_COMMENTS(element):
            continue
        text = " ".join(element.text_content().split())
        if text:
            texts.append(text)
    return texts


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(" ".join(v.split()) for v in values if v and v.strip()))

"""The extraction pipeline: body sniffing, page kind, metadata, chrome removal, trafilatura, cleanup.

One parse per page: the lxml tree is read for metadata and dates, then the
article container (or the whole page) is cleaned in place and handed to
trafilatura, whose text gets the line-level safety net and the credit split.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, tzinfo

import trafilatura
from lxml import etree, html

from aggregator import defaults
from aggregator.extract.article import Article, Extraction
from aggregator.extract.attribution import split_credit, take_credit
from aggregator.extract.bodies import parse_html, sniff
from aggregator.extract.chrome import CHROME_LINES, COMMENT_SECTION_STARTS
from aggregator.extract.content import (
    as_document,
    find_content,
    remove_chrome,
    remove_widgets,
    visible_words,
)
from aggregator.extract.dates import find_dates
from aggregator.extract.elements import Elements
from aggregator.extract.jsonld import JsonLd
from aggregator.extract.metadata import read_metadata
from aggregator.extract.pagekind import ARTICLE, classify

logger = logging.getLogger(__name__)

# Drop reasons, as counted in crawl stats ("aggregator/dropped/<reason>"); the page
# kinds (listing, search_results, attachment, not_found, soft_404) and the body
# kinds (empty, not_html, feed, comment_feed) are reasons too.
UNPARSEABLE = "unparseable"
TOO_SHORT = "too_short"


@dataclass(frozen=True)
class ExtractOptions:
    """How to read a page: the outlet's time zone for dates without one, and the shortest article.

    ``max_chrome_line_words``: a line longer than this is never dropped by the
    text-level chrome patterns (chrome lines are short; a paragraph that happens
    to start with "Posted in" is not chrome).
    ``page_kinds``: False reads any HTML page's content as an article (a
    listing's too); benchmarks use it to score the text apart from the check.
    """

    timezone: tzinfo = UTC
    min_words: int = defaults.AGGREGATOR_MIN_ARTICLE_WORDS
    max_chrome_line_words: int = defaults.AGGREGATOR_EXTRACT_MAX_CHROME_LINE_WORDS
    page_kinds: bool = True


def extract_page(
    html_text: str,
    url: str | None = None,
    options: ExtractOptions | None = None,
    tree: html.HtmlElement | None = None,
) -> Extraction:
    """The article of a page, or the reason it has none (listing, not_found, too_short, ...).

    ``tree`` is ``html_text`` parsed already (``parse_html``), for a caller that read it
    too; it is cleaned in place.
    """
    options = options or ExtractOptions()
    body = sniff(html_text, url)
    if body.reason:
        return Extraction(None, body.reason, body.detail)
    if tree is None:
        try:
            tree = parse_html(html_text)
        except (etree.ParserError, ValueError) as exc:
            return Extraction(None, UNPARSEABLE, str(exc))
    ld = JsonLd.from_tree(tree)
    elements = Elements(tree)
    kind = classify(tree, url, ld, elements) if options.page_kinds else None
    if kind is not None and kind.kind != ARTICLE:
        return Extraction(None, kind.kind, kind.evidence)
    return _extract_article(tree, url, options, ld, elements)


def extract_article(
    html_text: str, url: str | None = None, options: ExtractOptions | None = None
) -> Article | None:
    """The article a page carries, or None when the page is not an article.

    >>> tag_archive = '<html><body class="archive tag"><p>Posts tagged "north korea"</p></body></html>'
    >>> extract_article(tag_archive, "https://example.org/tag/north-korea/") is None
    True
    """
    return extract_page(html_text, url, options).article


def _extract_article(
    tree: html.HtmlElement,
    url: str | None,
    options: ExtractOptions,
    ld: JsonLd,
    elements: Elements,
) -> Extraction:
    metadata = read_metadata(tree, url, ld, elements)
    dates = find_dates(tree, url, options.timezone, ld, elements)
    content = find_content(tree, elements)
    if content.known:
        remove_chrome(content.root)
    else:
        remove_widgets(elements)
    attribution = take_credit(content.root) if content.known else None
    document = as_document(content.root) if content.known else content.root
    paragraphs = _clean_lines(
        _trafilatura_text(document, url, content.known), options, content.known
    )
    if len(paragraphs) > 1 and metadata.title and _same(paragraphs[0], metadata.title):
        paragraphs = paragraphs[1:]  # the headline is metadata, not body text
    if attribution is None:
        credit = split_credit(paragraphs, document)
        paragraphs, attribution = credit.paragraphs, credit.attribution
    text = "\n".join(paragraphs)
    words = len(text.split())
    if words < options.min_words:
        return Extraction(None, TOO_SHORT, f"{words} words")
    article = Article(
        url=url,
        title=metadata.title,
        text=text,
        author=_byline(metadata.authors),
        published=dates.published,
        updated=dates.updated,
        date_source=dates.source,
        attribution=attribution,
        language=metadata.language,
        site_name=metadata.site_name,
        canonical_url=metadata.canonical_url,
        categories=metadata.categories,
        tags=metadata.tags,
        authors=metadata.authors,
    )
    return Extraction(article)


def _trafilatura_text(document: html.HtmlElement, url: str | None, known: bool) -> str:
    """trafilatura's text of the cleaned document.

    In a known article container everything left is article, so recall is
    favoured, and trafilatura's fast path (no fallback extractors) reads it; only
    when that returns under half the container's words (text in bare ``<div>``s)
    do the fallbacks run. On an unknown page trafilatura's whole default decides,
    fallbacks included: that is what trafilatura's users get (issue 9).
    """
    if known:
        text = _bare_extraction(document, url, fast=True, favor_recall=True)
        if len(text.split()) * 2 >= visible_words(document):
            return text
    return _bare_extraction(document, url, fast=False, favor_recall=known)


def _bare_extraction(
    document: html.HtmlElement, url: str | None, fast: bool, favor_recall: bool
) -> str:
    result = trafilatura.bare_extraction(
        document,
        url=url,
        fast=fast,
        include_comments=False,
        include_tables=True,
        include_images=False,
        favor_recall=favor_recall,
        with_metadata=False,
    )
    return (result.text if result is not None else "") or ""


def _clean_lines(text: str, options: ExtractOptions, known: bool = True) -> list[str]:
    """The text-level safety net: drop known chrome lines; in a known container, stop at a
    comment section.

    On a page read whole, trafilatura has already left the comments out by their
    markup, and a "76 Replies" line there heads a forum's thread, which is the
    page's content (on wcxb-dev, cutting there too cost forum pages their text).
    """
    kept = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        short = len(line.split()) <= options.max_chrome_line_words
        if known and short and COMMENT_SECTION_STARTS.match(line):
            break
        if not (short and CHROME_LINES.match(line)):
            kept.append(line)
    return kept


def _same(line: str, title: str) -> bool:
    return " ".join(line.split()).casefold() == " ".join(title.split()).casefold()


def _byline(authors: tuple[str, ...]) -> str | None:
    """Authors as a byline reads: "A", "A and B", "A, B and C"."""
    if len(authors) <= 1:
        return authors[0] if authors else None
    return f"{', '.join(authors[:-1])} and {authors[-1]}"

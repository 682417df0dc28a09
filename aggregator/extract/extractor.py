"""The extraction pipeline: page kind, metadata, chrome removal, trafilatura, cleanup, credit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, tzinfo

import trafilatura
from lxml import etree, html
from lxml.cssselect import CSSSelector

from aggregator import defaults
from aggregator.extract.article import Article, Extraction
from aggregator.extract.attribution import split_credit
from aggregator.extract.chrome import CHROME_LINES, CHROME_SELECTORS, COMMENT_SECTION_STARTS
from aggregator.extract.dates import find_dates
from aggregator.extract.metadata import read_metadata
from aggregator.extract.pagekind import ARTICLE, classify

logger = logging.getLogger(__name__)

_CHROME_XPATH = etree.XPath(" | ".join(CSSSelector(s).path for s in CHROME_SELECTORS))
_CAPTIONS = etree.XPath(
    "//figcaption | //*[contains(concat(' ', normalize-space(@class), ' '), ' wp-caption-text ')]"
)

# Drop reasons, as counted in crawl stats ("aggregator/dropped/<reason>").
EMPTY = "empty"
NOT_HTML = "not_html"
UNPARSEABLE = "unparseable"
TOO_SHORT = "too_short"


@dataclass(frozen=True)
class ExtractOptions:
    """How to read a page: the outlet's time zone for dates without one, and the shortest article."""

    timezone: tzinfo = UTC
    min_words: int = defaults.AGGREGATOR_MIN_ARTICLE_WORDS


def extract_page(
    html_text: str, url: str | None = None, options: ExtractOptions | None = None
) -> Extraction:
    """The article of a page, or the reason it has none (listing, not_found, too_short, ...)."""
    options = options or ExtractOptions()
    if not html_text or not html_text.strip():
        return Extraction(None, EMPTY)
    if "\x00" in html_text[:4096] or "<" not in html_text[:4096]:
        return Extraction(None, NOT_HTML, "no markup in the first 4 KiB")
    try:
        tree = html.document_fromstring(html_text)
    except (etree.ParserError, ValueError) as exc:
        return Extraction(None, UNPARSEABLE, str(exc))
    kind, evidence = classify(tree, url)
    if kind != ARTICLE:
        return Extraction(None, kind, evidence)
    metadata = read_metadata(tree, url)
    dates = find_dates(tree, url, options.timezone)
    _remove_chrome(tree)
    paragraphs = _article_paragraphs(tree, url)
    credit = split_credit(paragraphs, tree)
    text = "\n".join(credit.paragraphs)
    if len(text.split()) < options.min_words:
        return Extraction(None, TOO_SHORT, f"{len(text.split())} words")
    article = Article(
        url=url,
        title=metadata.title,
        text=text,
        author=metadata.author,
        published=dates.published,
        updated=dates.updated,
        date_source=dates.source,
        attribution=credit.attribution,
        language=metadata.language,
        site_name=metadata.site_name,
        canonical_url=metadata.canonical_url,
        categories=metadata.categories,
        tags=metadata.tags,
    )
    return Extraction(article)


def extract_article(
    html_text: str, url: str | None = None, options: ExtractOptions | None = None
) -> Article | None:
    """The article a page carries, or None when the page is not an article.

    >>> article = extract_article(open("page.html").read(), "https://example.org/post/")  # doctest: +SKIP
    >>> article.title, article.published, article.attribution
    """
    return extract_page(html_text, url, options).article


def _remove_chrome(tree: html.HtmlElement) -> None:
    for caption in _CAPTIONS(tree):
        _unwrap_caption(caption)
    for element in _CHROME_XPATH(tree):
        parent = element.getparent()
        if parent is not None:
            element.drop_tree()


def _unwrap_caption(caption: html.HtmlElement) -> None:
    """Replace an image block by its caption as a plain paragraph (trafilatura drops figures)."""
    text = " ".join(caption.text_content().split())
    figure = next(
        (
            a
            for a in caption.iterancestors()
            if a.tag == "figure" or "wp-caption" in (a.get("class") or "")
        ),
        caption,
    )
    paragraph = html.Element("p")
    paragraph.text = text
    paragraph.tail = figure.tail
    if figure.getparent() is not None:
        figure.getparent().replace(figure, paragraph)


def _article_paragraphs(tree: html.HtmlElement, url: str | None) -> list[str]:
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        include_images=False,
        favor_recall=True,
        with_metadata=False,
    )
    text = document.text if document is not None else ""
    kept = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if COMMENT_SECTION_STARTS.match(line):
            break
        if not CHROME_LINES.match(line):
            kept.append(line)
    return kept

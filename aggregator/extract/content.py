"""The DOM side of cleaning: find the article's container, drop the known chrome, keep captions.

Handing trafilatura only the element that holds the article (when a known
platform container is there) is both more precise and faster than letting it
search the whole page: the comment thread, the sidebar and the share widgets
are never candidates, and trafilatura's own copy of the tree is small.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree, html

from aggregator.extract.chrome import (
    CAPTION_SELECTORS,
    CHROME_SELECTORS,
    CONTENT_SELECTORS,
    FIGURE_SELECTORS,
    LEAD_SELECTORS,
)
from aggregator.extract.selectors import SelectorSet

# A comment's own body often carries the same classes as the article's (entry-content).
IN_COMMENTS = etree.XPath(
    "ancestor-or-self::*[contains(concat(' ', normalize-space(@class), ' '), ' comment ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' comments ')"
    " or starts-with(@id, 'comment-') or @id='comments' or @id='respond']"
)


_CONTENT = SelectorSet(CONTENT_SELECTORS)
_LEAD = SelectorSet(LEAD_SELECTORS)
_CHROME = SelectorSet(CHROME_SELECTORS)
_CAPTIONS = SelectorSet(CAPTION_SELECTORS)
_FIGURES = SelectorSet(FIGURE_SELECTORS)


@dataclass(frozen=True)
class Content:
    """The element to extract from, and whether it is a known article container."""

    root: html.HtmlElement
    known: bool


def find_content(tree: html.HtmlElement) -> Content:
    """The article container (the first known selector matching outside the comments), else the page.

    The standfirst a news site prints above the body is moved in front of it,
    so that it is read as the article's first paragraph.
    """
    best: tuple[int, html.HtmlElement] | None = None
    for element in tree.iter():
        rank = _CONTENT.rank(element)
        if rank is None or (best is not None and rank >= best[0]):
            continue
        if not IN_COMMENTS(element) and element.text_content().strip():
            best = (rank, element)
    if best is None:
        return Content(tree, False)
    _prepend_lead(tree, best[1])
    return Content(best[1], True)


def _prepend_lead(tree: html.HtmlElement, root: html.HtmlElement) -> None:
    for lead in _LEAD.select(tree):
        if root in lead.iterancestors() or IN_COMMENTS(lead):
            continue
        text = " ".join(lead.text_content().split())
        if text:
            paragraph = html.Element("p")
            paragraph.text = text
            root.insert(0, paragraph)
        return


def remove_chrome(root: html.HtmlElement) -> None:
    """Unwrap captions into paragraphs, then drop every known chrome element under ``root``."""
    for caption in list(_CAPTIONS.select(root)):
        _unwrap_caption(caption)
    for element in list(_CHROME.select(root)):
        if element is not root and element.getparent() is not None:
            element.drop_tree()


def _unwrap_caption(caption: html.HtmlElement) -> None:
    """Replace an image block by its caption as a plain paragraph (trafilatura drops figures)."""
    text = " ".join(caption.text_content().split())
    figure = next((a for a in caption.iterancestors() if _is_figure(a)), caption)
    paragraph = html.Element("p")
    paragraph.text = text
    paragraph.tail = figure.tail
    parent = figure.getparent()
    if parent is not None:
        parent.replace(figure, paragraph)


def _is_figure(element: html.HtmlElement) -> bool:
    return _FIGURES.matches(element)


def as_document(root: html.HtmlElement) -> html.HtmlElement:
    """A minimal page holding only ``root`` inside <article>, the shape trafilatura looks for."""
    document = html.Element("html")
    body = etree.SubElement(document, "body")
    article = etree.SubElement(body, "article")
    if root.getparent() is not None:
        root.getparent().remove(root)  # keeps root.tail in the old tree
    root.tail = None
    article.append(root)
    return document

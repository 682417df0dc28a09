"""The DOM side of cleaning: find the article's container, drop the known chrome, keep captions.

Handing trafilatura only the element that holds the article (when a known
platform container is there) is both more precise and faster than letting it
search the whole page: the comment thread, the sidebar and the share widgets
are never candidates, and trafilatura's own copy of the tree is small.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree, html

from aggregator.extract.bodies import make_element
from aggregator.extract.chrome import (
    CAPTION_SELECTORS,
    CHROME_SELECTORS,
    CONTENT_SELECTORS,
    FIGURE_SELECTORS,
    LEAD_SELECTORS,
    PLATFORM_WIDGET_SELECTORS,
    PROSE_KEPT_SELECTORS,
)
from aggregator.extract.elements import Elements
from aggregator.extract.selectors import SelectorSet

# A comment's own body often carries the same classes as the article's (entry-content).
_COMMENT_SECTION = (
    "*[contains(concat(' ', normalize-space(@class), ' '), ' comment ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' comments ')"
    " or starts-with(@id, 'comment-') or @id='comments' or @id='respond']"
)
IN_COMMENTS = etree.XPath(f"ancestor-or-self::{_COMMENT_SECTION}")
# One query for the page's paragraphs outside the comments (not one per paragraph).
_PARAGRAPHS_OUTSIDE_COMMENTS = etree.XPath(f"//p[not(ancestor-or-self::{_COMMENT_SECTION})]")


_VISIBLE_TEXT = etree.XPath(".//text()[not(ancestor::script or ancestor::style)]")
_CONTENT = SelectorSet(CONTENT_SELECTORS)
_LEAD = SelectorSet(LEAD_SELECTORS)
_CHROME = SelectorSet(CHROME_SELECTORS)
_WIDGETS = SelectorSet(PLATFORM_WIDGET_SELECTORS)
_PROSE_KEPT = SelectorSet(PROSE_KEPT_SELECTORS)
_PROSE_WORDS = 30  # a paragraph this long is writing, not a widget's label or teaser
_FIGURES = SelectorSet(FIGURE_SELECTORS)
_CAPTIONS = SelectorSet(CAPTION_SELECTORS)


@dataclass(frozen=True)
class Content:
    """The element to extract from, and whether it is a known article container."""

    root: html.HtmlElement
    known: bool


def find_content(tree: html.HtmlElement, elements: Elements) -> Content:
    """The article container, else the page.

    Candidates are the elements a known selector matches outside the comments.
    A page may carry several (a teaser's ``.post-content`` in a related-posts
    box, a promotion in a ``field--name-body`` of its own): the one with the most
    words wins, and a more specific selector only when it holds at least half as
    many. A container holding less than half the paragraph text of the page is
    not trusted (the article lives in markup we do not know), so the page is
    read whole. The standfirst a news site prints above the body is moved in
    front of it, so that it is read as the article's first paragraph.
    """
    candidates = []
    for rank, element in _CONTENT.ranked(elements):
        if IN_COMMENTS(element):
            continue
        words = visible_words(element)
        if words:
            candidates.append((rank, words, element))
    if not candidates:
        return Content(tree, False)
    most = max(words for _, words, _ in candidates)
    _, words, best = min((c for c in candidates if c[1] * 2 >= most), key=lambda c: c[0])
    if words * 2 < _paragraph_words(tree):
        return Content(tree, False)
    _prepend_lead(elements, best)
    return Content(best, True)


def visible_words(element: html.HtmlElement) -> int:
    """Words a reader sees in ``element`` (not its scripts' and styles' text)."""
    return sum(len(text.split()) for text in _VISIBLE_TEXT(element))


def _paragraph_words(tree: html.HtmlElement) -> int:
    """Words in the page's paragraphs outside the comments: the article's likely size."""
    return sum(len(p.text_content().split()) for p in _PARAGRAPHS_OUTSIDE_COMMENTS(tree))


def _prepend_lead(elements: Elements, root: html.HtmlElement) -> None:
    for _, lead in _LEAD.ranked(elements):
        if root in lead.iterancestors() or IN_COMMENTS(lead):
            continue
        text = " ".join(lead.text_content().split())
        if text:
            paragraph = make_element("p")
            paragraph.text = text
            root.insert(0, paragraph)
        return


def remove_chrome(root: html.HtmlElement) -> None:
    """Drop every known chrome element under ``root``, and images with their captions.

    On wcxb-dev the reviewed texts of real articles leave captions out, and
    keeping them as paragraphs (our rule until issue 9) cost precision. A figure
    that holds more than its caption (a WordPress table block) only loses its
    tag, so that its table is read.
    """
    for figure in list(_FIGURES.select(root)):
        if figure is root or figure.getparent() is None:
            continue
        captions = sum(visible_words(c) for c in _CAPTIONS.select(figure) if c is not figure)
        if visible_words(figure) > captions:
            figure.drop_tag()  # a table (or text) inside: read it
        else:
            figure.drop_tree()  # an image and its caption
    words = len(root.text_content().split())
    for element in list(_CHROME.select(root)):
        if element is root or element.getparent() is None:
            continue
        if len(element.text_content().split()) * 2 > words:
            continue  # chrome is small beside the article: a page builder's "widget" holding it is not
        if _PROSE_KEPT.matches(element) and _has_prose(element):
            continue
        element.drop_tree()


def remove_widgets(elements: Elements) -> None:
    """Drop the platform widgets (Jetpack share, like, follow, related posts) from a page
    read whole: unlike a sidebar or a header, they are never article text anywhere."""
    for _, element in list(_WIDGETS.ranked(elements)):
        if element.getparent() is not None:
            element.drop_tree()


def _has_prose(element: html.HtmlElement) -> bool:
    return any(len(p.text_content().split()) >= _PROSE_WORDS for p in element.iter("p"))


def as_document(root: html.HtmlElement) -> html.HtmlElement:
    """A minimal page holding only ``root`` inside <article>, the shape trafilatura looks for."""
    document = make_element("html")
    body = etree.SubElement(document, "body")
    article = etree.SubElement(body, "article")
    if root.getparent() is not None:
        root.getparent().remove(root)  # keeps root.tail in the old tree
    root.tail = None
    article.append(root)
    return document

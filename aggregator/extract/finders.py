"""Where themes print the headline, the byline and its date, the term links, the site's
name and a listing's entries.

Each finder answers what the XPath in its docstring would, in document order,
from the page's ``Elements`` (``elements.py`` says why not XPath).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import html

from aggregator.extract.elements import Elements, Marked

Finder = Callable[[Elements], list[html.HtmlElement]]

_POST_CLASSES = frozenset(
    ["post", "hentry", "type-post", "post-outer", "node-teaser", "node--view-mode-teaser", "teaser"]
)
_DATELINE_CLASSES = re.compile(
    "entry-meta|post-meta|byline|postmetadata|dateline|posted-on|entry-date|published|date"
    "|postdate|post-info|meta|submitted|timestamp"
)


def itemprop_headlines(elements: Elements) -> list[html.HtmlElement]:
    """``//*[@itemprop='headline']``"""
    if not elements.mention("itemprop", "headline"):
        return []
    return elements.where(lambda m: m.itemprop == "headline")


def titled_h1s(elements: Elements) -> list[html.HtmlElement]:
    """``//article//h1[contains(@class, 'title')]``, or an <h1> anywhere whose class contains
    entry-title, post-title, page-title or headline, or whose id is page-title."""
    return elements.where(lambda m: m.tag == "h1" and _titled(m))


def _titled(m: Marked) -> bool:
    if any(name in m.cls for name in ("entry-title", "post-title", "page-title", "headline")):
        return True
    if m.id == "page-title":
        return True
    return "title" in m.cls and next(m.element.iterancestors("article"), None) is not None


def post_headings(elements: Elements) -> list[html.HtmlElement]:
    """``//*[contains(@class, 'post') or contains(@class, 'hentry')]//*[self::h2 or self::h3]
    [contains(@class, 'entry-title') or contains(@class, 'post-title')]``"""
    return elements.where(
        lambda m: (
            m.tag in ("h2", "h3")
            and ("entry-title" in m.cls or "post-title" in m.cls)
            and any(
                "post" in c or "hentry" in c
                for c in (a.get("class") or "" for a in m.element.iterancestors())
            )
        )
    )


def kubrick_headings(elements: Elements) -> list[html.HtmlElement]:
    """``//*[contains(concat(' ', normalize-space(@class), ' '), ' post ')]/h2``: Kubrick and
    the themes that copied it print the headline as the post's own <h2>."""
    return elements.where(lambda m: m.tag == "h2" and "post" in _parent_words(m.element))


def _parent_words(element: html.HtmlElement) -> list[str]:
    parent = element.getparent()
    return (parent.get("class") or "").split() if parent is not None else []


def _parent_tag(element: html.HtmlElement) -> str | None:
    parent = element.getparent()
    return parent.tag if parent is not None else None


def may_have_byline(elements: Elements) -> bool:
    """``boolean(//*[@itemprop='author' or contains(@class, 'byline') or contains(@rel,
    'author') or contains(@class, 'author') or contains(@class, 'submitted')])``"""
    return any(
        m.itemprop == "author"
        or "author" in m.rel
        or any(name in m.cls for name in ("byline", "author", "submitted"))
        for m in elements
    )


def category_links(elements: Elements) -> list[html.HtmlElement]:
    """``//a[contains(concat(' ', @rel, ' '), ' category ')]`` and the links inside a Drupal
    category field."""
    return _term_links(
        elements,
        ("category", lambda m: " category " in f" {m.rel} "),
        ("field-name-field-category", "field--name-field-category"),
    )


def tag_links(elements: Elements) -> list[html.HtmlElement]:
    """``//a[contains(concat(' ', @rel, ' '), ' tag ') and not(contains(@rel, 'category'))]``
    and the links inside a Drupal tags field."""
    return _term_links(
        elements,
        ("tag", lambda m: " tag " in f" {m.rel} " and "category" not in m.rel),
        ("field-name-field-tags", "field--name-field-tags"),
    )


def _term_links(
    elements: Elements, linked: tuple[str, Callable[[Marked], bool]], fields: tuple[str, ...]
) -> list[html.HtmlElement]:
    """``linked``: a word every rel it accepts holds, and the test."""
    word, test = linked
    by_rel = (
        elements.where(lambda m: m.tag == "a" and test(m)) if elements.mention("rel", word) else []
    )
    if not any(elements.mention("cls", field) for field in fields):
        return by_rel
    containers = elements.where(lambda m: any(field in m.cls for field in fields))
    if not containers:
        return by_rel
    return elements.in_order([*by_rel, *(a for c in containers for a in c.iterdescendants("a"))])


def site_names(elements: Elements) -> list[html.HtmlElement]:
    """``//*[contains(@class, 'site-title') or contains(@class, 'sitename') or @id='site-name'
    or @id='site-title' or @id='blog_title'] | //*[@id='headerimg']//h1 | //h1/a[@rel='home']
    | //*[contains(concat(' ', @class, ' '), ' Header ')]//h1`` (Blogger's header widget)."""
    ids = ("site-name", "site-title", "blog_title")
    words = [("cls", "site-title"), ("cls", "sitename"), *(("id", i) for i in ids), ("rel", "home")]
    named = []
    if any(elements.mention(attribute, word) for attribute, word in words):  # the test's needs
        named = elements.where(
            lambda m: (
                "site-title" in m.cls
                or "sitename" in m.cls
                or m.id in ids
                or (m.tag == "a" and m.rel == "home" and _parent_tag(m.element) == "h1")
            )
        )
    if not (elements.mention("id", "headerimg") or elements.mention("cls", "Header")):
        return named
    headers = elements.where(lambda m: m.id == "headerimg" or " Header " in f" {m.cls} ")
    if not headers:
        return named
    return elements.in_order([*named, *(h for c in headers for h in c.iterdescendants("h1"))])


def post_containers(elements: Elements) -> list[html.HtmlElement]:
    """A listing's entries: ``//article``, and the elements with a class word of a post or
    a teaser (post, hentry, type-post, post-outer, node-teaser, teaser, ...)."""
    return elements.where(
        lambda m: m.tag == "article" or not _POST_CLASSES.isdisjoint(m.cls.split())
    )


def dateline_containers(elements: Elements) -> list[html.HtmlElement]:
    """Where a byline's date is printed: ``//*[contains(@class, 'entry-meta') or
    contains(@class, 'post-meta') or ...]``, any of ``_DATELINE_CLASSES`` in the class."""
    return elements.where(lambda m: bool(_DATELINE_CLASSES.search(m.cls)))

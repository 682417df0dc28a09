"""trafilatura's own author rules, the last source of an author, in one walk over the page.

``trafilatura.metadata.extract_author`` deep-copies the page, deletes the
comments, sidebars, dates and figures from the copy, then runs three XPath
queries that libxml2 answers slowly (many predicates on every element, EXSLT
regular expressions calling back into Python): 13 ms on each of the 770 wcxb-dev
pages that reached it, a tenth of our time (issue 9). Here one pass over the
page's ``Elements`` finds the elements each rule and each deletion matches (the
same tags, attributes and regular expressions as trafilatura 2.x) in about 2 ms,
and a match's text is read as it would be in the pruned copy, so nothing is
copied or deleted. ``tests/extract/test_authors.py`` holds the two to the same
answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import html
from trafilatura.json_metadata import normalize_authors
from trafilatura.utils import trim

from aggregator.extract.elements import Elements

_MAX_CHARS = 120  # trafilatura's len_limit for an author's text

Rule = Callable[[str, dict[str, str]], bool]

_NAME_CLASS = re.compile(r"author-?name|AuthorName|authorName")
_BYLINE_ID = re.compile(r"author|zuozhe|bianji|xiaobian")
_BYLINE_CLASS = re.compile(
    r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
_ANY_ID = re.compile(r"[Aa]uthor")
_ANY_CLASS = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
_DISCARD_ID = re.compile(r"^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(
    r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram"
    r"|article-(?:share|support)|print|category|meta-date|meta-reviewer"
)


def _named_author(tag: str, a: dict[str, str]) -> bool:
    """Specific: rel/id/class "author", itemprop "author name", an author-name class.

    (trafilatura's ``rel='me'`` here tests a child element named ``rel``, which
    HTML has not: it is left out.)
    """
    if tag == "author":
        return True
    return tag in {"a", "address", "div", "link", "p", "span", "strong"} and (
        a.get("rel") == "author"
        or a.get("id") == "author"
        or a.get("class") == "author"
        or a.get("itemprop") == "author name"
        or a.get("data-testid") in {"AuthorCard", "AuthorURL"}
        or bool(_NAME_CLASS.search(a.get("class", "")))
    )


def _byline(tag: str, a: dict[str, str]) -> bool:
    """Almost generic: byline and username classes, author ids and classes."""
    return tag in {"a", "div", "h3", "h4", "p", "span"} and (
        a.get("class") in {"byline", "username", "byl", "BBL"}
        or "author" in a.get("itemprop", "")
        or bool(_BYLINE_ID.search(a.get("id", "")))
        or bool(_BYLINE_CLASS.search(a.get("class", "")))
    )


def _anything_authorish(tag: str, a: dict[str, str]) -> bool:
    """Last resort, any element: author, writer, screenname or byline in its names."""
    return (
        "Byline" in a.get("data-component", "")
        or "author" in a.get("itemprop", "")
        or bool(_ANY_ID.search(a.get("id", "")))
        or bool(_ANY_CLASS.search(a.get("class", "")))
    )


_RULES: tuple[Rule, ...] = (_named_author, _byline, _anything_authorish)
_BARE_TAGS = frozenset(["author", "time", "figure"])  # matched by their tag alone
# Every other match has one of these in its class, id, itemprop, rel, data-testid or
# data-component (lowercased): the elements without (19 in 20 on wcxb-dev) are passed
# over before any rule runs.
_MAY_MATCH = re.compile(
    r"author|byl|bbl|username|screenname|writer|zuozhe|bianji|xiaobian|channel-name"
    r"|submitted-by|posted-by|journalist-name|comment|productreviews|sidebar|is-hidden|quote"
    r"|embedly-instagram|article-share|article-support|print|category|meta-date|meta-reviewer"
    r"|title|date|figure",
)


def _discarded(tag: str, a: dict[str, str]) -> bool:
    """What trafilatura deletes before looking: comments, sidebars, dates, quotes, figures."""
    if tag in {"time", "figure"}:
        return True
    return tag in {"a", "div", "section", "span"} and (
        a.get("id") == "comments"
        or a.get("class") in {"comments", "title", "date"}
        or bool(_DISCARD_ID.search(a.get("id", "")))
        or bool(_DISCARD_CLASS.search(a.get("class", "")))
        or "Figure" in a.get("data-component", "")
    )


def fallback_author(elements: Elements) -> str | None:
    """What ``trafilatura.metadata.extract_author`` answers: authors joined by "; ", or None."""
    matches: list[list[html.HtmlElement]] = [[] for _ in _RULES]
    discarded: set[html.HtmlElement] = set()
    for m in elements:
        element, tag = m.element, m.tag
        data = f"{element.get('data-testid', '')} {element.get('data-component', '')}"
        named = f"{m.cls} {m.id} {m.itemprop} {m.rel} {data}".lower()
        if tag not in _BARE_TAGS and not _MAY_MATCH.search(named):
            continue
        attributes = dict(element.items())
        if _discarded(tag, attributes):
            discarded.add(element)
        for found, rule in zip(matches, _RULES, strict=True):
            if rule(tag, attributes):
                found.append(element)
    for found in matches:
        for element in found:
            if element in discarded or any(a in discarded for a in element.iterancestors()):
                continue
            text = trim(" ".join(_text_without(element, discarded)))
            if text and 2 < len(text) < _MAX_CHARS:
                return normalize_authors(None, text)
    return None


def _text_without(element: html.HtmlElement, discarded: set[html.HtmlElement]) -> list[str]:
    """``element.itertext()`` as it reads once the ``discarded`` elements are deleted.

    trafilatura deletes an element but keeps its tail, joined to the text before it
    (the previous sibling's tail, else the parent's text), so it is glued on here too.
    """
    parts: list[str] = []
    _collect(element, discarded, parts)
    return parts


def _collect(element: html.HtmlElement, discarded: set[html.HtmlElement], parts: list[str]) -> None:
    slot = None  # the index in parts of the text a deleted sibling's tail joins
    if element.text:
        parts.append(element.text)
        slot = len(parts) - 1
    for child in element:
        if child in discarded:
            if child.tail and slot is not None:
                parts[slot] += child.tail
            elif child.tail:
                parts.append(child.tail)
                slot = len(parts) - 1
            continue
        if isinstance(child.tag, str):
            _collect(child, discarded, parts)
        slot = None
        if child.tail:
            parts.append(child.tail)
            slot = len(parts) - 1

"""What a fetched body is before it is parsed: HTML, a feed, a comment feed, or not markup at all.

A crawler follows feed links and sometimes gets a PDF, an image or a JSON API
answer where it expected a page. None of them is an article; each is dropped
with a reason that says which (issue 3, item 5), without parsing it as HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree, html

EMPTY = "empty"
NOT_HTML = "not_html"
FEED = "feed"
COMMENT_FEED = "comment_feed"

_SNIFF_CHARS = 4096
_BINARY_MAGIC: tuple[tuple[str, str], ...] = (
    ("%PDF", "PDF document"),
    ("\x89PNG", "PNG image"),
    ("GIF8", "GIF image"),
    ("\xff\xd8\xff", "JPEG image"),
    ("PK\x03\x04", "ZIP archive"),
)
_FEED_ROOT = re.compile(r"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE)
_XML_ROOT = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?!html\b|!doctype html)[\w:]+", re.S
)
# WordPress titles its comment feeds "Comments on: <post>" / "Comments for <blog>",
# localised as below; Blogger serves them under /feeds/.../comments/.
_COMMENT_FEED_TITLE = re.compile(
    r"<title[^>]*>\s*(?:<!\[CDATA\[)?\s*(?:comments (?:on|for)\b|kommentare (?:zu|für)\b"
    r"|commentaires (?:sur|pour)\b|comentarios (?:en|para)\b)",
    re.IGNORECASE,
)
_COMMENT_FEED_URL = re.compile(r"/comments/(?:feed|default)\b|/feeds/[^/]+/comments/", re.I)


@dataclass(frozen=True)
class Sniff:
    """Why a body is not an HTML page (``reason`` None when it is one)."""

    reason: str | None
    detail: str = ""


def sniff(body: str, url: str | None = None) -> Sniff:
    """Tell an HTML page from the other bodies a crawl fetches, from the first few KiB."""
    if not body or not body.strip():
        return Sniff(EMPTY)
    head = body[:_SNIFF_CHARS].lstrip("\ufeff")
    for magic, what in _BINARY_MAGIC:
        if head.startswith(magic):
            return Sniff(NOT_HTML, what)
    if "\x00" in head:
        return Sniff(NOT_HTML, "binary body")
    stripped = head.lstrip()
    if stripped[:1] in "{[":
        return Sniff(NOT_HTML, "JSON body")
    if "<" not in head:
        return Sniff(NOT_HTML, "no markup in the first 4 KiB")
    if _FEED_ROOT.search(head) and _XML_ROOT.match(head):
        if _COMMENT_FEED_TITLE.search(head) or _COMMENT_FEED_URL.search(urlsplit(url or "").path):
            return Sniff(COMMENT_FEED, "comment feed")
        return Sniff(FEED, "RSS/Atom feed")
    if _XML_ROOT.match(head) and not re.search(r"<(?:html|body|head)\b", head, re.I):
        return Sniff(NOT_HTML, "XML document")
    return Sniff(None)


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# C0 control characters but tab, newline and return: libxml2 drops the text around one, so
# a single \x08 in a paragraph lost a whole article as too_short (issue 11, finding 9).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# HTML comments and processing instructions go at parse time, as trafilatura's own loader
# does: left in the tree they cut its text runs (a shop's category page lost three
# quarters of its text on wcxb-dev, issue 9).
_PARSER = html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
# lxml.html picks each element's Python class in a Python method, called every time an
# element is touched from Python (some 11,000 times a page, ours and trafilatura's
# walks together); one class for all, chosen in C, is what extraction needs (it never
# uses lxml's form helpers). Copies of the tree keep the parser's lookup.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=html.HtmlElement,
        comment=html.HtmlComment,
        pi=html.HtmlProcessingInstruction,
        entity=html.HtmlEntity,
    )
)


def parse_html(text: str) -> html.HtmlElement:
    """Parse a decoded page, without control characters. An XHTML page's ``<?xml ...
    encoding="..."?>`` declaration is dropped first: lxml refuses a decoded string that
    still declares its encoding."""
    cleaned = _CONTROLS.sub("", _XML_DECLARATION.sub("", text, count=1))
    return html.document_fromstring(cleaned, parser=_PARSER)


def make_element(tag: str) -> html.HtmlElement:
    """A new element, root of a document of its own, with the parser's element classes."""
    return _PARSER.makeelement(tag)

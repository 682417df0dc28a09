"""Is this page an article? Listing pages (tag, category, date archives, home
pages, search results, paged indexes), attachment pages and soft 404s are not:
their links are followed, but they are never stored as articles.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import html

ARTICLE = "article"
LISTING = "listing"
ATTACHMENT = "attachment"
NOT_FOUND = "not_found"

# WordPress (and Blogger/Drupal themes that copy it) name the page kind in <body class>.
_LISTING_BODY_CLASSES = frozenset(
    [
        "home",
        "blog",
        "archive",
        "category",
        "tag",
        "date",
        "author",
        "search",
        "search-results",
        "search-no-results",
        "paged",
        "tax-post_format",
        "post-type-archive",
    ]
)
_ARTICLE_BODY_CLASSES = frozenset(
    ["single", "single-post", "postid", "page-template-default", "page"]
)
_LISTING_URL = re.compile(
    r"/(?:tag|tags|category|categories|topics?|author|search|archives?|label)/"
    r"|/page/\d+/?$|[?&](?:s|paged|page)=|^/(?:\d{4}/(?:\d{2}/)?)?$|/\d{4}/(?:\d{2}/)?$",
    re.IGNORECASE,
)
_NOT_FOUND_TITLE = re.compile(
    r"\b(?:page not found|not found|nothing found|404|error 404|seite nicht gefunden|page introuvable)\b",
    re.IGNORECASE,
)
_POST_CONTAINERS = (
    "//article | //*[contains(concat(' ', normalize-space(@class), ' '), ' post ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' hentry ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' type-post ')]"
)


def classify(tree: html.HtmlElement, url: str | None = None) -> tuple[str, str]:
    """The page kind and the evidence for it, e.g. ``("listing", "body class 'tag'")``."""
    body_classes = set((_body(tree).get("class") or "").split())
    if "error404" in body_classes:
        return NOT_FOUND, "body class 'error404'"
    if "attachment" in body_classes or re.search(r"/attachment/", urlsplit(url or "").path):
        return ATTACHMENT, "attachment page"
    listing_classes = sorted(body_classes & _LISTING_BODY_CLASSES)
    if listing_classes and not body_classes & {"single", "single-post"}:
        return LISTING, f"body class {listing_classes[0]!r}"
    title = " ".join(tree.xpath("string(//title)").split())
    if _NOT_FOUND_TITLE.search(title) and len(title) < 80:
        return NOT_FOUND, f"title {title!r}"
    if _og_type(tree) == "website" and not body_classes & _ARTICLE_BODY_CLASSES:
        posts = _distinct_posts(tree)
        if posts >= 2:
            return LISTING, f"og:type website with {posts} posts"
    if not body_classes & _ARTICLE_BODY_CLASSES:
        parts = urlsplit(url or "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if url and _LISTING_URL.search(path):
            return LISTING, f"listing URL {path!r}"
        posts = _distinct_posts(tree)
        if posts >= 3:
            return LISTING, f"{posts} posts on one page"
    return ARTICLE, "article"


def _body(tree: html.HtmlElement) -> html.HtmlElement:
    body = tree.find("body")
    return body if body is not None else tree


def _og_type(tree: html.HtmlElement) -> str | None:
    values = tree.xpath("//meta[@property='og:type']/@content")
    return values[0].strip().lower() if values else None


def _distinct_posts(tree: html.HtmlElement) -> int:
    """Post containers whose heading links to a distinct URL (a listing's entries)."""
    targets = set()
    for container in tree.xpath(_POST_CONTAINERS):
        links = container.xpath("(.//h1|.//h2|.//h3)[1]//a/@href")
        if links:
            targets.add(links[0])
    return len(targets)

"""Is this page an article? Listing pages (tag, category, date archives, home
pages, paginated indexes), search results, attachment pages and soft 404s are
not: their links are followed, but they are never stored as articles (issue 3,
item 5). Each kind is its own drop reason; a listing's detail names which
listing it is ("tag archive", "home page", ...), from the evidence that decided.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from lxml import etree, html

from aggregator.extract import finders
from aggregator.extract.elements import Elements
from aggregator.extract.jsonld import JsonLd, is_article_item
from aggregator.extract.metadata import TITLE_SEPARATORS

ARTICLE = "article"
LISTING = "listing"
SEARCH_RESULTS = "search_results"
ATTACHMENT = "attachment"
NOT_FOUND = "not_found"  # the page says it is a 404 page (WordPress body class error404)
SOFT_404 = "soft_404"  # an error page served as if it were content

# WordPress (and the Blogger and Drupal themes that copy it) name the page kind in <body class>.
_LISTING_BODY_CLASSES: dict[str, str] = {
    "tag": "tag archive",
    "category": "category archive",
    "tax-post_format": "category archive",
    "page-taxonomy-term": "category archive",  # Drupal 7
    "path-taxonomy": "category archive",  # Drupal 8+
    "date": "date archive",
    "author": "author archive",
    "paged": "paginated index",
    "home": "home page",
    "front": "home page",  # Drupal 7
    "path-frontpage": "home page",  # Drupal 8+
    "blog": "home page",
    "feed-view": "index",  # Blogger
    "archive": "archive",
    "post-type-archive": "archive",
}
_SEARCH_BODY_CLASSES = frozenset(["search", "search-results", "search-no-results", "page-search"])
_ARTICLE_BODY_CLASSES = frozenset(
    [
        "single",
        "single-post",
        "postid",
        "page-template-default",
        "page",
        "node-type-article",  # Drupal 7
        "page-node-type-article",  # Drupal 8+
        "item-view",  # Blogger
    ]
)
_ATTACHMENT_BODY_CLASSES = frozenset(["attachment", "single-attachment", "attachmentid"])

# URL shapes of listings, most specific first (the path, with its query string).
_LISTING_URLS: tuple[tuple[str, str], ...] = (
    (r"/(?:tag|tags|label)/|/search/label/", "tag archive"),
    (r"/(?:category|categories|taxonomy/term)/", "category archive"),
    (r"/author/", "author archive"),
    (r"/page/\d+/?$|[?&](?:paged|page)=\d", "paginated index"),
    (r"[?&]updated-max=|_archive\.html$|/archives?/?$|/\d{4}/(?:\d{2}/)?$", "date archive"),
    (r"^/$", "home page"),
)
_SEARCH_URL = re.compile(r"[?&]s=|/search/?(?:\?|$)|/search/node\b|/search\?q=", re.IGNORECASE)
_ATTACHMENT_URL = re.compile(r"/attachment/|[?&]attachment_id=", re.IGNORECASE)

# What error pages say in their <title>, <h1> or status message (whole text, any of its parts).
_NOT_FOUND_TEXT = re.compile(
    r"^(?:error )?404(?: error)?(?: not found)?|(?:error 404|404)?\W*(?:page )?not found"
    r"|nothing (?:was )?found|oops! that page can[’']t be found\.?"
    r"|sorry, the page you were looking for in this blog does not exist\.?"
    r"|the requested page could not be found\.?|page (?:cannot|could not) be found"
    r"|this page (?:doesn[’']t|does not) exist\.?"
    r"|seite nicht gefunden|fehler 404|page introuvable|erreur 404|página no encontrada$",
    re.IGNORECASE,
)
_FIRST_H1 = etree.XPath("(//h1)[1]")
_OG_TYPE = etree.XPath("//meta[@property='og:type']/@content")
_HEADING_LINK = etree.XPath("(.//h1|.//h2|.//h3)[1]//a/@href")
_DOMINANT_WORDS = 150
_PUBLISHED_META = etree.XPath(
    "//meta[@property='article:published_time' or @name='article:published_time']/@content"
)


@dataclass(frozen=True)
class PageKind:
    """The page kind and the evidence for it, e.g. ``PageKind("listing", "tag archive (...)")``."""

    kind: str
    evidence: str


def classify(
    tree: html.HtmlElement,
    url: str | None = None,
    ld: JsonLd | None = None,
    elements: Elements | None = None,
) -> PageKind:
    """Decide what kind of page this is, from body classes, error texts, the URL and post counts.

    A page that says it is one article (og:type article, a top-level JSON-LD
    Article, ``article:published_time``) is one unless two signs say listing (a
    listing body class, a listing URL, several posts): on wcxb-dev, real articles
    were lost as "home page" for a ``blog`` body class, as "tag archive" under
    ``/topics/`` and as an "index" for a sidebar of related posts, each on one
    sign alone (issue 9); a news section's second page that calls itself an
    article still has its URL and its posts against it.
    """
    elements = elements if elements is not None else Elements(tree)
    body_classes = set((_body(tree).get("class") or "").split())
    parts = urlsplit(url or "")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if "error404" in body_classes:
        return PageKind(NOT_FOUND, "body class 'error404'")
    if body_classes & _ATTACHMENT_BODY_CLASSES or _ATTACHMENT_URL.search(path):
        return PageKind(ATTACHMENT, "attachment page")
    search = _search_evidence(body_classes, parts.query, path)
    if search:
        return PageKind(SEARCH_RESULTS, search)
    error = _error_text(tree, elements)
    if error:
        return PageKind(SOFT_404, error)
    if body_classes & {"single", "single-post"}:
        return PageKind(ARTICLE, "article body class")
    signs = _listing_signs(tree, elements, body_classes, path)
    says_article = _article_markup(tree, ld if ld is not None else JsonLd.from_tree(tree))
    if says_article and len(signs) < 2:
        return PageKind(ARTICLE, says_article)
    if signs and signs[0].endswith("(body class)"):
        return PageKind(LISTING, signs[0])  # a listing body class outranks an article one
    if body_classes & _ARTICLE_BODY_CLASSES:
        return PageKind(ARTICLE, "article body class")
    if signs:
        return PageKind(LISTING, signs[0])
    return PageKind(ARTICLE, "article")


def _listing_signs(
    tree: html.HtmlElement, elements: Elements, body_classes: set[str], path: str
) -> list[str]:
    """Each thing that says listing: a body class, the URL's shape, several posts."""
    posts = _distinct_posts(tree, elements)
    # A theme's "home" class on /blog/a-post/ with no entries listed is no front page.
    lone_post = path.split("?")[0].strip("/").count("/") >= 1 and not posts
    signs = [
        f"{kind} (body class)"
        for c, kind in _LISTING_BODY_CLASSES.items()
        if c in body_classes and not (kind == "home page" and lone_post)
    ][:1]
    listing_kind = _listing_url_kind(path) if path else None
    if listing_kind and (posts != 1 or listing_kind != "home page"):
        signs.append(f"{listing_kind} (URL {path!r})")
    og_type = _OG_TYPE(tree)
    if og_type and og_type[0].strip().lower() == "website" and posts >= 2:
        signs.append(f"index (og:type website with {posts} posts)")
    elif posts >= 3:
        signs.append(f"index ({posts} posts on one page)")
    return signs


def _article_markup(tree: html.HtmlElement, ld: JsonLd) -> str | None:
    """What in the page's own metadata says it is one article, or None."""
    og_type = _OG_TYPE(tree)
    if og_type and og_type[0].strip().lower() == "article":
        return "og:type article"
    if ld.items and is_article_item(ld.items[0]):
        return f"JSON-LD {ld.items[0].get('@type')}"
    if _PUBLISHED_META(tree):
        return "article:published_time"
    return None


def _search_evidence(body_classes: set[str], query: str, path: str) -> str | None:
    found = sorted(body_classes & _SEARCH_BODY_CLASSES)
    if found:
        return f"body class {found[0]!r}"
    if "updated-max=" in query or "/search/label/" in path:
        return None  # Blogger's archive and label pages live under /search
    if "s" in parse_qs(query) or _SEARCH_URL.search(path):
        return f"search URL {path!r}"
    return None


def _listing_url_kind(path: str) -> str | None:
    for pattern, kind in _LISTING_URLS:
        if re.search(pattern, path, re.IGNORECASE):
            return kind
    return None


def _error_text(tree: html.HtmlElement, elements: Elements) -> str | None:
    """The error message a soft 404 prints in its title, first heading or status box."""
    title = " ".join(tree.xpath("string(//title)").split())
    for part in TITLE_SEPARATORS.split(title) if title else ():
        if _NOT_FOUND_TEXT.fullmatch(part.strip()):
            return f"title {title!r}"
    status = []
    if elements.mention("cls", "status-msg-body"):
        status = elements.where(lambda m: "status-msg-body" in m.cls.split())
    for element in [*_FIRST_H1(tree), *status]:
        text = " ".join(element.text_content().split())
        if text and _NOT_FOUND_TEXT.fullmatch(text):
            return f"message {text!r}"
    return None


def _body(tree: html.HtmlElement) -> html.HtmlElement:
    body = tree.find("body")
    return body if body is not None else tree


def _distinct_posts(tree: html.HtmlElement, elements: Elements) -> int:
    """Post containers whose heading links to a distinct URL (a listing's entries).

    None when one block of prose outweighs them: a post container or the text
    outside them all holding half the page's paragraph words (150 at least) is an
    article beside a box of related posts, not a listing of teasers.
    """
    targets = set()
    containers = []
    for container in finders.post_containers(elements):
        links = _HEADING_LINK(container)
        if links:
            targets.add(links[0])
            containers.append(container)
    if len(targets) >= 2 and _one_block_dominates(tree, containers):
        return 0
    return len(targets)


def _one_block_dominates(tree: html.HtmlElement, containers: list[html.HtmlElement]) -> bool:
    inside = [sum(len(p.text_content().split()) for p in c.iter("p")) for c in containers]
    total = sum(len(p.text_content().split()) for p in tree.iter("p"))
    outside = total - sum(inside)  # posts nest rarely; when they do, outside only shrinks
    return max([*inside, outside]) >= max(_DOMINANT_WORDS, total / 2)

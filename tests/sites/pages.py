"""The pages of the generated test sites (see ``tests.sites.generated``) and the fault endpoints."""

from __future__ import annotations

import functools
import gzip
import json
import time
from datetime import UTC, datetime
from html import escape
from math import ceil
from typing import Any

Answer = tuple[int, str, bytes, dict[str, str]]
HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
PER_PAGE = 5


def _page(title: str, body_class: str, head: str, body: str) -> bytes:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"{head}</head><body class='{body_class}'><div id='masthead'><a href='/wp/'>Border Notes</a>"
        f"<a href='/wp/private/drafts/'>Drafts</a></div>{body}"
        "<div id='footer'><p>Proudly powered by WordPress.</p></div></body></html>"
    ).encode()


def _modified(posts: list[Any]) -> dict[str, str]:
    from tests.sites.generated import http_date

    newest = max((p.modified for p in posts), default=None)
    return {"Last-Modified": http_date(newest)} if newest else {}


# WordPress


def wordpress(site: Any, path: str, query: dict[str, str]) -> Answer:
    posts = site.posts
    if path == "/robots.txt":
        text = "User-agent: *\nDisallow: /wp/private/\n\nSitemap: /wp/sitemap_index.xml\n"
        return 200, "text/plain", text.encode(), {}
    if path in ("/wp/", "/wp/index.php") or path.startswith("/wp/page/"):
        number = int(path.split("/")[3]) if path.startswith("/wp/page/") else 1
        return _listing(posts, number, "/wp/", "home blog" if number == 1 else "blog paged")
    if path.startswith("/wp/tag/"):
        parts = path.split("/")
        tag, number = parts[3], int(parts[5]) if len(parts) > 6 and parts[4] == "page" else 1
        tagged = [p for p in posts if tag in p.tags]
        return _listing(tagged, number, f"/wp/tag/{tag}/", "archive tag")
    if path == "/wp/feed/":
        return _feed(posts, int(query.get("paged", 1)))
    if path == "/wp/wp-json/wp/v2/posts":
        if "after" in query:  # WordPress: posts published after this (site time, here UTC)
            after = datetime.fromisoformat(query["after"]).replace(tzinfo=UTC)
            posts = [p for p in posts if p.published > after]
        return _api(posts, int(query.get("page", 1)), int(query.get("per_page", 10)))
    if path == "/wp/sitemap_index.xml":
        return _sitemap_index(posts)
    if path == "/wp/post-sitemap.xml":
        urls = [(f"/wp{p.path}", p.modified, None) for p in posts]
        return _urlset(urls, posts)
    if path == "/wp/news-sitemap.xml":
        return _urlset([(f"/wp{p.path}", None, p.published) for p in posts[:3]], posts[:3])
    for post in posts:
        if path == f"/wp{post.path}":
            time.sleep(site.delay)
            return 200, HTML, _article(post, f"/wp{post.path}"), _modified([post])
    return 404, HTML, _page("Page not found", "error404", "", "<h1>Not found</h1>"), {}


def _listing(posts: list[Any], number: int, base: str, body_class: str) -> Answer:
    chunk = posts[(number - 1) * PER_PAGE : number * PER_PAGE]
    if not chunk:
        return 404, HTML, _page("Page not found", "error404", "", "<h1>Not found</h1>"), {}
    entries = "".join(
        f"<article class='post hentry'><h2 class='entry-title'><a href='/wp{p.path}'>"
        f"{escape(p.title)}</a></h2><p>{escape(p.paragraphs[0][:160])}…</p>"
        + "".join(f"<a href='/wp/tag/{t}/' rel='tag'>{t}</a> " for t in p.tags)
        + f"<a href='/wp{p.path}?utm_source=home#comments'>Comments</a></article>"
        for p in chunk
    )
    nav = ""
    if number * PER_PAGE < len(posts):
        nav = (
            f"<div class='nav-previous'><a href='{base}page/{number + 1}/'>« Older posts</a></div>"
        )
    head = "<link rel='alternate' type='application/rss+xml' title='Border Notes » Feed' href='/wp/feed/'>"
    head += "<link rel='https://api.w.org/' href='/wp/wp-json/'>"
    return 200, HTML, _page("Border Notes", body_class, head, entries + nav), _modified(chunk)


def _article(post: Any, path: str) -> bytes:
    head = (
        f"<link rel='canonical' href='{path}'>"
        f"<meta property='og:type' content='article'>"
        f"<meta property='article:published_time' content='{post.published.isoformat()}'>"
    )
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in post.paragraphs)
    tags = "".join(f"<a href='/wp/tag/{t}/' rel='tag'>{t}</a> " for t in post.tags)
    body = (
        f"<article class='post hentry'><h1 class='entry-title'>{escape(post.title)}</h1>"
        f"<time class='entry-date' datetime='{post.published.isoformat()}'>"
        f"{post.published:%B %d, %Y}</time><div class='entry-content'>{paragraphs}</div>"
        f"<footer>Tagged {tags}</footer></article>"
        "<div id='comments'><h3>Leave a Reply</h3></div>"
    )
    return _page(post.title, "single single-post", head, body)


def _feed(posts: list[Any], number: int) -> Answer:
    from tests.sites.generated import http_date

    chunk = posts[(number - 1) * PER_PAGE : number * PER_PAGE]
    if not chunk:
        return 404, HTML, _page("Page not found", "error404", "", ""), {}
    items = "".join(
        f"<item><title>{escape(p.title)}</title><link>/wp{p.path}</link>"
        f"<pubDate>{http_date(p.published)}</pubDate><guid isPermaLink='false'>/wp/?p={p.slug}</guid></item>"
        for p in chunk
    )
    body = f"<?xml version='1.0'?><rss version='2.0'><channel><title>Border Notes</title>{items}</channel></rss>"
    return 200, "application/rss+xml; charset=utf-8", body.encode(), _modified(chunk)


def _api(posts: list[Any], number: int, per_page: int) -> Answer:
    pages = max(1, ceil(len(posts) / per_page))
    if number > pages:
        error = {"code": "rest_post_invalid_page_number", "data": {"status": 400}}
        return 400, "application/json", json.dumps(error).encode(), {}
    chunk = posts[(number - 1) * per_page : number * per_page]
    body = [
        {
            "link": f"/wp{p.path}",
            "date_gmt": p.published.strftime("%Y-%m-%dT%H:%M:%S"),
            "modified_gmt": p.modified.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        for p in chunk
    ]
    headers = {"X-WP-Total": str(len(posts)), "X-WP-TotalPages": str(pages)}
    return 200, "application/json; charset=UTF-8", json.dumps(body).encode(), headers


def _sitemap_index(posts: list[Any]) -> Answer:
    newest = max(p.modified for p in posts).isoformat()
    body = (
        "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<sitemap><loc>/wp/news-sitemap.xml</loc><lastmod>{newest}</lastmod></sitemap>"
        f"<sitemap><loc>/wp/post-sitemap.xml</loc><lastmod>{newest}</lastmod></sitemap>"
        "</sitemapindex>"
    )
    return 200, XML, body.encode(), _modified(posts)


def _urlset(urls: list[tuple[str, Any, Any]], posts: list[Any]) -> Answer:
    entries = []
    for loc, lastmod, published in urls:
        entry = f"<url><loc>{loc}</loc>"
        if lastmod:
            entry += f"<lastmod>{lastmod.isoformat()}</lastmod>"
        if published:
            entry += (
                "<news:news><news:publication>Border Notes</news:publication>"
                f"<news:publication_date>{published.isoformat()}</news:publication_date></news:news>"
            )
        entries.append(entry + "</url>")
    body = (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
        "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>"
        + "".join(entries)
        + "</urlset>"
    )
    return 200, XML, body.encode(), _modified(posts)


# CFR-like: a "Load more" button, no links to further pages.


def cfr(site: Any, path: str, query: dict[str, str]) -> Answer:
    if path == "/robots.txt":
        return 200, "text/plain", b"User-agent: *\nDisallow:\n", {}
    if path == "/cfr/blog/asia-unbound":
        number = int(query.get("page", 0))
        chunk = site.posts[number * 4 : (number + 1) * 4]
        entries = "".join(
            f"<article class='card'><h3><a href='/cfr/blog/{p.slug}?utm_medium=listing'>{escape(p.title)}</a>"
            f"</h3></article>"
            for p in chunk
        )
        more = ""
        if (number + 1) * 4 < len(site.posts):
            more = f"<button class='load-more' data-next-page='{number + 1}'>Load more</button>"
        body = f"<h1>Asia Unbound</h1>{entries}{more}"
        return 200, HTML, _page("Asia Unbound | CFR", "blog archive", "", body), {}
    for post in site.posts:
        if path == f"/cfr/blog/{post.slug}":
            page = _article(post, f"/cfr/blog/{post.slug}").replace(b"/wp/", b"/cfr/blog/")
            return 200, HTML, page, {}
    return 404, HTML, _page("Page not found", "error404", "", ""), {}


# Faults, under /faults/ on any of the servers.

_FAULT_HOME = """<h1>Faults</h1><ul>
<li><a href='/faults/slow/'>slow</a></li><li><a href='/faults/error500/'>500</a></li>
<li><a href='/faults/gone/'>gone</a></li><li><a href='/faults/loop/'>loop</a></li>
<li><a href='/faults/latin1/'>mislabelled</a></li><li><a href='/faults/nocharset/'>unlabelled</a></li>
<li><a href='/faults/truncated/'>truncated</a></li><li><a href='/faults/huge/'>huge</a></li>
<li><a href='/faults/ratelimited/'>rate limited</a></li></ul>"""


def faults(handler: Any, path: str, query: dict[str, str]) -> Answer | str | None:
    """Fault endpoints; "handled" when the answer was written by hand (truncated, huge)."""
    if not path.startswith("/faults/"):
        return None
    name = path.split("/")[2]
    if path == "/faults/":
        head = "<link rel='alternate' type='application/rss+xml' href='/faults/notafeed/'>"
        return 200, HTML, _page("Faults", "home blog", head, _FAULT_HOME), {}
    if name == "slow":
        time.sleep(3)
    if name == "gone":
        return 404, HTML, _page("Page not found", "error404", "", "<h1>Not found</h1>"), {}
    if name == "error500":
        return 500, HTML, b"<h1>Internal Server Error</h1>", {}
    if name == "loop":
        return 302, HTML, b"", {"Location": "/faults/loop2/"}
    if name == "loop2":
        return 302, HTML, b"", {"Location": "/faults/loop/"}
    if name == "ratelimited" and not _seen(handler, path):
        return 429, HTML, b"slow down", {"Retry-After": "1"}
    if name == "notafeed":
        return 200, "application/rss+xml", b"<html><body>this is not a feed</body></html>", {}
    if name == "sitemap":  # a sitemap bomb by nesting: every index points one level deeper
        depth = int(query.get("depth", 0))
        body = (
            "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"<sitemap><loc>/faults/sitemap/?depth={depth + 1}</loc></sitemap></sitemapindex>"
        )
        return 200, XML, body.encode(), {}
    if name == "bomb.xml.gz":  # a sitemap bomb by size: 30 MB of URLs in 30 KB of gzip
        return 200, "application/gzip", _bomb(), {}
    if name in ("truncated", "huge"):
        _write_partial(handler, name)
        return "handled"
    if name == "latin1":  # UTF-8 bytes labelled Latin-1: the usual misconfiguration
        return 200, "text/html; charset=iso-8859-1", _fault_article("Café society in Pyongyang"), {}
    if name == "nocharset":  # Windows-1252 bytes with no label anywhere
        body = _fault_article("Naïve hopes at the border", meta=False, encoding="cp1252")
        return 200, "text/html", body, {}
    return 200, HTML, _fault_article(f"A sturdy page called {name}"), {}


def _seen(handler: Any, path: str) -> bool:
    return path in [h.path for h in handler.site.hits]


def _fault_article(title: str, meta: bool = True, encoding: str = "utf-8") -> bytes:
    from tests.sites.generated import prose

    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in prose(1)[0])
    charset = "<meta charset='utf-8'>" if meta else ""
    return (
        f"<!DOCTYPE html><html><head>{charset}<title>{escape(title)}</title></head>"
        f"<body class='single single-post'><article class='post'><h1>{escape(title)}</h1>"
        f"<p>{escape(title)}: the café owner’s naïve façade.</p>{paragraphs}</article></body></html>"
    ).encode(encoding)


@functools.cache
def _bomb() -> bytes:
    url = b"<url><loc>/faults/bombed/</loc></url>"
    body = b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
    return gzip.compress(body + url * (30 * 1024 * 1024 // len(url)) + b"</urlset>", 9)


def _write_partial(handler: Any, name: str) -> None:
    """A body shorter than its Content-Length (truncated) or 50 MB (huge), sent by hand."""
    size = 50 * 1024 * 1024 if name == "huge" else 20_000
    handler.site.log(handler.path, 200, False)
    handler.send_response(200)
    handler.send_header("Content-Type", HTML)
    handler.send_header("Content-Length", str(size))
    handler.end_headers()
    chunk = b"<p>" + b"x" * 4093 + b"</p>"
    try:
        for _ in range(size // len(chunk) if name == "huge" else 1):
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass
    handler.close_connection = True

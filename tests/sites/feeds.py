"""A site of two blogs on one host, found only through their feeds (issue 12, item 5).

``/json/`` announces a JSON Feed with ``<link rel="alternate"
type="application/feed+json">``; ``/atom/`` has an Atom feed its outlet
configures. Neither home page links a post, so every stored post was read
from a feed. robots.txt names no sitemap; the log counts how often it is asked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html import escape

from tests.sites.generated import Post, Site, prose

Answer = tuple[int, str, bytes, dict[str, str]]
HTML = "text/html; charset=utf-8"


class FeedSite(Site):
    """Three posts under ``/json/`` and three under ``/atom/``, newest first."""

    def __init__(self) -> None:
        super().__init__()
        start = datetime(2016, 5, 2, 8, tzinfo=UTC)
        texts = prose(6)
        self.posts: dict[str, list[Post]] = {}
        for b, blog in enumerate(("json", "atom")):
            posts = []
            for i in range(3):
                when = start + timedelta(days=3 * b + i)
                posts.append(
                    Post(f"{blog}-{i}", f"{blog} dispatch {i}", when, when, texts[3 * b + i])
                )
            self.posts[blog] = posts[::-1]

    def paths(self, blog: str) -> list[str]:
        return [f"/{blog}{p.path}" for p in self.posts[blog]]

    def route(self, path: str, query: dict[str, str]) -> Answer:
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /private/\n", {}
        if path == "/json/":
            feed = "<link rel='alternate' type='application/feed+json' href='/json/feed.json'>"
            return 200, HTML, _page("JSON blog", feed, "<h1>Dispatches</h1>"), {}
        if path == "/atom/":
            return 200, HTML, _page("Atom blog", "", "<h1>Dispatches</h1>"), {}
        if path == "/json/feed.json":
            return 200, "application/feed+json", self._json_feed(), {}
        if path == "/atom/feed.atom":
            return 200, "application/atom+xml", self._atom_feed(), {}
        for blog, posts in self.posts.items():
            for post in posts:
                if path == f"/{blog}{post.path}":
                    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in post.paragraphs)
                    body = f"<article><h1>{escape(post.title)}</h1>{paragraphs}</article>"
                    return 200, HTML, _page(post.title, "", body), {}
        return 404, HTML, _page("Not found", "", "<h1>Not found</h1>"), {}

    def _json_feed(self) -> bytes:
        items = [
            {
                "id": post.slug,
                "url": f"/json{post.path}",
                "title": post.title,
                "date_published": post.published.isoformat(),
            }
            for post in self.posts["json"]
        ]
        feed = {"version": "https://jsonfeed.org/version/1.1", "title": "JSON blog", "items": items}
        return json.dumps(feed).encode()

    def _atom_feed(self) -> bytes:
        entries = "".join(
            f"<entry><title>{escape(p.title)}</title><id>urn:{p.slug}</id>"
            f"<link rel='alternate' href='/atom{p.path}'/><link rel='replies' href='/atom/c/'/>"
            f"<updated>{p.modified.isoformat()}</updated></entry>"
            for p in self.posts["atom"]
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>Atom blog</title><id>urn:atom</id>{entries}</feed>"
        ).encode()


def _page(title: str, head: str, body: str) -> bytes:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"{head}</head><body>{body}</body></html>"
    ).encode()

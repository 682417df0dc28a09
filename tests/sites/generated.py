"""Sites generated in Python and served on 127.0.0.1, with a log of every request they answer.

``WordPressSite`` plays a WordPress blog: home and ``/page/N/`` archives, tag
archives, an RSS feed paged with ``?paged=N``, the REST API
(``/wp-json/wp/v2/posts`` with ``X-WP-Total`` / ``X-WP-TotalPages``), a sitemap
index with a post sitemap and a news sitemap, robots.txt naming the index
and disallowing a directory, ETag / Last-Modified and 304 answers. Posts can be
added and edited between crawls. ``CfrSite`` plays a blog whose listing pages
on through a script-driven "Load more" button. Article text is real prose:
the Python documentation's topics (``pydoc_data``, shipped with Python).
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pydoc_data.topics import topics
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.sites import pages

PER_PAGE = 5


def prose(count: int, sentences: int = 14) -> list[list[str]]:
    """``count`` texts of real English prose, each its own run of sentences.

    The first texts share no sentence; the pool holds about 50 of 14 sentences.
    Past it, each text is a seeded draw of distinct sentences (as ``bench/crawl.py``
    builds its pages): two such texts share a sentence or two at most, far below
    what makes a repost, so a 2,000-post site still has 2,000 stories.
    """
    pool = list(dict.fromkeys(
        s.strip()
        for text in topics.values()
        for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
        if 60 <= len(s) <= 260 and re.fullmatch(r"[A-Z][\w ,;:'()\-\"]+[.!?]", s.strip())
    ))  # fmt: skip
    draw = random.Random(count)
    texts = []
    for i in range(count):
        if (i + 1) * sentences <= len(pool):
            chunk = pool[i * sentences : (i + 1) * sentences]
        else:
            chunk = draw.sample(pool, sentences)
        texts.append([" ".join(chunk[j : j + 3]) for j in range(0, len(chunk), 3)])
    return texts


@dataclass
class Post:
    slug: str
    title: str
    published: datetime
    modified: datetime
    paragraphs: list[str]
    tags: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"


@dataclass
class Hit:
    path: str
    status: int
    at: float
    conditional: bool


@dataclass
class Site:
    """Shared state of the server: the log, and per-path behaviour set by the tests."""

    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay: float = 0.0  # seconds before answering an article page

    def log(self, path: str, status: int, conditional: bool) -> None:
        with self.lock:
            self.hits.append(Hit(path, status, time.monotonic(), conditional))

    def requested(self, prefix: str = "") -> list[str]:
        with self.lock:
            return [h.path for h in self.hits if h.path.startswith(prefix)]

    def clear(self) -> None:
        with self.lock:
            self.hits.clear()


class WordPressSite(Site):
    """A WordPress blog under ``/wp/``; ``posts`` newest first."""

    def __init__(self, count: int = 12, start: datetime | None = None) -> None:
        super().__init__()
        start = start or datetime(2016, 1, 4, 9, tzinfo=UTC)
        texts = prose(count + 6)
        self.spare = texts[count:]  # text for posts added later
        tags = ("north-korea", "refugees", "trafficking")
        self.posts = [
            Post(
                f"post-{i:03d}",
                f"Report number {i} from the border",
                start + timedelta(days=3 * i),
                start + timedelta(days=3 * i),
                texts[i],
                (tags[i % 3], tags[(i + 1) % 3]),
            )
            for i in range(count)
        ][::-1]

    def add_post(self) -> Post:
        newest = self.posts[0].published
        number = len(self.posts)
        post = Post(
            f"post-{number:03d}",
            f"Report number {number} from the border",
            newest + timedelta(days=1),
            newest + timedelta(days=1),
            self.spare.pop(),
            ("refugees",),
        )
        self.posts.insert(0, post)
        return post

    def edit_post(self, index: int) -> Post:
        post = self.posts[index]
        post.paragraphs = [*post.paragraphs, self.spare.pop()[0]]
        post.modified = self.posts[0].published + timedelta(hours=1)
        return post

    def route(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes, dict[str, str]]:
        return pages.wordpress(self, path, query)


class CfrSite(Site):
    """A CFR-like blog under ``/cfr/blog/``: listing at ``asia-unbound``, posts at ``/cfr/blog/<slug>``."""

    def __init__(self, count: int = 9) -> None:
        super().__init__()
        start = datetime(2012, 10, 1, 12, tzinfo=UTC)
        self.posts = [
            Post(
                f"asia-post-{i}", f"Asia Unbound essay {i}", start + timedelta(days=i), start, text
            )
            for i, text in enumerate(prose(count, sentences=12))
        ][::-1]

    def route(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes, dict[str, str]]:
        return pages.cfr(self, path, query)


class Server:
    """Serves a site (anything with ``route`` and ``log``) and the faults on 127.0.0.1
    (or another loopback address: 127.0.0.2 plays an internal host)."""

    def __init__(self, site: Any, host: str = "127.0.0.1") -> None:
        handler = type("Handler", (_Handler,), {"site": site})
        self.httpd = _QuietServer((host, 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self.site = site
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A crawler hanging up (a timeout, a size cap) is what the faults are for."""


class _Handler(BaseHTTPRequestHandler):
    site: Any
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        answer = pages.faults(self, parts.path, query) or self.site.route(parts.path, query)
        if answer == "handled":
            return
        status, content_type, body, headers = answer
        if status == 200 and self._not_modified(body, headers):
            status, body = 304, b""
        conditional = bool(
            self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")
        )
        self.site.log(self.path, status, conditional)
        self.send_response(status)
        etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'
        if status in (200, 304):
            self.send_header("ETag", etag if status == 200 else self._etag or etag)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _not_modified(self, body: bytes, headers: dict[str, str]) -> bool:
        etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'
        self._etag = etag
        if self.headers.get("If-None-Match"):
            return self.headers["If-None-Match"] == etag
        since, modified = self.headers.get("If-Modified-Since"), headers.get("Last-Modified")
        if since and modified:
            return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
        return False

    def log_message(self, format: str, *args: object) -> None:
        pass


def http_date(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC), usegmt=True)

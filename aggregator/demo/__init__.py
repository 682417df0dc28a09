"""The bundled offline demo: ``site/`` beside this module served on 127.0.0.1, standing in for
the real outlets; ``outlets.toml`` beside it configures the demo outlets. Both ship in the
package, so ``aggregator demo`` works wherever the package is installed.

``*/wp-json/wp/v2/posts`` answers like WordPress's REST API (paged, with its
headers) from the ``index.json`` stored there. Pages carry ``{{DEMO_ROOT}}`` where the live site has its address; the server
fills in its own (a free port), and ``AGGREGATOR_DEMO_URL`` tells the demo
outlets where to find it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import mimetypes
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs, unquote, urlsplit

logger = logging.getLogger(__name__)

DEMO_SITE = Path(__file__).resolve().parent / "site"
DEMO_CONFIG = DEMO_SITE.parent / "outlets.toml"
DEMO_OUTLETS = ("demo-htw", "demo-cfr", "demo-rrm")
DEMO_URL_VARIABLE = "AGGREGATOR_DEMO_URL"
PLACEHOLDER = b"{{DEMO_ROOT}}"
_TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json; charset=utf-8",
}
_INDEX_FILES = ("index.html", "index.xml", "index.json")
_REST_POSTS = "/wp-json/wp/v2/posts"  # served paged, with WordPress's headers


def _number(query: dict[str, list[str]], name: str, default: int) -> int:
    value = (query.get(name) or [""])[0]
    return int(value) if value.isdigit() and int(value) > 0 else default


class DemoSite:
    """A static site on 127.0.0.1 with WordPress-like URLs (directories serve their index).

    >>> with DemoSite() as site:
    ...     site.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(self, root: Path = DEMO_SITE, port: int = 0) -> None:
        if not root.is_dir():
            raise FileNotFoundError(f"demo site not found at {root}")
        handler = type("Handler", (_Handler,), {"root": root.resolve()})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> DemoSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    root: Path
    server_version = "aggregator-demo"
    # Keep-alive, as real sites serve: every response carries its Content-Length (a 304
    # has no body), so one connection serves many requests.
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._respond(head_only=False)

    def do_HEAD(self) -> None:
        self._respond(head_only=True)

    def _respond(self, head_only: bool) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path.endswith(_REST_POSTS):
            return self._rest_posts(path, parse_qs(parts.query), head_only)
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root):
            return self._send_file(self.root / "404.html", HTTPStatus.NOT_FOUND, head_only)
        if target.is_dir():
            if not path.endswith("/"):
                return self._redirect(path + "/")
            target = next(
                (target / n for n in _INDEX_FILES if (target / n).is_file()), target / "-"
            )
        if not target.is_file():
            return self._send_file(self.root / "404.html", HTTPStatus.NOT_FOUND, head_only)
        self._send_file(target, HTTPStatus.OK, head_only)

    def _host(self) -> str:
        """The address the client asked for: pages link back to it, whatever port we got."""
        _, port = cast(tuple[str, int], self.server.server_address)
        return self.headers.get("Host") or f"127.0.0.1:{port}"

    def _send_file(self, target: Path, status: HTTPStatus, head_only: bool) -> None:
        body = target.read_bytes()
        content_type = _TEXT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
        if target.suffix in _TEXT_TYPES:
            body = body.replace(PLACEHOLDER, f"http://{self._host()}".encode())
            if target.parent.name == "feed":
                content_type = "application/rss+xml; charset=utf-8"
        etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'
        if status == HTTPStatus.OK and self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type or "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(target.stat().st_mtime, usegmt=True))
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def _rest_posts(self, path: str, query: dict[str, list[str]], head_only: bool) -> None:
        """The WordPress REST API's posts, paged like WordPress: ``?per_page=N&page=P``,
        ``X-WP-Total`` and ``X-WP-TotalPages`` headers, 400 past the last page."""
        source = (self.root / path.lstrip("/") / "index.json").resolve()
        if not source.is_relative_to(self.root) or not source.is_file():
            return self._send_file(self.root / "404.html", HTTPStatus.NOT_FOUND, head_only)
        text = source.read_text(encoding="utf-8").replace(
            PLACEHOLDER.decode(), f"http://{self._host()}"
        )
        posts = json.loads(text)
        per_page = _number(query, "per_page", 10)
        page = _number(query, "page", 1)
        pages = max(1, math.ceil(len(posts) / per_page))
        if page > pages:
            body = json.dumps({"code": "rest_post_invalid_page_number"}).encode()
            return self._send_body(body, HTTPStatus.BAD_REQUEST, {}, head_only)
        chunk = posts[(page - 1) * per_page : page * per_page]
        headers = {"X-WP-Total": str(len(posts)), "X-WP-TotalPages": str(pages)}
        self._send_body(json.dumps(chunk).encode(), HTTPStatus.OK, headers, head_only)

    def _send_body(
        self, body: bytes, status: HTTPStatus, headers: dict[str, str], head_only: bool
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("demo site: " + format, *args)

"""Story pages and digests as self-contained HTML: inline CSS and SVG, no script, no fetch.

Every value from the store is web content (titles, texts, outlet names, URLs),
so Jinja2 escapes everything it prints, links are written only for http(s)
URLs, and each page carries a Content-Security-Policy that lets nothing load or
run even if a value slipped through (issue 14, item 5).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from aggregator.report.digest import Digest
from aggregator.report.story import StoryPage

HEAT_LEVELS = 5


@dataclass(frozen=True)
class Links:
    """Where a page's links go. In a file, to the articles on the web; in Datasette, also to
    the story pages, the digest and the tables it serves."""

    story: Callable[[int], str] | None = None  # a story's page
    digest: str | None = None  # the digest page
    home: str | None = None  # the database in Datasette
    digest_form: bool = False  # a date form on the digest (served pages only)


class Renderer:
    """Renders pages from the templates beside this module: ``Renderer().story(page)`` is the
    story page of a ``StoryPage`` (``aggregator.report.story``) as one HTML document."""

    def __init__(self, links: Links | None = None) -> None:
        self.links = links or Links()
        self._env = Environment(
            loader=PackageLoader("aggregator.report", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters.update(date=date_text, moment=moment_text, number=number_text)
        self._env.filters.update(web_url=web_url, last_day=last_day)
        self._env.globals["range_text"] = range_text
        self._env.globals.update(links=self.links, heat=heat_level)

    def story(self, page: StoryPage) -> str:
        return self._env.get_template("story.html").render(page=page)

    def digest(self, digest: Digest) -> str:
        return self._env.get_template("digest.html").render(digest=digest)


def web_url(url: str | None) -> str | None:
    """``url`` when a browser may follow it (http or https), else None: a stored URL is
    untrusted, and ``javascript:`` or ``data:`` must never become a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def range_text(since: datetime | None, until: datetime | None) -> str:
    """A digest's range as people say it: "2012-10-01 to 2012-10-31" (``until`` is exclusive)."""
    first = None
    if since:
        first = f"{since:%Y-%m-%d}" if since.time() == time(0) else moment_text(since)
    through = last_day(until)
    if until is None:
        return f"since {first}" if first else "at any time"
    if through is None:  # an exclusive time of day
        return f"{'from ' + first + ' ' if first else ''}before {moment_text(until)}"
    return f"{first} to {through}" if first else f"through {through}"


def last_day(until: datetime | None) -> str | None:
    """The last date an exclusive ``until`` at midnight includes (the day before it)."""
    if until is None or until.time() != time(0):
        return None
    return f"{until - timedelta(days=1):%Y-%m-%d}"


def date_text(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "undated"


def moment_text(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "undated"


def number_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def heat_level(count: int, largest: int) -> int:
    """A matrix cell's shade, 1 (few reposts) to HEAT_LEVELS (the busiest cell)."""
    if count <= 0 or largest <= 0:
        return 0
    return max(1, math.ceil(HEAT_LEVELS * count / largest))

"""Site adapters: the little a site needs beyond the generic spider (issue 5, item 1).

An outlet names one with ``site = "cfr"`` in outlets.toml; the spider asks
it how archive pages page on and which URLs are pagination. A new adapter is
a small subclass of ``Site`` added to ``SITES``, not a fork of the spider.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import html

from aggregator.config import Outlet

_PAGINATED_PATH = re.compile(r"/page/\d+/?$")
_PAGE_PARAMETERS = ("paged", "page")
_NEXT_LINKS = (
    "//link[@rel='next']/@href | //a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
    " | //*[contains(@class, 'nav-previous')]//a/@href"  # WordPress themes: "« Older posts"
    " | //a[contains(concat(' ', normalize-space(@class), ' '), ' next ')]/@href"
)


class Site:
    """Generic behaviour: WordPress-style pagination, rel=next links, the WordPress REST API."""

    name = "generic"

    def __init__(self, outlet: Outlet) -> None:
        self.outlet = outlet

    def is_pagination(self, url: str) -> bool:
        """A second or later page of an archive (read only while it still has news)."""
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        return bool(_PAGINATED_PATH.search(parts.path)) or any(
            query.get(name, "").isdigit() for name in _PAGE_PARAMETERS
        )

    def next_pages(self, tree: html.HtmlElement, url: str) -> list[str]:
        """The archive page after this one, as the page links it."""
        return list(dict.fromkeys(urljoin(url, href.strip()) for href in tree.xpath(_NEXT_LINKS)))

    def feed_page(self, feed_url: str, page: int) -> str:
        """Page ``page`` of a feed: WordPress pages its feeds with ``?paged=N``."""
        return _with_query(feed_url, paged=str(page))

    def api_url(self) -> str | None:
        """The WordPress REST API's posts endpoint, for WordPress outlets."""
        if self.outlet.platform != "wordpress":
            return None
        return urljoin(self.outlet.scope, "wp-json/wp/v2/posts")


class CfrSite(Site):
    """Council on Foreign Relations: its blog lists posts behind a script-driven "Load more" button.

    The button carries the next page number (``data-next-page``) but no link;
    the listing itself answers ``?page=N``.
    """

    name = "cfr"
    _LOAD_MORE = "//*[contains(@class, 'load-more')]/@data-next-page"

    def next_pages(self, tree: html.HtmlElement, url: str) -> list[str]:
        pages = [
            _with_query(url, page=number.strip())
            for number in tree.xpath(self._LOAD_MORE)
            if number.strip().isdigit()
        ]
        return list(dict.fromkeys([*pages, *super().next_pages(tree, url)]))


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True)) | params
    return urlunsplit(parts._replace(query=urlencode(query)))


SITES: dict[str, type[Site]] = {"generic": Site, "cfr": CfrSite}


def site_for(outlet: Outlet) -> Site:
    return SITES[outlet.site](outlet)

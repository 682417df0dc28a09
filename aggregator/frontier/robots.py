"""Which outlet a robots.txt, or a sitemap it names, belongs to."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from aggregator.config import Outlet
from aggregator.urls import in_scope, normalize_url


def robots_url(outlet: Outlet) -> str:
    """The robots.txt of the outlet's host."""
    return normalize_url(urljoin(outlet.url, "/robots.txt"))


def covers(sitemap: str, outlet: Outlet) -> bool:
    """A robots.txt sitemap belongs to an outlet inside its scope or at or above its directory."""
    if in_scope(sitemap, outlet):
        return True
    parts = urlsplit(sitemap)
    directory = urljoin(sitemap, "./")
    return parts.hostname == outlet.host and outlet.scope.startswith(directory)
